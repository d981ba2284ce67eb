package applivery

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/applivery/applivery-go/internal/transport"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// FuzzDecode feeds any status and body to the response decoder. It must never
// panic, must turn everything that is not a success into an *APIError, and
// must accept exactly the 2xx bodies that are success envelopes: status true,
// error absent or null, data an object. Wrong types inside data are tolerated.
func FuzzDecode(f *testing.F) {
	seeds := []struct {
		status int
		body   string
	}{
		{200, documentedCancelResponse},
		{200, `{"status":true,"data":{}}`},
		{200, `{"status":true,"data":{"id":1,"config":[],"_config":"x"}}`},
		{200, `{"status":true,"data":[]}`},
		{200, `{"status":true,"data":{"id":1},"data":null}`},
		{200, `{"status":true,"data":{"id":1},"error":0}`},
		{200, `{"status":false,"error":{"code":5052,"message":"EmmCommand status not Pending"}}`},
		{200, ``},
		{200, `null`},
		{201, `{"status":true,"data":{"updatedAt":"2026-02-10T14: 30:00Z"}}`},
		{400, `{"status":false,"error":{"code":5050,"message":"Feature not allowed for you billing plan"}}`},
		{401, `{"status":false,"error":{"code":"4004","message":"Invalid Token"}}`},
		{404, `{"status":false,"error":{"code":3001.0,"message":"Entity not found"}}`},
		{502, `<html>Bad Gateway</html>`},
		{302, ``},
		{429, `{"status":true,"data":{}}`},
		{200, `{"status":true,"data":{"items":[{"id":"a"},3,null],"page":"2","nextPage":null,"hasNextPage":1}}`},
		{200, `{"status":true,"data":{"items":{},"totalDocs":1e400}}`},
	}
	for _, s := range seeds {
		f.Add(s.status, []byte(s.body))
	}
	c := &core{baseURL: "https://api.test/v1/", basePath: "/v1/", secret: &secret{forms: formsOf(testKey)}, maxBody: maxSuccessBody}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 100 || status > 999 {
			status = 200 + (status%100+100)%100
		}
		wantSuccess := status >= 200 && status <= 299 && successOracle(body)
		cmd, err := decode[commandJSON](context.Background(), c, response(status, body), request{method: http.MethodPost, url: "https://api.test/v1/p"}, transport.Outcome{Attempts: 1})
		checkDecoded(t, status, body, wantSuccess, cmd != nil, err)
		page, err := decode[pageJSON[commandJSON]](context.Background(), c, response(status, body), request{method: http.MethodGet, url: "https://api.test/v1/p"}, transport.Outcome{Attempts: 1})
		checkDecoded(t, status, body, wantSuccess, page != nil, err)
		if page != nil {
			_ = commandPage(page) // converting never panics either
		}
	})
}

func response(status int, body []byte) *http.Response {
	return &http.Response{
		StatusCode:    status,
		Header:        http.Header{},
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
	}
}

func checkDecoded(t *testing.T, status int, body []byte, wantSuccess, gotData bool, err error) {
	t.Helper()
	if err == nil {
		if !wantSuccess {
			t.Fatalf("decode(%d, %q) accepted a response that is not a success", status, body)
		}
		if !gotData {
			t.Fatal("nil data without an error")
		}
		return
	}
	if wantSuccess {
		t.Fatalf("decode(%d, %q) = %v, want success", status, body, err)
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("decode(%d, %q) = %T %v, want *APIError", status, body, err, err)
	}
	if apiErr.StatusCode != status || apiErr.Attempts != 1 || len(apiErr.Body) > maxErrorBody {
		t.Fatalf("decode(%d, %q) = %+v", status, body, apiErr)
	}
}

