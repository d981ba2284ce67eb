package applivery

// The polling of the Wait methods: the loop, its schedule, which failures it
// rides out, and the error of a Wait that runs out of time. A Wait method
// checks its arguments and says what to poll; the rest is here.

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/applivery/applivery-go/internal/backoff"
	"github.com/applivery/applivery-go/internal/transport"
)

// poll is what a Wait method polls: a command, read by get until settled
// says it is no longer pending. Every platform's Wait is one.
type poll[T any] struct {
	commandID        string // for the error of a Wait that runs out of time
	minWait, maxWait time.Duration
	get              func(context.Context) (*T, error)
	settled          func(*T) bool
	status           func(*T) string // the status a Wait that runs out of time names
	onPoll           func(*T)        // called after every successful poll; nil for none
}

// waitFor polls p on clk until it settles, as AndroidCommandsService.Wait
// documents: the first poll at once, then waits from pollWait, a 429's
// Retry-After honoured, transient failures ridden out, and one last poll
// lastPollMargin before the context's deadline. It returns the last value
// read, and a *stillPendingError when time runs out.
func waitFor[T any](ctx context.Context, clk clock, p poll[T]) (*T, error) {
	start := clk.Now()
	deadline, hasDeadline := ctx.Deadline()
	margin := lastPollMargin(deadline.Sub(start))
	var (
		last  *T
		final bool // the last poll, just before the deadline, is made
	)
	// stillPending is the error of a Wait that ends after polls polls with
	// the command pending (or never read), for ctxErr.
	stillPending := func(polls int, lastErr, ctxErr error) error {
		waited := clk.Now().Sub(start)
		if hasDeadline && ctxErr == context.DeadlineExceeded {
			waited = max(0, deadline.Sub(start)) // the whole budget was used
		}
		e := &stillPendingError{commandID: p.commandID, polls: polls, waited: waited, lastErr: lastErr, ctxErr: ctxErr}
		if last != nil {
			if e.status = p.status(last); e.status == "" {
				e.status = "pending"
			}
		}
		return e
	}
	for polls := 1; ; polls++ {
		v, err := p.get(ctx)
		wait := pollWait(p.minWait, p.maxWait, polls-1)
		retryAfter := false // wait is the server's Retry-After
		switch {
		case err == nil:
			last = v
			if p.onPoll != nil {
				p.onPoll(v)
			}
			if p.settled(v) {
				return v, nil
			}
		case ctx.Err() != nil:
			return last, stillPending(polls, nil, ctx.Err())
		case !transientPollError(err):
			return last, err
		default:
			var apiErr *APIError
			if errors.As(err, &apiErr) && apiErr.RetryAfter > wait {
				wait, retryAfter = apiErr.RetryAfter, true
			}
		}
		if hasDeadline {
			// The time left until the last poll, just before the deadline.
			left := deadline.Sub(clk.Now()) - margin
			if wait > left {
				if final || retryAfter || left <= 0 {
					return last, stillPending(polls, err, context.DeadlineExceeded)
				}
				wait, final = left, true
			}
		}
		if clk.Sleep(ctx, wait) != nil {
			return last, stillPending(polls, err, ctx.Err())
		}
	}
}

// The default intervals of Wait.
const (
	defaultMinPollInterval = 2 * time.Second
	defaultMaxPollInterval = time.Minute
)

// pollIntervals returns the bounds of the wait between polls for a Wait's
// MinInterval and MaxInterval options (0 for the defaults), or refuses them.
func pollIntervals(minInterval, maxInterval time.Duration) (minWait, maxWait time.Duration, err error) {
	switch {
	case minInterval < 0:
		return 0, 0, &ValidationError{Field: "minInterval", Value: minInterval.String(), Reason: "must be 0 (the default) or more"}
	case maxInterval < 0:
		return 0, 0, &ValidationError{Field: "maxInterval", Value: maxInterval.String(), Reason: "must be 0 (the default) or more"}
	case maxInterval > 0 && maxInterval < minInterval:
		return 0, 0, &ValidationError{Field: "maxInterval", Value: maxInterval.String(),
			Reason: "must be at least minInterval (" + minInterval.String() + ")"}
	}
	minWait, maxWait = defaultMinPollInterval, maxInterval
	if minInterval > 0 {
		minWait = minInterval
	}
	if maxWait == 0 {
		maxWait = max(defaultMaxPollInterval, minWait)
	}
	return minWait, maxWait, nil
}

