package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/applivery/applivery-go"
	"github.com/applivery/applivery-go/appliverytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// jsonLines decodes the device lines of a bulk run's --output json, by
// device.
func jsonLines(t *testing.T, stdout string) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &m), line)
		if m["interrupted"] == true || m["incomplete"] == true {
			continue // the run's last line, of no device
		}
		out[m["device"].(string)] = m
	}
	return out
}

func TestBulkFromAFileWithBadLines(t *testing.T) {
	t.Parallel()
	srv := newServer(t, "dev_a", "dev_b", "dev_c")
	srv.AddCommand(org, "dev_a", applivery.Command{})
	file := filepath.Join(t.TempDir(), "devices.txt")
	require.NoError(t, os.WriteFile(file, []byte("# the lost ones\ndev_a\n\n  dev_b  \nnot a device!\n"), 0o600))
	r := runCLI(t, srv, nil, "", "android", "commands", "cancel-pending", "--org", org, "--devices-from", file, "--output", "json")
	assert.Equal(t, 11, r.code, "some failed: %s", r.stderr)
	lines := jsonLines(t, r.stdout)
	require.Len(t, lines, 3, "comments and blank lines are skipped")
	assert.Len(t, lines["dev_a"]["canceled"], 1)
	assert.Equal(t, true, lines["dev_b"]["ok"])
	bad := lines["not a device!"]
	assert.Equal(t, false, bad["ok"])
	assert.Equal(t, map[string]any{"exit": float64(2), "message": `applivery: "not a device!" is not a device ID, serial number or IMEI: it must match ` + applivery.DeviceIDPattern}, bad["error"])
	assert.Contains(t, r.stderr, "3 devices: 2 succeeded, 1 failed")

	r = runCLI(t, srv, nil, "dev_a\n", "android", "commands", "cancel-pending", "--org", org, "--devices-from", "-")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, "dev_a\tok\tcanceled 0\n", r.stdout, "from stdin, as text")
}

func TestBulkOverAllDevices(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	kiosk := srv.AddDevice(org, applivery.Device{Raw: json.RawMessage(`{"tags":["kiosk"]}`)}, "SERIAL_K")
	other := srv.AddDevice(org, applivery.Device{})
	cmd := srv.AddCommand(org, "SERIAL_K", applivery.Command{})
	untouched := srv.AddCommand(org, other.ID, applivery.Command{})
	r := runCLI(t, srv, nil, "", "android", "commands", "cancel-pending", "--org", org, "--all-devices", "--tag", "kiosk", "--output", "json")
	require.Equal(t, 0, r.code, r.stderr)
	lines := jsonLines(t, r.stdout)
	require.Len(t, lines, 1)
	assert.Equal(t, []any{cmd.ID}, lines[kiosk.ID]["canceled"])
	got, _ := srv.Command(org, other.ID, untouched.ID)
	assert.Equal(t, applivery.CommandStatusPending, got.Status)
}

func TestBulkDryRunChangesNothing(t *testing.T) {
	t.Parallel()
	srv := newServer(t, "dev_a", "dev_b", "dev_c")
	cmd := srv.AddCommand(org, "dev_a", applivery.Command{})
	r := runCLI(t, srv, nil, "", "android", "commands", "cancel-pending", "--org", org, "--device", "dev_a", "--dry-run", "--output", "json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.JSONEq(t, `{"device":"dev_a","ok":true,"dryRun":true,"wouldCancel":["`+cmd.ID+`"]}`, strings.TrimSpace(r.stdout))
	r = runCLI(t, srv, nil, "", "android", "commands", "create", "--org", org, "--device", "dev_a", "--device", "dev_b", "--type", "LOCK", "--dry-run")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "dev_b\tok\twould create LOCK\n")
	for _, req := range srv.Requests() {
		assert.Equal(t, http.MethodGet, req.Method, "only reads: %s", req.Endpoint)
	}
	got, _ := srv.Command(org, "dev_a", cmd.ID)
	assert.Equal(t, applivery.CommandStatusPending, got.Status)
}

