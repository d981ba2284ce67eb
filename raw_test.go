package applivery

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// okData is a success envelope whose data is an object.
const okData = `{"status":true,"data":{"id":"u1","tags":["a","b"]}}`

// rawPath is a path of an endpoint the SDK has no method for.
var rawPath = Path("organizations", validOrg, "mdm", "users")

func TestDoRetryRulePerMethod(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		method      string
		idempotent  bool
		first       int // the first answer's status; later ones are 200
		wantSent    int32
		wantUnknown bool // the error matches ErrOutcomeUnknown; false and wantSent 1 with a 503 means a plain error
		wantErr     bool
	}{
		{name: "GET is retried after a 503", method: http.MethodGet, first: 503, wantSent: 2},
		{name: "PUT is retried after a 503", method: http.MethodPut, first: 503, wantSent: 2},
		{name: "DELETE is retried after a 503", method: http.MethodDelete, first: 503, wantSent: 2},
		{name: "GET is retried after a 500", method: http.MethodGet, first: 500, wantSent: 2},
		{name: "POST is not retried after a 503", method: http.MethodPost, first: 503, wantSent: 1, wantUnknown: true, wantErr: true},
		{name: "PATCH is not retried after a 503", method: http.MethodPatch, first: 503, wantSent: 1, wantUnknown: true, wantErr: true},
		{name: "POST is not retried after a 500", method: http.MethodPost, first: 500, wantSent: 1, wantUnknown: true, wantErr: true},
		{name: "POST is retried after a 429", method: http.MethodPost, first: 429, wantSent: 2},
		{name: "a POST refused with a 400 is a plain failure", method: http.MethodPost, first: 400, wantSent: 1, wantErr: true},
		{name: "a POST answered 501 did nothing", method: http.MethodPost, first: 501, wantSent: 1, wantErr: true},
		{name: "an idempotent POST is retried after a 503", method: http.MethodPost, idempotent: true, first: 503, wantSent: 2},
		{name: "an idempotent PATCH is retried after a 502", method: http.MethodPatch, idempotent: true, first: 502, wantSent: 2},
		{name: "Idempotent changes nothing for a GET", method: http.MethodGet, idempotent: true, first: 503, wantSent: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var n atomic.Int32
			s := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				if n.Add(1) == 1 {
					writeEnvelopeError(w, tt.first, 0, http.StatusText(tt.first))
					return
				}
				_, _ = io.WriteString(w, okData)
			})
			c := newServerClient(t, s)
			req := &Request{Method: tt.method, Path: rawPath, Idempotent: tt.idempotent}
			if tt.method != http.MethodGet {
				req.Body = map[string]string{"email": "ana@acme.example"}
			}
			var got struct{ ID string }
			err := c.Do(context.Background(), req, &got)
			assert.Equal(t, tt.wantSent, s.requests.Load())
			if !tt.wantErr {
				require.NoError(t, err)
				assert.Equal(t, "u1", got.ID)
				return
			}
			assert.Equal(t, tt.first, requireAPIError(t, err).StatusCode)
			assert.Equal(t, tt.wantUnknown, errors.Is(err, ErrOutcomeUnknown), "%v", err)
		})
	}
}

func TestDoWriteThatMayHaveActedIsOutcomeUnknown(t *testing.T) {
	t.Parallel()
	// Retries run out on a 502, which may have been carried out: the error
	// of an idempotent write says so, as Move's does; a GET's does not.
	for _, tt := range []struct {
		method      string
		idempotent  bool
		wantUnknown bool
	}{
		{http.MethodPut, false, true},
		{http.MethodDelete, false, true},
		{http.MethodPost, true, true},
		{http.MethodGet, false, false},
	} {
		t.Run(fmt.Sprintf("%s idempotent=%t", tt.method, tt.idempotent), func(t *testing.T) {
			t.Parallel()
			s := newTestServer(t, func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusBadGateway) })
			c := newServerClient(t, s, WithMaxRetries(1))
			err := c.Do(context.Background(), &Request{Method: tt.method, Path: rawPath, Idempotent: tt.idempotent}, nil)
			assert.Equal(t, 502, requireAPIError(t, err).StatusCode)
			assert.Equal(t, tt.wantUnknown, errors.Is(err, ErrOutcomeUnknown))
			assert.EqualValues(t, 2, s.requests.Load())
		})
	}
}

