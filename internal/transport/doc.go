// Package transport sends the applivery SDK's HTTP requests through
// go-retryablehttp (v0.7.8), whose retry loop it keeps and whose defaults it
// replaces where they are wrong for an API client. Each replacement, and why:
//
//   - Retry policy. DefaultRetryPolicy retries every method alike, a POST
//     included, after any connection error and any 5xx but 501; a Create
//     would then run twice. Here a [Policy] per call decides: Idempotent calls
//     are retried after connection failures and 429, 500, 502, 503, 504;
//     NotIdempotent ones only after a 429 or a connection that was never made.
//     TLS certificate failures are never retried, matched with errors.As
//     rather than the library's type assertions and error texts, which miss
//     wrapped errors.
//   - Backoff. DefaultBackoff doubles without jitter, so clients that failed
//     together retry together, and honours any Retry-After as is: an hour's
//     Retry-After sleeps an hour (go-retryablehttp #247). Here waits are
//     jittered between Config.WaitMin and Config.WaitMax; a Retry-After longer
//     than WaitMax,
//     or a wait that would end after the context's deadline, ends the call at
//     once with the last answer. Retry-After is read in all three HTTP-date
//     formats and never overflows.
//   - The last answer. When retries run out the library discards the final
//     response and returns "giving up after N attempt(s)". PassthroughErrorHandler
//     hands it back, so the SDK can decode the API's error body.
//   - The shared pool. After every failed call the library calls
//     CloseIdleConnections on its client, emptying the pool that all
//     concurrent callers share (#237). The client here wraps the transport
//     in a RoundTripper without that method; Transport.CloseIdleConnections
//     reaches the real one. cleanhttp's pool keeps GOMAXPROCS+1 idle
//     connections per host, which churns connections as soon as more callers
//     than that run at once; the SDK's own transport keeps 100.
//   - Draining. Between attempts the library reads at most 4 KiB of a failed
//     answer before closing it, and an unread body closes its connection:
//     every retry after a larger error page would open a new connection (a
//     TLS handshake each during an outage). The retry check reads up to
//     256 KiB first (maxDrain).
//   - Redirects. net/http follows up to ten; a POST may become a GET, and the
//     call may go to another host. Here none is followed: a 3xx is the answer.
//   - Hanging. Nothing in the library bounds an attempt. Here each attempt
//     waits at most AttemptTimeout for the response to begin, with net/http's
//     ResponseHeaderTimeout on the SDK's own transport, or a timer armed only
//     when the caller's deadline is later on a transport of the caller's.
//   - Logging. The default logger writes to stderr and logs every retried
//     attempt. Here nothing is logged unless a *slog.Logger is given, and then
//     as structured records (Debug per attempt, Warn per retry decision) that
//     name no header and no body.
//
// The library's hooks receive no per-call value (Backoff gets neither the
// request nor, after a transport error, a response), so each call has its own
// retryablehttp.Client, taken from a pool; the *http.Client and its
// connections are shared.
package transport
