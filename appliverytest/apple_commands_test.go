package appliverytest_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/applivery/applivery-go"
	"github.com/applivery/applivery-go/appliverytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	macSerial  = "C02XK0AAJGH5"
	ipadSerial = "DMPXK1ABCD12"
)

// newAppleServer returns a server whose organization has two Apple targets,
// each seeded with a command, and a client of it.
func newAppleServer(t *testing.T) (*appliverytest.Server, *applivery.Client, applivery.AppleCommand) {
	t.Helper()
	srv, c := newServer(t)
	seeded := srv.AddAppleCommand(org, applivery.AppleCommand{TargetID: macSerial, RequestType: "DeviceInformation"})
	srv.AddAppleCommand(org, applivery.AppleCommand{TargetID: ipadSerial, RequestType: "DeviceInformation", Status: applivery.AppleCommandStatusAcknowledged})
	return srv, c, seeded
}

func TestAddAppleCommandDefaults(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t)
	before := time.Now().Add(-time.Second)
	got := srv.AddAppleCommand(org, applivery.AppleCommand{TargetID: macSerial, RequestType: "DeviceLock", Raw: []byte(`{"x":1}`)})
	assert.Regexp(t, applivery.CommandIDPattern, got.ID)
	assert.Equal(t, applivery.AppleTargetDevice, got.TargetType)
	assert.Equal(t, applivery.AppleCommandStatusPending, got.Status)
	assert.Equal(t, org, got.Organization)
	assert.JSONEq(t, `{"RequestType":"DeviceLock"}`, string(got.Command))
	assert.True(t, got.CreatedAt.After(before))
	assert.Equal(t, got.CreatedAt, got.UpdatedAt)
	assert.Nil(t, got.Raw, "Raw is not kept")

	stored, ok := srv.AppleCommand(org, got.ID)
	require.True(t, ok)
	assert.Equal(t, got, stored)
	_, ok = srv.AppleCommand(org, "507f1f77bcf86cd799439099")
	assert.False(t, ok)
}

func TestAddAppleCommandPanics(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t)
	tests := []struct {
		name string
		org  string
		cmd  applivery.AppleCommand
		want string
	}{
		{"bad organization", "x", applivery.AppleCommand{TargetID: macSerial}, "organization ID"},
		{"no target", org, applivery.AppleCommand{}, "target ID"},
		{"bad command ID", org, applivery.AppleCommand{TargetID: macSerial, ID: "12"}, "command ID"},
		{"bad target type", org, applivery.AppleCommand{TargetID: macSerial, TargetType: "user"}, "target type"},
		{"command not JSON", org, applivery.AppleCommand{TargetID: macSerial, Command: []byte(`{`)}, "not valid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				r := recover()
				require.NotNil(t, r)
				assert.Contains(t, r, tt.want)
			}()
			srv.AddAppleCommand(tt.org, tt.cmd)
		})
	}
}

