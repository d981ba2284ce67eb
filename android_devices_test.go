package applivery

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDeviceRequestShapes(t *testing.T) {
	t.Parallel()
	seven, zero := 7, 0
	tests := []struct {
		name       string
		call       func(*Client) error
		wantMethod string
		wantPath   string
		wantQuery  url.Values
		wantBody   string
	}{
		{"get by id", func(c *Client) error {
			_, err := c.AndroidDevices.Get(context.Background(), validOrg, "5f1e0c2a9b8d7e6f5a4b3c2d")
			return err
		}, "GET", "/devices/5f1e0c2a9b8d7e6f5a4b3c2d", url.Values{}, ""},
		{"get by serial number", func(c *Client) error {
			_, err := c.AndroidDevices.Get(context.Background(), validOrg, "R58M123")
			return err
		}, "GET", "/devices/R58M123", url.Values{}, ""},
		{"list, no options", func(c *Client) error {
			_, err := c.AndroidDevices.List(context.Background(), validOrg, nil)
			return err
		}, "GET", "/devices", url.Values{}, ""},
		{"list, every option", func(c *Client) error {
			_, err := c.AndroidDevices.List(context.Background(), validOrg, &ListDevicesOptions{
				Page: 2, Limit: 50, Sort: "updatedAt:desc", MDMUser: "60b7c8d9e0f1a2b3c4d5e6f7", EMMPolicy: "62c1d2e3f4a5b6c7d8e9f0a1",
				ShowDeleted: true, Tags: []string{"kiosk", "berlin"}, SegmentID: &seven, ExpandTo: "children",
			})
			return err
		}, "GET", "/devices", url.Values{
			"page": {"2"}, "limit": {"50"}, "sort": {"updatedAt:desc"}, "mdm-user": {"60b7c8d9e0f1a2b3c4d5e6f7"},
			"emm-policy": {"62c1d2e3f4a5b6c7d8e9f0a1"}, "show-deleted": {"true"}, "tags": {"kiosk", "berlin"},
			"segmentId": {"7"}, "expandTo": {"children"},
		}, ""},
		{"list, segment 0 is sent, show-deleted false is not", func(c *Client) error {
			_, err := c.AndroidDevices.List(context.Background(), validOrg, &ListDevicesOptions{SegmentID: &zero, ShowDeleted: false})
			return err
		}, "GET", "/devices", url.Values{"segmentId": {"0"}}, ""},
		{"move", func(c *Client) error {
			_, err := c.AndroidDevices.Move(context.Background(), validOrg, "5f1e0c2a9b8d7e6f5a4b3c2d", 3)
			return err
		}, "PUT", "/devices/5f1e0c2a9b8d7e6f5a4b3c2d/move", url.Values{}, `{"segmentId":3}`},
		{"move to segment 0", func(c *Client) error {
			_, err := c.AndroidDevices.Move(context.Background(), validOrg, "5f1e0c2a9b8d7e6f5a4b3c2d", 0)
			return err
		}, "PUT", "/devices/5f1e0c2a9b8d7e6f5a4b3c2d/move", url.Values{}, `{"segmentId":0}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockClient(t)
			var got capture
			body := `{"status":true,"data":` + sampleDevice + `}`
			if tt.wantPath == "/devices" {
				body = `{"status":true,"data":{"items":[` + sampleDevice + `],"page":1}}`
			}
			mt.RegisterNoResponder(got.responder(200, body))
			require.NoError(t, tt.call(c))
			require.NotNil(t, got.req)
			assert.Equal(t, tt.wantMethod, got.req.Method)
			assert.Equal(t, "/prefix/v1/organizations/"+validOrg+"/mdm/android/enterprise"+tt.wantPath, got.req.URL.Path)
			assert.Equal(t, tt.wantQuery, got.req.URL.Query())
			assert.Equal(t, tt.wantBody, string(got.body))
			if tt.wantBody != "" {
				assert.Equal(t, "application/json", got.req.Header.Get("Content-Type"))
			}
		})
	}
}

func TestDeviceValidationBeforeTheWire(t *testing.T) {
	t.Parallel()
	neg := -1
	tests := []struct {
		name      string
		call      func(*Client) error
		wantField string
	}{
		{"get: organization", func(c *Client) error {
			_, err := c.AndroidDevices.Get(context.Background(), "a/b", "R58M123")
			return err
		}, "organizationId"},
		{"get: device", func(c *Client) error {
			_, err := c.AndroidDevices.Get(context.Background(), validOrg, "R58 M123")
			return err
		}, "emmDeviceId"},
		{"get: empty device", func(c *Client) error { _, err := c.AndroidDevices.Get(context.Background(), validOrg, ""); return err }, "emmDeviceId"},
		{"list: organization", func(c *Client) error { _, err := c.AndroidDevices.List(context.Background(), "", nil); return err }, "organizationId"},
		{"move: a serial number", func(c *Client) error {
			_, err := c.AndroidDevices.Move(context.Background(), validOrg, "R58M123", 1)
			return err
		}, "emmDeviceId"},
		{"move: negative segment", func(c *Client) error {
			_, err := c.AndroidDevices.Move(context.Background(), validOrg, "5f1e0c2a9b8d7e6f5a4b3c2d", -1)
			return err
		}, "segmentId"},
		{"move: organization", func(c *Client) error {
			_, err := c.AndroidDevices.Move(context.Background(), "x", "5f1e0c2a9b8d7e6f5a4b3c2d", 1)
			return err
		}, "organizationId"},
	}
	for name, opts := range map[string]struct {
		opts  ListDevicesOptions
		field string
	}{
		"negative page":            {ListDevicesOptions{Page: -1}, "page"},
		"negative limit":           {ListDevicesOptions{Limit: -1}, "limit"},
		"sort":                     {ListDevicesOptions{Sort: "name:up"}, "sort"},
		"mdm user":                 {ListDevicesOptions{MDMUser: "ana@acme.example"}, "mdm-user"},
		"policy":                   {ListDevicesOptions{EMMPolicy: "kiosk"}, "emm-policy"},
		"empty tag":                {ListDevicesOptions{Tags: []string{"kiosk", ""}}, "tags"},
		"negative segment":         {ListDevicesOptions{SegmentID: &neg}, "segmentId"},
		"expandTo":                 {ListDevicesOptions{SegmentID: new(int), ExpandTo: "siblings"}, "expandTo"},
		"expandTo with no segment": {ListDevicesOptions{ExpandTo: "children"}, "expandTo"},
	} {
		tests = append(tests, struct {
			name      string
			call      func(*Client) error
			wantField string
		}{"list: " + name, func(c *Client) error {
			o := opts.opts
			_, err := c.AndroidDevices.List(context.Background(), validOrg, &o)
			return err
		}, opts.field})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockClient(t)
			err := tt.call(c)
			var ve *ValidationError
			require.True(t, errors.As(err, &ve), "%v", err)
			assert.Equal(t, tt.wantField, ve.Field)
			assert.ErrorIs(t, err, ErrInvalidArgument)
			assert.Zero(t, mt.GetTotalCallCount(), "nothing was sent")
		})
	}
}

func TestDeviceRetryPolicy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		call        func(*Client) error
		method, url string
		answers     []int // the statuses of the attempts, the last one repeating
		wantCalls   int
		wantUnknown bool
	}{
		{"get is retried", func(c *Client) error {
			_, err := c.AndroidDevices.Get(context.Background(), validOrg, "R58M123")
			return err
		},
			"GET", devicesURLT + "/R58M123", []int{503, 502, 200}, 3, false},
		{"list is retried", func(c *Client) error {
			_, err := c.AndroidDevices.List(context.Background(), validOrg, nil)
			return err
		},
			"GET", devicesURLT, []int{500, 200}, 2, false},
		{"move is retried like cancel", func(c *Client) error {
			_, err := c.AndroidDevices.Move(context.Background(), validOrg, "5f1e0c2a9b8d7e6f5a4b3c2d", 2)
			return err
		}, "PUT", devicesURLT + "/5f1e0c2a9b8d7e6f5a4b3c2d/move", []int{502, 504, 200}, 3, false},
		{"a move whose last answer was a 502 may have moved", func(c *Client) error {
			_, err := c.AndroidDevices.Move(context.Background(), validOrg, "5f1e0c2a9b8d7e6f5a4b3c2d", 2)
			return err
		}, "PUT", devicesURLT + "/5f1e0c2a9b8d7e6f5a4b3c2d/move", []int{502}, 4, true},
		{"a move refused with a 400 did not", func(c *Client) error {
			_, err := c.AndroidDevices.Move(context.Background(), validOrg, "5f1e0c2a9b8d7e6f5a4b3c2d", 2)
			return err
		}, "PUT", devicesURLT + "/5f1e0c2a9b8d7e6f5a4b3c2d/move", []int{400}, 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockClient(t)
			calls := 0
			mt.RegisterResponder(tt.method, tt.url, func(*http.Request) (*http.Response, error) {
				status := tt.answers[min(calls, len(tt.answers)-1)]
				calls++
				if status == 200 {
					return httpmock.NewStringResponse(200, `{"status":true,"data":{"items":[],"id":"x"}}`), nil
				}
				return httpmock.NewStringResponse(status, `{"status":false,"error":{"message":"no"}}`), nil
			})
			err := tt.call(c)
			assert.Equal(t, tt.wantCalls, calls)
			assert.Equal(t, tt.wantUnknown, errors.Is(err, ErrOutcomeUnknown), "%v", err)
			if tt.answers[len(tt.answers)-1] == 200 {
				assert.NoError(t, err)
			} else if tt.wantUnknown {
				assert.Contains(t, err.Error(), "the device may have been moved")
			}
		})
	}
}

func TestDeviceListAllSharesThePaging(t *testing.T) {
	t.Parallel()
	p := &pager{answer: func(q url.Values) string {
		page := q.Get("page")
		switch page {
		case "", "1":
			return `{"items":[{"id":"d1"},{"id":"d2"}],"page":1,"totalPages":3,"hasNextPage":true,"nextPage":2}`
		case "2":
			return `{"items":[{"id":"d3"}],"page":2,"totalPages":3,"hasNextPage":true,"nextPage":3}`
		}
		return `{"items":[{"id":"d1"},{"id":"d2"}],"page":3,"totalPages":3,"hasNextPage":false}` // page 1 again
	}}
	c := newServerClient(t, newTestServer(t, p.handler))
	var ids []string
	var errs []error
	for d, err := range c.AndroidDevices.ListAll(context.Background(), validOrg, &ListDevicesOptions{Tags: []string{"kiosk"}, Limit: 2}) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ids = append(ids, d.ID)
	}
	assert.Equal(t, []string{"d1", "d2", "d3"}, ids)
	require.Len(t, errs, 1)
	assert.EqualError(t, errs[0], "applivery: listing devices: the server's paging does not advance: page 3 repeats page 1, already read")
	for _, q := range p.seen() {
		assert.Equal(t, []string{"kiosk"}, q["tags"], "the filters go with every page")
		assert.Equal(t, "2", q.Get("limit"))
	}

	// Breaking out fetches nothing more.
	p2 := &pager{answer: p.answer}
	c2 := newServerClient(t, newTestServer(t, p2.handler))
	for range c2.AndroidDevices.ListAll(context.Background(), validOrg, nil) {
		break
	}
	assert.Len(t, p2.seen(), 1, "one page")
}

func TestMoveRemembersAnEarlierAttemptThatMayHaveMoved(t *testing.T) {
	t.Parallel()
	const lost = -1 // an attempt whose answer is lost after the request went out
	tests := []struct {
		name        string
		answers     []int // the statuses of the attempts, the last one repeating
		retryAfter  string
		opts        []Option
		deadline    bool // a minute
		wantCalls   int
		wantUnknown bool
		wantStatus  int // of the wrapped *APIError; 0 for none
	}{
		{name: "a 500 that moved, then 503s", answers: []int{500, 503}, wantCalls: 4, wantUnknown: true, wantStatus: 503},
		{name: "a lost answer, then a long 429", answers: []int{lost, 429}, retryAfter: "3600", wantCalls: 2, wantUnknown: true, wantStatus: 429},
		{name: "a 504, then a 400", answers: []int{504, 400}, wantCalls: 2, wantUnknown: true, wantStatus: 400},
		{name: "a 500, then the rate limit's wait past the deadline", answers: []int{500}, opts: []Option{WithRateLimit(0.001, 1)},
			deadline: true, wantCalls: 1, wantUnknown: true},
		{name: "503s only did not move", answers: []int{503}, wantCalls: 4, wantStatus: 503},
		{name: "a 429, then a 400", answers: []int{429, 400}, wantCalls: 2, wantStatus: 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockClient(t, tt.opts...)
			calls := 0
			mt.RegisterResponder(http.MethodPut, devicesURLT+"/5f1e0c2a9b8d7e6f5a4b3c2d/move", func(*http.Request) (*http.Response, error) {
				status := tt.answers[min(calls, len(tt.answers)-1)]
				calls++
				if status == lost {
					return nil, io.ErrUnexpectedEOF
				}
				resp := httpmock.NewStringResponse(status, `{"status":false,"error":{"message":"no"}}`)
				if tt.retryAfter != "" {
					resp.Header.Set("Retry-After", tt.retryAfter)
				}
				return resp, nil
			})
			ctx := context.Background()
			if tt.deadline {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, time.Minute)
				defer cancel()
			}
			d, err := c.AndroidDevices.Move(ctx, validOrg, "5f1e0c2a9b8d7e6f5a4b3c2d", 2)
			assert.Nil(t, d)
			require.Error(t, err)
			assert.Equal(t, tt.wantCalls, calls)
			assert.Equal(t, tt.wantUnknown, errors.Is(err, ErrOutcomeUnknown), "%v", err)
			assert.Equal(t, tt.wantUnknown, strings.Contains(err.Error(), "the device may have been moved"), "%v", err)
			if tt.wantStatus != 0 {
				assert.Equal(t, tt.wantStatus, requireAPIError(t, err, "the last error is wrapped").StatusCode)
			}
			if tt.deadline {
				assert.ErrorIs(t, err, context.DeadlineExceeded)
			}
		})
	}
}
