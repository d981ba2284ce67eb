// Package applivery is a client for the Applivery device-management API.
//
// Create one [Client] with an API key and share it between goroutines:
//
//	client, err := applivery.NewClient(os.Getenv("APPLIVERY_API_KEY"))
//	if err != nil {
//		return err
//	}
//	cmd, err := client.AndroidCommands.Cancel(ctx, organizationID, deviceID, commandID)
//
// # Authentication
//
// Every request carries the API key as "Authorization: Bearer <key>", and only
// to the base URL's host: redirects are never followed. The key appears in no
// error, log record or fmt output of the client. [NewClientFromEnv] reads it
// from APPLIVERY_API_KEY.
//
// # Errors
//
// A method returns a [*ValidationError] for an argument it refuses before
// sending anything, and an [*APIError] for any HTTP answer that is not a
// success. Both match sentinels with errors.Is ([ErrInvalidArgument],
// [ErrNotFound], [ErrCommandNotPending], …). When no answer came, the error
// wraps the network error, or the context's error when the context ended the
// call, so errors.Is(err, context.DeadlineExceeded) works. Go's network
// timeouts match DeadlineExceeded too; ctx.Err() tells whether the context
// ended the call.
//
// # Retries
//
// A failed attempt is retried, up to [DefaultMaxRetries] times
// ([WithMaxRetries]), after an exponential, jittered wait between
// [DefaultRetryWaitMin] and [DefaultRetryWaitMax] ([WithRetryWait]): connection failures other than TLS certificate errors,
// and HTTP 429, 500, 502, 503 and 504. A Retry-After header is honoured when
// it is within the maximum wait; when it is longer, or the wait would end after
// the context's deadline, the call returns the [*APIError] at once, with
// RetryAfter set. Each attempt waits a bounded time for the response to begin
// ([WithAttemptTimeout]), so a server that never answers cannot hang a call
// whose context has no deadline.
//
// # Logging
//
// The SDK writes nothing anywhere unless [WithLogger] gives it a *slog.Logger;
// it then logs each attempt at Debug and each retry decision at Warn.
//
// # Calls
//
// Every method takes [CallOption]s last: [WithResponse] reports the status,
// headers and request ID of the call's last answer, on success too, and
// [WithRequestHeader] adds a header to every attempt. [Client.Do] calls an
// endpoint that has no method yet, through the same pipeline, with [Path]
// to build its path.
//
// # Tracing and rate limiting
//
// [WithObserver] gives the client an [Observer], which sees every call start
// and end under a stable operation name and route template, and whose
// context every attempt carries: the hook for tracing and metrics.
// [WithRateLimiter] paces every attempt with any [RateLimiter], such as one
// that several processes share.
package applivery

import (
	"context"
	"crypto/x509"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/applivery/applivery-go/internal/transport"
	"golang.org/x/time/rate"
)

// DefaultBaseURL is the base URL of the Applivery API.
const DefaultBaseURL = "https://api.applivery.io/v1/"

// Defaults of the options.
const (
	DefaultMaxRetries     = 3                      // retries after the first attempt; see WithMaxRetries
	DefaultRetryWaitMin   = 500 * time.Millisecond // the shortest wait before a retry; see WithRetryWait
	DefaultRetryWaitMax   = 10 * time.Second       // the longest wait, and the longest Retry-After honoured
	DefaultAttemptTimeout = 30 * time.Second       // see WithAttemptTimeout
	// DefaultRetryBudgetPercent and DefaultRetryBudgetMinPerSecond are the
	// retry budget of a client: see WithRetryBudget.
	DefaultRetryBudgetPercent      = 20
	DefaultRetryBudgetMinPerSecond = 10
)

// defaultBaseURL is DefaultBaseURL, parsed.
var defaultBaseURL = func() *url.URL {
	u, err := parseBaseURL(DefaultBaseURL)
	if err != nil {
		panic("applivery: DefaultBaseURL: " + err.Error())
	}
	return u
}()

