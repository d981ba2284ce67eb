package applivery

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// appleDeviceID is an Apple device's 24-hex id.
const appleDeviceID = "65a1f0c2e4b0a1b2c3d4e5f6"

func TestAppleDeviceRequestShapes(t *testing.T) {
	t.Parallel()
	seven, zero := 7, 0
	name, empty := "Front desk", ""
	policy, user := "62c1d2e3f4a5b6c7d8e9f0a1", "60b7c8d9e0f1a2b3c4d5e6f7"
	tags, noTags, nilTags := []string{"kiosk", "berlin"}, []string{}, []string(nil)
	tests := []struct {
		name       string
		call       func(*Client) error
		wantMethod string
		wantPath   string
		wantQuery  url.Values
		wantBody   string
	}{
		{"get by id", func(c *Client) error {
			_, err := c.AppleDevices.Get(context.Background(), validOrg, appleDeviceID)
			return err
		}, "GET", "/devices/" + appleDeviceID, url.Values{}, ""},
		{"get by another word string goes through", func(c *Client) error {
			_, err := c.AppleDevices.Get(context.Background(), validOrg, "C02XK0AAJGH5")
			return err
		}, "GET", "/devices/C02XK0AAJGH5", url.Values{}, ""},
		{"list, no options", func(c *Client) error {
			_, err := c.AppleDevices.List(context.Background(), validOrg, nil)
			return err
		}, "GET", "/devices", url.Values{}, ""},
		{"list, zero options", func(c *Client) error {
			_, err := c.AppleDevices.List(context.Background(), validOrg, &ListAppleDevicesOptions{})
			return err
		}, "GET", "/devices", url.Values{}, ""},
		{"list, every option", func(c *Client) error {
			_, err := c.AppleDevices.List(context.Background(), validOrg, &ListAppleDevicesOptions{
				Page: 2, Limit: 50, Sort: "updatedAt:desc", MDMUser: user, ADMPolicy: policy, UserADMPolicy: "63d2e3f4a5b6c7d8e9f0a1b2",
				ShowDeleted: true, Tags: []string{"kiosk", "berlin"}, SegmentID: &seven, ExpandTo: "ancestors",
			})
			return err
		}, "GET", "/devices", url.Values{
			"page": {"2"}, "limit": {"50"}, "sort": {"updatedAt:desc"}, "mdm-user": {user}, "adm-policy": {policy},
			"user-adm-policy": {"63d2e3f4a5b6c7d8e9f0a1b2"}, "show-deleted": {"true"}, "tags": {"kiosk", "berlin"},
			"segmentId": {"7"}, "expandTo": {"ancestors"},
		}, ""},
		{"list, segment 0 is sent, show-deleted false is not", func(c *Client) error {
			_, err := c.AppleDevices.List(context.Background(), validOrg, &ListAppleDevicesOptions{SegmentID: &zero})
			return err
		}, "GET", "/devices", url.Values{"segmentId": {"0"}}, ""},
		{"update, a rename sends the name only", func(c *Client) error {
			_, err := c.AppleDevices.Update(context.Background(), validOrg, appleDeviceID, &UpdateAppleDeviceRequest{DisplayName: &name})
			return err
		}, "PUT", "/devices/" + appleDeviceID, url.Values{}, `{"displayName":"Front desk"}`},
		{"update, an empty name is sent", func(c *Client) error {
			_, err := c.AppleDevices.Update(context.Background(), validOrg, appleDeviceID, &UpdateAppleDeviceRequest{DisplayName: &empty})
			return err
		}, "PUT", "/devices/" + appleDeviceID, url.Values{}, `{"displayName":""}`},
		{"update, tags only", func(c *Client) error {
			_, err := c.AppleDevices.Update(context.Background(), validOrg, appleDeviceID, &UpdateAppleDeviceRequest{Tags: &tags})
			return err
		}, "PUT", "/devices/" + appleDeviceID, url.Values{}, `{"tags":["kiosk","berlin"]}`},
		{"update, an empty slice clears the tags", func(c *Client) error {
			_, err := c.AppleDevices.Update(context.Background(), validOrg, appleDeviceID, &UpdateAppleDeviceRequest{Tags: &noTags})
			return err
		}, "PUT", "/devices/" + appleDeviceID, url.Values{}, `{"tags":[]}`},
		{"update, a nil slice clears them too, never null", func(c *Client) error {
			_, err := c.AppleDevices.Update(context.Background(), validOrg, appleDeviceID, &UpdateAppleDeviceRequest{Tags: &nilTags})
			return err
		}, "PUT", "/devices/" + appleDeviceID, url.Values{}, `{"tags":[]}`},
		{"update, segment 0 is sent", func(c *Client) error {
			_, err := c.AppleDevices.Update(context.Background(), validOrg, appleDeviceID, &UpdateAppleDeviceRequest{SegmentID: &zero})
			return err
		}, "PUT", "/devices/" + appleDeviceID, url.Values{}, `{"segmentId":0}`},
		{"update, every field", func(c *Client) error {
			_, err := c.AppleDevices.Update(context.Background(), validOrg, appleDeviceID, &UpdateAppleDeviceRequest{
				DisplayName: &name, Tags: &tags, PolicyID: &policy, MDMUserID: &user, SegmentID: &seven,
			})
			return err
		}, "PUT", "/devices/" + appleDeviceID, url.Values{},
			`{"displayName":"Front desk","tags":["kiosk","berlin"],"policyId":"62c1d2e3f4a5b6c7d8e9f0a1","mdmUserId":"60b7c8d9e0f1a2b3c4d5e6f7","segmentId":7}`},
		{"update by another word string goes through", func(c *Client) error {
			_, err := c.AppleDevices.Update(context.Background(), validOrg, "C02XK0AAJGH5", &UpdateAppleDeviceRequest{DisplayName: &name})
			return err
		}, "PUT", "/devices/C02XK0AAJGH5", url.Values{}, `{"displayName":"Front desk"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockClient(t)
			var got capture
			body := `{"status":true,"data":` + sampleAppleDevice + `}`
			if tt.wantPath == "/devices" {
				body = `{"status":true,"data":{"items":[` + sampleAppleDevice + `],"page":1}}`
			}
			mt.RegisterNoResponder(got.responder(200, body))
			require.NoError(t, tt.call(c))
			require.NotNil(t, got.req)
			assert.Equal(t, tt.wantMethod, got.req.Method)
			assert.Equal(t, "/prefix/v1/organizations/"+validOrg+"/mdm/apple/enterprise"+tt.wantPath, got.req.URL.Path)
			assert.Equal(t, tt.wantQuery, got.req.URL.Query())
			assert.Equal(t, tt.wantBody, string(got.body))
			if tt.wantBody != "" {
				assert.Equal(t, "application/json", got.req.Header.Get("Content-Type"))
			}
		})
	}
}

func TestAppleDeviceUpdateDoesNotKeepTheCallersSlice(t *testing.T) {
	t.Parallel()
	c, mt := newMockClient(t)
	var got capture
	mt.RegisterNoResponder(got.responder(200, `{"status":true,"data":`+sampleAppleDevice+`}`))
	tags := []string{"kiosk"}
	u := &UpdateAppleDeviceRequest{Tags: &tags}
	_, err := c.AppleDevices.Update(context.Background(), validOrg, appleDeviceID, u)
	require.NoError(t, err)
	assert.Equal(t, []string{"kiosk"}, tags, "the request is not changed")
	assert.Equal(t, &tags, u.Tags)
}

func TestAppleDeviceValidationBeforeTheWire(t *testing.T) {
	t.Parallel()
	neg, name := -1, "Mac"
	bad, short := "ana@acme.example", "62c1d2e3f4a5b6c7d8e9f0a"
	emptyTag := []string{"kiosk", ""}
	type testCase struct {
		name      string
		call      func(*Client) error
		wantField string
	}
	update := func(org, dev string, u *UpdateAppleDeviceRequest) func(*Client) error {
		return func(c *Client) error {
			_, err := c.AppleDevices.Update(context.Background(), org, dev, u)
			return err
		}
	}
	tests := []testCase{
		{"get: organization", func(c *Client) error {
			_, err := c.AppleDevices.Get(context.Background(), "a/b", appleDeviceID)
			return err
		}, "organizationId"},
		{"get: a device that is not word characters", func(c *Client) error {
			_, err := c.AppleDevices.Get(context.Background(), validOrg, "C02-XK0")
			return err
		}, "admDeviceId"},
		{"get: empty device", func(c *Client) error { _, err := c.AppleDevices.Get(context.Background(), validOrg, ""); return err }, "admDeviceId"},
		{"list: organization", func(c *Client) error { _, err := c.AppleDevices.List(context.Background(), "", nil); return err }, "organizationId"},
		{"list all: organization", func(c *Client) error {
			for _, err := range c.AppleDevices.ListAll(context.Background(), "x", nil) {
				return err
			}
			return nil
		}, "organizationId"},
		{"update: organization", update("x", appleDeviceID, &UpdateAppleDeviceRequest{DisplayName: &name}), "organizationId"},
		{"update: device", update(validOrg, "a b", &UpdateAppleDeviceRequest{DisplayName: &name}), "admDeviceId"},
		{"update: no request", update(validOrg, appleDeviceID, nil), "body"},
		{"update: a request that sets nothing", update(validOrg, appleDeviceID, &UpdateAppleDeviceRequest{}), "body"},
		{"update: policy", update(validOrg, appleDeviceID, &UpdateAppleDeviceRequest{PolicyID: &short}), "policyId"},
		{"update: mdm user", update(validOrg, appleDeviceID, &UpdateAppleDeviceRequest{MDMUserID: &bad}), "mdmUserId"},
		{"update: negative segment", update(validOrg, appleDeviceID, &UpdateAppleDeviceRequest{SegmentID: &neg}), "segmentId"},
		{"update: an empty tag", update(validOrg, appleDeviceID, &UpdateAppleDeviceRequest{Tags: &emptyTag}), "tags"},
	}
	for name, opts := range map[string]struct {
		opts  ListAppleDevicesOptions
		field string
	}{
		"negative page":            {ListAppleDevicesOptions{Page: -1}, "page"},
		"negative limit":           {ListAppleDevicesOptions{Limit: -1}, "limit"},
		"sort":                     {ListAppleDevicesOptions{Sort: "name:up"}, "sort"},
		"mdm user":                 {ListAppleDevicesOptions{MDMUser: bad}, "mdm-user"},
		"policy":                   {ListAppleDevicesOptions{ADMPolicy: "kiosk"}, "adm-policy"},
		"user policy":              {ListAppleDevicesOptions{UserADMPolicy: short}, "user-adm-policy"},
		"empty tag":                {ListAppleDevicesOptions{Tags: emptyTag}, "tags"},
		"negative segment":         {ListAppleDevicesOptions{SegmentID: &neg}, "segmentId"},
		"expandTo":                 {ListAppleDevicesOptions{SegmentID: new(int), ExpandTo: "siblings"}, "expandTo"},
		"expandTo with no segment": {ListAppleDevicesOptions{ExpandTo: "children"}, "expandTo"},
	} {
		tests = append(tests, testCase{"list: " + name, func(c *Client) error {
			o := opts.opts
			_, err := c.AppleDevices.List(context.Background(), validOrg, &o)
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

func TestAppleDeviceRetryPolicy(t *testing.T) {
	t.Parallel()
	name := "Mac"
	update := func(c *Client) error {
		_, err := c.AppleDevices.Update(context.Background(), validOrg, appleDeviceID, &UpdateAppleDeviceRequest{DisplayName: &name})
		return err
	}
	tests := []struct {
		name        string
		call        func(*Client) error
		method, url string
		answers     []int // the statuses of the attempts, the last one repeating
		wantCalls   int
		wantUnknown bool
	}{
		{"get is retried", func(c *Client) error {
			_, err := c.AppleDevices.Get(context.Background(), validOrg, appleDeviceID)
			return err
		}, "GET", appleDevicesURL + "/" + appleDeviceID, []int{503, 502, 200}, 3, false},
		{"list is retried", func(c *Client) error {
			_, err := c.AppleDevices.List(context.Background(), validOrg, nil)
			return err
		}, "GET", appleDevicesURL, []int{500, 200}, 2, false},
		{"update is retried like move", update, "PUT", appleDevicesURL + "/" + appleDeviceID, []int{502, 504, 200}, 3, false},
		{"an update whose last answer was a 502 may have updated", update, "PUT", appleDevicesURL + "/" + appleDeviceID, []int{502}, 4, true},
		{"an update refused with a 400 did not", update, "PUT", appleDevicesURL + "/" + appleDeviceID, []int{400}, 1, false},
		{"an update of an unknown device did not", update, "PUT", appleDevicesURL + "/" + appleDeviceID, []int{404}, 1, false},
		{"503s only did not update", update, "PUT", appleDevicesURL + "/" + appleDeviceID, []int{503}, 4, false},
		{"a 500 that may have updated, then 503s", update, "PUT", appleDevicesURL + "/" + appleDeviceID, []int{500, 503}, 4, true},
		{"a 504, then a 400", update, "PUT", appleDevicesURL + "/" + appleDeviceID, []int{504, 400}, 2, true},
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
				return
			}
			require.Error(t, err)
			assert.Equal(t, tt.wantUnknown, strings.Contains(err.Error(), "the device may have been updated"), "%v", err)
			requireAPIError(t, err, "the last error is wrapped")
		})
	}
}

func TestAppleDeviceUpdateWhoseAnswerMayHaveActedIsOutcomeUnknown(t *testing.T) {
	t.Parallel()
	name := "Mac"
	tests := []struct {
		name        string
		respond     httpmock.Responder
		wantUnknown bool
	}{
		{"a lost answer", func(*http.Request) (*http.Response, error) { return nil, io.ErrUnexpectedEOF }, true},
		{"a 2xx that is not the envelope", httpmock.NewStringResponder(200, `<html>ok</html>`), true},
		{"a 2xx that carries an API error code", httpmock.NewStringResponder(200, `{"status":false,"error":{"code":3001,"message":"Entity not found"}}`), false},
		{"a 404", httpmock.NewStringResponder(404, `{"status":false,"error":{"code":3001,"message":"Entity not found"}}`), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockClient(t)
			mt.RegisterResponder(http.MethodPut, appleDevicesURL+"/"+appleDeviceID, tt.respond)
			d, err := c.AppleDevices.Update(context.Background(), validOrg, appleDeviceID, &UpdateAppleDeviceRequest{DisplayName: &name})
			assert.Nil(t, d)
			require.Error(t, err)
			assert.Equal(t, tt.wantUnknown, errors.Is(err, ErrOutcomeUnknown), "%v", err)
			if !tt.wantUnknown {
				assert.ErrorIs(t, err, ErrNotFound)
			}
		})
	}
}

func TestAppleDeviceGetOfAnUnknownDeviceIsNotFound(t *testing.T) {
	t.Parallel()
	c, mt := newMockClient(t)
	mt.RegisterResponder(http.MethodGet, appleDevicesURL+"/"+appleDeviceID,
		httpmock.NewStringResponder(404, `{"status":false,"error":{"code":3001,"message":"Entity not found"}}`))
	d, err := c.AppleDevices.Get(context.Background(), validOrg, appleDeviceID)
	assert.Nil(t, d)
	assert.ErrorIs(t, err, ErrNotFound)
	assert.Equal(t, 404, requireAPIError(t, err).StatusCode)
}

func TestAppleDeviceListAllSharesThePaging(t *testing.T) {
	t.Parallel()
	p := &pager{answer: func(q url.Values) string {
		switch q.Get("page") {
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
	for d, err := range c.AppleDevices.ListAll(context.Background(), validOrg, &ListAppleDevicesOptions{Tags: []string{"kiosk"}, Limit: 2}) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ids = append(ids, d.ID)
	}
	assert.Equal(t, []string{"d1", "d2", "d3"}, ids)
	require.Len(t, errs, 1)
	assert.EqualError(t, errs[0], "applivery: listing Apple devices: the server's paging does not advance: page 3 repeats page 1, already read")
	for _, q := range p.seen() {
		assert.Equal(t, []string{"kiosk"}, q["tags"], "the filters go with every page")
		assert.Equal(t, "2", q.Get("limit"))
	}

	// Breaking out fetches nothing more.
	p2 := &pager{answer: p.answer}
	c2 := newServerClient(t, newTestServer(t, p2.handler))
	for range c2.AppleDevices.ListAll(context.Background(), validOrg, nil) {
		break
	}
	assert.Len(t, p2.seen(), 1, "one page")
}

func TestAppleDeviceObserverSeesOperationsAndRoutes(t *testing.T) {
	t.Parallel()
	const route = "/organizations/{organizationId}/mdm/apple/enterprise/devices"
	name := "Mac"
	tests := []struct {
		name string
		call func(*Client) error
		want CallInfo
	}{
		{"get", func(c *Client) error {
			_, err := c.AppleDevices.Get(context.Background(), validOrg, appleDeviceID)
			return err
		}, CallInfo{Operation: "apple.devices.get", Method: "GET", Route: route + "/{admDeviceId}"}},
		{"list", func(c *Client) error {
			_, err := c.AppleDevices.List(context.Background(), validOrg, nil)
			return err
		}, CallInfo{Operation: "apple.devices.list", Method: "GET", Route: route}},
		{"list all: a list per page", func(c *Client) error {
			for _, err := range c.AppleDevices.ListAll(context.Background(), validOrg, nil) {
				if err != nil {
					return err
				}
			}
			return nil
		}, CallInfo{Operation: "apple.devices.list", Method: "GET", Route: route}},
		{"update", func(c *Client) error {
			_, err := c.AppleDevices.Update(context.Background(), validOrg, appleDeviceID, &UpdateAppleDeviceRequest{DisplayName: &name})
			return err
		}, CallInfo{Operation: "apple.devices.update", Method: "PUT", Route: route + "/{admDeviceId}"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			obs := &recordingObserver{}
			c, mt := newMockClient(t, WithObserver(obs))
			mt.RegisterResponder(http.MethodGet, appleDevicesURL, httpmock.NewStringResponder(200,
				`{"status":true,"data":{"items":[`+sampleAppleDevice+`],"page":1,"totalPages":1}}`))
			one := httpmock.NewStringResponder(200, `{"status":true,"data":`+sampleAppleDevice+`}`)
			mt.RegisterResponder(http.MethodGet, appleDevicesURL+"/"+appleDeviceID, one)
			mt.RegisterResponder(http.MethodPut, appleDevicesURL+"/"+appleDeviceID, one)
			require.NoError(t, tt.call(c))
			tt.want.Host = "api.example.test"
			assert.Equal(t, []CallInfo{tt.want}, obs.infos())
			for _, info := range obs.infos() {
				assert.NotContains(t, info.Route, validOrg)
				assert.NotContains(t, info.Route, appleDeviceID)
			}
		})
	}
}

func TestAppleDeviceCallOptions(t *testing.T) {
	t.Parallel()
	c, mt := newMockClient(t)
	var got capture
	mt.RegisterNoResponder(got.responder(200, `{"status":true,"data":`+sampleAppleDevice+`}`))
	var resp Response
	_, err := c.AppleDevices.Get(context.Background(), validOrg, appleDeviceID, WithResponse(&resp), WithRequestHeader("X-Trace", "t1"))
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, 1, resp.Attempts)
	assert.Equal(t, "t1", got.req.Header.Get("X-Trace"))

	_, err = c.AppleDevices.Get(context.Background(), validOrg, appleDeviceID, WithRequestHeader("Authorization", "x"))
	assert.ErrorIs(t, err, ErrInvalidArgument, "a bad CallOption fails the call")
	assert.Equal(t, 1, mt.GetTotalCallCount(), "nothing more was sent")
}
