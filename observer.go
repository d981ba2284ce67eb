package applivery

import "context"

// Observer watches every call of a client, for tracing and metrics: give
// one to [WithObserver]. ObserveCall runs as a call starts; every attempt's
// *http.Request carries the context it returns; done runs exactly once when
// the call ends.
//
// A call is one method call, such as a Cancel or a Get, or one [Client.Do].
// A ListAll makes one call per page, each a list, and a Wait one per poll,
// each a get. A Cancel whose outcome it resolves by looking the command up
// makes that lookup a call of its own, a get, started with the cancel's
// context (so a span of it nests under the cancel's). A call that an
// argument or a [CallOption] fails before anything is sent (a
// [*ValidationError]) is not observed.
//
// The context that ObserveCall returns, nil meaning ctx, is the parent of
// every attempt's request context: a transport given with [WithHTTPClient]
// that makes a span per attempt (otelhttp's, say) nests it under the call's.
// done may be nil. ObserveCall and done run on the caller's goroutine, and
// may be called from many goroutines at once: an Observer must be safe for
// concurrent use. Neither may block: the call waits for them.
//
// Nothing an Observer is given names an ID, the API key or a secret of a
// request: the operation and route are templates ([CallInfo]). The error of
// a failed call ([CallResult].Err) is the very error the caller gets, whose
// message names the request's path, IDs included; it is redacted of the key
// and of the request's secrets like every error of the SDK, but an Observer
// that records metrics or span attributes should record what kind of error
// it is ([APIError].Code, StatusCode, a context error), not its message.
type Observer interface {
	ObserveCall(ctx context.Context, call CallInfo) (context.Context, func(CallResult))
}

// CallInfo describes a call as it starts, in names of low cardinality: the
// same for every call of one kind, whatever its IDs.
//
// The operations and their routes, under the base URL:
//
//	android.commands.cancel  POST /organizations/{organizationId}/mdm/android/enterprise/devices/{emmDeviceId}/commands/{emmCommandId}/cancel
//	android.commands.get     GET  /organizations/{organizationId}/mdm/android/enterprise/devices/{emmDeviceId}/commands/{emmCommandId}
//	android.commands.list    GET  /organizations/{organizationId}/mdm/android/enterprise/devices/{emmDeviceId}/commands
//	android.commands.create  POST /organizations/{organizationId}/mdm/android/enterprise/devices/{emmDeviceId}/commands
//	android.devices.get      GET  /organizations/{organizationId}/mdm/android/enterprise/devices/{emmDeviceId}
//	android.devices.list     GET  /organizations/{organizationId}/mdm/android/enterprise/devices
//	android.devices.move     PUT  /organizations/{organizationId}/mdm/android/enterprise/devices/{emmDeviceId}/move
//	apple.commands.create    POST /organizations/{organizationId}/mdm/apple/enterprise/commands/{targetType}
//	apple.commands.get       GET  /organizations/{organizationId}/mdm/apple/enterprise/commands/{targetType}/{targetId}/{admCommandId}
//	apple.commands.cancel    POST /organizations/{organizationId}/mdm/apple/enterprise/commands/{targetType}/{targetId}/{admCommandId}/cancel
//	apple.devices.get        GET  /organizations/{organizationId}/mdm/apple/enterprise/devices/{admDeviceId}
//	apple.devices.list       GET  /organizations/{organizationId}/mdm/apple/enterprise/devices
//	apple.devices.update     PUT  /organizations/{organizationId}/mdm/apple/enterprise/devices/{admDeviceId}
//	devices.list             GET  /organizations/{organizationId}/mdm/devices
//	users.list               GET  /organizations/{organizationId}/mdm/users
//	users.create             POST /organizations/{organizationId}/mdm/users
//	android.enrollment_tokens.create  POST /organizations/{organizationId}/mdm/android/enterprise/enrollment-tokens
//	aosp.enrollment_tokens.create     POST /organizations/{organizationId}/mdm/aosp/enterprise/enrollment-tokens
//	apple.enrollment_tokens.list      GET  /organizations/{organizationId}/mdm/apple/enterprise/enrollment-tokens
//	apple.enrollment_tokens.create    POST /organizations/{organizationId}/mdm/apple/enterprise/enrollment-tokens
//
// A ListAll page is its list, a Wait poll its get. [Client.Do] reports its
// [Request]'s Operation ("raw" when empty) and Route.
type CallInfo struct {
	Operation string // a stable name: "android.commands.cancel"; Do: Request.Operation, or "raw"
	Method    string // the HTTP method: "POST"
	Route     string // the path template under the base URL, with the reference's parameter names; Do: Request.Route
	Host      string // the base URL's host, with its port when it has one, as in url.URL.Host
}

// CallResult describes a call as it ends.
type CallResult struct {
	StatusCode int    // of the last answer; 0 when none came
	Attempts   int    // the HTTP attempts the call made; a wait for the rate limiter that ended the call is none
	RequestID  string // the last answer's X-Request-Id, when it had one, redacted like APIError.RequestID
	Err        error  // nil on success; else the error the caller gets (see Observer)
}
