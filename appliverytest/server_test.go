package appliverytest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
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

func newServer(t *testing.T) (*appliverytest.Server, *applivery.Client) {
	t.Helper()
	srv := appliverytest.NewServer()
	t.Cleanup(srv.Close)
	c, err := applivery.NewClient(srv.APIKey, applivery.WithBaseURL(srv.URL), applivery.WithMaxRetries(0))
	require.NoError(t, err)
	return srv, c
}

func TestNewServer(t *testing.T) {
	t.Parallel()
	a, b := appliverytest.NewServer(), appliverytest.NewServer()
	defer a.Close()
	defer b.Close()
	assert.True(t, strings.HasPrefix(a.URL, "http://127.0.0.1:"))
	assert.True(t, strings.HasSuffix(a.URL, "/v1"))
	assert.NotEqual(t, a.APIKey, b.APIKey, "each server has its own key")
	assert.NotEqual(t, a.URL, b.URL)
}

func TestAddCommandDefaults(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t)
	before := time.Now().Add(-time.Second)
	got := srv.AddCommand(org, device, applivery.Command{Config: applivery.CommandConfig{Metadata: applivery.CommandMetadata{Type: applivery.CommandTypeLock}}})
	assert.Regexp(t, applivery.CommandIDPattern, got.ID)
	assert.Equal(t, applivery.CommandStatusPending, got.Status)
	assert.True(t, got.CreatedAt.After(before))
	assert.Equal(t, got.CreatedAt, got.UpdatedAt)
	assert.Equal(t, applivery.CommandTypeLock, got.Config.Metadata.Type)

	stored, ok := srv.Command(org, device, got.ID)
	require.True(t, ok)
	assert.Equal(t, got, stored)

	other := srv.AddCommand(org, device, applivery.Command{})
	assert.NotEqual(t, got.ID, other.ID)
}

func TestAddCommandKeepsWhatIsGiven(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t)
	at := time.Date(2026, 2, 10, 12, 0, 0, 0, time.UTC)
	raw := json.RawMessage(`{"name":"op"}`)
	in := applivery.Command{ID: "507f1f77bcf86cd799439011", Status: applivery.CommandStatusDone, RawConfig: raw, CreatedAt: at, UpdatedAt: at}
	got := srv.AddCommand(org, device, in)
	assert.Equal(t, in, got)
	raw[2] = 'X' // the server keeps its own copy
	stored, _ := srv.Command(org, device, in.ID)
	assert.JSONEq(t, `{"name":"op"}`, string(stored.RawConfig))
}

func TestAddCommandRejectsInvalidRawConfig(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t)
	assert.PanicsWithValue(t, "appliverytest: AddCommand: RawConfig is not valid JSON", func() {
		srv.AddCommand(org, device, applivery.Command{RawConfig: json.RawMessage(`{`)})
	})
}

func TestCancelPendingCommand(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t)
	seeded := srv.AddCommand(org, device, applivery.Command{Config: applivery.CommandConfig{Metadata: applivery.CommandMetadata{Type: applivery.CommandTypeReboot}}})

	cmd, err := c.AndroidCommands.Cancel(context.Background(), org, device, seeded.ID)
	require.NoError(t, err)
	assert.Equal(t, seeded.ID, cmd.ID)
	assert.Equal(t, applivery.CommandStatusCanceled, cmd.Status)
	assert.Equal(t, applivery.CommandTypeReboot, cmd.Config.Metadata.Type)
	assert.False(t, cmd.UpdatedAt.Before(seeded.UpdatedAt))

	stored, _ := srv.Command(org, device, seeded.ID)
	assert.Equal(t, applivery.CommandStatusCanceled, stored.Status)

	_, err = c.AndroidCommands.Cancel(context.Background(), org, device, seeded.ID)
	assert.ErrorIs(t, err, applivery.ErrCommandNotPending, "a second cancel finds it canceled")
	var apiErr *applivery.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusBadRequest, apiErr.StatusCode)
	assert.Equal(t, "EmmCommand status not Pending", apiErr.Message)
}

func TestCancelAnswers(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t)
	done := srv.AddCommand(org, device, applivery.Command{Status: applivery.CommandStatusDone})
	pending := srv.AddCommand(org, device, applivery.Command{})
	tests := []struct {
		name        string
		org, device string
		id          string
		wantStatus  int
		wantCode    applivery.ErrorCode
		wantIs      error
	}{
		{"done command", org, device, done.ID, 400, applivery.CodeCommandNotPending, applivery.ErrCommandNotPending},
		{"unknown command", org, device, "0123456789abcdef01234567", 404, applivery.CodeEntityNotFound, applivery.ErrNotFound},
		{"command of another device", org, "other_device", pending.ID, 404, applivery.CodeEntityNotFound, applivery.ErrNotFound},
		{"command of another organization", "other-org", device, pending.ID, 404, applivery.CodeEntityNotFound, applivery.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := c.AndroidCommands.Cancel(context.Background(), tt.org, tt.device, tt.id)
			var apiErr *applivery.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tt.wantStatus, apiErr.StatusCode)
			assert.Equal(t, tt.wantCode, apiErr.Code)
			assert.ErrorIs(t, err, tt.wantIs)
		})
	}
	stored, _ := srv.Command(org, device, pending.ID)
	assert.Equal(t, applivery.CommandStatusPending, stored.Status, "failed cancels change nothing")
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

func TestUnknownRoute(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t)
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/nothing/here", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+srv.APIKey)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	assert.JSONEq(t, `{"status":false,"error":{"code":3001,"message":"Entity not found"}}`, string(body))
}

func TestConcurrentCancelsCancelOnce(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t)
	cmd := srv.AddCommand(org, device, applivery.Command{})
	const callers = 32
	var wg sync.WaitGroup
	results := make(chan error, callers)
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.AndroidCommands.Cancel(context.Background(), org, device, cmd.ID)
			results <- err
		}()
	}
	wg.Wait()
	close(results)
	var ok, notPending int
	for err := range results {
		switch {
		case err == nil:
			ok++
		case assert.ErrorIs(t, err, applivery.ErrCommandNotPending):
			notPending++
		}
	}
	assert.Equal(t, 1, ok, "exactly one cancel succeeds")
	assert.Equal(t, callers-1, notPending)
}
