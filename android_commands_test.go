package applivery

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCancelRequestShape(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		opts    []Option
		wantURL string
		wantUA  string
	}{
		{
			name:    "prefix kept",
			wantURL: "https://api.example.test/prefix/v1" + cancelPath,
			wantUA:  "applivery-go/" + Version,
		},
		{
			name:    "trailing slash in the base URL",
			opts:    []Option{WithBaseURL("https://api.example.test/prefix/v1/")},
			wantURL: "https://api.example.test/prefix/v1" + cancelPath,
			wantUA:  "applivery-go/" + Version,
		},
		{
			name:    "user agent product first",
			opts:    []Option{WithUserAgent("fleet-sync/2.1")},
			wantURL: "https://api.example.test/prefix/v1" + cancelPath,
			wantUA:  "fleet-sync/2.1 applivery-go/" + Version,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockClient(t, tt.opts...)
			var got *http.Request
			var gotBody []byte
			mt.RegisterResponder(http.MethodPost, tt.wantURL, func(r *http.Request) (*http.Response, error) {
				got = r
				if r.Body != nil {
					gotBody, _ = io.ReadAll(r.Body)
				}
				return httpmock.NewStringResponse(200, documentedCancelResponse), nil
			})

			cmd, err := c.AndroidCommands.Cancel(context.Background(), validOrg, validDevice, validCommand)
			require.NoError(t, err)
			require.NotNil(t, got)
			assert.Equal(t, validCommand, cmd.ID)
			assert.Equal(t, http.MethodPost, got.Method)
			assert.Equal(t, tt.wantURL, got.URL.String())
			assert.Equal(t, "Bearer "+testKey, got.Header.Get("Authorization"))
			assert.Equal(t, "application/json", got.Header.Get("Accept"))
			assert.Equal(t, tt.wantUA, got.Header.Get("User-Agent"))
			assert.Empty(t, got.Header.Get("Content-Type"))
			assert.Zero(t, got.ContentLength)
			assert.Empty(t, gotBody)
			assert.Equal(t, 1, mt.GetTotalCallCount())
		})
	}
}

func TestCancelValidatesBeforeTheWire(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		org, dev, cmd string
		wantField     string
	}{
		{"traversal in org", "../../admin", validDevice, validCommand, "organizationId"},
		{"percent in org", "ac%2e%2e", validDevice, validCommand, "organizationId"},
		{"slash in device", validOrg, "a/b", validCommand, "emmDeviceId"},
		{"newline in device", validOrg, "dev\nice", validCommand, "emmDeviceId"},
		{"space in device", validOrg, "dev ice", validCommand, "emmDeviceId"},
		{"non-ascii device", validOrg, "dévice", validCommand, "emmDeviceId"},
		{"short command", validOrg, validDevice, "abc", "emmCommandId"},
		{"command with a path", validOrg, validDevice, validCommand + "/../x", "emmCommandId"},
		{"empty command", validOrg, validDevice, "", "emmCommandId"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockClient(t)
			mt.RegisterNoResponder(httpmock.NewStringResponder(200, documentedCancelResponse))

			cmd, err := c.AndroidCommands.Cancel(context.Background(), tt.org, tt.dev, tt.cmd)
			assert.Nil(t, cmd)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tt.wantField, ve.Field)
			assert.ErrorIs(t, err, ErrInvalidArgument)
			assert.Zero(t, mt.GetTotalCallCount(), "no request may be sent")
		})
	}
}

