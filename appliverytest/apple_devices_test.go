package appliverytest_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/applivery/applivery-go"
	"github.com/applivery/applivery-go/appliverytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The Mac of appleFleet, and an Apple policy; its serial number is
// macSerial.
const (
	macID     = "65a1f0c2e4b0a1b2c3d4e5f6"
	admPolicy = "63d2e3f4a5b6c7d8e9f0a1b2"
)

// appleFleet adds four Apple devices to a server: the Mac (Ana, policy,
// tags kiosk+berlin, segment 4, a serial number), an iPad (Ben, tag
// berlin, segment 5), a deleted one, and one in another organization.
func appleFleet(t *testing.T) (*appliverytest.Server, *applivery.Client) {
	t.Helper()
	srv, c := newServer(t)
	srv.AddAppleDevice(org, applivery.AppleDevice{ID: macID, DisplayName: "Front desk Mac", Tags: []string{"kiosk", "berlin"},
		MDMUser: &applivery.DeviceUser{ID: userAna, Email: "ana@acme.example"},
		Raw:     json.RawMessage(`{"segmentId":4,"admPolicy":{"id":"` + admPolicy + `","name":"Kiosk"},"info":{"SerialNumber":"` + macSerial + `"}}`)},
		macSerial)
	srv.AddAppleDevice(org, applivery.AppleDevice{DisplayName: "iPad", Tags: []string{"berlin"}, MDMUser: &applivery.DeviceUser{ID: userBen},
		Raw: json.RawMessage(`{"segmentId":5}`)})
	srv.AddAppleDevice(org, applivery.AppleDevice{Raw: json.RawMessage(`{"deleted":true}`)})
	srv.AddAppleDevice(otherOrgID, applivery.AppleDevice{})
	return srv, c
}

// rawCall sends a call to the server with its key, as a client of the raw
// API would, and returns the status of the answer.
func rawCall(t *testing.T, srv *appliverytest.Server, method, path, body string) int {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+srv.APIKey)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

func TestAddAppleDevice(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t)
	tags := []string{"kiosk"}
	stored := srv.AddAppleDevice(org, applivery.AppleDevice{DisplayName: "Mac", Tags: tags,
		Raw: json.RawMessage(`{"displayName":"old","info":{"SerialNumber":"C02XK0AAJGH5"}}`)}, macSerial)
	tags[0] = "changed"
	assert.Regexp(t, `^[0-9a-f]{24}$`, stored.ID)
	assert.False(t, stored.CreatedAt.IsZero())
	assert.Equal(t, []string{"kiosk"}, stored.Tags, "the caller's slice is not kept")
	var raw map[string]any
	require.NoError(t, json.Unmarshal(stored.Raw, &raw))
	assert.Equal(t, stored.ID, raw["id"], "the typed fields are merged into Raw")
	assert.Equal(t, "Mac", raw["displayName"], "the typed field wins")
	assert.Equal(t, map[string]any{"SerialNumber": "C02XK0AAJGH5"}, raw["info"], "what Raw held is kept")

	got, err := c.AppleDevices.Get(context.Background(), org, macSerial)
	require.NoError(t, err)
	assert.Equal(t, stored.ID, got.ID)
	assert.JSONEq(t, string(stored.Raw), string(got.Raw), "served as stored")
	back, ok := srv.AppleDevice(org, stored.ID)
	require.True(t, ok)
	assert.Equal(t, stored.DisplayName, back.DisplayName)
	_, ok = srv.AppleDevice(org, "C02XK0AAJGH9")
	assert.False(t, ok)

	for name, f := range map[string]func(){
		"bad organization":  func() { srv.AddAppleDevice("a/b", applivery.AppleDevice{}) },
		"bad id":            func() { srv.AddAppleDevice(org, applivery.AppleDevice{ID: macSerial}) },
		"bad alias":         func() { srv.AddAppleDevice(org, applivery.AppleDevice{}, "C02-XK0") },
		"raw not an object": func() { srv.AddAppleDevice(org, applivery.AppleDevice{Raw: json.RawMessage(`[1]`)}) },
	} {
		assert.Panics(t, f, name)
	}
}

