package applivery

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	appleSerial        = "C02XK0AAJGH5"
	appleCommandsBase  = mockBase + "/organizations/" + validOrg + "/mdm/apple/enterprise/commands"
	appleDeviceCmdsURL = appleCommandsBase + "/device"
	appleCommandURL    = appleDeviceCmdsURL + "/" + appleSerial + "/" + validCommand
	appleCancelURL     = appleCommandURL + "/cancel"
	appleNotPending    = `{"status":false,"error":{"code":5106,"message":"AdmCommand not status pending or tried"}}`
)

// appleRecord is a success envelope around one command record of status,
// with extra members.
func appleRecord(status string, extra string) string {
	return `{"status":true,"data":{"id":"` + validCommand + `","targetType":"device","targetId":"` + appleSerial +
		`","status":"` + status + `"` + extra + `}}`
}

func lockRequest(targets ...string) *CreateAppleCommandRequest {
	return &CreateAppleCommandRequest{RequestType: "DeviceLock", Params: map[string]any{"Message": "Device locked for security"}, TargetIDs: targets}
}

func TestAppleCreateRequestShape(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		target   AppleTargetType
		req      *CreateAppleCommandRequest
		wantURL  string
		wantBody string
	}{
		{
			name:     "the documented example",
			target:   AppleTargetDevice,
			req:      lockRequest("507f1f77bcf86cd799439016", "507f1f77bcf86cd799439017"),
			wantURL:  appleDeviceCmdsURL,
			wantBody: `{"command":{"RequestType":"DeviceLock","Message":"Device locked for security"},"targetIds":["507f1f77bcf86cd799439016","507f1f77bcf86cd799439017"]}`,
		},
		{
			name:     "no params, serial and IMEI targets, device users",
			target:   AppleTargetDeviceUser,
			req:      &CreateAppleCommandRequest{RequestType: "DeviceInformation", TargetIDs: []string{appleSerial, "356938035643809"}},
			wantURL:  appleCommandsBase + "/deviceUser",
			wantBody: `{"command":{"RequestType":"DeviceInformation"},"targetIds":["C02XK0AAJGH5","356938035643809"]}`,
		},
		{
			name:     "nested params",
			target:   AppleTargetDevice,
			req:      &CreateAppleCommandRequest{RequestType: "DeviceInformation", Params: map[string]any{"Queries": []string{"DeviceName", "OSVersion"}}, TargetIDs: []string{appleSerial}},
			wantURL:  appleDeviceCmdsURL,
			wantBody: `{"command":{"RequestType":"DeviceInformation","Queries":["DeviceName","OSVersion"]},"targetIds":["C02XK0AAJGH5"]}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockClient(t)
			var cp capture
			mt.RegisterResponder(http.MethodPost, tt.wantURL, cp.responder(200, `{"status":true,"data":[`+documentedAppleCommand+`,{"id":"507f1f77bcf86cd799439019","status":"Pending"}]}`))
			var params map[string]any
			if tt.req.Params != nil {
				params = map[string]any{}
				for k, v := range tt.req.Params {
					params[k] = v
				}
			}
			cmds, err := c.AppleCommands.Create(context.Background(), validOrg, tt.target, tt.req)
			require.NoError(t, err)
			require.Len(t, cmds, 2)
			assert.Equal(t, "507f1f77bcf86cd799439011", cmds[0].ID)
			assert.Equal(t, "DeviceInformation", cmds[0].RequestType)
			assert.Equal(t, "507f1f77bcf86cd799439019", cmds[1].ID)
			assert.Equal(t, http.MethodPost, cp.req.Method)
			assert.Equal(t, "application/json", cp.req.Header.Get("Content-Type"))
			assert.JSONEq(t, tt.wantBody, string(cp.body))
			assert.Equal(t, params, tt.req.Params, "the caller's Params are not changed")
		})
	}
}

func TestAppleCreateEmptyData(t *testing.T) {
	t.Parallel()
	c, mt := newMockClient(t)
	mt.RegisterResponder(http.MethodPost, appleDeviceCmdsURL, httpmock.NewStringResponder(200, `{"status":true,"data":[]}`))
	cmds, err := c.AppleCommands.Create(context.Background(), validOrg, AppleTargetDevice, lockRequest(appleSerial))
	require.NoError(t, err)
	assert.NotNil(t, cmds)
	assert.Empty(t, cmds)
}

func TestAppleValidationBeforeTheWire(t *testing.T) {
	t.Parallel()
	tooMany := make([]string, MaxAppleCommandTargets+1)
	for i := range tooMany {
		tooMany[i] = appleSerial
	}
	withRT := lockRequest(appleSerial)
	withRT.Params["RequestType"] = "EraseDevice"
	ctx := context.Background()
	tests := []struct {
		name      string
		call      func(c *Client) error
		wantField string
	}{
		{"create: bad organization", func(c *Client) error {
			_, err := c.AppleCommands.Create(ctx, "x!", AppleTargetDevice, lockRequest(appleSerial))
			return err
		}, "organizationId"},
		{"create: bad target type", func(c *Client) error {
			_, err := c.AppleCommands.Create(ctx, validOrg, "user", lockRequest(appleSerial))
			return err
		}, "targetType"},
		{"create: nil request", func(c *Client) error {
			_, err := c.AppleCommands.Create(ctx, validOrg, AppleTargetDevice, nil)
			return err
		}, "request"},
		{"create: no RequestType", func(c *Client) error {
			_, err := c.AppleCommands.Create(ctx, validOrg, AppleTargetDevice, &CreateAppleCommandRequest{TargetIDs: []string{appleSerial}})
			return err
		}, "RequestType"},
		{"create: RequestType in Params", func(c *Client) error {
			_, err := c.AppleCommands.Create(ctx, validOrg, AppleTargetDevice, withRT)
			return err
		}, "Params"},
		{"create: no targets", func(c *Client) error {
			_, err := c.AppleCommands.Create(ctx, validOrg, AppleTargetDevice, lockRequest())
			return err
		}, "targetIds"},
		{"create: too many targets", func(c *Client) error {
			_, err := c.AppleCommands.Create(ctx, validOrg, AppleTargetDevice, lockRequest(tooMany...))
			return err
		}, "targetIds"},
		{"create: a serial with a hyphen", func(c *Client) error {
			_, err := c.AppleCommands.Create(ctx, validOrg, AppleTargetDevice, lockRequest(appleSerial, "C02-XK0"))
			return err
		}, "targetIds"},
		{"create: an empty target", func(c *Client) error {
			_, err := c.AppleCommands.Create(ctx, validOrg, AppleTargetDevice, lockRequest(""))
			return err
		}, "targetIds"},
		{"create: params that do not encode", func(c *Client) error {
			_, err := c.AppleCommands.Create(ctx, validOrg, AppleTargetDevice, &CreateAppleCommandRequest{RequestType: "X", Params: map[string]any{"C": make(chan int)}, TargetIDs: []string{appleSerial}})
			return err
		}, "Params"},
		{"get: bad target id", func(c *Client) error {
			_, err := c.AppleCommands.Get(ctx, validOrg, AppleTargetDevice, "a/b", validCommand)
			return err
		}, "targetId"},
		{"get: bad command id", func(c *Client) error {
			_, err := c.AppleCommands.Get(ctx, validOrg, AppleTargetDevice, appleSerial, "123")
			return err
		}, "admCommandId"},
		{"get: empty target type", func(c *Client) error {
			_, err := c.AppleCommands.Get(ctx, validOrg, "", appleSerial, validCommand)
			return err
		}, "targetType"},
		{"cancel: bad command id", func(c *Client) error {
			return c.AppleCommands.Cancel(ctx, validOrg, AppleTargetDevice, appleSerial, "zz")
		}, "admCommandId"},
		{"cancel: bad organization", func(c *Client) error {
			return c.AppleCommands.Cancel(ctx, "ab", AppleTargetDevice, appleSerial, validCommand)
		}, "organizationId"},
		{"wait: bad target id", func(c *Client) error {
			_, err := c.AppleCommands.Wait(ctx, validOrg, AppleTargetDevice, "", validCommand, nil)
			return err
		}, "targetId"},
		{"wait: negative interval", func(c *Client) error {
			_, err := c.AppleCommands.Wait(ctx, validOrg, AppleTargetDevice, appleSerial, validCommand, &AppleWaitOptions{MinInterval: -1})
			return err
		}, "minInterval"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockClient(t)
			err := tt.call(c)
			require.ErrorIs(t, err, ErrInvalidArgument)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tt.wantField, ve.Field)
			assert.Zero(t, mt.GetTotalCallCount(), "nothing is sent")
		})
	}
}

func TestAppleCreateOutcome(t *testing.T) {
	t.Parallel()
	targets := []string{appleSerial, "356938035643809"}
	tests := []struct {
		name        string
		responses   []*http.Response
		wantCalls   int
		wantUnknown bool
	}{
		{"a 500 may have created it: not retried", []*http.Response{httpmock.NewStringResponse(500, `{}`)}, 1, true},
		{"a cut success", []*http.Response{httpmock.NewStringResponse(200, `{"status":true,"data":[{"id":`)}, 1, true},
		{"a 400 created nothing", []*http.Response{httpmock.NewStringResponse(400, `{"status":false,"error":{"code":5050,"message":"Feature not allowed for you billing plan"}}`)}, 1, false},
		{"a 404 created nothing", []*http.Response{httpmock.NewStringResponse(404, `{"status":false,"error":{"code":3001,"message":"Entity not found"}}`)}, 1, false},
		{"a 429 is retried", []*http.Response{httpmock.NewStringResponse(429, `{}`), httpmock.NewStringResponse(200, `{"status":true,"data":[]}`)}, 2, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockClient(t)
			mt.RegisterResponder(http.MethodPost, appleDeviceCmdsURL, httpmock.ResponderFromMultipleResponses(tt.responses))
			_, err := c.AppleCommands.Create(context.Background(), validOrg, AppleTargetDevice, lockRequest(targets...))
			assert.Equal(t, tt.wantCalls, mt.GetTotalCallCount())
			assert.Equal(t, tt.wantUnknown, errors.Is(err, ErrOutcomeUnknown), "%v", err)
			if tt.wantUnknown {
				assert.Contains(t, err.Error(), "2 targets C02XK0AAJGH5, 356938035643809")
			}
		})
	}
}

func TestAppleCreateUnknownOutcomeNamesTheTargets(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "target A", targetList([]string{"A"}))
	many := make([]string, 52)
	for i := range many {
		many[i] = "T"
	}
	got := targetList(many)
	assert.True(t, strings.HasPrefix(got, "52 targets T, T"))
	assert.True(t, strings.HasSuffix(got, " and 2 more"), got)
	assert.Equal(t, 50, strings.Count(got, "T"), "50 shown")
}

func TestAppleGetRequestShape(t *testing.T) {
	t.Parallel()
	c, mt := newMockClient(t)
	var cp capture
	mt.RegisterResponder(http.MethodGet, appleCommandURL, cp.responder(200, `{"status":true,"data":`+documentedAppleCommand+`}`))
	cmd, err := c.AppleCommands.Get(context.Background(), validOrg, AppleTargetDevice, appleSerial, validCommand)
	require.NoError(t, err)
	assert.Equal(t, "507f1f77bcf86cd799439011", cmd.ID)
	assert.Equal(t, AppleCommandStatusPending, cmd.Status)
	assert.Empty(t, cp.body)
	assert.Equal(t, "Bearer "+testKey, cp.req.Header.Get("Authorization"))
}

func TestAppleGetErrors(t *testing.T) {
	t.Parallel()
	c, mt := newMockClient(t)
	mt.RegisterResponder(http.MethodGet, appleCommandURL, httpmock.NewStringResponder(404, `{"status":false,"error":{"code":3001,"message":"Entity not found"}}`))
	_, err := c.AppleCommands.Get(context.Background(), validOrg, AppleTargetDevice, appleSerial, validCommand)
	assert.ErrorIs(t, err, ErrNotFound)
}

func TestAppleCancelRequestShapeAndErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		status  int
		body    string
		wantErr error
		wantOK  bool
	}{
		{name: "the documented answer", status: 200, body: `{"status":true,"data":{"canceled":"OK"}}`, wantOK: true},
		{name: "5106 not pending", status: 400, body: appleNotPending, wantErr: ErrCommandNotPending},
		{name: "5052 not pending", status: 400, body: `{"status":false,"error":{"code":5052,"message":"not pending"}}`, wantErr: ErrCommandNotPending},
		{name: "5050 billing plan", status: 400, body: `{"status":false,"error":{"code":5050,"message":"Feature not allowed for you billing plan"}}`, wantErr: ErrFeatureNotAllowed},
		{name: "3001 not found", status: 404, body: `{"status":false,"error":{"code":3001,"message":"Entity not found"}}`, wantErr: ErrNotFound},
		{name: "4002 no token", status: 401, body: `{"status":false,"error":{"code":4002,"message":"No auth token"}}`, wantErr: ErrUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockClient(t)
			var cp capture
			mt.RegisterResponder(http.MethodPost, appleCancelURL, cp.responder(tt.status, tt.body))
			err := c.AppleCommands.Cancel(context.Background(), validOrg, AppleTargetDevice, appleSerial, validCommand)
			assert.Empty(t, cp.body)
			assert.Empty(t, cp.req.Header.Get("Content-Type"))
			assert.Equal(t, 1, mt.GetTotalCallCount(), "a plain answer: no lookup, no retry")
			if tt.wantOK {
				require.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, tt.wantErr)
			assert.NotErrorIs(t, err, ErrOutcomeUnknown)
		})
	}
}

func TestAppleCancelResolvesALostAnswer(t *testing.T) {
	t.Parallel()
	recent := time.Now().UTC().Format(time.RFC3339)
	tests := []struct {
		name        string
		first       *http.Response // an attempt that may have canceled
		lookup      string         // the lookup's answer; "" for a 500
		wantLookup  bool
		wantSuccess bool
		wantUnknown bool
	}{
		{name: "canceled just now", first: httpmock.NewStringResponse(500, `{}`), lookup: appleRecord("Canceled", `,"canceledAt":"`+recent+`"`), wantLookup: true, wantSuccess: true},
		{name: "canceledAt set, status unknown", first: httpmock.NewStringResponse(502, `{}`), lookup: appleRecord("Whatever", `,"canceledAt":"`+recent+`"`), wantLookup: true, wantSuccess: true},
		{name: "canceled long before the call", first: httpmock.NewStringResponse(500, `{}`), lookup: appleRecord("Canceled", `,"canceledAt":"2020-01-01T00:00:00Z"`), wantLookup: true},
		{name: "canceled at an unknown time", first: httpmock.NewStringResponse(500, `{}`), lookup: appleRecord("Canceled", `,"canceledAt":"2026-02-10T12: 02:00Z"`), wantLookup: true, wantUnknown: true},
		{name: "canceled, time from updatedAt", first: httpmock.NewStringResponse(504, `{}`), lookup: appleRecord("Canceled", `,"updatedAt":"`+recent+`"`), wantLookup: true, wantSuccess: true},
		{name: "acknowledged: not canceled", first: httpmock.NewStringResponse(500, `{}`), lookup: appleRecord("Acknowledged", ""), wantLookup: true},
		{name: "the lookup fails", first: httpmock.NewStringResponse(500, `{}`), lookup: "", wantLookup: true, wantUnknown: true},
		{name: "a 503 did not act: no lookup", first: httpmock.NewStringResponse(503, `{}`), lookup: appleRecord("Canceled", `,"canceledAt":"`+recent+`"`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockClient(t, WithMaxRetries(1))
			mt.RegisterResponder(http.MethodPost, appleCancelURL, httpmock.ResponderFromMultipleResponses([]*http.Response{
				tt.first, httpmock.NewStringResponse(400, appleNotPending),
			}))
			if tt.lookup == "" {
				mt.RegisterResponder(http.MethodGet, appleCommandURL, httpmock.NewStringResponder(500, `{}`))
			} else {
				mt.RegisterResponder(http.MethodGet, appleCommandURL, httpmock.NewStringResponder(200, tt.lookup))
			}
			err := c.AppleCommands.Cancel(context.Background(), validOrg, AppleTargetDevice, appleSerial, validCommand)
			assert.Equal(t, tt.wantLookup, mt.GetCallCountInfo()["GET "+appleCommandURL] > 0, "lookup")
			if tt.wantSuccess {
				require.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, ErrCommandNotPending, "the last error is kept: %v", err)
			assert.Equal(t, tt.wantUnknown, errors.Is(err, ErrOutcomeUnknown), "%v", err)
		})
	}
}

func TestAppleCancelUnreadableSuccess(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		lookup      string
		wantUnknown bool
	}{
		{"canceled long ago: the 2xx says this call did it", appleRecord("Canceled", `,"canceledAt":"2020-01-01T00:00:00Z"`), false},
		{"still pending after a 2xx", appleRecord("Pending", ""), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockClient(t)
			mt.RegisterResponder(http.MethodPost, appleCancelURL, httpmock.NewStringResponder(200, `{"status":true,"data":{"canc`))
			mt.RegisterResponder(http.MethodGet, appleCommandURL, httpmock.NewStringResponder(200, tt.lookup))
			err := c.AppleCommands.Cancel(context.Background(), validOrg, AppleTargetDevice, appleSerial, validCommand)
			assert.Equal(t, 1, mt.GetCallCountInfo()["GET "+appleCommandURL])
			if !tt.wantUnknown {
				require.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, ErrOutcomeUnknown)
			assert.Contains(t, err.Error(), "reads Pending")
		})
	}
}

func TestAppleCancelLastAttemptMayHaveActed(t *testing.T) {
	t.Parallel()
	c, mt := newMockClient(t, WithMaxRetries(0))
	mt.RegisterResponder(http.MethodPost, appleCancelURL, httpmock.NewStringResponder(500, `{}`))
	err := c.AppleCommands.Cancel(context.Background(), validOrg, AppleTargetDevice, appleSerial, validCommand)
	assert.ErrorIs(t, err, ErrOutcomeUnknown)
	assert.Zero(t, mt.GetCallCountInfo()["GET "+appleCommandURL], "no retry followed: no lookup")
}

func TestAppleWaitPollsWhilePending(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		statuses  []string
		wantFinal AppleCommandStatus
	}{
		{"pending, tried, not now, acknowledged", []string{"Pending", "Tried", "NotNow", "Acknowledged"}, AppleCommandStatusAcknowledged},
		{"error ends it", []string{"Pending", "Error"}, AppleCommandStatusError},
		{"an unknown status ends it", []string{"Idle"}, "Idle"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockClient(t)
			var rs []*http.Response
			for _, s := range tt.statuses {
				rs = append(rs, httpmock.NewStringResponse(200, appleRecord(s, "")))
			}
			mt.RegisterResponder(http.MethodGet, appleCommandURL, httpmock.ResponderFromMultipleResponses(rs))
			var seen []AppleCommandStatus
			cmd, err := c.AppleCommands.Wait(context.Background(), validOrg, AppleTargetDevice, appleSerial, validCommand,
				&AppleWaitOptions{MinInterval: time.Millisecond, MaxInterval: time.Millisecond, OnPoll: func(c *AppleCommand) { seen = append(seen, c.Status) }})
			require.NoError(t, err)
			assert.Equal(t, tt.wantFinal, cmd.Status)
			assert.Len(t, seen, len(tt.statuses))
			assert.Equal(t, len(tt.statuses), mt.GetTotalCallCount())
		})
	}
}

func TestAppleWaitRunsOutOfTime(t *testing.T) {
	t.Parallel()
	for _, status := range []AppleCommandStatus{AppleCommandStatusPending, AppleCommandStatusTried, AppleCommandStatusNotNow} {
		t.Run(string(status), func(t *testing.T) {
			t.Parallel()
			c, mt := newMockClient(t)
			mt.RegisterResponder(http.MethodGet, appleCommandURL, httpmock.NewStringResponder(200, appleRecord(string(status), "")))
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			cmd, err := c.AppleCommands.Wait(ctx, validOrg, AppleTargetDevice, appleSerial, validCommand, &AppleWaitOptions{MinInterval: 10 * time.Millisecond})
			assert.ErrorIs(t, err, ErrStillPending)
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			// The message names the status the command was left in, Apple's
			// own, not the Android PENDING.
			assert.Contains(t, err.Error(), "applivery: command "+validCommand+" still "+string(status)+" after ")
			require.NotNil(t, cmd)
			assert.Equal(t, status, cmd.Status)
		})
	}
}

func TestAppleWaitEndsAtAPermanentError(t *testing.T) {
	t.Parallel()
	c, mt := newMockClient(t)
	mt.RegisterResponder(http.MethodGet, appleCommandURL, httpmock.NewStringResponder(404, `{"status":false,"error":{"code":3001,"message":"Entity not found"}}`))
	_, err := c.AppleCommands.Wait(context.Background(), validOrg, AppleTargetDevice, appleSerial, validCommand, nil)
	assert.ErrorIs(t, err, ErrNotFound)
	assert.Equal(t, 1, mt.GetTotalCallCount())
}

func TestAppleCommandsObserved(t *testing.T) {
	t.Parallel()
	var infos []CallInfo
	obs := observerFunc(func(ctx context.Context, ci CallInfo) (context.Context, func(CallResult)) {
		infos = append(infos, ci)
		return ctx, nil
	})
	c, mt := newMockClient(t, WithObserver(obs))
	mt.RegisterResponder(http.MethodPost, appleDeviceCmdsURL, httpmock.NewStringResponder(200, `{"status":true,"data":[]}`))
	mt.RegisterResponder(http.MethodGet, appleCommandURL, httpmock.NewStringResponder(200, appleRecord("Acknowledged", "")))
	mt.RegisterResponder(http.MethodPost, appleCancelURL, httpmock.NewStringResponder(200, `{"status":true,"data":{"canceled":"OK"}}`))
	ctx := context.Background()
	_, err := c.AppleCommands.Create(ctx, validOrg, AppleTargetDevice, lockRequest(appleSerial))
	require.NoError(t, err)
	_, err = c.AppleCommands.Get(ctx, validOrg, AppleTargetDevice, appleSerial, validCommand)
	require.NoError(t, err)
	require.NoError(t, c.AppleCommands.Cancel(ctx, validOrg, AppleTargetDevice, appleSerial, validCommand))
	const route = "/organizations/{organizationId}/mdm/apple/enterprise/commands/{targetType}"
	require.Len(t, infos, 3)
	assert.Equal(t, CallInfo{Operation: "apple.commands.create", Method: "POST", Route: route, Host: "api.example.test"}, infos[0])
	assert.Equal(t, CallInfo{Operation: "apple.commands.get", Method: "GET", Route: route + "/{targetId}/{admCommandId}", Host: "api.example.test"}, infos[1])
	assert.Equal(t, CallInfo{Operation: "apple.commands.cancel", Method: "POST", Route: route + "/{targetId}/{admCommandId}/cancel", Host: "api.example.test"}, infos[2])
}

// observerFunc adapts a function to an Observer.
type observerFunc func(context.Context, CallInfo) (context.Context, func(CallResult))

func (f observerFunc) ObserveCall(ctx context.Context, ci CallInfo) (context.Context, func(CallResult)) {
	return f(ctx, ci)
}
