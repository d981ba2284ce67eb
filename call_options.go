package applivery

import (
	"net/http"
	"strings"
	"time"
)

// CallOption configures one call. Every method of every service takes
// ...CallOption as its last parameter, and so does [Client.Do]: a ListAll
// applies them to each page, a Wait to each poll. An invalid CallOption
// fails the call with a [*ValidationError] before anything is sent.
type CallOption func(*callConfig) error

// callConfig is what the CallOptions of a call ask for.
type callConfig struct {
	response *Response   // WithResponse's destination; nil: none
	header   http.Header // WithRequestHeader's headers; nil: none
}

// callOptions applies opts, skipping nil ones, and returns what they ask
// for: nil when there are none, so that a call without options allocates
// nothing for them.
func callOptions(opts []CallOption) (*callConfig, error) {
	if len(opts) == 0 {
		return nil, nil
	}
	cc := new(callConfig)
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(cc); err != nil {
			return nil, err
		}
	}
	return cc, nil
}

// withoutResponse returns cc for a call made within another, such as the
// lookup of a Cancel: its headers, but not its WithResponse, which
// describes the outer call.
func (cc *callConfig) withoutResponse() *callConfig {
	if cc == nil || cc.response == nil {
		return cc
	}
	inner := *cc
	inner.response = nil
	return &inner
}

// Response describes the last HTTP answer of a call: see [WithResponse].
type Response struct {
	StatusCode int           // of the last answer
	Header     http.Header   // the last answer's headers
	RequestID  string        // X-Request-Id, when present
	Attempts   int           // HTTP attempts the call made
	Duration   time.Duration // the whole call, retries and waits included
}

// WithResponse makes the call fill *dst as it ends: the status, headers and
// X-Request-Id of its last answer, the attempts it made, and how long it
// took, retries and waits included. It does so whether the call succeeded
// or failed with an [*APIError]; when no answer came (a network error, the
// context ending, an argument refused), *dst is the zero Response. A
// ListAll fills it after each page, before the page's items are yielded,
// and a Wait after each poll (OnPoll sees it). A Cancel that looks the
// command up describes its cancel request, not the lookup. The secrets that
// errors are redacted of (the key, a request's secrets) are redacted from
// RequestID and the headers too; so are, for an enrollment token endpoint
// (and a raw call to an enrollment-tokens path), the one-time tokens that
// the answer's body holds, in every form, value by value (a Location header
// with an enrollment link, say): the other headers are kept as they came.
// A nil dst is an invalid CallOption.
func WithResponse(dst *Response) CallOption {
	return func(cc *callConfig) error {
		if dst == nil {
			return &ValidationError{Field: "response", Reason: "WithResponse needs a *Response to fill, not nil"}
		}
		*dst = Response{}
		cc.response = dst
		return nil
	}
}

// WithRequestHeader adds a header to every attempt of the call, such as a
// correlation ID or a header that a proxy needs. Given twice for one name,
// both values are sent. The headers the SDK owns are refused, in any case:
// authorization, host, content-type, content-length, user-agent, accept,
// and the hop-by-hop headers (connection, keep-alive, proxy-authenticate,
// proxy-authorization, proxy-connection, te, trailer, transfer-encoding,
// upgrade).
// So are a name that is not an HTTP token (RFC 9110: letters, digits and
// !#$%&'*+-.^_`|~) and a value with control characters, CR or LF (a
// horizontal tab is allowed): each is an invalid CallOption, whose error
// names the header but does not quote its value.
func WithRequestHeader(name, value string) CallOption {
	return func(cc *callConfig) error {
		invalid := func(reason string) error {
			return &ValidationError{Field: "requestHeader", Value: name, Reason: reason}
		}
		switch {
		case !isToken(name):
			return invalid("is not a valid header name")
		case ownedHeader(name):
			return invalid("is a header the SDK sets itself, or a hop-by-hop header")
		case !validHeaderValue(value):
			return invalid("has a value with control characters, CR or LF")
		}
		if cc.header == nil {
			cc.header = make(http.Header, 1)
		}
		cc.header.Add(name, value)
		return nil
	}
}

// ownedHeaders are the headers that WithRequestHeader refuses, in lower
// case (as HTTP/2 writes them): the SDK's own, and the hop-by-hop ones (RFC 9110 7.6.1,
// and Proxy-Connection, which some clients still send).
var ownedHeaders = map[string]bool{
	"authorization":       true,
	"host":                true,
	"content-type":        true,
	"content-length":      true,
	"user-agent":          true,
	"accept":              true,
	"connection":          true,
	"keep-alive":          true,
	"proxy-authenticate":  true,
	"proxy-authorization": true,
	"proxy-connection":    true,
	"te":                  true,
	"trailer":             true,
	"transfer-encoding":   true,
	"upgrade":             true,
}

// ownedHeader reports whether name, in any case, is one of ownedHeaders.
func ownedHeader(name string) bool {
	return ownedHeaders[strings.ToLower(name)]
}

// isToken reports whether s is an HTTP token (RFC 9110 5.6.2), as a header
// name must be: one or more of the letters, digits and !#$%&'*+-.^_`|~.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// validHeaderValue reports whether v may be sent as a header value: no
// control character (CR and LF included) but the horizontal tab, and no
// DEL. Bytes past ASCII are allowed, as RFC 9110's obs-text is.
func validHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// withHeaders returns base with the headers of extra added: a new Header,
// since base is shared by every call. extra never names one of base's
// headers (WithRequestHeader refuses them).
func withHeaders(base, extra http.Header) http.Header {
	h := make(http.Header, len(base)+len(extra))
	for k, v := range base {
		h[k] = v
	}
	for k, v := range extra {
		h[k] = v
	}
	return h
}

// redactHeader returns h, or, when a value of h holds a secret of f, a copy
// of h with the secrets redacted from its values.
func redactHeader(h http.Header, f secretForms) http.Header {
	var out http.Header
	for k, vs := range h {
		for i, v := range vs {
			if r := f.redactString(v); r != v {
				if out == nil {
					out = h.Clone()
				}
				out[k][i] = r
			}
		}
	}
	if out == nil {
		return h
	}
	return out
}
