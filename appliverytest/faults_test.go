package appliverytest_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/applivery/applivery-go"
	"github.com/applivery/applivery-go/appliverytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newFaultClient is newServer with retries a millisecond apart.
func newFaultClient(t *testing.T, opts ...applivery.Option) (*appliverytest.Server, *applivery.Client) {
	t.Helper()
	srv := appliverytest.Start(t)
	return srv, srv.TestClient(t, opts...)
}

func TestScriptFailsTheNextCalls(t *testing.T) {
	t.Parallel()
	srv, c := newFaultClient(t, applivery.WithMaxRetries(0))
	cmd := srv.AddCommand(org, device, applivery.Command{})
	srv.Script(appliverytest.EndpointGet, slices.Repeat([]appliverytest.Fault{{Status: 503}}, 2)...)

	for range 2 {
		_, err := c.AndroidCommands.Get(context.Background(), org, device, cmd.ID)
		var apiErr *applivery.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, 503, apiErr.StatusCode)
		assert.Equal(t, "Service Unavailable", apiErr.Message)
	}
	got, err := c.AndroidCommands.Get(context.Background(), org, device, cmd.ID)
	require.NoError(t, err, "the third call is answered normally")
	assert.Equal(t, cmd.ID, got.ID)

	_, err = c.AndroidCommands.Cancel(context.Background(), org, device, cmd.ID)
	assert.NoError(t, err, "faults belong to their endpoint")
}

func TestScriptedStatusAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		fault       appliverytest.Fault
		wantCode    applivery.ErrorCode
		wantMessage string
		wantBody    string // a prefix
		wantType    string
		wantRetry   time.Duration
	}{
		{
			name:        "json envelope with a code",
			fault:       appliverytest.Fault{Status: 400, Code: 5050, Message: "Feature not allowed for you billing plan"},
			wantCode:    5050,
			wantMessage: "Feature not allowed for you billing plan",
			wantBody:    `{"status":false,"error":{"code":5050,`,
			wantType:    "application/json",
		},
		{
			name:        "json envelope without a code",
			fault:       appliverytest.Fault{Status: 500},
			wantMessage: "Internal Server Error",
			wantBody:    `{"status":false,"error":{"message":"Internal Server Error"}}`,
			wantType:    "application/json",
		},
		{
			name:        "html page from a proxy",
			fault:       appliverytest.Fault{Status: 502, HTML: true, Message: "<Bad> Gateway"},
			wantMessage: "Bad Gateway",
			wantBody:    "<html><head><title>502 &lt;Bad&gt; Gateway</title>",
			wantType:    "text/html; charset=utf-8",
		},
		{
			name:        "retry-after",
			fault:       appliverytest.Fault{Status: 429, RetryAfter: "120"},
			wantMessage: "Too Many Requests",
			wantBody:    `{"status":false`,
			wantType:    "application/json",
			wantRetry:   2 * time.Minute,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, c := newFaultClient(t, applivery.WithMaxRetries(0))
			srv.Script(appliverytest.EndpointList, tt.fault)
			_, err := c.AndroidCommands.List(context.Background(), org, device, nil)
			var apiErr *applivery.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tt.fault.Status, apiErr.StatusCode)
			assert.Equal(t, tt.wantCode, apiErr.Code)
			assert.Equal(t, tt.wantMessage, apiErr.Message)
			assert.True(t, strings.HasPrefix(string(apiErr.Body), tt.wantBody), "body %s", apiErr.Body)
			assert.Equal(t, tt.wantRetry, apiErr.RetryAfter)
		})
	}
}

func TestScriptedFaultsAreRetriedByTheSDK(t *testing.T) {
	t.Parallel()
	srv, c := newFaultClient(t)
	cmd := srv.AddCommand(org, device, applivery.Command{})
	srv.Script(appliverytest.EndpointCancel,
		appliverytest.Fault{Status: 503, RetryAfter: "0"},
		appliverytest.Fault{Drop: true},
		appliverytest.Fault{Status: 502, HTML: true})
	got, err := c.AndroidCommands.Cancel(context.Background(), org, device, cmd.ID)
	require.NoError(t, err)
	assert.Equal(t, applivery.CommandStatusCanceled, got.Status)
	assert.Len(t, srv.Requests(), 4)
}

