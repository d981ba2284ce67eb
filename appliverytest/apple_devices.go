package appliverytest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/applivery/applivery-go"
)

// The Apple device endpoints, under
// /organizations/{organizationId}/mdm/apple/enterprise.
const (
	EndpointAppleDeviceGet    Endpoint = "apple-device-get"    // GET …/devices/{admDeviceId}
	EndpointAppleDeviceList   Endpoint = "apple-device-list"   // GET …/devices
	EndpointAppleDeviceUpdate Endpoint = "apple-device-update" // PUT …/devices/{admDeviceId}
)

// The routes of the Apple device endpoints, under basePath.
const (
	appleDevicesPath = "/organizations/{organizationId}/mdm/apple/enterprise/devices"
	appleDevicePath  = appleDevicesPath + "/{admDeviceId}"
)

// appleDeviceWildcards are the documented patterns of the wildcards of the
// Apple device routes.
var appleDeviceWildcards = wildcards{"organizationId": organizationIDRE, "admDeviceId": deviceIDRE}

// appleDeviceEndpoints are the rows of the Apple device endpoints in the
// server's endpoint table.
func (s *appleDeviceStore) appleDeviceEndpoints() []endpoint {
	return []endpoint{
		{EndpointAppleDeviceGet, http.MethodGet, appleDevicePath, appleDeviceWildcards, s.getAppleDevice},
		{EndpointAppleDeviceList, http.MethodGet, appleDevicesPath, appleDeviceWildcards, s.listAppleDevices},
		{EndpointAppleDeviceUpdate, http.MethodPut, appleDevicePath, appleDeviceWildcards, s.updateAppleDevice},
	}
}

// appleDeviceStore holds the Apple devices of the organizations, under the
// organizations' lock.
type appleDeviceStore struct {
	appleMu      *sync.Mutex // the organizations' lock
	appleOrgs    *organizations
	appleDevices map[deviceKey]*storedAppleDevice
	appleAliases map[deviceKey]string // a serial number (or other alias) to the device's ID
	// appleSeq is the insertion order that the Android devices share, so
	// that the list of every platform holds them all in the order added.
	appleSeq *uint64
}

// initAppleDevices makes the store of the Apple devices of the
// organizations, counting their insertion order on seq.
func (s *appleDeviceStore) initAppleDevices(orgs *organizations, seq *uint64) {
	s.appleSeq = seq
	s.appleMu = &orgs.mu
	s.appleOrgs = orgs
	s.appleDevices = make(map[deviceKey]*storedAppleDevice)
	s.appleAliases = make(map[deviceKey]string)
}

// storedAppleDevice is an Apple device the server holds, with the members
// of its Raw, typed fields merged in.
type storedAppleDevice struct {
	dev     applivery.AppleDevice
	aliases []string
	raw     map[string]json.RawMessage
	seq     uint64
}

// AddAppleDevice stores dev as an Apple device of the organization and
// returns what was stored: with a generated 24-hex-digit ID when dev.ID is
// empty, the current time in CreatedAt and UpdatedAt when they are zero, and
// dev.Raw with the typed fields merged in, as the server serves it. aliases
// (a serial number, say) name the device on the Apple device endpoints too:
// the reference does not say the API takes them, but its pattern admits
// them. The list filters read the typed MDMUser and Tags, and "admPolicy"
// (an object with an "id"), "segmentId" (a number) and "deleted" (true)
// from dev.Raw.
//
// A device with the same ID is replaced, and the aliases it no longer lists
// stop naming it; an alias that named another Apple device names this one
// from then on. The organization exists from then on.
//
// AddAppleDevice panics, naming the documented pattern, on an organization
// ID, device ID or alias the API could not hold, and on a Raw that is set
// but is not a JSON object.
func (s *appleDeviceStore) AddAppleDevice(organizationID string, dev applivery.AppleDevice, aliases ...string) applivery.AppleDevice {
	raw := newStored("AddAppleDevice", organizationID, &dev.ID, aliases, dev.Raw, &dev.CreatedAt, &dev.UpdatedAt)
	dev.Tags = slices.Clone(dev.Tags)
	st := &storedAppleDevice{dev: dev, aliases: slices.Clone(aliases), raw: raw}
	st.merge()
	s.appleMu.Lock()
	defer s.appleMu.Unlock()
	*s.appleSeq++
	st.seq = *s.appleSeq
	key := deviceKey{organizationID, dev.ID}
	old := s.appleDevices[key]
	s.appleDevices[key] = st
	s.appleOrgs.add(organizationID)
	setAliases(s.appleDevices, s.appleAliases, organizationID, dev.ID, old, aliases,
		func(d *storedAppleDevice) *[]string { return &d.aliases }, nil)
	return st.device()
}

