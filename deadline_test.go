package applivery

// A Client over real HTTP, as a user meets it: the caller's context and
// deadline, and the bound on each attempt. internal/transport has the unit
// tests of the machinery underneath.

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCancelDuringTheWaitEndsIt(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := newTestServer(t, func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
		go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	})
	c := newServerClient(t, s, WithRetryWait(time.Minute, time.Minute))
	withGuard(t, 10*time.Second, func() {
		_, err := cancelCall(ctx, c)
		assert.ErrorIs(t, err, context.Canceled)
		var apiErr *APIError
		assert.False(t, errors.As(err, &apiErr))
		assert.Contains(t, err.Error(), "(1 attempt)")
	})
	assert.EqualValues(t, 1, s.requests.Load())
}

func TestCallerDeadlineIsAContextError(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, silent)
	c := newServerClient(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := cancelCall(ctx, c)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "(1 attempt)", "the caller's deadline is not retried")
}

func TestContextAlreadyDoneSendsNothing(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, func(w http.ResponseWriter, _ *http.Request) { writeSuccess(w) })
	c := newServerClient(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := cancelCall(ctx, c)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, s.requests.Load())
}

// attemptTimeoutModes are the two ways the attempt bound works: the SDK's own
// transport (ResponseHeaderTimeout) and a transport of the caller's (a timer).
var attemptTimeoutModes = []struct {
	name string
	opts []Option
}{
	{"sdk transport", nil},
	{"caller's transport", []Option{WithHTTPClient(&http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()})}},
}

func TestAttemptTimeoutBoundsASilentServer(t *testing.T) {
	t.Parallel()
	for _, mode := range attemptTimeoutModes {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			s := newTestServer(t, silent)
			c := newServerClient(t, s, append(mode.opts, WithAttemptTimeout(50*time.Millisecond), WithMaxRetries(1))...)
			withGuard(t, 10*time.Second, func() {
				ctx := context.Background() // no deadline
				_, err := cancelCall(ctx, c)
				require.Error(t, err)
				var ne net.Error
				require.ErrorAs(t, err, &ne)
				assert.True(t, ne.Timeout())
				assert.NoError(t, ctx.Err())
				assert.Contains(t, err.Error(), "(2 attempts)", "an attempt that timed out is retried")
			})
		})
	}
}

func TestAttemptTimeoutDoesNotCutASlowBody(t *testing.T) {
	t.Parallel()
	for _, mode := range attemptTimeoutModes {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			s := newTestServer(t, func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(http.StatusOK)
				for _, part := range []string{documentedCancelResponse[:100], documentedCancelResponse[100:200], documentedCancelResponse[200:]} {
					_, _ = io.WriteString(w, part)
					w.(http.Flusher).Flush()
					time.Sleep(300 * time.Millisecond)
				}
			})
			c := newServerClient(t, s, append(mode.opts, WithAttemptTimeout(250*time.Millisecond), WithMaxRetries(0))...)
			cmd, err := cancelCall(context.Background(), c)
			require.NoError(t, err, "the response began in time; its body may take longer")
			assert.Equal(t, validCommand, cmd.ID)
		})
	}
}

func TestATighterDeadlineWins(t *testing.T) {
	t.Parallel()
	for _, mode := range attemptTimeoutModes {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			s := newTestServer(t, silent)
			c := newServerClient(t, s, append(mode.opts, WithAttemptTimeout(time.Hour))...)
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			_, err := cancelCall(ctx, c)
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			assert.ErrorIs(t, ctx.Err(), context.DeadlineExceeded, "the caller's deadline ended the call")
			assert.Contains(t, err.Error(), "(1 attempt)")
		})
	}
}
