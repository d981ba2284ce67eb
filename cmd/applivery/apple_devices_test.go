package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/applivery/applivery-go"
	"github.com/applivery/applivery-go/appliverytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Apple devices of the CLI's tests.
const (
	appleMacID  = "65a1f0c2e4b0a1b2c3d4e5f6"
	appleUserID = "60b7c8d9e0f1a2b3c4d5e6f7"
	applePolicy = "63d2e3f4a5b6c7d8e9f0a1b2"
)

// appleDeviceServer starts a fake API with two Apple devices in org: the Mac
// (Ana, policy, tags kiosk and berlin, segment 4, a serial number) and an
// iPad (tag berlin, segment 0).
func appleDeviceServer(t *testing.T) (*appliverytest.Server, applivery.AppleDevice, applivery.AppleDevice) {
	t.Helper()
	srv := newServer(t)
	mac := srv.AddAppleDevice(org, applivery.AppleDevice{ID: appleMacID, DisplayName: "Front desk Mac", Tags: []string{"kiosk", "berlin"},
		MDMUser: &applivery.DeviceUser{ID: appleUserID, Email: "ana@acme.example"},
		Raw:     json.RawMessage(`{"segmentId":4,"admPolicy":{"id":"` + applePolicy + `"}}`)}, "C02XK0AAJGH5")
	ipad := srv.AddAppleDevice(org, applivery.AppleDevice{DisplayName: "iPad", Tags: []string{"berlin"}, Raw: json.RawMessage(`{"segmentId":0}`)})
	return srv, mac, ipad
}

// jsonIDs returns the ids of a JSON array of devices.
func jsonIDs(t *testing.T, out string) []string {
	t.Helper()
	var got []map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &got), out)
	var ids []string
	for _, d := range got {
		ids = append(ids, d["id"].(string))
	}
	return ids
}

func TestAppleDevicesList(t *testing.T) {
	t.Parallel()
	srv, mac, ipad := appleDeviceServer(t)
	list := []string{"apple", "devices", "list", "--org", org}

	r := runCLI(t, srv, nil, "", list...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Regexp(t, `^`+mac.ID+`\tFront desk Mac\tana@acme.example\tkiosk,berlin\t\d{4}-\d\d-\d\dT[\d:.]+Z\n`+
		ipad.ID+`\tiPad\t-\tberlin\t\S+\n$`, r.stdout)

	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"a tag", []string{"--tag", "kiosk"}, []string{mac.ID}},
		{"every tag given", []string{"--tag", "kiosk", "--tag", "berlin"}, []string{mac.ID}},
		{"a tag nobody has", []string{"--tag", "paris"}, nil},
		{"user", []string{"--user", appleUserID}, []string{mac.ID}},
		{"policy", []string{"--policy", applePolicy}, []string{mac.ID}},
		{"user policy", []string{"--user-policy", applePolicy}, []string{mac.ID, ipad.ID}},
		{"segment", []string{"--segment", "0"}, []string{ipad.ID}},
		{"segment, expanded", []string{"--segment", "4", "--expand-to", "children"}, []string{mac.ID}},
		{"every page", []string{"--show-deleted", "--limit", "1"}, []string{mac.ID, ipad.ID}},
		{"one page", []string{"--page", "2", "--limit", "1"}, []string{ipad.ID}},
		{"sorted", []string{"--sort", "createdAt:desc"}, []string{ipad.ID, mac.ID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, srv, nil, "", append(append(list, tt.args...), "--output", "json")...)
			require.Equal(t, exitOK, r.code, r.stderr)
			if tt.want == nil {
				assert.Equal(t, "[]\n", r.stdout)
				return
			}
			assert.Equal(t, tt.want, jsonIDs(t, r.stdout))
		})
	}
}

func TestAppleDevicesGet(t *testing.T) {
	t.Parallel()
	srv, mac, _ := appleDeviceServer(t)
	r := runCLI(t, srv, nil, "", "apple", "devices", "get", "--org", org, "--device", mac.ID, "--output", "json")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.JSONEq(t, string(mac.Raw), r.stdout, "the device as the API sent it")

	r = runCLI(t, srv, nil, "", "apple", "devices", "get", "--org", org, "--device", "C02XK0AAJGH5")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.True(t, strings.HasPrefix(r.stdout, mac.ID+"\tFront desk Mac\t"), r.stdout)

	r = runCLI(t, srv, nil, "", "apple", "devices", "get", "--org", org, "--device", "C02XK0AAJGH9")
	assert.Equal(t, exitNotFound, r.code, r.stderr)
	assert.Contains(t, r.stderr, "404 Entity not found (code 3001)")
}

