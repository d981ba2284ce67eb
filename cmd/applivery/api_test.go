package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/applivery/applivery-go"
	"github.com/applivery/applivery-go/appliverytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAPI(t *testing.T) {
	t.Parallel()
	commands := "/organizations/" + org + "/mdm/android/enterprise/devices/" + device + "/commands"
	body := filepath.Join(t.TempDir(), "lock.json")
	require.NoError(t, os.WriteFile(body, []byte(`{"type":"LOCK"}`), 0o600))
	tests := []struct {
		name     string
		args     []string
		stdin    string
		want     int
		wantErr  string
		check    func(t *testing.T, srv *appliverytest.Server, stdout string)
		wantSent int
	}{
		{name: "a GET prints the data", args: []string{"GET", commands, "--query", "limit=1"}, want: 0, wantSent: 1,
			check: func(t *testing.T, srv *appliverytest.Server, stdout string) {
				var page struct{ Items []applivery.Command }
				require.NoError(t, json.Unmarshal([]byte(stdout), &page), stdout)
				assert.Len(t, page.Items, 1)
				assert.Equal(t, "1", srv.Requests()[0].Query.Get("limit"))
			}},
		{name: "a POST from a file", args: []string{"post", commands, "--data", "@" + body}, want: 0, wantSent: 1,
			check: func(t *testing.T, srv *appliverytest.Server, stdout string) {
				var cmd applivery.Command
				require.NoError(t, json.Unmarshal([]byte(stdout), &cmd))
				assert.Equal(t, applivery.CommandTypeLock, cmd.Type())
				assert.JSONEq(t, `{"type":"LOCK"}`, string(srv.Requests()[0].Body))
			}},
		{name: "a POST from stdin", args: []string{"POST", commands, "--data", "-"}, stdin: `{"type":"REBOOT"}`, want: 0, wantSent: 1},
		{name: "a POST is never sent twice", args: []string{"POST", commands, "--data", `{"type":"LOCK"}`}, want: exitAPI, wantSent: 1,
			wantErr: "the server may have carried the call out"},
		{name: "unless it is idempotent", args: []string{"POST", commands, "--data", `{"type":"LOCK"}`, "--idempotent"}, want: 0, wantSent: 2},
		{name: "a path that climbs out", args: []string{"GET", "/organizations/" + org + "/../../admin"}, want: exitUsage,
			wantErr: `path`},
		{name: "a method the API has not", args: []string{"FETCH", commands}, want: exitUsage, wantErr: "FETCH"},
		{name: "data that is no JSON", args: []string{"POST", commands, "--data", "{lock"}, want: exitUsage, wantErr: "--data: not valid JSON"},
		{name: "a query that is no KEY=VALUE", args: []string{"GET", commands, "--query", "limit"}, want: exitUsage, wantErr: `--query "limit": want KEY=VALUE`},
		{name: "no path", args: []string{"GET"}, want: exitUsage, wantErr: "api takes METHOD PATH first"},
		{name: "not found", args: []string{"GET", "/organizations/" + org + "/mdm/android/enterprise/devices/typo_device"}, want: exitNotFound,
			wantErr: "404", wantSent: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, device)
			if tt.name == "a POST is never sent twice" || tt.name == "unless it is idempotent" {
				srv.Script(appliverytest.EndpointCreate, appliverytest.Fault{Status: 503, Applied: true})
			}
			srv.AddCommand(org, device, applivery.Command{})
			r := runCLI(t, srv, nil, tt.stdin, append([]string{"api"}, tt.args...)...)
			assert.Equal(t, tt.want, r.code, r.stderr)
			assert.Contains(t, r.stderr, tt.wantErr)
			assert.Len(t, srv.Requests(), tt.wantSent)
			if tt.check != nil {
				tt.check(t, srv, r.stdout)
			}
		})
	}
}
