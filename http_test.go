package applivery

// A Client over real HTTP: its retries, waits, deadlines, connection
// failures, redirects, pooling, goroutines and logging, as a user meets them.
// internal/transport has the unit tests of the machinery underneath.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testServer is an httptest server with a connection counter, whose error
// log is discarded (so that tests of the SDK's silence hear only the SDK).
type testServer struct {
	*httptest.Server
	requests atomic.Int32 // requests that reached the handler
	newConns atomic.Int32 // TCP connections accepted
}

func newTestServer(t *testing.T, h http.HandlerFunc) *testServer {
	t.Helper()
	return startTestServer(t, h, false)
}

func startTestServer(t *testing.T, h http.HandlerFunc, useTLS bool) *testServer {
	t.Helper()
	s := &testServer{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		h(w, r)
	}))
	s.Config.ErrorLog = log.New(io.Discard, "", 0)
	s.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			s.newConns.Add(1)
		}
	}
	if useTLS {
		s.StartTLS()
	} else {
		s.Start()
	}
	t.Cleanup(s.Close)
	return s
}

// newServerClient returns a client of s with millisecond retry waits.
func newServerClient(t *testing.T, s *testServer, opts ...Option) *Client {
	t.Helper()
	opts = append([]Option{WithBaseURL(s.URL + "/v1"), WithRetryWait(time.Millisecond, 5*time.Millisecond)}, opts...)
	c, err := NewClient(testKey, opts...)
	require.NoError(t, err)
	t.Cleanup(c.CloseIdleConnections)
	return c
}

func cancelCall(ctx context.Context, c *Client) (*Command, error) {
	return c.AndroidCommands.Cancel(ctx, validOrg, validDevice, validCommand)
}

// withGuard runs f and fails the test if it has not returned within limit:
// the calls under test must not hang, whatever the server does.
func withGuard(t *testing.T, limit time.Duration, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-time.After(limit):
		t.Fatalf("call still running after %v", limit)
	}
}

// silent is a handler that never answers in time: it returns when the client
// gives up on the request, or after 15 s (longer than withGuard waits), so that
// a regression fails its test instead of hanging in the server's Close.
func silent(_ http.ResponseWriter, r *http.Request) {
	// Until the body is read, the server does not watch the connection, and
	// would not see the client give up.
	_, _ = io.Copy(io.Discard, r.Body)
	select {
	case <-r.Context().Done():
	case <-time.After(15 * time.Second):
	}
}

