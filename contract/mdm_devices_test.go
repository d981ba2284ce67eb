//go:build contract

package contract_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/applivery/applivery-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func init() {
	calls["DevicesList"] = func(ctx context.Context, c *applivery.Client) error {
		yes := true
		_, err := c.Devices.List(ctx, org, &applivery.ListMDMDevicesOptions{Page: 2, Limit: 10, Type: "apple",
			SerialNumber: "C02XK0AAJGH5", Tags: []string{"kiosk", "berlin"}, IsCompliance: &yes})
		return err
	}
}

func TestMDMDeviceRequestsConform(t *testing.T) {
	t.Parallel()
	c, chk := newClient(t, staticPrism, "", nil)
	ctx := context.Background()
	yes, no := true, false
	for _, opts := range []*applivery.ListMDMDevicesOptions{
		nil, {Page: 1, Limit: 100}, {Sort: "updatedAt:desc"}, {SerialNumber: "C02XK0AAJGH5"}, {IMEI: "356938035643809"},
		{Type: "android"}, {Type: "apple"}, {Type: "windows"}, {SubType: "device"}, {SubType: "enrollment"},
		{Search: "front desk"}, {Name: "Front Desk"}, {State: "ENROLLED"}, {MDMUserID: mdmUser}, {PolicyID: policy},
		{Tags: []string{"kiosk"}}, {Tags: []string{"kiosk", "berlin"}}, {IsCompliance: &yes}, {LastSyncError: &no},
		{OSVersion: "17.4"}, {SerialNumber: strings.Repeat("S", 256), OSVersion: strings.Repeat("9", 128)},
		{Page: 2, Limit: 5, Sort: "createdAt", Type: "apple", SubType: "device", SerialNumber: "C02XK0AAJGH5",
			IMEI: "356938035643809", Search: "mac", Name: "Mac", State: "ENROLLED", MDMUserID: mdmUser, PolicyID: policy,
			Tags: []string{"a", "b"}, IsCompliance: &no, LastSyncError: &yes, OSVersion: "14.1"},
	} {
		_, err := c.Devices.List(ctx, slug, opts)
		assert.NoError(t, err, "List %+v", opts)
	}
	_, err := c.Devices.List(ctx, org, nil)
	assert.NoError(t, err)
	chk.requireConforms(t)
}

func TestMDMDeviceSchemaBuiltResponsesDecode(t *testing.T) {
	t.Parallel()
	c, chk := newClient(t, staticPrism, "", nil)
	page, err := c.Devices.List(context.Background(), org, nil)
	require.NoError(t, err)
	assert.Equal(t, expectedMDMDevicePage(t, rawMember(t, chk.lastBody(), "data")), *page)
	chk.requireConforms(t)
}

func TestRandomMDMDeviceBodiesDecodeToWhatTheySay(t *testing.T) {
	t.Parallel()
	c, chk := newClient(t, dynamicPrism, "", nil)
	ctx := context.Background()
	distinct := map[string]bool{}
	for range dynamicRounds {
		page, err := c.Devices.List(ctx, org, nil)
		body := chk.lastBody()
		distinct[string(body)] = true
		require.NoError(t, err, "body %s", body)
		require.Equal(t, expectedMDMDevicePage(t, rawMember(t, body, "data")), *page, "body %s", body)
	}
	assert.Greater(t, len(distinct), dynamicRounds/2, "Prism must send random bodies, not one")
	chk.requireConforms(t)
}

func TestMDMDeviceDocumentedErrorsMap(t *testing.T) {
	t.Parallel()
	checkDocumentedErrors(t, calls, answersOf401And404("DevicesList"))
}

// expectedMDMDevice reads a cross-platform device member by member,
// independently of the SDK's decoder, as the SDK documents it: strings as
// sent, anything else zero, and the whole object, byte for byte, in Raw.
func expectedMDMDevice(t *testing.T, raw json.RawMessage) applivery.MDMDevice {
	t.Helper()
	m := members(t, raw)
	return applivery.MDMDevice{
		ID:           str(m["id"]),
		Type:         str(m["type"]),
		SubType:      str(m["subType"]),
		State:        str(m["state"]),
		Organization: str(m["organization"]),
		Raw:          raw,
	}
}

func expectedMDMDevicePage(t *testing.T, raw json.RawMessage) applivery.MDMDevicePage {
	t.Helper()
	items, p := expectedPaging(t, raw)
	page := applivery.MDMDevicePage{Items: make([]applivery.MDMDevice, len(items)), Page: p.page, Limit: p.limit,
		TotalDocs: p.totalDocs, TotalPages: p.totalPages, HasNextPage: p.hasNext, HasPrevPage: p.hasPrev,
		NextPage: p.next, PrevPage: p.prev}
	for i, item := range items {
		page.Items[i] = expectedMDMDevice(t, item)
	}
	return page
}