func TestAppleDevicesUpdate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		args      []string
		wantName  string
		wantTags  []string
		wantUser  string
		wantInRaw string
	}{
		{"a rename keeps the tags", []string{"--name", "Reception Mac"}, "Reception Mac", []string{"kiosk", "berlin"}, appleUserID, ""},
		{"an empty name is a change", []string{"--name", ""}, "", []string{"kiosk", "berlin"}, appleUserID, ""},
		{"tags replace the old", []string{"--tag", "lobby", "--tag", "paris"}, "Front desk Mac", []string{"lobby", "paris"}, appleUserID, ""},
		{"clear the tags", []string{"--clear-tags"}, "Front desk Mac", []string{}, appleUserID, `"tags":[]`},
		{"policy, user and segment", []string{"--policy", "62c1d2e3f4a5b6c7d8e9f0a1", "--user", "60b7c8d9e0f1a2b3c4d5e6f8", "--segment", "9"},
			"Front desk Mac", []string{"kiosk", "berlin"}, "60b7c8d9e0f1a2b3c4d5e6f8", `"segmentId":9`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, mac, _ := appleDeviceServer(t)
			args := append([]string{"apple", "devices", "update", "--org", org, "--device", mac.ID}, tt.args...)
			r := runCLI(t, srv, nil, "", args...)
			require.Equal(t, exitOK, r.code, r.stderr)
			assert.True(t, strings.HasPrefix(r.stdout, mac.ID+"\t"), r.stdout)
			held, ok := srv.AppleDevice(org, mac.ID)
			require.True(t, ok)
			assert.Equal(t, tt.wantName, held.DisplayName)
			assert.Equal(t, tt.wantTags, held.Tags)
			assert.Equal(t, tt.wantUser, held.MDMUser.ID)
			assert.Contains(t, string(held.Raw), tt.wantInRaw)
		})
	}
}

func TestAppleDevicesRefusedBeforeTheWire(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		args       []string
		wantStderr string
	}{
		{"get without a device", []string{"get", "--org", org}, "--device is required"},
		{"get by a device that is not word characters", []string{"get", "--org", org, "--device", "C02-XK0"}, "--device"},
		{"list without an organization", []string{"list"}, "--org is required"},
		{"list by a policy that is not an id", []string{"list", "--org", org, "--policy", "kiosk"}, "--policy"},
		{"list by a user policy that is not an id", []string{"list", "--org", org, "--user-policy", "kiosk"}, "--user-policy"},
		{"list by a user that is not an id", []string{"list", "--org", org, "--user", "ana"}, "--user"},
		{"list expanded without a segment", []string{"list", "--org", org, "--expand-to", "children"}, "--expand-to"},
		{"update without a change", []string{"update", "--org", org, "--device", appleMacID}, "nothing to update"},
		{"update with tags and none", []string{"update", "--org", org, "--device", appleMacID, "--tag", "a", "--clear-tags"}, "--clear-tags"},
		{"update to a policy that is not an id", []string{"update", "--org", org, "--device", appleMacID, "--policy", "kiosk"}, "--policy"},
		{"update to a user that is not an id", []string{"update", "--org", org, "--device", appleMacID, "--user", "ana"}, "--user"},
		{"update with an empty tag", []string{"update", "--org", org, "--device", appleMacID, "--tag", ""}, "--tag"},
		{"update without a device", []string{"update", "--org", org, "--name", "x"}, "--device is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, _, _ := appleDeviceServer(t)
			r := runCLI(t, srv, nil, "", append([]string{"apple", "devices"}, tt.args...)...)
			assert.Equal(t, exitUsage, r.code, r.stderr)
			assert.Contains(t, r.stderr, tt.wantStderr)
			assert.Empty(t, srv.Requests(), "nothing was sent")
		})
	}
}

func TestAppleDevicesUpdateThatMayHaveActed(t *testing.T) {
	t.Parallel()
	srv, mac, _ := appleDeviceServer(t)
	srv.Script(appliverytest.EndpointAppleDeviceUpdate, appliverytest.Fault{Status: 502, Applied: true})
	r := runCLI(t, srv, nil, "", "apple", "devices", "update", "--org", org, "--device", mac.ID, "--name", "Renamed", "--max-retries", "0")
	assert.Equal(t, exitAPI, r.code, r.stderr)
	assert.Contains(t, r.stderr, "the device may have been updated")
	held, _ := srv.AppleDevice(org, mac.ID)
	assert.Equal(t, "Renamed", held.DisplayName, "the fault let the update through")
}
