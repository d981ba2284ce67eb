package appliveryotel

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/applivery/applivery-go"
)

func TestSplitHostPort(t *testing.T) {
	tests := []struct {
		name, in string
		host     string
		port     int
	}{
		{"host", "api.applivery.io", "api.applivery.io", 0},
		{"host and port", "api.applivery.io:8443", "api.applivery.io", 8443},
		{"IPv4 and port", "127.0.0.1:41234", "127.0.0.1", 41234},
		{"IPv6", "[::1]", "::1", 0},
		{"IPv6 and port", "[::1]:8080", "::1", 8080},
		{"IPv6 without brackets", "fe80::1", "fe80::1", 0},
		{"empty port", "example.com:", "example.com", 0},
		{"bad port", "example.com:http", "example.com", 0},
		{"empty", "", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			host, port := splitHostPort(tt.in)
			assert.Equal(t, tt.host, host)
			assert.Equal(t, tt.port, port)
		})
	}
}

// TestCacheBound: calls of more kinds than the caches keep (a Do that names
// a new operation each time) are traced and measured all the same, and the
// caches stop growing at their bound.
func TestCacheBound(t *testing.T) {
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	t.Cleanup(func() {
		assert.NoError(t, tp.Shutdown(context.Background()))
		assert.NoError(t, mp.Shutdown(context.Background()))
	})
	o := NewObserver(WithTracerProvider(tp), WithMeterProvider(mp)).(*observer)

	const n = maxCached + 10
	for i := range n {
		op := fmt.Sprintf("custom.op%d", i)
		_, done := o.ObserveCall(context.Background(), applivery.CallInfo{Operation: op, Method: "GET", Route: "/things", Host: "api.applivery.io"})
		done(applivery.CallResult{StatusCode: 200, Attempts: 1})
	}
	// Again, the first ones from the caches.
	for i := range 3 {
		op := fmt.Sprintf("custom.op%d", i)
		_, done := o.ObserveCall(context.Background(), applivery.CallInfo{Operation: op, Method: "GET", Route: "/things", Host: "api.applivery.io"})
		done(applivery.CallResult{StatusCode: 200, Attempts: 1})
	}
	assert.Len(t, o.calls.m, maxCached)
	assert.Len(t, o.series.m, maxCached)

	ended := spans.Ended()
	require.Len(t, ended, n+3)
	for i, span := range ended {
		assert.Equal(t, "GET /things", span.Name())
		want := fmt.Sprintf("custom.op%d", i%n)
		assert.Contains(t, span.Attributes(), operationKey.String(want))
	}
	var rm metricdata.ResourceMetrics
	require.NoError(t, reader.Collect(context.Background(), &rm))
	require.Len(t, rm.ScopeMetrics, 1)
	for _, m := range rm.ScopeMetrics[0].Metrics {
		if sum, ok := m.Data.(metricdata.Sum[int64]); ok {
			assert.Len(t, sum.DataPoints, n, "one series per operation")
		}
	}
}
