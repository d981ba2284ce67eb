//go:build contract

package contract_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/applivery/applivery-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	mdmUser = "60b7c8d9e0f1a2b3c4d5e6f7"
	policy  = "62c1d2e3f4a5b6c7d8e9f0a1"
)

func init() {
	calls["DeviceGet"] = func(ctx context.Context, c *applivery.Client) error {
		_, err := c.AndroidDevices.Get(ctx, org, serial)
		return err
	}
	calls["DeviceList"] = func(ctx context.Context, c *applivery.Client) error {
		segment := 3
		_, err := c.AndroidDevices.List(ctx, org, &applivery.ListDevicesOptions{Page: 2, Limit: 10, Tags: []string{"kiosk", "berlin"},
			SegmentID: &segment, ExpandTo: "children", MDMUser: mdmUser})
		return err
	}
	calls["DeviceMove"] = func(ctx context.Context, c *applivery.Client) error {
		_, err := c.AndroidDevices.Move(ctx, org, device, 4)
		return err
	}
}

func TestDeviceRequestsConform(t *testing.T) {
	t.Parallel()
	c, chk := newClient(t, staticPrism, "", nil)
	ctx := context.Background()
	devs := c.AndroidDevices
	for _, ids := range [][2]string{{org, device}, {slug, serial}, {slug, "356938035643809"}} {
		_, err := devs.Get(ctx, ids[0], ids[1])
		assert.NoError(t, err, "Get %v", ids)
	}
	zero, seven := 0, 7
	for _, opts := range []*applivery.ListDevicesOptions{
		nil, {Page: 1, Limit: 100}, {Sort: "updatedAt:desc"}, {MDMUser: mdmUser}, {EMMPolicy: policy}, {ShowDeleted: true},
		{Tags: []string{"kiosk"}}, {Tags: []string{"kiosk", "berlin"}}, {SegmentID: &zero}, {SegmentID: &seven, ExpandTo: "ancestors"},
		{Page: 2, Limit: 5, Sort: "createdAt", MDMUser: mdmUser, EMMPolicy: policy, ShowDeleted: true, Tags: []string{"a", "b"},
			SegmentID: &seven, ExpandTo: "children"},
	} {
		_, err := devs.List(ctx, slug, opts)
		assert.NoError(t, err, "List %+v", opts)
	}
	for _, segment := range []int{0, 12} {
		_, err := devs.Move(ctx, org, device, segment)
		assert.NoError(t, err, "Move to %d", segment)
	}
	chk.requireConforms(t)
}

func TestDeviceSchemaBuiltResponsesDecode(t *testing.T) {
	t.Parallel()
	c, chk := newClient(t, staticPrism, "", nil)
	ctx := context.Background()
	dev, err := c.AndroidDevices.Get(ctx, org, device)
	require.NoError(t, err)
	assert.Equal(t, expectedDevice(t, rawMember(t, chk.lastBody(), "data")), *dev)
	dev, err = c.AndroidDevices.Move(ctx, org, device, 1)
	require.NoError(t, err)
	assert.Equal(t, expectedDevice(t, rawMember(t, chk.lastBody(), "data")), *dev)
	page, err := c.AndroidDevices.List(ctx, org, nil)
	require.NoError(t, err)
	assert.Equal(t, expectedDevicePage(t, rawMember(t, chk.lastBody(), "data")), *page)
	chk.requireConforms(t)
}

func TestRandomDeviceBodiesDecodeToWhatTheySay(t *testing.T) {
	t.Parallel()
	c, chk := newClient(t, dynamicPrism, "", nil)
	ctx := context.Background()
	distinct := map[string]bool{}
	for range dynamicRounds {
		dev, err := c.AndroidDevices.Get(ctx, org, serial)
		body := chk.lastBody()
		distinct[string(body)] = true
		require.NoError(t, err, "body %s", body)
		require.Equal(t, expectedDevice(t, rawMember(t, body, "data")), *dev, "body %s", body)

		page, err := c.AndroidDevices.List(ctx, org, nil)
		body = chk.lastBody()
		require.NoError(t, err, "body %s", body)
		require.Equal(t, expectedDevicePage(t, rawMember(t, body, "data")), *page, "body %s", body)

		dev, err = c.AndroidDevices.Move(ctx, org, device, 2)
		body = chk.lastBody()
		require.NoError(t, err, "body %s", body)
		require.Equal(t, expectedDevice(t, rawMember(t, body, "data")), *dev, "body %s", body)
	}
	assert.Greater(t, len(distinct), dynamicRounds/2, "Prism must send random bodies, not one")
	chk.requireConforms(t)
}

// expectedDevice reads a device member by member, independently of the
// SDK's decoder, as the SDK documents it: strings as sent, a user or policy
// only when it is an object, timestamps zero unless RFC 3339, and the whole
// object, byte for byte, in Raw.
func expectedDevice(t *testing.T, raw json.RawMessage) applivery.Device {
	t.Helper()
	m := members(t, raw)
	d := applivery.Device{
		ID:            str(m["id"]),
		Organization:  str(m["organization"]),
		EMMEnterprise: str(m["emmEnterprise"]),
		Raw:           raw,
	}
	if u := m["mdmUser"]; len(u) > 0 && u[0] == '{' {
		um := members(t, u)
		d.MDMUser = &applivery.DeviceUser{ID: str(um["id"]), Email: str(um["email"])}
	}
	if p := m["deviceEmmPolicy"]; len(p) > 0 && p[0] == '{' {
		pm := members(t, p)
		d.Policy = &applivery.DevicePolicy{ID: str(pm["id"]), Name: str(pm["name"]), Description: str(pm["description"]), Version: str(pm["version"])}
	}
	if ts, err := time.Parse(time.RFC3339Nano, str(m["updatedAt"])); err == nil {
		d.UpdatedAt = ts
	}
	if ts, err := time.Parse(time.RFC3339Nano, str(m["createdAt"])); err == nil {
		d.CreatedAt = ts
	}
	return d
}

func expectedDevicePage(t *testing.T, raw json.RawMessage) applivery.DevicePage {
	t.Helper()
	items, p := expectedPaging(t, raw)
	page := applivery.DevicePage{Items: make([]applivery.Device, len(items)), Page: p.page, Limit: p.limit,
		TotalDocs: p.totalDocs, TotalPages: p.totalPages, HasNextPage: p.hasNext, HasPrevPage: p.hasPrev,
		NextPage: p.next, PrevPage: p.prev}
	for i, item := range items {
		page.Items[i] = expectedDevice(t, item)
	}
	return page
}
