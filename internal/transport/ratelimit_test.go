package transport

import (
	"context"
	"errors"
	"net/http"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"
)

// untilWaiting returns once a caller of lim has reserved a token it must
// wait for: the limiter's tokens go below zero. It spins rather than
// sleeps, yielding to the goroutine it waits for.
func untilWaiting(lim *rate.Limiter) {
	for lim.Tokens() >= 0 {
		runtime.Gosched()
	}
}

func TestAnAttemptEndedWhileWaitingForTheRateLimitIsNoAttempt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		handlers []http.HandlerFunc
		// deadline gives the call a deadline that the next token would
		// outlast; without it, the call is canceled during its wait.
		deadline  bool
		wantSent  int64
		want      Outcome
		wantIsErr error
	}{
		{name: "canceled before the first attempt", handlers: []http.HandlerFunc{status(200)},
			want: Outcome{}, wantIsErr: context.Canceled},
		{name: "canceled before the retry of a 429", handlers: []http.HandlerFunc{status(429, "Retry-After", "0")},
			wantSent: 1, want: Outcome{Attempts: 1}, wantIsErr: context.Canceled},
		{name: "the first token comes after the deadline", handlers: []http.HandlerFunc{status(200)}, deadline: true,
			want: Outcome{}, wantIsErr: context.DeadlineExceeded},
		{name: "the retry's token comes after the deadline", handlers: []http.HandlerFunc{status(429, "Retry-After", "0")}, deadline: true,
			wantSent: 1, want: Outcome{Attempts: 1}, wantIsErr: context.DeadlineExceeded},
		{name: "the retry of a 500 that may have applied", handlers: []http.HandlerFunc{status(500)}, deadline: true,
			wantSent: 1, want: Outcome{Attempts: 1, LastMayHaveApplied: true, MayHaveActed: true}, wantIsErr: context.DeadlineExceeded},
	}
	for _, tt := range tests {
		for _, policy := range []Policy{Idempotent, NotIdempotent} {
			if policy == NotIdempotent && tt.want.LastMayHaveApplied {
				continue // a 500 is not retried for a call that must not run twice
			}
			t.Run(tt.name+policyName(policy), func(t *testing.T) {
				t.Parallel()
				s := newServer(t, tt.handlers...)
				lim := rate.NewLimiter(0.001, 1) // one token, then one every 1000 s
				tr := New(Config{MaxRetries: 1, WaitMin: time.Millisecond, WaitMax: 5 * time.Millisecond, RateLimit: lim})
				if tt.wantSent == 0 {
					require.True(t, lim.Allow(), "the only token is gone before the call")
				}
				ctx, cancel := context.WithCancel(context.Background())
				if tt.deadline {
					ctx, cancel = context.WithTimeout(context.Background(), time.Minute)
				}
				defer cancel()
				type result struct {
					resp *http.Response
					out  Outcome
					err  error
				}
				done := make(chan result, 1)
				go func() {
					resp, out, err := tr.Send(ctx, Call{Method: http.MethodPost, URL: s.URL, Body: []byte(`{}`), Policy: policy})
					done <- result{resp, out, err}
				}()
				if !tt.deadline {
					untilWaiting(lim)
					cancel()
				}
				r := <-done
				assert.Nil(t, r.resp)
				assert.ErrorIs(t, r.err, tt.wantIsErr)
				assert.Equal(t, tt.want, r.out)
				assert.Equal(t, tt.wantSent, s.requests.Load())
			})
		}
	}
}

func policyName(p Policy) string {
	if p == NotIdempotent {
		return ", not idempotent"
	}
	return ""
}

// countingLimiter is a Limiter that counts its waits and returns, from the
// wait numbered failFrom (1-based) on, the error fail makes of the context;
// failFrom 0 never fails.
type countingLimiter struct {
	waits    atomic.Int64
	failFrom int64
	fail     func(ctx context.Context) error
}

func (l *countingLimiter) Wait(ctx context.Context) error {
	if n := l.waits.Add(1); l.failFrom > 0 && n >= l.failFrom {
		return l.fail(ctx)
	}
	return nil
}

