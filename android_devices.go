package applivery

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/applivery/applivery-go/internal/transport"
)

// AndroidDevicesService finds and moves the Android Enterprise devices of an
// organization: the devices that commands are for. Reach it as
// Client.AndroidDevices.
//
// Every method checks its arguments first: a mismatch is a
// [*ValidationError] naming the API's parameter, and nothing is sent. Get,
// List and ListAll are retried after any retryable failure, like the
// commands' Get; Move, which is idempotent (moving twice to the same segment
// is one move), is retried like Cancel. Every method takes [CallOption]s
// last, such as [WithResponse] and [WithRequestHeader].
type AndroidDevicesService struct {
	core *core
}

// The operations of the Android devices, for observers (see CallInfo).
var (
	opDevicesGet  = operation{name: "android.devices.get", route: deviceRoute}
	opDevicesList = operation{name: "android.devices.list", route: devicesRoute}
	opDevicesMove = operation{name: "android.devices.move", route: deviceRoute + "/move"}
)

// The route templates of an organization's Android devices, and of one of
// them.
const (
	devicesRoute = "/organizations/{organizationId}/mdm/android/enterprise/devices"
	deviceRoute  = devicesRoute + "/{emmDeviceId}"
)

// Get returns one device of the organization. deviceID is the device's
// 24-hex-digit id, or its serial number, IMEI or enrollmentSpecificId
// ([DeviceIDPattern]).
//
// An unknown device is an [*APIError] matching [ErrNotFound]. The API key
// needs the mdm.android.device.get permission (inferred from the
// endpoint's siblings: the reference page that documents it is a staging
// copy).
//
// Applivery API docs: https://docs-dhj.pages.dev/en/api/devices/get-organizations-organizationid-mdm-android-enterprise-devices-emmdeviceid
//
//	GET /organizations/{organizationId}/mdm/android/enterprise/devices/{emmDeviceId}
func (s *AndroidDevicesService) Get(ctx context.Context, organizationID, deviceID string, opts ...CallOption) (*Device, error) {
	cc, err := callOptions(opts)
	if err != nil {
		return nil, err
	}
	if err := validateDevice(organizationID, deviceID); err != nil {
		return nil, err
	}
	r := request{
		op:     opDevicesGet,
		method: http.MethodGet,
		url:    s.core.androidDeviceURL(organizationID, deviceID),
		policy: transport.Idempotent,
		call:   cc,
	}
	ctx, st := s.core.start(ctx, &r)
	d, out, err := do[Device](ctx, s.core, r)
	return d, s.core.end(&st, &r, out, err)
}

// List returns one page of the organization's devices. o selects the page
// and filters it; nil leaves everything to the server. Invalid options (see
// [ListDevicesOptions]) are a [*ValidationError] and nothing is sent. The API
// key needs the mdm.android.device.list permission.
//
// Applivery API docs: https://docs.applivery.com/en/api/android/devices/get-organizations-organizationid-mdm-android-enterprise-devices/
//
//	GET /organizations/{organizationId}/mdm/android/enterprise/devices?page=&limit=&sort=&mdm-user=&emm-policy=&show-deleted=&tags=&segmentId=&expandTo=
func (s *AndroidDevicesService) List(ctx context.Context, organizationID string, o *ListDevicesOptions, opts ...CallOption) (*DevicePage, error) {
	return listPage[Device, DevicePage](ctx, s.core, opDevicesList, organizationID, o.query, func(query string) string {
		return s.core.androidDeviceURL(organizationID, "", query)
	}, opts)
}

// ListAll iterates over all of the organization's devices that o selects,
// page after page, from the page o names (the first when it names none),
// with its Limit, Sort and filters. Each page is a List call, and opts apply
// to each: a [WithResponse] describes the page whose devices the loop is at.
//
// It behaves as AndroidCommandsService.ListAll does: a page is fetched only
// when the loop reaches it, so breaking out fetches nothing more; each
// device is yielded once (by its ID); an error is yielded once, with a nil
// device, and ends the iteration; and a server whose paging does not
// advance (a next page that is not after the current one or is beyond the
// total it announced, a page that brings no device not already yielded, in
// whatever order, such as a server that ignores the page asked for and
// reshuffles the same devices, a next page claimed after an empty one) ends
// it with an error rather than looping for ever.
//
//	for dev, err := range client.AndroidDevices.ListAll(ctx, org, &applivery.ListDevicesOptions{Tags: []string{"kiosk"}}) {
//		if err != nil {
//			return err
//		}
//		…
//	}
func (s *AndroidDevicesService) ListAll(ctx context.Context, organizationID string, o *ListDevicesOptions, opts ...CallOption) iter.Seq2[*Device, error] {
	lo := optionsOf(o)
	return allPages("devices", lo.Page, func(page int) (*DevicePage, error) {
		q := lo
		q.Page = page
		return s.List(ctx, organizationID, &q, opts...)
	}, (*Device).listKey)
}

