package appliverytest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/applivery/applivery-go"
	"github.com/applivery/applivery-go/appliverytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	userAna    = "60b7c8d9e0f1a2b3c4d5e6f7"
	userBen    = "60b7c8d9e0f1a2b3c4d5e6f8"
	kioskID    = "62c1d2e3f4a5b6c7d8e9f0a1"
	officeID   = "62c1d2e3f4a5b6c7d8e9f0a2"
	deviceIDa  = "5f1e0c2a9b8d7e6f5a4b3c2d"
	serialA    = "R58M123"
	imeiA      = "356938035643809"
	otherOrgID = "other-org"
)

// fleet adds four devices to a server: a (Ana, kiosk, tags kiosk+berlin,
// segment 4, aliases), b (Ben, office, tag berlin, segment 5), c (no user,
// deleted) and one in another organization.
func fleet(t *testing.T) (*appliverytest.Server, *applivery.Client) {
	t.Helper()
	srv, c := newServer(t)
	srv.AddDevice(org, applivery.Device{ID: deviceIDa, MDMUser: &applivery.DeviceUser{ID: userAna, Email: "ana@acme.example"},
		Policy: &applivery.DevicePolicy{ID: kioskID, Name: "Kiosk"},
		Raw:    json.RawMessage(`{"tags":["kiosk","berlin"],"segmentId":4,"deviceEmmPolicy":{"config":{"kiosk":true}}}`)},
		serialA, imeiA)
	srv.AddDevice(org, applivery.Device{MDMUser: &applivery.DeviceUser{ID: userBen}, Policy: &applivery.DevicePolicy{ID: officeID},
		Raw: json.RawMessage(`{"tags":["berlin"],"segmentId":5}`)})
	srv.AddDevice(org, applivery.Device{Raw: json.RawMessage(`{"deleted":true}`)})
	srv.AddDevice(otherOrgID, applivery.Device{})
	return srv, c
}

func TestAddDevice(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t)
	stored := srv.AddDevice(org, applivery.Device{
		Policy: &applivery.DevicePolicy{ID: kioskID, Name: "Kiosk"},
		Raw:    json.RawMessage(`{"serialNumber":"R58M123","deviceEmmPolicy":{"name":"old","config":{"kiosk":true}}}`),
	}, serialA)
	assert.Regexp(t, `^[0-9a-f]{24}$`, stored.ID)
	assert.False(t, stored.CreatedAt.IsZero())
	var raw map[string]any
	require.NoError(t, json.Unmarshal(stored.Raw, &raw))
	assert.Equal(t, stored.ID, raw["id"], "the typed fields are merged into Raw")
	assert.Equal(t, "R58M123", raw["serialNumber"], "what Raw held is kept")
	assert.Equal(t, map[string]any{"id": kioskID, "name": "Kiosk", "config": map[string]any{"kiosk": true}}, raw["deviceEmmPolicy"],
		"the typed policy wins, its config stays")

	got, err := c.AndroidDevices.Get(context.Background(), org, serialA)
	require.NoError(t, err)
	assert.Equal(t, stored.ID, got.ID)
	assert.JSONEq(t, string(stored.Raw), string(got.Raw), "served as stored")
	assert.Equal(t, stored.Policy, got.Policy)

	for name, f := range map[string]func(){
		"bad organization":  func() { srv.AddDevice("a/b", applivery.Device{}) },
		"bad id":            func() { srv.AddDevice(org, applivery.Device{ID: "R58M123"}) },
		"bad alias":         func() { srv.AddDevice(org, applivery.Device{}, "R58 M123") },
		"raw not an object": func() { srv.AddDevice(org, applivery.Device{Raw: json.RawMessage(`[1]`)}) },
	} {
		assert.Panics(t, f, name)
	}
}