// Client is a client of the Applivery API. Its methods are safe for
// concurrent use by many goroutines, and one Client is meant to be shared: it
// keeps a pool of connections.
type Client struct {
	// AndroidCommands manages the commands of Android Enterprise devices.
	AndroidCommands *AndroidCommandsService
	// AndroidDevices finds and moves Android Enterprise devices.
	AndroidDevices *AndroidDevicesService
	// AppleCommands manages the MDM commands of Apple devices and device users.
	AppleCommands *AppleCommandsService
	// AppleDevices finds and updates Apple (ADM) devices.
	AppleDevices *AppleDevicesService
	// Devices lists the devices of every platform together: find any
	// device by its serial number or IMEI.
	Devices *DevicesService
	// Users lists and creates the organization's MDM users.
	Users *UsersService // organizations/{org}/mdm/users
	// AndroidEnrollmentTokens creates Android Enterprise enrollment tokens.
	AndroidEnrollmentTokens *AndroidEnrollmentTokensService // organizations/{org}/mdm/android/enterprise/enrollment-tokens
	// AOSPEnrollmentTokens creates AOSP (non-GMS Android) enrollment tokens.
	AOSPEnrollmentTokens *AOSPEnrollmentTokensService // organizations/{org}/mdm/aosp/enterprise/enrollment-tokens
	// AppleEnrollmentTokens lists and creates Apple enrollment tokens.
	AppleEnrollmentTokens *AppleEnrollmentTokensService // organizations/{org}/mdm/apple/enterprise/enrollment-tokens

	core *core
}

// Option configures a Client. Options validate their values: an invalid one
// makes NewClient fail with an error matching [ErrInvalidArgument]. When an
// option is given twice, the later one wins.
type Option func(*clientConfig) error

type clientConfig struct {
	baseURL        *url.URL
	httpClient     *http.Client
	maxRetries     int
	waitMin        time.Duration
	waitMax        time.Duration
	attemptTimeout time.Duration
	logger         *slog.Logger
	observer       Observer // nil: none
	product        string
	rateLimiter    RateLimiter // nil: none
	budgetPercent  float64
	budgetMin      int
	rootCAs        *x509.CertPool // nil: the system's; set only by the benchmarks
}

// NewClient returns a Client that authenticates with apiKey.
//
// It fails, with a [*ValidationError], on an empty key, a key with whitespace,
// control or non-ASCII characters, and an invalid option value.
func NewClient(apiKey string, opts ...Option) (*Client, error) {
	if err := checkAPIKey(apiKey); err != nil {
		return nil, err
	}
	cfg := clientConfig{
		baseURL:        defaultBaseURL,
		maxRetries:     DefaultMaxRetries,
		waitMin:        DefaultRetryWaitMin,
		waitMax:        DefaultRetryWaitMax,
		attemptTimeout: DefaultAttemptTimeout,
		budgetPercent:  DefaultRetryBudgetPercent,
		budgetMin:      DefaultRetryBudgetMinPerSecond,
	}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&cfg); err != nil {
			return nil, err
		}
	}

	userAgent := "applivery-go/" + Version
	if cfg.product != "" {
		userAgent = cfg.product + " " + userAgent
	}
	headers := http.Header{
		"Authorization": {"Bearer " + apiKey},
		"Accept":        {"application/json"},
		"User-Agent":    {userAgent},
	}
	jsonHeaders := headers.Clone()
	jsonHeaders.Set("Content-Type", "application/json")
	c := &Client{core: &core{
		baseURL:  cfg.baseURL.String(),
		basePath: cfg.baseURL.EscapedPath(),
		host:     cfg.baseURL.Host,
		secret:   &secret{forms: formsOf(apiKey), headers: headers, jsonHeaders: jsonHeaders},
		transport: transport.New(transport.Config{
			HTTPClient:     cfg.httpClient,
			MaxRetries:     cfg.maxRetries,
			WaitMin:        cfg.waitMin,
			WaitMax:        cfg.waitMax,
			AttemptTimeout: cfg.attemptTimeout,
			Logger:         cfg.logger,
			RateLimit:      cfg.rateLimiter,
			Budget:         transport.NewBudget(cfg.budgetPercent, cfg.budgetMin),
			RootCAs:        cfg.rootCAs,
		}),
		logger:   cfg.logger,
		observer: cfg.observer,
		maxBody:  maxSuccessBody,
	}}
	c.AndroidCommands = &AndroidCommandsService{core: c.core}
	c.AndroidDevices = &AndroidDevicesService{core: c.core}
	c.AppleCommands = &AppleCommandsService{core: c.core}
	c.AppleDevices = &AppleDevicesService{core: c.core}
	c.Devices = &DevicesService{core: c.core}
	c.Users = &UsersService{core: c.core}
	c.AndroidEnrollmentTokens = &AndroidEnrollmentTokensService{core: c.core}
	c.AOSPEnrollmentTokens = &AOSPEnrollmentTokensService{core: c.core}
	c.AppleEnrollmentTokens = &AppleEnrollmentTokensService{core: c.core}
	return c, nil
}

