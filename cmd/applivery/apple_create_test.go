package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/applivery/applivery-go"
	"github.com/applivery/applivery-go/appliverytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// appleFleet returns a fake with an Apple device known by each serial
// number given, and the devices' IDs, in that order.
func appleFleet(t *testing.T, serials ...string) (*appliverytest.Server, []string) {
	t.Helper()
	srv := newServer(t)
	ids := make([]string, len(serials))
	for i, s := range serials {
		ids[i] = srv.AddAppleDevice(org, applivery.AppleDevice{}, s).ID
	}
	return srv, ids
}

// appleCreates returns the target lists of the Apple creates srv received,
// in order.
func appleCreates(t *testing.T, srv *appliverytest.Server) [][]string {
	t.Helper()
	var targets [][]string
	for _, req := range srv.Requests() {
		if req.Endpoint != appliverytest.EndpointAppleCommandCreate {
			continue
		}
		var body struct {
			TargetIDs []string `json:"targetIds"`
		}
		require.NoError(t, json.Unmarshal(req.Body, &body))
		targets = append(targets, body.TargetIDs)
	}
	return targets
}

func TestAppleCreateRunsOneCommandPerDevice(t *testing.T) {
	t.Parallel()
	srv, _ := appleFleet(t, "mac_a", "mac_b", "mac_c")
	r := runCLI(t, srv, nil, "", appleArgs("create", "--device", "mac_a", "--device", "mac_b", "--device", "mac_c",
		"--type", "DeviceLock", "--param", "Message=Locked by IT", "--params", `{"PIN":"123456"}`, "--output", "json")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	lines := jsonLines(t, r.stdout)
	require.Len(t, lines, 3, r.stdout)
	ids := map[string]bool{}
	for _, d := range []string{"mac_a", "mac_b", "mac_c"} {
		assert.Equal(t, true, lines[d]["ok"], d)
		cmd := lines[d]["command"].(map[string]any)
		assert.Equal(t, d, cmd["targetId"], "the device's own record")
		assert.Equal(t, map[string]any{"RequestType": "DeviceLock", "Message": "Locked by IT", "PIN": "123456"}, cmd["command"])
		stored, ok := srv.AppleCommand(org, cmd["id"].(string))
		require.True(t, ok)
		assert.Equal(t, d, stored.TargetID)
		ids[cmd["id"].(string)] = true
	}
	assert.Len(t, ids, 3, "a command ID a device")
	assert.ElementsMatch(t, [][]string{{"mac_a"}, {"mac_b"}, {"mac_c"}}, appleCreates(t, srv), "a create a device, each with that device alone")
	assert.Contains(t, r.stderr, "applivery: 3 devices: 3 succeeded, 0 failed")

	r = runCLI(t, srv, nil, "", appleArgs("create", "--device", "mac_a", "--device", "mac_b", "--type", "DeviceInformation")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Regexp(t, `(?m)^mac_b\tok\tcommand [0-9a-f]{24} DeviceInformation Pending$`, r.stdout, "the text line of the Android bulk run")
}

func TestAppleCreateOnOneDevice(t *testing.T) {
	t.Parallel()
	srv, _, _ := appleServer(t)
	r := runCLI(t, srv, nil, "", appleArgs("create", "--device", mac, "--type", "DeviceLock", "--output", "json")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	var cmd map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &cmd), "the record itself, as Android's create prints it: %s", r.stdout)
	assert.Equal(t, mac, cmd["targetId"])
	assert.Equal(t, "Pending", cmd["status"])

	r = runCLI(t, srv, nil, "", appleArgs("create", "--device", mac, "--type", "DeviceLock")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	fields := strings.Split(strings.TrimSpace(r.stdout), "\t")
	require.Len(t, fields, 5, r.stdout)
	assert.Equal(t, []string{mac, "DeviceLock", "Pending"}, fields[1:4], "ID, target, request type, status, update")
}

func TestAppleCreateWait(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		applyAfter time.Duration
		devices    []string
		timeout    string
		wantCode   int
		wantOut    []string
	}{
		{"one device, acknowledged", 10 * time.Millisecond, []string{"mac_a"}, "10s", exitOK, []string{"\tmac_a\tDeviceLock\tAcknowledged\t"}},
		{"one device, still pending", 0, []string{"mac_a"}, "200ms", exitPending, []string{"\tmac_a\tDeviceLock\tPending\t"}},
		{"many, acknowledged", 10 * time.Millisecond, []string{"mac_a", "mac_b"}, "10s", exitOK,
			[]string{"mac_a\tok\tcommand ", " DeviceLock Acknowledged\n", "mac_b\tok\tcommand "}},
		{"many, still pending: each device's line says so", 0, []string{"mac_a", "mac_b"}, "200ms", exitSomeFailed,
			[]string{"mac_a\tfailed\texit 10\t", "mac_b\tfailed\texit 10\t"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, _ := appleFleet(t, "mac_a", "mac_b")
			srv.ApplyAfter(tt.applyAfter)
			args := []string{"--type", "DeviceLock", "--wait", "--timeout", tt.timeout}
			for _, d := range tt.devices {
				args = append(args, "--device", d)
			}
			r := runCLI(t, srv, nil, "", appleArgs("create", args...)...)
			assert.Equal(t, tt.wantCode, r.code, r.stderr)
			for _, want := range tt.wantOut {
				assert.Contains(t, r.stdout, want)
			}
			assert.Len(t, appleCreates(t, srv), len(tt.devices), "each created once")
		})
	}
}

func TestAppleCreateOverAllDevices(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	kiosk := srv.AddAppleDevice(org, applivery.AppleDevice{Tags: []string{"kiosk"}})
	kiosk2 := srv.AddAppleDevice(org, applivery.AppleDevice{Tags: []string{"kiosk", "lobby"}})
	other := srv.AddAppleDevice(org, applivery.AppleDevice{})
	srv.AddDevice(org, applivery.Device{}, "pixel_a") // an Android device: not listed
	srv.ApplyAfter(time.Millisecond)
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"every Apple device", nil, []string{kiosk.ID, kiosk2.ID, other.ID}},
		{"those with a tag", []string{"--tag", "kiosk"}, []string{kiosk.ID, kiosk2.ID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, srv, nil, "", appleArgs("create", append([]string{"--all-devices", "--type", "DeviceLock", "--wait", "--output", "json"}, tt.args...)...)...)
			require.Equal(t, exitOK, r.code, r.stderr)
			lines := jsonLines(t, r.stdout)
			assert.ElementsMatch(t, tt.want, keys(lines))
			for _, d := range tt.want {
				assert.Equal(t, "Acknowledged", lines[d]["command"].(map[string]any)["status"], d)
			}
		})
	}
}

