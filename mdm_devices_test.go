package applivery

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// mdmDevicesURL is the cross-platform list of validOrg under mockBase.
const mdmDevicesURL = mockBase + "/organizations/" + validOrg + "/mdm/devices"

// sampleMDMDevice is a cross-platform device with fields the SDK does not
// type and spacing it must keep.
const sampleMDMDevice = `{"id":"65a1f0c2e4b0a1b2c3d4e5f6", "type":"apple","subType":"device","state":"ENROLLED",
  "organization":"507f1f77bcf86cd799439012","organizationInfo":{"id":"507f1f77bcf86cd799439012","name":"Acme"},
  "serialNumber":"C02XK0AAJGH5"}`

func TestMDMDeviceListRequestShapes(t *testing.T) {
	t.Parallel()
	yes, no := true, false
	tests := []struct {
		name      string
		o         *ListMDMDevicesOptions
		wantQuery url.Values
	}{
		{"no options", nil, url.Values{}},
		{"zero options", &ListMDMDevicesOptions{}, url.Values{}},
		{"by serial number", &ListMDMDevicesOptions{SerialNumber: "C02XK0AAJGH5"}, url.Values{"serialNumber": {"C02XK0AAJGH5"}}},
		{"every option", &ListMDMDevicesOptions{
			Page: 2, Limit: 50, Sort: "updatedAt:desc", Type: "apple", SubType: "device", SerialNumber: "C02XK0AAJGH5",
			IMEI: "356938035643809", Search: "mac book", Name: "Front desk", State: "ENROLLED",
			MDMUserID: "60b7c8d9e0f1a2b3c4d5e6f7", PolicyID: "62c1d2e3f4a5b6c7d8e9f0a1", Tags: []string{"kiosk", "berlin"},
			IsCompliance: &yes, LastSyncError: &no, OSVersion: "17.4",
		}, url.Values{
			"page": {"2"}, "limit": {"50"}, "sort": {"updatedAt:desc"}, "type": {"apple"}, "subType": {"device"},
			"serialNumber": {"C02XK0AAJGH5"}, "imei": {"356938035643809"}, "search": {"mac book"}, "name": {"Front desk"},
			"state": {"ENROLLED"}, "mdmUserId": {"60b7c8d9e0f1a2b3c4d5e6f7"}, "policyId": {"62c1d2e3f4a5b6c7d8e9f0a1"},
			"tags": {"kiosk", "berlin"}, "isCompliance": {"true"}, "lastSyncError": {"false"}, "osVersion": {"17.4"},
		}},
		{"a false bool is sent when set", &ListMDMDevicesOptions{IsCompliance: &no}, url.Values{"isCompliance": {"false"}}},
		{"the string bounds are inclusive", &ListMDMDevicesOptions{SerialNumber: strings.Repeat("é", 256), OSVersion: strings.Repeat("9", 128)},
			url.Values{"serialNumber": {strings.Repeat("é", 256)}, "osVersion": {strings.Repeat("9", 128)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockClient(t)
			var got capture
			mt.RegisterNoResponder(got.responder(200, `{"status":true,"data":{"items":[`+sampleMDMDevice+`],"page":1}}`))
			page, err := c.Devices.List(context.Background(), validOrg, tt.o)
			require.NoError(t, err)
			require.NotNil(t, got.req)
			assert.Equal(t, http.MethodGet, got.req.Method)
			assert.Equal(t, "/prefix/v1/organizations/"+validOrg+"/mdm/devices", got.req.URL.Path)
			assert.Equal(t, tt.wantQuery, got.req.URL.Query())
			assert.Empty(t, got.body)
			require.Len(t, page.Items, 1)
			assert.Equal(t, "C02XK0AAJGH5", gotSerial(t, page.Items[0].Raw))
		})
	}
}

// gotSerial returns the serialNumber member of raw.
func gotSerial(t *testing.T, raw []byte) string {
	t.Helper()
	var v struct{ SerialNumber string }
	require.NoError(t, json.Unmarshal(raw, &v))
	return v.SerialNumber
}

func TestMDMDeviceListValidationBeforeTheWire(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 257)
	tests := []struct {
		name      string
		org       string
		o         ListMDMDevicesOptions
		wantField string
	}{
		{"organization", "a/b", ListMDMDevicesOptions{}, "organizationId"},
		{"empty organization", "", ListMDMDevicesOptions{}, "organizationId"},
		{"negative page", validOrg, ListMDMDevicesOptions{Page: -1}, "page"},
		{"negative limit", validOrg, ListMDMDevicesOptions{Limit: -1}, "limit"},
		{"sort", validOrg, ListMDMDevicesOptions{Sort: "name:up"}, "sort"},
		{"type", validOrg, ListMDMDevicesOptions{Type: "ios"}, "type"},
		{"type, by case", validOrg, ListMDMDevicesOptions{Type: "Android"}, "type"},
		{"subType", validOrg, ListMDMDevicesOptions{SubType: "token"}, "subType"},
		{"mdm user", validOrg, ListMDMDevicesOptions{MDMUserID: "ana@acme.example"}, "mdmUserId"},
		{"policy", validOrg, ListMDMDevicesOptions{PolicyID: "kiosk"}, "policyId"},
		{"serial number too long", validOrg, ListMDMDevicesOptions{SerialNumber: long}, "serialNumber"},
		{"imei too long", validOrg, ListMDMDevicesOptions{IMEI: long}, "imei"},
		{"search too long", validOrg, ListMDMDevicesOptions{Search: long}, "search"},
		{"name too long", validOrg, ListMDMDevicesOptions{Name: long}, "name"},
		{"state too long", validOrg, ListMDMDevicesOptions{State: long}, "state"},
		{"os version too long", validOrg, ListMDMDevicesOptions{OSVersion: strings.Repeat("9", 129)}, "osVersion"},
		{"empty tag", validOrg, ListMDMDevicesOptions{Tags: []string{"kiosk", ""}}, "tags"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockClient(t)
			_, err := c.Devices.List(context.Background(), tt.org, &tt.o)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tt.wantField, ve.Field)
			assert.ErrorIs(t, err, ErrInvalidArgument)
			for d, err := range c.Devices.ListAll(context.Background(), tt.org, &tt.o) {
				assert.Nil(t, d)
				assert.ErrorAs(t, err, &ve, "ListAll yields the same refusal")
			}
			assert.Zero(t, mt.GetTotalCallCount(), "nothing is sent")
		})
	}
}

