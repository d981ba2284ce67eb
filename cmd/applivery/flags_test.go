package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSecondsFlag(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, give, want, wantErr string
	}{
		{name: "plain seconds", give: "3600", want: "3600s"},
		{name: "seconds with their unit", give: "3600s", want: "3600s"},
		{name: "a Go duration", give: "1h", want: "3600s"},
		{name: "a Go duration of parts", give: "1h30m", want: "5400s"},
		{name: "none", give: "", want: ""},
		{name: "a fraction of a second", give: "1.5s", wantErr: `--duration "1.5s": the API takes whole seconds`},
		{name: "zero", give: "0", wantErr: `--duration "0": must be more than 0 seconds`},
		{name: "negative", give: "-5m", wantErr: `--duration "-5m": must be more than 0 seconds`},
		{name: "NaN", give: "NaN", wantErr: `--duration "NaN": must be more than 0 seconds`},
		{name: "words", give: "an hour", wantErr: `--duration "an hour": not a duration: use seconds (3600) or a Go duration`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var f secondsFlag
			require.NoError(t, f.Set(tt.give))
			got, err := f.seconds("--duration")
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
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
