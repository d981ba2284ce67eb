package transport

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/applivery/applivery-go/internal/backoff"
)

// TransientStatus reports whether an HTTP status says that a failure may
// pass by itself: 429, or a 5xx other than 501 (Not Implemented) and 505
// (HTTP Version Not Supported), which never get better. It is the SDK's one
// list of such statuses: a Wait polls on after one, a call that must not run
// twice may have been carried out after a 5xx among them (Outcome's
// MayHaveActed), and retryableStatus retries the best known of them.
func TransientStatus(code int) bool {
	return code == http.StatusTooManyRequests ||
		code >= 500 && code != http.StatusNotImplemented && code != http.StatusHTTPVersionNotSupported
}

// retryableStatus reports whether an HTTP status is worth another attempt:
// the transient statuses up to 504, that is rate limiting and the
// server-side failures that usually pass within a call's retries (429, 500,
// 502, 503, 504). The rarer 5xx past 505 (507 Insufficient Storage, 511
// Network Authentication Required, a CDN's own 52x) are not retried.
func retryableStatus(code int) bool {
	return TransientStatus(code) && code <= http.StatusGatewayTimeout
}

// permanent reports whether a transport error would only repeat on another
// attempt: the server's certificate failed verification, the server does
// not speak TLS at all, or the rate limit's wait would outlast the context
// (none of which sent anything). The caller's context is checked before
// this.
//
// go-retryablehttp matches these by type assertion on the outer error and by
// error text, which misses wrapped errors; errors.As does not.
func permanent(err error) bool {
	var (
		rateWait  *rateWaitError
		verify    *tls.CertificateVerificationError
		authority x509.UnknownAuthorityError
		hostname  x509.HostnameError
		invalid   x509.CertificateInvalidError
		record    tls.RecordHeaderError
	)
	return errors.As(err, &rateWait) || errors.As(err, &verify) || errors.As(err, &authority) || errors.As(err, &hostname) ||
		errors.As(err, &invalid) || errors.As(err, &record)
}

// Policy says which failed attempts of a call may be retried.
type Policy uint8

const (
	// Idempotent calls are retried after any retryable failure: connection
	// failures, 429, 500, 502, 503, 504. Sending one twice does no harm.
	Idempotent Policy = iota
	// NotIdempotent calls are retried only when the server surely did not act:
	// a 429, or a connection that was never made. A 5xx, or a failure after the
	// request may have gone out, is returned instead.
	NotIdempotent
)

// notSent reports whether err, the error of an attempt, means that the
// request never reached the server: the connection to it, or to its proxy,
// was never made (refused, unreachable, no such host, dial timeout). TLS
// certificate failures also happen before a byte of the request is sent.
// An attempt that never started, ended while it waited for the rate limit,
// sent nothing either. Errors it cannot place are taken to be sent: the safe
// assumption when a repeat would do harm.
func notSent(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && (op.Op == "dial" || op.Op == "proxyconnect") {
		return true
	}
	return permanent(err) || neverStarted(err)
}

// mayHaveApplied reports whether an attempt that failed, with the HTTP
// status of its answer or with err when there was none, may nonetheless have
// been carried out: its request went out and the answer was lost, or the
// answer was a 500, 502 or 504, which a server or a proxy sends when the
// backend failed or timed out while it may have been acting. A 503 or 429
// says the server did not take the request on; any other status is an
// answer about the request itself.
func mayHaveApplied(status int, err error) bool {
	if err != nil {
		return !notSent(err)
	}
	switch status {
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// retryable reports whether an attempt that failed with resp or err may be
// retried under policy p. The caller's context is checked before this.
func (p Policy) retryable(resp *http.Response, err error) bool {
	if err != nil {
		if permanent(err) {
			return false
		}
		return p == Idempotent || notSent(err)
	}
	if p == NotIdempotent {
		return resp.StatusCode == http.StatusTooManyRequests
	}
	return retryableStatus(resp.StatusCode)
}

// retryWait returns how long to wait before retry number retry (0 for the
// first): exponential from minWait, capped at maxWait, with jitter. The wait
// is drawn uniformly from [hi/2, hi], where hi = minWait·2^(retry+1) capped
// at maxWait, and it never leaves [minWait, maxWait]. Jitter keeps many
// clients that failed together from retrying together (go-retryablehttp's
// DefaultBackoff has none).
func retryWait(minWait, maxWait time.Duration, retry int) time.Duration {
	hi := backoff.Exponential(minWait, maxWait, retry+1)
	return backoff.Jitter(max(hi/2, minWait), hi)
}

// parseRetryAfter reads a Retry-After header value: delay-seconds or an
// HTTP-date (any of the three formats of RFC 9110), relative to now. A date in
// the past is a zero wait. Negative, fractional and malformed values are not a
// Retry-After at all (ok false); a number of seconds too large for a Duration
// is the largest Duration rather than an overflow.
func parseRetryAfter(value string, now time.Time) (d time.Duration, ok bool) {
	value = strings.TrimSpace(value)
	if value == "" {
		return 0, false
	}
	if value[0] >= '0' && value[0] <= '9' {
		secs, err := strconv.ParseUint(value, 10, 64)
		if err != nil {
			var ne *strconv.NumError
			if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
				return math.MaxInt64, true
			}
			return 0, false
		}
		if secs > math.MaxInt64/uint64(time.Second) {
			return math.MaxInt64, true
		}
		return time.Duration(secs) * time.Second, true
	}
	t, err := http.ParseTime(value)
	if err != nil {
		return 0, false
	}
	if d = t.Sub(now); d < 0 {
		d = 0
	}
	return d, true
}