func TestDeviceGet(t *testing.T) {
	t.Parallel()
	srv, c := fleet(t)
	ctx := context.Background()
	for _, id := range []string{deviceIDa, serialA, imeiA} {
		got, err := c.AndroidDevices.Get(ctx, org, id)
		require.NoError(t, err, id)
		assert.Equal(t, deviceIDa, got.ID, id)
		assert.Equal(t, "ana@acme.example", got.MDMUser.Email)
	}
	_, err := c.AndroidDevices.Get(ctx, org, "R58M999")
	assert.ErrorIs(t, err, applivery.ErrNotFound)
	var apiErr *applivery.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, applivery.CodeEntityNotFound, apiErr.Code)
	_, err = c.AndroidDevices.Get(ctx, otherOrgID, serialA)
	assert.ErrorIs(t, err, applivery.ErrNotFound, "aliases are per organization")
	assert.Equal(t, appliverytest.EndpointDeviceGet, srv.Requests()[0].Endpoint)
}

func TestDeviceListFilters(t *testing.T) {
	t.Parallel()
	srv, c := fleet(t)
	four, five, nine := 4, 5, 9
	tests := []struct {
		name string
		opts *applivery.ListDevicesOptions
		want int // devices
	}{
		{"all but the deleted", nil, 2},
		{"show deleted", &applivery.ListDevicesOptions{ShowDeleted: true}, 3},
		{"mdm user", &applivery.ListDevicesOptions{MDMUser: userAna}, 1},
		{"policy", &applivery.ListDevicesOptions{EMMPolicy: officeID}, 1},
		{"one tag", &applivery.ListDevicesOptions{Tags: []string{"berlin"}}, 2},
		{"every tag asked", &applivery.ListDevicesOptions{Tags: []string{"berlin", "kiosk"}}, 1},
		{"a tag nobody has", &applivery.ListDevicesOptions{Tags: []string{"paris"}}, 0},
		{"segment", &applivery.ListDevicesOptions{SegmentID: &five}, 1},
		{"segment, expanded (the fake has no tree)", &applivery.ListDevicesOptions{SegmentID: &four, ExpandTo: "children"}, 1},
		{"empty segment", &applivery.ListDevicesOptions{SegmentID: &nine}, 0},
		{"filters together", &applivery.ListDevicesOptions{Tags: []string{"berlin"}, MDMUser: userBen}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			page, err := c.AndroidDevices.List(context.Background(), org, tt.opts)
			require.NoError(t, err)
			assert.Len(t, page.Items, tt.want)
			assert.Equal(t, tt.want, page.TotalDocs)
		})
	}
	t.Cleanup(func() {
		for _, r := range srv.Requests() {
			assert.Equal(t, appliverytest.EndpointDeviceList, r.Endpoint)
		}
	})
}

func TestDeviceListPagesAndRefusesBadQueries(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t)
	var ids []string
	for range 7 {
		ids = append(ids, srv.AddDevice(org, applivery.Device{}).ID)
	}
	var got []string
	for d, err := range c.AndroidDevices.ListAll(context.Background(), org, &applivery.ListDevicesOptions{Limit: 3}) {
		require.NoError(t, err)
		got = append(got, d.ID)
	}
	assert.Equal(t, ids, got, "in the order they were added, three a page")
	page, err := c.AndroidDevices.List(context.Background(), org, &applivery.ListDevicesOptions{Sort: "createdAt:desc", Limit: 2})
	require.NoError(t, err)
	assert.Equal(t, []string{ids[6], ids[5]}, []string{page.Items[0].ID, page.Items[1].ID})
	assert.Equal(t, 4, page.TotalPages)

	for _, query := range []string{"page=0", "limit=x", "sort=a:b", "mdm-user=ana", "emm-policy=x", "show-deleted=yes",
		"segmentId=-1", "expandTo=children", "segmentId=1&expandTo=up"} {
		req, err := http.NewRequest(http.MethodGet, srv.URL+"/organizations/"+org+"/mdm/android/enterprise/devices?"+query, nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+srv.APIKey)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode, query)
	}
}

