package transport

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// server answers each request with the next of its handlers (the last one
// for the rest), and counts requests and new connections.
type server struct {
	*httptest.Server
	requests, conns atomic.Int64
}

func newServer(t *testing.T, handlers ...http.HandlerFunc) *server {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(s.requests.Add(1))
		handlers[min(n, len(handlers))-1](w, r)
	}))
	s.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			s.conns.Add(1)
		}
	}
	s.Start()
	t.Cleanup(s.Close)
	return s
}

func status(code int, header ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(code)
	}
}

// drop closes the connection without an answer, once the request is read.
func drop(w http.ResponseWriter, _ *http.Request) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	_ = conn.Close()
}

func newTransport(maxRetries int) *Transport {
	return New(Config{MaxRetries: maxRetries, WaitMin: time.Millisecond, WaitMax: 5 * time.Millisecond, AttemptTimeout: 5 * time.Second})
}

// do sends one call and closes the answer's body, returning its status (0
// for none).
func do(t *testing.T, tr *Transport, url string, policy Policy) (int, Outcome, error) {
	t.Helper()
	resp, out, err := tr.Send(context.Background(), Call{Method: http.MethodPost, URL: url, Body: []byte(`{}`), Policy: policy})
	if err != nil {
		require.Nil(t, resp)
		return 0, out, err
	}
	CloseBody(resp.Body, false)
	return resp.StatusCode, out, nil
}

func TestOutcome(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		policy     Policy
		handlers   []http.HandlerFunc
		wantStatus int
		want       Outcome
	}{
		{"200", Idempotent, []http.HandlerFunc{status(200)}, 200, Outcome{Attempts: 1, MayHaveActed: true}},
		{"404 is an answer", Idempotent, []http.HandlerFunc{status(404)}, 404, Outcome{Attempts: 1}},
		{"500 then 200", Idempotent, []http.HandlerFunc{status(500), status(200)}, 200,
			Outcome{Attempts: 2, EarlierMayHaveApplied: true, MayHaveActed: true}},
		{"503 then 200: a 503 did not apply", Idempotent, []http.HandlerFunc{status(503), status(200)}, 200,
			Outcome{Attempts: 2, MayHaveActed: true}},
		{"429 then 400", NotIdempotent, []http.HandlerFunc{status(429), status(400)}, 400, Outcome{Attempts: 2}},
		{"503 is not retried for a call that must not run twice", NotIdempotent, []http.HandlerFunc{status(503)}, 503,
			Outcome{Attempts: 1, MayHaveActed: true}},
		{"502, last", NotIdempotent, []http.HandlerFunc{status(502)}, 502,
			Outcome{Attempts: 1, LastMayHaveApplied: true, MayHaveActed: true}},
		{"501 says nothing was done", Idempotent, []http.HandlerFunc{status(501)}, 501, Outcome{Attempts: 1}},
		{"lost answer", NotIdempotent, []http.HandlerFunc{drop}, 0, Outcome{Attempts: 1, LastMayHaveApplied: true, MayHaveActed: true}},
		{"Retry-After of the last answer", NotIdempotent, []http.HandlerFunc{status(429, "Retry-After", "0"), status(429, "Retry-After", "3600")}, 429,
			Outcome{Attempts: 2, RetryAfter: time.Hour}},
		{"no Retry-After on a success", Idempotent, []http.HandlerFunc{status(200, "Retry-After", "7")}, 200,
			Outcome{Attempts: 1, MayHaveActed: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newServer(t, tt.handlers...)
			code, out, err := do(t, newTransport(3), s.URL, tt.policy)
			if tt.wantStatus == 0 {
				require.Error(t, err)
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tt.wantStatus, code)
			assert.Equal(t, tt.want, out)
		})
	}
}

func TestAConnectionNeverMadeIsRetriedForAnyPolicy(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	url := "http://" + l.Addr().String()
	require.NoError(t, l.Close())
	for _, policy := range []Policy{Idempotent, NotIdempotent} {
		_, out, err := do(t, newTransport(2), url, policy)
		assert.ErrorIs(t, err, syscall.ECONNREFUSED)
		assert.Equal(t, Outcome{Attempts: 3}, out, "nothing reached a server")
	}
}

func TestRetriedAnswersAreDrainedSoTheirConnectionIsKept(t *testing.T) {
	t.Parallel()
	for _, size := range []int{4 << 10, 6 << 10, maxDrain - 1} {
		t.Run(strconv.Itoa(size), func(t *testing.T) {
			t.Parallel()
			page := strings.Repeat("x", size)
			var n atomic.Int64
			s := newServer(t, func(w http.ResponseWriter, _ *http.Request) {
				if n.Add(1)%2 == 1 {
					w.WriteHeader(http.StatusServiceUnavailable)
					_, _ = io.WriteString(w, page)
					return
				}
				w.WriteHeader(http.StatusOK)
			})
			tr := newTransport(1)
			for range 20 {
				code, _, err := do(t, tr, s.URL, Idempotent)
				require.NoError(t, err)
				require.Equal(t, 200, code)
			}
			assert.EqualValues(t, 1, s.conns.Load(), "one connection for 20 calls that each met a %d-byte 503", size)
		})
	}
}

func TestCloseBody(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		size     int
		atEOF    bool
		wantRead int
	}{
		{"small rest", 100, false, 100},
		{"rest over the drain limit", maxDrain + 10, false, maxDrain},
		{"already at its end", 100, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			body := &countingBody{r: strings.NewReader(strings.Repeat("x", tt.size))}
			CloseBody(body, tt.atEOF)
			assert.Equal(t, tt.wantRead, body.read)
			assert.True(t, body.closed)
		})
	}
}

type countingBody struct {
	r      io.Reader
	read   int
	closed bool
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.read += n
	return n, err
}

func (b *countingBody) Close() error { b.closed = true; return nil }
