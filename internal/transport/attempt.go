package transport

import (
	"context"
	"io"
	"net/http"
	"time"
)

// attemptRoundTripper bounds each attempt in time, and hides the base
// transport's CloseIdleConnections (see New).
//
// The bound is a context deadline on the attempt's request, armed only when
// the caller's own deadline is later or absent: a caller with a tighter
// deadline pays nothing. It is not http.Client.Timeout, which around a
// RoundTripper that net/http does not know starts a goroutine per request.
// The deadline covers reading the body too; closing the body releases it.
type attemptRoundTripper struct {
	base    http.RoundTripper
	timeout time.Duration
}

func (rt *attemptRoundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	parent := req.Context()
	if rt.timeout <= 0 {
		return rt.base.RoundTrip(req)
	}
	if deadline, ok := parent.Deadline(); ok && time.Until(deadline) <= rt.timeout {
		return rt.base.RoundTrip(req)
	}
	ctx, cancel := context.WithTimeout(parent, rt.timeout)
	resp, err := rt.base.RoundTrip(req.WithContext(ctx))
	if err != nil {
		err = rt.cause(parent, ctx, err) // before cancel, which would end ctx too
		cancel()
		return nil, err
	}
	resp.Body = &attemptBody{ReadCloser: resp.Body, rt: rt, parent: parent, ctx: ctx, cancel: cancel}
	return resp, nil
}

// cause reports an error of the attempt's own deadline as an
// *AttemptTimeoutError, so that context.DeadlineExceeded in an error chain
// always means the caller's deadline.
func (rt *attemptRoundTripper) cause(parent, ctx context.Context, err error) error {
	if ctx.Err() == context.DeadlineExceeded && parent.Err() == nil {
		return &AttemptTimeoutError{Limit: rt.timeout}
	}
	return err
}

// attemptBody releases the attempt's deadline when the body is closed.
type attemptBody struct {
	io.ReadCloser
	rt          *attemptRoundTripper
	parent, ctx context.Context
	cancel      context.CancelFunc
}

func (b *attemptBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		err = b.rt.cause(b.parent, b.ctx, err)
	}
	return n, err
}

func (b *attemptBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// AttemptTimeoutError is the error of an attempt that did not complete within
// the attempt timeout while the caller's context still had time. It is a
// net.Error whose Timeout method reports true, and it is retried like any
// other connection failure.
type AttemptTimeoutError struct {
	Limit time.Duration // the attempt timeout
}

func (e *AttemptTimeoutError) Error() string {
	return "no complete response within the attempt timeout of " + e.Limit.String()
}

// Timeout reports true: this is a timeout, as net.Error describes.
func (e *AttemptTimeoutError) Timeout() bool { return true }

// Temporary reports true, as net.Error asks: another attempt may succeed.
func (e *AttemptTimeoutError) Temporary() bool { return true }
