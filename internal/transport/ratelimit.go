package transport

import (
	"context"
	"errors"
	"time"

	"golang.org/x/time/rate"
)

// Limiter paces the attempts of a client: every attempt, retries included,
// waits on it before it is sent. *rate.Limiter satisfies it, and is waited
// on with waitForToken, which fails at once when the token would come after
// the context's deadline; any other Limiter's Wait is called as it is.
type Limiter interface {
	Wait(ctx context.Context) error
}

// limiterError is the error of an attempt that a Limiter other than a
// *rate.Limiter refused: nothing was sent. It wraps the limiter's error and,
// when the context had ended by then, the context's, so that errors.Is
// finds a context error even if the limiter returned one of its own.
type limiterError struct {
	err    error // the limiter's
	ctxErr error // the context's, when it had ended; nil otherwise
}

func (e *limiterError) Error() string {
	return "waiting for the client's rate limiter: " + e.err.Error()
}

func (e *limiterError) Unwrap() []error {
	if e.ctxErr == nil || errors.Is(e.err, e.ctxErr) {
		return []error{e.err}
	}
	return []error{e.err, e.ctxErr}
}

// waitForLimiter waits on l before an attempt: on a *rate.Limiter with
// waitForToken, on any other with its Wait, whose error becomes a
// *limiterError.
func waitForLimiter(ctx context.Context, l Limiter) error {
	if bucket, ok := l.(*rate.Limiter); ok {
		return waitForToken(ctx, bucket)
	}
	if err := l.Wait(ctx); err != nil {
		return &limiterError{err: err, ctxErr: ctx.Err()}
	}
	return nil
}

// rateWaitError is the error of an attempt that did not start because the
// client's rate limit would have made it wait past the context's deadline.
// Like the context's own error it matches context.DeadlineExceeded
// (x/time/rate's own error matches nothing); the attempt was never sent, and
// it is not retried.
type rateWaitError struct {
	wait time.Duration // until the next token
}

func (e *rateWaitError) Error() string {
	return "waiting " + e.wait.Round(time.Millisecond).String() +
		" for the client's rate limit would outlast the context's deadline"
}

// Is reports whether target is context.DeadlineExceeded.
func (e *rateWaitError) Is(target error) bool { return target == context.DeadlineExceeded }

// tokenWaitError is the error of an attempt whose context ended while it
// waited for a token of the client's rate limit: nothing was sent. It wraps
// the context's error.
type tokenWaitError struct {
	err error // the context's
}

func (e *tokenWaitError) Error() string {
	return "waiting for the client's rate limit: " + e.err.Error()
}

func (e *tokenWaitError) Unwrap() error { return e.err }

// neverStarted reports whether err, the error of an attempt, means that the
// attempt ended while it waited for the rate limit, before anything was
// sent: it is not an attempt at all.
func neverStarted(err error) bool {
	if err == nil {
		// Before the variables below: errors.As makes them escape, and an
		// attempt that got an answer, the common case, must not pay for them.
		return false
	}
	var (
		rateWait  *rateWaitError
		tokenWait *tokenWaitError
		limiter   *limiterError
	)
	return errors.As(err, &rateWait) || errors.As(err, &tokenWait) || errors.As(err, &limiter)
}

// waitForToken takes a token from l, waiting for it as long as ctx allows.
// A wait that would end after ctx's deadline returns a *rateWaitError at
// once, and gives the token back; a context that ends during the wait
// returns a *tokenWaitError.
func waitForToken(ctx context.Context, l *rate.Limiter) error {
	r := l.Reserve()
	wait := r.Delay()
	if wait == 0 {
		return nil
	}
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
		r.Cancel()
		return &rateWaitError{wait: wait}
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		r.Cancel()
		return &tokenWaitError{err: ctx.Err()}
	}
}
