package transport

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestBackoffStaysWithinBoundsAndGrows(t *testing.T) {
	t.Parallel()
	const min, max = 500 * time.Millisecond, 10 * time.Second
	tests := []struct {
		retry  int
		lo, hi time.Duration
	}{
		{0, 500 * time.Millisecond, time.Second},
		{1, time.Second, 2 * time.Second},
		{2, 2 * time.Second, 4 * time.Second},
		{3, 4 * time.Second, 8 * time.Second},
		{4, 5 * time.Second, 10 * time.Second},
		{10, 5 * time.Second, 10 * time.Second},
		{70, 5 * time.Second, 10 * time.Second}, // no overflow past 2^63
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.retry), func(t *testing.T) {
			t.Parallel()
			seen := map[time.Duration]bool{}
			for range 500 {
				d := retryWait(min, max, tt.retry)
				assert.GreaterOrEqual(t, d, tt.lo)
				assert.LessOrEqual(t, d, tt.hi)
				seen[d] = true
			}
			assert.Greater(t, len(seen), 100, "waits must be jittered")
		})
	}
}

func TestBackoffEdges(t *testing.T) {
	t.Parallel()
	assert.Equal(t, time.Second, retryWait(time.Second, time.Second, 0), "equal bounds")
	assert.Equal(t, time.Second, retryWait(time.Second, time.Second, 5), "equal bounds")
	d := retryWait(time.Millisecond, time.Hour, 62)
	assert.GreaterOrEqual(t, d, 30*time.Minute)
	assert.LessOrEqual(t, d, time.Hour)
	d = retryWait(time.Duration(math.MaxInt64/2), time.Duration(math.MaxInt64), 3)
	assert.Positive(t, d)
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		give   string
		want   time.Duration
		wantOK bool
	}{
		{"0", 0, true},
		{"7", 7 * time.Second, true},
		{" 120 ", 2 * time.Minute, true},
		{"Wed, 25 Nov 2026 12:00:30 GMT", 30 * time.Second, true}, // IMF-fixdate
		{"Wednesday, 25-Nov-26 12:01:00 GMT", time.Minute, true},  // RFC 850
		{"Wed Nov 25 12:02:00 2026", 2 * time.Minute, true},       // asctime
		{"Wed, 25 Nov 2026 11:00:00 GMT", 0, true},                // in the past
		{"99999999999", math.MaxInt64, true},                      // seconds too large for a Duration
		{"999999999999999999999999999", math.MaxInt64, true},      // too large for uint64
		{"", 0, false},
		{"-5", 0, false},
		{"1.5", 0, false},
		{"5s", 0, false},
		{"soon", 0, false},
		{"Wed, 25 Nov 2026 12:00:30 +0100", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			t.Parallel()
			got, ok := parseRetryAfter(tt.give, now)
			assert.Equal(t, tt.wantOK, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestRetryableStatus(t *testing.T) {
	t.Parallel()
	retried := map[int]bool{429: true, 500: true, 502: true, 503: true, 504: true}
	for code := 100; code < 600; code++ {
		assert.Equal(t, retried[code], retryableStatus(code), "status %d", code)
	}
}

func TestTransientStatus(t *testing.T) {
	t.Parallel()
	for code := 100; code < 600; code++ {
		want := code == 429 || code >= 500 && code != 501 && code != 505
		assert.Equal(t, want, TransientStatus(code), "status %d", code)
		if retryableStatus(code) {
			assert.True(t, TransientStatus(code), "a retried status %d is transient", code)
		}
	}
}

func TestPermanent(t *testing.T) {
	t.Parallel()
	wrap := func(err error) error {
		return &url.Error{Op: "Post", URL: "https://api.example/x", Err: fmt.Errorf("wrapped: %w", err)}
	}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"unknown authority", wrap(&tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}), true},
		{"bare unknown authority", wrap(x509.UnknownAuthorityError{}), true},
		{"hostname mismatch", wrap(x509.HostnameError{Host: "x"}), true},
		{"expired", wrap(x509.CertificateInvalidError{Reason: x509.Expired}), true},
		{"plain http on a tls port", wrap(tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}), true},
		{"connection refused", wrap(&net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}), false},
		{"connection reset", wrap(&net.OpError{Op: "read", Err: syscall.ECONNRESET}), false},
		{"eof", wrap(io.EOF), false},
		{"dns", wrap(&net.DNSError{Err: "no such host", Name: "x"}), false},
		{"attempt timeout", &attemptTimeoutError{Limit: time.Second}, false},
		{"other", errors.New("boom"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, permanent(tt.err))
		})
	}
}

func TestAttemptTimeoutErrorIsANetError(t *testing.T) {
	t.Parallel()
	var err error = &url.Error{Op: "Post", URL: "u", Err: &attemptTimeoutError{Limit: time.Second}}
	var ne net.Error
	assert.True(t, errors.As(err, &ne))
	assert.True(t, ne.Timeout())
	assert.ErrorIs(t, err, context.DeadlineExceeded, "like net/http's own timeouts")
	assert.Equal(t, "no response within the attempt timeout of 1s", (&attemptTimeoutError{Limit: time.Second}).Error())
}

func TestNewDoesNotMutateTheClient(t *testing.T) {
	t.Parallel()
	base := &http.Transport{}
	hc := &http.Client{Transport: base, Timeout: time.Second}
	tr := New(Config{HTTPClient: hc, AttemptTimeout: time.Second})
	assert.Zero(t, base.ResponseHeaderTimeout, "the caller's transport is not configured")
	assert.Same(t, base, hc.Transport)
	assert.Nil(t, hc.CheckRedirect)
	assert.Same(t, base, tr.base)
	assert.NotSame(t, hc, tr.hc)
	_, hidden := tr.hc.Transport.(interface{ CloseIdleConnections() })
	assert.False(t, hidden, "the client's transport must not expose CloseIdleConnections")
}

func TestAttemptBoundPerTransport(t *testing.T) {
	t.Parallel()
	own := New(Config{AttemptTimeout: 7 * time.Second})
	assert.Equal(t, 7*time.Second, own.base.(*http.Transport).ResponseHeaderTimeout)
	assert.Zero(t, own.hc.Transport.(*attemptRoundTripper).timeout, "net/http bounds the wait itself")

	theirs := New(Config{HTTPClient: &http.Client{Transport: &http.Transport{}}, AttemptTimeout: 7 * time.Second})
	assert.Equal(t, 7*time.Second, theirs.hc.Transport.(*attemptRoundTripper).timeout)
}
