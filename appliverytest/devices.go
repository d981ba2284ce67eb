package appliverytest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/applivery/applivery-go"
)

// The device endpoints.
const (
	EndpointDeviceGet  Endpoint = "device-get"  // GET …/devices/{emmDeviceId}
	EndpointDeviceList Endpoint = "device-list" // GET …/devices
	EndpointDeviceMove Endpoint = "device-move" // PUT …/devices/{emmDeviceId}/move
)

// The routes of the device endpoints, under basePath.
const (
	devicesPath = "/organizations/{organizationId}/mdm/android/enterprise/devices"
	devicePath  = devicesPath + "/{emmDeviceId}"
)

// deviceWildcards are the documented patterns of the wildcards of the device
// routes.
var deviceWildcards = wildcards{"organizationId": organizationIDRE, "emmDeviceId": deviceIDRE}

// deviceEndpoints are the rows of the device endpoints in the server's
// endpoint table.
func (s *deviceStore) deviceEndpoints() []endpoint {
	return []endpoint{
		{EndpointDeviceGet, http.MethodGet, devicePath, deviceWildcards, s.getDevice},
		{EndpointDeviceList, http.MethodGet, devicesPath, deviceWildcards, s.listDevices},
		{EndpointDeviceMove, http.MethodPut, devicePath + "/move", deviceWildcards, s.moveDevice},
	}
}

// deviceStore holds the devices of the organizations, under the
// organizations' lock.
type deviceStore struct {
	mu            *sync.Mutex // the organizations' lock
	organizations *organizations
	devices       map[deviceKey]*storedDevice
	// aliases maps a serial number, IMEI or enrollmentSpecificId to the
	// device's ID.
	aliases map[deviceKey]string
	seq     uint64 // insertion order, the tie-break of the list's sort
	// onName, when set, is told under mu of each name that AddDevice gives
	// a device (its ID, and each alias), so that what was kept under that
	// name before the device was added becomes the device's: the commands
	// that AddCommand seeded on it.
	onName func(organizationID, name, id string)
}

// initDevices makes the store of the devices of the organizations.
func (s *deviceStore) initDevices(orgs *organizations) {
	s.mu = &orgs.mu
	s.organizations = orgs
	s.devices = make(map[deviceKey]*storedDevice)
	s.aliases = make(map[deviceKey]string)
}

// deviceKey names a device of an organization.
type deviceKey struct{ organization, id string }

// storedDevice is a device the server holds, with what the list filters
// read of it.
type storedDevice struct {
	dev     applivery.Device
	aliases []string
	raw     map[string]json.RawMessage // the members of dev.Raw, typed fields merged in
	seq     uint64
}

// AddDevice stores dev as a device of the organization and returns what was
// stored: with a generated 24-hex-digit ID when dev.ID is empty, the
// organization's name in Organization when it is empty, the current time in
// CreatedAt and UpdatedAt when they are zero, and dev.Raw with the typed
// fields merged in, as the server serves it. aliases are the serial number,
// IMEI or enrollmentSpecificId by which the API also finds the device, on the
// device endpoints and on the commands endpoints, which then act on the same
// device's commands. The list filters read "tags" (an array of strings),
// "segmentId" (a number) and "deleted" (true) from dev.Raw; the list of every
// platform ([EndpointDevicesList]) also reads "serialNumber", "imei", "name",
// "state", "osVersion", "isCompliance" and "lastSyncError".
//
// A device with the same ID is replaced, and the aliases it no longer lists
// stop naming it; an alias that named another device names this one from
// then on. Commands that AddCommand seeded on the device's ID or on one of
// its aliases before it was added become its commands. The organization and
// the device exist from then on: see the package documentation.
//
// AddDevice panics, naming the documented pattern, on an organization ID,
// device ID or alias the API could not hold, and on a Raw that is set but is
// not a JSON object.
func (s *deviceStore) AddDevice(organizationID string, dev applivery.Device, aliases ...string) applivery.Device {
	raw := newStored("AddDevice", organizationID, &dev.ID, aliases, dev.Raw, &dev.CreatedAt, &dev.UpdatedAt)
	st := &storedDevice{dev: dev, aliases: slices.Clone(aliases), raw: raw}
	st.merge()
	s.mu.Lock()
	s.seq++
	st.seq = s.seq
	key := deviceKey{organizationID, dev.ID}
	old := s.devices[key]
	s.devices[key] = st
	s.organizations.add(organizationID)
	s.named(organizationID, dev.ID, dev.ID)
	setAliases(s.devices, s.aliases, organizationID, dev.ID, old, aliases,
		func(d *storedDevice) *[]string { return &d.aliases },
		func(a string) { s.named(organizationID, a, dev.ID) })
	s.mu.Unlock()
	return st.device()
}