// NewClientFromEnv returns a Client configured from the environment: the API
// key from APPLIVERY_API_KEY (required) and the base URL from
// APPLIVERY_BASE_URL (optional). opts apply after the environment, so an
// explicit WithBaseURL wins.
func NewClientFromEnv(opts ...Option) (*Client, error) {
	key, ok := os.LookupEnv("APPLIVERY_API_KEY")
	if !ok || key == "" {
		return nil, &ValidationError{Field: "APPLIVERY_API_KEY", Reason: "is not set; export the API key of a service account"}
	}
	if base := os.Getenv("APPLIVERY_BASE_URL"); base != "" {
		opts = append([]Option{WithBaseURL(base)}, opts...)
	}
	return NewClient(key, opts...)
}

// WithBaseURL sets the API's base URL, DefaultBaseURL by default. A trailing
// slash is optional and the path is kept as a prefix of every request path:
// "https://proxy.example/applivery/v1" sends a cancel to
// "/applivery/v1/organizations/…/cancel". The URL must use https, unless its
// host is loopback (localhost, 127.0.0.0/8, ::1), and must carry no
// credentials, query or fragment.
func WithBaseURL(rawURL string) Option {
	return func(cfg *clientConfig) error {
		u, err := parseBaseURL(rawURL)
		if err != nil {
			return err
		}
		cfg.baseURL = u
		return nil
	}
}

// WithHTTPClient sets the base client for each attempt, for its transport
// (proxies, TLS settings, instrumentation) or its Timeout. The client is
// copied, never mutated; its redirect policy is replaced, because the SDK
// follows no redirect. It must not retry by itself: retries multiply. Nil, or
// a client whose Transport is nil, means the SDK's own pooled transport.
func WithHTTPClient(hc *http.Client) Option {
	return func(cfg *clientConfig) error {
		cfg.httpClient = hc
		return nil
	}
}

// WithMaxRetries sets how many times a failed attempt is retried,
// [DefaultMaxRetries] by default; 0 disables retries. A negative n is an
// error.
func WithMaxRetries(n int) Option {
	return func(cfg *clientConfig) error {
		if n < 0 {
			return &ValidationError{Field: "maxRetries", Value: strconv.Itoa(n), Reason: "must be 0 or more"}
		}
		cfg.maxRetries = n
		return nil
	}
}

// WithRetryWait sets the bounds of the wait before a retry,
// [DefaultRetryWaitMin] and [DefaultRetryWaitMax] by default. The wait doubles from min with each retry, with jitter, and
// never exceeds max; max is also the longest Retry-After the SDK honours.
// min must be positive and max at least min.
func WithRetryWait(min, max time.Duration) Option {
	return func(cfg *clientConfig) error {
		if min <= 0 {
			return &ValidationError{Field: "min", Value: min.String(), Reason: "must be positive"}
		}
		if max < min {
			return &ValidationError{Field: "max", Value: max.String(), Reason: "must be at least min (" + min.String() + ")"}
		}
		cfg.waitMin, cfg.waitMax = min, max
		return nil
	}
}

