package applivery

// The call path, in one room: a request, its sending through
// internal/transport, the reading of the answer within bounds, the decoding
// of its success envelope, and the making of the *APIError that any other
// answer is. The services build requests and read outcomes; everything
// between the two is here.

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/applivery/applivery-go/internal/transport"
)

// requestIDHeader is the header that names an answer for Applivery's
// support (X-Request-Id; header names are case-insensitive).
const requestIDHeader = "x-request-id"

// core is what every service of a Client holds: where calls go, how they
// authenticate, the transport that sends them, and who watches them.
type core struct {
	baseURL   string // absolute, ends with "/"
	basePath  string // the base URL's path, for error messages and logs
	host      string // the base URL's host, for observers
	secret    *secret
	transport *transport.Transport
	logger    *slog.Logger // nil: silent
	observer  Observer     // nil: none
	maxBody   int          // the largest success body read, maxSuccessBody
	clock     clock        // what Wait reads and sleeps on; the zero clock is the real one
}

// secret holds the API key two pointers away from Client. fmt prints a nested
// pointer as an address, and even for a verb that does not fit (%s of a
// struct, or a Client inside a caller's struct) it follows one pointer only,
// so no fmt output of a Client can reach the key.
type secret struct {
	forms secretForms // the key's, to redact it from answers that echo it
	// The headers of every request, without and with a JSON body. They are
	// built once and only read: the transport copies them into each request.
	headers, jsonHeaders http.Header
}

// request is one API call.
type request struct {
	op     operation // what observers are told of it
	method string
	url    string // under the base URL, with the query if any
	body   []byte // JSON, or nil for none
	policy transport.Policy
	secret string      // a secret of the request, such as a new password, kept out of errors like the key
	call   *callConfig // what the call's CallOptions ask for; nil: none
	// forms and path, when set, are the forms of every secret of the call,
	// the key's included, and the path that errors and logs name, redacted
	// of them: a raw call's, whose path and secrets are the caller's.
	forms secretForms
	path  string
	// answerTokens, set by start for an operation with secretAnswer whose
	// caller wants its Response or has an observer, collects the one-time
	// tokens of the answer's body as it is read, for end to redact from
	// the headers and request ID.
	answerTokens *[]string
}

// operation is a kind of call, as observers know it: a stable name and the
// route template under the base URL, with the reference's parameter names
// (see CallInfo). Each family declares its operations beside its methods.
type operation struct {
	name  string // "android.commands.cancel"
	route string // "/organizations/{organizationId}/…/cancel"
	// secretAnswer marks the operations whose answer holds secrets the
	// request did not (an enrollment token's one-time token): their errors
	// keep no body (see answer.apiError), and the headers and request ID
	// that WithResponse and observers get are redacted of the one-time
	// tokens the body holds (see core.end).
	secretAnswer bool
}

// callState is a call between its start and its end: who is told when it
// ends.
type callState struct {
	done     func(CallResult) // the observer's; nil without one
	response *Response        // WithResponse's destination; nil without it
	began    time.Time        // when the call started, when response is set
}

// start starts the call r: it tells the client's observer, when there is
// one, and returns the context that the call's attempts carry. Without an
// observer or WithResponse it costs nothing. Every start is followed by one
// end.
func (c *core) start(ctx context.Context, r *request) (context.Context, callState) {
	var st callState
	if r.call != nil && r.call.response != nil {
		st.response, st.began = r.call.response, time.Now()
	}
	if c.observer != nil {
		octx, done := c.observer.ObserveCall(ctx, CallInfo{Operation: r.op.name, Method: r.method, Route: r.op.route, Host: c.host})
		if octx != nil {
			ctx = octx
		}
		st.done = done
	}
	if r.op.secretAnswer && (st.response != nil || st.done != nil) {
		r.answerTokens = new([]string)
	}
	return ctx, st
}