func TestDoPostWhoseAnswerIsLostIsOutcomeUnknown(t *testing.T) {
	t.Parallel()
	var bodies []string
	var mu sync.Mutex
	s := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body) // the server has the request: it may act on it
		mu.Lock()
		bodies = append(bodies, string(b))
		mu.Unlock()
		dropConnection(w, true)
	})
	c := newServerClient(t, s)
	err := c.Do(context.Background(), &Request{Method: http.MethodPost, Path: rawPath, Body: json.RawMessage(`{"email":"ana@acme.example"}`)}, nil)
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrOutcomeUnknown)
	var apiErr *APIError
	assert.False(t, errors.As(err, &apiErr), "no answer came")
	assert.Contains(t, err.Error(), "find out before sending it again")
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []string{`{"email":"ana@acme.example"}`}, bodies, "sent once")
}

func TestDoPostIsRetriedWhenTheConnectionWasRefused(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, okData) })
	// A port that refuses connections: a listener, closed.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	refusing := l.Addr().String()
	require.NoError(t, l.Close())
	var dials atomic.Int32
	base := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		if dials.Add(1) == 1 {
			addr = refusing
		}
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}
	t.Cleanup(base.CloseIdleConnections)
	c := newServerClient(t, s, WithHTTPClient(&http.Client{Transport: base}))
	var got json.RawMessage
	var resp Response
	err = c.Do(context.Background(), &Request{Method: http.MethodPost, Path: rawPath, Body: []byte(`{}`)}, &got, WithResponse(&resp))
	require.NoError(t, err)
	assert.EqualValues(t, 1, s.requests.Load(), "the first attempt never reached the server")
	assert.Equal(t, 2, resp.Attempts)
	assert.JSONEq(t, `{"id":"u1","tags":["a","b"]}`, string(got))
}

func TestPathEscapesEverySegment(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		segments []string
		want     string
		doRefuse bool // Do refuses the path Path makes
	}{
		{name: "plain", segments: []string{"organizations", "acme-fleet", "mdm", "users"}, want: "/organizations/acme-fleet/mdm/users"},
		{name: "none", segments: nil, want: "/"},
		{name: "a slash stays in its segment", segments: []string{"users", "a/b"}, want: "/users/a%2Fb"},
		{name: "a step up", segments: []string{"users", "..", "admin"}, want: "/users/%2E%2E/admin", doRefuse: true},
		{name: "the current segment", segments: []string{"users", "."}, want: "/users/%2E", doRefuse: true},
		{name: "a climb inside a segment", segments: []string{"users", "../../admin"}, want: "/users/..%2F..%2Fadmin", doRefuse: true},
		{name: "an escape is escaped", segments: []string{"users", "%2F"}, want: "/users/%252F"},
		{name: "an escaped step up is escaped", segments: []string{"users", "%2E%2E"}, want: "/users/%252E%252E"},
		{name: "a query", segments: []string{"users", "?x=1"}, want: "/users/%3Fx=1"},
		{name: "a fragment", segments: []string{"users", "#f"}, want: "/users/%23f"},
		{name: "a space", segments: []string{"users", "Ana Gómez"}, want: "/users/Ana%20G%C3%B3mez"},
		{name: "unicode", segments: []string{"tags", "日本"}, want: "/tags/%E6%97%A5%E6%9C%AC"},
		{name: "a backslash", segments: []string{"users", `..\admin`}, want: "/users/..%5Cadmin", doRefuse: true},
		{name: "an empty segment", segments: []string{"users", "", "x"}, want: "/users//x", doRefuse: true},
		{name: "three dots are a name", segments: []string{"users", "..."}, want: "/users/..."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Path(tt.segments...)
			assert.Equal(t, tt.want, got)
			if tt.doRefuse {
				assert.NotEmpty(t, checkPath(got), "Do refuses it")
				return
			}
			assert.Empty(t, checkPath(got))
			// Each segment comes back whole, and only it, from the path.
			if len(tt.segments) > 0 {
				parts := strings.Split(got[1:], "/")
				require.Len(t, parts, len(tt.segments))
				for i, p := range parts {
					unescaped, err := url.PathUnescape(p)
					require.NoError(t, err)
					assert.Equal(t, tt.segments[i], unescaped)
				}
			}
		})
	}
}

