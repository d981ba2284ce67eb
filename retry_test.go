package applivery

// A Client over real HTTP, as a user meets it: which failed attempts it
// retries, how long it waits first, and when it gives up. internal/transport
// has the unit tests of the machinery underneath.

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRetriesRetryableStatusesAndReturnsTheLastAnswer(t *testing.T) {
	t.Parallel()
	for _, status := range []int{429, 500, 502, 503, 504} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			t.Parallel()
			var n atomic.Int32
			s := newTestServer(t, func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("X-Request-Id", fmt.Sprintf("req-%d", n.Add(1)))
				writeEnvelopeError(w, status, 5000+int(n.Load()), fmt.Sprintf("attempt %d", n.Load()))
			})
			c := newServerClient(t, s, WithMaxRetries(2))

			_, err := cancelCall(context.Background(), c)
			apiErr := requireAPIError(t, err, "never go-retryablehttp's giving up error: %v", err)
			assert.Equal(t, status, apiErr.StatusCode)
			assert.Equal(t, 3, apiErr.Attempts)
			assert.Equal(t, ErrorCode(5003), apiErr.Code)
			assert.Equal(t, "attempt 3", apiErr.Message)
			assert.Equal(t, "req-3", apiErr.RequestID)
			assert.Contains(t, string(apiErr.Body), `"attempt 3"`)
			assert.NotContains(t, err.Error(), "giving up")
			assert.EqualValues(t, 3, s.requests.Load())
		})
	}
}

func TestDoesNotRetryOtherStatuses(t *testing.T) {
	t.Parallel()
	for _, status := range []int{400, 401, 403, 404, 405, 408, 409, 422, 501, 505} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			t.Parallel()
			s := newTestServer(t, func(w http.ResponseWriter, _ *http.Request) {
				writeEnvelopeError(w, status, 1, "no")
			})
			c := newServerClient(t, s)
			_, err := cancelCall(context.Background(), c)
			apiErr := requireAPIError(t, err)
			assert.Equal(t, status, apiErr.StatusCode)
			assert.Equal(t, 1, apiErr.Attempts)
			assert.EqualValues(t, 1, s.requests.Load())
		})
	}
}

func TestRecoversAfterTwoFailedAttempts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		fail func(http.ResponseWriter)
	}{
		{"503", func(w http.ResponseWriter) { w.WriteHeader(http.StatusServiceUnavailable) }},
		{"500 with an envelope", func(w http.ResponseWriter) { writeEnvelopeError(w, 500, 1, "oops") }},
		{"connection closed", func(w http.ResponseWriter) { dropConnection(w, false) }},
		{"connection reset", func(w http.ResponseWriter) { dropConnection(w, true) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var n atomic.Int32
			s := newTestServer(t, func(w http.ResponseWriter, _ *http.Request) {
				if n.Add(1) <= 2 {
					tt.fail(w)
					return
				}
				writeSuccess(w)
			})
			c := newServerClient(t, s)
			cmd, err := cancelCall(context.Background(), c)
			require.NoError(t, err)
			assert.Equal(t, validCommand, cmd.ID)
			assert.EqualValues(t, 3, n.Load())
		})
	}
}

func TestMaxRetriesOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		opts         []Option
		wantAttempts int
	}{
		{"default is 3 retries", nil, 4},
		{"zero disables retries", []Option{WithMaxRetries(0)}, 1},
		{"later option wins", []Option{WithMaxRetries(0), WithMaxRetries(2)}, 3},
		{"later wait wins", []Option{WithRetryWait(time.Hour, time.Hour), WithRetryWait(time.Millisecond, time.Millisecond)}, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newTestServer(t, func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(500) })
			c := newServerClient(t, s, tt.opts...)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_, err := cancelCall(ctx, c)
			apiErr := requireAPIError(t, err)
			assert.Equal(t, tt.wantAttempts, apiErr.Attempts)
			assert.EqualValues(t, tt.wantAttempts, s.requests.Load())
		})
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		header  func() string
		minWait time.Duration
	}{
		{"seconds", func() string { return "1" }, 900 * time.Millisecond},
		{"http date", func() string { return time.Now().Add(2 * time.Second).UTC().Format(http.TimeFormat) }, 900 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var n atomic.Int32
			s := newTestServer(t, func(w http.ResponseWriter, _ *http.Request) {
				if n.Add(1) == 1 {
					w.Header().Set("Retry-After", tt.header())
					w.WriteHeader(http.StatusTooManyRequests)
					return
				}
				writeSuccess(w)
			})
			rec := &recorder{}
			c := newServerClient(t, s, WithLogger(slog.New(rec)), WithRetryWait(time.Millisecond, 5*time.Second))
			start := time.Now()
			_, err := cancelCall(context.Background(), c)
			require.NoError(t, err)
			assert.GreaterOrEqual(t, time.Since(start), tt.minWait, "the wait must follow Retry-After, not the 1 ms backoff")
			retry := rec.find("applivery: retrying")
			require.NotNil(t, retry)
			assert.GreaterOrEqual(t, retry["wait"], tt.minWait)
		})
	}
}

func TestRetryAfterZeroWaitsTheMinimum(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	s := newTestServer(t, func(w http.ResponseWriter, _ *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		writeSuccess(w)
	})
	rec := &recorder{}
	c := newServerClient(t, s, WithLogger(slog.New(rec)), WithRetryWait(20*time.Millisecond, time.Second))
	_, err := cancelCall(context.Background(), c)
	require.NoError(t, err)
	assert.Equal(t, 20*time.Millisecond, rec.find("applivery: retrying")["wait"])
}

func TestRetryAfterBeyondTheCapReturnsAtOnce(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "3600")
		writeEnvelopeError(w, http.StatusTooManyRequests, 0, "slow down")
	})
	rec := &recorder{}
	c := newServerClient(t, s, WithLogger(slog.New(rec)), WithRetryWait(time.Millisecond, 10*time.Second))
	withGuard(t, 10*time.Second, func() {
		_, err := cancelCall(context.Background(), c)
		apiErr := requireAPIError(t, err)
		assert.Equal(t, time.Hour, apiErr.RetryAfter)
		assert.Equal(t, 1, apiErr.Attempts)
		assert.ErrorIs(t, err, ErrRateLimited)
	})
	assert.EqualValues(t, 1, s.requests.Load(), "no early retry")
	assert.NotNil(t, rec.find("applivery: not retrying: Retry-After is longer than the maximum wait"))
}

func TestRetryAfterPastTheDeadlineReturnsAtOnce(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "5")
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	c := newServerClient(t, s, WithRetryWait(time.Millisecond, 10*time.Second))
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_, err := cancelCall(ctx, c)
	apiErr := requireAPIError(t, err, "the *APIError, not the context's error")
	assert.Equal(t, 5*time.Second, apiErr.RetryAfter)
	assert.Equal(t, 1, apiErr.Attempts)
	assert.NoError(t, ctx.Err(), "returned before the deadline, without sleeping")
	assert.EqualValues(t, 1, s.requests.Load())
}

func TestBackoffPastTheDeadlineReturnsAtOnce(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusBadGateway) })
	c := newServerClient(t, s, WithRetryWait(5*time.Second, 10*time.Second))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, err := cancelCall(ctx, c)
	apiErr := requireAPIError(t, err)
	assert.Equal(t, http.StatusBadGateway, apiErr.StatusCode)
	assert.NoError(t, ctx.Err())
}