// Move moves a device to a segment, and returns the device as the API
// answers. deviceID must be the device's 24-hex-digit id: this endpoint does
// not take a serial number or IMEI. segmentID must be 0 or more.
//
// Moving is idempotent, so a failed attempt is retried like Cancel's. When
// the call fails after an attempt may have moved the device (its answer was
// lost, or was a 500, 502 or 504, or a 2xx that could not be read), the error
// matches [ErrOutcomeUnknown], whatever the attempts after it met (a 503, a
// long 429, the rate limit's wait past the deadline), and wraps the last
// error: Get tells, and repeating the move is harmless.
// The API key needs the mdm.android.device.move permission.
//
// Applivery API docs: https://docs.applivery.com/en/api/android/devices/put-organizations-organizationid-mdm-android-enterprise-devices-emmdeviceid-move/
//
//	PUT /organizations/{organizationId}/mdm/android/enterprise/devices/{emmDeviceId}/move {"segmentId": n}
func (s *AndroidDevicesService) Move(ctx context.Context, organizationID, deviceID string, segmentID int, opts ...CallOption) (*Device, error) {
	cc, err := callOptions(opts)
	if err != nil {
		return nil, err
	}
	switch {
	case !isOrganizationID(organizationID):
		return nil, &ValidationError{Field: fieldOrganizationID, Value: organizationID, Pattern: OrganizationIDPattern}
	case !isObjectID(deviceID):
		return nil, &ValidationError{Field: fieldDeviceID, Value: deviceID, Pattern: ObjectIDPattern}
	case segmentID < 0:
		return nil, &ValidationError{Field: "segmentId", Value: strconv.Itoa(segmentID), Reason: "must be 0 or more"}
	}
	r := request{
		op:     opDevicesMove,
		method: http.MethodPut,
		url:    s.core.androidDeviceURL(organizationID, deviceID, "/move"),
		body:   []byte(`{"segmentId":` + strconv.Itoa(segmentID) + `}`),
		policy: transport.Idempotent,
		call:   cc,
	}
	ctx, st := s.core.start(ctx, &r)
	d, out, err := do[Device](ctx, s.core, r)
	if err != nil && out.serverMayHaveActed(err) {
		err = &outcomeUnknownError{err: err, note: "the device may have been moved: get it to find out, or move it again"}
	}
	return d, s.core.end(&st, &r, out, err)
}

// ListDevicesOptions selects and filters a page of an organization's
// devices. A nil *ListDevicesOptions, or a zero field, leaves the choice to
// the server. Each field is sent under the API's name for it, and checked
// first: a negative Page or Limit, a Sort that does not match [SortPattern],
// an MDMUser or EMMPolicy that is not 24 hex digits, an empty tag, a negative
// SegmentID, or an ExpandTo other than "ancestors" or "children", or without
// a SegmentID, is a [*ValidationError].
type ListDevicesOptions struct {
	Page        int      // "page"; 0: the server's default
	Limit       int      // "limit"; 0: the server's default
	Sort        string   // "sort"; SortPattern
	MDMUser     string   // "mdm-user"; 24-hex
	EMMPolicy   string   // "emm-policy"; 24-hex
	ShowDeleted bool     // "show-deleted"; sent only when true
	Tags        []string // "tags", one parameter per tag (tags=a&tags=b)
	SegmentID   *int     // "segmentId"; nil: not sent
	ExpandTo    string   // "expandTo": "" , "ancestors" or "children"
}

// query encodes o as the query of a List request, or refuses it.
func (o *ListDevicesOptions) query() (string, error) {
	if o == nil {
		return "", nil
	}
	return deviceListQuery{
		page: o.Page, limit: o.Limit, sort: o.Sort, ids: [][2]string{{"mdm-user", o.MDMUser}, {"emm-policy", o.EMMPolicy}},
		showDeleted: o.ShowDeleted, tags: o.Tags, segmentID: o.SegmentID, expandTo: o.ExpandTo,
	}.encode()
}

// androidDeviceURL returns the URL of an organization's Android devices,
// organizations/{organizationId}/mdm/android/enterprise/devices under the
// base URL, or of one of them when deviceID is not empty, followed by rest:
// the path below it ("/move", "/commands/", an escaped command ID) and the
// query, already escaped. Every URL of the Android endpoints is built here,
// in one allocation. Validated IDs hold only unreserved characters, so
// escaping them changes nothing; it is there so that no URL could ever be
// built from an unescaped segment.
func (c *core) androidDeviceURL(organizationID, deviceID string, rest ...string) string {
	const prefix, devices = "organizations/", "/mdm/android/enterprise/devices"
	org, dev := url.PathEscape(organizationID), url.PathEscape(deviceID)
	n := len(c.baseURL) + len(prefix) + len(org) + len(devices)
	if dev != "" {
		n += 1 + len(dev)
	}
	for _, r := range rest {
		n += len(r)
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteString(c.baseURL)
	b.WriteString(prefix)
	b.WriteString(org)
	b.WriteString(devices)
	if dev != "" {
		b.WriteByte('/')
		b.WriteString(dev)
	}
	for _, r := range rest {
		b.WriteString(r)
	}
	return b.String()
}
