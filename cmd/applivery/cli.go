package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/applivery/applivery-go"
)

// Exit statuses, for scripts to branch on.
const (
	exitOK          = 0
	exitUsage       = 2 // a usage or validation error: nothing was sent
	exitNotFound    = 3
	exitAuth        = 4 // unauthorized or forbidden
	exitNotPending  = 5
	exitRateLimited = 6
	exitAPI         = 7  // any other answer of the API
	exitNetwork     = 8  // no answer: a network error or a timeout
	exitCanceled    = 9  // a waited-for command ended CANCEL
	exitPending     = 10 // a waited-for command was still PENDING when --timeout ran out
)

const usageTemplate = `Usage:
  applivery android commands cancel --org ORG --device DEVICE --command ID
  applivery android commands get    --org ORG --device DEVICE --command ID
  applivery android commands list   --org ORG --device DEVICE [--page N] [--limit N] [--sort FIELD[:asc|:desc]]
  applivery android commands create --org ORG --device DEVICE --type TYPE [--duration 1h] [params] [--wait] [--dry-run]
  applivery android commands wait   --org ORG --device DEVICE --command ID [--timeout 10m]
  applivery android commands cancel-pending --org ORG DEVICES [--concurrency 8] [--rate R [--burst 1]] [--dry-run] [--after DEVICE]
  applivery android commands create --org ORG DEVICES --type TYPE [params] [--wait] [--concurrency 8] [--rate R [--burst 1]] [--dry-run] [--after DEVICE]
  applivery android devices list --org ORG [--tag TAG]... [--user ID] [--policy ID] [--segment N [--expand-to ancestors|children]] [--show-deleted] [--page N] [--limit N] [--sort FIELD]
  applivery android devices get  --org ORG --device ID|SERIAL|IMEI
  applivery android devices move --org ORG --device ID --segment N
  applivery demo
  applivery version

Cancel cancels a pending command, get shows one, list shows a device's
commands (every page, or the page --page names), create queues a new one.
Wait polls a command until the device has applied it (DONE) or it ended
otherwise, and prints it; create --wait creates, then waits. While waiting,
a progress line shows on stderr when stderr is a terminal.
Cancel-pending cancels every pending command of the chosen devices; create
on more than one device creates one command on each. DEVICES is --device
(repeatable), --devices-from FILE (- for stdin; one ID, serial number or
IMEI a line; blank lines and # comments skipped) or --all-devices with the
filters --tag (repeatable), --user, --policy and --segment. Such a run
handles --concurrency devices at once, at most --rate requests a second
from the first (--burst at once, 1 unless given), within --timeout each,
and writes a line per device as it finishes: text, or with --output json
one object a line, {"device": …, "ok": true, "canceled": [ids]} or
{"device": …, "ok": true, "command": {…}}, and on failure {"device": …,
"ok": false, "error": {"exit": N, "message": …}}. A device named twice is
done once. --dry-run reads each device and changes nothing. When the
device list cannot be read to its end, the run finishes the devices in
flight and writes a last line {"incomplete": true, "after": DEVICE,
"error": {…}}; after an interrupt, {"interrupted": true, "after": DEVICE}.
--after DEVICE skips the devices up to that one: a re-run with it takes up
where the run stopped. An interrupt (SIGINT, SIGTERM) stops taking devices
and lets those in flight finish; the same signal again within a second
counts as the same one; one later aborts them.
Devices list shows an organization's devices (every page, or the page --page
names) that match the filters, get shows one, found by its id, serial number
or IMEI, and move moves one (by its 24-hex id) to a segment.
Demo serves a fake API with a device and a few commands, and prints the
environment to try every command against it with no account. Version prints
the version.

Flags of every command:
  --org ID             organization ID or slug
  --device ID          device ID, serial number or IMEI
  --output FORMAT      text (one tab-separated line per command: ID, type,
                       status, last update; per device: ID, user's email,
                       policy, last update) or json (the command or device,
                       or an array of them, in the API's JSON shape); default
                       text
  --base-url URL       API base URL (default: APPLIVERY_BASE_URL, else
                       {{baseURL}})
  --timeout DURATION   time allowed for the whole command, retries included
                       (default 1m, 10m for wait and create --wait; 0 for no
                       limit)
  --max-retries N      retries of a failed attempt; 0 disables them (default {{maxRetries}})
  --verbose            log each HTTP attempt and retry decision to stderr

Durations and counts must not be negative.

Flags of create (the params flags go with their type only):
  --type TYPE              LOCK, RESET_PASSWORD, REBOOT, START_LOST_MODE,
                           STOP_LOST_MODE, RELINQUISH_OWNERSHIP, ADD_ESIM,
                           REMOVE_ESIM or CLEAR_APP_DATA
  --allow-unknown-type     send a --type the API does not document
  --duration DURATION      how long the command stays valid: seconds (3600)
                           or a Go duration (1h, 90m); sent in seconds
  --new-password-stdin     RESET_PASSWORD: read the new password from stdin
  --reset-flag FLAG        RESET_PASSWORD: REQUIRE_ENTRY, LOCK_NOW, ...; repeatable
  --lost-message TEXT      START_LOST_MODE: the message the device shows
  --lost-phone NUMBER      START_LOST_MODE: the phone number it shows
  --package NAME           CLEAR_APP_DATA: an app whose data to clear; repeatable
  --carrier NAME           ADD_ESIM: the carrier
  --activation-code CODE   ADD_ESIM: the activation code
  --iccid ICCID            REMOVE_ESIM: the eSIM to remove
  --wait                   wait until the device applies the command, as wait

Environment:
  APPLIVERY_API_KEY    the API key (required). No flag takes it: a flag would
                       land in shell history and in ps.
  APPLIVERY_BASE_URL   the API base URL, when --base-url is not given

Exit status:
  0  success
  2  usage or validation error: nothing was sent
  3  not found (code 3001, HTTP 404)
  4  unauthorized or forbidden (codes 4002 and 4004, HTTP 401 and 403)
  5  the command is not pending: applied or canceled already (code 5052)
  6  rate limited (HTTP 429)
  7  any other API error, or a waited-for command that ended in a status
     the API does not document
  8  no answer: network error or timeout
  9  wait: the command ended CANCEL
  10 wait: the command was still PENDING when --timeout ran out
  11 a run on many devices: some failed (their lines say which)
  12 a run on many devices: the device list could not be read to its end
     (the last line says after which device; --after takes up there)
  130 interrupted (a run on many devices: every device taken is on stdout)

A create or cancel that fails after the server may have acted (a server
error, a lost or cut answer) says so: "may have been created" or "may have
been canceled". List or get before trying again.
`

