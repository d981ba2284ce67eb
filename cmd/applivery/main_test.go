package main

// The tests build the binary once and run it, as a script would, against
// appliverytest servers. Its environment is given explicitly, so that no
// real key from the developer's shell can reach it.

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
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

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "applivery-cli")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "applivery")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building the CLI: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// result is one run of the binary.
type result struct {
	code           int
	stdout, stderr string
}

// runCLI runs the binary with the key and base URL of srv (when srv is not
// nil), extra environment, stdin, and args. Whatever the run, the key it was
// given must appear in none of its output.
func runCLI(t *testing.T, srv *appliverytest.Server, env []string, stdin string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = []string{"HOME=" + t.TempDir()}
	if srv != nil {
		cmd.Env = append(cmd.Env, "APPLIVERY_API_KEY="+srv.APIKey, "APPLIVERY_BASE_URL="+srv.URL)
	}
	cmd.Env = append(cmd.Env, env...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exitErr *exec.ExitError
	code := 0
	if errors.As(err, &exitErr) {
		code = exitErr.ExitCode()
	} else {
		require.NoError(t, err)
	}
	for _, kv := range cmd.Env {
		if key, ok := strings.CutPrefix(kv, "APPLIVERY_API_KEY="); ok && key != "" {
			assert.NotContains(t, stdout.String()+stderr.String(), key, "the API key in the output of %v", args)
		}
	}
	return result{code, stdout.String(), stderr.String()}
}

func newServer(t *testing.T) *appliverytest.Server {
	t.Helper()
	srv := appliverytest.NewServer()
	t.Cleanup(srv.Close)
	return srv
}

func cancelArgs(id string, extra ...string) []string {
	return append([]string{"android", "commands", "cancel", "--org", org, "--device", device, "--command", id}, extra...)
}

func TestNegativeFlagsAreUsageErrors(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	cmd := srv.AddCommand(org, device, applivery.Command{})
	listArgs := []string{"android", "commands", "list", "--org", org, "--device", device}
	tests := []struct {
		args []string
		want string
	}{
		{cancelArgs(cmd.ID, "--timeout", "-1s"), "--timeout -1s: must be 0 or more"},
		{cancelArgs(cmd.ID, "--timeout=-1ns"), "--timeout -1ns: must be 0 or more"},
		{cancelArgs(cmd.ID, "--max-retries", "-1"), "--max-retries -1: must be 0 or more"},
		{append(listArgs, "--page", "-2"), "--page -2: must be 0 or more"},
		{append(listArgs, "--limit", "-5"), "--limit -5: must be 0 or more"},
	}
	t.Cleanup(func() { // after the parallel subtests
		assert.Empty(t, srv.Requests(), "nothing was sent")
		got, _ := srv.Command(org, device, cmd.ID)
		assert.Equal(t, applivery.CommandStatusPending, got.Status)
	})
	for _, tt := range tests {
		t.Run(strings.Join(tt.args[len(tt.args)-2:], " "), func(t *testing.T) {
			t.Parallel()
			res := runCLI(t, srv, nil, "", tt.args...)
			assert.Equal(t, 2, res.code, res.stderr)
			assert.Contains(t, res.stderr, tt.want)
		})
	}
}

func TestExitStatuses(t *testing.T) {
	t.Parallel()
	closed := func() string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		defer l.Close()
		return "http://" + l.Addr().String() + "/v1"
	}()
	tests := []struct {
		name     string
		setup    func(srv *appliverytest.Server) []string // returns the args
		env      []string
		noServer bool
		want     int
		wantErr  string // in stderr
	}{
		{name: "success", want: 0, setup: func(srv *appliverytest.Server) []string {
			return cancelArgs(srv.AddCommand(org, device, applivery.Command{}).ID)
		}},
		{name: "no arguments", want: 2, wantErr: "Usage:", setup: func(*appliverytest.Server) []string { return nil }},
		{name: "unknown command", want: 2, wantErr: `unknown command "android devices list"`, setup: func(*appliverytest.Server) []string {
			return []string{"android", "devices", "list"}
		}},
		{name: "unknown verb", want: 2, wantErr: `unknown command "delete"`, setup: func(*appliverytest.Server) []string {
			return []string{"android", "commands", "delete"}
		}},
		{name: "unknown flag", want: 2, wantErr: "flag provided but not defined: -key", setup: func(*appliverytest.Server) []string {
			return cancelArgs("0123456789abcdef01234567", "--key", "sk_x")
		}},
		{name: "stray argument", want: 2, wantErr: `unexpected argument "extra"`, setup: func(*appliverytest.Server) []string {
			return cancelArgs("0123456789abcdef01234567", "extra")
		}},
		{name: "invalid command ID", want: 2, wantErr: `invalid emmCommandId "../x"`, setup: func(*appliverytest.Server) []string {
			return cancelArgs("../x")
		}},
		{name: "missing device", want: 2, wantErr: "invalid emmDeviceId: empty", setup: func(*appliverytest.Server) []string {
			return []string{"android", "commands", "list", "--org", org}
		}},
		{name: "bad output format", want: 2, wantErr: `--output "yaml"`, setup: func(*appliverytest.Server) []string {
			return cancelArgs("0123456789abcdef01234567", "--output", "yaml")
		}},
		{name: "params of another type", want: 2, wantErr: "--iccid go with --type REMOVE_ESIM", setup: func(*appliverytest.Server) []string {
			return []string{"android", "commands", "create", "--org", org, "--device", device, "--type", "LOCK", "--iccid", "8901"}
		}},
		{name: "negative retries", want: 2, wantErr: "--max-retries -1: must be 0 or more", setup: func(*appliverytest.Server) []string {
			return cancelArgs("0123456789abcdef01234567", "--max-retries", "-1")
		}},
		{name: "plain http base URL", want: 2, wantErr: "must use https", setup: func(*appliverytest.Server) []string {
			return cancelArgs("0123456789abcdef01234567", "--base-url", "http://api.example/v1")
		}},
		{name: "no key", want: 2, wantErr: "APPLIVERY_API_KEY is not set", noServer: true, setup: func(*appliverytest.Server) []string {
			return cancelArgs("0123456789abcdef01234567")
		}},
		{name: "not found", want: 3, wantErr: "404 Entity not found (code 3001)", setup: func(*appliverytest.Server) []string {
			return cancelArgs("0123456789abcdef01234567")
		}},
		{name: "wrong key", want: 4, wantErr: "401 Invalid Token (code 4004)", env: []string{"APPLIVERY_API_KEY=wrong"},
			setup: func(srv *appliverytest.Server) []string {
				return cancelArgs(srv.AddCommand(org, device, applivery.Command{}).ID)
			}},
		{name: "forbidden", want: 4, wantErr: "403 Forbidden", setup: func(srv *appliverytest.Server) []string {
			srv.Script(appliverytest.EndpointGet, appliverytest.Fault{Status: 403})
			return []string{"android", "commands", "get", "--org", org, "--device", device, "--command", "0123456789abcdef01234567"}
		}},
		{name: "not pending", want: 5, wantErr: "400 EmmCommand status not Pending (code 5052)", setup: func(srv *appliverytest.Server) []string {
			return cancelArgs(srv.AddCommand(org, device, applivery.Command{Status: applivery.CommandStatusDone}).ID)
		}},
		{name: "rate limited", want: 6, wantErr: "429 Too Many Requests", setup: func(srv *appliverytest.Server) []string {
			srv.Script(appliverytest.EndpointCancel, appliverytest.Fault{Status: 429, RetryAfter: "3600"})
			return cancelArgs(srv.AddCommand(org, device, applivery.Command{}).ID)
		}},
		{name: "billing plan", want: 7, wantErr: "(code 5050)", setup: func(srv *appliverytest.Server) []string {
			srv.SetFeatureAllowed(org, false)
			return cancelArgs(srv.AddCommand(org, device, applivery.Command{}).ID)
		}},
		{name: "server error", want: 7, wantErr: "500 Internal Server Error", setup: func(srv *appliverytest.Server) []string {
			srv.Script(appliverytest.EndpointCancel, appliverytest.Fault{Status: 500})
			return cancelArgs(srv.AddCommand(org, device, applivery.Command{}).ID, "--max-retries", "0")
		}},
		{name: "create with a lost answer", want: 7, wantErr: "the command may have been created", setup: func(srv *appliverytest.Server) []string {
			srv.Script(appliverytest.EndpointCreate, appliverytest.Fault{Status: 502, Applied: true})
			return []string{"android", "commands", "create", "--org", org, "--device", device, "--type", "LOCK"}
		}},
		{name: "create with a cut answer", want: 7, wantErr: "the command may have been created", setup: func(srv *appliverytest.Server) []string {
			srv.Script(appliverytest.EndpointCreate, appliverytest.Fault{CutBody: true})
			return []string{"android", "commands", "create", "--org", org, "--device", device, "--type", "LOCK"}
		}},
		{name: "create whose connection broke", want: 8, wantErr: "the command may have been created", setup: func(srv *appliverytest.Server) []string {
			srv.Script(appliverytest.EndpointCreate, appliverytest.Fault{Drop: true, Applied: true})
			return []string{"android", "commands", "create", "--org", org, "--device", device, "--type", "LOCK"}
		}},
		{name: "cancel with a cut answer", want: 0, setup: func(srv *appliverytest.Server) []string {
			srv.Script(appliverytest.EndpointCancel, appliverytest.Fault{CutBody: true})
			return cancelArgs(srv.AddCommand(org, device, applivery.Command{}).ID)
		}},
		{name: "connection refused", want: 8, wantErr: "connection refused", setup: func(srv *appliverytest.Server) []string {
			return cancelArgs("0123456789abcdef01234567", "--base-url", closed, "--max-retries", "1")
		}},
		{name: "timeout", want: 8, wantErr: "context deadline exceeded", setup: func(srv *appliverytest.Server) []string {
			srv.Script(appliverytest.EndpointCancel, appliverytest.Fault{Latency: 10 * time.Second})
			return cancelArgs(srv.AddCommand(org, device, applivery.Command{}).ID, "--timeout", "300ms")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			args := tt.setup(srv)
			if tt.noServer {
				srv = nil
			}
			r := runCLI(t, srv, tt.env, "", args...)
			assert.Equal(t, tt.want, r.code, "stderr: %s", r.stderr)
			assert.Contains(t, r.stderr, tt.wantErr)
			if tt.want != 0 {
				assert.Empty(t, r.stdout, "errors go to stderr")
			}
		})
	}
}