func TestAddAppleDeviceReplacesAndMovesAliases(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t)
	ctx := context.Background()
	a := srv.AddAppleDevice(org, applivery.AppleDevice{DisplayName: "a"}, "SERIALA", "SHARED")
	b := srv.AddAppleDevice(org, applivery.AppleDevice{DisplayName: "b"}, "SHARED")
	got, err := c.AppleDevices.Get(ctx, org, "SHARED")
	require.NoError(t, err)
	assert.Equal(t, b.ID, got.ID, "the alias names the last device given it")

	srv.AddAppleDevice(org, applivery.AppleDevice{ID: a.ID, DisplayName: "a2"})
	_, err = c.AppleDevices.Get(ctx, org, "SERIALA")
	assert.ErrorIs(t, err, applivery.ErrNotFound, "an alias the device no longer lists stops naming it")
	got, err = c.AppleDevices.Get(ctx, org, a.ID)
	require.NoError(t, err)
	assert.Equal(t, "a2", got.DisplayName)
	got, err = c.AppleDevices.Get(ctx, org, "SHARED")
	require.NoError(t, err)
	assert.Equal(t, b.ID, got.ID, "re-adding a does not take b's alias")
}

func TestAppleDeviceGet(t *testing.T) {
	t.Parallel()
	srv, c := appleFleet(t)
	ctx := context.Background()
	for _, id := range []string{macID, macSerial} {
		got, err := c.AppleDevices.Get(ctx, org, id)
		require.NoError(t, err, id)
		assert.Equal(t, macID, got.ID, id)
		assert.Equal(t, "Front desk Mac", got.DisplayName)
		assert.Equal(t, []string{"kiosk", "berlin"}, got.Tags)
		assert.Equal(t, "ana@acme.example", got.MDMUser.Email)
	}
	tests := []struct {
		name, org, id string
	}{
		{"an unknown device", org, "C02XK0AAJGH9"},
		{"an unknown id", org, "65a1f0c2e4b0a1b2c3d4e599"},
		{"aliases are per organization", otherOrgID, macSerial},
		{"an Android device is not an Apple one", org, deviceIDa},
	}
	srv.AddDevice(org, applivery.Device{ID: deviceIDa})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.AppleDevices.Get(ctx, tt.org, tt.id)
			assert.ErrorIs(t, err, applivery.ErrNotFound)
			var apiErr *applivery.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, applivery.CodeEntityNotFound, apiErr.Code)
		})
	}
	assert.Equal(t, appliverytest.EndpointAppleDeviceGet, srv.Requests()[0].Endpoint)
}

func TestAppleDeviceListFilters(t *testing.T) {
	t.Parallel()
	srv, c := appleFleet(t)
	four, five, nine := 4, 5, 9
	tests := []struct {
		name string
		opts *applivery.ListAppleDevicesOptions
		want int // devices
	}{
		{"all but the deleted", nil, 2},
		{"show deleted", &applivery.ListAppleDevicesOptions{ShowDeleted: true}, 3},
		{"mdm user", &applivery.ListAppleDevicesOptions{MDMUser: userAna}, 1},
		{"policy", &applivery.ListAppleDevicesOptions{ADMPolicy: admPolicy}, 1},
		{"a policy nobody has", &applivery.ListAppleDevicesOptions{ADMPolicy: kioskID}, 0},
		{"user policy filters nothing", &applivery.ListAppleDevicesOptions{UserADMPolicy: kioskID}, 2},
		{"one tag", &applivery.ListAppleDevicesOptions{Tags: []string{"berlin"}}, 2},
		{"every tag asked", &applivery.ListAppleDevicesOptions{Tags: []string{"berlin", "kiosk"}}, 1},
		{"a tag nobody has", &applivery.ListAppleDevicesOptions{Tags: []string{"paris"}}, 0},
		{"segment", &applivery.ListAppleDevicesOptions{SegmentID: &five}, 1},
		{"segment, expanded (the fake has no tree)", &applivery.ListAppleDevicesOptions{SegmentID: &four, ExpandTo: "children"}, 1},
		{"empty segment", &applivery.ListAppleDevicesOptions{SegmentID: &nine}, 0},
		{"filters together", &applivery.ListAppleDevicesOptions{Tags: []string{"berlin"}, MDMUser: userBen}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			page, err := c.AppleDevices.List(context.Background(), org, tt.opts)
			require.NoError(t, err)
			assert.Len(t, page.Items, tt.want)
			assert.Equal(t, tt.want, page.TotalDocs)
		})
	}
	t.Cleanup(func() {
		for _, r := range srv.Requests() {
			assert.Equal(t, appliverytest.EndpointAppleDeviceList, r.Endpoint)
		}
	})
}