// named tells onName, if set, that name now names the device id. The
// caller holds s.mu.
func (s *deviceStore) named(organizationID, name, id string) {
	if s.onName != nil {
		s.onName(organizationID, name, id)
	}
}

// merge writes the typed fields of st.dev into st.raw, and st.raw back into
// st.dev.Raw, so that the two agree as the API's would.
func (st *storedDevice) merge() {
	set := func(name string, v any) {
		b, _ := json.Marshal(v)
		st.raw[name] = b
	}
	set("id", st.dev.ID)
	if st.dev.Organization != "" {
		set("organization", st.dev.Organization)
	}
	if st.dev.EMMEnterprise != "" {
		set("emmEnterprise", st.dev.EMMEnterprise)
	}
	if st.dev.MDMUser != nil {
		set("mdmUser", st.dev.MDMUser)
	}
	if p := st.dev.Policy; p != nil {
		policy := map[string]json.RawMessage{}
		_ = json.Unmarshal(st.raw["deviceEmmPolicy"], &policy) // keeps its config, if any
		for name, v := range map[string]string{"id": p.ID, "name": p.Name, "description": p.Description, "version": p.Version} {
			if v != "" {
				policy[name], _ = json.Marshal(v)
			}
		}
		set("deviceEmmPolicy", policy)
	}
	set("updatedAt", st.dev.UpdatedAt.Format(time.RFC3339Nano))
	set("createdAt", st.dev.CreatedAt.Format(time.RFC3339Nano))
	st.dev.Raw, _ = json.Marshal(st.raw)
}

// device returns a copy of the stored device that shares no memory with it.
func (st *storedDevice) device() applivery.Device {
	d := st.dev
	d.Raw = append(json.RawMessage(nil), d.Raw...)
	if d.MDMUser != nil {
		u := *d.MDMUser
		d.MDMUser = &u
	}
	if d.Policy != nil {
		p := *d.Policy
		d.Policy = &p
	}
	return d
}

// Device returns the organization's device with the given ID or alias, as
// the server holds it now.
func (s *deviceStore) Device(organizationID, deviceID string) (applivery.Device, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.findDevice(organizationID, deviceID)
	if st == nil {
		return applivery.Device{}, false
	}
	return st.device(), true
}

// findDevice returns the device with the given ID or alias, or nil. The
// caller holds s.mu.
func (s *deviceStore) findDevice(organizationID, deviceID string) *storedDevice {
	if st, ok := s.devices[deviceKey{organizationID, deviceID}]; ok {
		return st
	}
	if id, ok := s.aliases[deviceKey{organizationID, deviceID}]; ok {
		return s.devices[deviceKey{organizationID, id}]
	}
	return nil
}

// canonicalDevice returns the ID of the device that deviceID names (its ID
// or an alias), or deviceID itself for a device that was never added (one
// AddCommand seeded, or none): what is kept per device, such as its
// commands, is kept under its ID. The caller holds s.mu.
func (s *deviceStore) canonicalDevice(organizationID, deviceID string) string {
	if st := s.findDevice(organizationID, deviceID); st != nil {
		return st.dev.ID
	}
	return deviceID
}

// getDevice serves GET …/devices/{emmDeviceId}.
func (s *deviceStore) getDevice(w http.ResponseWriter, r *http.Request) {
	dev, ok := s.Device(r.PathValue("organizationId"), r.PathValue("emmDeviceId"))
	if !ok {
		writeError(w, errNotFound)
		return
	}
	writeData(w, dev.Raw)
}

// moveDevice serves PUT …/devices/{emmDeviceId}/move: the id must be the
// device's 24-hex id (the endpoint refuses serial numbers), and the body
// {"segmentId": n} with n ≥ 0.
func (s *deviceStore) moveDevice(w http.ResponseWriter, r *http.Request) {
	var body struct {
		SegmentID *int `json:"segmentId"`
	}
	id := r.PathValue("emmDeviceId")
	if !objectIDRE.MatchString(id) || json.NewDecoder(r.Body).Decode(&body) != nil || body.SegmentID == nil || *body.SegmentID < 0 {
		writeError(w, errInvalidInput)
		return
	}
	s.mu.Lock()
	st, ok := s.devices[deviceKey{r.PathValue("organizationId"), id}]
	var raw json.RawMessage
	if ok {
		st.raw["segmentId"], _ = json.Marshal(*body.SegmentID)
		st.dev.UpdatedAt = stamp()
		st.merge()
		raw = st.device().Raw
	}
	s.mu.Unlock()
	if !ok {
		writeError(w, errNotFound)
		return
	}
	writeData(w, raw)
}

// listDevices serves GET …/devices with the API's paging, sort and filters:
// mdm-user and emm-policy (the user's and the policy's id), tags (a device
// has every tag asked for), segmentId, and show-deleted (deleted devices are
// left out without it). expandTo is checked (ancestors or children, with a
// segmentId) but widens nothing: the fake has no segment tree.
func (s *deviceStore) listDevices(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	lq, segment, ok := readDeviceListQuery(q, "emm-policy")
	if !ok {
		writeError(w, errInvalidInput)
		return
	}
	s.organizations.servePage(w, r, func(org string) map[string]any {
		var all []*storedDevice
		for k, st := range s.devices {
			if k.organization == org && st.matches(q, segment) {
				all = append(all, st)
			}
		}
		return pageOf(all, lq, func(st *storedDevice) uint64 { return st.seq },
			func(st *storedDevice) json.RawMessage { return st.device().Raw })
	})
}

// matches reports whether the device passes the list's filters; segment is
// -1 when none is asked.
func (st *storedDevice) matches(q url.Values, segment int) bool {
	if u := q.Get("mdm-user"); u != "" && (st.dev.MDMUser == nil || st.dev.MDMUser.ID != u) {
		return false
	}
	if p := q.Get("emm-policy"); p != "" && (st.dev.Policy == nil || st.dev.Policy.ID != p) {
		return false
	}
	var tags []string
	_ = json.Unmarshal(st.raw["tags"], &tags)
	return deviceListed(st.raw, tags, q, segment)
}

// newStored checks what an Add method of a device or a user (fn, for its
// panics) is given and returns the members of its raw: an ID generated into
// *id when it is empty, the current time into the zero timestamps. It
// panics, naming the documented pattern, on an organization ID, ID or alias
// the API could not hold, and on a raw that is set but is not a JSON object.
func newStored(fn, organizationID string, id *string, aliases []string, raw json.RawMessage, created, updated *time.Time) map[string]json.RawMessage {
	mustMatch(fn, "organization ID", organizationID, organizationIDRE)
	if *id == "" {
		*id = randomHex(12)
	}
	mustMatch(fn, "ID", *id, objectIDRE)
	for _, a := range aliases {
		mustMatch(fn, "alias", a, deviceIDRE)
	}
	members := map[string]json.RawMessage{}
	if len(raw) > 0 && json.Unmarshal(raw, &members) != nil {
		panic("appliverytest: " + fn + ": Raw is not a JSON object")
	}
	now := stamp()
	if created.IsZero() {
		*created = now
	}
	if updated.IsZero() {
		*updated = now
	}
	return members
}

// setAliases makes aliases name the device id of the organization in the
// alias table of devices: the aliases that old (its stored version, nil
// for a new one) listed and it no longer does stop naming it, unless
// another device has taken them since, and an alias that named another
// device is taken from that device's list (aliasesOf). named, when not nil,
// is told of each alias.
func setAliases[D comparable](devices map[deviceKey]D, table map[deviceKey]string, organizationID, id string, old D, aliases []string, aliasesOf func(D) *[]string, named func(alias string)) {
	var none D
	if old != none {
		for _, a := range *aliasesOf(old) {
			// Only its own: another device may have taken the alias since.
			if k := (deviceKey{organizationID, a}); table[k] == id {
				delete(table, k)
			}
		}
	}
	for _, a := range aliases {
		k := deviceKey{organizationID, a}
		if owner, ok := table[k]; ok && owner != id {
			if other, ok := devices[deviceKey{organizationID, owner}]; ok {
				list := aliasesOf(other)
				*list = slices.DeleteFunc(*list, func(b string) bool { return b == a })
			}
		}
		table[k] = id
		if named != nil {
			named(a)
		}
	}
}