func TestAppleCommandsCreateGetCancel(t *testing.T) {
	t.Parallel()
	srv, c, _ := newAppleServer(t)
	ctx := context.Background()
	cmds, err := c.AppleCommands.Create(ctx, org, applivery.AppleTargetDevice, &applivery.CreateAppleCommandRequest{
		RequestType: "DeviceLock", Params: map[string]any{"Message": "Locked"}, TargetIDs: []string{macSerial, ipadSerial},
	})
	require.NoError(t, err)
	require.Len(t, cmds, 2)
	for i, target := range []string{macSerial, ipadSerial} {
		assert.Equal(t, target, cmds[i].TargetID)
		assert.Equal(t, applivery.AppleTargetDevice, cmds[i].TargetType)
		assert.Equal(t, applivery.AppleCommandStatusPending, cmds[i].Status)
		assert.Equal(t, "DeviceLock", cmds[i].RequestType)
		assert.JSONEq(t, `{"RequestType":"DeviceLock","Message":"Locked"}`, string(cmds[i].Command))
		assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`, cmds[i].UUID)
	}
	got, err := c.AppleCommands.Get(ctx, org, applivery.AppleTargetDevice, macSerial, cmds[0].ID)
	require.NoError(t, err)
	assert.Equal(t, cmds[0].ID, got.ID)

	require.NoError(t, c.AppleCommands.Cancel(ctx, org, applivery.AppleTargetDevice, macSerial, cmds[0].ID))
	stored, ok := srv.AppleCommand(org, cmds[0].ID)
	require.True(t, ok)
	assert.Equal(t, applivery.AppleCommandStatusCanceled, stored.Status)
	assert.False(t, stored.CanceledAt.IsZero())

	err = c.AppleCommands.Cancel(ctx, org, applivery.AppleTargetDevice, macSerial, cmds[0].ID)
	assert.ErrorIs(t, err, applivery.ErrCommandNotPending)
	var apiErr *applivery.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, applivery.CodeAppleCommandNotPending, apiErr.Code)
}

func TestAppleCommandsWhatDoesNotExist(t *testing.T) {
	t.Parallel()
	_, c, seeded := newAppleServer(t)
	ctx := context.Background()
	tests := []struct {
		name string
		call func() error
	}{
		{"create for an unknown target", func() error {
			_, err := c.AppleCommands.Create(ctx, org, applivery.AppleTargetDevice, &applivery.CreateAppleCommandRequest{RequestType: "DeviceLock", TargetIDs: []string{macSerial, "UNKNOWN1"}})
			return err
		}},
		{"create for a device user the server does not hold", func() error {
			_, err := c.AppleCommands.Create(ctx, org, applivery.AppleTargetDeviceUser, &applivery.CreateAppleCommandRequest{RequestType: "DeviceLock", TargetIDs: []string{macSerial}})
			return err
		}},
		{"create in an unknown organization", func() error {
			_, err := c.AppleCommands.Create(ctx, "other-org", applivery.AppleTargetDevice, &applivery.CreateAppleCommandRequest{RequestType: "DeviceLock", TargetIDs: []string{macSerial}})
			return err
		}},
		{"get an unknown command", func() error {
			_, err := c.AppleCommands.Get(ctx, org, applivery.AppleTargetDevice, macSerial, "507f1f77bcf86cd799439099")
			return err
		}},
		{"get under another target", func() error {
			_, err := c.AppleCommands.Get(ctx, org, applivery.AppleTargetDevice, ipadSerial, seeded.ID)
			return err
		}},
		{"get under another target type", func() error {
			_, err := c.AppleCommands.Get(ctx, org, applivery.AppleTargetDeviceUser, macSerial, seeded.ID)
			return err
		}},
		{"cancel an unknown command", func() error {
			return c.AppleCommands.Cancel(ctx, org, applivery.AppleTargetDevice, macSerial, "507f1f77bcf86cd799439099")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			assert.ErrorIs(t, err, applivery.ErrNotFound)
			var apiErr *applivery.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, http.StatusNotFound, apiErr.StatusCode)
			assert.Equal(t, applivery.CodeEntityNotFound, apiErr.Code)
		})
	}
}

func TestAppleCommandsCreateRefusesBadBodies(t *testing.T) {
	t.Parallel()
	_, c, _ := newAppleServer(t)
	tests := []struct {
		name string
		body string
	}{
		{"not an object", `[1]`},
		{"no command", `{"targetIds":["` + macSerial + `"]}`},
		{"command not an object", `{"command":"DeviceLock","targetIds":["` + macSerial + `"]}`},
		{"no RequestType", `{"command":{"Message":"x"},"targetIds":["` + macSerial + `"]}`},
		{"no targets", `{"command":{"RequestType":"DeviceLock"},"targetIds":[]}`},
		{"a target off the pattern", `{"command":{"RequestType":"DeviceLock"},"targetIds":["C02-XK"]}`},
		{"too many targets", `{"command":{"RequestType":"DeviceLock"},"targetIds":["` + strings.Repeat(macSerial+`","`, 1000) + macSerial + `"]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := c.Do(context.Background(), &applivery.Request{Method: http.MethodPost,
				Path: "/organizations/" + org + "/mdm/apple/enterprise/commands/device", Body: []byte(tt.body)}, nil)
			require.Error(t, err)
			var apiErr *applivery.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, 5209, int(apiErr.Code))
		})
	}
}

