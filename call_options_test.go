package applivery

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWithRequestHeaderRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, header, value string
	}{
		{name: "Authorization", header: "Authorization", value: "Bearer other"},
		{name: "authorization in lower case", header: "authorization", value: "Bearer other"},
		{name: "Host", header: "HOST", value: "evil.example"},
		{name: "Content-Type", header: "content-type", value: "text/plain"},
		{name: "Content-Length", header: "Content-Length", value: "0"},
		{name: "User-Agent", header: "User-agent", value: "x"},
		{name: "Accept", header: "accept", value: "*/*"},
		{name: "Connection", header: "Connection", value: "close"},
		{name: "Keep-Alive", header: "keep-alive", value: "timeout=5"},
		{name: "Proxy-Authenticate", header: "Proxy-Authenticate", value: "Basic"},
		{name: "Proxy-Authorization", header: "PROXY-AUTHORIZATION", value: "Basic eA=="},
		{name: "Proxy-Connection", header: "Proxy-Connection", value: "keep-alive"},
		{name: "TE", header: "TE", value: "trailers"},
		{name: "te in lower case", header: "te", value: "trailers"},
		{name: "Trailer", header: "Trailer", value: "X"},
		{name: "Transfer-Encoding", header: "transfer-encoding", value: "chunked"},
		{name: "Upgrade", header: "Upgrade", value: "h2c"},
		{name: "empty name", header: "", value: "x"},
		{name: "space in the name", header: "X Correlation", value: "x"},
		{name: "colon in the name", header: "X-A:", value: "x"},
		{name: "CRLF in the name", header: "X-A\r\nX-B", value: "x"},
		{name: "non-ASCII name", header: "X-Corrélation", value: "x"},
		{name: "CR in the value", header: "X-Correlation-Id", value: "abc\rdef"},
		{name: "LF in the value", header: "X-Correlation-Id", value: "abc\nX-Injected: 1"},
		{name: "CRLF in the value", header: "X-Correlation-Id", value: "abc\r\n\r\nGET / HTTP/1.1"},
		{name: "NUL in the value", header: "X-Correlation-Id", value: "abc\x00"},
		{name: "DEL in the value", header: "X-Correlation-Id", value: "abc\x7f"},
		{name: "escape in the value", header: "X-Correlation-Id", value: "\x1b[31m"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockClient(t)
			registerEveryEndpoint(mt)
			var resp Response
			_, err := c.AndroidCommands.Cancel(context.Background(), validOrg, validDevice, validCommand,
				WithResponse(&resp), WithRequestHeader(tt.header, tt.value))
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.ErrorIs(t, err, ErrInvalidArgument)
			assert.Equal(t, "requestHeader", ve.Field)
			if tt.value != "x" {
				assert.NotContains(t, err.Error(), tt.value, "the value may be secret: it is not quoted")
			}
			assert.Zero(t, mt.GetTotalCallCount(), "nothing sent")
			assert.Zero(t, resp, "no answer came")
		})
	}
}

func TestWithRequestHeaderAccepts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, header, value string
	}{
		{name: "a correlation ID", header: "X-Correlation-Id", value: "4bf92f3577b34da6"},
		{name: "a W3C traceparent", header: "traceparent", value: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},
		{name: "every token character", header: "!#$%&'*+-.^_`|~09azAZ", value: "x"},
		{name: "a tab and spaces in the value", header: "X-Note", value: "a\tb c"},
		{name: "UTF-8 in the value", header: "X-Site", value: "Málaga"},
		{name: "an empty value", header: "X-Empty", value: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockClient(t)
			var got http.Header
			mt.RegisterResponder(http.MethodGet, commandURL, func(r *http.Request) (*http.Response, error) {
				got = r.Header.Clone()
				return httpmock.NewStringResponse(200, documentedCancelResponse), nil
			})
			_, err := c.AndroidCommands.Get(context.Background(), validOrg, validDevice, validCommand, WithRequestHeader(tt.header, tt.value))
			require.NoError(t, err)
			assert.Equal(t, []string{tt.value}, got.Values(tt.header))
			assert.Equal(t, "Bearer "+testKey, got.Get("Authorization"), "the SDK's own headers stay")
		})
	}
}