func TestDoRefusesAPathThatCouldClimb(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, path string }{
		{"empty", ""},
		{"relative", "organizations/x"},
		{"a step up", "/organizations/../admin"},
		{"a trailing step up", "/organizations/.."},
		{"the current segment", "/organizations/./x"},
		{"an escaped step up", "/organizations/%2E%2E/admin"},
		{"an escaped step up in lower case", "/organizations/%2e%2e"},
		{"a half-escaped step up", "/organizations/.%2E"},
		{"a step up around an escaped slash", "/organizations/x%2F..%2Fadmin"},
		{"a step up around a backslash", "/organizations/..%5Cadmin"},
		{"a query", "/organizations?x=1"},
		{"a fragment", "/organizations#f"},
		{"an empty segment", "/organizations//x"},
		{"a leading double slash", "//evil.example/x"},
		{"a space", "/organizations/a b"},
		{"a CR LF", "/organizations/a\r\nX-Injected: 1"},
		{"a NUL", "/organizations/a\x00"},
		{"raw unicode", "/tags/日本"},
		{"a malformed escape", "/organizations/%zz"},
		{"a cut escape", "/organizations/%2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockClient(t)
			err := c.Do(context.Background(), &Request{Method: http.MethodGet, Path: tt.path}, nil)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, "path", ve.Field)
			assert.Zero(t, mt.GetTotalCallCount(), "nothing sent")
		})
	}
}

func TestDoSendsWhatItIsGiven(t *testing.T) {
	t.Parallel()
	type user struct {
		Email string   `json:"email"`
		Tags  []string `json:"tags,omitempty"`
	}
	tests := []struct {
		name     string
		req      Request
		wantURL  string
		wantBody string // "" for none
	}{
		{name: "a GET with a query", req: Request{Method: http.MethodGet, Path: rawPath, Query: url.Values{"search": {"ana gómez"}, "tags": {"a", "b"}}},
			wantURL: mockBase + rawPath + "?search=ana+g%C3%B3mez&tags=a&tags=b"},
		{name: "the root of the base URL", req: Request{Method: http.MethodGet, Path: "/"}, wantURL: mockBase + "/"},
		{name: "an escaped segment stays escaped", req: Request{Method: http.MethodGet, Path: Path("users", "a/b")}, wantURL: mockBase + "/users/a%2Fb"},
		{name: "a struct, encoded", req: Request{Method: http.MethodPost, Path: rawPath, Body: user{Email: "ana@acme.example"}},
			wantURL: mockBase + rawPath, wantBody: `{"email":"ana@acme.example"}`},
		{name: "a json.RawMessage, as it is", req: Request{Method: http.MethodPut, Path: rawPath, Body: json.RawMessage(`{ "email" : "ana@acme.example" }`)},
			wantURL: mockBase + rawPath, wantBody: `{ "email" : "ana@acme.example" }`},
		{name: "a []byte, as it is", req: Request{Method: http.MethodPatch, Path: rawPath, Body: []byte(`[1, 2]`)},
			wantURL: mockBase + rawPath, wantBody: `[1, 2]`},
		{name: "an empty []byte is no body", req: Request{Method: http.MethodDelete, Path: rawPath, Body: []byte{}},
			wantURL: mockBase + rawPath},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockClient(t)
			var got *http.Request
			var body []byte
			mt.RegisterNoResponder(func(r *http.Request) (*http.Response, error) {
				got = r
				if r.Body != nil {
					body, _ = io.ReadAll(r.Body)
				}
				return httpmock.NewStringResponse(200, okData), nil
			})
			require.NoError(t, c.Do(context.Background(), &tt.req, nil))
			require.NotNil(t, got)
			assert.Equal(t, tt.req.Method, got.Method)
			assert.Equal(t, tt.wantURL, got.URL.String())
			assert.Equal(t, "Bearer "+testKey, got.Header.Get("Authorization"))
			assert.Equal(t, tt.wantBody, string(body))
			if tt.wantBody != "" {
				assert.Equal(t, "application/json", got.Header.Get("Content-Type"))
			} else {
				assert.Empty(t, got.Header.Get("Content-Type"))
			}
		})
	}
}

