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

func TestDemo(t *testing.T) {
	t.Setenv("APPLIVERY_API_KEY", "")
	code, out, errOut := runWith(t)
	assert.Equal(t, 0, code, errOut)
	assert.Empty(t, errOut)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 9)
	assert.Equal(t, "APPLIVERY_API_KEY is not set: running against an embedded demo server.", lines[0])
	assert.Equal(t, 4, strings.Count(out, " -> canceled\n"))
	assert.Regexp(t, `^  [0-9a-f]{24}  LOCK +DONE$`, lines[1])
	assert.Regexp(t, `^  [0-9a-f]{24}  REBOOT +PENDING -> canceled$`, lines[2])
	assert.Equal(t, "Listed 7 commands of device pixel8_0042, 4 pending: canceled 4; the others: 1 CANCEL, 2 DONE.", lines[8])
}

func TestDemoDryRun(t *testing.T) {
	t.Setenv("APPLIVERY_API_KEY", "")
	code, out, _ := runWith(t, "-dry-run", "-limit", "2")
	assert.Equal(t, 0, code)
	assert.Equal(t, 4, strings.Count(out, " -> would cancel\n"))
	assert.Contains(t, out, "4 pending: none canceled (dry run)")
}

func TestWithAKey(t *testing.T) {
	srv := appliverytest.NewServer()
	defer srv.Close()
	var pending []string
	for i := range 12 {
		status := applivery.CommandStatusPending
		if i%3 == 0 {
			status = applivery.CommandStatusDone
		}
		cmd := srv.AddCommand("acme-fleet", "serial_9", applivery.Command{Status: status})
		if status == applivery.CommandStatusPending {
			pending = append(pending, cmd.ID)
		}
	}
	t.Setenv("APPLIVERY_API_KEY", srv.APIKey)
	t.Setenv("APPLIVERY_BASE_URL", srv.URL)

	code, out, errOut := runWith(t, "-org", "acme-fleet", "-device", "serial_9", "-limit", "5")
	assert.Equal(t, 0, code, errOut)
	assert.NotContains(t, out, "demo server")
	assert.Contains(t, out, "Listed 12 commands of device serial_9, 8 pending: canceled 8; the others: 4 DONE.")
	for _, id := range pending {
		cmd, _ := srv.Command("acme-fleet", "serial_9", id)
		assert.Equal(t, applivery.CommandStatusCanceled, cmd.Status)
	}
}

func TestListingFails(t *testing.T) {
	t.Setenv("APPLIVERY_API_KEY", "wrong-key")
	srv := appliverytest.NewServer()
	defer srv.Close()
	t.Setenv("APPLIVERY_BASE_URL", srv.URL)
	code, out, errOut := runWith(t, "-org", "acme-fleet", "-device", "serial_9")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, ": 401 Invalid Token (code 4004)\n")
	assert.Contains(t, out, "Listed 0 commands of device serial_9, 0 pending: canceled 0, 1 failed; the others: none.")
}

func TestBadFlags(t *testing.T) {
	t.Setenv("APPLIVERY_API_KEY", "")
	code, _, errOut := runWith(t, "-limit", "x")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "invalid value")
	code, _, errOut = runWith(t, "-limit", "-1")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, `applivery: invalid limit "-1"`)
}
