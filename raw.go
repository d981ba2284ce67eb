package applivery

// The raw call: Client.Do, for the endpoints that have no method yet,
// through the same pipeline as every method (call.go).

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strings"

	"github.com/applivery/applivery-go/internal/transport"
)

// Request is a call for [Client.Do]: any endpoint of the API, including
// those the SDK has no method for.
type Request struct {
	Method     string     // "GET", "POST", "PUT", "PATCH" or "DELETE"
	Path       string     // under the base URL, already escaped: build it with Path
	Query      url.Values // nil: none
	Body       any        // encoded as JSON (json.RawMessage and []byte sent as they are); nil: no body
	Idempotent bool       // for POST and PATCH: retry like a GET (GET, PUT and DELETE always are)
	Operation  string     // a stable, low-cardinality name for observers and logs; "" means "raw"
	Route      string     // the path template for observers, "/organizations/{organizationId}/mdm/devices"; "" for none
	Secrets    []string   // redacted from errors and logs, like the key
}

// Path joins segments with "/", escaping each one so that none can leave
// its place: "/" within a segment becomes %2F, and "?", "#", "%", spaces and
// every byte that a path segment cannot hold as it is are percent-encoded
// (url.PathEscape). A segment that is "." or ".." becomes "%2E" or
// "%2E%2E", which [Client.Do] nonetheless refuses, since a server may
// decode it into a step up; so does an empty segment, which would make a
// "//". Path returns "/" for no segments.
//
//	applivery.Path("organizations", org, "mdm", "devices") // "/organizations/acme-fleet/mdm/devices"
//	applivery.Path("users", "a/b?c")                       // "/users/a%2Fb%3Fc"
func Path(segments ...string) string {
	if len(segments) == 0 {
		return "/"
	}
	var b strings.Builder
	for _, s := range segments {
		b.WriteByte('/')
		switch s {
		case ".":
			b.WriteString("%2E")
		case "..":
			b.WriteString("%2E%2E")
		default:
			b.WriteString(url.PathEscape(s))
		}
	}
	return b.String()
}

// Do sends one call to any endpoint through the SDK's pipeline (key, rate
// limit, retry rules and budget, body bounds, redaction, typed errors) and
// decodes the success envelope's data into out.
//
// The answer must be the API's envelope: a success has "status": true and
// no "error", and its "data", of any JSON type, is decoded into out with
// encoding/json. out is a pointer to any type; a *json.RawMessage gets the
// data byte for byte; nil discards it. When the envelope has no data (or the
// answer is a 204 No Content), out is left as it is. Data that does not
// decode into out is an error that says the call succeeded and wraps
// encoding/json's, and out holds what did decode. Any other answer is an
// [*APIError], as for every method.
//
// The retry rule is the typed methods', by method: a GET, PUT or DELETE is
// retried after connection failures and 429, 500, 502, 503 and 504, like a
// Get. A POST or PATCH is retried only while no attempt can have reached the
// server (a 429, a connection never made), like Create, and once one may
// have, a failure matches [ErrOutcomeUnknown] unless the answer says the
// call was not carried out (a 4xx, 501 or 505): find out before sending it
// again. Request.Idempotent, for an endpoint that the caller knows to be
// safe to repeat, retries a POST or PATCH like a PUT. A PUT, a DELETE, or an
// idempotent POST or PATCH that fails after an attempt may have been carried
// out (its answer was lost, or was a 500, 502 or 504, or a 2xx whose body
// could not be read) matches ErrOutcomeUnknown too, as Move does; a GET
// never does.
//
// Before anything is sent, Do refuses with a [*ValidationError]: a nil req;
// a Method that is not one of the five (in upper case); a Path that does not
// start with "/", holds "?", "#", "//", a byte a path cannot hold unescaped
// (a space, a control character, a non-ASCII byte), a malformed
// percent-escape, or a segment that is "." or ".." once unescaped (on its
// own or around an escaped "/" or "\"); a body on a GET; a []byte or
// json.RawMessage Body that is not valid JSON; a Body that encoding/json
// cannot encode; an out that is neither nil nor a non-nil pointer; and an
// invalid CallOption.
//
// Observers see the call as Request.Operation ("raw" when empty) and
// Request.Route, which are the caller's to keep free of IDs. Request.Secrets
// are redacted, as the key is, from the path and everything else that
// errors, log records, observers and [WithResponse] are given (the route
// included), in every form in which an answer may echo them. A path with an
// "enrollment-tokens" segment (in any case, percent-encoded or not) is under
// the enrollment tokens, whose answers may hold one-time tokens that the SDK
// cannot know beforehand: its errors keep no Body, as the token methods' do,
// and WithResponse and observers get its headers and request ID redacted of
// the one-time tokens the answer holds.
func (c *Client) Do(ctx context.Context, req *Request, out any, opts ...CallOption) error {
	cc, err := callOptions(opts)
	if err != nil {
		return err
	}
	r, err := c.core.rawRequest(req, out)
	if err != nil {
		return err
	}
	r.call = cc
	ctx, st := c.core.start(ctx, &r)
	resp, outcome, err := c.core.send(ctx, r)
	var data json.RawMessage
	if err == nil {
		data, err = decodeRaw(ctx, c.core, resp, r, outcome.Outcome)
	}
	switch {
	case err == nil:
		err = decodeData(r, data, out)
	case r.policy == transport.NotIdempotent && outcome.MayHaveActed:
		err = &outcomeUnknownError{err: err, note: "the server may have carried the call out: find out before sending it again"}
	case r.method != http.MethodGet && outcome.serverMayHaveActed(err):
		err = &outcomeUnknownError{err: err, note: "the server may have carried the call out"}
	}
	return c.core.end(&st, &r, outcome, err)
}

