//go:build contract

package contract_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/applivery/applivery-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// admPolicy is an Apple policy's id.
const admPolicy = "63d2e3f4a5b6c7d8e9f0a1b2"

func init() {
	calls["AppleDeviceGet"] = func(ctx context.Context, c *applivery.Client) error {
		_, err := c.AppleDevices.Get(ctx, org, device)
		return err
	}
	calls["AppleDeviceList"] = func(ctx context.Context, c *applivery.Client) error {
		segment := 3
		_, err := c.AppleDevices.List(ctx, org, &applivery.ListAppleDevicesOptions{Page: 2, Limit: 10, Tags: []string{"kiosk", "berlin"},
			SegmentID: &segment, ExpandTo: "children", MDMUser: mdmUser, ADMPolicy: admPolicy})
		return err
	}
	calls["AppleDeviceUpdate"] = func(ctx context.Context, c *applivery.Client) error {
		name := "Front desk Mac"
		_, err := c.AppleDevices.Update(ctx, org, device, &applivery.UpdateAppleDeviceRequest{DisplayName: &name})
		return err
	}
}

func TestAppleDeviceRequestsConform(t *testing.T) {
	t.Parallel()
	c, chk := newClient(t, staticPrism, "", nil)
	ctx := context.Background()
	devs := c.AppleDevices
	for _, ids := range [][2]string{{org, device}, {slug, "C02XK0AAJGH5"}} {
		_, err := devs.Get(ctx, ids[0], ids[1])
		assert.NoError(t, err, "Get %v", ids)
	}
	zero, seven := 0, 7
	for _, opts := range []*applivery.ListAppleDevicesOptions{
		nil, {Page: 1, Limit: 100}, {Sort: "updatedAt:desc"}, {MDMUser: mdmUser}, {ADMPolicy: admPolicy}, {UserADMPolicy: admPolicy},
		{ShowDeleted: true}, {Tags: []string{"kiosk"}}, {Tags: []string{"kiosk", "berlin"}}, {SegmentID: &zero},
		{SegmentID: &seven, ExpandTo: "ancestors"},
		{Page: 2, Limit: 5, Sort: "createdAt", MDMUser: mdmUser, ADMPolicy: admPolicy, UserADMPolicy: admPolicy, ShowDeleted: true,
			Tags: []string{"a", "b"}, SegmentID: &seven, ExpandTo: "children"},
	} {
		_, err := devs.List(ctx, slug, opts)
		assert.NoError(t, err, "List %+v", opts)
	}
	name, empty, user := "Front desk Mac", "", mdmUser
	tags, none := []string{"kiosk", "berlin"}, []string{}
	for _, u := range []*applivery.UpdateAppleDeviceRequest{
		{DisplayName: &name}, {DisplayName: &empty}, {Tags: &tags}, {Tags: &none}, {PolicyID: &[]string{admPolicy}[0]},
		{MDMUserID: &user}, {SegmentID: &zero},
		{DisplayName: &name, Tags: &tags, PolicyID: &[]string{admPolicy}[0], MDMUserID: &user, SegmentID: &seven},
	} {
		_, err := devs.Update(ctx, org, device, u)
		assert.NoError(t, err, "Update %+v", u)
	}
	_, err := devs.Update(ctx, slug, "C02XK0AAJGH5", &applivery.UpdateAppleDeviceRequest{DisplayName: &name})
	assert.NoError(t, err, "Update by a word string")
	chk.requireConforms(t)
}

func TestAppleDeviceSchemaBuiltResponsesDecode(t *testing.T) {
	t.Parallel()
	c, chk := newClient(t, staticPrism, "", nil)
	ctx := context.Background()
	dev, err := c.AppleDevices.Get(ctx, org, device)
	require.NoError(t, err)
	assert.Equal(t, expectedAppleDevice(t, rawMember(t, chk.lastBody(), "data")), *dev)
	name := "Mac"
	dev, err = c.AppleDevices.Update(ctx, org, device, &applivery.UpdateAppleDeviceRequest{DisplayName: &name})
	require.NoError(t, err)
	assert.Equal(t, expectedAppleDevice(t, rawMember(t, chk.lastBody(), "data")), *dev)
	page, err := c.AppleDevices.List(ctx, org, nil)
	require.NoError(t, err)
	assert.Equal(t, expectedAppleDevicePage(t, rawMember(t, chk.lastBody(), "data")), *page)
	chk.requireConforms(t)
}