func TestAppleCommandsBadTargetTypeInThePath(t *testing.T) {
	t.Parallel()
	_, c, seeded := newAppleServer(t)
	err := c.Do(context.Background(), &applivery.Request{Method: http.MethodGet,
		Path: "/organizations/" + org + "/mdm/apple/enterprise/commands/user/" + macSerial + "/" + seeded.ID}, nil)
	var apiErr *applivery.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 5209, int(apiErr.Code))
}

func TestAppleCommandsApplyAfterAndWait(t *testing.T) {
	t.Parallel()
	srv, c, seeded := newAppleServer(t)
	srv.ApplyAfter(50 * time.Millisecond)
	cmd, err := c.AppleCommands.Wait(context.Background(), org, applivery.AppleTargetDevice, macSerial, seeded.ID,
		&applivery.AppleWaitOptions{MinInterval: 10 * time.Millisecond, MaxInterval: 20 * time.Millisecond})
	require.NoError(t, err)
	assert.Equal(t, applivery.AppleCommandStatusAcknowledged, cmd.Status)
	assert.Equal(t, seeded.CreatedAt.Add(50*time.Millisecond), cmd.ReceivedAt)

	// Applied, it can no longer be canceled.
	err = c.AppleCommands.Cancel(context.Background(), org, applivery.AppleTargetDevice, macSerial, seeded.ID)
	assert.ErrorIs(t, err, applivery.ErrCommandNotPending)
}

func TestAppleCommandsCanceledStaysCanceled(t *testing.T) {
	t.Parallel()
	srv, c, seeded := newAppleServer(t)
	require.NoError(t, c.AppleCommands.Cancel(context.Background(), org, applivery.AppleTargetDevice, macSerial, seeded.ID))
	srv.ApplyAfter(time.Nanosecond)
	got, ok := srv.AppleCommand(org, seeded.ID)
	require.True(t, ok)
	assert.Equal(t, applivery.AppleCommandStatusCanceled, got.Status)
}

func TestSetAppleCommandStatus(t *testing.T) {
	t.Parallel()
	srv, c, seeded := newAppleServer(t)
	tests := []struct {
		name         string
		status       applivery.AppleCommandStatus
		wantCanceled bool
	}{
		{"tried: still cancelable", applivery.AppleCommandStatusTried, false},
		{"an undocumented status", "Idle", false},
		{"canceled sets canceledAt", applivery.AppleCommandStatusCanceled, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.True(t, srv.SetAppleCommandStatus(org, seeded.ID, tt.status))
			got, err := c.AppleCommands.Get(context.Background(), org, applivery.AppleTargetDevice, macSerial, seeded.ID)
			require.NoError(t, err)
			assert.Equal(t, tt.status, got.Status)
			assert.Equal(t, tt.wantCanceled, !got.CanceledAt.IsZero())
		})
	}
	assert.False(t, srv.SetAppleCommandStatus(org, "507f1f77bcf86cd799439099", "Tried"))
}

func TestAppleCommandsTriedAndNotNowCancel(t *testing.T) {
	t.Parallel()
	for _, status := range []applivery.AppleCommandStatus{applivery.AppleCommandStatusTried, applivery.AppleCommandStatusNotNow} {
		t.Run(string(status), func(t *testing.T) {
			srv, c, seeded := newAppleServer(t)
			srv.SetAppleCommandStatus(org, seeded.ID, status)
			require.NoError(t, c.AppleCommands.Cancel(context.Background(), org, applivery.AppleTargetDevice, macSerial, seeded.ID))
		})
	}
}

