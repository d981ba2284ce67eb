package transport

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// Config configures a Transport. Zero values are not defaults: the applivery
// package fills every field.
type Config struct {
	// HTTPClient is the base client for each attempt. It is copied, never
	// mutated. Nil means a pooled client built by newPooledTransport.
	HTTPClient     *http.Client
	MaxRetries     int           // retries after the first attempt
	WaitMin        time.Duration // backoff bounds, and the cap of an honoured Retry-After
	WaitMax        time.Duration
	AttemptTimeout time.Duration // longest wait for a response to begin, per attempt; 0 for none
	Logger         *slog.Logger  // nil: nothing is logged
	// RateLimit, when set, is waited on by every attempt first, retries
	// included, of all calls: see Limiter.
	RateLimit Limiter
	// Budget, when set, bounds the retries of all calls together.
	Budget *Budget
	// RootCAs, when set, are the certificates the SDK's own transport trusts
	// instead of the system's: the benchmarks' TLS server is one.
	RootCAs *x509.CertPool
}

// Transport sends requests with retries. It is safe for concurrent use.
type Transport struct {
	hc    *http.Client      // the copy used for every attempt
	base  http.RoundTripper // the transport underneath, for CloseIdleConnections
	cfg   Config
	calls sync.Pool // of *call, ready for this Transport
}

// New returns a Transport for cfg.
func New(cfg Config) *Transport {
	hc := new(http.Client)
	if cfg.HTTPClient != nil {
		*hc = *cfg.HTTPClient
	}
	base, timeout := hc.Transport, cfg.AttemptTimeout
	if base == nil {
		base, timeout = newPooledTransport(cfg.AttemptTimeout, cfg.RootCAs), 0 // it bounds the wait itself
	}
	// go-retryablehttp calls CloseIdleConnections on the client after every
	// failed call, which empties the pool that all concurrent callers share
	// (go-retryablehttp #237). attemptRoundTripper does not have that method,
	// so http.Client.CloseIdleConnections does nothing; Transport's own
	// CloseIdleConnections reaches the real transport.
	hc.Transport = &attemptRoundTripper{base: base, timeout: timeout, limiter: cfg.RateLimit}
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	t := &Transport{hc: hc, base: base, cfg: cfg}
	t.calls.New = func() any { return t.newCall() }
	return t
}

// newCall returns the state of a call, with the retryablehttp.Client whose
// hooks are its methods. go-retryablehttp's hooks receive no per-call value
// (Backoff gets neither the request nor, after a transport error, a
// response), so each call needs its own client; calls are pooled, so that
// neither the state nor the hooks' method values are allocated per call. The
// *http.Client and its connection pool are shared.
func (t *Transport) newCall() *call {
	c := &call{t: t}
	c.rc.HTTPClient = t.hc
	c.rc.RetryMax = t.cfg.MaxRetries
	c.rc.CheckRetry = c.checkRetry
	c.rc.Backoff = c.chosenWait
	c.rc.ErrorHandler = retryablehttp.PassthroughErrorHandler
	return c
}

// newPooledTransport returns the transport used when the caller gives no
// client: pooled like cleanhttp's, but with an idle pool of 100 connections
// per host (cleanhttp keeps GOMAXPROCS+1, which churns connections as soon as
// more callers than that run at once), TLS 1.2 or later, bounded dials, and
// attemptTimeout as the longest wait for a response to begin.
func newPooledTransport(attemptTimeout time.Duration, roots *x509.CertPool) *http.Transport {
	return &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: (&net.Dialer{
			Timeout:   10 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   100,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: 1 * time.Second,
		ResponseHeaderTimeout: attemptTimeout,
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: roots},
	}
}

