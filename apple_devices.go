package applivery

import (
	"context"
	"encoding/json"
	"iter"
	"net/http"
	"net/url"
	"strconv"

	"github.com/applivery/applivery-go/internal/transport"
)

// AppleDevicesService finds and updates the Apple (ADM) devices of an
// organization. Reach it as Client.AppleDevices.
//
// Every method checks its arguments first: a mismatch is a
// [*ValidationError] naming the API's parameter, and nothing is sent. Get,
// List and ListAll are retried after any retryable failure, like the other
// reads; Update, a PUT of the same fields that is idempotent (updating twice
// to the same values is one update), is retried like
// AndroidDevicesService.Move. Every method takes [CallOption]s last, such as
// [WithResponse] and [WithRequestHeader].
//
// A device is named by its 24-hex-digit id. The path parameter's documented
// pattern ([DeviceIDPattern]) also admits other word strings, such as a
// serial number, but no Apple device page says the API accepts them: the
// SDK lets them through, as its reading, and the server decides.
type AppleDevicesService struct {
	core *core
}

// The operations of the Apple devices, for observers (see CallInfo), and
// their route templates.
const (
	appleDevicesRoute = "/organizations/{organizationId}/mdm/apple/enterprise/devices"
	appleDeviceRoute  = appleDevicesRoute + "/{admDeviceId}"
)

var (
	opAppleDevicesGet    = operation{name: "apple.devices.get", route: appleDeviceRoute}
	opAppleDevicesList   = operation{name: "apple.devices.list", route: appleDevicesRoute}
	opAppleDevicesUpdate = operation{name: "apple.devices.update", route: appleDeviceRoute}
)

// fieldAppleDeviceID is the API's name of an Apple device's path parameter.
const fieldAppleDeviceID = "admDeviceId"

// validateAppleDevice checks the IDs of a path that ends at an Apple device,
// in path order.
func validateAppleDevice(organizationID, deviceID string) error {
	if !isOrganizationID(organizationID) {
		return &ValidationError{Field: fieldOrganizationID, Value: organizationID, Pattern: OrganizationIDPattern}
	}
	if !isDeviceID(deviceID) {
		return &ValidationError{Field: fieldAppleDeviceID, Value: deviceID, Pattern: DeviceIDPattern}
	}
	return nil
}

// Get returns one Apple device of the organization. deviceID is the
// device's 24-hex-digit id; another string of word characters (a serial
// number, say) is sent as it is, but the reference does not say the API
// accepts it (see [AppleDevicesService]).
//
// An unknown device is an [*APIError] matching [ErrNotFound]. The API key
// needs the mdm.apple.device.get permission. The reference has no page for
// this endpoint: its path is documented by the Update on it, its permission
// by its sibling that reads a device's agent configuration, and its answer
// (the device, in the success envelope) is the SDK's reading.
//
// Applivery API docs: https://docs.applivery.com/en/api/apple/apple-devices/put-organizations-organizationid-mdm-apple-enterprise-devices-admdeviceid/
//
//	GET /organizations/{organizationId}/mdm/apple/enterprise/devices/{admDeviceId}
func (s *AppleDevicesService) Get(ctx context.Context, organizationID, deviceID string, opts ...CallOption) (*AppleDevice, error) {
	cc, err := callOptions(opts)
	if err != nil {
		return nil, err
	}
	if err := validateAppleDevice(organizationID, deviceID); err != nil {
		return nil, err
	}
	r := request{
		op:     opAppleDevicesGet,
		method: http.MethodGet,
		url:    s.core.appleDeviceURL(organizationID, deviceID, ""),
		policy: transport.Idempotent,
		call:   cc,
	}
	ctx, st := s.core.start(ctx, &r)
	d, out, err := do[AppleDevice](ctx, s.core, r)
	return d, s.core.end(&st, &r, out, err)
}

// List returns one page of the organization's Apple devices. o selects the
// page and filters it; nil leaves everything to the server. Invalid options
// (see [ListAppleDevicesOptions]) are a [*ValidationError] and nothing is
// sent. The API key needs the mdm.apple.device.list permission (inferred
// from the endpoint's siblings: the reference's copy of the page does not
// show it).
//
// Applivery API docs: https://docs.applivery.com/en/api/apple/apple-devices/get-organizations-organizationid-mdm-apple-enterprise-devices/
//
//	GET /organizations/{organizationId}/mdm/apple/enterprise/devices?page=&limit=&sort=&mdm-user=&adm-policy=&user-adm-policy=&show-deleted=&tags=&segmentId=&expandTo=
func (s *AppleDevicesService) List(ctx context.Context, organizationID string, o *ListAppleDevicesOptions, opts ...CallOption) (*AppleDevicePage, error) {
	return listPage[AppleDevice, AppleDevicePage](ctx, s.core, opAppleDevicesList, organizationID, o.query, func(query string) string {
		return s.core.appleDeviceURL(organizationID, "", query)
	}, opts)
}

