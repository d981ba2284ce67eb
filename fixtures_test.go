package applivery

// Fixtures shared by the tests of the package: IDs, documented bodies, a
// client on an httpmock transport, a real HTTP test server and its
// handlers, and a log recorder.

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
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testKey = "sk_test_2f8b1c9d4e7a6f3b"

// IDs that match their patterns.
const (
	validOrg     = "507f1f77bcf86cd799439012"
	validDevice  = "507f1f77bcf86cd799439013"
	validCommand = "507f1f77bcf86cd799439011"
)

const cancelPath = "/organizations/" + validOrg + "/mdm/android/enterprise/devices/" + validDevice + "/commands/" + validCommand + "/cancel"

const (
	mockBase    = "https://api.example.test/prefix/v1"
	devicePathT = "/organizations/" + validOrg + "/mdm/android/enterprise/devices/" + validDevice + "/commands"
	commandURL  = mockBase + devicePathT + "/" + validCommand
	commandsURL = mockBase + devicePathT
)

// documentedCancelResponse is the 200 example of the cancel reference page,
// verbatim, malformed timestamps included.
const documentedCancelResponse = `{
    "status": true,
    "data": {
        "id": "507f1f77bcf86cd799439011",
        "organization": "507f1f77bcf86cd799439012",
        "emmEnterprise": "507f1f77bcf86cd799439013",
        "mdmUser": "507f1f77bcf86cd799439014",
        "status": "PENDING",
        "config": {
            "metadata": {
                "@type": "type.googleapis.com/google.apps.gmm.v1.Command",
                "type": "LOCK",
                "createTime": "2026-02-10T12: 00:00Z",
                "duration": "3600s",
                "userName": "[email protected]"
            },
            "done": true
        },
        "_config": {
            "name": "enterprises/LC04z6vydu/devices/123456789/operations/abc123",
            "metadata": {
                "type": "LOCK"
            }
        },
        "updatedAt": "2026-02-10T14: 30:00Z",
        "createdAt": "2026-02-10T12: 00:00Z"
    }
}`

// documentedRawConfig is the "_config" of that example, byte for byte.
const documentedRawConfig = `{
            "name": "enterprises/LC04z6vydu/devices/123456789/operations/abc123",
            "metadata": {
                "type": "LOCK"
            }
        }`

const (
	devicesURLT = mockBase + "/organizations/" + validOrg + "/mdm/android/enterprise/devices"
	// A device as the API sends it, with fields the SDK does not type and
	// spacing it must keep.
	sampleDevice = `{"id":"5f1e0c2a9b8d7e6f5a4b3c2d", "organization":"507f1f77bcf86cd799439012",
	  "emmEnterprise":"61a0b1c2d3e4f5a6b7c8d9e0","mdmUser":{"id":"60b7c8d9e0f1a2b3c4d5e6f7","email":"ana@acme.example"},
	  "deviceEmmPolicy":{"id":"62c1d2e3f4a5b6c7d8e9f0a1","name":"Kiosk","description":"Locked down","version":"7",
	    "config":{"kioskCustomLauncherEnabled":true,"applications":[{"packageName":"com.acme.pos"}]}},
	  "serialNumber":"R58M123","tags":["kiosk","berlin"],"segmentId":4,
	  "updatedAt":"2026-11-20T10:00:00.000Z","createdAt":"2026-01-02T03:04:05Z"}`
)

// newMockClient returns a client on a fresh httpmock transport, behind the
// base URL https://api.example.test/prefix/v1 so that a lost path prefix
// shows. Retries wait a millisecond.
func newMockClient(t *testing.T, opts ...Option) (*Client, *httpmock.MockTransport) {
	t.Helper()
	mt := httpmock.NewMockTransport()
	opts = append([]Option{
		WithBaseURL("https://api.example.test/prefix/v1"),
		WithHTTPClient(&http.Client{Transport: mt}),
		WithRetryWait(time.Millisecond, time.Millisecond),
	}, opts...)
	c, err := NewClient(testKey, opts...)
	require.NoError(t, err)
	return c, mt
}

