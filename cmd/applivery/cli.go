package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
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
	exitAPI         = 7 // any other answer of the API
	exitNetwork     = 8 // no answer: a network error or a timeout
)

const usage = `Usage:
  applivery android commands cancel --org ORG --device DEVICE --command ID
  applivery android commands get    --org ORG --device DEVICE --command ID
  applivery android commands list   --org ORG --device DEVICE [--page N] [--limit N] [--sort FIELD[:asc|:desc]]
  applivery android commands create --org ORG --device DEVICE --type TYPE [--duration 3600s] [params]

Cancel cancels a pending command, get shows one, list shows a device's
commands (every page, or the page --page names), create queues a new one.

Flags of every command:
  --org ID             organization ID or slug
  --device ID          device ID, serial number or IMEI
  --output FORMAT      text (one tab-separated line per command: ID, type,
                       status, last update) or json (the command, or an array
                       of them, in the API's JSON shape); default text
  --base-url URL       API base URL (default: APPLIVERY_BASE_URL, else
                       https://api.applivery.io/v1/)
  --timeout DURATION   time allowed for the whole command, retries included
                       (default 1m; 0 for no limit)
  --max-retries N      retries of a failed attempt; 0 disables them (default 3)
  --verbose            log each HTTP attempt and retry decision to stderr

Durations and counts must not be negative.

Flags of create (the params flags go with their type only):
  --type TYPE              LOCK, RESET_PASSWORD, REBOOT, START_LOST_MODE,
                           STOP_LOST_MODE, RELINQUISH_OWNERSHIP, ADD_ESIM,
                           REMOVE_ESIM or CLEAR_APP_DATA
  --duration DURATION      how long the command stays valid, e.g. 3600s
  --new-password-stdin     RESET_PASSWORD: read the new password from stdin
  --reset-flag FLAG        RESET_PASSWORD: REQUIRE_ENTRY, LOCK_NOW, ...; repeatable
  --lost-message TEXT      START_LOST_MODE: the message the device shows
  --lost-phone NUMBER      START_LOST_MODE: the phone number it shows
  --package NAME           CLEAR_APP_DATA: an app whose data to clear; repeatable
  --carrier NAME           ADD_ESIM: the carrier
  --activation-code CODE   ADD_ESIM: the activation code
  --iccid ICCID            REMOVE_ESIM: the eSIM to remove

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
  7  any other API error
  8  no answer: network error or timeout

A create or cancel that fails after the server may have acted (a server
error, a lost or cut answer) says so: "may have been created" or "may have
been canceled". List or get before trying again.
`

// usageError is a mistake in the command line.
type usageError struct{ msg string }

func (e *usageError) Error() string { return "applivery: " + e.msg }

// run runs the command line args and returns the exit status.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	if len(args) == 1 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	if len(args) < 3 || args[0] != "android" || args[1] != "commands" {
		return fail(stderr, &usageError{fmt.Sprintf("unknown command %q: try \"applivery android commands cancel|get|list|create\"", strings.Join(args, " "))})
	}
	verb, ok := verbs[args[2]]
	if !ok {
		return fail(stderr, &usageError{fmt.Sprintf("unknown command %q: try cancel, get, list or create", args[2])})
	}
	cli := &cli{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	flags := flag.NewFlagSet("applivery android commands "+args[2], flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	cli.register(flags)
	do := verb(cli, flags)
	if err := flags.Parse(args[3:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			return exitOK
		}
		return fail(stderr, &usageError{err.Error()})
	}
	if flags.NArg() > 0 {
		return fail(stderr, &usageError{fmt.Sprintf("unexpected argument %q", flags.Arg(0))})
	}
	if err := refuseNegative(flags); err != nil {
		return fail(stderr, err)
	}
	if cli.output != "text" && cli.output != "json" {
		return fail(stderr, &usageError{fmt.Sprintf("--output %q: use text or json", cli.output)})
	}
	client, err := cli.client()
	if err != nil {
		return fail(stderr, err)
	}
	if cli.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cli.timeout)
		defer cancel()
	}
	return fail(stderr, do(ctx, client.AndroidCommands))
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

// fail prints err, if any, and returns its exit status.
func fail(stderr io.Writer, err error) int {
	code := exitStatus(err)
	if err != nil {
		fmt.Fprintln(stderr, err)
		if code == exitUsage {
			fmt.Fprintln(stderr, "Run \"applivery --help\" for usage.")
		}
	}
	return code
}