func TestAppleCreateFromADevicesFile(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "macs.txt")
	require.NoError(t, os.WriteFile(file, []byte("# the lobby\nmac_a\n\n  mac_b  \n"), 0o600))
	tests := []struct {
		name, from, stdin string
	}{
		{"a file", file, ""},
		{"stdin", "-", "mac_a\nmac_b\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, _ := appleFleet(t, "mac_a", "mac_b", "mac_c")
			r := runCLI(t, srv, nil, tt.stdin, appleArgs("create", "--devices-from", tt.from, "--type", "DeviceLock", "--output", "json")...)
			require.Equal(t, exitOK, r.code, r.stderr)
			assert.Equal(t, []string{"mac_a", "mac_b"}, keys(jsonLines(t, r.stdout)))
			assert.ElementsMatch(t, [][]string{{"mac_a"}, {"mac_b"}}, appleCreates(t, srv))
		})
	}
}

func TestAppleCreatePartialFailure(t *testing.T) {
	t.Parallel()
	srv, _ := appleFleet(t, "mac_a", "mac_b")
	r := runCLI(t, srv, nil, "", appleArgs("create", "--device", "mac_a", "--device", "UNKNOWN1", "--device", "mac_b",
		"--type", "DeviceLock", "--output", "json")...)
	assert.Equal(t, exitSomeFailed, r.code, r.stderr)
	lines := jsonLines(t, r.stdout)
	require.Len(t, lines, 3)
	assert.Equal(t, true, lines["mac_a"]["ok"])
	assert.Equal(t, true, lines["mac_b"]["ok"], "the unknown device fails alone: the others are created")
	bad := lines["UNKNOWN1"]
	assert.Equal(t, false, bad["ok"])
	assert.Equal(t, float64(exitNotFound), bad["error"].(map[string]any)["exit"])
	assert.Contains(t, bad["error"].(map[string]any)["message"], "404 Entity not found (code 3001)")
	assert.Contains(t, r.stderr, "3 devices: 2 succeeded, 1 failed")
}

