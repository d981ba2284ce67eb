package transport

import (
	"context"
	"io"
	"net/http"
	"time"
)

// attemptRoundTripper hides the base transport's CloseIdleConnections (see
// New), waits on the rate limiter when there is one, and, when timeout
// is set, bounds how long an attempt waits for the response to begin.
//
// The SDK's own transport bounds that wait itself, with ResponseHeaderTimeout,
// which costs one timer inside net/http; timeout is then 0. A transport of the
// caller's cannot be configured, so the bound is a timer here that cancels the
// attempt if no response has begun in time, armed only when the caller's own
// deadline is later or absent. It is not http.Client.Timeout, which around a
// RoundTripper that net/http does not know starts a goroutine per request, and
// which would also cut a slow body.
type attemptRoundTripper struct {
	base    http.RoundTripper
	timeout time.Duration
	limiter Limiter // nil: no rate limit
}

func (rt *attemptRoundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	parent := req.Context()
	if rt.limiter != nil {
		// Before the attempt's own bound starts: waiting for a token is not
		// waiting for the server.
		if err := waitForLimiter(parent, rt.limiter); err != nil {
			return nil, err
		}
	}
	if rt.timeout <= 0 {
		return rt.base.RoundTrip(req)
	}
	if deadline, ok := parent.Deadline(); ok && time.Until(deadline) <= rt.timeout {
		return rt.base.RoundTrip(req)
	}
	ctx, cancel := context.WithCancel(parent)
	timer := time.AfterFunc(rt.timeout, cancel)
	resp, err := rt.base.RoundTrip(req.WithContext(ctx))
	if !timer.Stop() && parent.Err() == nil {
		// The timer fired: the attempt was canceled for taking too long, and
		// a response that raced it has a canceled body.
		if resp != nil {
			resp.Body.Close()
		}
		cancel()
		return nil, &attemptTimeoutError{Limit: rt.timeout}
	}
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// cancelOnClose releases the attempt's context when the body is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// attemptTimeoutError is the error of an attempt whose response did not begin
// within the attempt timeout, on a transport supplied by the caller. Like
// net/http's "timeout awaiting response headers", which the SDK's own
// transport returns in that case, it is a net.Error whose Timeout method
// reports true and it matches context.DeadlineExceeded; it is retried like any
// other connection failure.
type attemptTimeoutError struct {
	Limit time.Duration // the attempt timeout
}

func (e *attemptTimeoutError) Error() string {
	return "no response within the attempt timeout of " + e.Limit.String()
}

// Timeout reports true: this is a timeout, as net.Error describes.
func (e *attemptTimeoutError) Timeout() bool { return true }

// Temporary reports true, as net.Error asks: another attempt may succeed.
func (e *attemptTimeoutError) Temporary() bool { return true }

// Is reports whether target is context.DeadlineExceeded, as for net/http's
// own timeouts.
func (e *attemptTimeoutError) Is(target error) bool { return target == context.DeadlineExceeded }
