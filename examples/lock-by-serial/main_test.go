package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/applivery/applivery-go"
	"github.com/applivery/applivery-go/appliverytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const org = "acme-fleet"

// runAgainst runs the program with a key for srv, so that the test sees
// what the program sent.
func runAgainst(t *testing.T, srv *appliverytest.Server, args ...string) (int, string, string) {
	t.Helper()
	env := map[string]string{"APPLIVERY_API_KEY": srv.APIKey, "APPLIVERY_BASE_URL": srv.URL}
	var stdout, stderr strings.Builder
	code := run(context.Background(), args, func(k string) string { return env[k] }, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// sent returns the bodies of the requests srv received on the endpoint.
func sent(srv *appliverytest.Server, e appliverytest.Endpoint) []string {
	var bodies []string
	for _, r := range srv.Requests() {
		if r.Endpoint == e {
			bodies = append(bodies, string(r.Body))
		}
	}
	return bodies
}

func TestEachPlatformGetsItsLock(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, serial, platform string
		endpoint               appliverytest.Endpoint
		wantBody               string
	}{
		{"an Android phone", "R58M123", "android", appliverytest.EndpointCreate, `{"type":"LOCK"}`},
		{"a Mac", "C02XK0AAJGH5", "apple", appliverytest.EndpointAppleCommandCreate,
			`{"command":{"RequestType":"DeviceLock","Message":"This Mac was reported lost. Please call +1-555-0123."},"targetIds":["ID"]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := appliverytest.Start(t)
			seed(srv, org)
			code, out, errOut := runAgainst(t, srv, "-serial", tt.serial)
			require.Equal(t, 0, code, errOut)
			assert.Regexp(t, `Device `+tt.serial+` is `+tt.platform+` device [0-9a-f]{24}\.\nLock queued: command [0-9a-f]{24}\.\n$`, out)
			bodies := sent(srv, tt.endpoint)
			require.Len(t, bodies, 1, "one lock, on the right platform's endpoint")
			id := out[strings.Index(out, "device ")+len("device ") : strings.Index(out, ".\n")]
			assert.JSONEq(t, strings.ReplaceAll(tt.wantBody, `"ID"`, `"`+id+`"`), bodies[0])
		})
	}
}

func TestAMaybeQueuedLockIsNotSentAgain(t *testing.T) {
	t.Parallel()
	srv := appliverytest.Start(t)
	seed(srv, org)
	srv.Script(appliverytest.EndpointAppleCommandCreate, appliverytest.Fault{Status: 503, Applied: true})
	code, _, errOut := runAgainst(t, srv, "-serial", "C02XK0AAJGH5")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "The lock may have been queued")
	assert.Len(t, sent(srv, appliverytest.EndpointAppleCommandCreate), 1, "sent once")
}

func TestNoDeviceOrSeveral(t *testing.T) {
	t.Parallel()
	srv := appliverytest.Start(t)
	seed(srv, org)
	code, _, errOut := runAgainst(t, srv, "-serial", "NOSUCHSERIAL")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "no device with serial number NOSUCHSERIAL")

	srv.AddAppleDevice(org, applivery.AppleDevice{Raw: json.RawMessage(`{"serialNumber":"R58M123"}`)})
	code, _, errOut = runAgainst(t, srv, "-serial", "R58M123")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "2 devices have serial number R58M123: lock the one you mean by its id")
	assert.Empty(t, sent(srv, appliverytest.EndpointCreate), "nothing locked")
}

func TestTheDemoRunsWithNoKey(t *testing.T) {
	t.Parallel()
	var stdout, stderr strings.Builder
	code := run(context.Background(), []string{"-serial", "C02XK0AAJGH5"}, func(string) string { return "" }, &stdout, &stderr)
	require.Equal(t, 0, code, stderr.String())
	assert.Contains(t, stdout.String(), "running against an embedded demo server")
	assert.Contains(t, stdout.String(), "is apple device")
}