func TestWithRequestHeaderIsSentOnEveryAttemptOfEveryMethod(t *testing.T) {
	t.Parallel()
	for _, tt := range everyMethod {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// Every endpoint answers 503 to its first request, then as
			// registerEveryEndpoint does; Create, which is not retried
			// after a 503, gets a 429 first.
			c, mt := newMockClient(t)
			var (
				mu      sync.Mutex
				headers [][]string
			)
			first := map[string]bool{}
			inner := httpmock.NewMockTransport()
			registerEveryEndpoint(inner)
			mt.RegisterNoResponder(func(r *http.Request) (*http.Response, error) {
				mu.Lock()
				headers = append(headers, r.Header.Values("X-Correlation-Id"))
				key := r.Method + " " + r.URL.Path
				retried := first[key]
				first[key] = true
				mu.Unlock()
				if !retried {
					if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/commands") {
						return httpmock.NewStringResponse(429, ""), nil
					}
					return httpmock.NewStringResponse(503, ""), nil
				}
				return inner.RoundTrip(r)
			})
			require.NoError(t, tt.call(context.Background(), c, WithRequestHeader("X-Correlation-Id", "job-42"), WithRequestHeader("x-correlation-id", "step-7")))
			require.GreaterOrEqual(t, len(headers), 2)
			for i, h := range headers {
				assert.Equal(t, []string{"job-42", "step-7"}, h, "attempt %d", i+1)
			}
			// The next call, without the option, sends none: the client's
			// own headers were not touched.
			headers = nil
			first = map[string]bool{}
			require.NoError(t, tt.call(context.Background(), c))
			for i, h := range headers {
				assert.Empty(t, h, "attempt %d of a call without the option", i+1)
			}
		})
	}
}

func TestAnInvalidCallOptionSendsNothingFromAnyMethod(t *testing.T) {
	t.Parallel()
	invalid := []struct {
		name string
		opt  CallOption
	}{
		{name: "WithResponse(nil)", opt: WithResponse(nil)},
		{name: "WithRequestHeader(Authorization)", opt: WithRequestHeader("Authorization", "Bearer x")},
		{name: "an option of the caller's that fails", opt: func(*callConfig) error {
			return &ValidationError{Field: "mine", Reason: "refused"}
		}},
	}
	for _, tt := range everyMethod {
		for _, opt := range invalid {
			t.Run(tt.name+"/"+opt.name, func(t *testing.T) {
				t.Parallel()
				obs := &recordingObserver{}
				c, mt := newMockClient(t, WithObserver(obs))
				registerEveryEndpoint(mt)
				err := tt.call(context.Background(), c, nil, opt.opt)
				var ve *ValidationError
				assert.ErrorAs(t, err, &ve)
				assert.Zero(t, mt.GetTotalCallCount())
				assert.Empty(t, obs.all(), "a refused call is not observed")
			})
		}
	}
}

