package appliveryotel

import (
	"strconv"
	"strings"
	"sync"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.37.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/applivery/applivery-go"
)

// What every call of one kind shares, and every measurement of one series,
// is made once, at its first call, and kept: a span's name and starting
// attributes, and the metrics' attribute set, which is sorted and hashed as
// it is made. A call then allocates only what the span and the measurement
// take in OpenTelemetry's SDK.

// maxCached bounds the entries of each cache. The SDK's operations, routes
// and hosts, and the statuses and error types, make a few kinds and series
// per operation, but a caller of Client.Do names its own operations and
// routes: past the bound, a call makes its entry anew, and it is not kept.
const maxCached = 1024

// cache is a map of values made once per key, safe for concurrent use.
type cache[K comparable, V any] struct {
	mu sync.RWMutex
	m  map[K]V
}

// get returns the value for k, made by newValue the first time.
func (c *cache[K, V]) get(k K, newValue func(K) V) V {
	c.mu.RLock()
	v, ok := c.m[k]
	c.mu.RUnlock()
	if ok {
		return v
	}
	v = newValue(k)
	c.mu.Lock()
	if c.m == nil {
		c.m = map[K]V{}
	}
	if len(c.m) < maxCached {
		c.m[k] = v
	}
	c.mu.Unlock()
	return v
}

// callKind is what the calls of one CallInfo share.
type callKind struct {
	name              string                  // the span's
	start             []trace.SpanStartOption // the span's kind and first attributes
	operation, method string                  // of the metrics
}

func newCallKind(info applivery.CallInfo) *callKind {
	name := info.Method
	attrs := make([]attribute.KeyValue, 0, 5)
	attrs = append(attrs,
		semconv.HTTPRequestMethodKey.String(info.Method),
		operationKey.String(info.Operation))
	if info.Route != "" {
		name += " " + info.Route
		attrs = append(attrs, semconv.URLTemplate(info.Route))
	}
	if host, port := splitHostPort(info.Host); host != "" {
		attrs = append(attrs, semconv.ServerAddress(host))
		if port > 0 {
			attrs = append(attrs, semconv.ServerPort(port))
		}
	}
	return &callKind{
		name:      name,
		start:     []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...)},
		operation: info.Operation,
		method:    info.Method,
	}
}

// seriesKey is the attributes of a metric series.
type seriesKey struct {
	operation, method string
	status            int    // 0: no answer came
	errType           string // "": success
}

// series is the options that give a measurement its series' attributes.
type series struct {
	record []metric.RecordOption
	add    []metric.AddOption
}

func newSeries(k seriesKey) *series {
	attrs := make([]attribute.KeyValue, 0, 4)
	attrs = append(attrs,
		operationKey.String(k.operation),
		semconv.HTTPRequestMethodKey.String(k.method))
	if k.status != 0 {
		attrs = append(attrs, semconv.HTTPResponseStatusCode(k.status))
	}
	if k.errType != "" {
		attrs = append(attrs, semconv.ErrorTypeKey.String(k.errType))
	}
	set := metric.WithAttributeSet(attribute.NewSet(attrs...))
	return &series{record: []metric.RecordOption{set}, add: []metric.AddOption{set}}
}

// splitHostPort splits the base URL's host, as url.URL.Host has it, into
// the name or address that server.address holds and the port, 0 when the
// host names none.
func splitHostPort(hostport string) (string, int) {
	host, portText := hostport, ""
	if i := strings.LastIndexByte(hostport, ':'); i >= 0 && i > strings.LastIndexByte(hostport, ']') {
		host, portText = hostport[:i], hostport[i+1:]
	}
	if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") {
		host = host[1 : len(host)-1]
	} else if strings.Contains(host, ":") { // an IPv6 address without brackets: no port
		return hostport, 0
	}
	if portText == "" {
		return host, 0
	}
	port, err := strconv.Atoi(portText)
	if err != nil || port <= 0 || port > 65535 {
		return host, 0
	}
	return host, port
}
