package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/applivery/applivery-go"
)

// registry holds the command line's commands on the API, in the order the
// help lists them.
var registry = []*cmdSpec{
	cancelCommand, getCommand, listCommand, createCommand, waitCommand, cancelPendingCommand,
	devicesListCommand, devicesGetCommand, devicesMoveCommand,
	appleDevicesListCommand, appleDevicesGetCommand, appleDevicesUpdateCommand,
	devicesEveryListCommand, devicesFindCommand,
	appleCreateCommand, appleGetCommand, appleCancelCommand, appleWaitCommand,
	usersListCommand, usersCreateCommand,
	androidTokensCreateCommand, aospTokensCreateCommand, appleTokensCreateCommand, appleTokensListCommand,
	apiCommand,
}

// helpArgs are the ways to ask for help.
var helpArgs = []string{"-h", "-help", "--help", "help"}

// run runs the command line args and returns the exit status.
func (a *app) run(ctx context.Context, args []string) int {
	if len(args) == 0 {
		a.overview(a.stderr, "")
		return exitUsage
	}
	switch {
	case slices.Contains(helpArgs, args[0]):
		return a.help(args[1:])
	case slices.Contains([]string{"-version", "--version", "version"}, args[0]):
		fmt.Fprintln(a.stdout, versionLine(debug.ReadBuildInfo()))
		return exitOK
	case args[0] == "demo":
		ctx, _, stop := a.onInterrupt(ctx)
		defer stop()
		return a.fail(a.demo(ctx, args[1:]))
	}
	if cmd, rest := lookup(args); cmd != nil {
		return a.runCommand(ctx, cmd, rest)
	}
	// Words that name a group of commands: its help, or what it holds.
	words := args[:len(args)-len(flagsOf(args))]
	group, rest := strings.Join(words, " "), flagsOf(args)
	if len(words) > 0 && slices.Contains(helpArgs, words[len(words)-1]) {
		group, rest = strings.Join(words[:len(words)-1], " "), []string{"--help"}
	}
	if verbs := verbsIn(group); len(verbs) > 0 {
		if len(rest) > 0 && slices.Contains(helpArgs, rest[0]) {
			a.overview(a.stdout, group)
			return exitOK
		}
		return a.fail(&usageError{fmt.Sprintf("%q needs a command: try %s", "applivery "+group, orList(verbs))})
	}
	if len(words) >= 3 { // a resource, then a word that is none of its verbs
		if verbs := verbsIn(strings.Join(words[:2], " ")); len(verbs) > 0 {
			return a.fail(&usageError{fmt.Sprintf("unknown command %q: try %s", words[2], orList(verbs))})
		}
	}
	return a.fail(&usageError{fmt.Sprintf("unknown command %q: run \"applivery help\" for the commands", strings.Join(args, " "))})
}