func TestDropBeforeAndAfterApplying(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		fault       appliverytest.Fault
		wantApplied bool
	}{
		{"dropped before", appliverytest.Fault{Drop: true}, false},
		{"dropped after", appliverytest.Fault{Drop: true, Applied: true}, true},
		{"502 after", appliverytest.Fault{Status: 502, Applied: true}, true},
		{"502 before", appliverytest.Fault{Status: 502}, false},
		{"body cut after the 200", appliverytest.Fault{CutBody: true}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, c := newFaultClient(t, applivery.WithMaxRetries(0))
			srv.AddDevice(org, applivery.Device{}, device)
			srv.Script(appliverytest.EndpointCreate, tt.fault)
			_, err := c.AndroidCommands.Create(context.Background(), org, device, &applivery.CreateCommandRequest{Type: applivery.CommandTypeLock})
			require.Error(t, err)
			assert.ErrorIs(t, err, applivery.ErrOutcomeUnknown, "the SDK cannot tell the two apart")
			page, err := c.AndroidCommands.List(context.Background(), org, device, nil)
			require.NoError(t, err)
			assert.Equal(t, tt.wantApplied, len(page.Items) == 1, "commands stored: %d", len(page.Items))
		})
	}
}

func TestLostCancelIsResolvedByTheSDK(t *testing.T) {
	t.Parallel()
	for _, fault := range []appliverytest.Fault{
		{Drop: true, Applied: true},
		{Status: 504, HTML: true, Applied: true},
	} {
		srv, c := newFaultClient(t)
		cmd := srv.AddCommand(org, device, applivery.Command{})
		srv.Script(appliverytest.EndpointCancel, fault)
		got, err := c.AndroidCommands.Cancel(context.Background(), org, device, cmd.ID)
		require.NoError(t, err, "%+v", fault)
		assert.Equal(t, applivery.CommandStatusCanceled, got.Status)
		var endpoints []appliverytest.Endpoint
		for _, r := range srv.Requests() {
			endpoints = append(endpoints, r.Endpoint)
		}
		assert.Equal(t, []appliverytest.Endpoint{appliverytest.EndpointCancel, appliverytest.EndpointCancel, appliverytest.EndpointGet}, endpoints)
	}
}

func TestLatency(t *testing.T) {
	t.Parallel()
	srv, c := newFaultClient(t, applivery.WithAttemptTimeout(500*time.Millisecond), applivery.WithMaxRetries(1))
	cmd := srv.AddCommand(org, device, applivery.Command{})

	srv.Script(appliverytest.EndpointGet, appliverytest.Fault{Latency: 5 * time.Second})
	start := time.Now()
	got, err := c.AndroidCommands.Get(context.Background(), org, device, cmd.ID)
	require.NoError(t, err, "the slow attempt times out and the retry succeeds")
	assert.Equal(t, cmd.ID, got.ID)
	assert.GreaterOrEqual(t, time.Since(start), 500*time.Millisecond)
	assert.Len(t, srv.Requests(), 2)

	srv.Script(appliverytest.EndpointGet, appliverytest.Fault{Latency: 30 * time.Millisecond})
	start = time.Now()
	_, err = c.AndroidCommands.Get(context.Background(), org, device, cmd.ID)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, time.Since(start), 30*time.Millisecond, "a slow answer that is still in time")
	assert.Len(t, srv.Requests(), 3)
}

func TestFaultsComeBeforeTheKeyCheck(t *testing.T) {
	t.Parallel()
	srv, _ := newFaultClient(t)
	srv.Script(appliverytest.EndpointList, appliverytest.Fault{Status: 503})
	stranger, err := applivery.NewClient("wrong-key", applivery.WithBaseURL(srv.URL), applivery.WithMaxRetries(0))
	require.NoError(t, err)
	_, err = stranger.AndroidCommands.List(context.Background(), org, device, nil)
	var apiErr *applivery.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 503, apiErr.StatusCode, "a proxy answers before the API checks the key")
}