func TestAppleCreateThatMayHaveActedIsThatDevicesOutcomeUnknown(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		fault appliverytest.Fault
	}{
		{"a 502 after the server created it", appliverytest.Fault{Applied: true, Status: http.StatusBadGateway}},
		{"the connection dropped after", appliverytest.Fault{Applied: true, Drop: true}},
		{"the answer cut halfway", appliverytest.Fault{CutBody: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, _ := appleFleet(t, "mac_a", "mac_b", "mac_c")
			srv.Script(appliverytest.EndpointAppleCommandCreate, tt.fault) // the first create: mac_a's, with one worker
			r := runCLI(t, srv, nil, "", appleArgs("create", "--device", "mac_a", "--device", "mac_b", "--device", "mac_c",
				"--type", "DeviceLock", "--concurrency", "1", "--output", "json")...)
			assert.Equal(t, exitSomeFailed, r.code, r.stderr)
			lines := jsonLines(t, r.stdout)
			require.Len(t, lines, 3)
			unknown := lines["mac_a"]
			assert.Equal(t, false, unknown["ok"])
			assert.Contains(t, unknown["error"].(map[string]any)["message"], "may have been created for target mac_a:",
				"that device alone to check")
			for _, d := range []string{"mac_b", "mac_c"} {
				assert.Equal(t, true, lines[d]["ok"], "%s: not touched by mac_a's failure", d)
			}
			assert.Len(t, appleCreates(t, srv), 3, "never sent twice")
		})
	}
}

func TestAppleCreateDryRun(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string
		wantGets int
	}{
		{"many devices", []string{"--device", "mac_a", "--device", "mac_b"}, exitOK, "mac_b\tok\twould create DeviceLock\n", 2},
		{"one device: its line, as JSON", []string{"--device", "mac_a", "--output", "json"}, exitOK,
			`{"device":"mac_a","ok":true,"dryRun":true,"wouldCreate":"DeviceLock"}` + "\n", 1},
		{"an unknown device: its own status", []string{"--device", "mac_typo"}, exitNotFound, "mac_typo\tfailed\texit 3\t", 1},
		{"device users: their form only, nothing read", []string{"--device", "user_a", "--device", "user b", "--target-type", "deviceUser"},
			exitSomeFailed, "user_a\tok\twould create DeviceLock\n", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, _ := appleFleet(t, "mac_a", "mac_b")
			r := runCLI(t, srv, nil, "", appleArgs("create", append([]string{"--type", "DeviceLock", "--dry-run"}, tt.args...)...)...)
			assert.Equal(t, tt.wantCode, r.code, r.stderr)
			assert.Contains(t, r.stdout, tt.wantOut)
			reqs := srv.Requests()
			assert.Len(t, reqs, tt.wantGets)
			for _, req := range reqs {
				assert.Equal(t, appliverytest.EndpointAppleDeviceGet, req.Endpoint, "a dry run only reads the device")
			}
		})
	}
}

func TestAppleCreateResumesAfter(t *testing.T) {
	t.Parallel()
	srv, _ := appleFleet(t, "mac_a", "mac_b", "mac_c")
	file := filepath.Join(t.TempDir(), "macs.txt")
	require.NoError(t, os.WriteFile(file, []byte("mac_a\nmac_b\nmac_c\n"), 0o600))
	r := runCLI(t, srv, nil, "", appleArgs("create", "--devices-from", file, "--after", "mac_a", "--type", "DeviceLock", "--output", "json")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, []string{"mac_b", "mac_c"}, keys(jsonLines(t, r.stdout)))
	assert.ElementsMatch(t, [][]string{{"mac_b"}, {"mac_c"}}, appleCreates(t, srv), "nothing for mac_a")
}