func TestEveryAttemptWaitsOnTheLimiter(t *testing.T) {
	t.Parallel()
	s := newServer(t, status(503), status(503), status(200))
	lim := &countingLimiter{}
	tr := New(Config{MaxRetries: 3, WaitMin: time.Millisecond, WaitMax: time.Millisecond, RateLimit: lim})
	resp, out, err := tr.Send(context.Background(), Call{Method: http.MethodGet, URL: s.URL, Policy: Idempotent})
	require.NoError(t, err)
	CloseBody(resp.Body, false)
	assert.Equal(t, 3, out.Attempts)
	assert.EqualValues(t, 3, lim.waits.Load(), "one wait per attempt, retries included")
	assert.EqualValues(t, 3, s.requests.Load())
}

func TestALimiterErrorSendsNothing(t *testing.T) {
	t.Parallel()
	errRedisDown := errors.New("redis: connection refused")
	tests := []struct {
		name     string
		handlers []http.HandlerFunc
		failFrom int64
		// cancel cancels the context before the limiter answers, and the
		// limiter returns an error of its own that does not wrap it.
		cancel    bool
		wantSent  int64
		want      Outcome
		wantIsErr []error
	}{
		{name: "the first wait fails", handlers: []http.HandlerFunc{status(200)}, failFrom: 1,
			want: Outcome{}, wantIsErr: []error{errRedisDown}},
		{name: "the retry's wait fails after a 503", handlers: []http.HandlerFunc{status(503)}, failFrom: 2,
			wantSent: 1, want: Outcome{Attempts: 1, MayHaveActed: true}, wantIsErr: []error{errRedisDown}},
		{name: "the retry's wait fails after a 500 that may have applied", handlers: []http.HandlerFunc{status(500)}, failFrom: 2,
			wantSent: 1, want: Outcome{Attempts: 1, LastMayHaveApplied: true, MayHaveActed: true}, wantIsErr: []error{errRedisDown}},
		{name: "the context ends during the wait", handlers: []http.HandlerFunc{status(200)}, failFrom: 1, cancel: true,
			want: Outcome{}, wantIsErr: []error{errRedisDown, context.Canceled}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newServer(t, tt.handlers...)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			lim := &countingLimiter{failFrom: tt.failFrom, fail: func(context.Context) error {
				if tt.cancel {
					cancel()
				}
				return errRedisDown
			}}
			tr := New(Config{MaxRetries: 2, WaitMin: time.Millisecond, WaitMax: time.Millisecond, RateLimit: lim})
			resp, out, err := tr.Send(ctx, Call{Method: http.MethodGet, URL: s.URL, Policy: Idempotent})
			assert.Nil(t, resp)
			for _, want := range tt.wantIsErr {
				assert.ErrorIs(t, err, want)
			}
			assert.Equal(t, tt.want, out, "a refused wait is no attempt, and leaves the record of the ones before")
			assert.Equal(t, tt.wantSent, s.requests.Load())
			assert.Equal(t, tt.failFrom, lim.waits.Load(), "no retry after a refused wait")
		})
	}
}

func TestALimiterErrorWrapsTheContextsError(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	errOwn := errors.New("limiter: gave up")
	err := waitForLimiter(ctx, &countingLimiter{failFrom: 1, fail: func(context.Context) error { return errOwn }})
	assert.ErrorIs(t, err, errOwn)
	assert.ErrorIs(t, err, context.Canceled, "the context had ended: errors.Is finds it though the limiter did not wrap it")
	assert.Equal(t, "waiting for the client's rate limiter: limiter: gave up", err.Error())

	err = waitForLimiter(ctx, &countingLimiter{failFrom: 1, fail: func(ctx context.Context) error { return ctx.Err() }})
	assert.ErrorIs(t, err, context.Canceled)
	assert.Len(t, err.(*limiterError).Unwrap(), 1, "a limiter that wrapped the context's error is not wrapped twice")

	assert.NoError(t, waitForLimiter(context.Background(), &countingLimiter{}))
}

func TestARateLimiterIsWaitedOnWithItsDeadlineCheck(t *testing.T) {
	t.Parallel()
	lim := rate.NewLimiter(0.001, 1)
	require.True(t, lim.Allow())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := waitForLimiter(ctx, lim)
	var rateWait *rateWaitError
	assert.ErrorAs(t, err, &rateWait, "a *rate.Limiter fails at once with the SDK's own error")
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}