// end ends the call r, started with st, which went as out says and returns
// err (nil when it succeeded): WithResponse's destination is filled and the
// observer's done is told. It returns err. The headers and request ID are
// redacted of the call's secrets and, for an operation with secretAnswer,
// of every one-time token the answer's body held, in every form: a header
// may well carry one (an enrollment link in Location).
func (c *core) end(st *callState, r *request, out callOutcome, err error) error {
	if st.response == nil && st.done == nil {
		return err
	}
	var forms secretForms
	requestID := ""
	if out.header != nil {
		forms = c.secretsOf(*r)
		if r.answerTokens != nil {
			forms = forms.with(*r.answerTokens...)
		}
		requestID = forms.redactString(out.header.Get(requestIDHeader))
	}
	if st.response != nil {
		*st.response = Response{}
		if out.status != 0 {
			*st.response = Response{
				StatusCode: out.status,
				Header:     redactHeader(out.header, forms),
				RequestID:  requestID,
				Attempts:   out.Attempts,
				Duration:   time.Since(st.began),
			}
		}
	}
	if st.done != nil {
		st.done(CallResult{StatusCode: out.status, Attempts: out.Attempts, RequestID: requestID, Err: err})
	}
	return err
}

// pathOf is the path of r's URL, without the query: what errors and logs
// name. The base URL ends with its path, so it is a slice of the URL.
func (c *core) pathOf(r request) string {
	if r.path != "" {
		return r.path
	}
	path, _, _ := strings.Cut(r.url[len(c.baseURL)-len(c.basePath):], "?")
	return path
}

// secretsOf returns the forms of the secrets of r: the key's, and those of
// a secret of the request, such as a new password.
func (c *core) secretsOf(r request) secretForms {
	switch {
	case r.forms != nil:
		return r.forms
	case r.secret == "":
		return c.secret.forms
	}
	return c.secret.forms.with(r.secret)
}

// do sends a call and returns the data of its success envelope, and how the
// call went. Every response body is read through a limit and closed; every
// answer that is not a success is an *APIError.
func do[T any](ctx context.Context, c *core, r request) (*T, callOutcome, error) {
	resp, out, err := c.send(ctx, r)
	if err != nil {
		return nil, out, err
	}
	data, err := decode[T](ctx, c, resp, r, out.Outcome)
	return data, out, err
}

// send sends a call and returns its last answer, which the caller must
// read and close, or the *requestError of a call that got none.
func (c *core) send(ctx context.Context, r request) (*http.Response, callOutcome, error) {
	if err := ctx.Err(); err != nil {
		return nil, callOutcome{}, &requestError{method: r.method, path: c.pathOf(r), err: err}
	}
	header := c.secret.headers
	if r.body != nil {
		header = c.secret.jsonHeaders
	}
	if r.call != nil && r.call.header != nil {
		header = withHeaders(header, r.call.header)
	}
	resp, out, err := c.transport.Send(ctx, transport.Call{Method: r.method, URL: r.url, Header: header, Body: r.body, Policy: r.policy, LogPath: r.path})
	if err != nil {
		return nil, callOutcome{Outcome: out}, &requestError{method: r.method, path: c.pathOf(r), attempts: out.Attempts, err: err}
	}
	return resp, callOutcome{Outcome: out, status: resp.StatusCode, header: resp.Header}, nil
}

// callOutcome is how a call went, beyond its result.
type callOutcome struct {
	transport.Outcome
	status int         // the HTTP status of the last answer; 0 when it had none
	header http.Header // the headers of the last answer; nil when it had none
}

// answered reports whether the last attempt was answered with a 2xx: the
// server carried the call out, even if its answer could not be read.
func (o callOutcome) answered() bool { return o.status >= 200 && o.status <= 299 }

// unreadableSuccess reports whether a call that failed with err was last
// answered with a 2xx whose body could not be read: the server carried it
// out. A 2xx that carries an API error code is an answer like any other:
// the server refused the call.
func (o callOutcome) unreadableSuccess(err error) bool {
	var apiErr *APIError
	return o.answered() && !(errors.As(err, &apiErr) && apiErr.Code != 0)
}