func TestHelp(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}, {"android", "commands", "cancel", "--help"}} {
		r := runCLI(t, nil, nil, "", args...)
		assert.Equal(t, 0, r.code, "%v", args)
		assert.Contains(t, r.stdout, "Exit status:\n  0  success\n  2  usage or validation error")
		for code := 3; code <= 8; code++ {
			assert.Contains(t, r.stdout, fmt.Sprintf("\n  %d  ", code))
		}
		assert.Contains(t, r.stdout, "APPLIVERY_API_KEY")
	}
}

func TestCancelPrintsALine(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	cmd := srv.AddCommand(org, device, applivery.Command{Config: applivery.CommandConfig{Metadata: applivery.CommandMetadata{Type: applivery.CommandTypeLock}}})
	r := runCLI(t, srv, nil, "", cancelArgs(cmd.ID)...)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Regexp(t, `^`+cmd.ID+`\tLOCK\tCANCEL\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n$`, r.stdout)
	assert.Empty(t, r.stderr)
}

func TestGetAsJSON(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
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
	srv := newServer(t)
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

	r = runCLI(t, srv, nil, "", "android", "commands", "list", "--org", org, "--device", "empty_device", "--output", "json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, "[]\n", r.stdout)

	r = runCLI(t, srv, nil, "", "android", "commands", "list", "--org", org, "--device", device, "--sort", "name:up")
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, `invalid sort "name:up"`)
}