func TestDoDecodesTheData(t *testing.T) {
	t.Parallel()
	const spaced = `{"status": true, "data": { "id" : "u1",  "n": 1.50 }}`
	tests := []struct {
		name        string
		status      int
		body        string
		out         func() any
		want        any    // what out points to afterwards
		wantErr     string // a substring of the error; "" for none
		wantUnknown bool   // the error matches ErrOutcomeUnknown, as Create's would
	}{
		{name: "into a struct", body: okData, out: func() any { return &struct{ ID string }{} }, want: &struct{ ID string }{ID: "u1"}},
		{name: "into a map", body: okData, out: func() any { return &map[string]any{} },
			want: &map[string]any{"id": "u1", "tags": []any{"a", "b"}}},
		{name: "byte for byte into a json.RawMessage", body: spaced, out: func() any { return new(json.RawMessage) },
			want: ptr(json.RawMessage(`{ "id" : "u1",  "n": 1.50 }`))},
		{name: "an array", body: `{"status":true,"data":[1,2]}`, out: func() any { return new([]int) }, want: &[]int{1, 2}},
		{name: "a string", body: `{"status":true,"data":"OK"}`, out: func() any { return new(string) }, want: ptr("OK")},
		{name: "null into a json.RawMessage", body: `{"status":true,"data":null}`, out: func() any { return new(json.RawMessage) },
			want: ptr(json.RawMessage(`null`))},
		{name: "no data leaves out as it is", body: `{"status":true}`, out: func() any { return ptr("before") }, want: ptr("before")},
		{name: "204 No Content leaves out as it is", status: 204, out: func() any { return ptr("before") }, want: ptr("before")},
		{name: "nil discards", body: okData, out: func() any { return nil }},
		{name: "data of the wrong type: the call succeeded", body: okData, out: func() any { return new([]int) },
			want: new([]int), wantErr: "the call succeeded, but its data does not decode into *[]int"},
		{name: "not a success envelope", body: `{"status":false,"error":{"code":5017,"message":"Limit exceeded"}}`,
			out: func() any { return new(json.RawMessage) }, want: new(json.RawMessage), wantErr: "200 Limit exceeded (code 5017)", wantUnknown: true},
		{name: "not JSON", body: `<html>`, out: func() any { return new(json.RawMessage) }, want: new(json.RawMessage),
			wantErr: "malformed response body", wantUnknown: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockClient(t)
			status := tt.status
			if status == 0 {
				status = 200
			}
			mt.RegisterNoResponder(httpmock.NewStringResponder(status, tt.body))
			out := tt.out()
			err := c.Do(context.Background(), &Request{Method: http.MethodPost, Path: rawPath}, out)
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr)
				assert.Equal(t, tt.wantUnknown, errors.Is(err, ErrOutcomeUnknown), "%v", err)
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tt.want, out)
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestDoRefusesBeforeSending(t *testing.T) {
	t.Parallel()
	var notPointer struct{ ID string }
	tests := []struct {
		name      string
		req       *Request
		out       any
		wantField string
	}{
		{name: "nil request", req: nil, wantField: "request"},
		{name: "no method", req: &Request{Path: rawPath}, wantField: "method"},
		{name: "a method in lower case", req: &Request{Method: "get", Path: rawPath}, wantField: "method"},
		{name: "HEAD", req: &Request{Method: http.MethodHead, Path: rawPath}, wantField: "method"},
		{name: "a made-up method", req: &Request{Method: "PURGE", Path: rawPath}, wantField: "method"},
		{name: "a body on a GET", req: &Request{Method: http.MethodGet, Path: rawPath, Body: map[string]int{"a": 1}}, wantField: "body"},
		{name: "a []byte that is not JSON", req: &Request{Method: http.MethodPost, Path: rawPath, Body: []byte(`{"a":`)}, wantField: "body"},
		{name: "a json.RawMessage that is not JSON", req: &Request{Method: http.MethodPost, Path: rawPath, Body: json.RawMessage(`nope`)}, wantField: "body"},
		{name: "a body that does not encode", req: &Request{Method: http.MethodPost, Path: rawPath, Body: make(chan int)}, wantField: "body"},
		{name: "out not a pointer", req: &Request{Method: http.MethodGet, Path: rawPath}, out: notPointer, wantField: "out"},
		{name: "out a nil pointer", req: &Request{Method: http.MethodGet, Path: rawPath}, out: (*json.RawMessage)(nil), wantField: "out"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			obs := &recordingObserver{}
			c, mt := newMockClient(t, WithObserver(obs))
			err := c.Do(context.Background(), tt.req, tt.out)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tt.wantField, ve.Field)
			assert.Zero(t, mt.GetTotalCallCount())
			assert.Empty(t, obs.all())
		})
	}
	c, mt := newMockClient(t)
	err := c.Do(context.Background(), &Request{Method: http.MethodGet, Path: rawPath}, nil, WithRequestHeader("Host", "evil.example"))
	assert.ErrorIs(t, err, ErrInvalidArgument, "an invalid CallOption")
	assert.Zero(t, mt.GetTotalCallCount())
}