// ListAll iterates over all of the organization's Apple devices that o
// selects, page after page, from the page o names (the first when it names
// none), with its Limit, Sort and filters. Each page is a List call, and
// opts apply to each: a [WithResponse] describes the page whose devices the
// loop is at.
//
// It behaves as AndroidDevicesService.ListAll does: a page is fetched only
// when the loop reaches it, so breaking out fetches nothing more; each
// device is yielded once (by its ID); an error is yielded once, with a nil
// device, and ends the iteration; and a server whose paging does not advance
// ends it with an error rather than looping for ever.
//
//	for dev, err := range client.AppleDevices.ListAll(ctx, org, &applivery.ListAppleDevicesOptions{Tags: []string{"kiosk"}}) {
//		if err != nil {
//			return err
//		}
//		…
//	}
func (s *AppleDevicesService) ListAll(ctx context.Context, organizationID string, o *ListAppleDevicesOptions, opts ...CallOption) iter.Seq2[*AppleDevice, error] {
	lo := optionsOf(o)
	return allPages("Apple devices", lo.Page, func(page int) (*AppleDevicePage, error) {
		q := lo
		q.Page = page
		return s.List(ctx, organizationID, &q, opts...)
	}, (*AppleDevice).listKey)
}

// Update changes the fields of an Apple device that u sets, and returns the
// device as the API answers. Only the fields set are sent: a rename leaves
// the tags, the policy and the user as they are. deviceID is as for Get.
// u must set at least one field, and its fields are checked first (see
// [UpdateAppleDeviceRequest]): a mismatch is a [*ValidationError] and
// nothing is sent.
//
// Updating is idempotent (a PUT of the same fields), so a failed attempt is
// retried like AndroidDevicesService.Move's. When the call fails after an
// attempt may have updated the device (its answer was lost, or was a 500,
// 502 or 504, or a 2xx that could not be read), the error matches
// [ErrOutcomeUnknown], whatever the attempts after it met, and wraps the
// last error: Get tells, and repeating the update is harmless. The API key
// needs the mdm.apple.device.update permission. The reference's copy of the
// page shows the body's fields and types only: the answer (the device, in
// the success envelope) is the SDK's reading.
//
// Applivery API docs: https://docs.applivery.com/en/api/apple/apple-devices/put-organizations-organizationid-mdm-apple-enterprise-devices-admdeviceid/
//
//	PUT /organizations/{organizationId}/mdm/apple/enterprise/devices/{admDeviceId} {"displayName": …, "tags": […], "policyId": …, "mdmUserId": …, "segmentId": n}
func (s *AppleDevicesService) Update(ctx context.Context, organizationID, deviceID string, u *UpdateAppleDeviceRequest, opts ...CallOption) (*AppleDevice, error) {
	cc, err := callOptions(opts)
	if err != nil {
		return nil, err
	}
	if err := validateAppleDevice(organizationID, deviceID); err != nil {
		return nil, err
	}
	body, err := u.body()
	if err != nil {
		return nil, err
	}
	r := request{
		op:     opAppleDevicesUpdate,
		method: http.MethodPut,
		url:    s.core.appleDeviceURL(organizationID, deviceID, ""),
		body:   body,
		policy: transport.Idempotent,
		call:   cc,
	}
	ctx, st := s.core.start(ctx, &r)
	d, out, err := do[AppleDevice](ctx, s.core, r)
	if err != nil && out.serverMayHaveActed(err) {
		err = &outcomeUnknownError{err: err, note: "the device may have been updated: get it to find out, or update it again"}
	}
	return d, s.core.end(&st, &r, out, err)
}

// ListAppleDevicesOptions selects and filters a page of an organization's
// Apple devices. A nil *ListAppleDevicesOptions, or a zero field, leaves the
// choice to the server. Each field is sent under the API's name for it, and
// checked first: a negative Page or Limit, a Sort that does not match
// [SortPattern], an MDMUser, ADMPolicy or UserADMPolicy that is not 24 hex
// digits, an empty tag, a negative SegmentID, or an ExpandTo other than
// "ancestors" or "children", or without a SegmentID, is a
// [*ValidationError].
//
// The reference's copy of the list shows only the names and types of its
// parameters: the patterns of sort, mdm-user and adm-policy and the values
// of expandTo are those of the Android device list, and user-adm-policy (a
// policy of the device's users, presumably) is checked as the policy ids
// are: the SDK's reading.
type ListAppleDevicesOptions struct {
	Page          int      // "page"; 0: the server's default
	Limit         int      // "limit"; 0: the server's default
	Sort          string   // "sort"; SortPattern
	MDMUser       string   // "mdm-user"; 24-hex
	ADMPolicy     string   // "adm-policy"; 24-hex
	UserADMPolicy string   // "user-adm-policy"; 24-hex
	ShowDeleted   bool     // "show-deleted"; sent only when true
	Tags          []string // "tags", one parameter per tag (tags=a&tags=b)
	SegmentID     *int     // "segmentId"; nil: not sent
	ExpandTo      string   // "expandTo": "", "ancestors" or "children"
}

