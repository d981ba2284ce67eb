package transport

import (
	"context"
	"net/http"
	"runtime"
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
					resp, out, err := tr.Do(ctx, Request{Method: http.MethodPost, URL: s.URL, Body: []byte(`{}`), Policy: policy})
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