func TestDeviceMove(t *testing.T) {
	t.Parallel()
	srv, c := fleet(t)
	ctx := context.Background()
	moved, err := c.AndroidDevices.Move(ctx, org, deviceIDa, 9)
	require.NoError(t, err)
	assert.Equal(t, deviceIDa, moved.ID)
	assert.Contains(t, string(moved.Raw), `"segmentId":9`)
	nine := 9
	page, err := c.AndroidDevices.List(ctx, org, &applivery.ListDevicesOptions{SegmentID: &nine})
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	assert.Equal(t, deviceIDa, page.Items[0].ID)
	assert.Contains(t, string(page.Items[0].Raw), `"kiosk":true`, "the rest of the device is kept")

	_, err = c.AndroidDevices.Move(ctx, org, "5f1e0c2a9b8d7e6f5a4b3c99", 1)
	assert.ErrorIs(t, err, applivery.ErrNotFound)

	// What the SDK refuses, a client of the raw API sends: the fake refuses it too.
	for _, tt := range []struct{ path, body string }{
		{serialA, `{"segmentId":1}`},    // a serial number
		{deviceIDa, `{"segmentId":-1}`}, // a negative segment
		{deviceIDa, `{}`},               // no segment
	} {
		req, err := http.NewRequest(http.MethodPut, srv.URL+"/organizations/"+org+"/mdm/android/enterprise/devices/"+tt.path+"/move",
			strings.NewReader(tt.body))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+srv.APIKey)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "%s %s", tt.path, tt.body)
	}
	var moves int
	for _, r := range srv.Requests() {
		if r.Endpoint == appliverytest.EndpointDeviceMove {
			moves++
		}
	}
	assert.Equal(t, 5, moves)
}

func TestDeviceEndpointsCanBeScripted(t *testing.T) {
	t.Parallel()
	srv, c := fleet(t)
	srv.Script(appliverytest.EndpointDeviceGet, appliverytest.Fault{Status: 503})
	srv.Script(appliverytest.EndpointDeviceList, appliverytest.Fault{Code: applivery.CodeFeatureNotAllowed})
	srv.Script(appliverytest.EndpointDeviceMove, appliverytest.Fault{Drop: true, Applied: true})
	ctx := context.Background()
	_, err := c.AndroidDevices.Get(ctx, org, serialA)
	assert.Error(t, err, "no retries: the 503 is the answer")
	_, err = c.AndroidDevices.List(ctx, org, nil)
	assert.ErrorIs(t, err, applivery.ErrFeatureNotAllowed)
	_, err = c.AndroidDevices.Move(ctx, org, deviceIDa, 7)
	assert.ErrorIs(t, err, applivery.ErrOutcomeUnknown)
	got, _ := srv.Device(org, deviceIDa)
	assert.Contains(t, string(got.Raw), `"segmentId":7`, "the move was carried out")
}

func TestAliasesReachTheSameCommands(t *testing.T) {
	t.Parallel()
	srv, c := fleet(t)
	ctx := context.Background()
	byID := srv.AddCommand(org, deviceIDa, applivery.Command{})
	bySerial, err := c.AndroidCommands.Create(ctx, org, serialA, &applivery.CreateCommandRequest{Type: applivery.CommandTypeLock})
	require.NoError(t, err)

	for _, id := range []string{deviceIDa, serialA, imeiA} {
		page, err := c.AndroidCommands.List(ctx, org, id, nil)
		require.NoError(t, err, id)
		var ids []string
		for _, cmd := range page.Items {
			ids = append(ids, cmd.ID)
		}
		slices.Sort(ids)
		want := []string{byID.ID, bySerial.ID}
		slices.Sort(want)
		assert.Equal(t, want, ids, "the commands of %s", id)
	}
	_, err = c.AndroidCommands.Cancel(ctx, org, imeiA, byID.ID)
	require.NoError(t, err)
	got, ok := srv.Command(org, serialA, byID.ID)
	require.True(t, ok)
	assert.Equal(t, applivery.CommandStatusCanceled, got.Status)

	// A device that was never added keeps its commands under the name used.
	srv.AddCommand(org, "pixel8_0042", applivery.Command{})
	page, err := c.AndroidCommands.List(ctx, org, "pixel8_0042", nil)
	require.NoError(t, err)
	assert.Len(t, page.Items, 1)
}