// rawRequest checks req and out, and returns the request that Do sends.
func (c *core) rawRequest(req *Request, out any) (request, error) {
	if req == nil {
		return request{}, &ValidationError{Field: "request", Reason: "is nil"}
	}
	forms := c.secret.forms.with(req.Secrets...)
	var policy transport.Policy
	switch req.Method {
	case http.MethodGet, http.MethodPut, http.MethodDelete:
		policy = transport.Idempotent
	case http.MethodPost, http.MethodPatch:
		policy = transport.NotIdempotent
		if req.Idempotent {
			policy = transport.Idempotent
		}
	default:
		return request{}, &ValidationError{Field: "method", Value: forms.redactString(req.Method),
			Reason: "must be GET, POST, PUT, PATCH or DELETE"}
	}
	if reason := checkPath(req.Path); reason != "" {
		return request{}, &ValidationError{Field: "path", Value: forms.redactString(req.Path), Reason: reason}
	}
	body, err := rawBody(req.Method, req.Body)
	if err != nil {
		return request{}, err
	}
	if out != nil {
		if v := reflect.ValueOf(out); v.Kind() != reflect.Pointer || v.IsNil() {
			return request{}, &ValidationError{Field: "out", Value: v.Type().String(),
				Reason: "must be a non-nil pointer, or nil to discard the data"}
		}
	}
	u := c.baseURL + req.Path[1:]
	if q := req.Query.Encode(); q != "" {
		u += "?" + q
	}
	op := operation{name: req.Operation, route: forms.redactString(req.Route), secretAnswer: holdsOneTimeTokens(req.Path)}
	if op.name == "" {
		op.name = "raw"
	}
	return request{
		op:     op,
		method: req.Method,
		url:    u,
		body:   body,
		policy: policy,
		forms:  forms,
		path:   forms.redactString(c.basePath + req.Path[1:]),
	}, nil
}

// holdsOneTimeTokens reports whether path is under an enrollment-tokens
// collection of any platform (a segment "enrollment-tokens": the creates,
// the lists, the bulk creates, one token), whose answers may hold one-time
// tokens that the SDK cannot know before it reads them: a raw call there,
// like the token methods, keeps no body in its errors. A segment is compared
// percent-decoded and without regard to case, as the server may route it:
// Express matches paths case-insensitively by default, and a server that
// decodes "%2D" answers "enrollment%2Dtokens" as "enrollment-tokens".
func holdsOneTimeTokens(path string) bool {
	for _, segment := range strings.Split(path, "/") {
		if s, err := url.PathUnescape(segment); err == nil {
			segment = s
		}
		if strings.EqualFold(segment, "enrollment-tokens") {
			return true
		}
	}
	return false
}

