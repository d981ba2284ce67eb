package appliverytest

import (
	"bytes"
	"io"
	"net/http"
	"time"

	"github.com/applivery/applivery-go"
)

// TB is the part of testing.TB that Start and TestClient use; *testing.T,
// *testing.B and *testing.F satisfy it. (A package of its own keeps programs
// that serve the fake, such as "applivery demo", free of package testing.)
type TB interface {
	Helper()
	Cleanup(func())
	Fatalf(format string, args ...any)
}

// Start starts a Server for a test and closes it when the test ends.
func Start(tb TB) *Server {
	tb.Helper()
	s := NewServer()
	tb.Cleanup(s.Close)
	return s
}

// Retry waits of a TestClient: a test of retries should not sleep for the
// production defaults.
const (
	TestRetryWaitMin = time.Millisecond
	TestRetryWaitMax = 5 * time.Millisecond
)

// TestRateLimitWaitMax is the longest wait of the server's rate limit (see
// [Server.SetRateLimit]) that a TestClient honours. A longer one is left to
// the SDK, which refuses a Retry-After beyond its maximum wait and returns
// the 429 at once.
const TestRateLimitWaitMax = time.Second

// TestClient returns a client of the server for a test: its key and URL,
// waits between retries of TestRetryWaitMin to TestRetryWaitMax instead of
// the SDK's defaults, then opts, which can override all of them. It fails
// the test if an option is invalid, and closes the client's idle connections
// when the test ends.
//
//	srv := appliverytest.Start(t)
//	client := srv.TestClient(t, applivery.WithMaxRetries(1))
//
// The client honours the precise wait of the server's rate limit: when
// [Server.SetRateLimit] refuses a call, its transport waits until the
// server's next token (up to TestRateLimitWaitMax, and not past the call's
// deadline) before it hands the 429 on to the SDK with a Retry-After of 0,
// which the SDK's retry then follows. Whole-second Retry-Afters would
// otherwise exceed TestRetryWaitMax, and the first 429 would end the call. An
// [applivery.WithHTTPClient] in opts replaces that transport.
func (s *Server) TestClient(tb TB, opts ...applivery.Option) *applivery.Client {
	tb.Helper()
	rt := &preciseWaits{base: newTestTransport()}
	c, err := s.NewClient(append([]applivery.Option{
		applivery.WithRetryWait(TestRetryWaitMin, TestRetryWaitMax),
		applivery.WithHTTPClient(&http.Client{Transport: rt}),
	}, opts...)...)
	if err != nil {
		rt.CloseIdleConnections()
		tb.Fatalf("appliverytest: TestClient: %v", err)
		return nil
	}
	tb.Cleanup(func() {
		c.CloseIdleConnections()
		rt.CloseIdleConnections() // in case opts replaced it
	})
	return c
}

// newTestTransport returns the transport under a TestClient: Go's default
// one, with an idle pool as large as the SDK's own (100 connections per host),
// so that concurrent calls do not churn connections.
func newTestTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 100
	t.MaxIdleConnsPerHost = 100
	return t
}

// preciseWaits is the transport of a TestClient: it waits out the server's
// rate limit to the microsecond, which Retry-After cannot say.
type preciseWaits struct {
	base *http.Transport
}

// RoundTrip sends req. When the answer is a 429 of the rate limit with a
// precise wait that is at most TestRateLimitWaitMax and ends before the
// call's deadline, it reads the answer's body, waits that long (less if the
// call's context ends first) and returns the answer with a Retry-After of
// 0: the wait has been served.
func (p *preciseWaits) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := p.base.RoundTrip(req)
	if err != nil || resp.StatusCode != http.StatusTooManyRequests {
		return resp, err
	}
	wait, perr := time.ParseDuration(resp.Header.Get(preciseRetryAfterHeader))
	if perr != nil || wait < 0 || wait > TestRateLimitWaitMax {
		return resp, nil
	}
	ctx := req.Context()
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
		return resp, nil // the SDK gives up on the whole-second Retry-After
	}
	// Read the short error body first, so that its connection serves other
	// calls during the wait.
	body, rerr := io.ReadAll(io.LimitReader(resp.Body, maxRequestBody))
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if rerr != nil {
		return resp, nil
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-timer.C:
		resp.Header.Set("Retry-After", "0")
	case <-ctx.Done(): // the SDK returns the context's error
	}
	return resp, nil
}

// CloseIdleConnections closes the idle connections of the transport.
func (p *preciseWaits) CloseIdleConnections() { p.base.CloseIdleConnections() }