// TestAddDeviceTakesOverSeededCommands: commands that AddCommand seeded on a
// name before AddDevice made that name a device's ID or alias stay
// reachable, through every name of the device.
func TestAddDeviceTakesOverSeededCommands(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		seedOn string // the name AddCommand is given
	}{
		{"seeded by serial, added with it as an alias", serialA},
		{"seeded by IMEI, added with it as an alias", imeiA},
		{"seeded by ID, added with that ID", deviceIDa},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, c := newServer(t)
			ctx := context.Background()
			seeded := srv.AddCommand(org, tt.seedOn, applivery.Command{})
			created, err := c.AndroidCommands.Create(ctx, org, tt.seedOn, &applivery.CreateCommandRequest{Type: applivery.CommandTypeLock})
			require.NoError(t, err)

			srv.AddDevice(org, applivery.Device{ID: deviceIDa}, serialA, imeiA)

			for _, name := range []string{deviceIDa, serialA, imeiA} {
				page, err := c.AndroidCommands.List(ctx, org, name, &applivery.ListCommandsOptions{Sort: "createdAt"})
				require.NoError(t, err, name)
				assert.ElementsMatch(t, []string{seeded.ID, created.ID}, commandIDs(page.Items), "the commands of %s", name)
				got, ok := srv.Command(org, name, seeded.ID)
				assert.True(t, ok, name)
				assert.Equal(t, seeded.ID, got.ID)
			}
			_, err = c.AndroidCommands.Cancel(ctx, org, deviceIDa, seeded.ID)
			require.NoError(t, err)
			got, _ := srv.Command(org, tt.seedOn, seeded.ID)
			assert.Equal(t, applivery.CommandStatusCanceled, got.Status, "one command, whatever name reaches it")
		})
	}
}

// TestAnAliasBelongsToOneDevice: an alias given to a second device moves to
// it, and replacing the first device does not take it away again.
func TestAnAliasBelongsToOneDevice(t *testing.T) {
	t.Parallel()
	const (
		idA = "5f1e0c2a9b8d7e6f5a4b3c2d"
		idB = "5f1e0c2a9b8d7e6f5a4b3c2e"
	)
	tests := []struct {
		name      string
		then      func(*appliverytest.Server) // after S1 has moved from A to B
		wantOwner string                      // of S1; "" for none
	}{
		{"A replaced without the alias", func(s *appliverytest.Server) { s.AddDevice(org, applivery.Device{ID: idA}) }, idB},
		{"A replaced with other aliases", func(s *appliverytest.Server) { s.AddDevice(org, applivery.Device{ID: idA}, "S2") }, idB},
		{"A replaced twice", func(s *appliverytest.Server) {
			s.AddDevice(org, applivery.Device{ID: idA})
			s.AddDevice(org, applivery.Device{ID: idA})
		}, idB},
		{"B replaced without it", func(s *appliverytest.Server) { s.AddDevice(org, applivery.Device{ID: idB}) }, ""},
		{"B replaced with it", func(s *appliverytest.Server) { s.AddDevice(org, applivery.Device{ID: idB}, "S1") }, idB},
		{"A takes it back", func(s *appliverytest.Server) { s.AddDevice(org, applivery.Device{ID: idA}, "S1") }, idA},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, c := newServer(t)
			srv.AddDevice(org, applivery.Device{ID: idA}, "S1")
			srv.AddDevice(org, applivery.Device{ID: idB}, "S1")
			tt.then(srv)

			got, err := c.AndroidDevices.Get(context.Background(), org, "S1")
			if tt.wantOwner == "" {
				assert.ErrorIs(t, err, applivery.ErrNotFound)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantOwner, got.ID)
			stored, ok := srv.Device(org, "S1")
			require.True(t, ok)
			assert.Equal(t, tt.wantOwner, stored.ID)
		})
	}
}
