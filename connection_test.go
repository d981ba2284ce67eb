package applivery

// A Client over real HTTP, as a user meets it: connection failures, TLS,
// redirects, the connection pool, goroutines and response bodies.
// internal/transport has the unit tests of the machinery underneath.

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
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