func TestCancelErrorMapping(t *testing.T) {
	t.Parallel()
	envelope := func(code int, msg string) string {
		return `{"status":false,"error":{"code":` + strconv.Itoa(code) + `,"message":"` + msg + `"}}`
	}
	tests := []struct {
		name        string
		status      int
		body        string
		header      http.Header
		wantCode    ErrorCode
		wantMessage string
		wantIs      error
		wantText    string
	}{
		{
			name: "5052 not pending", status: 400, body: envelope(5052, "EmmCommand status not Pending"),
			wantCode: CodeCommandNotPending, wantMessage: "EmmCommand status not Pending", wantIs: ErrCommandNotPending,
			wantText: "applivery: POST /prefix/v1" + cancelPath + ": 400 EmmCommand status not Pending (code 5052)",
		},
		{
			name: "5050 billing plan", status: 400, body: envelope(5050, "Feature not allowed for you billing plan"),
			wantCode: CodeFeatureNotAllowed, wantMessage: "Feature not allowed for you billing plan", wantIs: ErrFeatureNotAllowed,
		},
		{
			name: "4002 no token", status: 401, body: envelope(4002, "No auth token"),
			wantCode: CodeNoAuthToken, wantMessage: "No auth token", wantIs: ErrUnauthorized,
		},
		{
			name: "4004 invalid token", status: 401, body: envelope(4004, "Invalid Token"),
			wantCode: CodeInvalidToken, wantMessage: "Invalid Token", wantIs: ErrUnauthorized,
		},
		{
			name: "3001 not found", status: 404, body: envelope(3001, "Entity not found"),
			wantCode: CodeEntityNotFound, wantMessage: "Entity not found", wantIs: ErrNotFound,
			wantText: "applivery: POST /prefix/v1" + cancelPath + ": 404 Entity not found (code 3001)",
		},
		{
			name: "403 without a body", status: 403, body: "",
			wantMessage: "Forbidden", wantIs: ErrForbidden,
		},
		{
			name: "429 with retry-after", status: 429, body: `{"status":false}`, header: http.Header{"Retry-After": {"120"}},
			wantMessage: "Too Many Requests", wantIs: ErrRateLimited,
		},
		{
			name: "html 502 from a proxy", status: 502, body: "<html><head><title>502 Bad Gateway</title></head></html>",
			wantMessage: "Bad Gateway", wantIs: ErrOutcomeUnknown, // the backend may have canceled it
			wantText: "applivery: POST /prefix/v1" + cancelPath + ": 502 Bad Gateway; the command may have been canceled: get it to find out",
		},
		{
			name: "501 not implemented", status: 501, body: "nope",
			wantMessage: "Not Implemented",
		},
		{
			name: "422 with a float code", status: 422, body: `{"status":false,"error":{"code":5209.0,"message":"Invalid input"}}`,
			wantCode: 5209, wantMessage: "Invalid input",
		},
		{
			name: "301 redirect is not followed", status: 301, body: "",
			header:      http.Header{"Location": {"https://elsewhere.example/steal"}},
			wantMessage: "Moved Permanently",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockClient(t, WithMaxRetries(0))
			mt.RegisterResponder(http.MethodPost, "https://api.example.test/prefix/v1"+cancelPath, func(*http.Request) (*http.Response, error) {
				resp := httpmock.NewStringResponse(tt.status, tt.body)
				for k, v := range tt.header {
					resp.Header[k] = v
				}
				resp.Header.Set("X-Request-Id", "req-"+tt.name)
				return resp, nil
			})
			mt.RegisterNoResponder(httpmock.NewNotFoundResponder(t.Fatal))

			cmd, err := c.AndroidCommands.Cancel(context.Background(), validOrg, validDevice, validCommand)
			assert.Nil(t, cmd)
			apiErr := requireAPIError(t, err)
			assert.Equal(t, tt.status, apiErr.StatusCode)
			assert.Equal(t, tt.wantCode, apiErr.Code)
			assert.Equal(t, tt.wantMessage, apiErr.Message)
			assert.Equal(t, "req-"+tt.name, apiErr.RequestID)
			assert.Equal(t, 1, apiErr.Attempts)
			assert.Equal(t, tt.body, string(apiErr.Body))
			if tt.wantIs != nil {
				assert.ErrorIs(t, err, tt.wantIs)
			}
			if tt.wantText != "" {
				assert.Equal(t, tt.wantText, err.Error())
			}
			assert.NotContains(t, err.Error(), testKey)
			assert.Equal(t, 1, mt.GetTotalCallCount())
		})
	}
}

func TestCancelRetryAfterIsReported(t *testing.T) {
	t.Parallel()
	c, mt := newMockClient(t, WithMaxRetries(0))
	mt.RegisterResponder(http.MethodPost, "https://api.example.test/prefix/v1"+cancelPath,
		httpmock.NewStringResponder(503, "").HeaderSet(http.Header{"Retry-After": {"Wed, 21 Oct 2099 07:28:00 GMT"}}))
	_, err := c.AndroidCommands.Cancel(context.Background(), validOrg, validDevice, validCommand)
	apiErr := requireAPIError(t, err)
	assert.Greater(t, apiErr.RetryAfter, 365*24*time.Hour)
}

func TestCancelErrorBodyIsBounded(t *testing.T) {
	t.Parallel()
	c, mt := newMockClient(t, WithMaxRetries(0))
	big := `{"status":false,"error":{"code":3001,"message":"` + strings.Repeat("x", 100<<10) + `"}}`
	mt.RegisterResponder(http.MethodPost, "https://api.example.test/prefix/v1"+cancelPath, httpmock.NewStringResponder(404, big))
	_, err := c.AndroidCommands.Cancel(context.Background(), validOrg, validDevice, validCommand)
	apiErr := requireAPIError(t, err)
	assert.Len(t, apiErr.Body, maxErrorBody)
	assert.Equal(t, big[:maxErrorBody], string(apiErr.Body))
	assert.Equal(t, "Not Found", apiErr.Message, "a truncated envelope is not decoded")
	assert.ErrorIs(t, err, ErrNotFound)
}

