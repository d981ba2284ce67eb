package main

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/applivery/applivery-go/appliverytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A line is one device's outcome, one line a device, so that a script reads
// the text output line by line: a message the API (or a proxy) sends with a
// line break or a tab is escaped in its field, and cannot forge a line that
// reads as another device's success.
func TestBulkTextLineIsOneLineWhateverTheAPIMessage(t *testing.T) {
	t.Parallel()
	srv, _ := appleFleet(t, "mac_a")
	srv.Script(appliverytest.EndpointAppleCommandCreate,
		appliverytest.Fault{Status: http.StatusBadRequest, Message: "refused\nmac_b\tok\tcommand 65a1f0c2e4b0a1b2c3d4e5f6 DeviceLock Acknowledged"})
	r := runCLI(t, srv, nil, "", appleArgs("create", "--device", "mac_a", "--device", "mac_a2",
		"--type", "DeviceLock", "--concurrency", "1")...)
	assert.Equal(t, exitSomeFailed, r.code, r.stderr)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	require.Len(t, lines, 2, "a line a device:\n%s", r.stdout)
	assert.NotRegexp(t, `(?m)^mac_b\t`, r.stdout, "no line for a device the run never took")
	fields := strings.Split(lines[0], "\t")
	require.Len(t, fields, 4, lines[0])
	assert.Equal(t, []string{"mac_a", "failed"}, fields[:2])
	assert.Contains(t, fields[3], `refused\nmac_b\tok\tcommand`, "the message, escaped, is one field")
}

// Every text line writer escapes what came from outside: a device's line, a
// stopped run's last line, and the lines of the lists and commands.
func TestTextLinesEscapeTheirFields(t *testing.T) {
	t.Parallel()
	ok := true
	l := &bulkLine{Email: "ana\n@acme.example", OK: &ok, QR: "qr/x\ty.png"}
	assert.Equal(t, "ana\\n@acme.example\tok\tqr qr/x\\ty.png", l.textLine())
	l = &bulkLine{Device: "d", OK: &ok, Command: &lineCommand{id: "id", typ: "Lock", status: "Acknowledged\nd2\tok"}}
	assert.Equal(t, "d\tok\tcommand id Lock Acknowledged\\nd2\\tok", l.textLine())
	end := &endLine{Incomplete: true, After: "x\ny", Error: &lineError{Exit: 6, Message: "m\r\n"}}
	assert.Equal(t, "incomplete\tafter x\\ny\texit 6\tm\\r\\n", end.textLine())

	var out bytes.Buffer
	c := &cli{app: &app{stdout: &out}, output: "text"}
	items := []*[]string{{"id", "name\nforged\tline", ""}}
	require.NoError(t, printAll(c, items, false, func(f *[]string) []string { return append([]string(nil), *f...) }))
	assert.Equal(t, "id\tname\\nforged\\tline\t-\n", out.String())
}

// One device named twice that fails: the run worked on it once, and it
// failed. The second line is skipped, neither a success nor a failure (it
// has no ok), and the summary counts it apart.
func TestBulkSummaryCountsADuplicateApart(t *testing.T) {
	t.Parallel()
	srv, _ := appleFleet(t, "mac_a")
	r := runCLI(t, srv, nil, "", appleArgs("create", "--device", "mac_zz", "--device", "mac_zz",
		"--type", "DeviceLock", "--concurrency", "1")...)
	assert.Equal(t, exitSomeFailed, r.code, r.stderr)
	assert.Contains(t, r.stderr, "applivery: 2 devices: 0 succeeded, 1 failed, 1 skipped as named before, in ")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	require.Len(t, lines, 2, r.stdout)
	assert.Contains(t, lines, "mac_zz\tskipped\tnamed before in this run: done once", "the line of the duplicate comes as soon as it is read")
	assert.Regexp(t, `(?m)^mac_zz\tfailed\texit 3\t`, r.stdout)

	// A duplicate of a device that succeeded: the run succeeds.
	r = runCLI(t, srv, nil, "", appleArgs("create", "--device", "mac_a", "--device", "mac_a",
		"--type", "DeviceLock", "--concurrency", "1", "--output", "json")...)
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stderr, "applivery: 2 devices: 1 succeeded, 0 failed, 1 skipped as named before, in ")
	assert.Contains(t, strings.Split(r.stdout, "\n"), `{"device":"mac_a","skipped":"named before in this run: done once"}`)
}
