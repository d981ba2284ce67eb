package appliveryotel_test

import (
	"context"
	"fmt"
	"log"
	"net/http"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/applivery/applivery-go"
	"github.com/applivery/applivery-go/appliverytest"
	appliveryotel "github.com/applivery/applivery-go/otel"
)

// A service wires the observer for a span per call, and otelhttp's transport
// for a span per HTTP attempt: each attempt's request carries the call's
// span, so the attempts' spans are its children. Here the API is the
// appliverytest fake and the spans go to an in-memory exporter; a service
// would give the tracer provider an OTLP exporter instead.
func ExampleNewObserver() {
	srv := appliverytest.NewServer()
	defer srv.Close()
	cmd := srv.AddCommand("acme-fleet", "pixel8_0042", applivery.Command{})

	spans := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	defer func() { _ = tp.Shutdown(context.Background()) }()

	client, err := applivery.NewClient(srv.APIKey,
		applivery.WithBaseURL(srv.URL),
		applivery.WithObserver(appliveryotel.NewObserver(appliveryotel.WithTracerProvider(tp))),
		applivery.WithHTTPClient(&http.Client{
			Transport: otelhttp.NewTransport(http.DefaultTransport, otelhttp.WithTracerProvider(tp)),
		}),
	)
	if err != nil {
		log.Fatal(err)
	}
	defer client.CloseIdleConnections()

	if _, err := client.AndroidCommands.Cancel(context.Background(), "acme-fleet", "pixel8_0042", cmd.ID); err != nil {
		log.Fatal(err)
	}

	// The attempt's span ends first, as the call waits for its answer.
	ended := spans.GetSpans()
	if len(ended) != 2 {
		log.Fatalf("%d spans", len(ended))
	}
	attempt, call := ended[0], ended[1]
	fmt.Println("call:   ", call.Name, call.SpanKind)
	fmt.Println("attempt:", attempt.Name, attempt.SpanKind)
	fmt.Println("the attempt's parent is the call:", attempt.Parent.SpanID() == call.SpanContext.SpanID())
	// Output:
	// call:    POST /organizations/{organizationId}/mdm/android/enterprise/devices/{emmDeviceId}/commands/{emmCommandId}/cancel client
	// attempt: HTTP POST client
	// the attempt's parent is the call: true
}