// pollWait returns the wait after poll n+1 (n from 0): min·2^n capped at
// max, less a random jitter of up to a quarter.
func pollWait(minWait, maxWait time.Duration, n int) time.Duration {
	w := backoff.Exponential(minWait, maxWait, n)
	return backoff.Jitter(w-w/4, w)
}

// transientPollError reports whether a poll's error may pass: no answer, a
// transient status (a 429, a 5xx other than 501 and 505), or a 2xx whose
// body was unusable. A 2xx that carries an API error code (3001, 4004, 5050,
// …) is the API's answer, as the same code with its usual status would be:
// it is not transient.
func transientPollError(err error) bool {
	var (
		apiErr *APIError
		reqErr *requestError
	)
	switch {
	case errors.As(err, &apiErr):
		if apiErr.StatusCode/100 == 2 {
			return apiErr.Code == 0
		}
		return transport.TransientStatus(apiErr.StatusCode)
	case errors.As(err, &reqErr):
		return true
	}
	return false
}

// lastPollMargin is how long before the context's deadline Wait makes its
// last poll, for a Wait that had total until the deadline: a tenth of it,
// and at most lastPollMarginMax, so that the poll's request can finish.
func lastPollMargin(total time.Duration) time.Duration {
	return max(0, min(total/10, lastPollMarginMax))
}

// lastPollMarginMax bounds lastPollMargin: a GET takes well under a second.
const lastPollMarginMax = time.Second

// stillPendingError is the error of a Wait that ran out of time: it matches
// ErrStillPending and wraps the context's error and, when the last poll
// failed, that poll's error. Its message names the status the command was
// last read in and says how long Wait waited, not what the context said:
// "applivery: command … still PENDING after 5s (3 polls)", or "still
// NotNow" for an Apple command the device put off.
type stillPendingError struct {
	commandID string
	polls     int
	status    string        // the status of the last read; "" when no poll read the command
	waited    time.Duration // from the start of Wait to its deadline, or to its end
	lastErr   error         // of the last poll, when it failed
	ctxErr    error         // context.DeadlineExceeded or context.Canceled
}

func (e *stillPendingError) Error() string {
	var b strings.Builder
	b.WriteString("applivery: command ")
	b.WriteString(e.commandID)
	if e.status != "" {
		b.WriteString(" still ")
		b.WriteString(e.status)
		b.WriteString(" after ")
	} else {
		b.WriteString(" not read in ")
	}
	b.WriteString(roundWaited(e.waited).String())
	b.WriteString(" (")
	b.WriteString(strconv.Itoa(e.polls))
	if e.polls == 1 {
		b.WriteString(" poll)")
	} else {
		b.WriteString(" polls)")
	}
	if errors.Is(e.ctxErr, context.Canceled) {
		b.WriteString(": the wait was canceled")
	}
	if e.lastErr != nil {
		b.WriteString("; the last poll failed: ")
		b.WriteString(e.lastErr.Error())
	}
	return b.String()
}

// roundWaited rounds how long a Wait waited for its message: to 100 ms from
// a second on ("5s" for a 5 s budget less the microseconds before the
// call), to the millisecond below.
func roundWaited(d time.Duration) time.Duration {
	if d >= time.Second {
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Millisecond)
}

func (e *stillPendingError) Unwrap() []error {
	if e.lastErr == nil {
		return []error{e.ctxErr}
	}
	return []error{e.ctxErr, e.lastErr}
}

func (e *stillPendingError) Is(target error) bool { return target == ErrStillPending }