// serverMayHaveActed is the rule for the calls that may be repeated but
// whose effect the caller must hear of (Cancel, Move): whether a call that
// failed with err may nonetheless have been carried out. It may when any
// attempt may have been: one before the last, or the last one, whose answer
// was lost or was a 500, 502 or 504 (see transport.Outcome), or the last
// one answered with a 2xx whose body could not be read. The attempts after
// one that may have acted cannot undo it, whatever they met (a 503, a long
// 429, the rate limit's wait past the deadline): they do not make the
// failure plain. A call that must not run twice (Create) asks the broader
// transport.Outcome.MayHaveActed instead.
func (o callOutcome) serverMayHaveActed(err error) bool {
	return o.EarlierMayHaveApplied || o.LastMayHaveApplied || o.unreadableSuccess(err)
}

// outcomeUnknownError wraps the error of a call that the server may have
// carried out; note says what may have happened and what to do.
type outcomeUnknownError struct {
	err  error
	note string
}

func (e *outcomeUnknownError) Error() string        { return e.err.Error() + "; " + e.note }
func (e *outcomeUnknownError) Unwrap() error        { return e.err }
func (e *outcomeUnknownError) Is(target error) bool { return target == ErrOutcomeUnknown }

// requestError is the error of a call that got no HTTP response to decode:
// the network failed, an attempt timed out, or the context ended. It wraps
// that cause.
type requestError struct {
	method   string
	path     string
	attempts int
	err      error
}

func (e *requestError) Error() string {
	msg := "applivery: " + e.method + " " + e.path + ": " + e.err.Error()
	switch e.attempts {
	case 0:
		return msg
	case 1:
		return msg + " (1 attempt)"
	}
	return msg + " (" + strconv.Itoa(e.attempts) + " attempts)"
}

func (e *requestError) Unwrap() error { return e.err }

// Response body limits: a success body larger than maxSuccessBody is an
// error (a page of 100 large devices is a few MiB; tests lower the limit
// through core.maxBody); an APIError keeps the first maxErrorBody bytes of an
// error body.
const (
	maxSuccessBody = 16 << 20
	maxErrorBody   = 64 << 10
)

// envelope is the API's answer: {"status":true,"data":…} on success,
// {"status":false,"error":{"code":…,"message":…}} on failure.
type envelope[T any] struct {
	Status bool       `json:"status"`
	Data   *T         `json:"data"`
	Error  *errorBody `json:"error"`
}

// decode reads and closes resp, the answer to r, and returns the data of its
// success envelope or the *APIError it amounts to.
func decode[T any](ctx context.Context, c *core, resp *http.Response, r request, out transport.Outcome) (*T, error) {
	body, err := c.successBody(ctx, resp, r, out)
	if err != nil {
		return nil, err
	}
	var env envelope[T]
	err = json.Unmarshal(body, &env)
	if err != nil && !isTypeError(err) {
		return nil, c.answerTo(r, resp, out).apiError(body, nil, "malformed response body: "+err.Error())
	}
	success := env.Status && env.Error == nil && env.Data != nil
	if success && err != nil {
		// A value of the wrong type is tolerated inside data, but encoding/json
		// reports only the first one, and it sets Data even when data is not an
		// object: check the envelope itself. Real responses never take this path.
		success = isSuccessEnvelope(body)
	}
	if !success {
		return nil, c.answerTo(r, resp, out).apiError(body, env.Error, "response is not a success envelope")
	}
	return env.Data, nil
}

// successBody reads and closes resp, the answer to r, and returns its body
// when it is a 2xx read whole within the limit; otherwise the *APIError it
// amounts to, or the *requestError of a context that ended as it was read.
func (c *core) successBody(ctx context.Context, resp *http.Response, r request, out transport.Outcome) ([]byte, error) {
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		a := c.answerTo(r, resp, out)
		body, _, _ := readAtMost(resp.Body, maxErrorBody+a.secrets.longest(), resp.ContentLength)
		transport.CloseBody(resp.Body, false)
		r.noteAnswerTokens(body)
		return nil, a.apiError(body, parseErrorBody(body), "")
	}
	body, tooLarge, err := readAtMost(resp.Body, c.maxBody, resp.ContentLength)
	transport.CloseBody(resp.Body, err == nil && !tooLarge)
	r.noteAnswerTokens(body)
	switch {
	case err != nil && ctx.Err() != nil:
		return nil, &requestError{method: r.method, path: c.pathOf(r), attempts: out.Attempts, err: ctx.Err()}
	case err != nil:
		return nil, c.answerTo(r, resp, out).apiError(body, nil, "reading the response body: "+err.Error())
	case tooLarge:
		return nil, c.answerTo(r, resp, out).apiError(body, nil, "response body larger than "+byteSize(c.maxBody))
	}
	return body, nil
}

