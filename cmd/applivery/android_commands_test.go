package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/applivery/applivery-go"
	"github.com/applivery/applivery-go/appliverytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCancelPrintsALine(t *testing.T) {
	t.Parallel()
	srv := newServer(t, device)
	cmd := srv.AddCommand(org, device, applivery.Command{Config: applivery.CommandConfig{Metadata: applivery.CommandMetadata{Type: applivery.CommandTypeLock}}})
	r := runCLI(t, srv, nil, "", cancelArgs(cmd.ID)...)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Regexp(t, `^`+cmd.ID+`\tLOCK\tCANCEL\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n$`, r.stdout)
	assert.Empty(t, r.stderr)
}

func TestGetAsJSON(t *testing.T) {
	t.Parallel()
	srv := newServer(t, device)
	seeded := srv.AddCommand(org, device, applivery.Command{
		Organization: "507f1f77bcf86cd799439012",
		Status:       applivery.CommandStatusDone,
		Config:       applivery.CommandConfig{Metadata: applivery.CommandMetadata{Type: applivery.CommandTypeReboot, Duration: "60s"}, Done: true},
		RawConfig:    json.RawMessage(`{"name":"enterprises/e/devices/d/operations/o"}`),
	})
	r := runCLI(t, srv, nil, "", "android", "commands", "get", "--org", org, "--device", device, "--command", seeded.ID, "--output", "json")
	require.Equal(t, 0, r.code, r.stderr)
	want, err := json.Marshal(seeded)
	require.NoError(t, err)
	assert.JSONEq(t, string(want), r.stdout, "the command in the API's shape")
	var fields map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &fields))
	assert.Equal(t, "DONE", fields["status"])
	assert.Equal(t, map[string]any{"name": "enterprises/e/devices/d/operations/o"}, fields["_config"])
}

func TestListAllPages(t *testing.T) {
	t.Parallel()
	srv := newServer(t, device)
	var ids []string
	for i := range 25 {
		status := applivery.CommandStatusPending
		if i%5 == 0 {
			status = applivery.CommandStatusDone
		}
		ids = append(ids, srv.AddCommand(org, device, applivery.Command{Status: status}).ID)
	}

	r := runCLI(t, srv, nil, "", "android", "commands", "list", "--org", org, "--device", device, "--limit", "10")
	require.Equal(t, 0, r.code, r.stderr)
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	require.Len(t, lines, 25)
	for i, line := range lines {
		assert.True(t, strings.HasPrefix(line, ids[i]+"\t-\t"), line)
	}
	assert.Equal(t, 5, strings.Count(r.stdout, "\tDONE\t"))
	var lists int
	for _, req := range srv.Requests() {
		if req.Endpoint == appliverytest.EndpointList {
			lists++
		}
	}
	assert.Equal(t, 3, lists, "three pages of 10")

	r = runCLI(t, srv, nil, "", "android", "commands", "list", "--org", org, "--device", device, "--page", "2", "--limit", "10", "--output", "json")
	require.Equal(t, 0, r.code, r.stderr)
	var page []applivery.Command
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &page))
	require.Len(t, page, 10)
	assert.Equal(t, ids[10], page[0].ID)

	srv.AddDevice(org, applivery.Device{}, "empty_device")
	r = runCLI(t, srv, nil, "", "android", "commands", "list", "--org", org, "--device", "empty_device", "--output", "json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, "[]\n", r.stdout)

	r = runCLI(t, srv, nil, "", "android", "commands", "list", "--org", org, "--device", device, "--sort", "name:up")
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, `--sort "name:up": must match `+applivery.SortPattern)
}

func waitArgs(id string, extra ...string) []string {
	return append([]string{"android", "commands", "wait", "--org", org, "--device", device, "--command", id}, extra...)
}