func writeEnvelopeError(w http.ResponseWriter, status, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"status":false,"error":{"code":%d,"message":%q}}`, code, msg)
}

func writeSuccess(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, documentedCancelResponse)
}

// dropConnection closes the connection without an answer; with reset, it
// sends a TCP RST instead of a FIN.
func dropConnection(w http.ResponseWriter, reset bool) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	if tcp, ok := conn.(*net.TCPConn); ok && reset {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}

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

// refusingClient returns a client of a loopback port where nothing listens,
// with 2 retries a millisecond apart.
func refusingClient(t *testing.T) *Client {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	c, err := NewClient(testKey, WithBaseURL("http://"+addr+"/v1"), WithRetryWait(time.Millisecond, time.Millisecond), WithMaxRetries(2))
	require.NoError(t, err)
	return c
}

func TestConnectionRefusedIsRetriedThenReported(t *testing.T) {
	t.Parallel()
	_, err := cancelCall(context.Background(), refusingClient(t))
	assert.ErrorIs(t, err, syscall.ECONNREFUSED)
	assert.Contains(t, err.Error(), "(3 attempts)")
	var apiErr *APIError
	assert.False(t, errors.As(err, &apiErr))
}

func TestTLSVerificationFailureIsNotRetried(t *testing.T) {
	t.Parallel()
	s := startTestServer(t, func(w http.ResponseWriter, _ *http.Request) { writeSuccess(w) }, true)

	c, err := NewClient(testKey, WithBaseURL(s.URL+"/v1"), WithRetryWait(time.Millisecond, time.Millisecond))
	require.NoError(t, err)
	_, err = cancelCall(context.Background(), c)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "certificate")
	assert.Contains(t, err.Error(), "(1 attempt)")
	assert.EqualValues(t, 1, s.newConns.Load(), "one connection, no retry")
	assert.Zero(t, s.requests.Load())
}

func TestRedirectsAreNotFollowed(t *testing.T) {
	t.Parallel()
	for _, status := range []int{301, 302, 303, 307, 308} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			t.Parallel()
			elsewhere := newTestServer(t, func(w http.ResponseWriter, _ *http.Request) { writeSuccess(w) })
			s := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, elsewhere.URL+r.URL.Path, status)
			})
			c := newServerClient(t, s)
			_, err := cancelCall(context.Background(), c)
			apiErr := requireAPIError(t, err)
			assert.Equal(t, status, apiErr.StatusCode)
			assert.Equal(t, 1, apiErr.Attempts)
			assert.Zero(t, elsewhere.requests.Load(), "neither the key nor the POST may travel elsewhere")
		})
	}
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

func TestConnectionsAreReusedUnderConcurrency(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, func(w http.ResponseWriter, _ *http.Request) { writeSuccess(w) })
	c := newServerClient(t, s)
	const callers = 64
	run := func(calls int) {
		var wg sync.WaitGroup
		for range callers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range calls {
					_, err := cancelCall(context.Background(), c)
					assert.NoError(t, err)
				}
			}()
		}
		wg.Wait()
	}
	// Warm-up: connections go back to the pool on net/http's read loop, a
	// little after the call returns, so the pool settles a few connections
	// above 64 before it stops growing.
	run(20)
	warm := s.newConns.Load()
	run(20)
	assert.EqualValues(t, callers*40, s.requests.Load())
	// A pool smaller than the callers (go-retryablehttp's default keeps
	// GOMAXPROCS+1 idle connections) closes and reopens connections all along.
	assert.Equal(t, warm, s.newConns.Load(), "no new connection after warm-up (%d connections)", warm)
}

func TestAFailedCallDoesNotFlushThePool(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var arrived sync.WaitGroup
	arrived.Add(2)
	s := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.Contains(r.URL.Path, "/warm"):
			arrived.Done()
			<-release // hold both requests so that two connections open
			writeSuccess(w)
		case strings.Contains(r.URL.Path, "/devices/dropme/"):
			dropConnection(w, true)
		default:
			writeSuccess(w)
		}
	})
	c := newServerClient(t, s, WithMaxRetries(0))

	// Two concurrent calls leave two idle connections in the pool.
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := do[commandJSON](context.Background(), c.core, request{method: http.MethodGet, url: c.core.baseURL + "warm"})
			assert.NoError(t, err)
		}()
	}
	arrived.Wait()
	close(release)
	wg.Wait()
	require.EqualValues(t, 2, s.newConns.Load())

	// A call that fails for good: go-retryablehttp then calls
	// CloseIdleConnections, which would close the other idle connection.
	_, err := c.AndroidCommands.Cancel(context.Background(), validOrg, "dropme", validCommand)
	require.Error(t, err)

	_, err = cancelCall(context.Background(), c)
	require.NoError(t, err)
	assert.EqualValues(t, 2, s.newConns.Load(), "the next call must reuse the idle connection")
}

func TestNoGoroutineOutlivesACall(t *testing.T) {
	// Not parallel: it counts the process's goroutines.
	before := runtime.NumGoroutine()
	func() {
		var n atomic.Int32
		s := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
			switch n.Add(1) % 5 {
			case 0:
				writeSuccess(w)
			case 1:
				w.WriteHeader(http.StatusServiceUnavailable)
			case 2:
				dropConnection(w, true)
			case 3:
				silent(w, r) // an attempt timeout
			case 4:
				writeEnvelopeError(w, 404, 3001, "Entity not found")
			}
		})
		c := newServerClient(t, s, WithAttemptTimeout(20*time.Millisecond))
		var wg sync.WaitGroup
		for i := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ctx, cancel := context.WithTimeout(context.Background(), time.Duration(10+i*10)*time.Millisecond)
				defer cancel()
				_, _ = cancelCall(ctx, c)
				_, _ = cancelCall(context.Background(), c)
			}()
		}
		wg.Wait()
		c.CloseIdleConnections()
		s.Close()
	}()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if after := runtime.NumGoroutine(); after > before {
		buf := make([]byte, 1<<20)
		t.Fatalf("%d goroutines before, %d after:\n%s", before, after, buf[:runtime.Stack(buf, true)])
	}
}

func TestSilentWithoutALogger(t *testing.T) {
	// Not parallel: it swaps os.Stdout, os.Stderr and the log package's output.
	stdout, stderr := os.Stdout, os.Stderr
	rOut, wOut, err := os.Pipe()
	require.NoError(t, err)
	rErr, wErr, err := os.Pipe()
	require.NoError(t, err)
	var logged strings.Builder
	os.Stdout, os.Stderr = wOut, wErr
	log.SetOutput(&logged)
	restore := func() {
		os.Stdout, os.Stderr = stdout, stderr
		log.SetOutput(os.Stderr)
	}
	defer restore()

	var n atomic.Int32
	s := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch n.Add(1) {
		case 1:
			w.WriteHeader(http.StatusServiceUnavailable)
		case 2:
			dropConnection(w, true)
		case 3:
			silent(w, r)
		case 4:
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
		default:
			writeEnvelopeError(w, 404, 3001, "Entity not found")
		}
	})
	c := newServerClient(t, s, WithAttemptTimeout(20*time.Millisecond))
	for range 3 {
		_, _ = cancelCall(context.Background(), c)
	}
	_, _ = cancelCall(context.Background(), refusingClient(t))

	restore()
	require.NoError(t, wOut.Close())
	require.NoError(t, wErr.Close())
	out, _ := io.ReadAll(rOut)
	errOut, _ := io.ReadAll(rErr)
	assert.Empty(t, string(out), "stdout")
	assert.Empty(t, string(errOut), "stderr")
	assert.Empty(t, logged.String(), "log package")
	assert.GreaterOrEqual(t, n.Load(), int32(5))
}

func TestLoggerRecordsAttemptsAndRetryDecisions(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	s := newTestServer(t, func(w http.ResponseWriter, _ *http.Request) {
		if n.Add(1) <= 2 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		writeSuccess(w)
	})
	rec := &recorder{}
	var text strings.Builder
	c := newServerClient(t, s, WithLogger(slog.New(teeHandler{rec, slog.NewJSONHandler(&syncWriter{w: &text}, &slog.HandlerOptions{Level: slog.LevelDebug})})))
	_, err := cancelCall(context.Background(), c)
	require.NoError(t, err)

	path := "/v1" + cancelPath
	want := []struct {
		level   slog.Level
		msg     string
		attempt int64
		status  int64
	}{
		{slog.LevelDebug, "applivery: attempt", 1, 503},
		{slog.LevelWarn, "applivery: retrying", 1, 503},
		{slog.LevelDebug, "applivery: attempt", 2, 503},
		{slog.LevelWarn, "applivery: retrying", 2, 503},
		{slog.LevelDebug, "applivery: attempt", 3, 200},
	}
	records := rec.all()
	require.Len(t, records, len(want))
	for i, w := range want {
		r := records[i]
		assert.Equal(t, w.level, r.level, "record %d", i)
		assert.Equal(t, w.msg, r.msg, "record %d", i)
		assert.Equal(t, "POST", r.attrs["method"], "record %d", i)
		assert.Equal(t, path, r.attrs["path"], "record %d", i)
		assert.Equal(t, w.attempt, r.attrs["attempt"], "record %d", i)
		assert.Equal(t, w.status, r.attrs["status"], "record %d", i)
		if w.msg == "applivery: retrying" {
			wait, ok := r.attrs["wait"].(time.Duration)
			assert.True(t, ok && wait >= time.Millisecond && wait <= 5*time.Millisecond, "wait %v", r.attrs["wait"])
		}
	}
	assert.NotContains(t, text.String(), testKey)
	assert.NotContains(t, text.String(), "Bearer")
}

func TestLoggerRecordsGivingUpAndErrors(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, func(w http.ResponseWriter, _ *http.Request) { dropConnection(w, true) })
	rec := &recorder{}
	c := newServerClient(t, s, WithLogger(slog.New(rec)), WithMaxRetries(1))
	_, err := cancelCall(context.Background(), c)
	require.Error(t, err)
	giveUp := rec.find("applivery: not retrying: no retries left")
	require.NotNil(t, giveUp)
	assert.EqualValues(t, 2, giveUp["attempt"])
	assert.NotEmpty(t, giveUp["error"])
	for _, r := range rec.all() {
		assert.Less(t, r.level, slog.LevelError, "a retried failure is not an error record: %s", r.msg)
	}
}

// recorder is a slog.Handler that keeps every record.
type recorder struct {
	mu      sync.Mutex
	records []record
}

type record struct {
	level slog.Level
	msg   string
	attrs map[string]any
}

func (r *recorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *recorder) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *recorder) WithGroup(string) slog.Handler            { return r }

func (r *recorder) Handle(_ context.Context, rec slog.Record) error {
	attrs := map[string]any{}
	rec.Attrs(func(a slog.Attr) bool { attrs[a.Key] = a.Value.Any(); return true })
	r.mu.Lock()
	r.records = append(r.records, record{rec.Level, rec.Message, attrs})
	r.mu.Unlock()
	return nil
}

func (r *recorder) all() []record {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]record(nil), r.records...)
}

// find returns the attributes of the first record with message msg.
func (r *recorder) find(msg string) map[string]any {
	for _, rec := range r.all() {
		if rec.msg == msg {
			return rec.attrs
		}
	}
	return nil
}

// teeHandler sends each record to two handlers.
type teeHandler struct{ a, b slog.Handler }

func (t teeHandler) Enabled(ctx context.Context, l slog.Level) bool { return t.a.Enabled(ctx, l) }
func (t teeHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return teeHandler{t.a.WithAttrs(as), t.b.WithAttrs(as)}
}
func (t teeHandler) WithGroup(g string) slog.Handler {
	return teeHandler{t.a.WithGroup(g), t.b.WithGroup(g)}
}
func (t teeHandler) Handle(ctx context.Context, r slog.Record) error {
	return errors.Join(t.a.Handle(ctx, r), t.b.Handle(ctx, r.Clone()))
}

type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func TestEveryResponseBodyIsClosed(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	s := newTestServer(t, func(w http.ResponseWriter, _ *http.Request) {
		switch n.Add(1) % 7 {
		case 0:
			writeSuccess(w)
		case 1:
			w.WriteHeader(http.StatusServiceUnavailable) // retried
		case 2:
			writeEnvelopeError(w, 404, 3001, "Entity not found")
		case 3:
			_, _ = io.WriteString(w, "{ not json")
		case 4:
			_, _ = io.WriteString(w, `{"status":true,"data":{}}`+strings.Repeat(" ", 256<<10))
		case 5:
			w.WriteHeader(http.StatusBadGateway)
			_, _ = io.WriteString(w, strings.Repeat("<html>", 100<<10))
		case 6:
			w.Header().Set("Location", "/elsewhere")
			w.WriteHeader(http.StatusFound)
		}
	})
	bodies := &bodyCounter{base: http.DefaultTransport}
	c := newServerClient(t, s, WithHTTPClient(&http.Client{Transport: bodies}), WithMaxRetries(1))
	c.core.maxBody = 128 << 10 // the 256 KiB body is too large
	for range 21 {
		_, _ = cancelCall(context.Background(), c)
	}
	opened, closed := bodies.opened.Load(), bodies.closed.Load()
	assert.Positive(t, opened)
	assert.Equal(t, opened, closed, "every response body must be closed")
}

// bodyCounter counts the response bodies its transport hands out and closes.
type bodyCounter struct {
	base           http.RoundTripper
	opened, closed atomic.Int32
}

func (b *bodyCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := b.base.RoundTrip(r)
	if err == nil {
		b.opened.Add(1)
		resp.Body = &countingBody{ReadCloser: resp.Body, closed: &b.closed}
	}
	return resp, err
}

type countingBody struct {
	io.ReadCloser
	once   sync.Once
	closed *atomic.Int32
}

func (c *countingBody) Close() error {
	c.once.Do(func() { c.closed.Add(1) })
	return c.ReadCloser.Close()
}