func TestCancelSuccessBodyThatIsNotSuccess(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		status      int
		body        string
		wantCode    ErrorCode
		wantMessage string // a prefix
	}{
		{name: "empty", status: 200, body: "", wantMessage: "malformed response body"},
		{name: "truncated", status: 200, body: documentedCancelResponse[:120], wantMessage: "malformed response body"},
		{name: "html", status: 200, body: "<html>maintenance</html>", wantMessage: "malformed response body"},
		{name: "trailing garbage", status: 200, body: documentedCancelResponse + "}", wantMessage: "malformed response body"},
		{name: "status false with an error", status: 200, body: `{"status":false,"error":{"code":5052,"message":"EmmCommand status not Pending"}}`,
			wantCode: CodeCommandNotPending, wantMessage: "EmmCommand status not Pending"},
		{name: "legacy status true with an error", status: 200, body: `{"status":true,"error":{"code":4001,"message":"Entity not found"},"data":{}}`,
			wantCode: 4001, wantMessage: "Entity not found"},
		{name: "status false alone", status: 200, body: `{"status":false}`, wantMessage: "response is not a success envelope"},
		{name: "status missing", status: 200, body: `{"data":{"id":"x"}}`, wantMessage: "response is not a success envelope"},
		{name: "status of the wrong type", status: 200, body: `{"status":"true","data":{"id":"x"}}`, wantMessage: "response is not a success envelope"},
		{name: "data null", status: 200, body: `{"status":true,"data":null}`, wantMessage: "response is not a success envelope"},
		{name: "data missing", status: 200, body: `{"status":true}`, wantMessage: "response is not a success envelope"},
		{name: "data an array", status: 200, body: `{"status":true,"data":[]}`, wantMessage: "response is not a success envelope"},
		{name: "a json array", status: 201, body: `[1,2]`, wantMessage: "response is not a success envelope"},
		{name: "null", status: 204, body: `null`, wantMessage: "response is not a success envelope"},
		{name: "error of the wrong type after a bad field in data", status: 200, body: `{"status":true,"data":{"id":1},"error":"x"}`,
			wantMessage: "response is not a success envelope"},
		{name: "data replaced by an array after a bad field in data", status: 200, body: `{"status":true,"data":{"id":1},"data":[]}`,
			wantMessage: "response is not a success envelope"},
		{name: "status false after a bad field in data", status: 200, body: `{"data":{"id":1},"status":true,"status":false}`,
			wantMessage: "response is not a success envelope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockClient(t)
			mt.RegisterResponder(http.MethodPost, "https://api.example.test/prefix/v1"+cancelPath, httpmock.NewStringResponder(tt.status, tt.body))

			cmd, err := c.AndroidCommands.Cancel(context.Background(), validOrg, validDevice, validCommand)
			assert.Nil(t, cmd)
			apiErr := requireAPIError(t, err)
			assert.Equal(t, tt.status, apiErr.StatusCode)
			assert.Equal(t, tt.wantCode, apiErr.Code)
			assert.True(t, strings.HasPrefix(apiErr.Message, tt.wantMessage), "message %q", apiErr.Message)
			assert.Equal(t, 1, mt.GetTotalCallCount(), "a 2xx is never retried")
		})
	}
}

func TestCancelLooksUpAfterAnUnreadableSuccessOnly(t *testing.T) {
	t.Parallel()
	canceledLongAgo := `{"status":true,"data":{"id":"` + validCommand + `","status":"CANCEL","updatedAt":"2020-01-01T00:00:00Z"}}`
	tests := []struct {
		name        string
		body        string
		wantLookup  bool
		wantSuccess bool
	}{
		{"cut", documentedCancelResponse[:120], true, true},
		{"not an envelope", `<html>OK</html>`, true, true},
		{"status false alone", `{"status":false}`, true, true},
		{"an error code in a 200: an answer like any", `{"status":false,"error":{"code":5052,"message":"EmmCommand status not Pending"}}`, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockClient(t)
			mt.RegisterResponder(http.MethodPost, commandURL+"/cancel", httpmock.NewStringResponder(200, tt.body))
			mt.RegisterResponder(http.MethodGet, commandURL, httpmock.NewStringResponder(200, canceledLongAgo))
			cmd, err := c.AndroidCommands.Cancel(context.Background(), validOrg, validDevice, validCommand)
			assert.Equal(t, tt.wantLookup, mt.GetCallCountInfo()["GET "+commandURL] == 1, "lookup")
			if tt.wantSuccess {
				require.NoError(t, err, "the 200 says this call canceled it, however long ago the command changed")
				assert.Equal(t, CommandStatusCanceled, cmd.Status)
				return
			}
			assert.ErrorIs(t, err, ErrCommandNotPending)
			assert.NotErrorIs(t, err, ErrOutcomeUnknown)
		})
	}
}