func TestWait(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		setup      func(srv *appliverytest.Server) []string
		want       int
		wantStatus string // in the command printed
		wantErr    string
	}{
		{name: "applied", want: 0, wantStatus: "\tDONE\t", setup: func(srv *appliverytest.Server) []string {
			srv.ApplyAfter(20 * time.Millisecond)
			return waitArgs(srv.AddCommand(org, device, applivery.Command{}).ID)
		}},
		{name: "canceled", want: 9, wantStatus: "\tCANCEL\t", wantErr: "was canceled before the device applied it", setup: func(srv *appliverytest.Server) []string {
			return waitArgs(srv.AddCommand(org, device, applivery.Command{Status: applivery.CommandStatusCanceled}).ID)
		}},
		{name: "an undocumented status", want: 7, wantStatus: "\tEXPIRED\t", wantErr: "ended as EXPIRED", setup: func(srv *appliverytest.Server) []string {
			return waitArgs(srv.AddCommand(org, device, applivery.Command{Status: "EXPIRED"}).ID)
		}},
		{name: "still pending", want: 10, wantStatus: "\tPENDING\t", wantErr: "still PENDING after 30ms", setup: func(srv *appliverytest.Server) []string {
			return waitArgs(srv.AddCommand(org, device, applivery.Command{}).ID, "--timeout", "30ms")
		}},
		{name: "not found", want: 3, wantErr: "404 Entity not found", setup: func(*appliverytest.Server) []string {
			return waitArgs("0123456789abcdef01234567")
		}},
		{name: "create, then wait", want: 0, wantStatus: "\tDONE\t", setup: func(srv *appliverytest.Server) []string {
			srv.ApplyAfter(20 * time.Millisecond)
			return []string{"android", "commands", "create", "--org", org, "--device", device, "--type", "LOCK", "--wait"}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, device)
			r := runCLI(t, srv, nil, "", tt.setup(srv)...)
			assert.Equal(t, tt.want, r.code, r.stderr)
			if tt.wantStatus != "" {
				assert.Equal(t, 1, strings.Count(r.stdout, "\n"), "one command printed: %q", r.stdout)
				assert.Contains(t, r.stdout, tt.wantStatus)
			}
			if tt.wantErr != "" {
				assert.Contains(t, r.stderr, tt.wantErr)
			} else {
				assert.Empty(t, r.stderr, "no progress when stderr is not a terminal")
			}
		})
	}
}

func TestWaitShowsProgressOnATerminal(t *testing.T) {
	t.Parallel()
	srv := newServer(t, device)
	srv.ApplyAfter(200 * time.Millisecond) // the first poll, at once, reads it PENDING
	cmd := srv.AddCommand(org, device, applivery.Command{})
	var stdout, stderr strings.Builder
	a := &app{
		getenv: func(name string) string {
			return map[string]string{"APPLIVERY_API_KEY": srv.APIKey, "APPLIVERY_BASE_URL": srv.URL}[name]
		},
		stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr,
		stderrTerminal: true, pollInterval: time.Millisecond,
	}
	require.Equal(t, 0, a.run(context.Background(), waitArgs(cmd.ID)), stderr.String())
	assert.Regexp(t, `^\r\x1b\[Kwaiting for command `+cmd.ID+`: PENDING, \d+s, 1 poll\r`, stderr.String())
	assert.Regexp(t, `: DONE, \d+s, \d+ polls?\r\x1b\[K$`, stderr.String(), "the last state, then the line is cleared")
	assert.Contains(t, stdout.String(), "\tDONE\t")
}

func TestWaitingCommandsHaveALongerDefaultTimeout(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want time.Duration
	}{
		{[]string{"wait"}, waitTimeout},
		{[]string{"wait", "--timeout", "30s"}, 30 * time.Second},
		{[]string{"create", "--wait"}, waitTimeout},
		{[]string{"create", "--wait", "--timeout", "0"}, 0},
		{[]string{"create"}, time.Minute},
		{[]string{"cancel"}, time.Minute},
	}
	for _, tt := range tests {
		cmd, _ := lookup([]string{"android", "commands", tt.args[0]})
		require.NotNil(t, cmd, tt.args[0])
		c := &cli{app: &app{}}
		flags := cmd.flagSet(c)
		cmd.setup(c, flags)
		require.NoError(t, flags.Parse(tt.args[1:]))
		assert.Equal(t, tt.want, c.deadline(flags), "%v", tt.args)
	}
}

func TestCancelPending(t *testing.T) {
	t.Parallel()
	srv := newServer(t, "dev_a", "dev_b", "dev_c")
	a1 := srv.AddCommand(org, "dev_a", applivery.Command{})
	a2 := srv.AddCommand(org, "dev_a", applivery.Command{})
	done := srv.AddCommand(org, "dev_a", applivery.Command{Status: applivery.CommandStatusDone})
	r := runCLI(t, srv, nil, "", "android", "commands", "cancel-pending", "--org", org,
		"--device", "dev_a", "--device", "dev_b", "--output", "json")
	require.Equal(t, 0, r.code, r.stderr)
	lines := jsonLines(t, r.stdout)
	require.Len(t, lines, 2)
	assert.Equal(t, true, lines["dev_a"]["ok"])
	assert.ElementsMatch(t, []any{a1.ID, a2.ID}, lines["dev_a"]["canceled"])
	assert.Equal(t, []any{}, lines["dev_b"]["canceled"], "an empty list when nothing was pending")
	assert.NotContains(t, lines["dev_a"], "error", "no error member on success")
	got, _ := srv.Command(org, "dev_a", done.ID)
	assert.Equal(t, applivery.CommandStatusDone, got.Status)
	got, _ = srv.Command(org, "dev_a", a1.ID)
	assert.Equal(t, applivery.CommandStatusCanceled, got.Status)
	assert.Contains(t, r.stderr, "applivery: 2 devices: 2 succeeded, 0 failed")
	assert.Regexp(t, `^\{"device":"dev_[ab]","ok":true,"canceled":\[`, strings.Split(r.stdout, "\n")[0], "device and ok first")
}
