package applivery

import (
	"context"
	"iter"
	"net/url"
	"slices"
	"strconv"
	"unicode/utf8"
)

// DevicesService lists the devices of an organization on every platform
// (Android, Apple, Windows) in one list: the way to find a device by its
// serial number or IMEI without knowing its platform. Reach it as
// Client.Devices.
//
// Every method checks its arguments first: a mismatch is a
// [*ValidationError] naming the API's parameter, and nothing is sent. List
// and ListAll are retried after any retryable failure, like the other lists.
// Every method takes [CallOption]s last, such as [WithResponse] and
// [WithRequestHeader].
//
// The endpoint is documented only on a staging copy of the reference: the
// query parameters and the item fields that [MDMDevice] types are
// documented; the paging envelope and the permission are the SDK's reading
// of the endpoint's siblings.
type DevicesService struct {
	core *core
}

// The operation of the cross-platform device list, for observers (see
// CallInfo), and its route template.
const mdmDevicesRoute = "/organizations/{organizationId}/mdm/devices"

var opMDMDevicesList = operation{name: "devices.list", route: mdmDevicesRoute}

// List returns one page of the organization's devices, every platform
// together. o selects the page and filters it; nil leaves everything to the
// server. Invalid options (see [ListMDMDevicesOptions]) are a
// [*ValidationError] and nothing is sent. The API key needs the
// mdm.global.device.list permission (inferred from the endpoint's siblings:
// the reference page that documents it is a staging copy and names none).
//
// Applivery API docs: https://docs-dhj.pages.dev/en/api/mdm%20devices/get-organizations-organizationid-mdm-devices
//
//	GET /organizations/{organizationId}/mdm/devices?page=&limit=&sort=&type=&subType=&serialNumber=&imei=&search=&name=&state=&mdmUserId=&policyId=&tags=&isCompliance=&lastSyncError=&osVersion=
func (s *DevicesService) List(ctx context.Context, organizationID string, o *ListMDMDevicesOptions, opts ...CallOption) (*MDMDevicePage, error) {
	return listPage[MDMDevice, MDMDevicePage](ctx, s.core, opMDMDevicesList, organizationID, o.query, func(query string) string {
		return s.core.baseURL + "organizations/" + url.PathEscape(organizationID) + "/mdm/devices" + query
	}, opts)
}

// ListAll iterates over all of the organization's devices that o selects,
// every platform together, page after page, from the page o names (the
// first when it names none), with its Limit, Sort and filters. Each page is
// a List call, and opts apply to each: a [WithResponse] describes the page
// whose devices the loop is at.
//
// It behaves as AndroidDevicesService.ListAll does: a page is fetched only
// when the loop reaches it, so breaking out fetches nothing more; each
// device is yielded once (by its ID); an error is yielded once, with a nil
// device, and ends the iteration; and a server whose paging does not advance
// ends it with an error rather than looping for ever.
//
//	o := &applivery.ListMDMDevicesOptions{SerialNumber: "C02XK0AAJGH5"}
//	for dev, err := range client.Devices.ListAll(ctx, org, o) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(dev.Type, dev.ID) // apple 65a1f0c2e4b0a1b2c3d4e5f6
//	}
func (s *DevicesService) ListAll(ctx context.Context, organizationID string, o *ListMDMDevicesOptions, opts ...CallOption) iter.Seq2[*MDMDevice, error] {
	lo := optionsOf(o)
	return allPages("devices", lo.Page, func(page int) (*MDMDevicePage, error) {
		q := lo
		q.Page = page
		return s.List(ctx, organizationID, &q, opts...)
	}, (*MDMDevice).listKey)
}