func TestRandomAppleDeviceBodiesDecodeToWhatTheySay(t *testing.T) {
	t.Parallel()
	c, chk := newClient(t, dynamicPrism, "", nil)
	ctx := context.Background()
	name := "Mac"
	distinct := map[string]bool{}
	for range dynamicRounds {
		dev, err := c.AppleDevices.Get(ctx, org, device)
		body := chk.lastBody()
		distinct[string(body)] = true
		require.NoError(t, err, "body %s", body)
		require.Equal(t, expectedAppleDevice(t, rawMember(t, body, "data")), *dev, "body %s", body)

		page, err := c.AppleDevices.List(ctx, org, nil)
		body = chk.lastBody()
		require.NoError(t, err, "body %s", body)
		require.Equal(t, expectedAppleDevicePage(t, rawMember(t, body, "data")), *page, "body %s", body)

		dev, err = c.AppleDevices.Update(ctx, org, device, &applivery.UpdateAppleDeviceRequest{DisplayName: &name})
		body = chk.lastBody()
		require.NoError(t, err, "body %s", body)
		require.Equal(t, expectedAppleDevice(t, rawMember(t, body, "data")), *dev, "body %s", body)
	}
	assert.Greater(t, len(distinct), dynamicRounds/2, "Prism must send random bodies, not one")
	chk.requireConforms(t)
}

func TestAppleDeviceDocumentedErrorsMap(t *testing.T) {
	t.Parallel()
	checkDocumentedErrors(t, calls, slices.Concat([]documentedError{
		refusedForThePlan("AppleDeviceUpdate"),
	}, answersOf401And404("AppleDeviceGet"), answersOf401And404("AppleDeviceList"), answersOf401And404("AppleDeviceUpdate")))
}

// expectedAppleDevice reads an Apple device member by member, independently
// of the SDK's decoder, as the SDK documents it: strings as sent, tags only
// when an array of strings, a user only when it is an object, timestamps
// zero unless RFC 3339, and the whole object, byte for byte, in Raw.
func expectedAppleDevice(t *testing.T, raw json.RawMessage) applivery.AppleDevice {
	t.Helper()
	m := members(t, raw)
	d := applivery.AppleDevice{
		ID:           str(m["id"]),
		Organization: str(m["organization"]),
		DisplayName:  str(m["displayName"]),
		Type:         str(m["type"]),
		SubType:      str(m["subType"]),
		Raw:          raw,
	}
	if tags := m["tags"]; len(tags) > 0 && tags[0] == '[' {
		var ts []string
		if json.Unmarshal(tags, &ts) == nil {
			d.Tags = ts
		}
	}
	if u := m["mdmUser"]; len(u) > 0 && u[0] == '{' {
		um := members(t, u)
		d.MDMUser = &applivery.DeviceUser{ID: str(um["id"]), Email: str(um["email"])}
	}
	if ts, err := time.Parse(time.RFC3339Nano, str(m["updatedAt"])); err == nil {
		d.UpdatedAt = ts
	}
	if ts, err := time.Parse(time.RFC3339Nano, str(m["createdAt"])); err == nil {
		d.CreatedAt = ts
	}
	return d
}

func expectedAppleDevicePage(t *testing.T, raw json.RawMessage) applivery.AppleDevicePage {
	t.Helper()
	items, p := expectedPaging(t, raw)
	page := applivery.AppleDevicePage{Items: make([]applivery.AppleDevice, len(items)), Page: p.page, Limit: p.limit,
		TotalDocs: p.totalDocs, TotalPages: p.totalPages, HasNextPage: p.hasNext, HasPrevPage: p.hasPrev,
		NextPage: p.next, PrevPage: p.prev}
	for i, item := range items {
		page.Items[i] = expectedAppleDevice(t, item)
	}
	return page
}