func TestDoRedactsItsSecrets(t *testing.T) {
	t.Parallel()
	const token = "enr-7Hk2/q9+Zx" // a secret in the path, as an enrollment token's would be
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&syncWriter{w: &logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	obs := &recordingObserver{}
	c, mt := newMockClient(t, WithLogger(logger), WithObserver(obs), WithMaxRetries(1))
	// The server echoes the path, the query and the key, in every way it can.
	mt.RegisterNoResponder(func(r *http.Request) (*http.Response, error) {
		body := fmt.Sprintf(`{"status":false,"error":{"code":3001,"message":"no token %s (%s) for %s"}}`,
			r.URL.EscapedPath(), r.URL.RawQuery, r.Header.Get("Authorization"))
		resp := httpmock.NewStringResponse(503, body)
		resp.Header.Set("X-Request-Id", "req-"+url.PathEscape(token))
		resp.Header.Set("X-Echo", token)
		return resp, nil
	})
	var resp Response
	err := c.Do(context.Background(), &Request{
		Method:    http.MethodGet,
		Path:      Path("organizations", validOrg, "enrollment-tokens", token),
		Query:     url.Values{"token": {token}},
		Operation: "enrollment_tokens.get",
		Route:     "/organizations/{organizationId}/enrollment-tokens/" + token, // a careless route
		Secrets:   []string{token, ""},
	}, nil, WithResponse(&resp))
	apiErr := requireAPIError(t, err)
	calls := obs.all()
	require.Len(t, calls, 1)
	texts := map[string]string{
		"Error()":            err.Error(),
		"Message":            apiErr.Message,
		"Body":               string(apiErr.Body),
		"RequestID":          apiErr.RequestID,
		"logs":               logs.String(),
		"CallInfo":           fmt.Sprintf("%#v", calls[0].info),
		"CallResult":         fmt.Sprintf("%#v %s", calls[0].result, calls[0].result.Err),
		"Response":           fmt.Sprintf("%#v", resp),
		"Response.Header":    fmt.Sprint(resp.Header),
		"Response.RequestID": resp.RequestID,
	}
	for where, text := range texts {
		for _, secret := range []string{token, url.PathEscape(token), url.QueryEscape(token), testKey} {
			assert.NotContains(t, text, secret, "%s", where)
		}
	}
	assert.Contains(t, err.Error(), "GET /prefix/v1/organizations/"+validOrg+"/enrollment-tokens/"+redacted, "the path, redacted")
	assert.Contains(t, logs.String(), "enrollment-tokens/"+redacted)
	assert.Equal(t, "/organizations/{organizationId}/enrollment-tokens/"+redacted, calls[0].info.Route)
	assert.Equal(t, "req-"+redacted, resp.RequestID)
}

func TestDoIsObservedAsItsOperation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		req  Request
		want CallInfo
	}{
		{name: "named", req: Request{Method: http.MethodPost, Path: rawPath, Operation: "users.create", Route: "/organizations/{organizationId}/mdm/users"},
			want: CallInfo{Operation: "users.create", Method: "POST", Route: "/organizations/{organizationId}/mdm/users", Host: "api.example.test"}},
		{name: "unnamed", req: Request{Method: http.MethodGet, Path: rawPath},
			want: CallInfo{Operation: "raw", Method: "GET", Host: "api.example.test"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			obs := &recordingObserver{}
			c, mt := newMockClient(t, WithObserver(obs))
			mt.RegisterNoResponder(headerResponder(201, okData, "X-Request-Id", "req-1"))
			require.NoError(t, c.Do(context.Background(), &tt.req, nil))
			calls := obs.all()
			require.Len(t, calls, 1)
			assert.Equal(t, tt.want, calls[0].info)
			assert.Equal(t, CallResult{StatusCode: 201, Attempts: 1, RequestID: "req-1"}, calls[0].result)
			assert.Equal(t, 1, calls[0].dones)
		})
	}
}

