package appliveryotel_test

// The cost of the observer: one call of a real client against a loopback
// server, without an observer and with one on SDK providers as a service
// runs them (a batching span processor, a metric reader), its spans sampled
// or not. The exporter discards, so that the numbers are the observer's and
// the SDK's, not an exporter's.

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/applivery/applivery-go"
	appliveryotel "github.com/applivery/applivery-go/otel"
)

const (
	benchOrg     = "507f1f77bcf86cd799439012"
	benchDevice  = "507f1f77bcf86cd799439013"
	benchCommand = "507f1f77bcf86cd799439011"
)

// benchCommandBody is a command as the API answers a get.
const benchCommandBody = `{"status":true,"data":{"id":"507f1f77bcf86cd799439011","organization":"507f1f77bcf86cd799439012",` +
	`"emmEnterprise":"507f1f77bcf86cd799439014","mdmUser":"507f1f77bcf86cd799439015","status":"PENDING",` +
	`"config":{"metadata":{"type":"LOCK","createTime":"2026-02-10T12:00:00Z","duration":"3600s"},"done":false},` +
	`"updatedAt":"2026-02-10T14:30:00.000Z","createdAt":"2026-02-10T12:00:00.000Z"}}`

// discard is a span exporter that drops what it is given.
type discard struct{}

func (discard) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return nil }
func (discard) Shutdown(context.Context) error                             { return nil }

func BenchmarkCall(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(benchCommandBody))
	}))
	b.Cleanup(srv.Close)

	observer := func(sampler sdktrace.Sampler) []applivery.Option {
		tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(discard{}), sdktrace.WithSampler(sampler))
		mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
		b.Cleanup(func() {
			_ = tp.Shutdown(context.Background())
			_ = mp.Shutdown(context.Background())
		})
		obs := appliveryotel.NewObserver(appliveryotel.WithTracerProvider(tp), appliveryotel.WithMeterProvider(mp))
		return []applivery.Option{applivery.WithObserver(obs)}
	}
	cases := []struct {
		name string
		opts func() []applivery.Option
	}{
		{"observer=none", func() []applivery.Option { return nil }},
		{"observer=otel", func() []applivery.Option { return observer(sdktrace.AlwaysSample()) }},
		{"observer=otel-unsampled", func() []applivery.Option { return observer(sdktrace.NeverSample()) }},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			client, err := applivery.NewClient("sk_bench_2f8b1c9d4e7a6f3b", append([]applivery.Option{applivery.WithBaseURL(srv.URL + "/v1")}, c.opts()...)...)
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(client.CloseIdleConnections)
			ctx := context.Background()
			if _, err := client.AndroidCommands.Get(ctx, benchOrg, benchDevice, benchCommand); err != nil {
				b.Fatal(err) // and the connection is open before the timer starts
			}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if _, err := client.AndroidCommands.Get(ctx, benchOrg, benchDevice, benchCommand); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkObserveCall is the observer's own cost, without a call: what
// ObserveCall and done add to each call, sampled or not.
func BenchmarkObserveCall(b *testing.B) {
	info := applivery.CallInfo{
		Operation: "android.commands.cancel",
		Method:    "POST",
		Route:     "/organizations/{organizationId}/mdm/android/enterprise/devices/{emmDeviceId}/commands/{emmCommandId}/cancel",
		Host:      "api.applivery.io",
	}
	result := applivery.CallResult{StatusCode: 200, Attempts: 1, RequestID: "req_0123456789abcdef"}
	for _, c := range []struct {
		name    string
		sampler sdktrace.Sampler
	}{
		{"sampled", sdktrace.AlwaysSample()},
		{"unsampled", sdktrace.NeverSample()},
	} {
		b.Run(c.name, func(b *testing.B) {
			tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(discard{}), sdktrace.WithSampler(c.sampler))
			mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
			b.Cleanup(func() {
				_ = tp.Shutdown(context.Background())
				_ = mp.Shutdown(context.Background())
			})
			obs := appliveryotel.NewObserver(appliveryotel.WithTracerProvider(tp), appliveryotel.WithMeterProvider(mp))
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				_, done := obs.ObserveCall(ctx, info)
				done(result)
			}
		})
	}
}