// usage is usageTemplate with the SDK's defaults.
var usage = strings.NewReplacer(
	"{{baseURL}}", applivery.DefaultBaseURL,
	"{{maxRetries}}", strconv.Itoa(applivery.DefaultMaxRetries),
).Replace(usageTemplate)

// usageError is a mistake in the command line.
type usageError struct{ msg string }

func (e *usageError) Error() string { return "applivery: " + e.msg }

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
	// pollInterval, when set, is the first wait between polls: tests shorten
	// it.
	pollInterval time.Duration
	// signals are the interrupts (SIGINT, SIGTERM) of the process; nil for
	// none.
	signals <-chan os.Signal
	// now is the clock that tells a repeated interrupt from a later one;
	// nil for time.Now.
	now func() time.Time
	// demoApplyAfter, when set, is how long the demo's devices take to
	// apply a command: tests shorten it.
	demoApplyAfter time.Duration
}

// run runs the command line args and returns the exit status.
func (a *app) run(ctx context.Context, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(a.stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(a.stdout, usage)
		return exitOK
	case "-version", "--version", "version":
		fmt.Fprintf(a.stdout, "applivery %s (applivery-go %s, %s)\n", applivery.Version, applivery.Version, runtime.Version())
		return exitOK
	case "demo":
		ctx, _, stop := a.onInterrupt(ctx)
		defer stop()
		return a.fail(a.demo(ctx, args[1:]))
	}
	resource, ok := resources[strings.Join(args[:min(2, len(args))], " ")]
	if len(args) < 3 || !ok {
		return a.fail(&usageError{fmt.Sprintf("unknown command %q: try \"applivery android commands|devices VERB\" or \"applivery demo\"", strings.Join(args, " "))})
	}
	verb, ok := resource.verbs[args[2]]
	if !ok {
		return a.fail(&usageError{fmt.Sprintf("unknown command %q: try %s", args[2], resource.names)})
	}
	c := &cli{app: a}
	flags := flag.NewFlagSet("applivery "+strings.Join(args[:3], " "), flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	c.register(flags)
	do := verb(c, flags)
	if err := flags.Parse(args[3:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(a.stdout, usage)
			return exitOK
		}
		return a.fail(&usageError{err.Error()})
	}
	if flags.NArg() > 0 {
		return a.fail(&usageError{fmt.Sprintf("unexpected argument %q", flags.Arg(0))})
	}
	if err := refuseNegative(flags); err != nil {
		return a.fail(err)
	}
	if c.output != "text" && c.output != "json" {
		return a.fail(&usageError{fmt.Sprintf("--output %q: use text or json", c.output)})
	}
	if len(c.devices) > 1 && !c.bulkCapable && !c.bulkOnly {
		return a.fail(&usageError{fmt.Sprintf("--device is given %d times: %s takes one device", len(c.devices), args[2])})
	}
	if len(c.devices) == 1 {
		c.device = c.devices[0]
	}
	client, err := c.client()
	if err != nil {
		return a.fail(err)
	}
	if !c.bulk() {
		var onlyBulk []string
		flags.Visit(func(f *flag.Flag) {
			if slices.Contains(c.bulkOnlyFlags, f.Name) {
				onlyBulk = append(onlyBulk, "--"+f.Name)
			}
		})
		if len(onlyBulk) > 0 {
			return a.fail(&usageError{strings.Join(onlyBulk, ", ") + ": for a run on many devices (--device repeated, --devices-from or --all-devices)"})
		}
	}
	if c.bulk() {
		c.perDevice = c.deadline(flags) // a fleet job takes as long as it takes: --timeout bounds each device
		return a.fail(flagError(do(ctx, client), nil))
	}
	ctx, in, stop := a.onInterrupt(ctx)
	defer stop()
	if timeout := c.deadline(flags); timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	err = do(ctx, client)
	return a.fail(byInterrupt(flagError(err, nil), in.stopped()))
}

// resources are the command line's resources, by their words.
var resources = map[string]struct {
	verbs map[string]verb
	names string // for an error that lists them
}{
	"android commands": {verbs, "cancel, get, list, create or wait"},
	"android devices":  {deviceVerbs, "list, get or move"},
}

// refuseNegative returns a usage error for the first flag set to a negative
// duration or count: none means anything (a negative --timeout would be no
// timeout at all).
func refuseNegative(flags *flag.FlagSet) error {
	var err error
	flags.Visit(func(f *flag.Flag) {
		if err != nil {
			return
		}
		getter, ok := f.Value.(flag.Getter)
		if !ok {
			return
		}
		switch v := getter.Get().(type) {
		case int:
			if v < 0 {
				err = &usageError{fmt.Sprintf("--%s %d: must be 0 or more", f.Name, v)}
			}
		case time.Duration:
			if v < 0 {
				err = &usageError{fmt.Sprintf("--%s %s: must be 0 or more", f.Name, v)}
			}
		}
	})
	return err
}

// flagNames are the flags, or the environment variable, that give each
// argument the SDK validates, by the API's name for it.
var flagNames = map[string]string{
	"organizationId": "--org",
	"emmDeviceId":    "--device",
	"emmCommandId":   "--command",
	"sort":           "--sort",
	"page":           "--page",
	"limit":          "--limit",
	"type":           "--type",
	"duration":       "--duration",
	"newPassword":    "--new-password-stdin",
	"maxRetries":     "--max-retries",
	"baseURL":        "--base-url",
	"apiKey":         "APPLIVERY_API_KEY",
	"mdm-user":       "--user",
	"emm-policy":     "--policy",
	"tags":           "--tag",
	"segmentId":      "--segment",
	"expandTo":       "--expand-to",
}

// flagError returns err, a *applivery.ValidationError of an argument a flag
// gave, in the flag's words: "--org is required", `--org "a/b": must match
// …`. override names the source of some fields instead of flagNames. Other
// errors are returned as they are.
func flagError(err error, override map[string]string) error {
	var ve *applivery.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	name, ok := override[ve.Field]
	if !ok {
		name, ok = flagNames[ve.Field]
	}
	if !ok {
		return err
	}
	value := ve.Value
	if len(value) > maxShownValue {
		value = value[:maxShownValue] + "…"
	}
	switch {
	case value == "" && ve.Reason == "":
		return &usageError{name + " is required"}
	case ve.Reason == "":
		return &usageError{fmt.Sprintf("%s %q: must match %s", name, value, ve.Pattern)}
	case value == "":
		return &usageError{name + ": " + ve.Reason}
	}
	return &usageError{fmt.Sprintf("%s %q: %s", name, value, ve.Reason)}
}

// maxShownValue bounds how much of a refused value an error quotes.
const maxShownValue = 64

// fail prints err, if any, and returns its exit status.
func (a *app) fail(err error) int {
	code := exitStatus(err)
	if err != nil && err.Error() != "" {
		fmt.Fprintln(a.stderr, err)
		if code == exitUsage {
			fmt.Fprintln(a.stderr, "Run \"applivery --help\" for usage.")
		}
	}
	return code
}

// exitStatus maps an error to the exit status a script branches on.
func exitStatus(err error) int {
	var (
		usageErr    *usageError
		apiErr      *applivery.APIError
		ended       *endedError
		exit        *exitError
		interrupted *interruptedError
	)
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &exit):
		return exit.code
	case errors.As(err, &interrupted):
		return exitInterrupted
	case errors.As(err, &usageErr), errors.Is(err, applivery.ErrInvalidArgument):
		return exitUsage
	case errors.As(err, &ended):
		return ended.exit
	case errors.Is(err, applivery.ErrStillPending):
		return exitPending
	case errors.Is(err, applivery.ErrCommandNotPending):
		return exitNotPending
	case errors.Is(err, applivery.ErrNotFound):
		return exitNotFound
	case errors.Is(err, applivery.ErrUnauthorized), errors.Is(err, applivery.ErrForbidden):
		return exitAuth
	case errors.Is(err, applivery.ErrRateLimited):
		return exitRateLimited
	case errors.As(err, &apiErr):
		return exitAPI
	}
	return exitNetwork
}

