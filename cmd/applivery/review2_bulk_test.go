package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/applivery/applivery-go/appliverytest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A run that stopped after mac_b had taken mac_a and mac_b; the file names
// mac_a again after mac_b. The first run would have skipped that second
// mac_a as named before; the re-run with --after mac_b must not send it
// either, or mac_a gets the DeviceLock twice.
func TestReview2AfterReRunDoesNotRecreateADeviceNamedBeforeTheResumePoint(t *testing.T) {
	t.Parallel()
	srv, _ := appleFleet(t, "mac_a", "mac_b", "mac_c")
	file := filepath.Join(t.TempDir(), "macs.txt")
	require.NoError(t, os.WriteFile(file, []byte("mac_a\nmac_b\nmac_c\nmac_a\nmac_b\n"), 0o600))
	r := runCLI(t, srv, nil, "", appleArgs("create", "--devices-from", file, "--after", "mac_b",
		"--type", "DeviceLock", "--output", "json", "--concurrency", "1")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.ElementsMatch(t, [][]string{{"mac_c"}}, appleCreates(t, srv),
		"mac_a and mac_b were taken by the run that stopped: the re-run must not create on them again")
}

// With --wait, a device whose create succeeded but whose wait ran out has a
// command on the server: its line must carry that command (as a line of a
// run on one device prints it), so that a script selecting the failed
// devices to run again can tell it from a device on which nothing was
// created. Today the line has only the error: the command is dropped.
func TestReview2WaitFailureLineKeepsTheCreatedCommand(t *testing.T) {
	t.Parallel()
	srv, _ := appleFleet(t, "mac_a", "mac_b")
	srv.ApplyAfter(0)
	r := runCLI(t, srv, nil, "", appleArgs("create", "--device", "mac_a", "--device", "mac_b", "--type", "DeviceLock",
		"--wait", "--timeout", "200ms", "--output", "json")...)
	require.Equal(t, exitSomeFailed, r.code, r.stderr)
	lines := jsonLines(t, r.stdout)
	require.Len(t, lines, 2, r.stdout)
	for _, d := range []string{"mac_a", "mac_b"} {
		assert.Equal(t, false, lines[d]["ok"], d)
		assert.NotNil(t, lines[d]["command"], "%s: the command was created; its line must say which", d)
	}
}

// docs/cli.md: "A device named twice in one run is done once". A device
// named once by its serial number and once by its ID is one device, which
// the API resolves alike (the create's record names the same device): it
// gets the DeviceLock twice. The run dedupes by the string as given.
func TestReview2DeviceNamedBySerialAndByIDIsDoneOnce(t *testing.T) {
	t.Parallel()
	srv, ids := appleFleet(t, "mac_a")
	r := runCLI(t, srv, nil, "", appleArgs("create", "--device", "mac_a", "--device", ids[0],
		"--type", "DeviceLock", "--output", "json", "--concurrency", "1")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Len(t, appleCreates(t, srv), 1, "mac_a is %s: one DeviceLock, not two", ids[0])
}

// A line is a device's own outcome, one line a device, so that a script
// reads the text output line by line. A message the API (or a proxy) sends
// is written into the line as it came: one with a line break makes a second
// line, which may read as another device's success.
func TestReview2ALineIsOneLineWhateverTheAPIMessage(t *testing.T) {
	t.Parallel()
	srv, _ := appleFleet(t, "mac_a")
	srv.Script(appliverytest.EndpointAppleCommandCreate,
		appliverytest.Fault{Status: http.StatusBadRequest, Message: "refused\nmac_b\tok\tcommand 65a1f0c2e4b0a1b2c3d4e5f6 DeviceLock Acknowledged"})
	r := runCLI(t, srv, nil, "", appleArgs("create", "--device", "mac_a", "--device", "mac_a2",
		"--type", "DeviceLock", "--concurrency", "1")...)
	assert.Equal(t, exitSomeFailed, r.code, r.stderr)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	assert.Len(t, lines, 2, "a line a device:\n%s", r.stdout)
	assert.NotRegexp(t, `(?m)^mac_b\t`, r.stdout, "no line for a device the run never took")
}

// One device, named twice, that fails: the summary counts the skipped
// second line as a success ("2 devices: 1 succeeded, 1 failed"), though
// the one device the run worked on failed and nothing succeeded.
func TestReview2SummaryCountsNoSuccessForADuplicateOfAFailedDevice(t *testing.T) {
	t.Parallel()
	srv, _ := appleFleet(t, "mac_a")
	r := runCLI(t, srv, nil, "", appleArgs("create", "--device", "mac_zz", "--device", "mac_zz",
		"--type", "DeviceLock", "--concurrency", "1")...)
	assert.Equal(t, exitSomeFailed, r.code, r.stderr)
	assert.NotContains(t, r.stderr, "1 succeeded", "nothing succeeded:\n%s", r.stderr)
}
