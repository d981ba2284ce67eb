package main

// The tests run the command line in process, as main does, with its
// environment given explicitly so that no real key from the developer's
// shell can reach it, and with millisecond waits between retries.
// TestTheBinary builds and runs the real program once.

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/applivery/applivery-go"
	"github.com/applivery/applivery-go/appliverytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	org    = "acme-fleet"
	device = "pixel8_0042"
)

// result is one run of the command line.
type result struct {
	code           int
	stdout, stderr string
}

// runCLI runs the command line with the key and base URL of srv (when srv
// is not nil), extra environment, stdin, and args. Whatever the run, the key
// it was given must appear in none of its output.
func runCLI(t *testing.T, srv *appliverytest.Server, env []string, stdin string, args ...string) result {
	t.Helper()
	var vars []string
	if srv != nil {
		vars = append(vars, "APPLIVERY_API_KEY="+srv.APIKey, "APPLIVERY_BASE_URL="+srv.URL)
	}
	vars = append(vars, env...)
	getenv := func(name string) string {
		value := ""
		for _, kv := range vars { // the last one wins, as in a process's environment
			if v, ok := strings.CutPrefix(kv, name+"="); ok {
				value = v
			}
		}
		return value
	}
	var stdout, stderr strings.Builder
	a := &app{getenv: getenv, stdin: strings.NewReader(stdin), stdout: &stdout, stderr: &stderr,
		options:      []applivery.Option{applivery.WithRetryWait(appliverytest.TestRetryWaitMin, appliverytest.TestRetryWaitMax)},
		pollInterval: time.Millisecond}
	code := a.run(context.Background(), args)
	if key := getenv("APPLIVERY_API_KEY"); key != "" {
		assert.NotContains(t, stdout.String()+stderr.String(), key, "the API key in the output of %v", args)
	}
	return result{code, stdout.String(), stderr.String()}
}

func TestTheBinary(t *testing.T) {
	t.Parallel()
	binary := filepath.Join(t.TempDir(), "applivery")
	out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
	require.NoError(t, err, "%s", out)

	out, err = exec.Command(binary, "--version").Output()
	require.NoError(t, err)
	assert.Regexp(t, fmt.Sprintf(`^applivery %s \(applivery-go %s, %s(, revision [0-9a-f]+( with local changes)?)?\)\n$`,
		regexp.QuoteMeta(applivery.Version), regexp.QuoteMeta(applivery.Version), regexp.QuoteMeta(runtime.Version())), string(out))

	srv := newServer(t, device)
	cmd := exec.Command(binary, cancelArgs("0123456789abcdef01234567")...)
	cmd.Env = []string{"APPLIVERY_API_KEY=" + srv.APIKey, "APPLIVERY_BASE_URL=" + srv.URL}
	out, err = cmd.CombinedOutput()
	var exitErr *exec.ExitError
	require.ErrorAs(t, err, &exitErr)
	assert.Equal(t, exitNotFound, exitErr.ExitCode(), "%s", out)
	assert.Contains(t, string(out), "404 Entity not found (code 3001)")
}

// newServer starts a fake API with the named devices registered in org (the
// fake, as the API, answers 404 for any other).
func newServer(t *testing.T, devices ...string) *appliverytest.Server {
	t.Helper()
	srv := appliverytest.Start(t)
	for _, d := range devices {
		srv.AddDevice(org, applivery.Device{}, d)
	}
	return srv
}

func cancelArgs(id string, extra ...string) []string {
	return append([]string{"android", "commands", "cancel", "--org", org, "--device", device, "--command", id}, extra...)
}
