package main

// The tests run the command line in process, as main does, with its
// environment given explicitly so that no real key from the developer's
// shell can reach it, and with millisecond waits between retries.
// TestTheBinary builds and runs the real program once.

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
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

func TestNegativeFlagsAreUsageErrors(t *testing.T) {
	t.Parallel()
	srv := newServer(t, device)
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
		{name: "unknown command", want: 2, wantErr: `unknown command "android phones list"`, setup: func(*appliverytest.Server) []string {
			return []string{"android", "phones", "list"}
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
		{name: "invalid command ID", want: 2, wantErr: `--command "../x": must match ` + applivery.CommandIDPattern, setup: func(*appliverytest.Server) []string {
			return cancelArgs("../x")
		}},
		{name: "missing device", want: 2, wantErr: "applivery: --device is required\n", setup: func(*appliverytest.Server) []string {
			return []string{"android", "commands", "list", "--org", org}
		}},
		{name: "missing organization", want: 2, wantErr: "applivery: --org is required\n", setup: func(*appliverytest.Server) []string {
			return []string{"android", "commands", "list", "--device", device}
		}},
		{name: "invalid organization", want: 2, wantErr: `applivery: --org "bad/org": must match ` + applivery.OrganizationIDPattern, setup: func(*appliverytest.Server) []string {
			return []string{"android", "commands", "get", "--org", "bad/org", "--device", device, "--command", "0123456789abcdef01234567"}
		}},
		{name: "duration too long", want: 2, wantErr: "applivery: --duration \"" + strings.Repeat("9", 64) + "…\": longer than the API takes", setup: func(*appliverytest.Server) []string {
			return []string{"android", "commands", "create", "--org", org, "--device", device, "--type", "LOCK", "--duration", strings.Repeat("9", 300)}
		}},
		{name: "bad base URL from the environment", want: 2, wantErr: `applivery: APPLIVERY_BASE_URL "http://api.example/v1": must use https`,
			env: []string{"APPLIVERY_BASE_URL=http://api.example/v1"}, setup: func(*appliverytest.Server) []string {
				return cancelArgs("0123456789abcdef01234567")
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
		{name: "plain http base URL", want: 2, wantErr: `applivery: --base-url "http://api.example/v1": must use https`, setup: func(*appliverytest.Server) []string {
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
			srv := newServer(t, device)
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
			srv := newServer(t, device)
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
	srv := newServer(t, device)
	r := runCLI(t, srv, nil, "", "android", "commands", "create", "--org", org, "--device", device, "--type", "RESET_PASSWORD", "--new-password-stdin")
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "stdin holds no password")
	assert.Empty(t, srv.Requests())
}

func TestVerboseNeverShowsTheKey(t *testing.T) {
	t.Parallel()
	srv := newServer(t, device)
	srv.Script(appliverytest.EndpointCancel, appliverytest.Fault{Status: 503}, appliverytest.Fault{Drop: true})
	cmd := srv.AddCommand(org, device, applivery.Command{})
	r := runCLI(t, srv, nil, "", cancelArgs(cmd.ID, "--verbose")...)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stderr, "applivery: retrying")
	assert.NotContains(t, r.stderr, srv.APIKey)
	assert.NotContains(t, r.stderr, "Bearer")
}

func TestDemoServesEveryVerb(t *testing.T) {
	t.Parallel()
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	out, w := io.Pipe()
	var stderr strings.Builder
	done := make(chan int)
	go func() {
		a := &app{getenv: func(string) string { return "" }, stdin: strings.NewReader(""), stdout: w, stderr: &stderr,
			demoDelay: 20 * time.Millisecond}
		done <- a.run(ctx, []string{"demo"})
		w.Close()
	}()

	// Read the instructions up to the line that says the demo serves.
	lines := bufio.NewScanner(out)
	env := map[string]string{}
	var commands [][]string
	for lines.Scan() {
		line := strings.TrimSpace(lines.Text())
		if vars, ok := strings.CutPrefix(line, "export "); ok {
			for _, kv := range strings.Fields(vars) {
				k, v, _ := strings.Cut(kv, "=")
				env[k] = v
			}
		}
		if args, ok := strings.CutPrefix(line, "applivery "); ok {
			commands = append(commands, strings.Fields(args))
		}
		if strings.HasPrefix(line, "Serving until interrupted") {
			break
		}
	}
	rest := make(chan string)
	go func() { b, _ := io.ReadAll(out); rest <- string(b) }()
	require.Contains(t, env, "APPLIVERY_BASE_URL")
	require.Contains(t, env, "APPLIVERY_API_KEY")
	require.Len(t, commands, 10, "devices list, get and move; commands list, get, cancel, create --wait; two fleet runs over the lost devices and one over a site")

	environment := []string{"APPLIVERY_BASE_URL=" + env["APPLIVERY_BASE_URL"], "APPLIVERY_API_KEY=" + env["APPLIVERY_API_KEY"]}
	outputs := map[string]string{}
	for _, args := range commands {
		r := runCLI(t, nil, environment, "", args...)
		assert.Equal(t, 0, r.code, "%v: %s", args, r.stderr)
		assert.NotEmpty(t, r.stdout, "%v", args)
		outputs[strings.Join(args, " ")] = r.stdout
	}
	for cmd, out := range outputs {
		switch {
		case strings.Contains(cmd, "devices list"):
			assert.Equal(t, 13, strings.Count(out, "\n"), "the devices of berlin, the featured one included: %s", out)
		case strings.Contains(cmd, "--dry-run"):
			assert.Equal(t, 4, strings.Count(out, "\twould cancel 1: "), "the four lost devices, one pending command each: %s", out)
		case strings.Contains(cmd, "--tag lost --output json"):
			assert.Equal(t, 4, strings.Count(out, `"ok":true,"canceled":["`), "the four lost devices: %s", out)
		case strings.Contains(cmd, "--tag madrid"):
			assert.Equal(t, 12, strings.Count(out, "\tok\tcommand "), "every device of madrid: %s", out)
			assert.Equal(t, 12, strings.Count(out, " LOCK DONE"), "each applied its lock: %s", out)
		case strings.Contains(cmd, "REBOOT --wait"):
			assert.Contains(t, out, "\tREBOOT\tDONE\t", "an online device applies it")
		}
	}
	r := runCLI(t, nil, environment, "", "android", "commands", "list", "--org", demoOrg, "--device", demoDevice)
	assert.Equal(t, 4, strings.Count(r.stdout, "\n"), "the four seeded commands: %s", r.stdout)
	assert.Equal(t, 1, strings.Count(r.stdout, "\tLOCK\tCANCEL\t"), "the LOCK was canceled: %s", r.stdout)
	assert.Equal(t, 1, strings.Count(r.stdout, "\tREBOOT\tCANCEL\t"), "the REBOOT, by cancel-pending: %s", r.stdout)

	stop() // Ctrl-C
	assert.Equal(t, 0, <-done)
	assert.Equal(t, "Stopped.\n", <-rest)
	assert.Empty(t, stderr.String())
}

func TestDemoTakesNoArguments(t *testing.T) {
	t.Parallel()
	r := runCLI(t, nil, nil, "", "demo", "--port", "80")
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, `demo takes no arguments, got "--port 80"`)

	r = runCLI(t, nil, nil, "", "demo", "--help")
	assert.Equal(t, 0, r.code, "help is no error: %s", r.stderr)
	assert.True(t, strings.HasPrefix(r.stdout, "Usage: applivery demo\n"), r.stdout)
}

func TestVersion(t *testing.T) {
	t.Parallel()
	for _, arg := range []string{"version", "--version", "-version"} {
		r := runCLI(t, nil, nil, "", arg)
		assert.Equal(t, 0, r.code)
		assert.Equal(t, "applivery "+applivery.Version+" (applivery-go "+applivery.Version+", "+runtime.Version()+")\n", r.stdout)
	}
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
		cmd, _ := find([]string{"android", "commands", tt.args[0]})
		require.NotNil(t, cmd, tt.args[0])
		c := &cli{app: &app{}}
		flags := cmd.flagSet(c)
		cmd.setup(c, flags)
		require.NoError(t, flags.Parse(tt.args[1:]))
		assert.Equal(t, tt.want, c.deadline(flags), "%v", tt.args)
	}
}

func TestDevices(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	a := srv.AddDevice(org, applivery.Device{
		MDMUser: &applivery.DeviceUser{ID: "60b7c8d9e0f1a2b3c4d5e6f7", Email: "ana@acme.example"},
		Policy:  &applivery.DevicePolicy{ID: "62c1d2e3f4a5b6c7d8e9f0a1", Name: "Kiosk"},
		Raw:     json.RawMessage(`{"tags":["kiosk"],"segmentId":4}`),
	}, "R58M123")
	b := srv.AddDevice(org, applivery.Device{Raw: json.RawMessage(`{"tags":["berlin"],"segmentId":0}`)})
	list := []string{"android", "devices", "list", "--org", org}

	r := runCLI(t, srv, nil, "", list...)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Regexp(t, `^`+a.ID+`\tana@acme.example\tKiosk\t\d{4}-\d\d-\d\dT[\d:]+Z\n`+b.ID+`\t-\t-\t\S+\n$`, r.stdout)

	for _, tt := range []struct {
		args []string
		want []string
	}{
		{[]string{"--tag", "kiosk"}, []string{a.ID}},
		{[]string{"--tag", "kiosk", "--tag", "berlin"}, nil},
		{[]string{"--user", "60b7c8d9e0f1a2b3c4d5e6f7"}, []string{a.ID}},
		{[]string{"--policy", "62c1d2e3f4a5b6c7d8e9f0a1"}, []string{a.ID}},
		{[]string{"--segment", "0"}, []string{b.ID}},
		{[]string{"--segment", "4", "--expand-to", "children"}, []string{a.ID}},
		{[]string{"--show-deleted", "--limit", "1"}, []string{a.ID, b.ID}},
		{[]string{"--page", "2", "--limit", "1"}, []string{b.ID}},
	} {
		r := runCLI(t, srv, nil, "", append(append(list, tt.args...), "--output", "json")...)
		require.Equal(t, 0, r.code, "%v: %s", tt.args, r.stderr)
		var got []map[string]any
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &got))
		var ids []string
		for _, d := range got {
			ids = append(ids, d["id"].(string))
		}
		assert.Equal(t, tt.want, ids, "%v", tt.args)
	}

	r = runCLI(t, srv, nil, "", "android", "devices", "get", "--org", org, "--device", "R58M123", "--output", "json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.JSONEq(t, string(a.Raw), r.stdout, "the device as the API sent it")

	r = runCLI(t, srv, nil, "", "android", "devices", "move", "--org", org, "--device", a.ID, "--segment", "9")
	require.Equal(t, 0, r.code, r.stderr)
	assert.True(t, strings.HasPrefix(r.stdout, a.ID+"\t"))
	moved, _ := srv.Device(org, a.ID)
	assert.Contains(t, string(moved.Raw), `"segmentId":9`)
}

func TestDeviceExitStatuses(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	tests := []struct {
		args    []string
		want    int
		wantErr string
	}{
		{[]string{"get", "--org", org, "--device", "R58M999"}, 3, "404 Entity not found"},
		{[]string{"get", "--org", org}, 2, "applivery: --device is required"},
		{[]string{"move", "--org", org, "--device", "R58M123", "--segment", "1"}, 2, `applivery: --device "R58M123": must match ` + applivery.ObjectIDPattern},
		{[]string{"move", "--org", org, "--device", "5f1e0c2a9b8d7e6f5a4b3c2d"}, 2, "applivery: --segment is required"},
		{[]string{"move", "--org", org, "--device", "5f1e0c2a9b8d7e6f5a4b3c2d", "--segment", "-1"}, 2, "--segment -1: must be 0 or more"},
		{[]string{"list", "--org", org, "--user", "ana"}, 2, `applivery: --user "ana": must match ` + applivery.ObjectIDPattern},
		{[]string{"list", "--org", org, "--expand-to", "children"}, 2, `applivery: --expand-to "children": needs a segmentId to expand from`},
		{[]string{"list", "--org", org, "--tag", ""}, 2, "applivery: --tag: tag 0 is empty"},
		{[]string{"list", "--org", org, "--segment", "x"}, 2, `invalid value "x" for flag -segment`},
		{[]string{"unplug", "--org", org}, 2, `unknown command "unplug": try list, get or move`},
	}
	for _, tt := range tests {
		r := runCLI(t, srv, nil, "", append([]string{"android", "devices"}, tt.args...)...)
		assert.Equal(t, tt.want, r.code, "%v: %s", tt.args, r.stderr)
		assert.Contains(t, r.stderr, tt.wantErr, "%v", tt.args)
	}
}
