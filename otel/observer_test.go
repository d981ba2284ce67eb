package appliveryotel_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/applivery/applivery-go"
	"github.com/applivery/applivery-go/appliverytest"
	appliveryotel "github.com/applivery/applivery-go/otel"
)

const (
	org    = "acme-fleet"
	device = "pixel8_0042" // a serial number: the alias the fake knows the device by

	androidDevices = "/organizations/{organizationId}/mdm/android/enterprise/devices"
	commandRoute   = androidDevices + "/{emmDeviceId}/commands/{emmCommandId}"
	cancelRoute    = commandRoute + "/cancel"
)

// telemetry is an observer on SDK providers whose spans and metrics a test
// reads back.
type telemetry struct {
	spans  *tracetest.SpanRecorder
	reader *sdkmetric.ManualReader
	obs    applivery.Observer
}

func newTelemetry(t *testing.T) *telemetry {
	t.Helper()
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	t.Cleanup(func() {
		assert.NoError(t, tp.Shutdown(context.Background()))
		assert.NoError(t, mp.Shutdown(context.Background()))
	})
	obs := appliveryotel.NewObserver(appliveryotel.WithTracerProvider(tp), appliveryotel.WithMeterProvider(mp))
	return &telemetry{spans: spans, reader: reader, obs: obs}
}

// ended returns the spans that ended, in the order they ended.
func (tel *telemetry) ended() []sdktrace.ReadOnlySpan { return tel.spans.Ended() }

// only returns the one span that ended, failing the test if there are others.
func (tel *telemetry) only(t *testing.T) sdktrace.ReadOnlySpan {
	t.Helper()
	spans := tel.ended()
	require.Len(t, spans, 1, "spans: %v", spanNames(spans))
	return spans[0]
}

// metrics collects the two instruments' data.
func (tel *telemetry) metrics(t *testing.T) (metricdata.Histogram[float64], metricdata.Sum[int64], []metricdata.Metrics) {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, tel.reader.Collect(context.Background(), &rm))
	require.Len(t, rm.ScopeMetrics, 1)
	scope := rm.ScopeMetrics[0]
	assert.Equal(t, "github.com/applivery/applivery-go/otel", scope.Scope.Name)
	var duration metricdata.Histogram[float64]
	var attempts metricdata.Sum[int64]
	for _, m := range scope.Metrics {
		switch m.Name {
		case "applivery.client.call.duration":
			assert.Equal(t, "s", m.Unit)
			duration = m.Data.(metricdata.Histogram[float64])
		case "applivery.client.attempts":
			attempts = m.Data.(metricdata.Sum[int64])
		default:
			t.Errorf("unexpected metric %q", m.Name)
		}
	}
	return duration, attempts, scope.Metrics
}

func spanNames(spans []sdktrace.ReadOnlySpan) []string {
	names := make([]string, len(spans))
	for i, s := range spans {
		names[i] = s.Name()
	}
	return names
}

// attrs maps attributes to their values, to compare whole sets.
func attrs(kvs []attribute.KeyValue) map[string]any {
	m := make(map[string]any, len(kvs))
	for _, kv := range kvs {
		m[string(kv.Key)] = kv.Value.AsInterface()
	}
	return m
}

// where is the fake's host and port, as server.address and server.port.
func where(t *testing.T, srv *appliverytest.Server) (string, int) {
	t.Helper()
	u, err := url.Parse(srv.URL)
	require.NoError(t, err)
	port, err := strconv.Atoi(u.Port())
	require.NoError(t, err)
	return u.Hostname(), port
}

// roundTripFunc is an http.RoundTripper made of a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// withRequestID answers through http.DefaultTransport and gives every
// answer the X-Request-Id id, in place of the fake's random one.
func withRequestID(id string) applivery.Option {
	return applivery.WithHTTPClient(&http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		resp, err := http.DefaultTransport.RoundTrip(r)
		if err == nil {
			resp.Header.Set("X-Request-Id", id)
		}
		return resp, err
	})})
}

// fakeRequestID stands, in a test's expected attributes, for the
// X-Request-Id that the fake gives every answer, a random one.
const fakeRequestID = "<the fake's X-Request-Id>"

// TestSpan checks the span of one call for each way a call ends.
func TestSpan(t *testing.T) {
	tests := []struct {
		name string
		// run makes one call with a client that has opts (the observer).
		run        func(t *testing.T, srv *appliverytest.Server, opts ...applivery.Option) error
		wantName   string
		wantAttrs  map[string]any // beyond server.address and server.port
		wantStatus codes.Code
	}{
		{
			name: "success",
			run: func(t *testing.T, srv *appliverytest.Server, opts ...applivery.Option) error {
				cmd := srv.AddCommand(org, device, applivery.Command{})
				_, err := srv.TestClient(t, opts...).AndroidCommands.Cancel(context.Background(), org, device, cmd.ID)
				return err
			},
			wantName: "POST " + cancelRoute,
			wantAttrs: map[string]any{
				"http.request.method":       "POST",
				"url.template":              cancelRoute,
				"applivery.operation":       "android.commands.cancel",
				"applivery.attempts":        int64(1),
				"http.response.status_code": int64(200),
				"applivery.request_id":      fakeRequestID,
			},
			wantStatus: codes.Unset,
		},
		{
			name: "success with a request ID",
			run: func(t *testing.T, srv *appliverytest.Server, opts ...applivery.Option) error {
				cmd := srv.AddCommand(org, device, applivery.Command{})
				opts = append(opts, withRequestID("req-7f3a"))
				_, err := srv.TestClient(t, opts...).AndroidCommands.Get(context.Background(), org, device, cmd.ID)
				return err
			},
			wantName: "GET " + commandRoute,
			wantAttrs: map[string]any{
				"http.request.method":       "GET",
				"url.template":              commandRoute,
				"applivery.operation":       "android.commands.get",
				"applivery.attempts":        int64(1),
				"http.response.status_code": int64(200),
				"applivery.request_id":      "req-7f3a",
			},
			wantStatus: codes.Unset,
		},
		{
			name: "API error 5052",
			run: func(t *testing.T, srv *appliverytest.Server, opts ...applivery.Option) error {
				cmd := srv.AddCommand(org, device, applivery.Command{Status: applivery.CommandStatusDone})
				_, err := srv.TestClient(t, opts...).AndroidCommands.Cancel(context.Background(), org, device, cmd.ID)
				assert.ErrorIs(t, err, applivery.ErrCommandNotPending)
				return err
			},
			wantName: "POST " + cancelRoute,
			wantAttrs: map[string]any{
				"http.request.method":       "POST",
				"url.template":              cancelRoute,
				"applivery.operation":       "android.commands.cancel",
				"applivery.attempts":        int64(1),
				"http.response.status_code": int64(400),
				"applivery.request_id":      fakeRequestID,
				"error.type":                "5052",
			},
			wantStatus: codes.Error,
		},
		{
			name: "503 after retries",
			run: func(t *testing.T, srv *appliverytest.Server, opts ...applivery.Option) error {
				cmd := srv.AddCommand(org, device, applivery.Command{})
				srv.Script(appliverytest.EndpointGet, slices.Repeat([]appliverytest.Fault{{Status: 503}}, 3)...)
				opts = append(opts, applivery.WithMaxRetries(2))
				_, err := srv.TestClient(t, opts...).AndroidCommands.Get(context.Background(), org, device, cmd.ID)
				return err
			},
			wantName: "GET " + commandRoute,
			wantAttrs: map[string]any{
				"http.request.method":       "GET",
				"url.template":              commandRoute,
				"applivery.operation":       "android.commands.get",
				"applivery.attempts":        int64(3),
				"http.response.status_code": int64(503),
				"applivery.request_id":      fakeRequestID,
				"error.type":                "503",
			},
			wantStatus: codes.Error,
		},
		{
			name: "attempt timeout",
			run: func(t *testing.T, srv *appliverytest.Server, opts ...applivery.Option) error {
				cmd := srv.AddCommand(org, device, applivery.Command{})
				srv.Script(appliverytest.EndpointGet, appliverytest.Fault{Latency: time.Minute})
				opts = append(opts, applivery.WithMaxRetries(0), applivery.WithAttemptTimeout(20*time.Millisecond))
				_, err := srv.TestClient(t, opts...).AndroidCommands.Get(context.Background(), org, device, cmd.ID)
				return err
			},
			wantName: "GET " + commandRoute,
			wantAttrs: map[string]any{
				"http.request.method": "GET",
				"url.template":        commandRoute,
				"applivery.operation": "android.commands.get",
				"applivery.attempts":  int64(1),
				"error.type":          "timeout",
			},
			wantStatus: codes.Error,
		},
		{
			name: "context deadline",
			run: func(t *testing.T, srv *appliverytest.Server, opts ...applivery.Option) error {
				cmd := srv.AddCommand(org, device, applivery.Command{})
				srv.Script(appliverytest.EndpointGet, appliverytest.Fault{Latency: time.Minute})
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
				defer cancel()
				_, err := srv.TestClient(t, opts...).AndroidCommands.Get(ctx, org, device, cmd.ID)
				return err
			},
			wantName: "GET " + commandRoute,
			wantAttrs: map[string]any{
				"http.request.method": "GET",
				"url.template":        commandRoute,
				"applivery.operation": "android.commands.get",
				"applivery.attempts":  int64(1),
				"error.type":          "timeout",
			},
			wantStatus: codes.Error,
		},
		{
			name: "context canceled",
			run: func(t *testing.T, srv *appliverytest.Server, opts ...applivery.Option) error {
				cmd := srv.AddCommand(org, device, applivery.Command{})
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				// The caller gives up as the attempt leaves.
				opts = append(opts, applivery.WithHTTPClient(&http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
					cancel()
					return http.DefaultTransport.RoundTrip(r)
				})}))
				_, err := srv.TestClient(t, opts...).AndroidCommands.Get(ctx, org, device, cmd.ID)
				return err
			},
			wantName: "GET " + commandRoute,
			wantAttrs: map[string]any{
				"http.request.method": "GET",
				"url.template":        commandRoute,
				"applivery.operation": "android.commands.get",
				"applivery.attempts":  int64(1),
				"error.type":          "canceled",
			},
			wantStatus: codes.Error,
		},
		{
			name: "connection dropped",
			run: func(t *testing.T, srv *appliverytest.Server, opts ...applivery.Option) error {
				srv.AddDevice(org, applivery.Device{}, device)
				srv.Script(appliverytest.EndpointDeviceGet, appliverytest.Fault{Drop: true})
				opts = append(opts, applivery.WithMaxRetries(0))
				_, err := srv.TestClient(t, opts...).AndroidDevices.Get(context.Background(), org, device)
				return err
			},
			wantName: "GET " + androidDevices + "/{emmDeviceId}",
			wantAttrs: map[string]any{
				"http.request.method": "GET",
				"url.template":        androidDevices + "/{emmDeviceId}",
				"applivery.operation": "android.devices.get",
				"applivery.attempts":  int64(1),
				"error.type":          "*net.OpError",
			},
			wantStatus: codes.Error,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := appliverytest.Start(t)
			tel := newTelemetry(t)
			err := tt.run(t, srv, applivery.WithObserver(tel.obs))
			span := tel.only(t)

			assert.Equal(t, tt.wantName, span.Name())
			assert.Equal(t, trace.SpanKindClient, span.SpanKind())
			host, port := where(t, srv)
			want := map[string]any{"server.address": host, "server.port": int64(port)}
			for k, v := range tt.wantAttrs {
				want[k] = v
			}
			got := attrs(span.Attributes())
			if want["applivery.request_id"] == fakeRequestID {
				assert.Regexp(t, `^req_[0-9a-f]{16}$`, got["applivery.request_id"])
				got["applivery.request_id"] = fakeRequestID
			}
			assert.Equal(t, want, got)
			assert.Equal(t, tt.wantStatus, span.Status().Code)
			if tt.wantStatus == codes.Error {
				require.Error(t, err)
				// Described by the error.type alone, not by the message.
				assert.Equal(t, tt.wantAttrs["error.type"], span.Status().Description)
			} else {
				require.NoError(t, err)
				assert.Empty(t, span.Status().Description)
			}
			assert.Empty(t, span.Events(), "no event: an error's message could name an ID")
			assert.False(t, span.Parent().IsValid(), "a call from a context without a span starts a trace")
		})
	}
}

// TestSpanParent: the call's span is a child of the span in the caller's
// context, and the context the transport sees carries the call's span.
func TestSpanParent(t *testing.T) {
	srv := appliverytest.Start(t)
	tel := newTelemetry(t)
	srv.AddDevice(org, applivery.Device{}, device)
	var seen atomic.Value // the span context of the attempt's request
	client := srv.TestClient(t, applivery.WithObserver(tel.obs),
		applivery.WithHTTPClient(&http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			seen.Store(trace.SpanContextFromContext(r.Context()))
			return http.DefaultTransport.RoundTrip(r)
		})}))

	tracer := sdktrace.NewTracerProvider().Tracer("caller")
	ctx, parent := tracer.Start(context.Background(), "handle request")
	_, err := client.AndroidDevices.Get(ctx, org, device)
	parent.End()
	require.NoError(t, err)

	span := tel.only(t)
	assert.Equal(t, parent.SpanContext().TraceID(), span.SpanContext().TraceID())
	assert.Equal(t, parent.SpanContext().SpanID(), span.Parent().SpanID())
	assert.Equal(t, span.SpanContext(), seen.Load(), "the attempt's request carries the call's span")
}

// TestListAllSpanPerPage: ListAll makes one call, so one span, per page.
func TestListAllSpanPerPage(t *testing.T) {
	srv := appliverytest.Start(t)
	tel := newTelemetry(t)
	for _, serial := range []string{"pixel8_0042", "pixel8_0043", "pixel8_0044"} {
		srv.AddDevice(org, applivery.Device{}, serial)
	}
	client := srv.TestClient(t, applivery.WithObserver(tel.obs))

	n := 0
	for _, err := range client.AndroidDevices.ListAll(context.Background(), org, &applivery.ListDevicesOptions{Limit: 1}) {
		require.NoError(t, err)
		n++
	}
	require.Equal(t, 3, n)

	pages := 0
	for _, r := range srv.Requests() {
		if r.Endpoint == appliverytest.EndpointDeviceList {
			pages++
		}
	}
	require.GreaterOrEqual(t, pages, 3)
	spans := tel.ended()
	require.Len(t, spans, pages, "one span per page")
	for _, span := range spans {
		assert.Equal(t, "GET "+androidDevices, span.Name())
		got := attrs(span.Attributes())
		assert.Equal(t, "android.devices.list", got["applivery.operation"])
		assert.Equal(t, int64(200), got["http.response.status_code"])
	}
	_, attempts, _ := tel.metrics(t)
	require.Len(t, attempts.DataPoints, 1)
	assert.Equal(t, int64(pages), attempts.DataPoints[0].Value)
}

// TestMetrics checks the values and attributes of both metrics over calls
// that succeed, fail with an API error, and fail after retries.
func TestMetrics(t *testing.T) {
	srv := appliverytest.Start(t)
	tel := newTelemetry(t)
	pending := srv.AddCommand(org, device, applivery.Command{})
	done := srv.AddCommand(org, device, applivery.Command{Status: applivery.CommandStatusDone})
	client := srv.TestClient(t, applivery.WithObserver(tel.obs), applivery.WithMaxRetries(2))
	ctx := context.Background()

	_, err := client.AndroidCommands.Get(ctx, org, device, pending.ID)
	require.NoError(t, err)
	_, err = client.AndroidCommands.Get(ctx, org, device, pending.ID)
	require.NoError(t, err)
	_, err = client.AndroidCommands.Cancel(ctx, org, device, done.ID)
	require.ErrorIs(t, err, applivery.ErrCommandNotPending)
	srv.Script(appliverytest.EndpointGet, slices.Repeat([]appliverytest.Fault{{Status: 503}}, 3)...)
	_, err = client.AndroidCommands.Get(ctx, org, device, pending.ID)
	require.Error(t, err)

	getOK := attribute.NewSet(
		attribute.String("applivery.operation", "android.commands.get"),
		attribute.String("http.request.method", "GET"),
		attribute.Int("http.response.status_code", 200))
	cancel5052 := attribute.NewSet(
		attribute.String("applivery.operation", "android.commands.cancel"),
		attribute.String("http.request.method", "POST"),
		attribute.Int("http.response.status_code", 400),
		attribute.String("error.type", "5052"))
	get503 := attribute.NewSet(
		attribute.String("applivery.operation", "android.commands.get"),
		attribute.String("http.request.method", "GET"),
		attribute.Int("http.response.status_code", 503),
		attribute.String("error.type", "503"))

	duration, attempts, all := tel.metrics(t)
	require.Len(t, all, 2)

	// The duration: one count per call, in seconds, covering the call's span.
	calls := map[attribute.Distinct]uint64{}
	sums := map[attribute.Distinct]float64{}
	for _, dp := range duration.DataPoints {
		calls[dp.Attributes.Equivalent()] = dp.Count
		sums[dp.Attributes.Equivalent()] = dp.Sum
		assert.Equal(t, []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30, 60}, dp.Bounds)
	}
	assert.Equal(t, map[attribute.Distinct]uint64{
		getOK.Equivalent():      2,
		cancel5052.Equivalent(): 1,
		get503.Equivalent():     1,
	}, calls)
	spanSeconds := map[attribute.Distinct]float64{}
	for _, span := range tel.ended() {
		kvs := []attribute.KeyValue{}
		for _, kv := range span.Attributes() {
			switch kv.Key {
			case "applivery.operation", "http.request.method", "http.response.status_code", "error.type":
				kvs = append(kvs, kv)
			}
		}
		set := attribute.NewSet(kvs...)
		spanSeconds[set.Equivalent()] += span.EndTime().Sub(span.StartTime()).Seconds()
	}
	for k, sum := range sums {
		// The observer's clock readings bracket the span's: before it
		// starts, after it ends.
		assert.GreaterOrEqual(t, sum, spanSeconds[k], "the recorded duration covers the span")
		assert.Greater(t, spanSeconds[k], 0.0)
	}

	// The attempts: a cumulative, monotonic sum of the HTTP attempts.
	assert.True(t, attempts.IsMonotonic)
	assert.Equal(t, metricdata.CumulativeTemporality, attempts.Temporality)
	counts := map[attribute.Distinct]int64{}
	for _, dp := range attempts.DataPoints {
		counts[dp.Attributes.Equivalent()] = dp.Value
	}
	assert.Equal(t, map[attribute.Distinct]int64{
		getOK.Equivalent():      2,
		cancel5052.Equivalent(): 1,
		get503.Equivalent():     3,
	}, counts)
}

// TestNoIDsInTelemetry: a call that names an organization, a device and a
// command, whether it succeeds or fails, leaves none of them, nor the key,
// in any span name, attribute or status, or metric attribute.
func TestNoIDsInTelemetry(t *testing.T) {
	srv := appliverytest.Start(t)
	tel := newTelemetry(t)
	dev := srv.AddDevice(org, applivery.Device{}, device)
	pending := srv.AddCommand(org, device, applivery.Command{})
	done := srv.AddCommand(org, device, applivery.Command{Status: applivery.CommandStatusDone})
	client := srv.TestClient(t, applivery.WithObserver(tel.obs))
	ctx := context.Background()

	_, err := client.AndroidCommands.Cancel(ctx, org, device, pending.ID)
	require.NoError(t, err)
	_, err = client.AndroidCommands.Cancel(ctx, org, dev.ID, done.ID)
	require.Error(t, err)
	_, err = client.AndroidCommands.Get(ctx, org, dev.ID, "0123456789abcdef01234567") // not found
	require.Error(t, err)
	_, err = client.AndroidDevices.Get(ctx, org, device)
	require.NoError(t, err)

	var texts []string
	spans := tel.ended()
	require.Len(t, spans, 4)
	for _, span := range spans {
		texts = append(texts, span.Name(), span.Status().Description)
		for _, kv := range span.Attributes() {
			texts = append(texts, kv.Value.Emit())
		}
		for _, ev := range span.Events() {
			texts = append(texts, ev.Name)
			for _, kv := range ev.Attributes {
				texts = append(texts, kv.Value.Emit())
			}
		}
	}
	_, _, all := tel.metrics(t)
	for _, m := range all {
		switch data := m.Data.(type) {
		case metricdata.Histogram[float64]:
			for _, dp := range data.DataPoints {
				for _, kv := range dp.Attributes.ToSlice() {
					texts = append(texts, kv.Value.Emit())
				}
			}
		case metricdata.Sum[int64]:
			for _, dp := range data.DataPoints {
				for _, kv := range dp.Attributes.ToSlice() {
					texts = append(texts, kv.Value.Emit())
				}
			}
		}
	}
	require.NotEmpty(t, texts)
	secrets := map[string]string{
		"organization": org, "serial": device, "device ID": dev.ID,
		"command ID": pending.ID, "other command ID": done.ID, "unknown command ID": "0123456789abcdef01234567",
		"key": srv.APIKey,
	}
	for _, text := range texts {
		for what, id := range secrets {
			assert.NotContains(t, text, id, "the %s in telemetry", what)
		}
	}
}

// countingMeterProvider counts the instruments its meters make.
type countingMeterProvider struct {
	metric.MeterProvider
	histograms, counters atomic.Int64
}

func (p *countingMeterProvider) Meter(name string, opts ...metric.MeterOption) metric.Meter {
	return &countingMeter{Meter: p.MeterProvider.Meter(name, opts...), p: p}
}

type countingMeter struct {
	metric.Meter
	p *countingMeterProvider
}

func (m *countingMeter) Float64Histogram(name string, opts ...metric.Float64HistogramOption) (metric.Float64Histogram, error) {
	m.p.histograms.Add(1)
	return m.Meter.Float64Histogram(name, opts...)
}

func (m *countingMeter) Int64Counter(name string, opts ...metric.Int64CounterOption) (metric.Int64Counter, error) {
	m.p.counters.Add(1)
	return m.Meter.Int64Counter(name, opts...)
}

// TestInstrumentsMadeOnce: NewObserver makes the instruments, and calls only
// use them.
func TestInstrumentsMadeOnce(t *testing.T) {
	srv := appliverytest.Start(t)
	srv.AddDevice(org, applivery.Device{}, device)
	reader := sdkmetric.NewManualReader()
	mp := &countingMeterProvider{MeterProvider: sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))}
	obs := appliveryotel.NewObserver(appliveryotel.WithMeterProvider(mp))
	assert.Equal(t, int64(1), mp.histograms.Load())
	assert.Equal(t, int64(1), mp.counters.Load())

	client := srv.TestClient(t, applivery.WithObserver(obs))
	for range 5 {
		_, err := client.AndroidDevices.Get(context.Background(), org, device)
		require.NoError(t, err)
	}
	assert.Equal(t, int64(1), mp.histograms.Load())
	assert.Equal(t, int64(1), mp.counters.Load())

	var rm metricdata.ResourceMetrics
	require.NoError(t, reader.Collect(context.Background(), &rm))
	require.Len(t, rm.ScopeMetrics, 1)
	for _, m := range rm.ScopeMetrics[0].Metrics {
		if sum, ok := m.Data.(metricdata.Sum[int64]); ok {
			require.Len(t, sum.DataPoints, 1)
			assert.Equal(t, int64(5), sum.DataPoints[0].Value)
		}
	}
}

// globals are the providers that TestGlobalProviders makes OpenTelemetry's
// global ones. A global provider cannot be unset, and the global tracers and
// meters hand on to the first providers set for good: they are set once per
// process (go test -count runs the test again in it), and never shut down.
var globals struct {
	once   sync.Once
	spans  *tracetest.InMemoryExporter
	reader *sdkmetric.ManualReader
}

func setGlobalProviders() {
	globals.once.Do(func() {
		globals.spans = tracetest.NewInMemoryExporter()
		globals.reader = sdkmetric.NewManualReader()
		otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSyncer(globals.spans)))
		otel.SetMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(globals.reader)))
	})
}

// globalAttempts is the attempts counted on the global meter provider so far.
func globalAttempts(t *testing.T) int64 {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, globals.reader.Collect(context.Background(), &rm))
	var n int64
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if sum, ok := m.Data.(metricdata.Sum[int64]); ok && m.Name == "applivery.client.attempts" {
				for _, dp := range sum.DataPoints {
					n += dp.Value
				}
			}
		}
	}
	return n
}

// TestGlobalProviders: without options (or with nil ones) the observer uses
// the global providers, including those set after it was made (on the first
// run in a process). It sets OpenTelemetry's globals, which no other test
// uses, so it runs apart from the parallel tests.
func TestGlobalProviders(t *testing.T) {
	srv := appliverytest.Start(t)
	srv.AddDevice(org, applivery.Device{}, device)
	observers := map[string]applivery.Observer{
		"no option":   appliveryotel.NewObserver(),
		"nil options": appliveryotel.NewObserver(appliveryotel.WithTracerProvider(nil), appliveryotel.WithMeterProvider(nil), nil),
	}
	setGlobalProviders()
	globals.spans.Reset()
	before := globalAttempts(t)

	for name, obs := range observers {
		client := srv.TestClient(t, applivery.WithObserver(obs))
		_, err := client.AndroidDevices.Get(context.Background(), org, device)
		require.NoError(t, err, name)
	}
	ended := globals.spans.GetSpans()
	require.Len(t, ended, len(observers))
	for _, span := range ended {
		assert.Equal(t, "GET "+androidDevices+"/{emmDeviceId}", span.Name)
		assert.Equal(t, "github.com/applivery/applivery-go/otel", span.InstrumentationScope.Name)
	}
	assert.Equal(t, int64(len(observers)), globalAttempts(t)-before)
}

// TestObserveCallDirect drives the observer as the SDK does, for what no
// API call can show: a call with no route and a host without a port.
func TestObserveCallDirect(t *testing.T) {
	tel := newTelemetry(t)
	ctx, done := tel.obs.ObserveCall(context.Background(), applivery.CallInfo{
		Operation: "raw", Method: "GET", Host: "api.applivery.io",
	})
	assert.True(t, trace.SpanContextFromContext(ctx).IsValid(), "the returned context carries the span")
	done(applivery.CallResult{StatusCode: 200, Attempts: 1})

	span := tel.only(t)
	assert.Equal(t, "GET", span.Name(), "no route: the method alone")
	assert.Equal(t, map[string]any{
		"http.request.method":       "GET",
		"applivery.operation":       "raw",
		"server.address":            "api.applivery.io",
		"applivery.attempts":        int64(1),
		"http.response.status_code": int64(200),
	}, attrs(span.Attributes()))
}

// TestObserverConcurrent: one observer serves concurrent calls (run with
// -race).
func TestObserverConcurrent(t *testing.T) {
	srv := appliverytest.Start(t)
	tel := newTelemetry(t)
	srv.AddDevice(org, applivery.Device{}, device)
	client := srv.TestClient(t, applivery.WithObserver(tel.obs))

	const n = 16
	errs := make(chan error, n)
	for range n {
		go func() {
			_, err := client.AndroidDevices.Get(context.Background(), org, device)
			errs <- err
		}()
	}
	for range n {
		require.NoError(t, <-errs)
	}
	assert.Len(t, tel.ended(), n)
	_, attempts, _ := tel.metrics(t)
	require.Len(t, attempts.DataPoints, 1)
	assert.Equal(t, int64(n), attempts.DataPoints[0].Value)
}