// noteAnswerTokens keeps the one-time tokens of body, the answer to r, for
// end, when r collects them (see request.answerTokens).
func (r request) noteAnswerTokens(body []byte) {
	if r.answerTokens != nil {
		*r.answerTokens = append(*r.answerTokens, oneTimeTokensIn(body)...)
	}
}

// isSuccessEnvelope reports whether body, well-formed JSON, is a success
// envelope: "status" is true, "error" is absent or null, and "data" is an
// object.
func isSuccessEnvelope(body []byte) bool {
	var shape struct {
		Status json.RawMessage `json:"status"`
		Data   json.RawMessage `json:"data"`
		Error  json.RawMessage `json:"error"`
	}
	if json.Unmarshal(body, &shape) != nil {
		return false
	}
	return string(shape.Status) == "true" &&
		len(shape.Data) > 0 && shape.Data[0] == '{' &&
		(len(shape.Error) == 0 || string(shape.Error) == "null")
}

// isTypeError reports whether err is only a JSON value of the wrong type for
// its field: encoding/json then leaves that field zero and decodes the rest,
// which is the lenient decoding the SDK wants.
func isTypeError(err error) bool {
	var te *json.UnmarshalTypeError
	return errors.As(err, &te)
}

// answer is the last answer of a call that did not succeed: what an
// *APIError is made of.
type answer struct {
	resp    *http.Response
	method  string // of the request
	path    string // of the request URL, without the query
	out     transport.Outcome
	secrets secretForms // the key's, and those of a secret of the request
	// secretAnswer: the answer may hold secrets the SDK cannot know before
	// it reads them (r.op.secretAnswer)
	secretAnswer bool
}

// answerTo returns resp as the answer to r, at the end of a call that went
// as out says.
func (c *core) answerTo(r request, resp *http.Response, out transport.Outcome) answer {
	return answer{resp: resp, method: r.method, path: c.pathOf(r), out: out, secrets: c.secretsOf(r), secretAnswer: r.op.secretAnswer}
}

// apiError builds the error for a, whose body starts with body. eb is the
// envelope's error member when the body had one; message, when set, explains
// a 2xx that is not a success. The secrets (the key, and a secret of the
// request such as a new password) are redacted, in every form in which they
// can come back, from everything the error keeps, in case a server or a
// proxy echoes the request; the body is redacted before it is cut to
// maxErrorBody, so body should extend secrets.longest() past that when it is
// longer.
//
// The answer of an operation whose answers hold secrets the request did not
// (secretAnswer: an enrollment token's one-time token, which the SDK cannot
// know before it reads it) may carry them in a body that is not the success
// envelope, cut or malformed: its error keeps no Body, and the values of
// the body's "oneTimeToken" members, decoded in full or as far as the body
// goes, are redacted from Message (walked as text that may hold JSON, see
// redactText) and RequestID too. A one-time token that the body holds in
// no "oneTimeToken" member cannot be known, and is not redacted.
func (a answer) apiError(body []byte, eb *errorBody, message string) *APIError {
	e := &APIError{
		StatusCode: a.resp.StatusCode,
		RequestID:  a.secrets.redactString(a.resp.Header.Get(requestIDHeader)),
		RetryAfter: a.out.RetryAfter,
		Attempts:   a.out.Attempts,
		method:     a.method,
		path:       a.path,
	}
	if eb != nil {
		e.Code = ErrorCode(eb.Code)
		e.Message = eb.Message
	}
	if e.Message == "" {
		e.Message = message
	}
	if e.Message == "" {
		e.Message = http.StatusText(a.resp.StatusCode)
	}
	e.Message = a.secrets.redactString(e.Message)
	if a.secretAnswer {
		tokens := formsOf(oneTimeTokensIn(body)...)
		e.Message = string(tokens.redactText([]byte(e.Message)))
		e.RequestID = tokens.redactString(e.RequestID)
		return e
	}
	if len(body) > 0 {
		e.Body = a.secrets.redact(body, maxErrorBody)
	}
	return e
}

