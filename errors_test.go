package applivery

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
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
	sentinels := []error{ErrUnauthorized, ErrForbidden, ErrNotFound, ErrFeatureNotAllowed, ErrCommandNotPending, ErrRateLimited, ErrInvalidArgument, ErrAlreadyExists, ErrLimitExceeded}
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
		{"5048 user already exists", 400, CodeUserAlreadyExists, ErrAlreadyExists},
		{"5017 limit exceeded", 400, CodeLimitExceeded, ErrLimitExceeded},
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