// AppleDevice returns the organization's Apple device with the given ID or
// alias, as the server holds it now.
func (s *appleDeviceStore) AppleDevice(organizationID, deviceID string) (applivery.AppleDevice, bool) {
	s.appleMu.Lock()
	defer s.appleMu.Unlock()
	st := s.findAppleDevice(organizationID, deviceID)
	if st == nil {
		return applivery.AppleDevice{}, false
	}
	return st.device(), true
}

// findAppleDevice returns the Apple device with the given ID or alias, or
// nil. The caller holds s.appleMu.
func (s *appleDeviceStore) findAppleDevice(organizationID, deviceID string) *storedAppleDevice {
	if st, ok := s.appleDevices[deviceKey{organizationID, deviceID}]; ok {
		return st
	}
	if id, ok := s.appleAliases[deviceKey{organizationID, deviceID}]; ok {
		return s.appleDevices[deviceKey{organizationID, id}]
	}
	return nil
}

// merge writes the typed fields of st.dev into st.raw, and st.raw back into
// st.dev.Raw, so that the two agree as the API's would.
func (st *storedAppleDevice) merge() {
	set := func(name string, v any) {
		b, _ := json.Marshal(v)
		st.raw[name] = b
	}
	set("id", st.dev.ID)
	for name, v := range map[string]string{
		"organization": st.dev.Organization, "displayName": st.dev.DisplayName, "type": st.dev.Type, "subType": st.dev.SubType,
	} {
		if v != "" {
			set(name, v)
		}
	}
	if st.dev.Tags != nil {
		set("tags", st.dev.Tags)
	}
	if st.dev.MDMUser != nil {
		set("mdmUser", st.dev.MDMUser)
	}
	set("updatedAt", st.dev.UpdatedAt.Format(time.RFC3339Nano))
	set("createdAt", st.dev.CreatedAt.Format(time.RFC3339Nano))
	st.dev.Raw, _ = json.Marshal(st.raw)
}

// device returns a copy of the stored device that shares no memory with it.
func (st *storedAppleDevice) device() applivery.AppleDevice {
	d := st.dev
	d.Raw = append(json.RawMessage(nil), d.Raw...)
	d.Tags = slices.Clone(d.Tags)
	if d.MDMUser != nil {
		u := *d.MDMUser
		d.MDMUser = &u
	}
	return d
}

// getAppleDevice serves GET …/devices/{admDeviceId}: the device named by
// its ID or an alias, or 404 (code 3001).
func (s *appleDeviceStore) getAppleDevice(w http.ResponseWriter, r *http.Request) {
	dev, ok := s.AppleDevice(r.PathValue("organizationId"), r.PathValue("admDeviceId"))
	if !ok {
		writeError(w, errNotFound)
		return
	}
	writeData(w, dev.Raw)
}

// appleUpdateMembers are the members of the update's body that the
// reference's code samples show, and the JSON kind of each.
var appleUpdateMembers = map[string]byte{
	"displayName": '"', "tags": '[', "policyId": '"', "admPolicyAssignments": '[', "admVppLocationId": '"',
	"profiles": '[', "applications": '[', "books": '[', "scripts": '[', "mdmUserId": '"', "skipPersonalInfo": 'b',
	"smartAttributeAssignments": '[', "segmentId": '0',
}

// updateAppleDevice serves PUT …/devices/{admDeviceId}: it changes only the
// members the body holds and answers the device. The body must be an object
// of the documented members, each of its documented type: tags an array of
// strings, policyId and mdmUserId 24 hex digits, segmentId an integer of 0
// or more; anything else answers 400 (code 5209). policyId sets the id of
// "admPolicy", mdmUserId the id of "mdmUser" (its email kept when the id
// does not change), and the other members are stored as sent.
func (s *appleDeviceStore) updateAppleDevice(w http.ResponseWriter, r *http.Request) {
	var body map[string]json.RawMessage
	if json.NewDecoder(r.Body).Decode(&body) != nil || body == nil || !validAppleUpdate(body) {
		writeError(w, errInvalidInput)
		return
	}
	org := r.PathValue("organizationId")
	s.appleMu.Lock()
	st := s.findAppleDevice(org, r.PathValue("admDeviceId"))
	var raw json.RawMessage
	if st != nil {
		st.apply(body)
		raw = st.device().Raw
	}
	s.appleMu.Unlock()
	if st == nil {
		writeError(w, errNotFound)
		return
	}
	writeData(w, raw)
}