// WithAttemptTimeout bounds how long each HTTP attempt waits for the response
// to begin (its status line and headers), [DefaultAttemptTimeout] by default, so that a server
// that never answers cannot hang a call whose context has no deadline. An
// attempt that runs out fails with a net.Error whose Timeout method reports
// true, and is retried like a connection failure. A slow body is not cut: the
// context bounds the whole call. 0 disables the bound; a negative d is an
// error.
func WithAttemptTimeout(d time.Duration) Option {
	return func(cfg *clientConfig) error {
		if d < 0 {
			return &ValidationError{Field: "attemptTimeout", Value: d.String(), Reason: "must be 0 or more"}
		}
		cfg.attemptTimeout = d
		return nil
	}
}

// WithLogger sets the logger for each attempt (Debug) and each retry decision
// (Warn), with the method, path, attempt number, status or error, and wait.
// Records never carry headers or bodies. Nil, the default, means the SDK
// writes nothing anywhere.
func WithLogger(l *slog.Logger) Option {
	return func(cfg *clientConfig) error {
		cfg.logger = l
		return nil
	}
}

// WithUserAgent prepends product, such as "fleet-sync/2.1", to the SDK's own
// "applivery-go/<Version>" in the User-Agent header. It must not contain
// control characters.
func WithUserAgent(product string) Option {
	return func(cfg *clientConfig) error {
		for _, r := range product {
			if r < ' ' || r == 0x7f {
				return &ValidationError{Field: "product", Value: product, Reason: "must not contain control characters"}
			}
		}
		cfg.product = strings.TrimSpace(product)
		return nil
	}
}

// WithRateLimit makes every HTTP attempt of the client (retries included)
// take a token from one bucket shared by all its goroutines: perSecond tokens
// a second, at most burst at once (golang.org/x/time/rate). It is
// WithRateLimiter(rate.NewLimiter(rate.Limit(perSecond), burst)), and the
// later of the two options wins. Waiting for a token honours the context: a
// wait that would outlast the context's deadline returns at once, with an
// error matching context.DeadlineExceeded, and sends nothing; a context
// canceled during the wait ends the call with its error. Either way the
// attempt that waited was never sent: it is not counted in the attempts,
// and a Create that ends so created nothing (its error does not match
// [ErrOutcomeUnknown]) unless an earlier attempt of the call may have. A
// 429's Retry-After still applies to the call that got it. perSecond <= 0
// or burst < 1 is an error. Without this option nothing waits.
func WithRateLimit(perSecond float64, burst int) Option {
	return func(cfg *clientConfig) error {
		if !(perSecond > 0) {
			return &ValidationError{Field: "perSecond", Value: strconv.FormatFloat(perSecond, 'g', -1, 64), Reason: "must be more than 0"}
		}
		if burst < 1 {
			return &ValidationError{Field: "burst", Value: strconv.Itoa(burst), Reason: "must be 1 or more"}
		}
		cfg.rateLimiter = rate.NewLimiter(rate.Limit(perSecond), burst)
		return nil
	}
}

// RateLimiter paces the attempts of a client: see [WithRateLimiter].
// *rate.Limiter (golang.org/x/time/rate) satisfies it; so does a limiter
// that several processes share, such as the redislimit module's. Wait
// blocks until the attempt may go, and must return when ctx ends, with an
// error; it is called from many goroutines at once.
type RateLimiter interface {
	Wait(ctx context.Context) error
}

// *rate.Limiter is a RateLimiter.
var _ RateLimiter = (*rate.Limiter)(nil)

// WithRateLimiter makes every HTTP attempt of the client, retries included,
// wait on l before it is sent. An error from l ends the call without sending
// that attempt: the call returns it wrapped, with the method and path, and
// errors.Is finds in it both l's error and, when the context had ended, the
// context's error, even if l returned one of its own. The attempt that l
// refused is not counted in the attempts, and a Create that ends so created
// nothing (its error does not match [ErrOutcomeUnknown]) unless an earlier
// attempt of the call may have. A *rate.Limiter is waited on as
// [WithRateLimit] waits on its own: a token that would come after the
// context's deadline fails the attempt at once, with an error matching
// context.DeadlineExceeded. With WithRateLimit, the later of the two options
// wins. Nil, or a nil pointer, turns rate limiting off.
func WithRateLimiter(l RateLimiter) Option {
	return func(cfg *clientConfig) error {
		if isNilPointer(l) {
			l = nil
		}
		cfg.rateLimiter = l
		return nil
	}
}