func TestCreate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		args     []string
		stdin    string
		wantBody string
	}{
		{"lock", []string{"--type", "lock", "--duration", "3600s"}, "", `{"type":"LOCK","duration":"3600s"}`},
		{"reset password", []string{"--type", "RESET_PASSWORD", "--new-password-stdin", "--reset-flag", "REQUIRE_ENTRY", "--reset-flag", "LOCK_NOW"},
			"s3cr3t-Passw0rd\n", `{"type":"RESET_PASSWORD","newPassword":"s3cr3t-Passw0rd","resetPasswordFlags":["REQUIRE_ENTRY","LOCK_NOW"]}`},
		{"lost mode", []string{"--type", "START_LOST_MODE", "--lost-message", "Call us", "--lost-phone", "+1-555-0123"}, "",
			`{"type":"START_LOST_MODE","startLostModeParams":{"lostMessage":{"defaultMessage":"Call us"},"lostPhoneNumber":{"defaultMessage":"+1-555-0123"}}}`},
		{"stop lost mode", []string{"--type", "STOP_LOST_MODE"}, "", `{"type":"STOP_LOST_MODE","stopLostModeParams":{}}`},
		{"clear app data", []string{"--type", "CLEAR_APP_DATA", "--package", "com.a", "--package", "com.b"}, "",
			`{"type":"CLEAR_APP_DATA","clearAppsDataParams":{"packageNames":["com.a","com.b"]}}`},
		{"add esim", []string{"--type", "ADD_ESIM", "--carrier", "Acme", "--activation-code", "LPA:1$x$y"}, "",
			`{"type":"ADD_ESIM","addEsimParams":{"carrierName":"Acme","activationCode":"LPA:1$x$y"}}`},
		{"remove esim", []string{"--type", "REMOVE_ESIM", "--iccid", "8901"}, "", `{"type":"REMOVE_ESIM","removeEsimParams":{"iccid":"8901"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			args := append([]string{"android", "commands", "create", "--org", org, "--device", device, "--output", "json", "--verbose"}, tt.args...)
			r := runCLI(t, srv, nil, tt.stdin, args...)
			require.Equal(t, 0, r.code, r.stderr)
			var cmd applivery.Command
			require.NoError(t, json.Unmarshal([]byte(r.stdout), &cmd))
			assert.Equal(t, applivery.CommandStatusPending, cmd.Status)
			reqs := srv.Requests()
			require.Len(t, reqs, 1)
			assert.JSONEq(t, tt.wantBody, string(reqs[0].Body))
			assert.Contains(t, r.stderr, "applivery: attempt", "--verbose logs the attempt")
			assert.NotContains(t, r.stdout+r.stderr, "s3cr3t-Passw0rd", "the new password is never printed")
		})
	}
}

func TestCreateRefusesAnEmptyPassword(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	r := runCLI(t, srv, nil, "", "android", "commands", "create", "--org", org, "--device", device, "--type", "RESET_PASSWORD", "--new-password-stdin")
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "stdin holds no password")
	assert.Empty(t, srv.Requests())
}

func TestVerboseNeverShowsTheKey(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	srv.Script(appliverytest.EndpointCancel, appliverytest.Fault{Status: 503}, appliverytest.Fault{Drop: true})
	cmd := srv.AddCommand(org, device, applivery.Command{})
	r := runCLI(t, srv, nil, "", cancelArgs(cmd.ID, "--verbose")...)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stderr, "applivery: retrying")
	assert.NotContains(t, r.stderr, srv.APIKey)
	assert.NotContains(t, r.stderr, "Bearer")
}
