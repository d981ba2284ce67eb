package main

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/applivery/applivery-go"
	"github.com/applivery/applivery-go/appliverytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