// capture records the last request a responder saw, with its body.
type capture struct {
	req  *http.Request
	body []byte
}

func (c *capture) responder(status int, body string) httpmock.Responder {
	return func(r *http.Request) (*http.Response, error) {
		c.req = r
		c.body = nil
		if r.Body != nil {
			c.body, _ = io.ReadAll(r.Body)
		}
		return httpmock.NewStringResponse(status, body), nil
	}
}

// assertRefusedBeforeTheWire asserts that call, given a client, fails with
// a *ValidationError naming field and sends nothing.
func assertRefusedBeforeTheWire(t *testing.T, call func(*Client) error, field string) {
	t.Helper()
	c, mt := newMockClient(t)
	err := call(c)
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, field, ve.Field)
	assert.ErrorIs(t, err, ErrInvalidArgument)
	assert.Zero(t, mt.GetTotalCallCount(), "nothing sent")
}

// createOutcomeCase is an answer to a Create that must not run twice, and
// what the call must make of it.
type createOutcomeCase struct {
	name        string
	responses   []*http.Response
	wantCalls   int
	wantUnknown bool
	wantIs      error // a sentinel the error matches; nil for none
}

// createOutcomeCases are the answers every Create that must not run twice
// meets the same way (a 500, a 503 and a cut success may have acted, a 429
// is retried), success being the body that ends the retried one, and the
// refusals of its own (a documented code, say).
func createOutcomeCases(success string, refusals ...createOutcomeCase) []createOutcomeCase {
	return append([]createOutcomeCase{
		{"a 500 may have acted: not retried", []*http.Response{httpmock.NewStringResponse(500, `{}`)}, 1, true, nil},
		{"a 503 may have too", []*http.Response{httpmock.NewStringResponse(503, `{}`)}, 1, true, nil},
		{"a cut success", []*http.Response{httpmock.NewStringResponse(200, `{"status":true,"data":{"id":`)}, 1, true, nil},
		{"a 404 did nothing", []*http.Response{httpmock.NewStringResponse(404, `{"status":false,"error":{"code":3001,"message":"Entity not found"}}`)}, 1, false, ErrNotFound},
		{"a 429 is retried", []*http.Response{httpmock.NewStringResponse(429, `{}`), httpmock.NewStringResponse(200, success)}, 2, false, nil},
	}, refusals...)
}

// checkCreateOutcome runs call against the answers of tt at url and checks
// what it makes of them: the attempts, ErrOutcomeUnknown with note, the
// sentinel. It returns the call's error.
func checkCreateOutcome(t *testing.T, tt createOutcomeCase, url string, call func(*Client) error, note string) error {
	t.Helper()
	c, mt := newMockClient(t)
	mt.RegisterResponder(http.MethodPost, url, httpmock.ResponderFromMultipleResponses(tt.responses))
	err := call(c)
	assert.Equal(t, tt.wantCalls, mt.GetTotalCallCount())
	assert.Equal(t, tt.wantUnknown, errors.Is(err, ErrOutcomeUnknown), "%v", err)
	if tt.wantUnknown {
		assert.Contains(t, err.Error(), note)
	}
	if tt.wantIs != nil {
		assert.ErrorIs(t, err, tt.wantIs)
		assert.Equal(t, tt.responses[0].StatusCode, requireAPIError(t, err).StatusCode)
	}
	return err
}

// requireAPIError asserts that err is an *APIError and returns it.
func requireAPIError(t *testing.T, err error, msgAndArgs ...any) *APIError {
	t.Helper()
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr, msgAndArgs...)
	return apiErr
}

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

// recorder is a slog.Handler that keeps every record.
// recorder is a slog.Handler that keeps every record, for the tests of what
// the SDK logs.
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
