package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"time"

	"github.com/applivery/applivery-go"
)

// app is the command line's world: its environment and streams, and options
// added to every client it makes.
type app struct {
	getenv         func(string) string
	stdin          io.Reader
	stdout, stderr io.Writer
	// options come after the command line's own: tests shorten the waits
	// between retries with them.
	options []applivery.Option
	// stderrTerminal says that stderr is a terminal, where progress is shown.
	stderrTerminal bool
	// stdoutTerminal says that stdout is a terminal, where --qr - draws a
	// QR code.
	stdoutTerminal bool
	// pollInterval, when set, is the first wait between polls: tests shorten
	// it.
	pollInterval time.Duration
	// signals are the interrupts (SIGINT, SIGTERM) of the process; nil for
	// none.
	signals <-chan os.Signal
	// now is the clock that tells a repeated interrupt from a later one;
	// nil for time.Now.
	now func() time.Time
	// demoDelay, when set, is how long the demo's devices take to
	// apply a command: tests shorten it.
	demoDelay time.Duration
}

// cli is one run of a command on the API: the app, and the flags every such
// command shares.
type cli struct {
	*app
	positional  []string // the command's arguments before its flags
	org, device string
	devices     stringList // every --device given
	output      string
	baseURL     string
	timeout     time.Duration
	maxRetries  int
	verbose     bool
	// rate and burst pace the client (--rate, --burst), for the commands
	// that take them.
	rate  float64
	burst int
	// waits says that the command waits for a device: a longer default
	// --timeout.
	waits bool
	// perDevice bounds each device's work in a run on many devices.
	perDevice time.Duration
}

// waitTimeout is the default --timeout of a command that waits.
const waitTimeout = 10 * time.Minute

// commonFlags are the flags of register, which the help lists apart.
var commonFlags = []string{"org", "device", "output", "base-url", "timeout", "max-retries", "verbose"}

// register adds the flags every command on the API takes: those that name
// what it works on (--org, --device, --output), unless untargeted, and those
// of the connection.
func (c *cli) register(flags *flag.FlagSet, untargeted bool) {
	if !untargeted {
		flags.StringVar(&c.org, "org", "", "the organization's `ID` or slug (required)")
		flags.Var(&c.devices, "device", "the `DEVICE`: its ID, serial number or IMEI")
		flags.StringVar(&c.output, "output", "text", "the output `FORMAT`: text (tab-separated lines) or json (the API's JSON shape)")
	}
	flags.StringVar(&c.baseURL, "base-url", "", "the API base `URL` (default: APPLIVERY_BASE_URL, else "+applivery.DefaultBaseURL+")")
	flags.DurationVar(&c.timeout, "timeout", time.Minute, "the `DURATION` allowed for the whole command, retries included; 0 for no limit")
	flags.IntVar(&c.maxRetries, "max-retries", applivery.DefaultMaxRetries, "`N` retries of a failed attempt at most; 0 disables them")
	flags.BoolVar(&c.verbose, "verbose", false, "log each HTTP attempt and retry decision to stderr")
}

// registerRate adds --rate and --burst.
func (c *cli) registerRate(flags *flag.FlagSet) {
	flags.Float64Var(&c.rate, "rate", 0, "`R` requests a second at most, all workers together, from the first; 0 for no limit")
	flags.IntVar(&c.burst, "burst", 1, "with --rate: `N` requests may go at once before the rate applies")
}

// deadline is the time allowed for the whole command: --timeout when given,
// else a minute, or waitTimeout for a command that waits.
func (c *cli) deadline(flags *flag.FlagSet) time.Duration {
	given := false
	flags.Visit(func(f *flag.Flag) { given = given || f.Name == "timeout" })
	if c.waits && !given {
		return waitTimeout
	}
	return c.timeout
}

// client returns the SDK client the flags and the environment describe.
func (c *cli) client() (*applivery.Client, error) {
	key := c.getenv("APPLIVERY_API_KEY")
	if key == "" {
		return nil, &usageError{"APPLIVERY_API_KEY is not set: export the API key of a service account"}
	}
	opts := []applivery.Option{
		applivery.WithUserAgent("applivery-cli/" + applivery.Version),
		applivery.WithMaxRetries(c.maxRetries),
	}
	source := map[string]string{}
	if base := c.baseURL; base != "" {
		opts = append(opts, applivery.WithBaseURL(base))
	} else if base := c.getenv("APPLIVERY_BASE_URL"); base != "" {
		opts = append(opts, applivery.WithBaseURL(base))
		source["baseURL"] = "APPLIVERY_BASE_URL"
	}
	switch {
	case math.IsNaN(c.rate) || math.IsInf(c.rate, 0) || c.rate < 0:
		return nil, &usageError{fmt.Sprintf("--rate %g: must be a number of requests a second, or 0 for no limit", c.rate)}
	case c.rate > 0 && c.burst < 1:
		return nil, &usageError{fmt.Sprintf("--burst %d: must be 1 or more", c.burst)}
	case c.rate > 0:
		// A burst of 1 unless --burst says otherwise: --rate R means R a
		// second from the first request, which a strict limit accepts.
		opts = append(opts, applivery.WithRateLimit(c.rate, c.burst))
	}
	if c.verbose {
		logger := slog.New(slog.NewTextHandler(c.stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
		opts = append(opts, applivery.WithLogger(logger), applivery.WithObserver(answers{logger}))
	}
	client, err := applivery.NewClient(key, append(opts, c.options...)...)
	return client, flagError(err, source)
}

// answers is the observer of --verbose: it logs each call's answer, with
// the request ID that a support ticket quotes. It logs the operation, never
// the path: an observer is told no IDs, and needs none.
type answers struct{ logger *slog.Logger }

func (a answers) ObserveCall(ctx context.Context, call applivery.CallInfo) (context.Context, func(applivery.CallResult)) {
	return ctx, func(r applivery.CallResult) {
		a.logger.Debug("applivery: answer", "operation", call.Operation, "status", r.StatusCode,
			"attempts", r.Attempts, "request_id", cmp.Or(r.RequestID, "-"))
	}
}
