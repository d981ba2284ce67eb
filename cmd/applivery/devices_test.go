package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/applivery/applivery-go"
	"github.com/applivery/applivery-go/appliverytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// everyPlatform adds a (serial R58M123, kiosk, ACTIVE), b (serial
// C02XK0AAJGH5, berlin) and c (no serial number).
func everyPlatform(t *testing.T) (srv *appliverytest.Server, a, b, c applivery.Device) {
	t.Helper()
	srv = newServer(t)
	a = srv.AddDevice(org, applivery.Device{Raw: json.RawMessage(`{"serialNumber":"R58M123","imei":"356938035643809","state":"ACTIVE","tags":["kiosk"]}`)})
	b = srv.AddDevice(org, applivery.Device{Raw: json.RawMessage(`{"serialNumber":"C02XK0AAJGH5","name":"Front desk","tags":["berlin"]}`)})
	c = srv.AddDevice(org, applivery.Device{})
	return srv, a, b, c
}

func TestDevicesList(t *testing.T) {
	t.Parallel()
	srv, a, b, c := everyPlatform(t)
	list := []string{"devices", "list", "--org", org}

	r := runCLI(t, srv, nil, "", list...)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, a.ID+"\tandroid\tACTIVE\tR58M123\n"+b.ID+"\tandroid\t-\tC02XK0AAJGH5\n"+c.ID+"\tandroid\t-\t-\n", r.stdout,
		"ID, platform, state, serial number; - for what the API did not send")

	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"by serial number", []string{"--serial", "C02XK0AAJGH5"}, []string{b.ID}},
		{"by IMEI", []string{"--imei", "356938035643809"}, []string{a.ID}},
		{"by platform", []string{"--type", "android"}, []string{a.ID, b.ID, c.ID}},
		{"no Apple devices yet", []string{"--type", "apple"}, nil},
		{"by tag", []string{"--tag", "berlin"}, []string{b.ID}},
		{"by every tag", []string{"--tag", "berlin", "--tag", "kiosk"}, nil},
		{"by search", []string{"--search", "front"}, []string{b.ID}},
		{"by state", []string{"--state", "ACTIVE"}, []string{a.ID}},
		{"every page", []string{"--limit", "1"}, []string{a.ID, b.ID, c.ID}},
		{"one page", []string{"--page", "2", "--limit", "1"}, []string{b.ID}},
		{"newest first", []string{"--sort", "createdAt:desc", "--limit", "2"}, []string{c.ID, b.ID, a.ID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, srv, nil, "", append(append(list, tt.args...), "--output", "json")...)
			require.Equal(t, 0, r.code, r.stderr)
			var got []map[string]any
			require.NoError(t, json.Unmarshal([]byte(r.stdout), &got))
			var ids []string
			for _, d := range got {
				ids = append(ids, d["id"].(string))
				assert.Equal(t, "android", d["type"], "the device as the API sent it")
			}
			assert.Equal(t, tt.want, ids)
		})
	}
}

func TestDevicesFind(t *testing.T) {
	t.Parallel()
	srv, a, _, _ := everyPlatform(t)

	r := runCLI(t, srv, nil, "", "devices", "find", "R58M123", "--org", org)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, a.ID+"\tandroid\tACTIVE\tR58M123\n", r.stdout, "its ID and platform")
	assert.Empty(t, r.stderr)

	r = runCLI(t, srv, nil, "", "devices", "find", "R58M123", "--org", org, "--output", "json")
	require.Equal(t, 0, r.code, r.stderr)
	var one map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &one), "one device: an object, as get prints")
	assert.Equal(t, a.ID, one["id"])
	assert.Equal(t, "android", one["type"])

	r = runCLI(t, srv, nil, "", "devices", "find", "R58M999", "--org", org)
	assert.Equal(t, 3, r.code)
	assert.Empty(t, r.stdout)
	assert.Equal(t, "applivery: no device has serial number \"R58M999\"\n", r.stderr)
}

