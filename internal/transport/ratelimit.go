package transport

import (
	"context"
	"time"

	"golang.org/x/time/rate"
)

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

// waitForToken takes a token from l, waiting for it as long as ctx allows.
// A wait that would end after ctx's deadline returns a *rateWaitError at
// once, and gives the token back.
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
		return ctx.Err()
	}
}