func TestAppleCreateIsNeverSentTwice(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		fault appliverytest.Fault
	}{
		{"a 502 after acting", appliverytest.Fault{Applied: true, Status: 502}},
		{"a dropped answer after acting", appliverytest.Fault{Applied: true, Drop: true}},
		{"a cut body", appliverytest.Fault{CutBody: true}},
		{"a 500 before acting", appliverytest.Fault{Status: 500}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, _, _ := newAppleServer(t)
			c := srv.TestClient(t) // with retries
			srv.Script(appliverytest.EndpointAppleCommandCreate, tt.fault)
			_, err := c.AppleCommands.Create(context.Background(), org, applivery.AppleTargetDevice,
				&applivery.CreateAppleCommandRequest{RequestType: "DeviceLock", TargetIDs: []string{macSerial, ipadSerial}})
			assert.ErrorIs(t, err, applivery.ErrOutcomeUnknown)
			assert.Contains(t, err.Error(), "2 targets "+macSerial+", "+ipadSerial)
			creates := 0
			for _, r := range srv.Requests() {
				if r.Endpoint == appliverytest.EndpointAppleCommandCreate {
					creates++
				}
			}
			assert.Equal(t, 1, creates, "not retried once it may have acted")
		})
	}
}

func TestAppleCancelLostAnswerIsResolvedByTheLookup(t *testing.T) {
	t.Parallel()
	srv, _, seeded := newAppleServer(t)
	c := srv.TestClient(t)
	srv.Script(appliverytest.EndpointAppleCommandCancel, appliverytest.Fault{Applied: true, Status: 502})
	require.NoError(t, c.AppleCommands.Cancel(context.Background(), org, applivery.AppleTargetDevice, macSerial, seeded.ID),
		"the retry meets 5106, the lookup finds it canceled just now")
	var endpoints []appliverytest.Endpoint
	for _, r := range srv.Requests() {
		endpoints = append(endpoints, r.Endpoint)
	}
	assert.Equal(t, []appliverytest.Endpoint{appliverytest.EndpointAppleCommandCancel, appliverytest.EndpointAppleCommandCancel,
		appliverytest.EndpointAppleCommandGet}, endpoints)
}

func TestAppleCommandsScriptedFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		endpoint    appliverytest.Endpoint
		fault       appliverytest.Fault
		call        func(c *applivery.Client, id string) error
		wantUnknown bool
	}{
		{"create applied, answer lost: outcome unknown", appliverytest.EndpointAppleCommandCreate, appliverytest.Fault{Applied: true, Status: 502},
			func(c *applivery.Client, _ string) error {
				_, err := c.AppleCommands.Create(context.Background(), org, applivery.AppleTargetDevice, &applivery.CreateAppleCommandRequest{RequestType: "DeviceLock", TargetIDs: []string{macSerial}})
				return err
			}, true},
		{"get 503 then fine", appliverytest.EndpointAppleCommandGet, appliverytest.Fault{Status: 503},
			func(c *applivery.Client, id string) error {
				_, err := c.AppleCommands.Get(context.Background(), org, applivery.AppleTargetDevice, macSerial, id)
				return err
			}, false},
		{"cancel applied, answer dropped: resolved by the lookup", appliverytest.EndpointAppleCommandCancel, appliverytest.Fault{Applied: true, Drop: true},
			func(c *applivery.Client, id string) error {
				return c.AppleCommands.Cancel(context.Background(), org, applivery.AppleTargetDevice, macSerial, id)
			}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, _, seeded := newAppleServer(t)
			c := srv.TestClient(t)
			srv.Script(tt.endpoint, tt.fault)
			err := tt.call(c, seeded.ID)
			if tt.wantUnknown {
				assert.ErrorIs(t, err, applivery.ErrOutcomeUnknown)
				assert.Contains(t, err.Error(), "target "+macSerial)
				return
			}
			require.NoError(t, err)
		})
	}
}