func TestDevicesFindSeveral(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	a := srv.AddDevice(org, applivery.Device{Raw: json.RawMessage(`{"serialNumber":"R58M123"}`)})
	b := srv.AddDevice(org, applivery.Device{Raw: json.RawMessage(`{"serialNumber":"R58M123","state":"ENROLLING"}`)})

	r := runCLI(t, srv, nil, "", "devices", "find", "R58M123", "--org", org)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, a.ID+"\tandroid\t-\tR58M123\n"+b.ID+"\tandroid\tENROLLING\tR58M123\n", r.stdout, "every one")
	assert.Equal(t, "applivery: 2 devices have serial number \"R58M123\"\n", r.stderr)

	r = runCLI(t, srv, nil, "", "devices", "find", "R58M123", "--org", org, "--output", "json")
	require.Equal(t, 0, r.code, r.stderr)
	var all []map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &all), "several: an array")
	assert.Len(t, all, 2)
}

func TestDevicesFindLeavesOutAPartialMatch(t *testing.T) {
	t.Parallel()
	// A server that matches a part of the serial number: find keeps only
	// the device whose serial number is the one asked for, and one that
	// sends none, which it cannot tell apart.
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "/v1/organizations/"+org+"/mdm/devices", r.URL.Path)
		assert.Equal(t, "R58M123", r.URL.Query().Get("serialNumber"))
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"status":true,"data":{"items":[{"id":"5f1e0c2a9b8d7e6f5a4b0001","type":"apple","serialNumber":"R58M1234"},`+
			`{"id":"5f1e0c2a9b8d7e6f5a4b0002","type":"windows","serialNumber":"R58M123"},`+
			`{"id":"5f1e0c2a9b8d7e6f5a4b0003","type":"android"}],"page":1,"totalPages":1}}`)
	}))
	t.Cleanup(api.Close)
	env := []string{"APPLIVERY_API_KEY=sk_test_2f8b1c9d4e7a6f3b", "APPLIVERY_BASE_URL=" + api.URL + "/v1"}
	r := runCLI(t, nil, env, "", "devices", "find", "R58M123", "--org", org)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, "5f1e0c2a9b8d7e6f5a4b0002\twindows\t-\tR58M123\n5f1e0c2a9b8d7e6f5a4b0003\tandroid\t-\t-\n", r.stdout)
}

func TestDevicesExitStatuses(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	long := strings.Repeat("x", 257)
	tests := []struct {
		name    string
		args    []string
		want    int
		wantErr string
	}{
		{"list: no org", []string{"list"}, 2, "applivery: --org is required"},
		{"list: a platform", []string{"list", "--org", org, "--type", "ios"}, 2, `applivery: --type "ios": must be "android", "apple" or "windows"`},
		{"list: a long serial", []string{"list", "--org", org, "--serial", long}, 2, `applivery: --serial "` + long[:64] + `…": must be at most 256 characters`},
		{"list: a long IMEI", []string{"list", "--org", org, "--imei", long}, 2, "applivery: --imei"},
		{"list: a long search", []string{"list", "--org", org, "--search", long}, 2, "applivery: --search"},
		{"list: a long state", []string{"list", "--org", org, "--state", long}, 2, "applivery: --state"},
		{"list: an empty tag", []string{"list", "--org", org, "--tag", ""}, 2, "applivery: --tag: tag 0 is empty"},
		{"list: a sort", []string{"list", "--org", org, "--sort", "name:up"}, 2, `applivery: --sort "name:up"`},
		{"list: an unknown organization", []string{"list", "--org", "nobody-here"}, 3, "404 Entity not found"},
		{"find: no serial", []string{"find", "--org", org}, 2, "applivery: devices find takes SERIAL first"},
		{"find: no org", []string{"find", "R58M123"}, 2, "applivery: --org is required"},
		{"find: a long serial", []string{"find", long, "--org", org}, 2, `applivery: SERIAL "` + long[:64] + `…": must be at most 256 characters`},
		{"find: two serials", []string{"find", "R58M123", "R58M124", "--org", org}, 2, `unexpected argument "R58M124"`},
		{"find: an unknown organization", []string{"find", "R58M123", "--org", "nobody-here"}, 3, "404 Entity not found"},
		{"an unknown verb", []string{"unplug", "--org", org}, 2, `unknown command "devices unplug --org acme-fleet"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, srv, nil, "", append([]string{"devices"}, tt.args...)...)
			assert.Equal(t, tt.want, r.code, r.stderr)
			assert.Contains(t, r.stderr, tt.wantErr)
			assert.Empty(t, r.stdout)
		})
	}
}