// exitStatus maps an error to the exit status a script branches on.
func exitStatus(err error) int {
	var (
		usageErr *usageError
		apiErr   *applivery.APIError
	)
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &usageErr), errors.Is(err, applivery.ErrInvalidArgument):
		return exitUsage
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

// cli holds what every command shares: its environment and common flags.
type cli struct {
	getenv         func(string) string
	stdin          io.Reader
	stdout, stderr io.Writer

	org, device string
	output      string
	baseURL     string
	timeout     time.Duration
	maxRetries  int
	verbose     bool
}

func (c *cli) register(flags *flag.FlagSet) {
	flags.StringVar(&c.org, "org", "", "organization ID or slug")
	flags.StringVar(&c.device, "device", "", "device ID, serial number or IMEI")
	flags.StringVar(&c.output, "output", "text", "text or json")
	flags.StringVar(&c.baseURL, "base-url", "", "API base URL")
	flags.DurationVar(&c.timeout, "timeout", time.Minute, "time allowed for the whole command")
	flags.IntVar(&c.maxRetries, "max-retries", 3, "retries of a failed attempt")
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
	if base := c.baseURL; base != "" {
		opts = append(opts, applivery.WithBaseURL(base))
	} else if base := c.getenv("APPLIVERY_BASE_URL"); base != "" {
		opts = append(opts, applivery.WithBaseURL(base))
	}
	if c.verbose {
		opts = append(opts, applivery.WithLogger(slog.New(slog.NewTextHandler(c.stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	}
	return applivery.NewClient(key, opts...)
}

// print writes commands in the chosen format. one says whether the output is
// a single command rather than a list.
func (c *cli) print(cmds []*applivery.Command, one bool) error {
	if c.output == "json" {
		enc := json.NewEncoder(c.stdout)
		if one {
			return enc.Encode(cmds[0])
		}
		if cmds == nil {
			cmds = []*applivery.Command{}
		}
		return enc.Encode(cmds)
	}
	for _, cmd := range cmds {
		updated := "-"
		if !cmd.UpdatedAt.IsZero() {
			updated = cmd.UpdatedAt.Format(time.RFC3339)
		}
		typ := string(cmd.Config.Metadata.Type)
		if typ == "" {
			typ = "-"
		}
		if _, err := fmt.Fprintf(c.stdout, "%s\t%s\t%s\t%s\n", cmd.ID, typ, cmd.Status, updated); err != nil {
			return err
		}
	}
	return nil
}

// A verb registers its flags and returns the function that runs it.
type verb func(c *cli, flags *flag.FlagSet) func(context.Context, *applivery.AndroidCommandsService) error

var verbs = map[string]verb{
	"cancel": byID((*applivery.AndroidCommandsService).Cancel),
	"get":    byID((*applivery.AndroidCommandsService).Get),
	"list": func(c *cli, flags *flag.FlagSet) func(context.Context, *applivery.AndroidCommandsService) error {
		var opts applivery.ListCommandsOptions
		flags.IntVar(&opts.Page, "page", 0, "the page to show; all pages when absent")
		flags.IntVar(&opts.Limit, "limit", 0, "commands per page")
		flags.StringVar(&opts.Sort, "sort", "", "field[:asc|:desc]")
		return func(ctx context.Context, s *applivery.AndroidCommandsService) error {
			if opts.Page != 0 {
				page, err := s.List(ctx, c.org, c.device, &opts)
				if err != nil {
					return err
				}
				cmds := make([]*applivery.Command, len(page.Items))
				for i := range page.Items {
					cmds[i] = &page.Items[i]
				}
				return c.print(cmds, false)
			}
			var all []*applivery.Command
			for cmd, err := range s.ListAll(ctx, c.org, c.device, &opts) {
				if err != nil {
					return err
				}
				if c.output == "text" { // lines as they come; JSON is one array
					if err := c.print([]*applivery.Command{cmd}, false); err != nil {
						return err
					}
					continue
				}
				all = append(all, cmd)
			}
			if c.output == "json" {
				return c.print(all, false)
			}
			return nil
		}
	},
	"create": func(c *cli, flags *flag.FlagSet) func(context.Context, *applivery.AndroidCommandsService) error {
		var (
			req                            applivery.CreateCommandRequest
			typ, lostMessage, lostPhone    string
			carrier, activationCode, iccid string
			passwordStdin                  bool
			resetFlags, packages           stringList
		)
		flags.StringVar(&typ, "type", "", "command type")
		flags.StringVar(&req.Duration, "duration", "", "how long the command stays valid")
		flags.BoolVar(&passwordStdin, "new-password-stdin", false, "read the new password from stdin")
		flags.Var(&resetFlags, "reset-flag", "a reset-password flag")
		flags.StringVar(&lostMessage, "lost-message", "", "lost-mode message")
		flags.StringVar(&lostPhone, "lost-phone", "", "lost-mode phone number")
		flags.Var(&packages, "package", "an app whose data to clear")
		flags.StringVar(&carrier, "carrier", "", "eSIM carrier")
		flags.StringVar(&activationCode, "activation-code", "", "eSIM activation code")
		flags.StringVar(&iccid, "iccid", "", "eSIM to remove")
		return func(ctx context.Context, s *applivery.AndroidCommandsService) error {
			req.Type = applivery.CommandType(strings.ToUpper(typ))
			// Each params flag goes with one type: anything else is a mistake
			// the API would not report.
			for _, p := range []struct {
				set   bool
				flag  string
				typ   applivery.CommandType
				apply func()
			}{
				{passwordStdin, "--new-password-stdin", applivery.CommandTypeResetPassword, func() {}},
				{len(resetFlags) > 0, "--reset-flag", applivery.CommandTypeResetPassword, func() { req.ResetPasswordFlags = resetFlags }},
				{lostMessage != "" || lostPhone != "", "--lost-message and --lost-phone", applivery.CommandTypeStartLostMode, func() {
					req.StartLostMode = &applivery.StartLostModeParams{
						LostMessage:     message(lostMessage),
						LostPhoneNumber: message(lostPhone),
					}
				}},
				{len(packages) > 0, "--package", applivery.CommandTypeClearAppData, func() {
					req.ClearAppsData = &applivery.ClearAppsDataParams{PackageNames: packages}
				}},
				{carrier != "" || activationCode != "", "--carrier and --activation-code", applivery.CommandTypeAddEsim, func() {
					req.AddEsim = &applivery.AddEsimParams{CarrierName: carrier, ActivationCode: activationCode}
				}},
				{iccid != "", "--iccid", applivery.CommandTypeRemoveEsim, func() { req.RemoveEsim = &applivery.RemoveEsimParams{ICCID: iccid} }},
			} {
				if !p.set {
					continue
				}
				if req.Type != p.typ {
					return &usageError{fmt.Sprintf("%s go with --type %s", p.flag, p.typ)}
				}
				p.apply()
			}
			if req.Type == applivery.CommandTypeStopLostMode {
				req.StopLostMode = &applivery.StopLostModeParams{}
			}
			if passwordStdin {
				password, err := readLine(c.stdin)
				if err != nil {
					return &usageError{"--new-password-stdin: reading stdin: " + err.Error()}
				}
				if password == "" {
					return &usageError{"--new-password-stdin: stdin holds no password"}
				}
				req.NewPassword = password
			}
			cmd, err := s.Create(ctx, c.org, c.device, &req)
			if err != nil {
				return err
			}
			return c.print([]*applivery.Command{cmd}, true)
		}
	},
}

// byID is a verb on one command, named by --command: cancel or get.
func byID(call func(*applivery.AndroidCommandsService, context.Context, string, string, string) (*applivery.Command, error)) verb {
	return func(c *cli, flags *flag.FlagSet) func(context.Context, *applivery.AndroidCommandsService) error {
		id := flags.String("command", "", "command ID (24 hex digits)")
		return func(ctx context.Context, s *applivery.AndroidCommandsService) error {
			cmd, err := call(s, ctx, c.org, c.device, *id)
			if err != nil {
				return err
			}
			return c.print([]*applivery.Command{cmd}, true)
		}
	}
}

// message is a user-facing message of text, or nil for none.
func message(text string) *applivery.UserFacingMessage {
	if text == "" {
		return nil
	}
	return &applivery.UserFacingMessage{DefaultMessage: text}
}

// readLine reads the first line of r, without its line ending.
func readLine(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// stringList is a flag that can be given several times.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }
