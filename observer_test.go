package applivery

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// observed is one call that a recordingObserver saw.
type observed struct {
	info    CallInfo
	result  CallResult
	dones   int    // how many times done ran
	parent  string // the name of the call whose context this one started in, "" for none
	context context.Context
}

// recordingObserver is an Observer that records every call: what it was
// told as the call started and ended, and how many times done ran. The
// context it returns carries the call, so that a transport, or a call
// started within another, can tell which call it belongs to.
type recordingObserver struct {
	mu    sync.Mutex
	calls []*observed
}

// observedKey is the context key under which recordingObserver puts the
// call.
type observedKey struct{}

func (o *recordingObserver) ObserveCall(ctx context.Context, info CallInfo) (context.Context, func(CallResult)) {
	call := &observed{info: info}
	if parent, ok := ctx.Value(observedKey{}).(*observed); ok {
		call.parent = parent.info.Operation
	}
	call.context = context.WithValue(ctx, observedKey{}, call)
	o.mu.Lock()
	o.calls = append(o.calls, call)
	o.mu.Unlock()
	return call.context, func(r CallResult) {
		o.mu.Lock()
		defer o.mu.Unlock()
		call.result = r
		call.dones++
	}
}

// all returns the calls seen so far.
func (o *recordingObserver) all() []observed {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := make([]observed, len(o.calls))
	for i, c := range o.calls {
		out[i] = *c
	}
	return out
}

// infos returns what the calls seen so far were told as they started.
func (o *recordingObserver) infos() []CallInfo {
	var out []CallInfo
	for _, c := range o.all() {
		out = append(out, c.info)
	}
	return out
}

// Route templates as the reference writes them (testdata/openapi.yaml).
const (
	routeCommands = "/organizations/{organizationId}/mdm/android/enterprise/devices/{emmDeviceId}/commands"
	routeCommand  = routeCommands + "/{emmCommandId}"
	routeDevices  = "/organizations/{organizationId}/mdm/android/enterprise/devices"
	routeDevice   = routeDevices + "/{emmDeviceId}"
	routeMDMDevs  = "/organizations/{organizationId}/mdm/devices"
)

// doneCommand is the documented command, DONE.
var doneCommand = strings.Replace(documentedCancelResponse, `"status": "PENDING"`, `"status": "DONE"`, 1)

// commandsPage is a page of one command, the given one of two.
func commandsPage(page int, id string) string {
	return fmt.Sprintf(`{"status":true,"data":{"items":[{"id":%q,"status":"PENDING"}],"page":%d,"totalPages":2,"hasNextPage":%t}}`,
		id, page, page == 1)
}

// devicesPage is a page of one device, the given one of two.
func devicesPage(page int, id string) string {
	return fmt.Sprintf(`{"status":true,"data":{"items":[{"id":%q}],"page":%d,"totalPages":2,"hasNextPage":%t}}`,
		id, page, page == 1)
}

// pagedResponder answers a list with the page its query asks for.
func pagedResponder(page func(n int, id string) string) httpmock.Responder {
	return func(r *http.Request) (*http.Response, error) {
		if r.URL.Query().Get("page") == "2" {
			return httpmock.NewStringResponse(200, page(2, "5f1e0c2a9b8d7e6f5a4b0002")), nil
		}
		return httpmock.NewStringResponse(200, page(1, "5f1e0c2a9b8d7e6f5a4b0001")), nil
	}
}

// everyMethod calls each method of each service once, against responders
// that mt registers, and says what an observer must see.
var everyMethod = []struct {
	name string
	call func(ctx context.Context, c *Client, opts ...CallOption) error
	want []CallInfo // Host is filled in by the test
}{
	{name: "AndroidCommands.Cancel", call: func(ctx context.Context, c *Client, opts ...CallOption) error {
		_, err := c.AndroidCommands.Cancel(ctx, validOrg, validDevice, validCommand, opts...)
		return err
	}, want: []CallInfo{{Operation: "android.commands.cancel", Method: "POST", Route: routeCommand + "/cancel"}}},
	{name: "AndroidCommands.Get", call: func(ctx context.Context, c *Client, opts ...CallOption) error {
		_, err := c.AndroidCommands.Get(ctx, validOrg, validDevice, validCommand, opts...)
		return err
	}, want: []CallInfo{{Operation: "android.commands.get", Method: "GET", Route: routeCommand}}},
	{name: "AndroidCommands.List", call: func(ctx context.Context, c *Client, opts ...CallOption) error {
		_, err := c.AndroidCommands.List(ctx, validOrg, validDevice, nil, opts...)
		return err
	}, want: []CallInfo{{Operation: "android.commands.list", Method: "GET", Route: routeCommands}}},
	{name: "AndroidCommands.ListAll: a call per page", call: func(ctx context.Context, c *Client, opts ...CallOption) error {
		for _, err := range c.AndroidCommands.ListAll(ctx, validOrg, validDevice, nil, opts...) {
			if err != nil {
				return err
			}
		}
		return nil
	}, want: []CallInfo{
		{Operation: "android.commands.list", Method: "GET", Route: routeCommands},
		{Operation: "android.commands.list", Method: "GET", Route: routeCommands},
	}},
	{name: "AndroidCommands.Create", call: func(ctx context.Context, c *Client, opts ...CallOption) error {
		_, err := c.AndroidCommands.Create(ctx, validOrg, validDevice, &CreateCommandRequest{Type: CommandTypeLock}, opts...)
		return err
	}, want: []CallInfo{{Operation: "android.commands.create", Method: "POST", Route: routeCommands}}},
	{name: "AndroidCommands.Wait: a get per poll", call: func(ctx context.Context, c *Client, opts ...CallOption) error {
		_, err := c.AndroidCommands.Wait(ctx, validOrg, validDevice, validCommand, nil, opts...)
		return err
	}, want: []CallInfo{{Operation: "android.commands.get", Method: "GET", Route: routeCommand}}},
	{name: "AndroidDevices.Get", call: func(ctx context.Context, c *Client, opts ...CallOption) error {
		_, err := c.AndroidDevices.Get(ctx, validOrg, validDevice, opts...)
		return err
	}, want: []CallInfo{{Operation: "android.devices.get", Method: "GET", Route: routeDevice}}},
	{name: "AndroidDevices.List", call: func(ctx context.Context, c *Client, opts ...CallOption) error {
		_, err := c.AndroidDevices.List(ctx, validOrg, nil, opts...)
		return err
	}, want: []CallInfo{{Operation: "android.devices.list", Method: "GET", Route: routeDevices}}},
	{name: "AndroidDevices.ListAll: a call per page", call: func(ctx context.Context, c *Client, opts ...CallOption) error {
		for _, err := range c.AndroidDevices.ListAll(ctx, validOrg, nil, opts...) {
			if err != nil {
				return err
			}
		}
		return nil
	}, want: []CallInfo{
		{Operation: "android.devices.list", Method: "GET", Route: routeDevices},
		{Operation: "android.devices.list", Method: "GET", Route: routeDevices},
	}},
	{name: "AndroidDevices.Move", call: func(ctx context.Context, c *Client, opts ...CallOption) error {
		_, err := c.AndroidDevices.Move(ctx, validOrg, validDevice, 4, opts...)
		return err
	}, want: []CallInfo{{Operation: "android.devices.move", Method: "PUT", Route: routeDevice + "/move"}}},
	{name: "Devices.List", call: func(ctx context.Context, c *Client, opts ...CallOption) error {
		_, err := c.Devices.List(ctx, validOrg, nil, opts...)
		return err
	}, want: []CallInfo{{Operation: "devices.list", Method: "GET", Route: routeMDMDevs}}},
	{name: "Devices.ListAll: a call per page", call: func(ctx context.Context, c *Client, opts ...CallOption) error {
		for _, err := range c.Devices.ListAll(ctx, validOrg, nil, opts...) {
			if err != nil {
				return err
			}
		}
		return nil
	}, want: []CallInfo{
		{Operation: "devices.list", Method: "GET", Route: routeMDMDevs},
		{Operation: "devices.list", Method: "GET", Route: routeMDMDevs},
	}},
}

// registerEveryEndpoint answers every endpoint of everyMethod with success.
func registerEveryEndpoint(mt *httpmock.MockTransport) {
	deviceURL := devicesURLT + "/" + validDevice
	mt.RegisterResponder(http.MethodPost, commandURL+"/cancel", httpmock.NewStringResponder(200, documentedCancelResponse))
	mt.RegisterResponder(http.MethodGet, commandURL, httpmock.NewStringResponder(200, doneCommand))
	mt.RegisterResponder(http.MethodGet, commandsURL, pagedResponder(commandsPage))
	mt.RegisterResponder(http.MethodPost, commandsURL, httpmock.NewStringResponder(201, documentedCancelResponse))
	mt.RegisterResponder(http.MethodGet, deviceURL, httpmock.NewStringResponder(200, `{"status":true,"data":`+sampleDevice+`}`))
	mt.RegisterResponder(http.MethodGet, devicesURLT, pagedResponder(devicesPage))
	mt.RegisterResponder(http.MethodPut, deviceURL+"/move", httpmock.NewStringResponder(200, `{"status":true,"data":`+sampleDevice+`}`))
	mt.RegisterResponder(http.MethodGet, mdmDevicesURL, pagedResponder(devicesPage))
}

func TestObserverSeesEveryMethodByItsOperationAndRoute(t *testing.T) {
	t.Parallel()
	for _, tt := range everyMethod {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			obs := &recordingObserver{}
			c, mt := newMockClient(t, WithObserver(obs))
			registerEveryEndpoint(mt)
			require.NoError(t, tt.call(context.Background(), c))
			want := make([]CallInfo, len(tt.want))
			for i, w := range tt.want {
				w.Host = "api.example.test"
				want[i] = w
			}
			assert.Equal(t, want, obs.infos())
			for _, call := range obs.all() {
				assert.Equal(t, 1, call.dones, "done runs exactly once")
				assert.NoError(t, call.result.Err)
				assert.Equal(t, 1, call.result.Attempts)
				assert.NotZero(t, call.result.StatusCode)
			}
			assert.Equal(t, len(tt.want), mt.GetTotalCallCount(), "one observed call per request")
		})
	}
}

func TestObserverInfoNamesNoIDOrKey(t *testing.T) {
	t.Parallel()
	obs := &recordingObserver{}
	c, mt := newMockClient(t, WithObserver(obs))
	registerEveryEndpoint(mt)
	for _, tt := range everyMethod {
		require.NoError(t, tt.call(context.Background(), c), tt.name)
	}
	for _, info := range obs.infos() {
		text := fmt.Sprintf("%#v", info)
		for _, secret := range []string{validOrg, validDevice, validCommand, testKey, "5f1e0c2a9b8d7e6f5a4b"} {
			assert.NotContains(t, text, secret)
		}
	}
}

func TestEveryAttemptCarriesTheObserversContext(t *testing.T) {
	t.Parallel()
	obs := &recordingObserver{}
	type seen struct {
		call    *observed
		attempt int
	}
	var (
		mu       sync.Mutex
		attempts []seen
	)
	mt := httpmock.NewMockTransport()
	responses := httpmock.ResponderFromMultipleResponses([]*http.Response{
		httpmock.NewStringResponse(503, ""),
		httpmock.NewStringResponse(200, documentedCancelResponse),
	})
	// The transport a caller gives, as an instrumented one (otelhttp's)
	// would be: it reads the call's context from each attempt's request.
	mt.RegisterResponder(http.MethodPost, commandURL+"/cancel", func(r *http.Request) (*http.Response, error) {
		call, _ := r.Context().Value(observedKey{}).(*observed)
		mu.Lock()
		attempts = append(attempts, seen{call, len(attempts) + 1})
		mu.Unlock()
		return responses(r)
	})
	c, err := NewClient(testKey, WithBaseURL(mockBase), WithHTTPClient(&http.Client{Transport: mt}),
		WithRetryWait(time.Millisecond, time.Millisecond), WithObserver(obs))
	require.NoError(t, err)
	_, err = cancelCall(context.Background(), c)
	require.NoError(t, err)
	calls := obs.calls
	require.Len(t, calls, 1)
	require.Len(t, attempts, 2)
	for _, a := range attempts {
		assert.Same(t, calls[0], a.call, "attempt %d carries the context ObserveCall returned", a.attempt)
	}
	assert.Equal(t, CallResult{StatusCode: 200, Attempts: 2}, calls[0].result)
}

func TestObserverDoneRunsOnceWithTheCallersError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		responder  httpmock.Responder
		call       func(context.Context, *Client) error
		wantResult CallResult // Err is checked apart
		wantIs     error
	}{
		{name: "an API error", responder: func(*http.Request) (*http.Response, error) {
			resp := httpmock.NewStringResponse(404, `{"status":false,"error":{"code":3001,"message":"Entity not found"}}`)
			resp.Header.Set("X-Request-Id", "req-404")
			return resp, nil
		}, call: func(ctx context.Context, c *Client) error {
			_, err := c.AndroidCommands.Get(ctx, validOrg, validDevice, validCommand)
			return err
		}, wantResult: CallResult{StatusCode: 404, Attempts: 1, RequestID: "req-404"}, wantIs: ErrNotFound},
		{name: "no answer", responder: httpmock.NewErrorResponder(fmt.Errorf("connection reset")),
			call: func(ctx context.Context, c *Client) error {
				_, err := c.AndroidCommands.Get(ctx, validOrg, validDevice, validCommand)
				return err
			}, wantResult: CallResult{Attempts: 2}},
		{name: "Create that may have acted: the error the caller gets", responder: httpmock.NewStringResponder(503, ""),
			call: func(ctx context.Context, c *Client) error {
				_, err := c.AndroidCommands.Create(ctx, validOrg, validDevice, &CreateCommandRequest{Type: CommandTypeLock})
				return err
			}, wantResult: CallResult{StatusCode: 503, Attempts: 1}, wantIs: ErrOutcomeUnknown},
		{name: "the key echoed in the request ID is redacted", responder: func(*http.Request) (*http.Response, error) {
			resp := httpmock.NewStringResponse(200, documentedCancelResponse)
			resp.Header.Set("X-Request-Id", "id-"+testKey)
			return resp, nil
		}, call: func(ctx context.Context, c *Client) error {
			_, err := c.AndroidCommands.Get(ctx, validOrg, validDevice, validCommand)
			return err
		}, wantResult: CallResult{StatusCode: 200, Attempts: 1, RequestID: "id-" + redacted}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			obs := &recordingObserver{}
			c, mt := newMockClient(t, WithObserver(obs), WithMaxRetries(1))
			mt.RegisterNoResponder(tt.responder)
			err := tt.call(context.Background(), c)
			calls := obs.all()
			require.Len(t, calls, 1)
			assert.Equal(t, 1, calls[0].dones)
			got := calls[0].result
			if err == nil {
				assert.NoError(t, got.Err)
			} else {
				assert.Same(t, err, got.Err, "the observer gets the very error the caller gets")
			}
			if tt.wantIs != nil {
				assert.ErrorIs(t, got.Err, tt.wantIs)
			}
			got.Err = nil
			assert.Equal(t, tt.wantResult, got)
		})
	}
}

func TestCancelsLookupIsACallNestedInTheCancel(t *testing.T) {
	t.Parallel()
	obs := &recordingObserver{}
	c, mt := newMockClient(t, WithObserver(obs))
	// The first attempt's answer is lost; the retry finds the command no
	// longer pending; the lookup shows it canceled, just now.
	canceled := strings.NewReplacer(`"status": "PENDING"`, `"status": "CANCEL"`,
		`"updatedAt": "2026-02-10T14: 30:00Z"`, `"updatedAt": "`+time.Now().UTC().Format(time.RFC3339)+`"`).Replace(documentedCancelResponse)
	mt.RegisterResponder(http.MethodPost, commandURL+"/cancel", httpmock.ResponderFromMultipleResponses([]*http.Response{
		httpmock.NewStringResponse(502, ""),
		httpmock.NewStringResponse(400, `{"status":false,"error":{"code":5052,"message":"EmmCommand status not Pending"}}`),
	}))
	mt.RegisterResponder(http.MethodGet, commandURL, httpmock.NewStringResponder(200, canceled))
	cmd, err := cancelCall(context.Background(), c)
	require.NoError(t, err)
	assert.Equal(t, CommandStatusCanceled, cmd.Status)
	calls := obs.all()
	require.Len(t, calls, 2)
	assert.Equal(t, "android.commands.cancel", calls[0].info.Operation)
	assert.Equal(t, CallResult{StatusCode: 400, Attempts: 2}, calls[0].result, "the cancel's own answer, and its outcome: success")
	assert.Equal(t, "android.commands.get", calls[1].info.Operation)
	assert.Equal(t, "android.commands.cancel", calls[1].parent, "started in the cancel's context")
	for _, call := range calls {
		assert.Equal(t, 1, call.dones)
	}
}

func TestARefusedCallIsNotObserved(t *testing.T) {
	t.Parallel()
	obs := &recordingObserver{}
	c, mt := newMockClient(t, WithObserver(obs))
	_, err := c.AndroidCommands.Get(context.Background(), "x", validDevice, validCommand)
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Empty(t, obs.all())
	assert.Zero(t, mt.GetTotalCallCount())
}

// nilContextObserver returns a nil context and a nil done: the call goes on
// with its own context, and nothing is told at its end.
type nilContextObserver struct{ started int }

func (o *nilContextObserver) ObserveCall(context.Context, CallInfo) (context.Context, func(CallResult)) {
	o.started++
	return nil, nil
}

func TestObserverMayReturnNothing(t *testing.T) {
	t.Parallel()
	obs := &nilContextObserver{}
	c, mt := newMockClient(t, WithObserver(obs))
	registerEveryEndpoint(mt)
	_, err := cancelCall(context.Background(), c)
	require.NoError(t, err)
	assert.Equal(t, 1, obs.started)
}

func TestWithObserverNilMeansNone(t *testing.T) {
	t.Parallel()
	for _, o := range []Observer{nil, (*recordingObserver)(nil)} {
		c, mt := newMockClient(t, WithObserver(&recordingObserver{}), WithObserver(o))
		registerEveryEndpoint(mt)
		_, err := cancelCall(context.Background(), c)
		require.NoError(t, err)
		assert.Nil(t, c.core.observer, "%#v: the later option wins, and a nil pointer is none", o)
	}
}