// WithObserver makes o watch every call of the client, for tracing and
// metrics: see [Observer]. Nil, the default, means no observer; a call then
// costs nothing more.
func WithObserver(o Observer) Option {
	return func(cfg *clientConfig) error {
		if isNilPointer(o) {
			o = nil
		}
		cfg.observer = o
		return nil
	}
}

// isNilPointer reports whether v is nil, or a nil pointer in an interface:
// an option given one means none, rather than a panic at the first call.
func isNilPointer(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}

// WithRetryBudget bounds the retries of all calls of the client together:
// over a 10 s window, retries may be at most percent of first attempts, plus
// minPerSecond each second. The default is (DefaultRetryBudgetPercent,
// DefaultRetryBudgetMinPerSecond), (20, 10): during an outage, when every
// attempt fails, a busy client makes about 1.2 attempts a call instead of
// 1 + WithMaxRetries's retries. With the budget spent, a failed attempt is
// not retried: the call returns its last error at once (the real *APIError
// or network error), and the logger records it at Warn. percent may exceed
// 100; math.Inf(1) turns the budget off; (0, 0) allows no retry at all. The
// arithmetic saturates: math.MaxInt or math.MaxFloat64 is simply a budget
// that is never spent. A negative or NaN percent, or a negative
// minPerSecond, is an error.
func WithRetryBudget(percent float64, minPerSecond int) Option {
	return func(cfg *clientConfig) error {
		if !(percent >= 0) {
			return &ValidationError{Field: "percent", Value: strconv.FormatFloat(percent, 'g', -1, 64), Reason: "must be 0 or more (math.Inf(1) turns the budget off)"}
		}
		if minPerSecond < 0 {
			return &ValidationError{Field: "minPerSecond", Value: strconv.Itoa(minPerSecond), Reason: "must be 0 or more"}
		}
		cfg.budgetPercent, cfg.budgetMin = percent, minPerSecond
		return nil
	}
}

// CloseIdleConnections closes the client's idle connections. A Client needs
// no closing; this is for a program that drops a Client and wants its
// connections gone before they time out.
func (c *Client) CloseIdleConnections() {
	c.core.transport.CloseIdleConnections()
}

func checkAPIKey(key string) error {
	if key == "" {
		return &ValidationError{Field: "apiKey", Reason: "is empty"}
	}
	for i := 0; i < len(key); i++ {
		if key[i] <= ' ' || key[i] >= 0x7f {
			// The key is secret: the error does not quote it.
			return &ValidationError{Field: "apiKey", Reason: "contains whitespace, control or non-ASCII characters"}
		}
	}
	return nil
}

func parseBaseURL(raw string) (*url.URL, error) {
	invalid := func(reason string) error {
		return &ValidationError{Field: "baseURL", Value: withoutUserinfo(raw), Reason: reason}
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, invalid("not a URL")
	}
	switch {
	case u.User != nil:
		return nil, invalid("must not contain credentials: the API key is sent as a bearer token")
	case (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
		return nil, invalid("must be an absolute https URL")
	case u.Scheme == "http" && !isLoopback(u.Hostname()):
		return nil, invalid("must use https: plain http is allowed only for a loopback host")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return nil, invalid("must not have a query or a fragment")
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
		if u.RawPath != "" {
			u.RawPath += "/"
		}
	}
	return u, nil
}

// withoutUserinfo returns raw, a URL that may not parse, with everything
// between its scheme and its last "@" replaced by [REDACTED]: what might be
// a user name and password is never quoted, however malformed the URL.
func withoutUserinfo(raw string) string {
	at := strings.LastIndexByte(raw, '@')
	if at < 0 {
		return raw
	}
	start := 0
	if i := strings.Index(raw, "://"); i >= 0 && i < at {
		start = i + len("://")
	}
	return raw[:start] + redacted + raw[at:]
}

// isLoopback reports whether host is localhost or a loopback IP address.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}