func TestCancelSuccessBodyTooLarge(t *testing.T) {
	t.Parallel()
	c, mt := newMockClient(t)
	c.core.maxBody = 256 << 10 // not 16 MiB of padding under the race detector
	pad := strings.Repeat(" ", c.core.maxBody)
	mt.RegisterResponder(http.MethodPost, "https://api.example.test/prefix/v1"+cancelPath,
		httpmock.NewStringResponder(200, documentedCancelResponse+pad))
	_, err := c.AndroidCommands.Cancel(context.Background(), validOrg, validDevice, validCommand)
	apiErr := requireAPIError(t, err)
	assert.Equal(t, 200, apiErr.StatusCode)
	assert.Equal(t, "response body larger than 256 KiB", apiErr.Message)
	assert.Len(t, apiErr.Body, maxErrorBody)
}

func TestCancelDecodesTheDocumentedExample(t *testing.T) {
	t.Parallel()
	c, mt := newMockClient(t)
	mt.RegisterResponder(http.MethodPost, "https://api.example.test/prefix/v1"+cancelPath,
		httpmock.NewStringResponder(200, documentedCancelResponse))
	cmd, err := c.AndroidCommands.Cancel(context.Background(), validOrg, validDevice, validCommand)
	require.NoError(t, err)
	assert.Equal(t, "507f1f77bcf86cd799439011", cmd.ID)
	assert.Equal(t, "507f1f77bcf86cd799439014", cmd.MDMUser)
	assert.Equal(t, CommandStatusPending, cmd.Status)
	assert.Equal(t, CommandTypeLock, cmd.Config.Metadata.Type)
	assert.True(t, cmd.Config.Done)
	assert.Equal(t, documentedRawConfig, string(cmd.RawConfig))
	assert.True(t, cmd.UpdatedAt.IsZero(), "the documented timestamp does not parse")
	assert.True(t, cmd.CreatedAt.IsZero())
}

func TestCancelToleratesWrongTypesInsideData(t *testing.T) {
	t.Parallel()
	c, mt := newMockClient(t)
	mt.RegisterResponder(http.MethodPost, "https://api.example.test/prefix/v1"+cancelPath, httpmock.NewStringResponder(200,
		`{"status":true,"data":{"id":12,"status":"CANCEL","config":"x","mdmUser":"u","updatedAt":false},"error":null}`))
	cmd, err := c.AndroidCommands.Cancel(context.Background(), validOrg, validDevice, validCommand)
	require.NoError(t, err, "the server carried the call out: a bad field must not fail it")
	assert.Empty(t, cmd.ID)
	assert.Equal(t, CommandStatusCanceled, cmd.Status)
	assert.Equal(t, "u", cmd.MDMUser)
}

func TestCancelTransportErrorIsNotAnAPIError(t *testing.T) {
	t.Parallel()
	c, mt := newMockClient(t, WithMaxRetries(2))
	mt.RegisterResponder(http.MethodPost, "https://api.example.test/prefix/v1"+cancelPath, httpmock.ConnectionFailure)
	_, err := c.AndroidCommands.Cancel(context.Background(), validOrg, validDevice, validCommand)
	require.Error(t, err)
	var apiErr *APIError
	assert.False(t, errors.As(err, &apiErr))
	assert.ErrorIs(t, err, httpmock.NoResponderFound)
	assert.Equal(t, 3, mt.GetTotalCallCount(), "connection failures are retried")
	assert.Contains(t, err.Error(), "(3 attempts)")
	assert.Contains(t, err.Error(), "applivery: POST /prefix/v1"+cancelPath+": ")
}

func TestValidationBeforeTheWireForEveryMethod(t *testing.T) {
	t.Parallel()
	calls := map[string]func(c *Client, org, dev, cmd string) error{
		"Cancel": func(c *Client, org, dev, cmd string) error {
			_, err := c.AndroidCommands.Cancel(context.Background(), org, dev, cmd)
			return err
		},
		"Get": func(c *Client, org, dev, cmd string) error {
			_, err := c.AndroidCommands.Get(context.Background(), org, dev, cmd)
			return err
		},
		"List": func(c *Client, org, dev, _ string) error {
			_, err := c.AndroidCommands.List(context.Background(), org, dev, nil)
			return err
		},
		"ListAll": func(c *Client, org, dev, _ string) error {
			for _, err := range c.AndroidCommands.ListAll(context.Background(), org, dev, nil) {
				return err
			}
			return nil
		},
		"Create": func(c *Client, org, dev, _ string) error {
			_, err := c.AndroidCommands.Create(context.Background(), org, dev, &CreateCommandRequest{Type: CommandTypeLock})
			return err
		},
	}
	ids := []struct {
		name          string
		org, dev, cmd string
		wantField     string
		commandOnly   bool // only the methods with a command ID see it
	}{
		{"traversal in org", "../admin", validDevice, validCommand, "organizationId", false},
		{"percent in org", "ac%2e", validDevice, validCommand, "organizationId", false},
		{"newline in device", validOrg, "a\nb", validCommand, "emmDeviceId", false},
		{"slash in device", validOrg, "a/b", validCommand, "emmDeviceId", false},
		{"bad command", validOrg, validDevice, "x/../y", "emmCommandId", true},
	}
	for method, call := range calls {
		for _, tt := range ids {
			if tt.commandOnly && (method == "List" || method == "ListAll" || method == "Create") {
				continue
			}
			t.Run(method+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				c, mt := newMockClient(t)
				mt.RegisterNoResponder(httpmock.NewStringResponder(200, documentedCancelResponse))
				err := call(c, tt.org, tt.dev, tt.cmd)
				var ve *ValidationError
				require.ErrorAs(t, err, &ve)
				assert.Equal(t, tt.wantField, ve.Field)
				assert.Zero(t, mt.GetTotalCallCount())
			})
		}
	}
}