func TestMDMDeviceListIsRetried(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		answers   []int // the statuses of the attempts, the last one repeating
		wantCalls int
		wantErr   bool
	}{
		{"after a 500 and a 503", []int{500, 503, 200}, 3, false},
		{"until the retries run out", []int{502}, 4, true},
		{"never after a 400", []int{400}, 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockClient(t)
			calls := 0
			mt.RegisterResponder(http.MethodGet, mdmDevicesURL, func(*http.Request) (*http.Response, error) {
				status := tt.answers[min(calls, len(tt.answers)-1)]
				calls++
				if status == 200 {
					return httpmock.NewStringResponse(200, `{"status":true,"data":{"items":[]}}`), nil
				}
				return httpmock.NewStringResponse(status, `{"status":false,"error":{"message":"no"}}`), nil
			})
			_, err := c.Devices.List(context.Background(), validOrg, nil)
			assert.Equal(t, tt.wantCalls, calls)
			if !tt.wantErr {
				require.NoError(t, err)
				return
			}
			requireAPIError(t, err)
			assert.False(t, errors.Is(err, ErrOutcomeUnknown), "a list changes nothing")
		})
	}
}

func TestMDMDeviceListAllSharesThePaging(t *testing.T) {
	t.Parallel()
	p := &pager{answer: func(q url.Values) string {
		switch q.Get("page") {
		case "", "1":
			return `{"items":[{"id":"d1","type":"android"},{"id":"d2","type":"apple"}],"page":1,"totalPages":3,"hasNextPage":true,"nextPage":2}`
		case "2":
			return `{"items":[{"id":"d3","type":"windows"}],"page":2,"totalPages":3,"hasNextPage":true,"nextPage":3}`
		}
		return `{"items":[{"id":"d1"},{"id":"d2"}],"page":3,"totalPages":3,"hasNextPage":false}` // page 1 again
	}}
	c := newServerClient(t, newTestServer(t, p.handler))
	var ids []string
	var errs []error
	for d, err := range c.Devices.ListAll(context.Background(), validOrg, &ListMDMDevicesOptions{SerialNumber: "C02", Limit: 2}) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ids = append(ids, d.Type+":"+d.ID)
	}
	assert.Equal(t, []string{"android:d1", "apple:d2", "windows:d3"}, ids)
	require.Len(t, errs, 1)
	assert.EqualError(t, errs[0], "applivery: listing devices: the server's paging does not advance: page 3 repeats page 1, already read")
	for _, q := range p.seen() {
		assert.Equal(t, "C02", q.Get("serialNumber"), "every page keeps the filters")
		assert.Equal(t, "2", q.Get("limit"))
	}
}

func TestMDMDeviceListAllStopsWhenTheLoopDoes(t *testing.T) {
	t.Parallel()
	c, mt := newMockClient(t)
	mt.RegisterResponder(http.MethodGet, mdmDevicesURL, pagedResponder(devicesPage))
	for d, err := range c.Devices.ListAll(context.Background(), validOrg, nil) {
		require.NoError(t, err)
		require.NotNil(t, d)
		break
	}
	assert.Equal(t, 1, mt.GetTotalCallCount(), "no page fetched after the loop broke out")
}
