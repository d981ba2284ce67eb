package applivery

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"
)

func TestRateLimitIsSharedByEveryCall(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, func(w http.ResponseWriter, _ *http.Request) { writeSuccess(w) })
	// Three tokens at once, then one every 1000 s: the fourth call and on
	// would wait far past their deadline.
	c := newServerClient(t, s, WithRateLimit(0.001, 3))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var ok, refused atomic.Int32
	var wg sync.WaitGroup
	for range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := cancelCall(ctx, c)
			switch {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, context.DeadlineExceeded):
				refused.Add(1)
				var apiErr *APIError
				assert.False(t, errors.As(err, &apiErr), "nothing was sent")
				assert.Contains(t, err.Error(), "for the client's rate limit would outlast the context's deadline")
			default:
				t.Errorf("unexpected error: %v", err)
			}
		}()
	}
	wg.Wait()
	assert.EqualValues(t, 3, ok.Load())
	assert.EqualValues(t, 2, refused.Load())
	assert.EqualValues(t, 3, s.requests.Load())
	assert.NoError(t, ctx.Err(), "they returned at once, not at the deadline")
}

func TestRateLimitCountsRetries(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	s := newTestServer(t, func(w http.ResponseWriter, _ *http.Request) {
		if n.Add(1) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		writeSuccess(w)
	})
	c := newServerClient(t, s, WithRateLimit(0.001, 2))
	_, err := cancelCall(context.Background(), c)
	require.NoError(t, err, "the first attempt and its retry take the two tokens")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err = cancelCall(ctx, c)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.EqualValues(t, 2, s.requests.Load())
}

func TestRateLimitWaitEndsWithTheContext(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, func(w http.ResponseWriter, _ *http.Request) { writeSuccess(w) })
	c := newServerClient(t, s, WithRateLimit(0.001, 1))
	_, err := cancelCall(context.Background(), c)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel) // no deadline: it waits, until canceled
	_, err = cancelCall(ctx, c)
	assert.ErrorIs(t, err, context.Canceled)
	assert.EqualValues(t, 1, s.requests.Load())
}

func TestRateLimitOptionValidation(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		perSecond float64
		burst     int
		field     string
	}{
		{0, 1, "perSecond"}, {-1, 1, "perSecond"}, {math.NaN(), 1, "perSecond"}, {1, 0, "burst"},
	} {
		_, err := NewClient(testKey, WithRateLimit(tt.perSecond, tt.burst))
		var ve *ValidationError
		require.ErrorAs(t, err, &ve, "%v", tt)
		assert.Equal(t, tt.field, ve.Field)
	}
	for _, tt := range []struct {
		percent float64
		min     int
		field   string
	}{
		{-1, 0, "percent"}, {math.NaN(), 0, "percent"}, {20, -1, "minPerSecond"},
	} {
		_, err := NewClient(testKey, WithRetryBudget(tt.percent, tt.min))
		var ve *ValidationError
		require.ErrorAs(t, err, &ve, "%v", tt)
		assert.Equal(t, tt.field, ve.Field)
	}
	for _, opt := range []Option{WithRateLimit(math.Inf(1), 1), WithRetryBudget(math.Inf(1), 0), WithRetryBudget(0, 0), WithRetryBudget(500, 3)} {
		_, err := NewClient(testKey, opt)
		assert.NoError(t, err)
	}
}

func TestRetryBudgetBoundsAnOutage(t *testing.T) {
	t.Parallel()
	const calls = 200
	outage := func(opts ...Option) (attempts int64, logs string) {
		s := newTestServer(t, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusServiceUnavailable)
		})
		var buf syncWriter
		var b strings.Builder
		buf.w = &b
		c := newServerClient(t, s, append(opts, WithRetryWait(time.Microsecond, time.Microsecond),
			WithLogger(slog.New(slog.NewTextHandler(&buf, nil))))...)
		for range calls {
			_, err := cancelCall(context.Background(), c)
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr, "the server's answer, never a quota error")
			assert.Equal(t, http.StatusServiceUnavailable, apiErr.StatusCode)
		}
		buf.mu.Lock()
		defer buf.mu.Unlock()
		return int64(s.requests.Load()), b.String()
	}

	unbounded, _ := outage(WithRetryBudget(math.Inf(1), 0))
	assert.EqualValues(t, 4*calls, unbounded, "every call retries 3 times")

	bounded, logs := outage() // the default budget
	// 20 % of 200 first attempts, plus 10 a second over 10 s.
	assert.LessOrEqual(t, bounded, int64(calls+calls/5+100))
	assert.GreaterOrEqual(t, bounded, int64(calls+calls/5))
	assert.Contains(t, logs, "not retrying: the client's retry budget is spent")

	none, _ := outage(WithRetryBudget(0, 0))
	assert.EqualValues(t, calls, none)
	t.Logf("attempts for %d calls during an outage: %d without a budget, %d with the default one, %d with (0, 0)", calls, unbounded, bounded, none)
}

