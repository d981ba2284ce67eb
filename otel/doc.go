// Package appliveryotel traces and measures the calls of an applivery
// client with OpenTelemetry.
//
// [NewObserver] returns an [applivery.Observer] for [applivery.WithObserver].
// It makes one client span per call (a ListAll page and a Wait poll are
// calls of their own) and records two metrics, on the global providers
// unless [WithTracerProvider] or [WithMeterProvider] names others:
//
//	client, err := applivery.NewClientFromEnv(
//		applivery.WithObserver(appliveryotel.NewObserver()),
//	)
//
// A span is named "<METHOD> <route template>", such as
// "POST /organizations/{organizationId}/mdm/android/enterprise/devices/{emmDeviceId}/commands/{emmCommandId}/cancel",
// never by the filled-in URL, and it has these attributes:
//
//	http.request.method        "POST"
//	url.template               the route template, when the call has one
//	server.address             the base URL's host name
//	server.port                the base URL's port, when it names one
//	applivery.operation        "android.commands.cancel"
//	applivery.attempts         HTTP attempts the call made
//	http.response.status_code  of the last answer, when one came
//	applivery.request_id       the answer's X-Request-Id, when it had one
//	error.type                 on failure, see below
//
// A failed call's span has the status Error, described by its error.type
// alone: an error's message could name what the call was about.
//
// The metrics are a histogram applivery.client.call.duration, the whole
// call in seconds (retries and their waits included), and a counter
// applivery.client.attempts, the HTTP attempts. Both have the attributes
// applivery.operation, http.request.method, http.response.status_code (when
// an answer came) and error.type (on failure).
//
// error.type is the Applivery error code of an [*applivery.APIError] that
// has one ("5052"), else its HTTP status ("503"); for a call that got no
// answer it is "timeout" (the context's deadline or a network timeout),
// "canceled" (the context was canceled), or else the Go type of the cause,
// such as "*net.OpError".
//
// No attribute of a span or a metric carries an organization, device or
// command ID, the API key or a secret of a request: the observer sees
// route templates only, and builds error.type from codes and types, never
// from messages.
//
// To see every HTTP attempt as a span of its own under the call's span,
// give the client an instrumented transport: each attempt's request carries
// the context of the call's span.
//
//	applivery.WithHTTPClient(&http.Client{Transport: otelhttp.NewTransport(http.DefaultTransport)})
package appliveryotel