// checkPath returns why Do refuses path, or "" when it does not: see Do.
func checkPath(path string) string {
	switch {
	case !strings.HasPrefix(path, "/"):
		return `must start with "/": build it with Path`
	case strings.ContainsAny(path, "?#"):
		return `must not hold "?" or "#": put the query in Request.Query, and escape the segments with Path`
	case strings.Contains(path, "//"):
		return `must not hold an empty segment ("//")`
	}
	for i := 0; i < len(path); i++ {
		if c := path[i]; !pathByte(c) {
			return "holds a byte that must be escaped: build it with Path"
		}
	}
	for _, segment := range strings.Split(path[1:], "/") {
		unescaped, err := url.PathUnescape(segment)
		if err != nil {
			return "holds a malformed percent-escape: build it with Path"
		}
		// A server may decode an escaped "/" (or take a backslash for one)
		// before it resolves the dot segments.
		for _, part := range strings.FieldsFunc(unescaped, func(r rune) bool { return r == '/' || r == '\\' }) {
			if part == "." || part == ".." {
				return `holds a "." or ".." segment, which a server may take for a step up`
			}
		}
	}
	return ""
}

// pathByte reports whether c may appear in an escaped path as it is
// (RFC 3986's pchar and "/"), or is the "%" of an escape.
func pathByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~!$&'()*+,;=:@/%", c) >= 0
}

// rawBody encodes the body of a call of Do, or refuses it.
func rawBody(method string, body any) ([]byte, error) {
	var b []byte
	switch v := body.(type) {
	case nil:
		return nil, nil
	case json.RawMessage:
		b = v
	case []byte:
		b = v
	default:
		var err error
		if b, err = json.Marshal(body); err != nil {
			return nil, &ValidationError{Field: "body", Reason: "does not encode as JSON: " + err.Error()}
		}
	}
	switch {
	case len(b) == 0:
		return nil, nil
	case method == http.MethodGet:
		return nil, &ValidationError{Field: "body", Reason: "a GET has no body"}
	case !json.Valid(b):
		return nil, &ValidationError{Field: "body", Reason: "is not valid JSON"}
	}
	return b, nil
}

// decodeData decodes the data of a successful call r of Do into out: byte
// for byte into a *json.RawMessage, with encoding/json into anything else.
func decodeData(r request, data json.RawMessage, out any) error {
	if out == nil || data == nil {
		return nil
	}
	if raw, ok := out.(*json.RawMessage); ok {
		*raw = data
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return &dataError{method: r.method, path: r.path, into: reflect.TypeOf(out).String(), err: err}
	}
	return nil
}

// dataError is the error of a call of Do that succeeded, but whose data
// did not decode into the caller's out. It wraps encoding/json's error.
type dataError struct {
	method, path string
	into         string // out's type
	err          error
}

func (e *dataError) Error() string {
	return "applivery: " + e.method + " " + e.path + ": the call succeeded, but its data does not decode into " +
		e.into + ": " + e.err.Error()
}

func (e *dataError) Unwrap() error { return e.err }

// rawEnvelope is the envelope of an answer to Client.Do, whose data may be
// any JSON value, or absent.
type rawEnvelope struct {
	Status bool            `json:"status"`
	Data   json.RawMessage `json:"data"`
	Error  *errorBody      `json:"error"`
}

// decodeRaw reads and closes resp, the answer to r, a call of Client.Do,
// and returns the data of its success envelope, byte for byte (nil when it
// has none), or the *APIError it amounts to. A success envelope is one whose
// "status" is true and "error" absent or null; its "data" may be any JSON
// value, or absent. A 204 No Content, which has no body, is a success with
// no data.
func decodeRaw(ctx context.Context, c *core, resp *http.Response, r request, out transport.Outcome) (json.RawMessage, error) {
	if resp.StatusCode == http.StatusNoContent {
		transport.CloseBody(resp.Body, false)
		return nil, nil
	}
	body, err := c.successBody(ctx, resp, r, out)
	if err != nil {
		return nil, err
	}
	var env rawEnvelope
	if err := json.Unmarshal(body, &env); err != nil && !isTypeError(err) {
		return nil, c.answerTo(r, resp, out).apiError(body, nil, "malformed response body: "+err.Error())
	}
	if !env.Status || env.Error != nil {
		return nil, c.answerTo(r, resp, out).apiError(body, env.Error, "response is not a success envelope")
	}
	return env.Data, nil
}