// orList is "a, b or c".
func orList(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// lookup returns the command args name, and the arguments after its words.
func lookup(args []string) (*cmdSpec, []string) {
	for _, cmd := range registry {
		words := strings.Fields(cmd.words)
		if len(args) >= len(words) && slices.Equal(args[:len(words)], words) {
			return cmd, args[len(words):]
		}
	}
	return nil, nil
}

// flagsOf returns args from the first that starts with "-".
func flagsOf(args []string) []string {
	for i, arg := range args {
		if strings.HasPrefix(arg, "-") {
			return args[i:]
		}
	}
	return nil
}

// verbsIn returns the words that follow group in the commands under it.
func verbsIn(group string) []string {
	var verbs []string
	for _, cmd := range registry {
		if rest, ok := strings.CutPrefix(cmd.words, group+" "); ok && group != "" {
			verb, _, _ := strings.Cut(rest, " ")
			if !slices.Contains(verbs, verb) {
				verbs = append(verbs, verb)
			}
		}
	}
	return verbs
}

// help prints the help of the command, or group of commands, that args
// name: "applivery help android commands cancel".
func (a *app) help(args []string) int {
	if cmd, _ := lookup(args); cmd != nil {
		c := &cli{app: a}
		flags := cmd.flagSet(c)
		cmd.setup(c, flags)
		cmd.writeHelp(a.stdout, flags)
		return exitOK
	}
	group := strings.Join(args, " ")
	if group != "" && len(verbsIn(group)) == 0 {
		return a.fail(&usageError{fmt.Sprintf("unknown command %q: run \"applivery help\" for the commands", group)})
	}
	a.overview(a.stdout, group)
	return exitOK
}

// overview writes the help of the whole tool, or of the commands under
// group: each command's usage line and what it does, the environment and
// the exit statuses.
func (a *app) overview(w io.Writer, group string) {
	fmt.Fprint(w, "Usage: applivery COMMAND [flags]\n\n")
	if group == "" {
		fmt.Fprint(w, `Applivery's device-management API from the command line, for shell scripts,
CI jobs and cron: IDs are checked before anything is sent, only what is safe
to retry is retried, and the exit status tells what happened.

`)
	}
	fmt.Fprintln(w, "Commands:")
	for _, cmd := range registry {
		if group == "" || strings.HasPrefix(cmd.words, group+" ") {
			fmt.Fprintf(w, "  applivery %s %s\n%s", cmd.words, cmd.args, wrapText(cmd.short, "      ", "      "))
		}
	}
	if group == "" {
		fmt.Fprint(w, `  applivery demo
      serve a fake API with a small fleet, to try every command with no account
  applivery version
      print the version
`)
	}
	fmt.Fprintf(w, "\nRun \"applivery COMMAND --help\" for a command's usage and flags.\n\n%s\n", envHelp)
	codes := make([]int, 0, len(exitMeanings))
	for code := range exitMeanings {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	writeExits(w, codes)
	fmt.Fprint(w, `
A create or cancel that fails after the server may have acted (a server
error, a lost or cut answer) says so: "may have been created" or "may have
been canceled". List or get before trying again.
`)
}

// fail prints err, if any, and returns its exit status.
func (a *app) fail(err error) int { return a.failIn(nil, err) }

// failIn prints err of the command cmd (nil for none), if any, and returns
// its exit status. A usage error says where to read the usage.
func (a *app) failIn(cmd *cmdSpec, err error) int {
	code := exitStatus(err)
	if err != nil && err.Error() != "" {
		fmt.Fprintln(a.stderr, err)
		if code == exitUsage {
			words := ""
			if cmd != nil {
				words = cmd.words + " "
			}
			fmt.Fprintf(a.stderr, "Run \"applivery %s--help\" for usage.\n", words)
		}
	}
	return code
}

// runCommand runs cmd with its arguments.
func (a *app) runCommand(ctx context.Context, cmd *cmdSpec, args []string) int {
	c := &cli{app: a}
	flags := cmd.flagSet(c)
	do, bulk := cmd.setup(c, flags)
	n := len(cmd.positional)
	if len(args) < n || slices.ContainsFunc(args[:n], func(arg string) bool { return strings.HasPrefix(arg, "-") }) {
		if len(args) > 0 && slices.Contains(helpArgs, args[0]) {
			cmd.writeHelp(a.stdout, flags)
			return exitOK
		}
		return a.failIn(cmd, &usageError{fmt.Sprintf("%s takes %s first", cmd.words, strings.Join(cmd.positional, " "))})
	}
	c.positional, args = args[:n], args[n:]
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			cmd.writeHelp(a.stdout, flags)
			return exitOK
		}
		return a.failIn(cmd, &usageError{err.Error()})
	}
	if err := checkFlags(c, cmd, flags, bulk); err != nil {
		return a.failIn(cmd, err)
	}
	client, err := c.client()
	if err != nil {
		return a.failIn(cmd, err)
	}
	if bulk != nil && bulk.many(c) {
		c.perDevice = c.deadline(flags) // a fleet job takes as long as it takes: --timeout bounds each device
		return a.failIn(cmd, flagError(do(ctx, client), nil))
	}
	ctx, in, stop := a.onInterrupt(ctx)
	defer stop()
	if timeout := c.deadline(flags); timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	err = do(ctx, client)
	return a.failIn(cmd, byInterrupt(flagError(err, nil), in.stopped()))
}

// checkFlags refuses what the parsed flags cannot mean, before anything is
// sent.
func checkFlags(c *cli, cmd *cmdSpec, flags *flag.FlagSet, bulk *bulkFlags) error {
	if flags.NArg() > 0 {
		return &usageError{fmt.Sprintf("unexpected argument %q", flags.Arg(0))}
	}
	if err := refuseNegative(flags); err != nil {
		return err
	}
	if c.output != "text" && c.output != "json" && !cmd.untargeted {
		return &usageError{fmt.Sprintf("--output %q: use text or json", c.output)}
	}
	verb := cmd.words[strings.LastIndex(cmd.words, " ")+1:]
	if len(c.devices) > 1 && bulk == nil {
		return &usageError{fmt.Sprintf("--device is given %d times: %s takes one device", len(c.devices), verb)}
	}
	if len(c.devices) == 1 {
		c.device = c.devices[0]
	}
	if bulk == nil || bulk.many(c) {
		return nil
	}
	var onlyBulk []string
	only := bulk.onlyMany
	if only == nil {
		only = bulkOnlyFlags
	}
	flags.Visit(func(f *flag.Flag) {
		if slices.Contains(only, f.Name) {
			onlyBulk = append(onlyBulk, "--"+f.Name)
		}
	})
	if len(onlyBulk) > 0 {
		if bulk.rows != nil {
			return &usageError{strings.Join(onlyBulk, ", ") + ": for a run over a file (--" + bulk.fromFlag + ")"}
		}
		return &usageError{strings.Join(onlyBulk, ", ") + ": for a run on many devices (--device repeated, --devices-from or --all-devices)"}
	}
	return nil
}

// versionLine is what "applivery version" prints: the versions of the tool
// and the SDK, the Go release it was built with, and the VCS revision it was
// built from, when the build recorded one.
func versionLine(info *debug.BuildInfo, ok bool) string {
	line := fmt.Sprintf("applivery %s (applivery-go %s, %s", applivery.Version, applivery.Version, runtime.Version())
	if ok {
		settings := map[string]string{}
		for _, s := range info.Settings {
			settings[s.Key] = s.Value
		}
		if rev := settings["vcs.revision"]; rev != "" {
			line += ", revision " + rev
			if settings["vcs.modified"] == "true" {
				line += " with local changes"
			}
		}
	}
	return line + ")"
}