func TestBulkPartialFailure(t *testing.T) {
	t.Parallel()
	srv := newServer(t, "dev_a", "dev_b", "dev_c")
	srv.Script(appliverytest.EndpointList, appliverytest.Fault{Code: applivery.CodeFeatureNotAllowed})
	r := runCLI(t, srv, nil, "", "android", "commands", "cancel-pending", "--org", org, "--device", "dev_a", "--device", "dev_b",
		"--concurrency", "1", "--output", "json")
	assert.Equal(t, 11, r.code, r.stderr)
	lines := jsonLines(t, r.stdout)
	assert.Equal(t, map[string]any{"exit": float64(7), "message": lines["dev_a"]["error"].(map[string]any)["message"]}, lines["dev_a"]["error"])
	assert.Contains(t, lines["dev_a"]["error"].(map[string]any)["message"], "(code 5050)")
	assert.Equal(t, true, lines["dev_b"]["ok"])
}

func TestBulkFailureBeforeAnyDevice(t *testing.T) {
	t.Parallel()
	srv := newServer(t, "dev_a", "dev_b", "dev_c")
	r := runCLI(t, srv, []string{"APPLIVERY_API_KEY=wrong"}, "", "android", "commands", "cancel-pending", "--org", org, "--all-devices", "--output", "json")
	assert.Equal(t, exitIncomplete, r.code, "we do not know which devices exist: %s", r.stderr)
	var last map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &last), r.stdout)
	assert.Equal(t, true, last["incomplete"])
	assert.Equal(t, "", last["after"], "nothing was taken")
	assert.Equal(t, float64(exitAuth), last["error"].(map[string]any)["exit"], "the listing's own status, in the line")
	assert.Contains(t, last["error"].(map[string]any)["message"], "401 Invalid Token")
	assert.Contains(t, r.stderr, "401 Invalid Token")
}

func TestBulkRateLimit(t *testing.T) {
	t.Parallel()
	srv := newServer(t, "dev_a", "dev_b", "dev_c")
	// One request at once, then one every 1000 s: the second device cannot
	// list its commands within its --timeout.
	r := runCLI(t, srv, nil, "", "android", "commands", "cancel-pending", "--org", org, "--device", "dev_a", "--device", "dev_b",
		"--rate", "0.001", "--concurrency", "1", "--timeout", "5s", "--output", "json")
	assert.Equal(t, 11, r.code, r.stderr)
	lines := jsonLines(t, r.stdout)
	assert.Equal(t, true, lines["dev_a"]["ok"])
	assert.Contains(t, lines["dev_b"]["error"].(map[string]any)["message"], "rate limit would outlast the context's deadline")
	assert.Len(t, srv.Requests(), 1)
}

func TestBulkUsage(t *testing.T) {
	t.Parallel()
	srv := newServer(t, "dev_a", "dev_b", "dev_c")
	base := []string{"android", "commands", "cancel-pending", "--org", org}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{nil, "choose the devices: --device (repeatable), --devices-from FILE or --all-devices"},
		{[]string{"--device", "a", "--all-devices"}, "choose the devices one way"},
		{[]string{"--device", "a", "--tag", "kiosk"}, "--tag, --user, --policy and --segment go with --all-devices"},
		{[]string{"--device", "a", "--concurrency", "0"}, "--concurrency 0: must be from 1 to 1000"},
		{[]string{"--device", "a", "--concurrency", "9223372036854775807"}, "--concurrency 9223372036854775807: must be from 1 to 1000"},
		{[]string{"--device", "a", "--rate", "-1"}, "--rate -1: must be a number of requests a second, or 0 for no limit"},
		{[]string{"--device", "a", "--rate", "NaN"}, "--rate NaN: must be a number of requests a second"},
		{[]string{"--device", "a", "--rate", "+Inf"}, "--rate +Inf: must be a number of requests a second"},
		{[]string{"--device", "a", "--rate", "1", "--burst", "0"}, "--burst 0: must be 1 or more"},
		{[]string{"--device", "a", "--after", "b"}, "--after goes with --devices-from or --all-devices"},
		{[]string{"--devices-from", "/no/such/file"}, "--devices-from: open /no/such/file"},
	} {
		r := runCLI(t, srv, nil, "", append(base, tt.args...)...)
		assert.Equal(t, 2, r.code, "%v", tt.args)
		assert.Contains(t, r.stderr, tt.want, "%v", tt.args)
	}
	r := runCLI(t, srv, nil, "", "android", "commands", "get", "--org", org, "--device", "a", "--device", "b", "--command", "0123456789abcdef01234567")
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "--device is given 2 times: get takes one device")
	assert.Empty(t, srv.Requests())
}