func TestGetRequestShape(t *testing.T) {
	t.Parallel()
	c, mt := newMockClient(t)
	var got capture
	mt.RegisterResponder(http.MethodGet, commandURL, got.responder(200, documentedCancelResponse))
	cmd, err := c.AndroidCommands.Get(context.Background(), validOrg, validDevice, validCommand)
	require.NoError(t, err)
	assert.Equal(t, validCommand, cmd.ID)
	assert.Equal(t, CommandTypeLock, cmd.Config.Metadata.Type)
	assert.Equal(t, http.MethodGet, got.req.Method)
	assert.Equal(t, commandURL, got.req.URL.String())
	assert.Equal(t, "Bearer "+testKey, got.req.Header.Get("Authorization"))
	assert.Equal(t, "application/json", got.req.Header.Get("Accept"))
	assert.Empty(t, got.req.Header.Get("Content-Type"))
	assert.Empty(t, got.body)
}

func TestListQuery(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		opts      *ListCommandsOptions
		wantQuery string
	}{
		{"nil options", nil, ""},
		{"zero options", &ListCommandsOptions{}, ""},
		{"page", &ListCommandsOptions{Page: 2}, "page=2"},
		{"limit", &ListCommandsOptions{Limit: 50}, "limit=50"},
		{"sort", &ListCommandsOptions{Sort: "createdAt"}, "sort=createdAt"},
		{"all", &ListCommandsOptions{Page: 3, Limit: 10, Sort: "createdAt:desc"}, "limit=10&page=3&sort=createdAt%3Adesc"},
		{"dotted sort", &ListCommandsOptions{Sort: "config.metadata.type:asc"}, "sort=config.metadata.type%3Aasc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockClient(t)
			var got capture
			mt.RegisterNoResponder(got.responder(200, `{"status":true,"data":{"items":[]}}`))
			_, err := c.AndroidCommands.List(context.Background(), validOrg, validDevice, tt.opts)
			require.NoError(t, err)
			assert.Equal(t, http.MethodGet, got.req.Method)
			assert.Equal(t, "/prefix/v1"+devicePathT, got.req.URL.Path)
			assert.Equal(t, tt.wantQuery, got.req.URL.RawQuery)
		})
	}
}

func TestListValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		opts      ListCommandsOptions
		wantField string
	}{
		{"negative page", ListCommandsOptions{Page: -1}, "page"},
		{"negative limit", ListCommandsOptions{Limit: -5}, "limit"},
		{"unknown direction", ListCommandsOptions{Sort: "name:up"}, "sort"},
		{"two directions", ListCommandsOptions{Sort: "name:asc:desc"}, "sort"},
		{"space", ListCommandsOptions{Sort: "created At"}, "sort"},
		{"injection", ListCommandsOptions{Sort: "a&limit=100000"}, "sort"},
		{"non-ascii", ListCommandsOptions{Sort: "créé"}, "sort"},
		{"minus", ListCommandsOptions{Sort: "-createdAt"}, "sort"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockClient(t)
			mt.RegisterNoResponder(httpmock.NewStringResponder(200, `{"status":true,"data":{}}`))
			_, err := c.AndroidCommands.List(context.Background(), validOrg, validDevice, &tt.opts)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tt.wantField, ve.Field)
			assert.ErrorIs(t, err, ErrInvalidArgument)
			if tt.wantField == "sort" {
				assert.Equal(t, SortPattern, ve.Pattern)
			}
			assert.Zero(t, mt.GetTotalCallCount())
		})
	}
}