// errorBody is the "error" member of the envelope.
type errorBody struct {
	Code    wireCode `json:"code"`
	Message string   `json:"message"`
}

// wireCode decodes error.code, which the reference types as a JSON number:
// 3001, 3001.0 and "3001" all decode, anything else leaves 0.
type wireCode ErrorCode

func (c *wireCode) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if f, err := strconv.ParseFloat(s, 64); err == nil && f == math.Trunc(f) && f >= math.MinInt32 && f <= math.MaxInt32 {
		*c = wireCode(f)
	}
	return nil
}

// errorEnvelope is what apiError needs of a non-2xx body.
type errorEnvelope struct {
	Error *errorBody `json:"error"`
}

// parseErrorBody returns the error member of a non-2xx body, or nil when the
// body is not the JSON error envelope (an HTML page from a proxy, say).
func parseErrorBody(body []byte) *errorBody {
	var env errorEnvelope
	if err := json.Unmarshal(body, &env); err != nil && !isTypeError(err) {
		return nil
	}
	return env.Error
}

// Reading a body: the first buffer is sized from Content-Length, but never
// larger than trustedLength, since a header can promise bytes that never
// come. Then buffers are added as the bytes arrive, each as large as all the
// ones before (at most maxChunk), so a body of n bytes costs about 2n: the
// buffers and one copy that joins them.
const (
	trustedLength = 64 << 10
	firstChunk    = 512 // when there is no Content-Length
	maxChunk      = 1 << 20
)

// readAtMost reads r to its end, or to limit bytes. tooLarge reports that r
// had more than limit bytes; b then holds the first limit. sizeHint, the
// Content-Length when known, sizes the first buffer, up to trustedLength.
func readAtMost(r io.Reader, limit int, sizeHint int64) (b []byte, tooLarge bool, err error) {
	size := firstChunk
	if sizeHint >= 0 {
		size = int(min(sizeHint, trustedLength)) + 1 // +1: room to see io.EOF
	}
	buf := make([]byte, 0, min(size, limit+1))
	var (
		full  [][]byte // the buffers filled before buf
		total int      // the bytes in full
		probe []byte
	)
	for {
		var n int
		if len(buf) < cap(buf) {
			n, err = r.Read(buf[len(buf):cap(buf)])
			buf = buf[:len(buf)+n]
		} else {
			// buf is full. Whether more is coming is read into a small
			// buffer, so that a body that ends here costs no new buffer.
			if probe == nil {
				probe = make([]byte, firstChunk)
			}
			n, err = r.Read(probe[:min(len(probe), limit+1-total-len(buf))])
			if n > 0 {
				full = append(full, buf)
				total += len(buf)
				buf = make([]byte, 0, min(max(total, firstChunk), maxChunk, limit+1-total))
				buf = append(buf, probe[:n]...)
			}
		}
		switch {
		case total+len(buf) > limit:
			return join(full, buf)[:limit], true, nil
		case err == io.EOF:
			return join(full, buf), false, nil
		case err != nil:
			return join(full, buf), false, err
		}
	}
}

// join returns the bytes of full and then last, as one slice.
func join(full [][]byte, last []byte) []byte {
	if len(full) == 0 {
		return last
	}
	n := len(last)
	for _, b := range full {
		n += len(b)
	}
	out := make([]byte, 0, n)
	for _, b := range full {
		out = append(out, b...)
	}
	return append(out, last...)
}

// byteSize writes n bytes as "16 MiB", "64 KiB" or "100 bytes".
func byteSize(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.Itoa(n>>20) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.Itoa(n>>10) + " KiB"
	}
	return strconv.Itoa(n) + " bytes"
}
