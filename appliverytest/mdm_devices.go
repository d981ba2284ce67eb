package appliverytest

import (
	"cmp"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"
)

// EndpointDevicesList is the list of every platform, GET
// /organizations/{organizationId}/mdm/devices. It serves the devices that
// AddDevice stored (all Android: "type" "android", "subType" "device", the
// rest of each item its Raw), paged and sorted like the other lists, and
// checks every documented parameter (patterns, enumerations, booleans,
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

// mdmDeviceEndpoints are the rows of the cross-platform device list in the
// server's endpoint table.
func (s *deviceStore) mdmDeviceEndpoints() []endpoint {
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
func (s *deviceStore) listMDMDevices(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page, okPage := positiveInt(q.Get("page"), 1)
	limit, okLimit := positiveInt(q.Get("limit"), DefaultLimit)
	if !okPage || !okLimit || !validMDMDeviceQuery(q) {
		writeError(w, errInvalidInput)
		return
	}
	limit = min(limit, MaxLimit)
	org := r.PathValue("organizationId")
	s.mu.Lock()
	if !s.organizations.exists(org) {
		s.mu.Unlock()
		writeError(w, errNotFound)
		return
	}
	var all []*storedDevice
	for k, st := range s.devices {
		if k.organization == org && st.matchesMDM(q) {
			all = append(all, st)
		}
	}
	slices.SortFunc(all, func(a, b *storedDevice) int { return cmp.Compare(a.seq, b.seq) })
	if strings.HasSuffix(q.Get("sort"), ":desc") {
		slices.Reverse(all)
	}
	total := len(all)
	items := []json.RawMessage{}
	if from := (page - 1) * limit; from < total {
		for _, st := range all[from:min(from+limit, total)] {
			items = append(items, st.mdmItem())
		}
	}
	s.mu.Unlock()
	writeData(w, paging(items, page, limit, total))
}

// validMDMDeviceQuery reports whether q's parameters, other than page and
// limit, are as the reference documents them.
func validMDMDeviceQuery(q url.Values) bool {
	isBool := func(v string) bool { return v == "true" || v == "false" }
	if !sortRE.MatchString(q.Get("sort")) ||
		!emptyOr(q.Get("type"), func(v string) bool { return v == "android" || v == "apple" || v == "windows" }) ||
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

// matchesMDM reports whether the device passes the cross-platform list's
// filters. The caller holds s.mu.
func (st *storedDevice) matchesMDM(q url.Values) bool {
	if st.rawBool("deleted") {
		return false
	}
	if t := q.Get("type"); t != "" && t != "android" {
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
	for _, want := range q["tags"] {
		if !slices.Contains(tags, want) {
			return false
		}
	}
	return true
}

// mdmItem returns the device as the cross-platform list serves it: its Raw,
// with "type" "android" and "subType" "device". The caller holds s.mu.
func (st *storedDevice) mdmItem() json.RawMessage {
	item := make(map[string]json.RawMessage, len(st.raw)+2)
	for k, v := range st.raw {
		item[k] = v
	}
	item["type"] = json.RawMessage(`"android"`)
	item["subType"] = json.RawMessage(`"device"`)
	b, _ := json.Marshal(item)
	return b
}