func TestRetryBudgetSpentLeavesTheLastErrorAsItWas(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("X-Request-Id", "req-1")
		writeEnvelopeError(w, http.StatusBadGateway, 0, "upstream failed")
	})
	c := newServerClient(t, s, WithRetryBudget(0, 0))
	_, err := cancelCall(context.Background(), c)
	apiErr := requireAPIError(t, err)
	assert.Equal(t, "upstream failed", apiErr.Message)
	assert.Equal(t, "req-1", apiErr.RequestID)
	assert.Equal(t, 1, apiErr.Attempts)
	assert.ErrorIs(t, err, ErrOutcomeUnknown, "a 502 that may have canceled, as without a budget")
	assert.NotContains(t, err.Error(), "budget")
}

func TestRetryBudgetAtTheExtremesStillRetries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		percent      float64
		minPerSecond int
	}{
		{"the largest reserve", 0, math.MaxInt},
		{"the largest share", math.MaxFloat64, 0},
		{"both", math.MaxFloat64, math.MaxInt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newTestServer(t, func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) })
			c := newServerClient(t, s, WithRetryBudget(tt.percent, tt.minPerSecond), WithMaxRetries(2))
			_, err := cancelCall(context.Background(), c)
			assert.Equal(t, 3, requireAPIError(t, err).Attempts, "every retry allowed")
		})
	}
}

func TestCreateCanceledWhileWaitingForTheRateLimitSentNothing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		first429   bool // the first attempt is a 429, and the retry waits
		wantSent   int32
		wantSuffix string
	}{
		{name: "before the first attempt", wantSent: 0, wantSuffix: ": context canceled"},
		{name: "before the retry of a 429", first429: true, wantSent: 1, wantSuffix: ": context canceled (1 attempt)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newTestServer(t, func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Retry-After", "0")
				writeEnvelopeError(w, http.StatusTooManyRequests, 0, "slow down")
			})
			lim := rate.NewLimiter(0.001, 1) // one token, then one every 1000 s
			if !tt.first429 {
				require.True(t, lim.Allow(), "the only token is gone before the call")
			}
			c := newServerClient(t, s, WithRateLimiter(lim))
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			go func() {
				_, err := c.AndroidCommands.Create(ctx, validOrg, validDevice, &CreateCommandRequest{Type: CommandTypeLock})
				done <- err
			}()
			for lim.Tokens() >= 0 { // until the call waits for the next token
				runtime.Gosched()
			}
			cancel()
			err := <-done
			assert.ErrorIs(t, err, context.Canceled)
			assert.NotErrorIs(t, err, ErrOutcomeUnknown, "nothing was sent that could have created a command")
			var apiErr *APIError
			assert.False(t, errors.As(err, &apiErr))
			assert.True(t, strings.HasSuffix(err.Error(), tt.wantSuffix), "%v", err)
			assert.Equal(t, tt.wantSent, s.requests.Load())
		})
	}
}

// countingLimiter is a RateLimiter that counts its waits; from the wait
// numbered failFrom (1-based, 0 for never) on, it returns what fail returns.
type countingLimiter struct {
	waits    atomic.Int32
	failFrom int32
	fail     func(ctx context.Context) error
}

func (l *countingLimiter) Wait(ctx context.Context) error {
	if n := l.waits.Add(1); l.failFrom > 0 && n >= l.failFrom {
		return l.fail(ctx)
	}
	return nil
}

func TestRateLimiterIsWaitedOnByEveryAttempt(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	s := newTestServer(t, func(w http.ResponseWriter, _ *http.Request) {
		if n.Add(1) <= 2 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		writeSuccess(w)
	})
	lim := &countingLimiter{}
	c := newServerClient(t, s, WithRateLimiter(lim))
	_, err := cancelCall(context.Background(), c)
	require.NoError(t, err)
	assert.EqualValues(t, 3, lim.waits.Load(), "the first attempt and both retries")
	assert.EqualValues(t, 3, s.requests.Load())
}

