package appliveryotel

import (
	"context"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"
	semconv "go.opentelemetry.io/otel/semconv/v1.37.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/applivery/applivery-go"
)

// scopeName is the instrumentation scope of the tracer and the meter: the
// module's import path, as OpenTelemetry asks.
const scopeName = "github.com/applivery/applivery-go/otel"

// The names of the metrics.
const (
	durationName = "applivery.client.call.duration"
	attemptsName = "applivery.client.attempts"
)

// The attributes of this module; the others are OpenTelemetry's semantic
// conventions (semconv).
const (
	operationKey = attribute.Key("applivery.operation")
	attemptsKey  = attribute.Key("applivery.attempts")
	requestIDKey = attribute.Key("applivery.request_id")
)

// durationBuckets are the bucket bounds of the duration histogram, in
// seconds: those the semantic conventions advise for
// http.client.request.duration, and 30 s and 60 s, since a call includes its
// retries and the waits between them.
var durationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30, 60}

// noopMeter makes the instruments that stand in for those a provider failed
// to return.
var noopMeter = noop.NewMeterProvider().Meter(scopeName)

// Option configures NewObserver.
type Option func(*config)

type config struct {
	tp trace.TracerProvider
	mp metric.MeterProvider
}

// WithTracerProvider makes the observer's spans with tp instead of the
// global provider, otel.GetTracerProvider(). nil means the global one.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(c *config) { c.tp = tp }
}

// WithMeterProvider records the observer's metrics with mp instead of the
// global provider, otel.GetMeterProvider(). nil means the global one.
func WithMeterProvider(mp metric.MeterProvider) Option {
	return func(c *config) { c.mp = mp }
}

// observer is what NewObserver returns: the tracer and the two instruments,
// made once and shared by every call, and what is made once per kind of
// call and per metric series.
type observer struct {
	tracer   trace.Tracer
	duration metric.Float64Histogram
	attempts metric.Int64Counter

	calls  cache[applivery.CallInfo, *callKind]
	series cache[seriesKey, *series]
}

// NewObserver returns an observer for [applivery.WithObserver] that makes a
// client span for every call and records the call's duration and attempts
// (see the package documentation for the names). It is safe for concurrent
// use, and one observer can serve many clients.
//
// The global providers that it uses by default are looked up here, but
// OpenTelemetry's global providers hand on to the ones that
// otel.SetTracerProvider and otel.SetMeterProvider set later.
func NewObserver(opts ...Option) applivery.Observer {
	var cfg config
	for _, opt := range opts {
		if opt != nil {
			opt(&cfg)
		}
	}
	if cfg.tp == nil {
		cfg.tp = otel.GetTracerProvider()
	}
	if cfg.mp == nil {
		cfg.mp = otel.GetMeterProvider()
	}
	meter := cfg.mp.Meter(scopeName, metric.WithSchemaURL(semconv.SchemaURL))
	o := &observer{
		tracer: cfg.tp.Tracer(scopeName, trace.WithSchemaURL(semconv.SchemaURL)),
	}
	// An error here is a provider's complaint about a name or an option,
	// which are fixed and valid. It goes to OpenTelemetry's error handler;
	// the provider still returns a working instrument, as the metric API
	// asks of it, else a no-op one stands in.
	var err error
	o.duration, err = meter.Float64Histogram(durationName,
		metric.WithUnit("s"),
		metric.WithDescription("Duration of Applivery API calls, retries and the waits between them included."),
		metric.WithExplicitBucketBoundaries(durationBuckets...))
	if err != nil {
		otel.Handle(err)
	}
	if o.duration == nil {
		o.duration, _ = noopMeter.Float64Histogram(durationName)
	}
	o.attempts, err = meter.Int64Counter(attemptsName,
		metric.WithUnit("{attempt}"),
		metric.WithDescription("HTTP attempts made by Applivery API calls."))
	if err != nil {
		otel.Handle(err)
	}
	if o.attempts == nil {
		o.attempts, _ = noopMeter.Int64Counter(attemptsName)
	}
	return o
}

// ObserveCall starts the call's span; the call's attempts carry the context
// it returns, and its done function ends the span and records the metrics.
func (o *observer) ObserveCall(ctx context.Context, info applivery.CallInfo) (context.Context, func(applivery.CallResult)) {
	start := time.Now()
	kind := o.calls.get(info, newCallKind)
	// callCtx, not ctx again: a variable never reassigned is held by value,
	// so that the closure is the call's one allocation here.
	callCtx, span := o.tracer.Start(ctx, kind.name, kind.start...)
	return callCtx, func(res applivery.CallResult) {
		o.end(callCtx, span, start, kind, res)
	}
}

// end ends a call's span and records its metrics; ctx is the span's, to
// which the metrics' exemplars link.
func (o *observer) end(ctx context.Context, span trace.Span, start time.Time, kind *callKind, res applivery.CallResult) {
	var errType string
	if res.Err != nil {
		errType = errorType(res.Err)
	}
	if span.IsRecording() {
		attrs := make([]attribute.KeyValue, 0, 4)
		attrs = append(attrs, attemptsKey.Int(res.Attempts))
		if res.StatusCode != 0 {
			attrs = append(attrs, semconv.HTTPResponseStatusCode(res.StatusCode))
		}
		if res.RequestID != "" {
			attrs = append(attrs, requestIDKey.String(res.RequestID))
		}
		if errType != "" {
			attrs = append(attrs, semconv.ErrorTypeKey.String(errType))
			span.SetStatus(codes.Error, errType)
		}
		span.SetAttributes(attrs...)
	}
	span.End()

	s := o.series.get(seriesKey{operation: kind.operation, method: kind.method, status: res.StatusCode, errType: errType}, newSeries)
	o.duration.Record(ctx, time.Since(start).Seconds(), s.record...)
	o.attempts.Add(ctx, int64(res.Attempts), s.add...)
}