// cli holds what every command on the API shares: the app, and the common
// flags.
type cli struct {
	*app
	org, device string
	devices     stringList // every --device given
	output      string
	baseURL     string
	timeout     time.Duration
	maxRetries  int
	verbose     bool
	waits       bool // the command waits for the device: a longer default timeout

	bulkFlags
	bulkCapable bool // the verb runs on many devices when it is given many (create)
	bulkOnly    bool // the verb always runs on many devices (cancel-pending)
	// bulkOnlyFlags are the flags that only a run on many devices takes.
	bulkOnlyFlags []string
	perDevice     time.Duration // a bulk run's bound on each device's work
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

func (c *cli) register(flags *flag.FlagSet) {
	flags.StringVar(&c.org, "org", "", "organization ID or slug")
	flags.Var(&c.devices, "device", "device ID, serial number or IMEI")
	flags.StringVar(&c.output, "output", "text", "text or json")
	flags.StringVar(&c.baseURL, "base-url", "", "API base URL")
	flags.DurationVar(&c.timeout, "timeout", time.Minute, "time allowed for the whole command")
	flags.IntVar(&c.maxRetries, "max-retries", applivery.DefaultMaxRetries, "retries of a failed attempt")
	flags.BoolVar(&c.verbose, "verbose", false, "log HTTP attempts to stderr")
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
		opts = append(opts, applivery.WithLogger(slog.New(slog.NewTextHandler(c.stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	}
	client, err := applivery.NewClient(key, append(opts, c.options...)...)
	return client, flagError(err, source)
}