func TestAppleDeviceListPagesAndRefusesBadQueries(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t)
	ctx := context.Background()
	_, err := c.AppleDevices.List(ctx, org, nil)
	assert.ErrorIs(t, err, applivery.ErrNotFound, "an organization the server does not know")
	srv.AddDevice(org, applivery.Device{})
	page, err := c.AppleDevices.List(ctx, org, nil)
	require.NoError(t, err, "an organization with Android devices only has no Apple device")
	assert.Empty(t, page.Items)

	var ids []string
	for range 7 {
		ids = append(ids, srv.AddAppleDevice(org, applivery.AppleDevice{}).ID)
	}
	var got []string
	for d, err := range c.AppleDevices.ListAll(ctx, org, &applivery.ListAppleDevicesOptions{Limit: 3}) {
		require.NoError(t, err)
		got = append(got, d.ID)
	}
	assert.Equal(t, ids, got, "in the order they were added, three a page")
	page, err = c.AppleDevices.List(ctx, org, &applivery.ListAppleDevicesOptions{Sort: "createdAt:desc", Limit: 2})
	require.NoError(t, err)
	assert.Equal(t, []string{ids[6], ids[5]}, []string{page.Items[0].ID, page.Items[1].ID})
	assert.Equal(t, 4, page.TotalPages)

	for _, query := range []string{"page=0", "limit=x", "sort=a:b", "mdm-user=ana", "adm-policy=x", "show-deleted=yes",
		"segmentId=-1", "expandTo=children", "segmentId=1&expandTo=up"} {
		assert.Equal(t, http.StatusBadRequest, rawCall(t, srv, http.MethodGet, "/organizations/"+org+"/mdm/apple/enterprise/devices?"+query, ""), query)
	}
}

func TestAppleDeviceUpdateMergesOnlyTheGivenFields(t *testing.T) {
	t.Parallel()
	name, empty, seven := "Reception Mac", []string{}, 7
	policy, user := kioskID, userBen
	tests := []struct {
		name  string
		by    string
		u     applivery.UpdateAppleDeviceRequest
		check func(t *testing.T, d applivery.AppleDevice, raw map[string]any)
	}{
		{"a rename keeps the tags", macID, applivery.UpdateAppleDeviceRequest{DisplayName: &name},
			func(t *testing.T, d applivery.AppleDevice, raw map[string]any) {
				assert.Equal(t, "Reception Mac", d.DisplayName)
				assert.Equal(t, []string{"kiosk", "berlin"}, d.Tags)
				assert.Equal(t, userAna, d.MDMUser.ID)
				assert.Equal(t, float64(4), raw["segmentId"])
			}},
		{"by serial number", macSerial, applivery.UpdateAppleDeviceRequest{DisplayName: &name},
			func(t *testing.T, d applivery.AppleDevice, _ map[string]any) {
				assert.Equal(t, "Reception Mac", d.DisplayName)
			}},
		{"an empty list clears the tags", macID, applivery.UpdateAppleDeviceRequest{Tags: &empty},
			func(t *testing.T, d applivery.AppleDevice, raw map[string]any) {
				assert.Empty(t, d.Tags)
				assert.Equal(t, []any{}, raw["tags"])
				assert.Equal(t, "Front desk Mac", d.DisplayName)
			}},
		{"policy, user and segment", macID, applivery.UpdateAppleDeviceRequest{PolicyID: &policy, MDMUserID: &user, SegmentID: &seven},
			func(t *testing.T, d applivery.AppleDevice, raw map[string]any) {
				assert.Equal(t, &applivery.DeviceUser{ID: userBen}, d.MDMUser, "a new user, without the old one's email")
				assert.Equal(t, map[string]any{"id": kioskID, "name": "Kiosk"}, raw["admPolicy"], "the rest of the policy stays")
				assert.Equal(t, float64(7), raw["segmentId"])
				assert.Equal(t, []string{"kiosk", "berlin"}, d.Tags)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, c := appleFleet(t)
			before, _ := srv.AppleDevice(org, macID)
			got, err := c.AppleDevices.Update(context.Background(), org, tt.by, &tt.u)
			require.NoError(t, err)
			assert.Equal(t, macID, got.ID)
			held, ok := srv.AppleDevice(org, macID)
			require.True(t, ok)
			assert.JSONEq(t, string(held.Raw), string(got.Raw), "the answer is the device as held")
			assert.False(t, held.UpdatedAt.Before(before.UpdatedAt))
			var raw map[string]any
			require.NoError(t, json.Unmarshal(held.Raw, &raw))
			assert.Equal(t, map[string]any{"SerialNumber": macSerial}, raw["info"], "what was not updated is kept")
			tt.check(t, held, raw)
			assert.Equal(t, appliverytest.EndpointAppleDeviceUpdate, srv.Requests()[0].Endpoint)
		})
	}
}

