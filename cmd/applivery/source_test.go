package main

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readAll runs readDevices over input and returns what it yielded: devices,
// and "!" and the error's text for each error.
func readAll(t *testing.T, r io.Reader) []string {
	t.Helper()
	var got []string
	readDevices(r, func(device string, err error) bool {
		if err != nil {
			got = append(got, "!"+err.Error())
			return true
		}
		got = append(got, device)
		return true
	})
	return got
}

func TestReadDevices(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 70*1024) // past bufio.Scanner's 64 KiB
	tests := []struct {
		name  string
		input string
		want  []string
	}{
		{"lines, blanks and comments", "a\n\n# c\n  b  \r\nc", []string{"a", "b", "c"}},
		{"a byte order mark is no part of the first device", "\uFEFFdev_a\ndev_b\n", []string{"dev_a", "dev_b"}},
		{"a byte order mark later is", "dev_a\n\uFEFFdev_b\n", []string{"dev_a", "!applivery: \"\\ufeffdev_b\" is not a device ID, serial number or IMEI: it must match " + deviceIDRE.String()}},
		{"an over-long line is one bad line, and the rest goes on", "dev_a\n" + long + "\ndev_b\n", []string{"dev_a",
			"!applivery: \"" + strings.Repeat("x", maxShownValue) + "\"…: line 2 is longer than 4096 bytes: no device is that long", "dev_b"}},
		{"the first line over-long", long + "\ndev_b", []string{
			"!applivery: \"" + strings.Repeat("x", maxShownValue) + "\"…: line 1 is longer than 4096 bytes: no device is that long", "dev_b"}},
		{"a line of exactly the limit is read whole", strings.Repeat("y", maxDeviceLine) + "\r\ndev_b", []string{
			strings.Repeat("y", maxDeviceLine), "dev_b"}},
		{"nothing", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, readAll(t, strings.NewReader(tt.input)))
		})
	}
}

// brokenReader reads its lines, then fails.
type brokenReader struct{ r io.Reader }

func (b *brokenReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if errors.Is(err, io.EOF) {
		return n, errors.New("input/output error")
	}
	return n, err
}

func TestReadDevicesStopsAtAReadError(t *testing.T) {
	t.Parallel()
	got := readAll(t, &brokenReader{strings.NewReader("dev_a\ndev_b\n")})
	assert.Equal(t, []string{"dev_a", "dev_b", "!applivery: reading --devices-from after line 2: input/output error"}, got)
	var srcErr *sourceError
	readDevices(&brokenReader{strings.NewReader("")}, func(_ string, err error) bool {
		require.ErrorAs(t, err, &srcErr)
		return true
	})
	assert.Equal(t, exitIncomplete, srcErr.exit, "an I/O error is no network error (8)")
}

func TestDevicesFromADirectoryOrAMissingFile(t *testing.T) {
	t.Parallel()
	srv := newServer(t, "dev_a")
	dir := t.TempDir()
	for _, tt := range []struct {
		name, path, want string
	}{
		{"a directory", dir, "--devices-from " + dir + ": is a directory, not a file of devices"},
		{"a missing file", filepath.Join(dir, "none"), "--devices-from: open " + filepath.Join(dir, "none")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, srv, nil, "", "android", "commands", "cancel-pending", "--org", org, "--devices-from", tt.path)
			assert.Equal(t, exitUsage, r.code, r.stderr)
			assert.Contains(t, r.stderr, tt.want)
		})
	}
	assert.Empty(t, srv.Requests())
}

func TestALongLineDoesNotDropTheDevicesAfterIt(t *testing.T) {
	t.Parallel()
	srv := newServer(t, "dev_a", "dev_b")
	file := filepath.Join(t.TempDir(), "devices.txt")
	require.NoError(t, os.WriteFile(file, []byte("\uFEFFdev_a\n"+strings.Repeat("z", 70*1024)+"\ndev_b\n"), 0o600))
	r := runCLI(t, srv, nil, "", "android", "commands", "cancel-pending", "--org", org, "--devices-from", file, "--output", "json")
	assert.Equal(t, exitSomeFailed, r.code, r.stderr)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	require.Len(t, lines, 3, r.stdout)
	byDevice := jsonLines(t, r.stdout)
	assert.Equal(t, true, byDevice["dev_a"]["ok"], "the byte order mark is not part of the device")
	assert.Equal(t, true, byDevice["dev_b"]["ok"], "the device after the long line was handled")
	bad := byDevice[strings.Repeat("z", maxShownValue)]
	assert.Equal(t, false, bad["ok"])
	assert.Equal(t, float64(exitUsage), bad["error"].(map[string]any)["exit"])
}
