package applivery

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/applivery/applivery-go/internal/transport"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAPIErrorError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		give *APIError
		want string
	}{
		{
			name: "code and message",
			give: &APIError{StatusCode: 404, Code: 3001, Message: "Entity not found", method: "POST", path: "/v1/x/cancel"},
			want: "applivery: POST /v1/x/cancel: 404 Entity not found (code 3001)",
		},
		{
			name: "no code",
			give: &APIError{StatusCode: 502, Message: "Bad Gateway", method: "POST", path: "/v1/x"},
			want: "applivery: POST /v1/x: 502 Bad Gateway",
		},
		{
			name: "one attempt is not mentioned",
			give: &APIError{StatusCode: 400, Code: 5052, Message: "EmmCommand status not Pending", Attempts: 1, method: "POST", path: "/v1/x"},
			want: "applivery: POST /v1/x: 400 EmmCommand status not Pending (code 5052)",
		},
		{
			name: "attempts, no code",
			give: &APIError{StatusCode: 503, Message: "Service Unavailable", Attempts: 4, method: "GET", path: "/v1/x"},
			want: "applivery: GET /v1/x: 503 Service Unavailable (4 attempts)",
		},
		{
			name: "attempts and a code",
			give: &APIError{StatusCode: 400, Code: 5052, Message: "EmmCommand status not Pending", Attempts: 2, method: "POST", path: "/v1/x"},
			want: "applivery: POST /v1/x: 400 EmmCommand status not Pending (code 5052, 2 attempts)",
		},
		{
			name: "built outside a call",
			give: &APIError{StatusCode: 429, Message: "Too Many Requests"},
			want: "applivery: 429 Too Many Requests",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, tt.give.Error())
		})
	}
}

func TestAPIErrorIs(t *testing.T) {
	t.Parallel()
	sentinels := []error{ErrUnauthorized, ErrForbidden, ErrNotFound, ErrFeatureNotAllowed, ErrCommandNotPending, ErrRateLimited, ErrInvalidArgument}
	tests := []struct {
		name   string
		status int
		code   ErrorCode
		want   error // the one sentinel it matches; nil for none
	}{
		{"4002 no auth token", 401, CodeNoAuthToken, ErrUnauthorized},
		{"4004 invalid token", 401, CodeInvalidToken, ErrUnauthorized},
		{"4004 on a 400", 400, CodeInvalidToken, ErrUnauthorized},
		{"bare 401", 401, 0, ErrUnauthorized},
		{"403", 403, 0, ErrForbidden},
		{"3001", 404, CodeEntityNotFound, ErrNotFound},
		{"3001 on a 400", 400, CodeEntityNotFound, ErrNotFound},
		{"bare 404", 404, 0, ErrNotFound},
		{"5050", 400, CodeFeatureNotAllowed, ErrFeatureNotAllowed},
		{"5052", 400, CodeCommandNotPending, ErrCommandNotPending},
		{"429", 429, 0, ErrRateLimited},
		{"500", 500, 0, nil},
		{"unknown code", 400, 9999, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var err error = &APIError{StatusCode: tt.status, Code: tt.code}
			for _, s := range sentinels {
				assert.Equal(t, s == tt.want, errors.Is(err, s), "errors.Is(%v)", s)
			}
		})
	}
}

func TestValidationErrorError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		give *ValidationError
		want string
	}{
		{
			name: "pattern",
			give: &ValidationError{Field: "emmCommandId", Value: "abc", Pattern: CommandIDPattern},
			want: `applivery: invalid emmCommandId "abc": must match ^[a-fA-F0-9]{24}$`,
		},
		{
			name: "empty value",
			give: &ValidationError{Field: "emmDeviceId", Pattern: DeviceIDPattern},
			want: `applivery: invalid emmDeviceId: empty, must match ^(([a-fA-F0-9]{24})|(\w{1,}))$`,
		},
		{
			name: "control characters are quoted",
			give: &ValidationError{Field: "organizationId", Value: "a\nb", Pattern: "p"},
			want: `applivery: invalid organizationId "a\nb": must match p`,
		},
		{
			name: "reason",
			give: &ValidationError{Field: "maxRetries", Value: "-1", Reason: "must be 0 or more"},
			want: `applivery: invalid maxRetries "-1": must be 0 or more`,
		},
		{
			name: "secret value left out",
			give: &ValidationError{Field: "apiKey", Reason: "is empty"},
			want: `applivery: invalid apiKey: is empty`,
		},
		{
			name: "long value cut",
			give: &ValidationError{Field: "emmDeviceId", Value: strings.Repeat("x", 100), Pattern: "p"},
			want: `applivery: invalid emmDeviceId "` + strings.Repeat("x", 64) + `…": must match p`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, tt.give.Error())
			assert.ErrorIs(t, tt.give, ErrInvalidArgument)
			assert.NotErrorIs(t, tt.give, ErrNotFound)
		})
	}
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

func TestNewAPIError(t *testing.T) {
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