// query encodes o as the query of a List request, or refuses it.
func (o *ListAppleDevicesOptions) query() (string, error) {
	if o == nil {
		return "", nil
	}
	return deviceListQuery{
		page: o.Page, limit: o.Limit, sort: o.Sort, ids: [][2]string{{"mdm-user", o.MDMUser}, {"adm-policy", o.ADMPolicy}, {"user-adm-policy", o.UserADMPolicy}},
		showDeleted: o.ShowDeleted, tags: o.Tags, segmentID: o.SegmentID, expandTo: o.ExpandTo,
	}.encode()
}

// UpdateAppleDeviceRequest is the change an Update makes. Each field is a
// pointer: nil leaves the device's value alone and is not sent, so a request
// that sets only DisplayName renames the device and nothing else. A pointer
// to an empty (or nil) slice of tags sends "tags": [], which clears them.
//
// The reference shows the body's field names and types only (from its code
// samples), not which are required or any bound: the SDK checks what it can
// tell is wrong before the wire. A request that sets no field, a PolicyID or
// MDMUserID that is not 24 hex digits ([ObjectIDPattern], the API's other
// ids), an empty tag, or a negative SegmentID is a [*ValidationError]. A
// DisplayName has no documented bound and is sent as it is.
type UpdateAppleDeviceRequest struct {
	DisplayName *string   // "displayName"
	Tags        *[]string // "tags"; a pointer to an empty slice clears them
	PolicyID    *string   // "policyId"; 24-hex
	MDMUserID   *string   // "mdmUserId"; 24-hex
	SegmentID   *int      // "segmentId"; 0 or more
}

// updateAppleDeviceJSON is an UpdateAppleDeviceRequest on the wire: only
// the fields set are written.
type updateAppleDeviceJSON struct {
	DisplayName *string   `json:"displayName,omitempty"`
	Tags        *[]string `json:"tags,omitempty"`
	PolicyID    *string   `json:"policyId,omitempty"`
	MDMUserID   *string   `json:"mdmUserId,omitempty"`
	SegmentID   *int      `json:"segmentId,omitempty"`
}

// body checks u and encodes it as an Update's body, or refuses it.
func (u *UpdateAppleDeviceRequest) body() ([]byte, error) {
	if u == nil || *u == (UpdateAppleDeviceRequest{}) {
		return nil, &ValidationError{Field: "body", Reason: "the update sets no field"}
	}
	switch {
	case u.PolicyID != nil && !isObjectID(*u.PolicyID):
		return nil, &ValidationError{Field: "policyId", Value: *u.PolicyID, Pattern: ObjectIDPattern}
	case u.MDMUserID != nil && !isObjectID(*u.MDMUserID):
		return nil, &ValidationError{Field: "mdmUserId", Value: *u.MDMUserID, Pattern: ObjectIDPattern}
	case u.SegmentID != nil && *u.SegmentID < 0:
		return nil, &ValidationError{Field: "segmentId", Value: strconv.Itoa(*u.SegmentID), Reason: "must be 0 or more"}
	}
	w := updateAppleDeviceJSON{DisplayName: u.DisplayName, PolicyID: u.PolicyID, MDMUserID: u.MDMUserID, SegmentID: u.SegmentID}
	if u.Tags != nil {
		tags := *u.Tags
		if err := checkTags(tags, 0); err != nil {
			return nil, err
		}
		if tags == nil {
			tags = []string{}
		}
		w.Tags = &tags
	}
	return json.Marshal(w)
}

// appleDeviceURL returns the URL of an organization's Apple devices,
// organizations/{organizationId}/mdm/apple/enterprise/devices under the
// base URL, or of one of them when deviceID is not empty, followed by
// query, already escaped.
func (c *core) appleDeviceURL(organizationID, deviceID, query string) string {
	u := c.baseURL + "organizations/" + url.PathEscape(organizationID) + "/mdm/apple/enterprise/devices"
	if deviceID != "" {
		u += "/" + url.PathEscape(deviceID)
	}
	return u + query
}