func TestAppleDeviceUpdateRefusesWhatTheAPIWouldNot(t *testing.T) {
	t.Parallel()
	srv, c := appleFleet(t)
	name := "x"
	_, err := c.AppleDevices.Update(context.Background(), org, "C02XK0AAJGH9", &applivery.UpdateAppleDeviceRequest{DisplayName: &name})
	assert.ErrorIs(t, err, applivery.ErrNotFound)

	path := "/organizations/" + org + "/mdm/apple/enterprise/devices/" + macID
	for _, body := range []string{
		``, `[]`, `null`, `{"displayName":1}`, `{"tags":"kiosk"}`, `{"tags":["kiosk",1]}`, `{"tags":[""]}`, `{"tags":null}`,
		`{"policyId":"kiosk"}`, `{"mdmUserId":"ana"}`, `{"segmentId":-1}`, `{"segmentId":1.5}`, `{"skipPersonalInfo":"yes"}`,
		`{"serialNumber":"X"}`,
	} {
		assert.Equal(t, http.StatusBadRequest, rawCall(t, srv, http.MethodPut, path, body), body)
	}
	held, _ := srv.AppleDevice(org, macID)
	assert.Equal(t, "Front desk Mac", held.DisplayName, "a refused update changes nothing")
	assert.Equal(t, http.StatusOK, rawCall(t, srv, http.MethodPut, path, `{"profiles":["p1"],"skipPersonalInfo":true}`),
		"the documented members the SDK does not send are taken")
	held, _ = srv.AppleDevice(org, macID)
	assert.Contains(t, string(held.Raw), `"profiles":["p1"]`)
}

func TestAppleDeviceFaults(t *testing.T) {
	t.Parallel()
	name := "Renamed"
	tests := []struct {
		name        string
		endpoint    appliverytest.Endpoint
		fault       appliverytest.Fault
		call        func(*applivery.Client) error
		wantUnknown bool
		wantRenamed bool
	}{
		{"get fails", appliverytest.EndpointAppleDeviceGet, appliverytest.Fault{Status: 503}, func(c *applivery.Client) error {
			_, err := c.AppleDevices.Get(context.Background(), org, macID)
			return err
		}, false, false},
		{"list fails", appliverytest.EndpointAppleDeviceList, appliverytest.Fault{Status: 500}, func(c *applivery.Client) error {
			_, err := c.AppleDevices.List(context.Background(), org, nil)
			return err
		}, false, false},
		{"an update refused", appliverytest.EndpointAppleDeviceUpdate, appliverytest.Fault{Status: 503}, func(c *applivery.Client) error {
			_, err := c.AppleDevices.Update(context.Background(), org, macID, &applivery.UpdateAppleDeviceRequest{DisplayName: &name})
			return err
		}, false, false},
		{"an update carried out whose answer is lost", appliverytest.EndpointAppleDeviceUpdate, appliverytest.Fault{Drop: true, Applied: true},
			func(c *applivery.Client) error {
				_, err := c.AppleDevices.Update(context.Background(), org, macID, &applivery.UpdateAppleDeviceRequest{DisplayName: &name})
				return err
			}, true, true},
		{"an update carried out, then a 502", appliverytest.EndpointAppleDeviceUpdate, appliverytest.Fault{Status: 502, Applied: true},
			func(c *applivery.Client) error {
				_, err := c.AppleDevices.Update(context.Background(), org, macID, &applivery.UpdateAppleDeviceRequest{DisplayName: &name})
				return err
			}, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, c := appleFleet(t)
			srv.Script(tt.endpoint, tt.fault)
			err := tt.call(c)
			require.Error(t, err)
			assert.Equal(t, tt.wantUnknown, errors.Is(err, applivery.ErrOutcomeUnknown), "%v", err)
			held, _ := srv.AppleDevice(org, macID)
			assert.Equal(t, tt.wantRenamed, held.DisplayName == name)
			require.NoError(t, tt.call(c), "the next call is answered normally")
		})
	}
}

func TestAppleDeviceUpdateIsRetriedByTheSDK(t *testing.T) {
	t.Parallel()
	srv := appliverytest.Start(t)
	c := srv.TestClient(t)
	srv.AddAppleDevice(org, applivery.AppleDevice{ID: macID})
	srv.Script(appliverytest.EndpointAppleDeviceUpdate, appliverytest.Fault{Status: 502, Applied: true}, appliverytest.Fault{Status: 503})
	name := "Renamed"
	got, err := c.AppleDevices.Update(context.Background(), org, macID, &applivery.UpdateAppleDeviceRequest{DisplayName: &name})
	require.NoError(t, err, "a PUT of the same fields is repeated until it is answered")
	assert.Equal(t, "Renamed", got.DisplayName)
	assert.Len(t, srv.Requests(), 3)
}

