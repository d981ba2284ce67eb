package applivery_test

// A call that the server may have carried out is never a plain failure: a
// Create whose 2xx answer is lost on the way is ErrOutcomeUnknown, and a
// Cancel whose 2xx answer is lost looks the command up. Over HTTP/1.1 through
// the fake's CutBody fault, and over HTTP/2 with TLS (the production path)
// through a proxy that resets the stream halfway through the body.

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/applivery/applivery-go"
	"github.com/applivery/applivery-go/appliverytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cuttingProxy starts an HTTP/2 TLS server in front of srv that forwards each
// request and, for the requests cut selects, sends the backend's status,
// headers and half its body, then resets the stream. It returns a client of
// the proxy.
func cuttingProxy(t *testing.T, srv *appliverytest.Server, cut func(*http.Request) bool) *applivery.Client {
	t.Helper()
	backend := &http.Client{}
	proxy := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		out, err := http.NewRequestWithContext(r.Context(), r.Method, srv.URL[:len(srv.URL)-len("/v1")]+r.URL.RequestURI(), r.Body)
		if err != nil {
			panic(err)
		}
		out.Header = r.Header.Clone()
		resp, err := backend.Do(out)
		if err != nil {
			panic(http.ErrAbortHandler)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(resp.StatusCode)
		if !cut(r) {
			_, _ = w.Write(body)
			return
		}
		_, _ = w.Write(body[:len(body)/2])
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler) // RST_STREAM
	}))
	proxy.EnableHTTP2 = true
	proxy.StartTLS()
	t.Cleanup(proxy.Close)
	c, err := applivery.NewClient(srv.APIKey, applivery.WithBaseURL(proxy.URL+"/v1"),
		applivery.WithHTTPClient(proxy.Client()), applivery.WithRetryWait(time.Millisecond, 5*time.Millisecond))
	require.NoError(t, err)
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// cutting returns a client whose next call to endpoint gets a 2xx answer cut
// halfway through its body, over the protocol named.
func cutting(t *testing.T, protocol string, endpoint appliverytest.Endpoint) (*appliverytest.Server, *applivery.Client) {
	t.Helper()
	srv, c := newFake(t)
	if protocol == "HTTP/1.1" {
		srv.Script(endpoint, appliverytest.Fault{CutBody: true})
		return srv, c
	}
	method := http.MethodPost
	if endpoint == appliverytest.EndpointGet || endpoint == appliverytest.EndpointList {
		method = http.MethodGet
	}
	var done atomic.Bool
	c = cuttingProxy(t, srv, func(r *http.Request) bool {
		isCancel := strings.HasSuffix(r.URL.Path, "/cancel")
		return r.Method == method && isCancel == (endpoint == appliverytest.EndpointCancel) && done.CompareAndSwap(false, true)
	})
	return srv, c
}

func TestCreateWithALostSuccessAnswerIsOutcomeUnknown(t *testing.T) {
	t.Parallel()
	for _, protocol := range []string{"HTTP/1.1", "HTTP/2"} {
		t.Run(protocol, func(t *testing.T) {
			t.Parallel()
			srv, c := cutting(t, protocol, appliverytest.EndpointCreate)
			cmd, err := createLock(context.Background(), c)
			assert.Nil(t, cmd)
			require.Error(t, err)
			assert.ErrorIs(t, err, applivery.ErrOutcomeUnknown, "%v", err)
			assert.Contains(t, err.Error(), "may have been created")
			assert.Equal(t, 1, stored(t, srv), "the command exists")
		})
	}
}

