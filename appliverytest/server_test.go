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

const (
	org    = "acme-fleet"
	device = "pixel8_0042"
)

func newServer(t *testing.T) (*appliverytest.Server, *applivery.Client) {
	t.Helper()
	srv := appliverytest.Start(t)
	return srv, srv.TestClient(t, applivery.WithMaxRetries(0))
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

func rawGet(t *testing.T, srv *appliverytest.Server, path string, wantStatus int) []byte {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+srv.APIKey)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, wantStatus, resp.StatusCode, string(body))
	return body
}

func TestNewClient(t *testing.T) {
	t.Parallel()
	srv := appliverytest.NewServer()
	defer srv.Close()
	cmd := srv.AddCommand(org, device, applivery.Command{})
	c, err := srv.NewClient()
	require.NoError(t, err)
	got, err := c.AndroidCommands.Get(context.Background(), org, device, cmd.ID)
	require.NoError(t, err)
	assert.Equal(t, cmd.ID, got.ID)
	assert.True(t, srv.Requests()[0].Authorized)

	_, err = srv.NewClient(applivery.WithMaxRetries(-1))
	assert.ErrorIs(t, err, applivery.ErrInvalidArgument, "options are validated")

	other := appliverytest.NewServer()
	defer other.Close()
	c, err = srv.NewClient(applivery.WithBaseURL(other.URL))
	require.NoError(t, err)
	_, err = c.AndroidCommands.Get(context.Background(), org, device, cmd.ID)
	assert.ErrorIs(t, err, applivery.ErrUnauthorized, "a later option overrides the server's URL; the key stays this server's")
}