func TestAppleDevicesAreTargetsOfAppleCommands(t *testing.T) {
	t.Parallel()
	srv, c := appleFleet(t)
	ctx := context.Background()
	for _, id := range []string{macID, macSerial} {
		cmds, err := c.AppleCommands.Create(ctx, org, applivery.AppleTargetDevice,
			&applivery.CreateAppleCommandRequest{RequestType: "DeviceLock", TargetIDs: []string{id}})
		require.NoError(t, err, id)
		require.Len(t, cmds, 1)
		_, ok := srv.AppleCommand(org, cmds[0].ID)
		assert.True(t, ok, id)
	}
	_, err := c.AppleCommands.Create(ctx, org, applivery.AppleTargetDevice,
		&applivery.CreateAppleCommandRequest{RequestType: "DeviceLock", TargetIDs: []string{"C02XK0AAJGH9"}})
	assert.ErrorIs(t, err, applivery.ErrNotFound, "a device the server does not hold is no target")
}

func TestAppleDevicesAreInTheListOfEveryPlatform(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t)
	pixel := srv.AddDevice(org, applivery.Device{Raw: json.RawMessage(`{"serialNumber":"R58M123","tags":["berlin"]}`)})
	mac := srv.AddAppleDevice(org, applivery.AppleDevice{DisplayName: "Front desk Mac", Tags: []string{"kiosk", "berlin"},
		MDMUser: &applivery.DeviceUser{ID: userAna},
		Raw:     json.RawMessage(`{"serialNumber":"` + macSerial + `","type":"macos","admPolicy":{"id":"` + admPolicy + `"}}`)})
	ipad := srv.AddAppleDevice(org, applivery.AppleDevice{Raw: json.RawMessage(`{"serialNumber":"DMPXK1ABCD12"}`)})
	srv.AddAppleDevice(org, applivery.AppleDevice{Raw: json.RawMessage(`{"serialNumber":"DMPXK1ABCD99","deleted":true}`)})
	srv.AddAppleDevice(otherOrgID, applivery.AppleDevice{Raw: json.RawMessage(`{"serialNumber":"` + macSerial + `"}`)})
	tests := []struct {
		name string
		o    *applivery.ListMDMDevicesOptions
		want []string
	}{
		{"every platform, in the order added", nil, []string{pixel.ID, mac.ID, ipad.ID}},
		{"newest first", &applivery.ListMDMDevicesOptions{Sort: "createdAt:desc"}, []string{ipad.ID, mac.ID, pixel.ID}},
		{"apple", &applivery.ListMDMDevicesOptions{Type: "apple"}, []string{mac.ID, ipad.ID}},
		{"android", &applivery.ListMDMDevicesOptions{Type: "android"}, []string{pixel.ID}},
		{"by serial number", &applivery.ListMDMDevicesOptions{SerialNumber: macSerial}, []string{mac.ID}},
		{"a tag on both platforms", &applivery.ListMDMDevicesOptions{Tags: []string{"berlin"}}, []string{pixel.ID, mac.ID}},
		{"user", &applivery.ListMDMDevicesOptions{MDMUserID: userAna}, []string{mac.ID}},
		{"policy", &applivery.ListMDMDevicesOptions{PolicyID: admPolicy}, []string{mac.ID}},
		{"search", &applivery.ListMDMDevicesOptions{Search: "abcd12"}, []string{ipad.ID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for d, err := range c.Devices.ListAll(context.Background(), org, tt.o) {
				require.NoError(t, err)
				want := "android"
				if d.ID != pixel.ID {
					want = "apple"
				}
				assert.Equal(t, want, d.Type, "the platform, whatever the device's own type")
				assert.Equal(t, "device", d.SubType)
				got = append(got, d.ID)
			}
			assert.Equal(t, tt.want, got)
		})
	}
	page, err := c.Devices.List(context.Background(), org, &applivery.ListMDMDevicesOptions{SerialNumber: macSerial})
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	var raw map[string]any
	require.NoError(t, json.Unmarshal(page.Items[0].Raw, &raw))
	assert.Equal(t, "Front desk Mac", raw["displayName"], "the rest of the device is served")
}
