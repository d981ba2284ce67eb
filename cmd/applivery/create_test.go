package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// With --wait, a device whose create succeeded but whose wait ran out has a
// command on the server: its failed line carries that command, so that a
// script retrying the failed devices can tell it from a device on which
// nothing was created, and wait for it rather than create it again.
func TestCreateWaitFailureLineKeepsTheCreatedCommand(t *testing.T) {
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
		require.IsType(t, map[string]any{}, lines[d]["command"], "%s: the command was created; its line must say which", d)
		assert.NotEmpty(t, lines[d]["command"].(map[string]any)["id"], d)
		require.IsType(t, map[string]any{}, lines[d]["error"], d)
		assert.EqualValues(t, exitPending, lines[d]["error"].(map[string]any)["exit"], d)
	}

	// As text, the command follows the message, a field of its own.
	r = runCLI(t, srv, nil, "", appleArgs("create", "--device", "mac_a", "--device", "mac_b", "--type", "DeviceLock",
		"--wait", "--timeout", "200ms")...)
	require.Equal(t, exitSomeFailed, r.code, r.stderr)
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		fields := strings.Split(line, "\t")
		require.Len(t, fields, 5, line)
		assert.Equal(t, "failed", fields[1], line)
		assert.Equal(t, "exit 10", fields[2], line)
		assert.Regexp(t, `^command [0-9a-f]{24} DeviceLock \S+$`, fields[4], line)
	}
}

// A create that fails has no command in its line: nothing was created.
func TestCreateFailureLineHasNoCommand(t *testing.T) {
	t.Parallel()
	srv, _ := appleFleet(t, "mac_a")
	r := runCLI(t, srv, nil, "", appleArgs("create", "--device", "mac_a", "--device", "mac_zz", "--type", "DeviceLock",
		"--wait", "--timeout", "200ms", "--output", "json")...)
	require.Equal(t, exitSomeFailed, r.code, r.stderr)
	lines := jsonLines(t, r.stdout)
	assert.Equal(t, false, lines["mac_zz"]["ok"])
	assert.NotContains(t, lines["mac_zz"], "command")
}
