package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/applivery/applivery-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDevices(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	a := srv.AddDevice(org, applivery.Device{
		MDMUser: &applivery.DeviceUser{ID: "60b7c8d9e0f1a2b3c4d5e6f7", Email: "ana@acme.example"},
		Policy:  &applivery.DevicePolicy{ID: "62c1d2e3f4a5b6c7d8e9f0a1", Name: "Kiosk"},
		Raw:     json.RawMessage(`{"tags":["kiosk"],"segmentId":4}`),
	}, "R58M123")
	b := srv.AddDevice(org, applivery.Device{Raw: json.RawMessage(`{"tags":["berlin"],"segmentId":0}`)})
	list := []string{"android", "devices", "list", "--org", org}

	r := runCLI(t, srv, nil, "", list...)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Regexp(t, `^`+a.ID+`\tana@acme.example\tKiosk\t\d{4}-\d\d-\d\dT[\d:]+Z\n`+b.ID+`\t-\t-\t\S+\n$`, r.stdout)

	for _, tt := range []struct {
		args []string
		want []string
	}{
		{[]string{"--tag", "kiosk"}, []string{a.ID}},
		{[]string{"--tag", "kiosk", "--tag", "berlin"}, nil},
		{[]string{"--user", "60b7c8d9e0f1a2b3c4d5e6f7"}, []string{a.ID}},
		{[]string{"--policy", "62c1d2e3f4a5b6c7d8e9f0a1"}, []string{a.ID}},
		{[]string{"--segment", "0"}, []string{b.ID}},
		{[]string{"--segment", "4", "--expand-to", "children"}, []string{a.ID}},
		{[]string{"--show-deleted", "--limit", "1"}, []string{a.ID, b.ID}},
		{[]string{"--page", "2", "--limit", "1"}, []string{b.ID}},
	} {
		r := runCLI(t, srv, nil, "", append(append(list, tt.args...), "--output", "json")...)
		require.Equal(t, 0, r.code, "%v: %s", tt.args, r.stderr)
		var got []map[string]any
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &got))
		var ids []string
		for _, d := range got {
			ids = append(ids, d["id"].(string))
		}
		assert.Equal(t, tt.want, ids, "%v", tt.args)
	}

	r = runCLI(t, srv, nil, "", "android", "devices", "get", "--org", org, "--device", "R58M123", "--output", "json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.JSONEq(t, string(a.Raw), r.stdout, "the device as the API sent it")

	r = runCLI(t, srv, nil, "", "android", "devices", "move", "--org", org, "--device", a.ID, "--segment", "9")
	require.Equal(t, 0, r.code, r.stderr)
	assert.True(t, strings.HasPrefix(r.stdout, a.ID+"\t"))
	moved, _ := srv.Device(org, a.ID)
	assert.Contains(t, string(moved.Raw), `"segmentId":9`)
}

func TestDeviceExitStatuses(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	tests := []struct {
		args    []string
		want    int
		wantErr string
	}{
		{[]string{"get", "--org", org, "--device", "R58M999"}, 3, "404 Entity not found"},
		{[]string{"get", "--org", org}, 2, "applivery: --device is required"},
		{[]string{"move", "--org", org, "--device", "R58M123", "--segment", "1"}, 2, `applivery: --device "R58M123": must match ` + applivery.ObjectIDPattern},
		{[]string{"move", "--org", org, "--device", "5f1e0c2a9b8d7e6f5a4b3c2d"}, 2, "applivery: --segment is required"},
		{[]string{"move", "--org", org, "--device", "5f1e0c2a9b8d7e6f5a4b3c2d", "--segment", "-1"}, 2, "--segment -1: must be 0 or more"},
		{[]string{"list", "--org", org, "--user", "ana"}, 2, `applivery: --user "ana": must match ` + applivery.ObjectIDPattern},
		{[]string{"list", "--org", org, "--expand-to", "children"}, 2, `applivery: --expand-to "children": needs a segmentId to expand from`},
		{[]string{"list", "--org", org, "--tag", ""}, 2, "applivery: --tag: tag 0 is empty"},
		{[]string{"list", "--org", org, "--segment", "x"}, 2, `invalid value "x" for flag -segment`},
		{[]string{"unplug", "--org", org}, 2, `unknown command "unplug": try list, get or move`},
	}
	for _, tt := range tests {
		r := runCLI(t, srv, nil, "", append([]string{"android", "devices"}, tt.args...)...)
		assert.Equal(t, tt.want, r.code, "%v: %s", tt.args, r.stderr)
		assert.Contains(t, r.stderr, tt.wantErr, "%v", tt.args)
	}
}