func TestCreateWithAnUnusableSuccessAnswerIsOutcomeUnknown(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status int
		body   string
	}{
		{"malformed", 200, `{"status":true,"data":{"id":`},
		{"html", 200, `<html><body>OK</body></html>`},
		{"not a success envelope", 200, `{"status":false}`},
		{"error envelope with a 2xx", 201, `{"status":false,"error":{"code":5209,"message":"Invalid input"}}`},
		{"data not an object", 200, `{"status":true,"data":[]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, tt.body)
			}))
			t.Cleanup(ts.Close)
			c, err := applivery.NewClient("sk_test_key", applivery.WithBaseURL(ts.URL))
			require.NoError(t, err)
			_, err = createLock(context.Background(), c)
			assert.ErrorIs(t, err, applivery.ErrOutcomeUnknown, "%v", err)
			var apiErr *applivery.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tt.status, apiErr.StatusCode)
		})
	}
}

// cancelOnRead is a response body whose first Read ends the call's context,
// as a caller's deadline that runs out while the body is being read.
type cancelOnRead struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelOnRead) Read([]byte) (int, error) {
	b.cancel()
	return 0, context.Canceled
}

// cancelingClient returns a client of srv whose context, made by the returned
// function, ends as soon as the body of a 2xx answer is read.
func cancelingClient(t *testing.T, srv *appliverytest.Server) (*applivery.Client, func() context.Context) {
	t.Helper()
	var cancel context.CancelFunc
	rt := roundTripper(func(r *http.Request) (*http.Response, error) {
		resp, err := http.DefaultTransport.RoundTrip(r)
		if err == nil && resp.StatusCode/100 == 2 && r.Method == http.MethodPost {
			resp.Body = &cancelOnRead{ReadCloser: resp.Body, cancel: cancel}
		}
		return resp, err
	})
	c, err := srv.NewClient(applivery.WithHTTPClient(&http.Client{Transport: rt}))
	require.NoError(t, err)
	return c, func() context.Context {
		var ctx context.Context
		ctx, cancel = context.WithCancel(context.Background())
		t.Cleanup(cancel)
		return ctx
	}
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestCreateEndedByTheContextWhileReadingTheAnswer(t *testing.T) {
	t.Parallel()
	srv := appliverytest.NewServer()
	t.Cleanup(srv.Close)
	srv.AddDevice(org, applivery.Device{}, device)
	c, newContext := cancelingClient(t, srv)
	_, err := createLock(newContext(), c)
	assert.ErrorIs(t, err, context.Canceled)
	assert.ErrorIs(t, err, applivery.ErrOutcomeUnknown, "the server had answered 200")
	assert.Equal(t, 1, stored(t, srv))
}

func TestCancelWithALostSuccessAnswerLooksTheCommandUp(t *testing.T) {
	t.Parallel()
	for _, protocol := range []string{"HTTP/1.1", "HTTP/2"} {
		t.Run(protocol, func(t *testing.T) {
			t.Parallel()
			srv, c := cutting(t, protocol, appliverytest.EndpointCancel)
			// Even a command that changed long ago: the 2xx says this call canceled it.
			cmd := srv.AddCommand(org, device, applivery.Command{UpdatedAt: time.Now().Add(-24 * time.Hour)})
			got, err := c.AndroidCommands.Cancel(context.Background(), org, device, cmd.ID)
			require.NoError(t, err)
			assert.Equal(t, applivery.CommandStatusCanceled, got.Status)
			assert.Equal(t, cmd.ID, got.ID)
			assert.Equal(t, []appliverytest.Endpoint{appliverytest.EndpointCancel, appliverytest.EndpointGet}, endpoints(srv))
		})
	}
}

func TestCancelWithALostSuccessAnswerAndAFailedLookup(t *testing.T) {
	t.Parallel()
	srv := appliverytest.NewServer()
	t.Cleanup(srv.Close)
	cmd := srv.AddCommand(org, device, applivery.Command{})
	c, newContext := cancelingClient(t, srv)
	_, err := c.AndroidCommands.Cancel(newContext(), org, device, cmd.ID)
	assert.ErrorIs(t, err, applivery.ErrOutcomeUnknown)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), "the command may have been canceled, and looking it up failed")
	got, ok := srv.Command(org, device, cmd.ID)
	require.True(t, ok)
	assert.Equal(t, applivery.CommandStatusCanceled, got.Status)
}

func TestCancelLooksUpOnlyWhenTheServerMayHaveActed(t *testing.T) {
	t.Parallel()
	yesterday := time.Now().Add(-24 * time.Hour).UTC().Truncate(time.Millisecond)
	justNow := time.Now().Add(-time.Minute).UTC().Truncate(time.Millisecond) // within CancelClockSkew
	tests := []struct {
		name        string
		updatedAt   time.Time             // of the command, already CANCEL
		cancel      []appliverytest.Fault // before the attempt that gets 5052
		wantLookup  bool
		wantSuccess bool
	}{
		{name: "503 from a load balancer: nothing reached the backend", updatedAt: yesterday,
			cancel: []appliverytest.Fault{{Status: 503, HTML: true}}},
		{name: "429", updatedAt: yesterday, cancel: []appliverytest.Fault{{Status: 429}}},
		{name: "500, but canceled yesterday by someone else", updatedAt: yesterday,
			cancel: []appliverytest.Fault{{Status: 500}}, wantLookup: true},
		{name: "dropped, but canceled yesterday by someone else", updatedAt: yesterday,
			cancel: []appliverytest.Fault{{Drop: true}}, wantLookup: true},
		{name: "500, canceled within the clock skew", updatedAt: justNow,
			cancel: []appliverytest.Fault{{Status: 500}}, wantLookup: true, wantSuccess: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, c := newFake(t)
			cmd := srv.AddCommand(org, device, applivery.Command{Status: applivery.CommandStatusCanceled, UpdatedAt: tt.updatedAt})
			srv.Script(appliverytest.EndpointCancel, tt.cancel...)

			got, err := c.AndroidCommands.Cancel(context.Background(), org, device, cmd.ID)
			assert.Equal(t, tt.wantLookup, endpoints(srv)[len(endpoints(srv))-1] == appliverytest.EndpointGet, "lookup")
			if tt.wantSuccess {
				require.NoError(t, err)
				assert.Equal(t, applivery.CommandStatusCanceled, got.Status)
				return
			}
			assert.Nil(t, got)
			assert.ErrorIs(t, err, applivery.ErrCommandNotPending)
			assert.NotErrorIs(t, err, applivery.ErrOutcomeUnknown)
		})
	}
}

func TestCancelWhoseLastAttemptMayHaveActedIsOutcomeUnknown(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		fault       appliverytest.Fault
		wantUnknown bool
	}{
		{"500", appliverytest.Fault{Status: 500}, true},
		{"502", appliverytest.Fault{Status: 502, HTML: true}, true},
		{"504", appliverytest.Fault{Status: 504}, true},
		{"dropped", appliverytest.Fault{Drop: true}, true},
		{"503", appliverytest.Fault{Status: 503}, false},
		{"429", appliverytest.Fault{Status: 429}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, c := newFake(t, applivery.WithMaxRetries(0))
			cmd := srv.AddCommand(org, device, applivery.Command{})
			srv.Script(appliverytest.EndpointCancel, tt.fault)
			_, err := c.AndroidCommands.Cancel(context.Background(), org, device, cmd.ID)
			require.Error(t, err)
			assert.Equal(t, tt.wantUnknown, strings.Contains(err.Error(), "may have been canceled"), "%v", err)
			assert.Equal(t, tt.wantUnknown, errors.Is(err, applivery.ErrOutcomeUnknown), "%v", err)
			assert.Equal(t, []appliverytest.Endpoint{appliverytest.EndpointCancel}, endpoints(srv), "no lookup after the last attempt")
		})
	}
}

func TestOnboardingCreatesWithALostSuccessAnswerAreOutcomeUnknown(t *testing.T) {
	t.Parallel()
	for _, create := range onboardingCreates {
		for _, protocol := range []string{"HTTP/1.1", "HTTP/2", "context ended while reading"} {
			t.Run(string(create.endpoint)+", "+protocol, func(t *testing.T) {
				t.Parallel()
				srv, c := newFake(t)
				ctx := context.Background()
				switch protocol {
				case "HTTP/1.1":
					srv.Script(create.endpoint, appliverytest.Fault{CutBody: true})
				case "HTTP/2":
					var done atomic.Bool
					c = cuttingProxy(t, srv, func(r *http.Request) bool {
						return r.Method == http.MethodPost && done.CompareAndSwap(false, true)
					})
				default:
					var newContext func() context.Context
					c, newContext = cancelingClient(t, srv)
					ctx = newContext()
				}
				err := create.create(ctx, c)
				require.Error(t, err)
				assert.ErrorIs(t, err, applivery.ErrOutcomeUnknown, "%v", err)
				assert.Contains(t, err.Error(), create.note)
				assert.Equal(t, 1, recorded(srv, create.endpoint), "sent once")
				assert.Equal(t, 1, create.held(srv), "the server created it")
				for _, tok := range srv.EnrollmentTokens(org) {
					assert.NotContains(t, err.Error(), tok.OneTimeToken, "half a token's answer is still a secret")
				}
			})
		}
	}
}
