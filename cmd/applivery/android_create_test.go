package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/applivery/applivery-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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

func TestCreateChecksTypeAndDurationBeforeTheWire(t *testing.T) {
	t.Parallel()
	create := []string{"android", "commands", "create", "--org", org, "--device", device}
	tests := []struct {
		name     string
		args     []string
		want     int
		wantErr  string
		wantBody string
	}{
		{name: "an undocumented type", args: []string{"--type", "WIPE"}, want: exitUsage,
			wantErr: `--type "WIPE": not a type the API documents (LOCK, RESET_PASSWORD, REBOOT, `},
		{name: "an undocumented type, allowed: sent, and the fake refuses it as the API does", args: []string{"--type", "WIPE", "--allow-unknown-type"},
			want: exitAPI, wantErr: "400 Invalid input (code 5209)", wantBody: `{"type":"WIPE"}`},
		{name: "a documented type in lower case", args: []string{"--type", "reboot"}, want: 0, wantBody: `{"type":"REBOOT"}`},
		{name: "a Go duration is sent in seconds", args: []string{"--type", "LOCK", "--duration", "1h"}, want: 0,
			wantBody: `{"type":"LOCK","duration":"3600s"}`},
		{name: "plain seconds", args: []string{"--type", "LOCK", "--duration", "90"}, want: 0, wantBody: `{"type":"LOCK","duration":"90s"}`},
		{name: "a duration the API cannot take", args: []string{"--type", "LOCK", "--duration", "500ms"}, want: exitUsage,
			wantErr: `--duration "500ms": the API takes whole seconds`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, device)
			r := runCLI(t, srv, nil, "", append(create, tt.args...)...)
			assert.Equal(t, tt.want, r.code, r.stderr)
			assert.Contains(t, r.stderr, tt.wantErr)
			reqs := srv.Requests()
			if tt.wantBody == "" {
				assert.Empty(t, reqs, "nothing sent")
				return
			}
			require.Len(t, reqs, 1)
			assert.JSONEq(t, tt.wantBody, string(reqs[0].Body))
		})
	}
}

func TestReadLineTakesNothingAfterTheLine(t *testing.T) {
	t.Parallel()
	r := strings.NewReader("s3cr3t\r\ndev_a\ndev_b\n")
	line, err := readLine(r)
	require.NoError(t, err)
	assert.Equal(t, "s3cr3t", line)
	rest := make([]byte, 64)
	n, _ := r.Read(rest)
	assert.Equal(t, "dev_a\ndev_b\n", string(rest[:n]), "the devices after the password stay for the next reader")
}

func TestBulkCreate(t *testing.T) {
	t.Parallel()
	srv := newServer(t, "dev_a", "dev_b", "dev_c")
	srv.ApplyAfter(10 * time.Millisecond)
	r := runCLI(t, srv, nil, "", "android", "commands", "create", "--org", org, "--device", "dev_a", "--device", "dev_b",
		"--type", "LOCK", "--wait", "--output", "json")
	require.Equal(t, 0, r.code, r.stderr)
	lines := jsonLines(t, r.stdout)
	require.Len(t, lines, 2)
	for _, d := range []string{"dev_a", "dev_b"} {
		cmd := lines[d]["command"].(map[string]any)
		assert.Equal(t, "DONE", cmd["status"], "waited for")
		stored, ok := srv.Command(org, d, cmd["id"].(string))
		require.True(t, ok)
		assert.Equal(t, applivery.CommandTypeLock, stored.Type())
	}

	r = runCLI(t, srv, nil, "", "android", "commands", "create", "--org", org, "--device", "dev_a", "--device", "dev_c", "--type", "REBOOT")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Regexp(t, `(?m)^dev_c\tok\tcommand [0-9a-f]{24} REBOOT PENDING$`, r.stdout)
}

func TestDryRunOnOneDevice(t *testing.T) {
	t.Parallel()
	srv := newServer(t, "dev_a")
	r := runCLI(t, srv, nil, "", "android", "commands", "create", "--org", org, "--device", "dev_a", "--type", "LOCK", "--dry-run", "--output", "json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.JSONEq(t, `{"device":"dev_a","ok":true,"dryRun":true,"wouldCreate":"LOCK"}`, r.stdout)

	r = runCLI(t, srv, nil, "", "android", "commands", "create", "--org", org, "--device", "dev_typo", "--type", "LOCK", "--dry-run", "--output", "json")
	assert.Equal(t, exitNotFound, r.code, "the device's own status: %s", r.stderr)
	line := jsonLines(t, r.stdout)["dev_typo"]
	assert.Equal(t, false, line["ok"])
	assert.Equal(t, float64(exitNotFound), line["error"].(map[string]any)["exit"])
	for _, req := range srv.Requests() {
		assert.Equal(t, http.MethodGet, req.Method, "a dry run only reads")
	}
}

func TestPasswordAndDevicesCannotBothComeFromStdin(t *testing.T) {
	t.Parallel()
	srv := newServer(t, "dev_a", "dev_b")
	r := runCLI(t, srv, nil, "s3cr3t\ndev_a\ndev_b\n", "android", "commands", "create", "--org", org, "--devices-from", "-",
		"--type", "RESET_PASSWORD", "--new-password-stdin")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "--new-password-stdin and --devices-from - both read stdin: give the devices in a file")
	assert.Empty(t, srv.Requests())
}
