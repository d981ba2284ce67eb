package appliverytest_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/applivery/applivery-go"
	"github.com/applivery/applivery-go/appliverytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestInvalidIDsInThePathAreRefused(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t)
	for _, path := range []string{
		"/organizations/ac/mdm/android/enterprise/devices/" + device + "/commands",
		"/organizations/" + org + "/mdm/android/enterprise/devices/pixel%208/commands",
		"/organizations/" + org + "/mdm/android/enterprise/devices/" + device + "/commands/nothex/cancel",
	} {
		req, err := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(`{"type":"LOCK"}`))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+srv.APIKey)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode, path)
		assert.JSONEq(t, `{"status":false,"error":{"code":5209,"message":"Invalid input"}}`, string(body), path)
	}
}

func TestAuthentication(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t)
	cmd := srv.AddCommand(org, device, applivery.Command{})
	url := srv.URL + "/organizations/" + org + "/mdm/android/enterprise/devices/" + device + "/commands/" + cmd.ID + "/cancel"
	tests := []struct {
		name     string
		header   string
		wantCode int
		wantBody string
	}{
		{"no header", "", 401, `{"status":false,"error":{"code":4002,"message":"No auth token"}}`},
		{"empty bearer", "Bearer ", 401, `{"status":false,"error":{"code":4002,"message":"No auth token"}}`},
		{"wrong key", "Bearer wrong", 401, `{"status":false,"error":{"code":4004,"message":"Invalid Token"}}`},
		{"basic auth", "Basic " + srv.APIKey, 401, `{"status":false,"error":{"code":4004,"message":"Invalid Token"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req, err := http.NewRequest(http.MethodPost, url, nil)
			require.NoError(t, err)
			if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
			}
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			assert.Equal(t, tt.wantCode, resp.StatusCode)
			assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
			assert.JSONEq(t, tt.wantBody, string(body))
		})
	}
	stored, _ := srv.Command(org, device, cmd.ID)
	assert.Equal(t, applivery.CommandStatusPending, stored.Status, "unauthenticated calls change nothing")
}

func TestWrongKeyThroughTheSDK(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t)
	cmd := srv.AddCommand(org, device, applivery.Command{})
	c, err := applivery.NewClient("not-the-key", applivery.WithBaseURL(srv.URL))
	require.NoError(t, err)
	_, err = c.AndroidCommands.Cancel(context.Background(), org, device, cmd.ID)
	assert.ErrorIs(t, err, applivery.ErrUnauthorized)
	var apiErr *applivery.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, applivery.CodeInvalidToken, apiErr.Code)
	assert.Equal(t, 1, apiErr.Attempts, "a 401 is not retried")
}

func TestRequestsAreRecorded(t *testing.T) {
	t.Parallel()
	srv, c := newFaultClient(t, applivery.WithMaxRetries(0))
	cmd := srv.AddCommand(org, device, applivery.Command{})
	_, err := c.AndroidCommands.List(context.Background(), org, device, &applivery.ListCommandsOptions{Page: 2, Limit: 5})
	require.NoError(t, err)
	_, err = c.AndroidCommands.Create(context.Background(), org, device, &applivery.CreateCommandRequest{Type: applivery.CommandTypeReboot})
	require.NoError(t, err)
	_, err = c.AndroidCommands.Cancel(context.Background(), org, device, cmd.ID)
	require.NoError(t, err)
	stranger, err := applivery.NewClient("wrong-key", applivery.WithBaseURL(srv.URL))
	require.NoError(t, err)
	_, err = stranger.AndroidCommands.Get(context.Background(), org, device, cmd.ID)
	require.Error(t, err)

	reqs := srv.Requests()
	require.Len(t, reqs, 4)
	prefix := "/v1/organizations/" + org + "/mdm/android/enterprise/devices/" + device + "/commands"
	assert.Equal(t, appliverytest.Request{Endpoint: appliverytest.EndpointList, Method: "GET", Path: prefix,
		Query: map[string][]string{"page": {"2"}, "limit": {"5"}}, Authorized: true}, reqs[0])
	assert.Equal(t, appliverytest.EndpointCreate, reqs[1].Endpoint)
	assert.JSONEq(t, `{"type":"REBOOT"}`, string(reqs[1].Body))
	assert.Equal(t, appliverytest.Request{Endpoint: appliverytest.EndpointCancel, Method: "POST", Path: prefix + "/" + cmd.ID + "/cancel",
		Query: map[string][]string{}, Authorized: true}, reqs[2])
	assert.Equal(t, appliverytest.EndpointGet, reqs[3].Endpoint)
	assert.False(t, reqs[3].Authorized)

	reqs[1].Body[0] = 'X' // Requests returns copies
	assert.JSONEq(t, `{"type":"REBOOT"}`, string(srv.Requests()[1].Body))
}

func TestUnknownRouteIsRecorded(t *testing.T) {
	t.Parallel()
	srv, _ := newFaultClient(t)
	resp, err := http.Get(srv.URL + "/nothing?x=1")
	require.NoError(t, err)
	resp.Body.Close()
	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, appliverytest.Endpoint(""), reqs[0].Endpoint)
	assert.Equal(t, "/v1/nothing", reqs[0].Path)
	assert.False(t, reqs[0].Authorized)
}

func TestFeatureGate(t *testing.T) {
	t.Parallel()
	srv, c := newFaultClient(t)
	cmd := srv.AddCommand(org, device, applivery.Command{})
	other := srv.AddCommand("other-org", device, applivery.Command{})
	srv.SetFeatureAllowed(org, false)

	calls := map[string]func() error{
		"cancel": func() error {
			_, err := c.AndroidCommands.Cancel(context.Background(), org, device, cmd.ID)
			return err
		},
		"get":  func() error { _, err := c.AndroidCommands.Get(context.Background(), org, device, cmd.ID); return err },
		"list": func() error { _, err := c.AndroidCommands.List(context.Background(), org, device, nil); return err },
		"create": func() error {
			_, err := c.AndroidCommands.Create(context.Background(), org, device, &applivery.CreateCommandRequest{Type: applivery.CommandTypeLock})
			return err
		},
	}
	for name, call := range calls {
		err := call()
		assert.ErrorIs(t, err, applivery.ErrFeatureNotAllowed, name)
		var apiErr *applivery.APIError
		require.ErrorAs(t, err, &apiErr, name)
		assert.Equal(t, 400, apiErr.StatusCode, name)
		assert.Equal(t, "Feature not allowed for you billing plan", apiErr.Message)
	}
	stored, _ := srv.Command(org, device, cmd.ID)
	assert.Equal(t, applivery.CommandStatusPending, stored.Status, "a gated cancel changes nothing")

	_, err := c.AndroidCommands.Cancel(context.Background(), "other-org", device, other.ID)
	assert.NoError(t, err, "the gate is per organization")

	srv.SetFeatureAllowed(org, true)
	_, err = c.AndroidCommands.Cancel(context.Background(), org, device, cmd.ID)
	assert.NoError(t, err)
}

func TestEveryAnswerCarriesARequestID(t *testing.T) {
	t.Parallel()
	srv := appliverytest.Start(t)
	srv.AddDevice(org, applivery.Device{}, device)
	seen := map[string]bool{}
	for _, tt := range []struct {
		name, path string
		want       int
	}{
		{"an answer", "/organizations/" + org + "/mdm/android/enterprise/devices/" + device + "/commands", http.StatusOK},
		{"another", "/organizations/" + org + "/mdm/android/enterprise/devices/" + device + "/commands", http.StatusOK},
		{"an error", "/organizations/" + org + "/mdm/android/enterprise/devices/unknown_device/commands", http.StatusNotFound},
	} {
		req, err := http.NewRequest(http.MethodGet, srv.URL+tt.path, nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+srv.APIKey)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, tt.want, resp.StatusCode, tt.name)
		id := resp.Header.Get("X-Request-Id")
		assert.Regexp(t, `^req_[0-9a-f]{16}$`, id, tt.name)
		assert.False(t, seen[id], "%s: a new one for each answer", tt.name)
		seen[id] = true
	}
}