func TestAppleCreateWithAnIncompleteDeviceList(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	listed := pagesOfDevices(t, srv, func() { srv.AddAppleDevice(org, applivery.AppleDevice{}) }, appleDevices)
	run := appleArgs("create", "--all-devices", "--type", "DeviceInformation", "--output", "json", "--max-retries", "1")

	srv.Script(appliverytest.EndpointAppleDeviceList, appliverytest.Fault{}, appliverytest.Fault{},
		appliverytest.Fault{Status: http.StatusTooManyRequests}, appliverytest.Fault{Status: http.StatusTooManyRequests})
	r := runCLI(t, srv, nil, "", run...)
	assert.Equal(t, exitIncomplete, r.code, r.stderr)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	require.Len(t, lines, 201, "200 devices, then the line that says the list is incomplete")
	var last map[string]any
	require.NoError(t, json.Unmarshal([]byte(lines[200]), &last))
	assert.Equal(t, true, last["incomplete"])
	assert.Equal(t, listed[199], last["after"])
	assert.Equal(t, float64(exitRateLimited), last["error"].(map[string]any)["exit"])
	assert.Contains(t, r.stderr, "to go on, run again with --after "+listed[199])
	assert.Len(t, appleCreates(t, srv), 200)

	r = runCLI(t, srv, nil, "", append(run, "--after", listed[199])...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.ElementsMatch(t, listed[200:], keys(jsonLines(t, r.stdout)), "the re-run takes up after it, and only there")
	assert.Len(t, appleCreates(t, srv), 250, "no device twice")
}

func TestAppleCreateRefusesBeforeAnyDevice(t *testing.T) {
	t.Parallel()
	srv, _ := appleFleet(t, "mac_a", "mac_b")
	many := []string{"--device", "mac_a", "--device", "mac_b"}
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"no type", many, "--type is required"},
		{"RequestType as a param", append([]string{"--type", "DeviceLock", "--params", `{"RequestType":"X"}`}, many...), "--param and --params must not hold RequestType"},
		{"a bad target type", append([]string{"--type", "DeviceLock", "--target-type", "user"}, many...), `--target-type "user": must be "device" or "deviceUser"`},
		{"device users cannot be listed", []string{"--type", "DeviceLock", "--all-devices", "--target-type", "deviceUser"}, "--all-devices lists devices, not device users"},
		{"two sources", []string{"--type", "DeviceLock", "--device", "mac_a", "--all-devices"}, "choose the devices one way"},
		{"bulk flags on one device", []string{"--type", "DeviceLock", "--device", "mac_a", "--concurrency", "2"}, "--concurrency: for a run on many devices"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, srv, nil, "", appleArgs("create", tt.args...)...)
			assert.Equal(t, exitUsage, r.code, r.stderr)
			assert.Contains(t, r.stderr, tt.wantErr)
			assert.Empty(t, r.stdout)
		})
	}
	assert.Empty(t, srv.Requests(), "nothing sent")
}

func TestAppleCreateAnsweredWithOtherThanOneRecord(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, data string
		want       string
	}{
		{"none", `[]`, "the API answered 0 commands for target mac_a, not one: the command may have been created"},
		{"two", `[{"id":"65a1f0c2e4b0a1b2c3d4e5a1"},{"id":"65a1f0c2e4b0a1b2c3d4e5a2"}]`, "the API answered 2 commands for target mac_a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(`{"status":true,"data":` + tt.data + `}`))
			}))
			t.Cleanup(api.Close)
			r := runCLI(t, nil, []string{"APPLIVERY_API_KEY=test-key", "APPLIVERY_BASE_URL=" + api.URL},
				"", appleArgs("create", "--device", "mac_a", "--type", "DeviceLock")...)
			assert.Equal(t, exitAPI, r.code, r.stderr)
			assert.Contains(t, r.stderr, tt.want)
			assert.Empty(t, r.stdout)
		})
	}
	assert.ErrorIs(t, &appleRecordsError{target: "mac_a"}, applivery.ErrOutcomeUnknown, "a script can tell it from a failure that created nothing")
}
