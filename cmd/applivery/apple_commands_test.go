package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/applivery/applivery-go"
	"github.com/applivery/applivery-go/appliverytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	mac  = "C02XK0AAJGH5"
	ipad = "DMPXK1ABCD12"
)

// appleServer returns a fake with two Apple targets, mac with a pending
// command (returned) and ipad with an acknowledged one.
func appleServer(t *testing.T) (*appliverytest.Server, applivery.AppleCommand, applivery.AppleCommand) {
	t.Helper()
	srv := newServer(t)
	pending := srv.AddAppleCommand(org, applivery.AppleCommand{TargetID: mac, RequestType: "DeviceInformation"})
	done := srv.AddAppleCommand(org, applivery.AppleCommand{TargetID: ipad, RequestType: "DeviceInformation", Status: applivery.AppleCommandStatusAcknowledged})
	return srv, pending, done
}

func appleArgs(verb string, extra ...string) []string {
	return append([]string{"apple", "commands", verb, "--org", org}, extra...)
}

func TestAppleCreateRefusals(t *testing.T) {
	t.Parallel()
	srv, _, _ := appleServer(t)
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"no type", []string{"--device", mac}, exitUsage, "--type"},
		{"no device", []string{"--type", "DeviceLock"}, exitUsage, "--device"},
		{"a device off the pattern", []string{"--device", "C02-XK", "--type", "DeviceLock"}, exitUsage, "--device"},
		{"a bad param", []string{"--device", mac, "--type", "DeviceLock", "--param", "Message"}, exitUsage, "KEY=VALUE"},
		{"params not an object", []string{"--device", mac, "--type", "DeviceLock", "--params", "[1]"}, exitUsage, "--params"},
		{"RequestType as a param", []string{"--device", mac, "--type", "DeviceLock", "--param", "RequestType=X"}, exitUsage, "--param"},
		{"a bad target type", []string{"--device", mac, "--type", "DeviceLock", "--target-type", "user"}, exitUsage, "--target-type"},
		{"an unknown device", []string{"--device", "UNKNOWN1", "--type", "DeviceLock"}, exitNotFound, "3001"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, srv, nil, "", appleArgs("create", tt.args...)...)
			assert.Equal(t, tt.wantCode, r.code, r.stderr)
			assert.Contains(t, r.stderr, tt.wantErr)
			assert.Empty(t, r.stdout)
		})
	}
}

func TestAppleGetCancel(t *testing.T) {
	t.Parallel()
	srv, pending, done := appleServer(t)
	tests := []struct {
		name     string
		verb     string
		device   string
		id       string
		extra    []string
		wantCode int
		wantOut  string
	}{
		{"get", "get", mac, pending.ID, nil, exitOK, pending.ID + "\t" + mac + "\tDeviceInformation\tPending\t"},
		{"get under the wrong device", "get", ipad, pending.ID, nil, exitNotFound, ""},
		{"get a bad ID", "get", mac, "123", nil, exitUsage, ""},
		{"get as a device user: not found", "get", mac, pending.ID, []string{"--target-type", "deviceUser"}, exitNotFound, ""},
		{"cancel an acknowledged command", "cancel", ipad, done.ID, nil, exitNotPending, ""},
		{"cancel", "cancel", mac, pending.ID, nil, exitOK, "canceled\t" + pending.ID + "\n"},
	}
	for _, tt := range tests { // in order: the last cancels
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, srv, nil, "", appleArgs(tt.verb, append([]string{"--device", tt.device, "--command", tt.id}, tt.extra...)...)...)
			assert.Equal(t, tt.wantCode, r.code, r.stderr)
			if tt.wantOut != "" {
				assert.True(t, strings.HasPrefix(r.stdout, tt.wantOut), r.stdout)
			}
		})
	}
	got, _ := srv.AppleCommand(org, pending.ID)
	assert.Equal(t, applivery.AppleCommandStatusCanceled, got.Status)

	r := runCLI(t, srv, nil, "", appleArgs("get", "--device", mac, "--command", pending.ID, "--output", "json")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	var obj map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &obj))
	assert.Equal(t, "Canceled", obj["status"])

	r = runCLI(t, srv, nil, "", appleArgs("cancel", "--device", mac, "--command", pending.ID, "--output", "json")...)
	assert.Equal(t, exitNotPending, r.code)
	assert.Contains(t, r.stderr, "5106")

	r = runCLI(t, srv, nil, "", appleArgs("get", "--device", mac, "--device", ipad, "--command", pending.ID)...)
	assert.Equal(t, exitUsage, r.code, "get takes one device")
}

func TestAppleCancelJSON(t *testing.T) {
	t.Parallel()
	srv, pending, _ := appleServer(t)
	r := runCLI(t, srv, nil, "", appleArgs("cancel", "--device", mac, "--command", pending.ID, "--output", "json")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.JSONEq(t, `{"canceled":"OK","id":"`+pending.ID+`"}`, r.stdout)
}

func TestAppleWait(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		prepare  func(srv *appliverytest.Server, id string)
		timeout  string
		wantCode int
		wantOut  string
	}{
		{"acknowledged", func(srv *appliverytest.Server, _ string) { srv.ApplyAfter(20 * time.Millisecond) }, "10s", exitOK, "Acknowledged"},
		{"canceled", func(srv *appliverytest.Server, id string) {
			srv.SetAppleCommandStatus(org, id, applivery.AppleCommandStatusCanceled)
		}, "10s", exitCanceled, "Canceled"},
		{"an error", func(srv *appliverytest.Server, id string) {
			srv.SetAppleCommandStatus(org, id, applivery.AppleCommandStatusError)
		}, "10s", exitAPI, "Error"},
		{"still pending", func(*appliverytest.Server, string) {}, "200ms", exitPending, "Pending"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, pending, _ := appleServer(t)
			tt.prepare(srv, pending.ID)
			r := runCLI(t, srv, nil, "", appleArgs("wait", "--device", mac, "--command", pending.ID, "--timeout", tt.timeout)...)
			assert.Equal(t, tt.wantCode, r.code, r.stderr)
			assert.Contains(t, r.stdout, "\t"+tt.wantOut+"\t")
		})
	}
}

func TestAppleCommandsHelp(t *testing.T) {
	t.Parallel()
	for _, verb := range []string{"create", "get", "cancel", "wait"} {
		t.Run(verb, func(t *testing.T) {
			r := runCLI(t, nil, nil, "", "apple", "commands", verb, "--help")
			require.Equal(t, exitOK, r.code, r.stderr)
			assert.Contains(t, r.stdout, "Usage: applivery apple commands "+verb)
			assert.Contains(t, r.stdout, "--target-type")
		})
	}
}