func TestListDecodesTheEnvelope(t *testing.T) {
	t.Parallel()
	item := `{"id":"` + validCommand + `","status":"PENDING","config":{"metadata":{"type":"LOCK"}},"updatedAt":"2026-02-10T14: 30:00Z"}`
	tests := []struct {
		name string
		data string
		want CommandPage
	}{
		{
			name: "full envelope",
			data: `{"items":[` + item + `],"totalDocs":21,"limit":10,"hasPrevPage":true,"hasNextPage":true,"page":2,"totalPages":3,"prevPage":1,"nextPage":3,"pagingCounter":11}`,
			want: CommandPage{Page: 2, Limit: 10, TotalDocs: 21, TotalPages: 3, HasNextPage: true, HasPrevPage: true, NextPage: 3, PrevPage: 1},
		},
		{
			name: "null page numbers",
			data: `{"items":[` + item + `],"totalDocs":1,"limit":100,"hasPrevPage":false,"hasNextPage":false,"page":1,"totalPages":1,"prevPage":null,"nextPage":null}`,
			want: CommandPage{Page: 1, Limit: 100, TotalDocs: 1, TotalPages: 1},
		},
		{
			name: "only items",
			data: `{"items":[` + item + `]}`,
		},
		{
			name: "numbers of the wrong type",
			data: `{"items":[` + item + `],"page":"2","nextPage":"3","limit":10.5,"totalDocs":7}`,
			want: CommandPage{TotalDocs: 7},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockClient(t)
			mt.RegisterResponder(http.MethodGet, commandsURL, httpmock.NewStringResponder(200, `{"status":true,"data":`+tt.data+`}`))
			page, err := c.AndroidCommands.List(context.Background(), validOrg, validDevice, nil)
			require.NoError(t, err)
			require.Len(t, page.Items, 1)
			assert.Equal(t, validCommand, page.Items[0].ID)
			assert.Equal(t, CommandStatusPending, page.Items[0].Status)
			page.Items = nil
			assert.Equal(t, tt.want, *page)
		})
	}
	t.Run("no items", func(t *testing.T) {
		t.Parallel()
		c, mt := newMockClient(t)
		mt.RegisterResponder(http.MethodGet, commandsURL, httpmock.NewStringResponder(200, `{"status":true,"data":{"totalDocs":0}}`))
		page, err := c.AndroidCommands.List(context.Background(), validOrg, validDevice, nil)
		require.NoError(t, err)
		assert.Empty(t, page.Items)
	})
	t.Run("data not an object", func(t *testing.T) {
		t.Parallel()
		c, mt := newMockClient(t)
		mt.RegisterResponder(http.MethodGet, commandsURL, httpmock.NewStringResponder(200, `{"status":true,"data":[]}`))
		_, err := c.AndroidCommands.List(context.Background(), validOrg, validDevice, nil)
		assert.Equal(t, 200, requireAPIError(t, err).StatusCode)
	})
}

