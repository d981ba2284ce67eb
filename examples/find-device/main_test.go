package main

import (
	"context"
	"strings"
	"testing"

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

func TestDemoFindsTheDeviceBySerialNumber(t *testing.T) {
	t.Parallel()
	code, out, errOut := runWith(t, nil)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "running against an embedded demo server")
	assert.Regexp(t, `Device R58M123 is [0-9a-f]{24}, used by ana@acme.example, under policy "Kiosk"\.`, out)
	assert.Contains(t, out, "Tags: [kiosk berlin]")
	assert.Regexp(t, `pending LOCK [0-9a-f]{24}, since`, out, "created through the serial number")
	assert.Regexp(t, `pending REBOOT [0-9a-f]{24}, since`, out, "created through the id")
	assert.NotContains(t, out, "CLEAR_APP_DATA", "done, not pending")
	assert.Contains(t, out, "2 pending command(s).")
	assert.Empty(t, errOut)
}

func TestByIMEI(t *testing.T) {
	t.Parallel()
	code, out, errOut := runWith(t, nil, "-serial", "356938035643809")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "2 pending command(s).")
}

func TestUnknownDevice(t *testing.T) {
	t.Parallel()
	code, _, errOut := runWith(t, nil, "-serial", "R58M999")
	assert.Equal(t, 1, code)
	assert.Equal(t, "No device R58M999 in organization acme-fleet.\n", errOut)
}

func TestWithAKey(t *testing.T) {
	t.Parallel()
	srv := appliverytest.Start(t)
	dev := srv.AddDevice("acme-fleet", applivery.Device{}, "SERIAL9")
	srv.AddCommand("acme-fleet", "SERIAL9", applivery.Command{})
	env := map[string]string{"APPLIVERY_API_KEY": srv.APIKey, "APPLIVERY_BASE_URL": srv.URL}
	code, out, errOut := runWith(t, env, "-serial", "SERIAL9")
	require.Equal(t, 0, code, errOut)
	assert.NotContains(t, out, "demo server")
	assert.Contains(t, out, "Device SERIAL9 is "+dev.ID+".")
	assert.Contains(t, out, "1 pending command(s).")
}

func TestBadFlags(t *testing.T) {
	t.Parallel()
	code, _, errOut := runWith(t, nil, "-nope")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "flag provided but not defined: -nope")
	code, _, errOut = runWith(t, nil, "-serial", "R58 M123")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, `invalid emmDeviceId "R58 M123"`)
}