// CloseIdleConnections closes the idle connections of the underlying
// transport, when it has that method.
func (t *Transport) CloseIdleConnections() {
	if c, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// Call is one call: what Send sends, and the policy its retries follow.
type Call struct {
	Method string
	URL    string
	Header http.Header // added to the request's own; not modified
	Body   []byte      // nil for none; replayed on each attempt
	Policy Policy
	// LogPath, when set, is the path that log records name instead of the
	// URL's: the caller's, redacted of the secrets it may hold.
	LogPath string
}

// Outcome describes how a call went, beyond its final response or error.
type Outcome struct {
	// Attempts counts the HTTP attempts made. One that ended while it
	// waited for the rate limit sent nothing and is not counted.
	Attempts int
	// EarlierMayHaveApplied reports that an attempt before the last failed
	// but may have been carried out by the server (see mayHaveApplied): a
	// retry may then meet the effect of that attempt, such as a command
	// already canceled.
	EarlierMayHaveApplied bool
	// LastMayHaveApplied reports the same of the last attempt, when it
	// failed: its answer was lost (the context ending it included), or was a
	// 500, 502 or 504.
	LastMayHaveApplied bool
	// MayHaveActed reports that some attempt may have been carried out, in
	// the broadest sense, for a call that must not run twice: it failed after
	// its request may have gone out, or it was answered with a 2xx, or with a
	// 5xx other than 501 and 505 (a proxy may answer 503 for a backend that
	// failed while it was acting). A 4xx, 501 or 505 says it was not.
	MayHaveActed bool
	// RetryAfter is the Retry-After of the last answer, when it was not a
	// success and carried a valid one; 0 otherwise.
	RetryAfter time.Duration
}

// Send sends one call: the request, and the retries that its policy allows. It
// returns the final response, whatever its status, with a nil error; or a nil
// response and the error of the last attempt (unwrapped from *url.Error), or
// the context's error when the context ended the call (a Limiter's error
// then, when one refused the last attempt, wrapping the context's). The
// caller must close the response body.
func (t *Transport) Send(ctx context.Context, r Call) (*http.Response, Outcome, error) {
	httpReq, err := http.NewRequestWithContext(ctx, r.Method, r.URL, nil)
	if err != nil {
		return nil, Outcome{}, err
	}
	for k, v := range r.Header {
		httpReq.Header[k] = v
	}
	c := t.calls.Get().(*call)
	defer t.calls.Put(c)
	path := r.LogPath
	if path == "" {
		path = httpReq.URL.Path
	}
	c.reset(r.Policy, r.Method, path)
	c.req = retryablehttp.Request{Request: httpReq}
	if r.Body != nil {
		// A []byte is replayed from the same slice on each attempt, with its
		// Content-Length. (A nil body stays unset: as a typed nil it would be
		// sent as an empty chunked body.)
		if err := c.req.SetBody(r.Body); err != nil {
			return nil, Outcome{}, err
		}
	}
	t.cfg.Budget.deposit()
	resp, err := c.rc.Do(&c.req)
	c.req = retryablehttp.Request{} // the pool keeps no request
	outcome := Outcome{Attempts: c.attempts, EarlierMayHaveApplied: c.earlierMayHaveApplied,
		LastMayHaveApplied: c.lastMayHaveApplied, MayHaveActed: c.mayHaveActed, RetryAfter: c.retryAfter}
	if err != nil {
		if resp != nil {
			resp.Body.Close()
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			var refused *limiterError
			if errors.As(err, &refused) {
				// The limiter's own error says more than the context's, and
				// wraps it.
				refused.ctxErr = ctxErr
				return nil, outcome, refused
			}
			return nil, outcome, ctxErr
		}
		return nil, outcome, unwrapURLError(err)
	}
	return resp, outcome, nil
}

// call is the state of one Send.
type call struct {
	rc                    retryablehttp.Client
	req                   retryablehttp.Request
	t                     *Transport
	policy                Policy
	method                string
	path                  string
	attempts              int           // attempts made so far
	wait                  time.Duration // the wait checkRetry chose, for chosenWait
	earlierMayHaveApplied bool          // see Outcome
	lastMayHaveApplied    bool          // of the attempt checkRetry saw last
	mayHaveActed          bool          // see Outcome
	retryAfter            time.Duration // of the attempt checkRetry saw last
}

// reset readies a pooled call for a new Send.
func (c *call) reset(policy Policy, method, path string) {
	c.policy, c.method, c.path = policy, method, path
	c.attempts, c.wait = 0, 0
	c.earlierMayHaveApplied, c.lastMayHaveApplied, c.mayHaveActed = false, false, false
	c.retryAfter = 0
}

// checkRetry is the call's retryablehttp.CheckRetry. It runs once after each
// attempt, decides whether to retry and how long to wait first, and logs both.
// It never returns an error: go-retryablehttp then hands back the last
// response as is, which the SDK turns into a typed error.
func (c *call) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if neverStarted(err) {
		// The wait for the rate limit ended the attempt before anything was
		// sent (the context ended, or would have before a token came): it is
		// no attempt, leaves the record of the ones before as it was, and
		// is not retried.
		c.logNotSent(ctx, err)
		return false, nil
	}
	c.attempts++
	cfg := &c.t.cfg
	c.logAttempt(ctx, resp, err)
	c.earlierMayHaveApplied = c.earlierMayHaveApplied || c.lastMayHaveApplied
	c.lastMayHaveApplied = attemptMayHaveApplied(resp, err)
	c.mayHaveActed = c.mayHaveActed || attemptMayHaveActed(resp, err)
	retryAfter, hasRetryAfter := time.Duration(0), false
	if resp != nil && resp.StatusCode >= 300 {
		retryAfter, hasRetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	}
	c.retryAfter = retryAfter
	switch {
	case ctx.Err() != nil:
		return false, nil
	case !c.policy.retryable(resp, err):
		return false, nil
	case c.attempts > cfg.MaxRetries:
		c.logDecision(ctx, resp, err, "not retrying: no retries left", 0)
		return false, nil
	}
	wait := retryWait(cfg.WaitMin, cfg.WaitMax, c.attempts-1)
	if hasRetryAfter {
		if retryAfter > cfg.WaitMax {
			c.logDecision(ctx, resp, err, "not retrying: Retry-After is longer than the maximum wait", retryAfter)
			return false, nil
		}
		wait = max(retryAfter, cfg.WaitMin)
	}
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
		c.logDecision(ctx, resp, err, "not retrying: the wait would end after the context's deadline", wait)
		return false, nil
	}
	if !cfg.Budget.withdraw() {
		c.logDecision(ctx, resp, err, "not retrying: the client's retry budget is spent", 0)
		return false, nil
	}
	c.wait = wait
	c.logDecision(ctx, resp, err, "retrying", wait)
	if resp != nil {
		// go-retryablehttp reads at most 4 KiB of a retried answer before it
		// closes it, and a body left unread closes its connection: every
		// retry after a larger error page would open a new one, a TLS
		// handshake each during an outage. Read it here, up to maxDrain.
		_, _ = io.CopyN(io.Discard, resp.Body, maxDrain)
	}
	return true, nil
}