func TestDoEndsWithTheContext(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, silent)
	c := newServerClient(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	withGuard(t, 5*time.Second, func() {
		err := c.Do(ctx, &Request{Method: http.MethodPost, Path: rawPath, Body: []byte(`{}`)}, nil)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.ErrorIs(t, err, ErrOutcomeUnknown, "the POST went out, and its answer never came")
	})
}

// A raw call keeps no error body under an enrollment-tokens collection
// however the segment is spelled: the API's router (Express's, case-
// insensitive by default) and a server that decodes %2D answer the same
// tokens at other spellings.
func TestDoToATokenPathInAnyCaseOrPercentEncodedKeepsNoErrorBody(t *testing.T) {
	t.Parallel()
	const ott = "SECRETOTT7Q2K9X4M1"
	cut := `{"status":true,"data":{"id":"t1","config":{"oneTimeToken":"` + ott + `","qrCode":{"k":"x`
	for _, path := range []string{
		"/organizations/" + validOrg + "/mdm/android/enterprise/Enrollment-Tokens",
		"/organizations/" + validOrg + "/mdm/android/enterprise/enrollment%2Dtokens",
		"/organizations/" + validOrg + "/mdm/android/enterprise/ENROLLMENT%2dTOKENS/t1",
	} {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockClient(t, WithMaxRetries(0))
			mt.RegisterNoResponder(httpmock.NewStringResponder(200, cut))
			err := c.Do(context.Background(), &Request{Method: http.MethodGet, Path: path}, nil)
			apiErr := requireAPIError(t, err)
			assert.Nil(t, apiErr.Body)
			assert.NotContains(t, fmtAll(err), ott)
		})
	}
}

func TestHoldsOneTimeTokens(t *testing.T) {
	t.Parallel()
	for path, want := range map[string]bool{
		"/a/enrollment-tokens":     true,
		"/a/Enrollment-Tokens/x":   true,
		"/a/enrollment%2Dtokens":   true,
		"/a/enrollment%2dTokens":   true,
		"/a/enrollment-tokens-old": false,
		"/a/enrollment_tokens":     false,
		"/a/%zz/devices":           false,
	} {
		assert.Equal(t, want, holdsOneTimeTokens(path), path)
	}
}
