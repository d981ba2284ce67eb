package applivery

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// ErrorCode is an Applivery error code, the "code" of the error envelope
// {"status":false,"error":{"code":…,"message":…}}. The constants are the codes
// the reference documents for the endpoints the SDK covers; any other code
// the API sends is kept as it came.
type ErrorCode int

// Documented error codes.
const (
	CodeEntityNotFound    ErrorCode = 3001 // "Entity not found"
	CodeNoAuthToken       ErrorCode = 4002 // "No auth token"
	CodeInvalidToken      ErrorCode = 4004 // "Invalid Token"
	CodeFeatureNotAllowed ErrorCode = 5050 // "Feature not allowed for you billing plan"
	CodeCommandNotPending ErrorCode = 5052 // "EmmCommand status not Pending"
	// CodeAppleCommandNotPending is the Apple cancel's refusal: "AdmCommand
	// not status pending or tried".
	CodeAppleCommandNotPending ErrorCode = 5106
	CodeLimitExceeded          ErrorCode = 5017 // "Limit Exceeded": an enrollment token create over the organization's limit
	CodeUserAlreadyExists      ErrorCode = 5048 // "Mdm user already exists"
)

// Sentinel errors for errors.Is. An [*APIError] matches them by its code or
// HTTP status, a [*ValidationError] matches ErrInvalidArgument.
var (
	// ErrInvalidArgument is a bad argument, caught before any request is sent.
	ErrInvalidArgument = errors.New("applivery: invalid argument")
	// ErrUnauthorized is code 4002 or 4004, or HTTP 401: the key is missing or wrong.
	ErrUnauthorized = errors.New("applivery: unauthorized")
	// ErrForbidden is HTTP 403: the key lacks the endpoint's permission.
	ErrForbidden = errors.New("applivery: forbidden")
	// ErrNotFound is code 3001, or HTTP 404.
	ErrNotFound = errors.New("applivery: not found")
	// ErrFeatureNotAllowed is code 5050: the organization's billing plan lacks the feature.
	ErrFeatureNotAllowed = errors.New("applivery: feature not allowed for the billing plan")
	// ErrCommandNotPending is code 5052, or the Apple commands' 5106: the
	// command was already done or canceled.
	ErrCommandNotPending = errors.New("applivery: command not pending")
	// ErrAlreadyExists is code 5048: an MDM user with that email already
	// exists.
	ErrAlreadyExists = errors.New("applivery: already exists")
	// ErrLimitExceeded is code 5017: the organization is at its limit (of
	// enrollment tokens, for the token creates that document it).
	ErrLimitExceeded = errors.New("applivery: limit exceeded")
	// ErrRateLimited is HTTP 429.
	ErrRateLimited = errors.New("applivery: rate limited")
	// ErrStillPending is the error of a Wait that ran out of time while the
	// command was still pending (an Android command PENDING; an Apple one
	// Pending, Tried or NotNow): its last poll, just before the context's
	// deadline, read it so (or failed), or the context was canceled. Its
	// message names the status the command was last read in.
	// The error also matches the context's error and, when the last poll
	// failed, that poll's error.
	ErrStillPending = errors.New("applivery: command still pending")
	// ErrOutcomeUnknown is a failure after which the server may nonetheless
	// have carried the request out: its answer was lost, or was a server
	// error. The error also matches what it wraps (an *APIError, a network
	// error, the context's error). Find out before repeating the request:
	// a Create that failed so may have created the command.
	ErrOutcomeUnknown = errors.New("applivery: outcome unknown")
)