// ListMDMDevicesOptions selects and filters a page of an organization's
// devices on every platform. A nil *ListMDMDevicesOptions, or a zero field,
// leaves the choice to the server. Each field is sent under the API's name
// for it, and checked first: a negative Page or Limit, a Sort that does not
// match [SortPattern], a Type other than "android", "apple" or "windows", a
// SubType other than "device" or "enrollment", an MDMUserID or PolicyID that
// is not 24 hex digits, a SerialNumber, IMEI, Search, Name or State of more
// than 256 characters, an OSVersion of more than 128, or an empty tag, is a
// [*ValidationError].
//
// The string filters are documented with their bounds only: how the server
// matches them (exactly, or in part, as search surely does) is its own.
type ListMDMDevicesOptions struct {
	Page, Limit   int      // "page", "limit"; 0: the server's default
	Sort          string   // "sort"; SortPattern
	Type          string   // "type": "", "android", "apple" or "windows"
	SubType       string   // "subType": "", "device" or "enrollment"
	SerialNumber  string   // "serialNumber", at most 256 characters
	IMEI          string   // "imei", at most 256
	Search        string   // "search", at most 256
	Name          string   // "name", at most 256
	State         string   // "state", at most 256
	MDMUserID     string   // "mdmUserId", 24-hex
	PolicyID      string   // "policyId", 24-hex
	Tags          []string // "tags", one parameter per tag (tags=a&tags=b)
	IsCompliance  *bool    // "isCompliance"; nil: not sent
	LastSyncError *bool    // "lastSyncError"; nil: not sent
	OSVersion     string   // "osVersion", at most 128
}

// The platforms and kinds of the cross-platform list's items, as its
// filters take them.
var (
	mdmDeviceTypes    = []string{"android", "apple", "windows"}
	mdmDeviceSubTypes = []string{"device", "enrollment"}
)

// query encodes o as the query of a List request, or refuses it.
func (o *ListMDMDevicesOptions) query() (string, error) {
	if o == nil {
		return "", nil
	}
	if err := checkPaging(o.Page, o.Limit, o.Sort); err != nil {
		return "", err
	}
	switch {
	case o.Type != "" && !slices.Contains(mdmDeviceTypes, o.Type):
		return "", &ValidationError{Field: "type", Value: o.Type, Reason: `must be "android", "apple" or "windows"`}
	case o.SubType != "" && !slices.Contains(mdmDeviceSubTypes, o.SubType):
		return "", &ValidationError{Field: "subType", Value: o.SubType, Reason: `must be "device" or "enrollment"`}
	case o.MDMUserID != "" && !isObjectID(o.MDMUserID):
		return "", &ValidationError{Field: "mdmUserId", Value: o.MDMUserID, Pattern: ObjectIDPattern}
	case o.PolicyID != "" && !isObjectID(o.PolicyID):
		return "", &ValidationError{Field: "policyId", Value: o.PolicyID, Pattern: ObjectIDPattern}
	}
	strs := []struct {
		name, value string
		max         int
	}{
		{"serialNumber", o.SerialNumber, 256},
		{"imei", o.IMEI, 256},
		{"search", o.Search, 256},
		{"name", o.Name, 256},
		{"state", o.State, 256},
		{"osVersion", o.OSVersion, 128},
	}
	for _, f := range strs {
		if utf8.RuneCountInString(f.value) > f.max {
			return "", &ValidationError{Field: f.name, Value: f.value, Reason: "must be at most " + strconv.Itoa(f.max) + " characters"}
		}
	}
	if err := checkTags(o.Tags, 0); err != nil {
		return "", err
	}
	q := pagingQuery(o.Page, o.Limit, o.Sort)
	for _, f := range []struct{ name, value string }{
		{"type", o.Type}, {"subType", o.SubType}, {"mdmUserId", o.MDMUserID}, {"policyId", o.PolicyID},
	} {
		if f.value != "" {
			q.Set(f.name, f.value)
		}
	}
	for _, f := range strs {
		if f.value != "" {
			q.Set(f.name, f.value)
		}
	}
	if len(o.Tags) > 0 {
		q["tags"] = append([]string(nil), o.Tags...)
	}
	if o.IsCompliance != nil {
		q.Set("isCompliance", strconv.FormatBool(*o.IsCompliance))
	}
	if o.LastSyncError != nil {
		q.Set("lastSyncError", strconv.FormatBool(*o.LastSyncError))
	}
	return encodeQuery(q), nil
}