func TestWithResponseDescribesTheLastAnswer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		responses []httpmock.Responder // one per attempt
		wantErr   error                // nil: success
		want      Response             // Duration is checked apart
	}{
		{
			name: "success after a retry",
			responses: []httpmock.Responder{
				headerResponder(503, "", "X-Request-Id", "req-1"),
				headerResponder(200, documentedCancelResponse, "X-Request-Id", "req-2", "X-Ratelimit-Remaining", "99"),
			},
			want: Response{StatusCode: 200, RequestID: "req-2", Attempts: 2,
				Header: http.Header{"X-Request-Id": {"req-2"}, "X-Ratelimit-Remaining": {"99"}}},
		},
		{
			name: "an API error",
			responses: []httpmock.Responder{
				headerResponder(404, `{"status":false,"error":{"code":3001,"message":"Entity not found"}}`, "X-Request-Id", "req-404"),
			},
			wantErr: ErrNotFound,
			want:    Response{StatusCode: 404, RequestID: "req-404", Attempts: 1, Header: http.Header{"X-Request-Id": {"req-404"}}},
		},
		{
			name: "a 2xx that is not a success",
			responses: []httpmock.Responder{
				headerResponder(200, `<html>maintenance</html>`, "X-Request-Id", "req-html"),
			},
			wantErr: &APIError{},
			want:    Response{StatusCode: 200, RequestID: "req-html", Attempts: 1, Header: http.Header{"X-Request-Id": {"req-html"}}},
		},
		{
			name:      "no answer: zero",
			responses: []httpmock.Responder{httpmock.NewErrorResponder(errors.New("connection reset by peer"))},
			wantErr:   errors.New("any"),
			want:      Response{},
		},
		{
			name: "an answer, then none: zero, since the last attempt got none",
			responses: []httpmock.Responder{
				headerResponder(503, "", "X-Request-Id", "req-1"),
				httpmock.NewErrorResponder(errors.New("connection reset by peer")),
			},
			wantErr: errors.New("any"),
			want:    Response{},
		},
		{
			name: "the key echoed in a header is redacted",
			responses: []httpmock.Responder{
				headerResponder(200, documentedCancelResponse, "X-Request-Id", "r-"+testKey, "X-Echo", "Bearer "+testKey),
			},
			want: Response{StatusCode: 200, RequestID: "r-" + redacted, Attempts: 1,
				Header: http.Header{"X-Request-Id": {"r-" + redacted}, "X-Echo": {"Bearer " + redacted}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockClient(t, WithMaxRetries(len(tt.responses)-1))
			var n int
			mt.RegisterResponder(http.MethodGet, commandURL, func(r *http.Request) (*http.Response, error) {
				n++
				return tt.responses[min(n, len(tt.responses))-1](r)
			})
			resp := Response{StatusCode: 999, RequestID: "stale"}
			_, err := c.AndroidCommands.Get(context.Background(), validOrg, validDevice, validCommand, WithResponse(&resp))
			switch want := tt.wantErr.(type) {
			case nil:
				require.NoError(t, err)
			case *APIError:
				assert.ErrorAs(t, err, &want)
			default:
				if errors.Is(want, ErrNotFound) {
					assert.ErrorIs(t, err, ErrNotFound)
				} else {
					assert.Error(t, err)
				}
			}
			if tt.want.StatusCode != 0 {
				assert.Positive(t, resp.Duration)
			}
			resp.Duration = 0
			assert.Equal(t, tt.want, resp)
		})
	}
}

func TestWithResponseIsZeroWhenTheCallIsRefused(t *testing.T) {
	t.Parallel()
	c, mt := newMockClient(t)
	registerEveryEndpoint(mt)
	var resp Response
	_, err := c.AndroidCommands.Get(context.Background(), validOrg, validDevice, validCommand, WithResponse(&resp))
	require.NoError(t, err)
	require.Equal(t, 200, resp.StatusCode)
	_, err = c.AndroidCommands.Get(context.Background(), "not an org!", validDevice, validCommand, WithResponse(&resp))
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Zero(t, resp, "nothing describes the earlier call any more")
}