func TestCreateRequestShape(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		req      *CreateCommandRequest
		wantBody string
	}{
		{
			name:     "type only",
			req:      &CreateCommandRequest{Type: CommandTypeReboot},
			wantBody: `{"type":"REBOOT"}`,
		},
		{
			name:     "stop lost mode sends an empty object",
			req:      &CreateCommandRequest{Type: CommandTypeStopLostMode, StopLostMode: &StopLostModeParams{}},
			wantBody: `{"type":"STOP_LOST_MODE","stopLostModeParams":{}}`,
		},
		{
			name:     "undocumented type passes through",
			req:      &CreateCommandRequest{Type: "WIPE"},
			wantBody: `{"type":"WIPE"}`,
		},
		{
			name: "the documented example",
			req: &CreateCommandRequest{
				Type:               CommandTypeLock,
				Duration:           "3600s",
				NewPassword:        "NewSecureP@ss123",
				ResetPasswordFlags: []string{"REQUIRE_ENTRY", "LOCK_NOW"},
				StartLostMode: &StartLostModeParams{
					LostMessage:     &UserFacingMessage{DefaultMessage: "This device is lost. Please contact owner."},
					LostPhoneNumber: &UserFacingMessage{DefaultMessage: "+1-555-0123"},
				},
				ClearAppsData: &ClearAppsDataParams{PackageNames: []string{"com.example.app"}},
				StopLostMode:  &StopLostModeParams{},
				AddEsim:       &AddEsimParams{CarrierName: "Acme Mobile", ActivationCode: "LPA:1$carrier.com$activation-code"},
				RemoveEsim:    &RemoveEsimParams{ICCID: "89012345678901234567"},
			},
			wantBody: `{
				"type": "LOCK",
				"duration": "3600s",
				"newPassword": "NewSecureP@ss123",
				"resetPasswordFlags": ["REQUIRE_ENTRY", "LOCK_NOW"],
				"startLostModeParams": {
					"lostMessage": {"defaultMessage": "This device is lost. Please contact owner."},
					"lostPhoneNumber": {"defaultMessage": "+1-555-0123"}
				},
				"clearAppsDataParams": {"packageNames": ["com.example.app"]},
				"stopLostModeParams": {},
				"addEsimParams": {"carrierName": "Acme Mobile", "activationCode": "LPA:1$carrier.com$activation-code"},
				"removeEsimParams": {"iccid": "89012345678901234567"}
			}`,
		},
		{
			name: "localized lost message",
			req: &CreateCommandRequest{Type: CommandTypeStartLostMode, StartLostMode: &StartLostModeParams{
				LostMessage: &UserFacingMessage{DefaultMessage: "Lost", LocalizedMessages: map[string]string{"es": "Perdido"}},
			}},
			wantBody: `{"type":"START_LOST_MODE","startLostModeParams":{"lostMessage":{"defaultMessage":"Lost","localizedMessages":{"es":"Perdido"}}}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockClient(t)
			var got capture
			mt.RegisterResponder(http.MethodPost, commandsURL, got.responder(200, documentedCancelResponse))
			cmd, err := c.AndroidCommands.Create(context.Background(), validOrg, validDevice, tt.req)
			require.NoError(t, err)
			assert.Equal(t, validCommand, cmd.ID)
			assert.Equal(t, http.MethodPost, got.req.Method)
			assert.Equal(t, commandsURL, got.req.URL.String())
			assert.Equal(t, "application/json", got.req.Header.Get("Content-Type"))
			assert.Equal(t, "Bearer "+testKey, got.req.Header.Get("Authorization"))
			assert.EqualValues(t, len(got.body), got.req.ContentLength)
			assert.JSONEq(t, tt.wantBody, string(got.body))
		})
	}
}

func TestCreateValidation(t *testing.T) {
	t.Parallel()
	const password = "s3cr3t-Passw0rd"
	long := strings.Repeat("é", 257) // 257 characters, 514 bytes
	tests := []struct {
		name      string
		req       *CreateCommandRequest
		wantField string // "" when accepted
	}{
		{"nil request", nil, "request"},
		{"empty type", &CreateCommandRequest{Duration: "60s"}, "type"},
		{"duration of 257 characters", &CreateCommandRequest{Type: CommandTypeLock, Duration: long}, "duration"},
		{"password of 257 characters", &CreateCommandRequest{Type: CommandTypeResetPassword, NewPassword: password + long}, "newPassword"},
		{"256 characters are fine", &CreateCommandRequest{Type: CommandTypeResetPassword, Duration: long[:512], NewPassword: long[:512]}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockClient(t)
			mt.RegisterNoResponder(httpmock.NewStringResponder(200, documentedCancelResponse))
			_, err := c.AndroidCommands.Create(context.Background(), validOrg, validDevice, tt.req)
			if tt.wantField == "" {
				require.NoError(t, err)
				assert.Equal(t, 1, mt.GetTotalCallCount())
				return
			}
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tt.wantField, ve.Field)
			assert.ErrorIs(t, err, ErrInvalidArgument)
			assert.NotContains(t, err.Error(), password)
			assert.NotContains(t, ve.Value, password)
			assert.Zero(t, mt.GetTotalCallCount())
		})
	}
}

func TestCreateNeverShowsTheNewPassword(t *testing.T) {
	t.Parallel()
	const password = "s3cr3t-Passw0rd"
	rec := &recorder{}
	var text strings.Builder
	c, mt := newMockClient(t, WithMaxRetries(2),
		WithLogger(slog.New(teeHandler{rec, slog.NewJSONHandler(&syncWriter{w: &text}, &slog.HandlerOptions{Level: slog.LevelDebug})})))
	// A server that echoes the request in its error, and a 429 first so that
	// the retry path is logged too.
	mt.RegisterResponder(http.MethodPost, commandsURL,
		httpmock.NewStringResponder(429, "").Then(func(r *http.Request) (*http.Response, error) {
			body, _ := io.ReadAll(r.Body)
			return httpmock.NewStringResponse(400, `{"status":false,"error":{"code":5209,"message":"Invalid input: `+
				strings.ReplaceAll(string(body), `"`, `'`)+`"}}`), nil
		}))
	_, err := c.AndroidCommands.Create(context.Background(), validOrg, validDevice,
		&CreateCommandRequest{Type: CommandTypeResetPassword, NewPassword: password})
	apiErr := requireAPIError(t, err)
	assert.Contains(t, apiErr.Message, "newPassword")
	assert.NotContains(t, err.Error(), password)
	assert.NotContains(t, string(apiErr.Body), password)
	assert.NotContains(t, fmt.Sprintf("%+v", apiErr), password)
	assert.NotEmpty(t, rec.all())
	assert.NotContains(t, text.String(), password)
	assert.Equal(t, 2, mt.GetTotalCallCount())
}

