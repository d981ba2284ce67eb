package appliverytest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/applivery/applivery-go"
	"github.com/applivery/applivery-go/appliverytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// mixedFleet adds devices with the members the cross-platform list filters
// read: a (the fleet's Ana device, with a serial number, an IMEI and a
// name), b (compliant, with a sync error), c (deleted), and one in another
// organization with a's serial number.
func mixedFleet(t *testing.T) (*appliverytest.Server, *applivery.Client, [2]string) {
	t.Helper()
	srv, c := newServer(t)
	a := srv.AddDevice(org, applivery.Device{ID: deviceIDa, MDMUser: &applivery.DeviceUser{ID: userAna},
		Policy: &applivery.DevicePolicy{ID: kioskID},
		Raw: json.RawMessage(`{"serialNumber":"R58M123","imei":"356938035643809","name":"Front Desk Pixel","state":"ACTIVE",
		  "osVersion":"14","tags":["kiosk","berlin"]}`)})
	b := srv.AddDevice(org, applivery.Device{MDMUser: &applivery.DeviceUser{ID: userBen}, Policy: &applivery.DevicePolicy{ID: officeID},
		Raw: json.RawMessage(`{"serialNumber":"R58M999","state":"DISABLED","osVersion":"13","tags":["berlin"],
		  "isCompliance":true,"lastSyncError":true}`)})
	srv.AddDevice(org, applivery.Device{Raw: json.RawMessage(`{"serialNumber":"R58M000","deleted":true}`)})
	srv.AddDevice(otherOrgID, applivery.Device{Raw: json.RawMessage(`{"serialNumber":"R58M123"}`)})
	return srv, c, [2]string{a.ID, b.ID}
}