// validAppleUpdate reports whether body holds only documented members, each
// of its documented type.
func validAppleUpdate(body map[string]json.RawMessage) bool {
	for name, v := range body {
		kind, ok := appleUpdateMembers[name]
		v = bytes.TrimSpace(v)
		if !ok || len(v) == 0 {
			return false
		}
		switch kind {
		case '"', '[':
			if v[0] != kind {
				return false
			}
		case 'b':
			if string(v) != "true" && string(v) != "false" {
				return false
			}
		case '0':
			var n int
			if json.Unmarshal(v, &n) != nil || n < 0 {
				return false
			}
		}
	}
	var tags []string
	if v, ok := body["tags"]; ok && (json.Unmarshal(v, &tags) != nil || slices.Contains(tags, "")) {
		return false
	}
	for _, name := range []string{"policyId", "mdmUserId"} {
		var id string
		if v, ok := body[name]; ok && (json.Unmarshal(v, &id) != nil || !objectIDRE.MatchString(id)) {
			return false
		}
	}
	return true
}

// apply merges a valid update's body into the device. The caller holds the
// lock.
func (st *storedAppleDevice) apply(body map[string]json.RawMessage) {
	for name, v := range body {
		switch name {
		case "displayName":
			_ = json.Unmarshal(v, &st.dev.DisplayName)
		case "tags":
			var tags []string
			_ = json.Unmarshal(v, &tags)
			st.dev.Tags = tags
		case "mdmUserId":
			var id string
			_ = json.Unmarshal(v, &id)
			if st.dev.MDMUser == nil || st.dev.MDMUser.ID != id {
				st.dev.MDMUser = &applivery.DeviceUser{ID: id}
			}
		case "policyId":
			var id string
			_ = json.Unmarshal(v, &id)
			policy := map[string]json.RawMessage{}
			_ = json.Unmarshal(st.raw["admPolicy"], &policy) // keeps the rest of it, if any
			policy["id"], _ = json.Marshal(id)
			st.raw["admPolicy"], _ = json.Marshal(policy)
		default:
			st.raw[name] = append(json.RawMessage(nil), v...)
		}
	}
	st.dev.UpdatedAt = stamp()
	st.merge()
}

// listAppleDevices serves GET …/devices with the API's paging and sort and
// the list's filters: mdm-user (the user's id), adm-policy (the id of the
// device's "admPolicy"), tags (a device has every tag asked for), segmentId,
// and show-deleted (deleted devices are left out without it). expandTo is
// checked (ancestors or children, with a segmentId) but widens nothing: the
// fake has no segment tree. user-adm-policy, whose meaning the reference
// does not document, is taken and filters nothing.
func (s *appleDeviceStore) listAppleDevices(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	lq, segment, ok := readDeviceListQuery(q, "adm-policy")
	if !ok {
		writeError(w, errInvalidInput)
		return
	}
	s.appleOrgs.servePage(w, r, func(org string) map[string]any {
		var all []*storedAppleDevice
		for k, st := range s.appleDevices {
			if k.organization == org && st.matches(q, segment) {
				all = append(all, st)
			}
		}
		return pageOf(all, lq, func(st *storedAppleDevice) uint64 { return st.seq },
			func(st *storedAppleDevice) json.RawMessage { return st.device().Raw })
	})
}

// matches reports whether the device passes the list's filters; segment is
// -1 when none is asked. The caller holds the lock.
func (st *storedAppleDevice) matches(q url.Values, segment int) bool {
	if u := q.Get("mdm-user"); u != "" && (st.dev.MDMUser == nil || st.dev.MDMUser.ID != u) {
		return false
	}
	if p := q.Get("adm-policy"); p != "" {
		var policy struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(st.raw["admPolicy"], &policy) != nil || policy.ID != p {
			return false
		}
	}
	return deviceListed(st.raw, st.dev.Tags, q, segment)
}

// mdmViews returns the organization's Apple devices as the list of every
// platform filters them: Android-shaped views that read the same members
// (the typed ID, user and tags, the id of "admPolicy" as the policy's, the
// rest from Raw), in the order they were added. The caller holds the lock.
func (s *appleDeviceStore) mdmViews(organizationID string) []*storedDevice {
	var views []*storedDevice
	for k, st := range s.appleDevices {
		if k.organization != organizationID {
			continue
		}
		v := &storedDevice{dev: applivery.Device{ID: st.dev.ID, Organization: st.dev.Organization, MDMUser: st.dev.MDMUser},
			raw: st.raw, seq: st.seq}
		var policy struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(st.raw["admPolicy"], &policy) == nil && policy.ID != "" {
			v.dev.Policy = &applivery.DevicePolicy{ID: policy.ID}
		}
		views = append(views, v)
	}
	return views
}