func TestCancelLookupDoesNotTakeAnUnknownTimeForARecentOne(t *testing.T) {
	t.Parallel()
	notPending := `{"status":false,"error":{"code":5052,"message":"EmmCommand status not Pending"}}`
	recent := time.Now().UTC().Format(time.RFC3339)
	canceledAt := func(updatedAt string) string {
		return `{"status":true,"data":{"id":"` + validCommand + `","status":"CANCEL"` + updatedAt + `}}`
	}
	tests := []struct {
		name        string
		command     string // the lookup's answer
		wantSuccess bool
		wantUnknown bool
	}{
		{name: "updatedAt does not parse", command: canceledAt(`,"updatedAt":"2026-02-10T14: 30:00Z"`), wantUnknown: true},
		{name: "updatedAt is not a string", command: canceledAt(`,"updatedAt":12`), wantUnknown: true},
		{name: "updatedAt is null", command: canceledAt(`,"updatedAt":null`), wantUnknown: true},
		{name: "no updatedAt", command: canceledAt(``), wantUnknown: true},
		{name: "updatedAt long ago: canceled before this call", command: canceledAt(`,"updatedAt":"2020-01-01T00:00:00Z"`)},
		{name: "updatedAt just now", command: canceledAt(`,"updatedAt":"` + recent + `"`), wantSuccess: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockClient(t)
			mt.RegisterResponder(http.MethodPost, commandURL+"/cancel", httpmock.ResponderFromMultipleResponses([]*http.Response{
				httpmock.NewStringResponse(500, `{"status":false,"error":{"message":"upstream failed"}}`), // may have canceled
				httpmock.NewStringResponse(400, notPending),
			}))
			mt.RegisterResponder(http.MethodGet, commandURL, httpmock.NewStringResponder(200, tt.command))
			cmd, err := c.AndroidCommands.Cancel(context.Background(), validOrg, validDevice, validCommand)
			assert.Equal(t, 1, mt.GetCallCountInfo()["GET "+commandURL], "lookup")
			if tt.wantSuccess {
				require.NoError(t, err)
				assert.Equal(t, CommandStatusCanceled, cmd.Status)
				return
			}
			assert.Nil(t, cmd)
			assert.ErrorIs(t, err, ErrCommandNotPending, "the 5052 is wrapped")
			assert.Equal(t, CodeCommandNotPending, requireAPIError(t, err).Code)
			assert.Equal(t, tt.wantUnknown, errors.Is(err, ErrOutcomeUnknown), "%v", err)
		})
	}
}

func TestWaitEndsAtA2xxThatCarriesAnErrorCode(t *testing.T) {
	t.Parallel()
	done := `{"status":true,"data":{"id":"` + validCommand + `","status":"DONE"}}`
	tests := []struct {
		name      string
		body      string // the first poll's 200; the next polls read DONE
		wantIs    error  // nil: the poll passes, and the second one reads DONE
		wantCode  ErrorCode
		wantPolls int
	}{
		{name: "3001", body: `{"status":false,"error":{"code":3001,"message":"Entity not found"}}`, wantIs: ErrNotFound, wantCode: 3001, wantPolls: 1},
		{name: "4002", body: `{"status":false,"error":{"code":4002,"message":"No auth token"}}`, wantIs: ErrUnauthorized, wantCode: 4002, wantPolls: 1},
		{name: "4004", body: `{"status":false,"error":{"code":"4004","message":"Invalid Token"}}`, wantIs: ErrUnauthorized, wantCode: 4004, wantPolls: 1},
		{name: "5050", body: `{"status":false,"error":{"code":5050,"message":"Feature not allowed for you billing plan"}}`,
			wantIs: ErrFeatureNotAllowed, wantCode: 5050, wantPolls: 1},
		{name: "an undocumented code", body: `{"status":false,"error":{"code":9999,"message":"?"}}`, wantCode: 9999, wantPolls: 1},
		{name: "unusable: cut", body: `{"status":true,"data":{"id":`, wantPolls: 2},
		{name: "unusable: not a success envelope", body: `{"status":false}`, wantPolls: 2},
		{name: "unusable: html", body: `<html>OK</html>`, wantPolls: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockClient(t)
			polls := 0
			mt.RegisterResponder(http.MethodGet, commandURL, func(*http.Request) (*http.Response, error) {
				polls++
				if polls == 1 {
					return httpmock.NewStringResponse(200, tt.body), nil
				}
				return httpmock.NewStringResponse(200, done), nil
			})
			cmd, err := c.AndroidCommands.Wait(context.Background(), validOrg, validDevice, validCommand,
				&WaitOptions{MinInterval: time.Millisecond})
			assert.Equal(t, tt.wantPolls, polls)
			if tt.wantCode == 0 {
				require.NoError(t, err, "an unusable 2xx is transient")
				assert.Equal(t, CommandStatusDone, cmd.Status)
				return
			}
			assert.Nil(t, cmd)
			assert.NotErrorIs(t, err, ErrStillPending)
			if tt.wantIs != nil {
				assert.ErrorIs(t, err, tt.wantIs, "as a non-2xx with that code would")
			}
			apiErr := requireAPIError(t, err)
			assert.Equal(t, 200, apiErr.StatusCode)
			assert.Equal(t, tt.wantCode, apiErr.Code)
		})
	}
}
