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

// The tests set environment variables: none is parallel.

func runWith(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut strings.Builder
	code = run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestDemoWithoutAKey(t *testing.T) {
	t.Setenv("APPLIVERY_API_KEY", "")
	code, out, errOut := runWith(t)
	assert.Equal(t, 0, code, errOut)
	assert.Empty(t, errOut)
	lines := strings.Split(out, "\n")
	require.GreaterOrEqual(t, len(lines), 6)
	assert.Equal(t, "APPLIVERY_API_KEY is not set: running against an embedded demo server.", lines[0])
	assert.Regexp(t, `^Seeded pending LOCK command [0-9a-f]{24} on device pixel8_0042\.$`, lines[1])
	assert.Regexp(t, `^Canceled command [0-9a-f]{24}$`, lines[2])
	assert.Contains(t, out, "  status:  CANCEL\n")
	assert.Contains(t, out, "  type:    LOCK\n")
}

func TestDemoWithFlags(t *testing.T) {
	t.Setenv("APPLIVERY_API_KEY", "")
	code, out, errOut := runWith(t, "-org", "other-org", "-device", "serial_1", "-command", "0123456789abcdef01234567")
	assert.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "Canceled command 0123456789abcdef01234567\n")
	assert.Contains(t, out, "device:  serial_1 (organization other-org)")
}

func TestDemoReportsValidationErrors(t *testing.T) {
	t.Setenv("APPLIVERY_API_KEY", "")
	code, out, errOut := runWith(t, "-command", "not-hex")
	assert.Equal(t, 1, code)
	assert.NotContains(t, out, "Seeded", "nothing the API could not hold is seeded")
	assert.Equal(t, "applivery: invalid emmCommandId \"not-hex\": must match "+applivery.CommandIDPattern+"\n", errOut)
}

func TestBadFlags(t *testing.T) {
	t.Setenv("APPLIVERY_API_KEY", "")
	code, _, errOut := runWith(t, "-nope")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "flag provided but not defined: -nope")
}

func TestWithAKey(t *testing.T) {
	srv := appliverytest.NewServer()
	defer srv.Close()
	cmd := srv.AddCommand("acme-fleet", "serial_9", applivery.Command{})
	t.Setenv("APPLIVERY_API_KEY", srv.APIKey)
	t.Setenv("APPLIVERY_BASE_URL", srv.URL)

	code, out, errOut := runWith(t, "-org", "acme-fleet", "-device", "serial_9", "-command", cmd.ID)
	assert.Equal(t, 0, code, errOut)
	assert.NotContains(t, out, "demo server")
	assert.Contains(t, out, "Canceled command "+cmd.ID+"\n")
	stored, _ := srv.Command("acme-fleet", "serial_9", cmd.ID)
	assert.Equal(t, applivery.CommandStatusCanceled, stored.Status)

	code, out, errOut = runWith(t, "-org", "acme-fleet", "-device", "serial_9", "-command", cmd.ID)
	assert.Equal(t, 1, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, ": 400 EmmCommand status not Pending (code 5052)\n")
	assert.NotContains(t, errOut, srv.APIKey)
}

func TestWithAKeyAndMissingFlags(t *testing.T) {
	t.Setenv("APPLIVERY_API_KEY", "sk_unused")
	t.Setenv("APPLIVERY_BASE_URL", "http://127.0.0.1:1/v1")
	code, _, errOut := runWith(t)
	assert.Equal(t, 1, code)
	assert.Equal(t, "applivery: invalid organizationId: empty, must match "+applivery.OrganizationIDPattern+"\n", errOut)
}
