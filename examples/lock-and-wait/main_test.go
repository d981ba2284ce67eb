package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/applivery/applivery-go"
	"github.com/applivery/applivery-go/appliverytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func runWith(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr strings.Builder
	code := run(context.Background(), args, func(k string) string { return env[k] }, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestDemoWithoutAKey(t *testing.T) {
	t.Parallel()
	code, out, errOut := runWith(t, nil)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "running against an embedded demo server")
	assert.Regexp(t, `Created LOCK command [0-9a-f]{24} on device pixel8_0042\.`, out)
	assert.Contains(t, out, "  poll 1 after 0s: PENDING\n")
	assert.Regexp(t, `poll \d+ after [\d.]+m?s: DONE\n`, out, "a poll comes within a second (\"900ms\") or after (\"1.2s\")")
	assert.Regexp(t, `The device applied the lock after \d+ polls\.\n$`, out)
	assert.Empty(t, errOut)
}

func TestTimeRunsOut(t *testing.T) {
	t.Parallel()
	code, _, errOut := runWith(t, nil, "-timeout", "300ms")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "The device has not applied the lock yet")
	assert.Contains(t, errOut, "still PENDING after", "the SDK's ErrStillPending says how long it waited")
}

func TestWithAKey(t *testing.T) {
	t.Parallel()
	srv := appliverytest.Start(t)
	srv.AddDevice("acme-fleet", applivery.Device{}, "serial_9") // the fake knows only the devices it was given
	srv.ApplyAfter(time.Nanosecond)                             // applied by the first poll, so the default intervals cost nothing
	env := map[string]string{"APPLIVERY_API_KEY": srv.APIKey, "APPLIVERY_BASE_URL": srv.URL}
	code, out, errOut := runWith(t, env, "-org", "acme-fleet", "-device", "serial_9")
	require.Equal(t, 0, code, errOut)
	assert.NotContains(t, out, "demo server")
	assert.Contains(t, out, "The device applied the lock after 1 poll.\n")
	page, err := srv.TestClient(t).AndroidCommands.List(context.Background(), "acme-fleet", "serial_9", nil)
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	assert.Equal(t, applivery.CommandTypeLock, page.Items[0].Type())
}

func TestUnknownDevice(t *testing.T) {
	t.Parallel()
	srv := appliverytest.Start(t)
	srv.AddDevice("acme-fleet", applivery.Device{}, "serial_9")
	env := map[string]string{"APPLIVERY_API_KEY": srv.APIKey, "APPLIVERY_BASE_URL": srv.URL}
	code, out, errOut := runWith(t, env, "-org", "acme-fleet", "-device", "serial_8")
	assert.Equal(t, 1, code)
	assert.NotContains(t, out, "Created")
	assert.Contains(t, errOut, "404 Entity not found (code 3001)", "a typo is refused, as by the API")
	_, ok := srv.Device("acme-fleet", "serial_8")
	assert.False(t, ok)
}

func TestDemoKnowsTheDeviceNamed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, device string
	}{
		{"a serial number", "R58M123"},
		{"an id", "5f1e0c2a9b8d7e6f5a4b3c2d"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := runWith(t, nil, "-device", tt.device)
			require.Equal(t, 0, code, errOut)
			assert.Contains(t, out, "on device "+tt.device+".")
		})
	}
}

func TestBadFlags(t *testing.T) {
	t.Parallel()
	code, _, errOut := runWith(t, nil, "-nope")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "flag provided but not defined: -nope")
	code, _, errOut = runWith(t, nil, "-device", "bad device")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, `invalid emmDeviceId "bad device"`)
}