// maxDrain bounds how much of a response body that is closed unread is read
// first, so that its connection can carry the next request. Past it, closing
// the connection is cheaper than reading on.
const maxDrain = 256 << 10

// CloseBody closes a response body. Unless it was read to its end (atEOF), it
// first reads what is left, up to maxDrain, so the connection can be reused.
func CloseBody(body io.ReadCloser, atEOF bool) {
	if !atEOF {
		_, _ = io.CopyN(io.Discard, body, maxDrain)
	}
	_ = body.Close()
}

// chosenWait is the call's retryablehttp.Backoff: the wait checkRetry chose.
func (c *call) chosenWait(_, _ time.Duration, _ int, _ *http.Response) time.Duration {
	return c.wait
}

// logAttempt records the outcome of one attempt at Debug.
func (c *call) logAttempt(ctx context.Context, resp *http.Response, err error) {
	l := c.t.cfg.Logger
	if l == nil || !l.Enabled(ctx, slog.LevelDebug) {
		return
	}
	l.LogAttrs(ctx, slog.LevelDebug, "applivery: attempt", c.attrs(resp, err)...)
}

// logNotSent records at Debug an attempt that the rate limit's wait ended
// before anything was sent.
func (c *call) logNotSent(ctx context.Context, err error) {
	l := c.t.cfg.Logger
	if l == nil || !l.Enabled(ctx, slog.LevelDebug) {
		return
	}
	l.LogAttrs(ctx, slog.LevelDebug, "applivery: not sent",
		slog.String("method", c.method),
		slog.String("path", c.path),
		slog.String("error", unwrapURLError(err).Error()))
}

// logDecision records a retry decision for a failed attempt at Warn, with the
// wait before the next attempt (or the refused wait).
func (c *call) logDecision(ctx context.Context, resp *http.Response, err error, msg string, wait time.Duration) {
	l := c.t.cfg.Logger
	if l == nil || !l.Enabled(ctx, slog.LevelWarn) {
		return
	}
	attrs := c.attrs(resp, err)
	if wait > 0 {
		attrs = append(attrs, slog.Duration("wait", wait))
	}
	l.LogAttrs(ctx, slog.LevelWarn, "applivery: "+msg, attrs...)
}

// attrs describes the current attempt. It names no header and no body, so
// no record can carry the API key.
func (c *call) attrs(resp *http.Response, err error) []slog.Attr {
	attrs := make([]slog.Attr, 0, 6)
	attrs = append(attrs,
		slog.String("method", c.method),
		slog.String("path", c.path),
		slog.Int("attempt", c.attempts),
	)
	if err != nil {
		attrs = append(attrs, slog.String("error", unwrapURLError(err).Error()))
	} else {
		attrs = append(attrs, slog.Int("status", resp.StatusCode))
	}
	return attrs
}

// attemptMayHaveApplied applies mayHaveApplied to an attempt; a successful
// answer (2xx) is not a failure at all.
func attemptMayHaveApplied(resp *http.Response, err error) bool {
	if err == nil && resp.StatusCode < 300 {
		return false
	}
	status := 0
	if resp != nil {
		status = resp.StatusCode
	}
	return mayHaveApplied(status, err)
}

// attemptMayHaveActed reports whether an attempt may have been carried out,
// in the sense of Outcome.MayHaveActed.
func attemptMayHaveActed(resp *http.Response, err error) bool {
	if err != nil {
		return !notSent(err)
	}
	code := resp.StatusCode
	return code >= 200 && code <= 299 || code >= 500 && TransientStatus(code)
}

// unwrapURLError returns the cause of a *url.Error, whose own message
// repeats the method and the whole URL, or err itself.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