// successOracle says whether body is a success envelope, by decoding its
// members as raw JSON: no typed decoding is involved.
func successOracle(body []byte) bool {
	var shape struct {
		Status json.RawMessage
		Data   json.RawMessage
		Error  json.RawMessage
	}
	if err := json.Unmarshal(body, &shape); err != nil {
		return false
	}
	errorAbsent := shape.Error == nil || bytes.Equal(shape.Error, []byte("null"))
	return bytes.Equal(shape.Status, []byte("true")) && bytes.HasPrefix(shape.Data, []byte("{")) && errorAbsent
}

func TestReadAtMost(t *testing.T) {
	t.Parallel()
	data := bytes.Repeat([]byte("0123456789"), 100) // 1000 bytes
	tests := []struct {
		name         string
		limit        int
		hint         int64
		wantLen      int
		wantTooLarge bool
	}{
		{"under the limit, exact hint", 2000, 1000, 1000, false},
		{"under the limit, unknown length", 2000, -1, 1000, false},
		{"under the limit, hint too small", 2000, 10, 1000, false},
		{"at the limit", 1000, 1000, 1000, false},
		{"over the limit", 999, 1000, 999, true},
		{"over the limit, unknown length", 10, -1, 10, true},
		{"over the limit, lying hint", 500, 5, 500, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, tooLarge, err := readAtMost(iotest.HalfReader(bytes.NewReader(data)), tt.limit, tt.hint)
			require.NoError(t, err)
			assert.Equal(t, tt.wantTooLarge, tooLarge)
			assert.Equal(t, data[:tt.wantLen], b)
		})
	}
	t.Run("read error", func(t *testing.T) {
		t.Parallel()
		boom := errors.New("boom")
		b, _, err := readAtMost(io.MultiReader(strings.NewReader("abc"), iotest.ErrReader(boom)), 100, -1)
		assert.ErrorIs(t, err, boom)
		assert.Equal(t, "abc", string(b))
	})
}

// allocated returns how many bytes f allocates. Tests that call it do not
// run in parallel, so that other tests' allocations do not count.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// lyingReader claims nothing: it sends n bytes, then fails.
type lyingReader struct{ n int }

func (r *lyingReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.ErrUnexpectedEOF
	}
	k := min(len(p), r.n)
	clear(p[:k])
	r.n -= k
	return k, nil
}

func TestReadAtMostCostsAboutTwiceTheBody(t *testing.T) { //nolint:paralleltest // measures allocations
	const n = 8 << 20
	tests := []struct {
		name  string
		r     func() io.Reader
		limit int
		hint  int64
		want  uint64 // at most
	}{
		{"Content-Length that lies, nothing sent", func() io.Reader { return &lyingReader{} }, maxSuccessBody, 16 << 20, 2 * trustedLength},
		{"8 MiB with its Content-Length", func() io.Reader { return io.LimitReader(zeros{}, n) }, maxSuccessBody, n, 2*n + trustedLength},
		{"8 MiB with no Content-Length", func() io.Reader { return io.LimitReader(zeros{}, n) }, maxSuccessBody, -1, 2*n + trustedLength},
		{"8 MiB in small reads", func() io.Reader { return iotest.OneByteReader(io.LimitReader(zeros{}, 1<<20)) }, maxSuccessBody, -1, 2<<20 + trustedLength},
		{"a stream refused at the limit", func() io.Reader { return io.LimitReader(zeros{}, 16<<20) }, 2 << 20, -1, 2*(2<<20) + trustedLength},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.r()
			var got int
			bytes := allocated(func() {
				b, _, _ := readAtMost(r, tt.limit, tt.hint)
				got = len(b)
			})
			t.Logf("allocated %d bytes to read %d", bytes, got)
			assert.LessOrEqual(t, bytes, tt.want, "allocated %d bytes for %d", bytes, got)
		})
	}
}

// zeros reads as an endless run of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func TestByteSize(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "16 MiB", byteSize(maxSuccessBody))
	assert.Equal(t, "64 KiB", byteSize(maxErrorBody))
	assert.Equal(t, "1000 bytes", byteSize(1000))
	assert.Equal(t, "1025 KiB", byteSize(1025<<10))
}

func TestWireCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		give string
		want ErrorCode
	}{
		{`3001`, 3001},
		{`3001.0`, 3001},
		{`"5052"`, 5052},
		{`3001.5`, 0},
		{`null`, 0},
		{`"x"`, 0},
		{`1e300`, 0},
		{`{}`, 0},
	}
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			t.Parallel()
			var eb errorBody
			require.NoError(t, json.Unmarshal([]byte(`{"code":`+tt.give+`,"message":"m"}`), &eb))
			assert.Equal(t, tt.want, ErrorCode(eb.Code))
			assert.Equal(t, "m", eb.Message)
		})
	}
}

func TestAnswerAPIError(t *testing.T) {
	t.Parallel()
	const key = "sk_live_0123456789abcdef"
	resp := &http.Response{StatusCode: 503, Header: http.Header{
		"X-Request-Id": {"req-42"},
		"Retry-After":  {"7"},
	}}

	t.Run("fields", func(t *testing.T) {
		t.Parallel()
		body := []byte(`{"status":false,"error":{"code":5050,"message":"Feature not allowed for you billing plan"}}`)
		e := answer{resp: resp, method: "POST", path: "/v1/p", out: transport.Outcome{Attempts: 4, RetryAfter: 7 * time.Second}, secrets: formsOf(key)}.apiError(body, parseErrorBody(body), "")
		assert.Equal(t, 503, e.StatusCode)
		assert.Equal(t, CodeFeatureNotAllowed, e.Code)
		assert.Equal(t, "Feature not allowed for you billing plan", e.Message)
		assert.Equal(t, "req-42", e.RequestID)
		assert.Equal(t, 7*time.Second, e.RetryAfter)
		assert.Equal(t, 4, e.Attempts)
		assert.Equal(t, body, e.Body)
	})
	t.Run("status text without an envelope", func(t *testing.T) {
		t.Parallel()
		body := []byte("<html><body>502 Bad Gateway</body></html>")
		e := answer{resp: &http.Response{StatusCode: 502, Header: http.Header{}}, method: "POST", path: "/v1/p", out: transport.Outcome{Attempts: 1}, secrets: formsOf(key)}.apiError(body, parseErrorBody(body), "")
		assert.Equal(t, "Bad Gateway", e.Message)
		assert.Zero(t, e.Code)
		assert.Zero(t, e.RetryAfter)
	})
	t.Run("key echoed by a proxy is redacted", func(t *testing.T) {
		t.Parallel()
		body := []byte(`{"status":false,"error":{"code":4004,"message":"bad header Bearer ` + key + `"}}`)
		h := http.Header{"X-Request-Id": {key}}
		e := answer{resp: &http.Response{StatusCode: 401, Header: h}, method: "POST", path: "/v1/p", out: transport.Outcome{Attempts: 1}, secrets: formsOf(key)}.apiError(body, parseErrorBody(body), "")
		assert.NotContains(t, e.Error(), key)
		assert.NotContains(t, string(e.Body), key)
		assert.NotContains(t, e.RequestID, key)
		assert.Contains(t, e.Message, redacted)
	})
}

func TestRequestErrorUnwraps(t *testing.T) {
	t.Parallel()
	cause := errors.New("connection refused")
	err := &requestError{method: "POST", path: "/v1/p", attempts: 4, err: cause}
	assert.ErrorIs(t, err, cause)
	assert.Equal(t, "applivery: POST /v1/p: connection refused (4 attempts)", err.Error())
	assert.Equal(t, "applivery: POST /v1/p: connection refused (1 attempt)", (&requestError{method: "POST", path: "/v1/p", attempts: 1, err: cause}).Error())
	assert.Equal(t, "applivery: POST /v1/p: connection refused", (&requestError{method: "POST", path: "/v1/p", err: cause}).Error())
}