func TestRateLimiterErrorSendsNothing(t *testing.T) {
	t.Parallel()
	errDown := errors.New("shared limiter unreachable")
	tests := []struct {
		name     string
		first503 bool // the first attempt is answered 503, and the retry's wait fails
		cancel   bool // the context is canceled as the limiter fails
		call     func(context.Context, *Client) error
		wantIs   []error
		wantNot  []error
		wantSent int32
	}{
		{name: "Cancel: the limiter's own error", call: func(ctx context.Context, c *Client) error { _, err := cancelCall(ctx, c); return err },
			wantIs: []error{errDown}, wantNot: []error{ErrOutcomeUnknown, context.Canceled}},
		{name: "Cancel: the context ended during the wait", cancel: true,
			call:   func(ctx context.Context, c *Client) error { _, err := cancelCall(ctx, c); return err },
			wantIs: []error{errDown, context.Canceled}},
		{name: "Create: nothing sent, so nothing created", call: func(ctx context.Context, c *Client) error {
			_, err := c.AndroidCommands.Create(ctx, validOrg, validDevice, &CreateCommandRequest{Type: CommandTypeLock})
			return err
		}, wantIs: []error{errDown}, wantNot: []error{ErrOutcomeUnknown}},
		{name: "Move: the retry's wait fails after a 503, which did not move it", first503: true,
			call: func(ctx context.Context, c *Client) error {
				_, err := c.AndroidDevices.Move(ctx, validOrg, validDevice, 4)
				return err
			}, wantIs: []error{errDown}, wantNot: []error{ErrOutcomeUnknown}, wantSent: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newTestServer(t, func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) })
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			lim := &countingLimiter{failFrom: 1, fail: func(context.Context) error {
				if tt.cancel {
					cancel()
				}
				return errDown
			}}
			if tt.first503 {
				lim.failFrom = 2
			}
			c := newServerClient(t, s, WithRateLimiter(lim))
			err := tt.call(ctx, c)
			for _, want := range tt.wantIs {
				assert.ErrorIs(t, err, want)
			}
			for _, not := range tt.wantNot {
				assert.NotErrorIs(t, err, not)
			}
			assert.Contains(t, err.Error(), "waiting for the client's rate limiter")
			assert.Equal(t, tt.wantSent, s.requests.Load())
		})
	}
}

func TestRateLimiterErrorAfterAnAttemptThatMayHaveActedIsOutcomeUnknown(t *testing.T) {
	t.Parallel()
	// A Move answered 502 may have moved the device; the wait for its retry
	// fails. The failure of the call is not plain: the earlier attempt may
	// have acted.
	s := newTestServer(t, func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusBadGateway) })
	lim := &countingLimiter{failFrom: 2, fail: func(context.Context) error { return errors.New("limiter down") }}
	c := newServerClient(t, s, WithRateLimiter(lim))
	_, err := c.AndroidDevices.Move(context.Background(), validOrg, validDevice, 4)
	assert.ErrorIs(t, err, ErrOutcomeUnknown)
	assert.EqualValues(t, 1, s.requests.Load())
}

func TestWithRateLimiterLaterOptionWins(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, func(w http.ResponseWriter, _ *http.Request) { writeSuccess(w) })
	refuse := &countingLimiter{failFrom: 1, fail: func(context.Context) error { return errors.New("refused") }}
	tests := []struct {
		name      string
		opts      []Option
		wantError bool
	}{
		{name: "nil turns a limiter off", opts: []Option{WithRateLimiter(refuse), WithRateLimiter(nil)}},
		{name: "a nil *rate.Limiter turns it off", opts: []Option{WithRateLimiter(refuse), WithRateLimiter((*rate.Limiter)(nil))}},
		{name: "WithRateLimit after WithRateLimiter wins", opts: []Option{WithRateLimiter(refuse), WithRateLimit(1000, 10)}},
		{name: "WithRateLimiter after WithRateLimit wins", opts: []Option{WithRateLimit(1000, 10), WithRateLimiter(refuse)}, wantError: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newServerClient(t, s, tt.opts...)
			_, err := cancelCall(context.Background(), c)
			if tt.wantError {
				assert.ErrorContains(t, err, "refused")
			} else {
				assert.NoError(t, err)
			}
		})
	}
}

func TestWithRateLimiterTakesARateLimiterAsWithRateLimit(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, func(w http.ResponseWriter, _ *http.Request) { writeSuccess(w) })
	lim := rate.NewLimiter(0.001, 1)
	c := newServerClient(t, s, WithRateLimiter(lim))
	_, err := cancelCall(context.Background(), c)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err = cancelCall(ctx, c)
	assert.ErrorIs(t, err, context.DeadlineExceeded, "the next token is 1000 s away: it fails at once")
	assert.Contains(t, err.Error(), "for the client's rate limit would outlast the context's deadline")
	assert.NoError(t, ctx.Err())
	assert.EqualValues(t, 1, s.requests.Load())
}