func TestMDMDeviceListFilters(t *testing.T) {
	t.Parallel()
	_, c, ids := mixedFleet(t)
	a, b := ids[0], ids[1]
	yes, no := true, false
	tests := []struct {
		name string
		o    *applivery.ListMDMDevicesOptions
		want []string
	}{
		{"everything but the deleted", nil, []string{a, b}},
		{"by serial number", &applivery.ListMDMDevicesOptions{SerialNumber: "R58M123"}, []string{a}},
		{"a serial number in part is no match", &applivery.ListMDMDevicesOptions{SerialNumber: "R58M"}, nil},
		{"a deleted device's serial number", &applivery.ListMDMDevicesOptions{SerialNumber: "R58M000"}, nil},
		{"by IMEI", &applivery.ListMDMDevicesOptions{IMEI: imeiA}, []string{a}},
		{"type android", &applivery.ListMDMDevicesOptions{Type: "android"}, []string{a, b}},
		{"type apple: none yet", &applivery.ListMDMDevicesOptions{Type: "apple"}, nil},
		{"subType device", &applivery.ListMDMDevicesOptions{SubType: "device"}, []string{a, b}},
		{"subType enrollment", &applivery.ListMDMDevicesOptions{SubType: "enrollment"}, nil},
		{"one tag", &applivery.ListMDMDevicesOptions{Tags: []string{"berlin"}}, []string{a, b}},
		{"every tag", &applivery.ListMDMDevicesOptions{Tags: []string{"berlin", "kiosk"}}, []string{a}},
		{"search, in part, any case", &applivery.ListMDMDevicesOptions{Search: "front desk"}, []string{a}},
		{"search by serial number", &applivery.ListMDMDevicesOptions{Search: "m999"}, []string{b}},
		{"name", &applivery.ListMDMDevicesOptions{Name: "Front Desk Pixel"}, []string{a}},
		{"state", &applivery.ListMDMDevicesOptions{State: "DISABLED"}, []string{b}},
		{"os version", &applivery.ListMDMDevicesOptions{OSVersion: "14"}, []string{a}},
		{"user", &applivery.ListMDMDevicesOptions{MDMUserID: userBen}, []string{b}},
		{"policy", &applivery.ListMDMDevicesOptions{PolicyID: kioskID}, []string{a}},
		{"compliant", &applivery.ListMDMDevicesOptions{IsCompliance: &yes}, []string{b}},
		{"not compliant: absent is false", &applivery.ListMDMDevicesOptions{IsCompliance: &no}, []string{a}},
		{"with a sync error", &applivery.ListMDMDevicesOptions{LastSyncError: &yes}, []string{b}},
		{"filters together", &applivery.ListMDMDevicesOptions{Tags: []string{"berlin"}, State: "ACTIVE", Type: "android"}, []string{a}},
		{"newest first", &applivery.ListMDMDevicesOptions{Sort: "createdAt:desc"}, []string{b, a}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for d, err := range c.Devices.ListAll(context.Background(), org, tt.o) {
				require.NoError(t, err)
				assert.Equal(t, "android", d.Type)
				assert.Equal(t, "device", d.SubType)
				got = append(got, d.ID)
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestMDMDeviceListServesTheDeviceWhole(t *testing.T) {
	t.Parallel()
	srv, c, ids := mixedFleet(t)
	page, err := c.Devices.List(context.Background(), org, &applivery.ListMDMDevicesOptions{SerialNumber: "R58M123"})
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	d := page.Items[0]
	assert.Equal(t, ids[0], d.ID)
	assert.Equal(t, "ACTIVE", d.State)
	var raw map[string]any
	require.NoError(t, json.Unmarshal(d.Raw, &raw))
	assert.Equal(t, "R58M123", raw["serialNumber"])
	assert.Equal(t, "android", raw["type"])
	assert.Equal(t, userAna, raw["mdmUser"].(map[string]any)["id"], "the rest of the device is kept")
	stored, ok := srv.Device(org, ids[0])
	require.True(t, ok)
	assert.Equal(t, stored.ID, d.ID)
}

func TestMDMDeviceListPages(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t)
	var want []string
	for range 5 {
		want = append(want, srv.AddDevice(org, applivery.Device{}).ID)
	}
	page, err := c.Devices.List(context.Background(), org, &applivery.ListMDMDevicesOptions{Page: 2, Limit: 2})
	require.NoError(t, err)
	assert.Equal(t, 2, page.Page)
	assert.Equal(t, 2, page.Limit)
	assert.Equal(t, 5, page.TotalDocs)
	assert.Equal(t, 3, page.TotalPages)
	assert.True(t, page.HasNextPage)
	assert.True(t, page.HasPrevPage)
	assert.Equal(t, 3, page.NextPage)
	require.Len(t, page.Items, 2)
	assert.Equal(t, want[2:4], []string{page.Items[0].ID, page.Items[1].ID})

	var got []string
	for d, err := range c.Devices.ListAll(context.Background(), org, &applivery.ListMDMDevicesOptions{Limit: 2}) {
		require.NoError(t, err)
		got = append(got, d.ID)
	}
	assert.Equal(t, want, got)
	var lists int
	for _, r := range srv.Requests() {
		if r.Endpoint == appliverytest.EndpointDevicesList {
			lists++
		}
	}
	assert.Equal(t, 1+3, lists, "one call, then a call per page")
}

func TestMDMDeviceListOfAnUnknownOrganization(t *testing.T) {
	t.Parallel()
	_, c, _ := mixedFleet(t)
	_, err := c.Devices.List(context.Background(), "nobody-here", nil)
	assert.ErrorIs(t, err, applivery.ErrNotFound)
}

func TestMDMDeviceListRefusesWhatTheAPIRefuses(t *testing.T) {
	t.Parallel()
	srv, _, _ := mixedFleet(t)
	// What the SDK refuses, a client of the raw API sends: the fake refuses it too.
	for _, q := range []string{
		"page=0", "limit=x", "sort=name:up", "type=ios", "subType=token", "mdmUserId=ana", "policyId=kiosk",
		"emmEnrollmentTemplateId=x", "isCompliance=yes", "lastSyncError=1", "showAll=maybe", "onlyAdmDep=no",
		"serialNumber=" + strings.Repeat("x", 257), "osVersion=" + strings.Repeat("9", 129), "networkIp=" + strings.Repeat("1", 129),
	} {
		t.Run(q, func(t *testing.T) {
			t.Parallel()
			req, err := http.NewRequest(http.MethodGet, srv.URL+"/organizations/"+org+"/mdm/devices?"+q, nil)
			require.NoError(t, err)
			req.Header.Set("Authorization", "Bearer "+srv.APIKey)
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
		})
	}
	ok := url.Values{"serialNumber": {strings.Repeat("x", 256)}, "showAll": {"true"}, "onlyAdmDep": {"false"}}
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/organizations/"+org+"/mdm/devices?"+ok.Encode(), nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+srv.APIKey)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode, "the bounds are inclusive; showAll and onlyAdmDep are taken")
}

func TestMDMDeviceListCanBeScripted(t *testing.T) {
	t.Parallel()
	srv, c, _ := mixedFleet(t)
	srv.Script(appliverytest.EndpointDevicesList,
		appliverytest.Fault{Code: applivery.CodeFeatureNotAllowed},
		appliverytest.Fault{Status: 503})
	ctx := context.Background()
	_, err := c.Devices.List(ctx, org, nil)
	assert.ErrorIs(t, err, applivery.ErrFeatureNotAllowed)
	_, err = c.Devices.List(ctx, org, nil)
	var apiErr *applivery.APIError
	require.ErrorAs(t, err, &apiErr, "this client does not retry: the 503 is the answer")
	assert.Equal(t, http.StatusServiceUnavailable, apiErr.StatusCode)
	page, err := c.Devices.List(ctx, org, nil)
	require.NoError(t, err, "the script is spent")
	assert.Len(t, page.Items, 2)
}