// APIError is the error for every HTTP answer that is not a success: a non-2xx
// status (JSON or not, redirects included), or a 2xx whose body is not the
// success envelope {"status":true,"data":{…}}. Use errors.As to inspect it and
// errors.Is with the Err* sentinels to branch on it.
//
// A server or proxy may echo the request in its answer. The API key, and a
// secret of the request such as CreateCommandRequest.NewPassword, are
// replaced by [REDACTED] in Message, RequestID and Body wherever they appear:
// as sent, JSON-escaped once or twice by the common encoders, or
// percent-encoded, the hex digits of escapes in any case ("%2f" as "%2F").
// Body is redacted before it is cut.
type APIError struct {
	StatusCode int           // HTTP status of the last attempt
	Code       ErrorCode     // Applivery code from the body; 0 when the body had none
	Message    string        // from the body, else the HTTP status text
	RequestID  string        // from the X-Request-Id response header, when present
	RetryAfter time.Duration // from a Retry-After header, when present
	Attempts   int           // how many HTTP attempts this call made
	Body       []byte        // the start of the raw body, at most 64 KiB

	method string // of the request, for Error
	path   string // the request URL's path, for Error
}

// Error reads "applivery: <METHOD> <path>: <status> <message> (code N)", the
// code part only when the body had one. After more than one attempt it says
// how many, as the error of a call with no answer does: "(code N, 4
// attempts)", or "(4 attempts)" without a code.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("applivery: ")
	if e.method != "" {
		b.WriteString(e.method)
		b.WriteByte(' ')
		b.WriteString(e.path)
		b.WriteString(": ")
	}
	b.WriteString(strconv.Itoa(e.StatusCode))
	if e.Message != "" {
		b.WriteByte(' ')
		b.WriteString(e.Message)
	}
	switch {
	case e.Code != 0 && e.Attempts > 1:
		fmt.Fprintf(&b, " (code %d, %d attempts)", e.Code, e.Attempts)
	case e.Code != 0:
		fmt.Fprintf(&b, " (code %d)", e.Code)
	case e.Attempts > 1:
		fmt.Fprintf(&b, " (%d attempts)", e.Attempts)
	}
	return b.String()
}

// Is reports whether target is the sentinel for e's code or HTTP status.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrUnauthorized:
		return e.Code == CodeNoAuthToken || e.Code == CodeInvalidToken || e.StatusCode == http.StatusUnauthorized
	case ErrForbidden:
		return e.StatusCode == http.StatusForbidden
	case ErrNotFound:
		return e.Code == CodeEntityNotFound || e.StatusCode == http.StatusNotFound
	case ErrFeatureNotAllowed:
		return e.Code == CodeFeatureNotAllowed
	case ErrCommandNotPending:
		return e.Code == CodeCommandNotPending || e.Code == CodeAppleCommandNotPending
	case ErrAlreadyExists:
		return e.Code == CodeUserAlreadyExists
	case ErrLimitExceeded:
		return e.Code == CodeLimitExceeded
	case ErrRateLimited:
		return e.StatusCode == http.StatusTooManyRequests
	}
	return false
}

// ValidationError reports an argument that was refused before any request was
// sent: an ID that does not match its documented pattern, or an option value
// that cannot work. It matches [ErrInvalidArgument] with errors.Is.
type ValidationError struct {
	Field   string // the API's name ("organizationId", "emmDeviceId", "emmCommandId", …) or the option's parameter
	Value   string // the value refused; empty when it is secret, such as an API key
	Pattern string // the documented pattern it failed, when there is one
	Reason  string // what is wrong, when there is no pattern to name
}

// maxShownValue bounds how much of a refused value Error quotes.
const maxShownValue = 64

// Error reads `applivery: invalid <field> "<value>": must match <pattern>`, or
// names the Reason when there is no pattern.
func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("applivery: invalid ")
	b.WriteString(e.Field)
	if e.Value != "" {
		v := e.Value
		if len(v) > maxShownValue {
			v = v[:maxShownValue] + "…"
		}
		b.WriteByte(' ')
		b.WriteString(strconv.Quote(v))
	}
	b.WriteString(": ")
	switch {
	case e.Reason != "":
		b.WriteString(e.Reason)
	case e.Value == "":
		b.WriteString("empty, must match ")
		b.WriteString(e.Pattern)
	default:
		b.WriteString("must match ")
		b.WriteString(e.Pattern)
	}
	return b.String()
}

// Is reports whether target is ErrInvalidArgument.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalidArgument }
