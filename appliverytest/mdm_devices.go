package appliverytest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
)

// EndpointDevicesList is the list of every platform, GET
// /organizations/{organizationId}/mdm/devices. It serves the devices that
// AddDevice stored ("type" "android") and those that AddAppleDevice stored
// ("type" "apple"), in the order they were added, each with "subType"
// "device" and the rest of the item its Raw, paged and sorted like the
// other lists, and checks every documented parameter (patterns, enumerations, booleans,
// bounds): a mismatch answers 400 with code 5209. It filters by type and
// subType; by serialNumber, imei, name, state and osVersion (equal to the
// device's Raw member of that name); by tags (the device has every tag asked
// for); by mdmUserId and policyId (its user's and its policy's id); by
// isCompliance and lastSyncError (its Raw member of that name, false when
// absent); and by search (a case-insensitive part of its ID, serial number,
// IMEI or name). Deleted devices ("deleted": true in Raw) are left out.
const EndpointDevicesList Endpoint = "devices-list"

// mdmDevicesPath is the route of the cross-platform device list, under
// basePath.
const mdmDevicesPath = "/organizations/{organizationId}/mdm/devices"

// mdmDeviceList is the part of the server that serves the list of every
// platform, over the devices its two stores hold.
type mdmDeviceList struct {
	mdmAndroid *deviceStore
	mdmApple   *appleDeviceStore
}

// initMDMDevices makes the list of every platform over the Android and the
// Apple devices.
func (s *mdmDeviceList) initMDMDevices(android *deviceStore, apple *appleDeviceStore) {
	s.mdmAndroid, s.mdmApple = android, apple
}

// mdmDeviceEndpoints are the rows of the cross-platform device list in the
// server's endpoint table.
func (s *mdmDeviceList) mdmDeviceEndpoints() []endpoint {
	return []endpoint{
		{EndpointDevicesList, http.MethodGet, mdmDevicesPath, wildcards{"organizationId": organizationIDRE}, s.listMDMDevices},
	}
}

// The bounds the reference documents for the list's string filters.
var mdmDeviceStringBounds = map[string]int{
	"serialNumber": 256, "imei": 256, "search": 256, "name": 256, "state": 256,
	"osVersion": 128, "availableUpdate": 128, "networkIp": 128,
}

// listMDMDevices serves GET …/mdm/devices, as EndpointDevicesList says.
// An Apple device is filtered as a view of it (appleDeviceStore.mdmViews)
// that reads the same members.
func (s *mdmDeviceList) listMDMDevices(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	lq, ok := readListQuery(q)
	if !ok || !validMDMDeviceQuery(q) {
		writeError(w, errInvalidInput)
		return
	}
	android := s.mdmAndroid
	type platformDevice struct {
		st       *storedDevice
		platform string
	}
	// Under the organizations' lock, which the Apple devices share.
	android.organizations.servePage(w, r, func(org string) map[string]any {
		var all []platformDevice
		for k, st := range android.devices {
			if k.organization == org && st.matchesMDM(q, "android") {
				all = append(all, platformDevice{st, "android"})
			}
		}
		for _, st := range s.mdmApple.mdmViews(org) {
			if st.matchesMDM(q, "apple") {
				all = append(all, platformDevice{st, "apple"})
			}
		}
		return pageOf(all, lq, func(d platformDevice) uint64 { return d.st.seq },
			func(d platformDevice) json.RawMessage { return d.st.mdmItem(d.platform) })
	})
}

// validMDMDeviceQuery reports whether q's parameters, other than page,
// limit and sort (readListQuery's), are as the reference documents them.
func validMDMDeviceQuery(q url.Values) bool {
	isBool := func(v string) bool { return v == "true" || v == "false" }
	if !emptyOr(q.Get("type"), func(v string) bool { return v == "android" || v == "apple" || v == "windows" }) ||
		!emptyOr(q.Get("subType"), func(v string) bool { return v == "device" || v == "enrollment" }) {
		return false
	}
	for _, name := range []string{"mdmUserId", "policyId", "emmEnrollmentTemplateId", "admEnrollmentTemplateId", "winEnrollmentTemplateId"} {
		if !emptyOr(q.Get(name), objectIDRE.MatchString) {
			return false
		}
	}
	for _, name := range []string{"showAll", "onlyAdmDep", "isCompliance", "lastSyncError"} {
		if !emptyOr(q.Get(name), isBool) {
			return false
		}
	}
	for name, bound := range mdmDeviceStringBounds {
		if utf8.RuneCountInString(q.Get(name)) > bound {
			return false
		}
	}
	return true
}

// rawString returns the device's Raw member name when it is a string, or "".
func (st *storedDevice) rawString(name string) string {
	var v string
	_ = json.Unmarshal(st.raw[name], &v)
	return v
}

// rawBool returns the device's Raw member name when it is a boolean, or
// false.
func (st *storedDevice) rawBool(name string) bool {
	var v bool
	_ = json.Unmarshal(st.raw[name], &v)
	return v
}

// matchesMDM reports whether the device of the platform ("android",
// "apple") passes the cross-platform list's filters. The caller holds s.mu.
func (st *storedDevice) matchesMDM(q url.Values, platform string) bool {
	if st.rawBool("deleted") {
		return false
	}
	if t := q.Get("type"); t != "" && t != platform {
		return false
	}
	if t := q.Get("subType"); t != "" && t != "device" {
		return false
	}
	for _, name := range []string{"serialNumber", "imei", "name", "state", "osVersion"} {
		if v := q.Get(name); v != "" && st.rawString(name) != v {
			return false
		}
	}
	if u := q.Get("mdmUserId"); u != "" && (st.dev.MDMUser == nil || st.dev.MDMUser.ID != u) {
		return false
	}
	if p := q.Get("policyId"); p != "" && (st.dev.Policy == nil || st.dev.Policy.ID != p) {
		return false
	}
	for _, name := range []string{"isCompliance", "lastSyncError"} {
		if v := q.Get(name); v != "" && st.rawBool(name) != (v == "true") {
			return false
		}
	}
	if search := strings.ToLower(q.Get("search")); search != "" {
		found := false
		for _, v := range []string{st.dev.ID, st.rawString("serialNumber"), st.rawString("imei"), st.rawString("name")} {
			if strings.Contains(strings.ToLower(v), search) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	var tags []string
	_ = json.Unmarshal(st.raw["tags"], &tags)
	return deviceListed(st.raw, tags, q, -1)
}

// mdmItem returns the device as the cross-platform list serves it: its Raw,
// with "type" the platform and "subType" "device". The caller holds s.mu.
func (st *storedDevice) mdmItem(platform string) json.RawMessage {
	item := make(map[string]json.RawMessage, len(st.raw)+2)
	for k, v := range st.raw {
		item[k] = v
	}
	item["type"], _ = json.Marshal(platform)
	item["subType"] = json.RawMessage(`"device"`)
	b, _ := json.Marshal(item)
	return b
}