func TestAFaultWithADocumentedCodeGetsItsStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code       applivery.ErrorCode
		wantStatus int
		wantIs     error
	}{
		{applivery.CodeCommandNotPending, 400, applivery.ErrCommandNotPending},
		{applivery.CodeFeatureNotAllowed, 400, applivery.ErrFeatureNotAllowed},
		{applivery.CodeEntityNotFound, 404, applivery.ErrNotFound},
		{applivery.CodeNoAuthToken, 401, applivery.ErrUnauthorized},
		{applivery.CodeInvalidToken, 401, applivery.ErrUnauthorized},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(int(tt.code)), func(t *testing.T) {
			t.Parallel()
			srv, c := newFaultClient(t)
			srv.Script(appliverytest.EndpointCancel, appliverytest.Fault{Code: tt.code})
			_, err := c.AndroidCommands.Cancel(context.Background(), org, device, "0123456789abcdef01234567")
			var apiErr *applivery.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tt.wantStatus, apiErr.StatusCode)
			assert.Equal(t, tt.code, apiErr.Code)
			assert.ErrorIs(t, err, tt.wantIs)
		})
	}
}

func TestScriptRejectsMeaninglessFaults(t *testing.T) {
	t.Parallel()
	srv, _ := newFaultClient(t)
	tests := map[string]struct {
		endpoint appliverytest.Endpoint
		fault    appliverytest.Fault
		want     string
	}{
		"status and drop":                  {appliverytest.EndpointGet, appliverytest.Fault{Status: 503, Drop: true}, "not both"},
		"not a status":                     {appliverytest.EndpointGet, appliverytest.Fault{Status: 42}, "not an HTTP status"},
		"undocumented code without status": {appliverytest.EndpointGet, appliverytest.Fault{Code: 5999}, "Fault.Code 5999 is not a documented code: set Status"},
		"message without status":           {appliverytest.EndpointGet, appliverytest.Fault{Message: "x"}, "set Status"},
		"applied alone":                    {appliverytest.EndpointGet, appliverytest.Fault{Applied: true}, "needs a Status, a Drop or a CutBody"},
		"cut and status":                   {appliverytest.EndpointGet, appliverytest.Fault{CutBody: true, Status: 502}, "takes no Status or Drop"},
		"cut and drop":                     {appliverytest.EndpointGet, appliverytest.Fault{CutBody: true, Drop: true}, "takes no Status or Drop"},
		"negative latency":                 {appliverytest.EndpointGet, appliverytest.Fault{Latency: -time.Second}, "negative"},
		"unknown endpoint":                 {appliverytest.Endpoint("delete"), appliverytest.Fault{Status: 500}, `unknown endpoint "delete"`},
	}
	for name, tt := range tests {
		func() {
			defer func() {
				r := recover()
				require.NotNil(t, r, name)
				assert.Contains(t, r, tt.want, name)
			}()
			srv.Script(tt.endpoint, tt.fault)
		}()
	}
	// Nothing was queued: the next call is answered normally.
	resp, err := http.Get(srv.URL + "/organizations/" + org + "/mdm/android/enterprise/devices/" + device + "/commands")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
}

func TestDropIsAReset(t *testing.T) {
	t.Parallel()
	srv, _ := newFaultClient(t)
	srv.Script(appliverytest.EndpointCancel, appliverytest.Fault{Drop: true})
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/organizations/"+org+"/mdm/android/enterprise/devices/"+device+"/commands/0123456789abcdef01234567/cancel", nil)
	require.NoError(t, err)
	resp, err := (&http.Client{Transport: &http.Transport{}}).Do(req)
	if resp != nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	require.Error(t, err)
	var netErr net.Error
	assert.True(t, errors.As(err, &netErr) || strings.Contains(err.Error(), "EOF"), "%v", err)
}