func TestWithResponseDuringListAllDescribesEachPage(t *testing.T) {
	t.Parallel()
	c, mt := newMockClient(t)
	mt.RegisterResponder(http.MethodGet, commandsURL, func(r *http.Request) (*http.Response, error) {
		page := r.URL.Query().Get("page")
		if page == "" {
			page = "1"
		}
		body := commandsPage(1, "5f1e0c2a9b8d7e6f5a4b0001")
		if page == "2" {
			body = commandsPage(2, "5f1e0c2a9b8d7e6f5a4b0002")
		}
		resp := httpmock.NewStringResponse(200, body)
		resp.Header.Set("X-Request-Id", "page-"+page)
		return resp, nil
	})
	var resp Response
	var seen []string
	for cmd, err := range c.AndroidCommands.ListAll(context.Background(), validOrg, validDevice, nil, WithResponse(&resp)) {
		require.NoError(t, err)
		seen = append(seen, cmd.ID[len(cmd.ID)-1:]+" in "+resp.RequestID)
		assert.Equal(t, 200, resp.StatusCode)
		assert.Equal(t, 1, resp.Attempts)
	}
	assert.Equal(t, []string{"1 in page-1", "2 in page-2"}, seen)
}

func TestWithResponseDuringWaitDescribesEachPoll(t *testing.T) {
	t.Parallel()
	c, mt := newMockClient(t)
	n := 0
	mt.RegisterResponder(http.MethodGet, commandURL, func(*http.Request) (*http.Response, error) {
		n++
		body := documentedCancelResponse
		if n == 2 {
			body = doneCommand
		}
		return headerResponder(200, body, "X-Request-Id", "poll-"+string(rune('0'+n)))(nil)
	})
	SetClock(c, time.Now, func(ctx context.Context, d time.Duration) error { return ctx.Err() })
	var resp Response
	var seen []string
	_, err := c.AndroidCommands.Wait(context.Background(), validOrg, validDevice, validCommand,
		&WaitOptions{OnPoll: func(cmd *Command) { seen = append(seen, string(cmd.Status)+" "+resp.RequestID) }}, WithResponse(&resp))
	require.NoError(t, err)
	assert.Equal(t, []string{"PENDING poll-1", "DONE poll-2"}, seen)
	assert.Equal(t, "poll-2", resp.RequestID)
}

func TestWithResponseOfACancelDescribesTheCancelNotItsLookup(t *testing.T) {
	t.Parallel()
	c, mt := newMockClient(t)
	canceled := strings.NewReplacer(`"status": "PENDING"`, `"status": "CANCEL"`,
		`"updatedAt": "2026-02-10T14: 30:00Z"`, `"updatedAt": "`+time.Now().UTC().Format(time.RFC3339)+`"`).Replace(documentedCancelResponse)
	var lookupHeader []string
	mt.RegisterResponder(http.MethodPost, commandURL+"/cancel", httpmock.ResponderFromMultipleResponses([]*http.Response{
		httpmock.NewStringResponse(502, ""),
		httpmock.NewStringResponse(400, `{"status":false,"error":{"code":5052,"message":"EmmCommand status not Pending"}}`),
	}))
	mt.RegisterResponder(http.MethodGet, commandURL, func(r *http.Request) (*http.Response, error) {
		lookupHeader = r.Header.Values("X-Correlation-Id")
		return headerResponder(200, canceled, "X-Request-Id", "lookup")(r)
	})
	var resp Response
	cmd, err := c.AndroidCommands.Cancel(context.Background(), validOrg, validDevice, validCommand,
		WithResponse(&resp), WithRequestHeader("X-Correlation-Id", "job-42"))
	require.NoError(t, err)
	assert.Equal(t, CommandStatusCanceled, cmd.Status)
	assert.Equal(t, 400, resp.StatusCode, "the cancel's last answer")
	assert.Equal(t, 2, resp.Attempts)
	assert.Empty(t, resp.RequestID)
	assert.Equal(t, []string{"job-42"}, lookupHeader, "the lookup carries the call's headers")
}

// headerResponder answers with status, body and the header pairs given.
func headerResponder(status int, body string, header ...string) httpmock.Responder {
	return func(*http.Request) (*http.Response, error) {
		resp := httpmock.NewStringResponse(status, body)
		for i := 0; i+1 < len(header); i += 2 {
			resp.Header.Set(header[i], header[i+1])
		}
		return resp, nil
	}
}