func TestBulkInterrupt(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	var devices []string
	for i := range 40 {
		d := "dev_" + string(rune('a'+i/26)) + string(rune('a'+i%26))
		devices = append(devices, d)
		srv.AddCommand(org, d, applivery.Command{})
	}
	signals := make(chan os.Signal, 2)
	out, w := io.Pipe()
	var stderr strings.Builder
	a := &app{
		getenv: func(k string) string {
			return map[string]string{"APPLIVERY_API_KEY": srv.APIKey, "APPLIVERY_BASE_URL": srv.URL}[k]
		},
		stdin: strings.NewReader(strings.Join(devices, "\n")), stdout: w, stderr: &stderr, signals: signals,
		options: []applivery.Option{applivery.WithRetryWait(appliverytest.TestRetryWaitMin, appliverytest.TestRetryWaitMax)},
	}
	code := make(chan int, 1)
	go func() {
		code <- a.run(context.Background(), []string{"android", "commands", "cancel-pending", "--org", org,
			"--devices-from", "-", "--concurrency", "2", "--output", "json"})
		w.Close()
	}()
	lines := bufio.NewScanner(out)
	var handled []string
	var last map[string]any
	for lines.Scan() {
		var m map[string]any
		require.NoError(t, json.Unmarshal(lines.Bytes(), &m))
		last = m
		if m["interrupted"] == true {
			continue
		}
		handled = append(handled, m["device"].(string))
		if len(handled) == 3 {
			signals <- os.Interrupt // Ctrl-C: stop taking devices
		}
	}
	assert.Equal(t, exitInterrupted, <-code)
	assert.Equal(t, map[string]any{"interrupted": true, "after": slices.Max(handled)}, last,
		"the last line says where a re-run takes up: the last device taken, and every device before it has its line")
	assert.Less(t, len(handled), len(devices), "no more devices were taken")
	assert.GreaterOrEqual(t, len(handled), 3)
	assert.Contains(t, stderr.String(), "interrupted: no more devices were taken")
	for _, d := range devices {
		page, err := srv.TestClient(t).AndroidCommands.List(context.Background(), org, d, nil)
		require.NoError(t, err)
		want := applivery.CommandStatusPending
		if contains(handled, d) {
			want = applivery.CommandStatusCanceled
		}
		assert.Equal(t, want, page.Items[0].Status, "%s: every device on stdout was handled, and no other", d)
	}
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func TestBulkWithAnIncompleteDeviceList(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	listed := pagesOfDevices(t, srv, func() { srv.AddDevice(org, applivery.Device{}) }, androidDevices)
	run := []string{"android", "commands", "cancel-pending", "--org", org, "--all-devices", "--output", "json", "--max-retries", "1"}

	t.Run("a page that fails once is retried, as any read", func(t *testing.T) {
		srv.Script(appliverytest.EndpointDeviceList, appliverytest.Fault{}, appliverytest.Fault{}, appliverytest.Fault{Status: http.StatusTooManyRequests})
		r := runCLI(t, srv, nil, "", run...)
		require.Equal(t, 0, r.code, r.stderr)
		assert.Len(t, jsonLines(t, r.stdout), 250)
	})

	t.Run("page 3 of 3 fails for good", func(t *testing.T) {
		srv.Script(appliverytest.EndpointDeviceList, appliverytest.Fault{}, appliverytest.Fault{},
			appliverytest.Fault{Status: http.StatusTooManyRequests}, appliverytest.Fault{Status: http.StatusTooManyRequests})
		r := runCLI(t, srv, nil, "", run...)
		assert.Equal(t, exitIncomplete, r.code, "not 11 (some failed) nor 0: the list could not be read to its end: %s", r.stderr)
		lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
		require.Len(t, lines, 201, "200 devices, then the line that says the list is incomplete")
		var last map[string]any
		require.NoError(t, json.Unmarshal([]byte(lines[200]), &last))
		assert.Equal(t, true, last["incomplete"])
		assert.Equal(t, listed[199], last["after"], "the last device taken")
		assert.Equal(t, float64(exitRateLimited), last["error"].(map[string]any)["exit"])
		assert.Contains(t, last["error"].(map[string]any)["message"], "429")
		assert.Contains(t, r.stderr, "to go on, run again with --after "+listed[199])
		byDevice := jsonLines(t, strings.Join(lines[:200], "\n"))
		for _, d := range listed[:200] {
			assert.Equal(t, true, byDevice[d]["ok"], d)
		}

		// The re-run the stderr suggests takes up after it, and only there.
		r = runCLI(t, srv, nil, "", append(run, "--after", listed[199])...)
		require.Equal(t, 0, r.code, r.stderr)
		byDevice = jsonLines(t, r.stdout)
		assert.Len(t, byDevice, 50)
		for _, d := range listed[200:] {
			assert.Contains(t, byDevice, d)
		}
	})

	t.Run("as text", func(t *testing.T) {
		srv.Script(appliverytest.EndpointDeviceList, appliverytest.Fault{Status: 500}, appliverytest.Fault{Status: 500})
		r := runCLI(t, srv, nil, "", "android", "commands", "cancel-pending", "--org", org, "--all-devices", "--max-retries", "1")
		assert.Equal(t, exitIncomplete, r.code, r.stderr)
		assert.Regexp(t, "^incomplete\tafter -\texit 7\tapplivery: listing the devices: .*500", r.stdout)
	})
}

// pagesOfDevices adds 250 devices to srv with add, three pages of 100, and
// returns their IDs as list lists them, in order.
func pagesOfDevices(t *testing.T, srv *appliverytest.Server, add func(), list deviceLister) []string {
	t.Helper()
	for range 250 {
		add()
	}
	var ids []string
	for d, err := range list(context.Background(), srv.TestClient(t), org, &deviceFilter{}) {
		require.NoError(t, err)
		ids = append(ids, d)
	}
	require.Len(t, ids, 250)
	return ids
}

func TestBulkWithADevicesFileThatBreaks(t *testing.T) {
	t.Parallel()
	srv := newServer(t, "dev_a", "dev_b")
	var stdout, stderr strings.Builder
	a := &app{getenv: func(k string) string {
		return map[string]string{"APPLIVERY_API_KEY": srv.APIKey, "APPLIVERY_BASE_URL": srv.URL}[k]
	}, stdin: &brokenReader{strings.NewReader("dev_a\ndev_b\n")}, stdout: &stdout, stderr: &stderr}
	code := a.run(context.Background(), []string{"android", "commands", "cancel-pending", "--org", org, "--devices-from", "-", "--output", "json"})
	assert.Equal(t, exitIncomplete, code, stderr.String())
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	require.Len(t, lines, 3)
	assert.JSONEq(t, `{"incomplete":true,"after":"dev_b","error":{"exit":12,"message":"applivery: reading --devices-from after line 2: input/output error"}}`, lines[2])
}

func TestBulkResumesAfter(t *testing.T) {
	t.Parallel()
	srv := newServer(t, "dev_a", "dev_b", "dev_c")
	file := filepath.Join(t.TempDir(), "devices.txt")
	require.NoError(t, os.WriteFile(file, []byte("dev_a\nnot a device!\ndev_b\ndev_c\n"), 0o600))
	r := runCLI(t, srv, nil, "", "android", "commands", "cancel-pending", "--org", org, "--devices-from", file, "--after", "dev_b", "--output", "json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, []string{"dev_c"}, keys(jsonLines(t, r.stdout)), "only what comes after dev_b; the bad line before it was reported by the run that stopped")

	r = runCLI(t, srv, nil, "", "android", "commands", "cancel-pending", "--org", org, "--devices-from", file, "--after", "dev_z")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "--after dev_z: no such device in the list: nothing was done")
	assert.Empty(t, r.stdout)
}

func TestBulkDoesADeviceOnce(t *testing.T) {
	t.Parallel()
	srv := newServer(t, "dev_a")
	r := runCLI(t, srv, nil, "", "android", "commands", "create", "--org", org, "--device", "dev_a", "--device", "dev_a",
		"--type", "LOCK", "--output", "json", "--concurrency", "1")
	require.Equal(t, 0, r.code, r.stderr)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	require.Len(t, lines, 2, "a line for each time the device was named")
	assert.Contains(t, r.stdout, `{"device":"dev_a","skipped":"named before in this run: done once"}`,
		"no ok: the first line of dev_a says how it went")
	assert.Contains(t, r.stderr, "2 devices: 1 succeeded, 0 failed, 1 skipped as named before")
	creates := 0
	for _, req := range srv.Requests() {
		if req.Endpoint == appliverytest.EndpointCreate {
			creates++
		}
	}
	assert.Equal(t, 1, creates, "one LOCK, not two")
}

// A run that stopped after mac_b took mac_a and mac_b; the file names them
// again after mac_c. The first run would have skipped those as named before,
// and so does the re-run with --after mac_b: mac_a gets one DeviceLock.
func TestBulkReRunWithAfterSkipsTheDevicesBeforeTheResumePointWhenNamedAgain(t *testing.T) {
	t.Parallel()
	srv, _ := appleFleet(t, "mac_a", "mac_b", "mac_c")
	file := filepath.Join(t.TempDir(), "macs.txt")
	require.NoError(t, os.WriteFile(file, []byte("mac_a\nmac_b\nmac_c\nmac_a\nmac_b\n"), 0o600))
	r := runCLI(t, srv, nil, "", appleArgs("create", "--devices-from", file, "--after", "mac_b",
		"--type", "DeviceLock", "--output", "json", "--concurrency", "1")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, [][]string{{"mac_c"}}, appleCreates(t, srv),
		"mac_a and mac_b were taken by the run that stopped: the re-run must not create on them again")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	require.Len(t, lines, 3, r.stdout)
	assert.Contains(t, lines, `{"device":"mac_a","skipped":"named before in this run: done once"}`)
	assert.Contains(t, lines, `{"device":"mac_b","skipped":"named before in this run: done once"}`)
}

func TestBulkRateStartsAtOneRequest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		burst    []string
		wantSent int
	}{
		{"burst 1 by default, whatever the concurrency", nil, 1},
		{"--burst lets that many go at once", []string{"--burst", "2"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, "dev_a", "dev_b")
			// One request a 1000 s: only what the burst allows goes out
			// within the second device's --timeout.
			args := append([]string{"android", "commands", "cancel-pending", "--org", org, "--device", "dev_a", "--device", "dev_b",
				"--rate", "0.001", "--concurrency", "8", "--timeout", "5s"}, tt.burst...)
			runCLI(t, srv, nil, "", args...)
			assert.Len(t, srv.Requests(), tt.wantSent)
		})
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
