package main

import (
	"context"
	"errors"
	"flag"

	"github.com/applivery/applivery-go"
)

// The commands of "applivery android commands", but create
// (android_create.go).

var cancelCommand = &cmdSpec{
	words: "android commands cancel",
	args:  "--org ORG --device DEVICE --command ID",
	short: "cancel a pending command before the device applies it",
	long: `Cancel cancels a pending command before the device applies it, and prints
it as it ended. A cancel that fails after the server may have acted (a server
error, a lost or cut answer) is looked up; when that cannot tell, it says
"may have been canceled": get the command before trying again.`,
	exits: []int{exitNotPending},
	setup: oneCommand((*applivery.AndroidCommandsService).Cancel),
}

var getCommand = &cmdSpec{
	words: "android commands get",
	args:  "--org ORG --device DEVICE --command ID",
	short: "show a command",
	long:  `Get shows one command of a device.`,
	setup: oneCommand((*applivery.AndroidCommandsService).Get),
}

// oneCommand is the setup of a command on one command named by --command:
// cancel or get.
func oneCommand(call func(*applivery.AndroidCommandsService, context.Context, string, string, string, ...applivery.CallOption) (*applivery.Command, error)) func(*cli, *flag.FlagSet) (runFunc, *bulkFlags) {
	return func(c *cli, flags *flag.FlagSet) (runFunc, *bulkFlags) {
		id := flags.String("command", "", "the command's `ID` (24 hex digits)")
		return func(ctx context.Context, client *applivery.Client) error {
			cmd, err := call(client.AndroidCommands, ctx, c.org, c.device, *id)
			if err != nil {
				return err
			}
			return c.print([]*applivery.Command{cmd}, true)
		}, nil
	}
}

var listCommand = &cmdSpec{
	words: "android commands list",
	args:  "--org ORG --device DEVICE [--page N] [--limit N] [--sort FIELD[:asc|:desc]]",
	short: "show a device's commands",
	long: `List shows a device's commands: every page, fetched as the output goes, or
the page --page names.`,
	setup: func(c *cli, flags *flag.FlagSet) (runFunc, *bulkFlags) {
		var opts applivery.ListCommandsOptions
		flags.IntVar(&opts.Page, "page", 0, "the page `N` to show; all pages when absent")
		flags.IntVar(&opts.Limit, "limit", 0, "`N` commands per page (the API's default when absent)")
		flags.StringVar(&opts.Sort, "sort", "", "the order: `FIELD[:asc|:desc]`, such as createdAt:desc")
		return func(ctx context.Context, client *applivery.Client) error {
			s := client.AndroidCommands
			if opts.Page != 0 {
				page, err := s.List(ctx, c.org, c.device, &opts)
				if err != nil {
					return err
				}
				return printList(c, itemsOf(page.Items), c.print)
			}
			return printList(c, s.ListAll(ctx, c.org, c.device, &opts), c.print)
		}, nil
	},
}

var waitCommand = &cmdSpec{
	words: "android commands wait",
	args:  "--org ORG --device DEVICE --command ID [--timeout 10m]",
	short: "wait until the device has applied a command",
	long: `Wait polls a command (2 s, doubling to a minute between polls, jittered)
until the device has applied it (DONE) or it ended otherwise, and prints it.
It uses all of --timeout (10 minutes unless given): when the next poll would
come after the deadline, the last one is made just before it. While waiting,
a progress line shows on stderr when stderr is a terminal.`,
	exits: []int{exitCanceled, exitPending},
	setup: func(c *cli, flags *flag.FlagSet) (runFunc, *bulkFlags) {
		id := flags.String("command", "", "the command's `ID` (24 hex digits)")
		c.waits = true
		return func(ctx context.Context, client *applivery.Client) error {
			return c.waitAndPrint(ctx, client.AndroidCommands, *id)
		}, nil
	},
}

var cancelPendingCommand = &cmdSpec{
	words: "android commands cancel-pending",
	args:  "--org ORG DEVICES [--concurrency 8] [--rate R [--burst 1]] [--dry-run] [--after DEVICE]",
	short: "cancel every pending command of many devices",
	long: `Cancel-pending cancels every pending command of the chosen devices. DEVICES
is --device (repeatable), --devices-from FILE (- for stdin; one ID, serial
number or IMEI a line; blank lines and # comments skipped) or --all-devices
with the filters --tag (repeatable), --user, --policy and --segment.
` + bulkHelp,
	exits: bulkExits,
	setup: func(c *cli, flags *flag.FlagSet) (runFunc, *bulkFlags) {
		b := &bulkFlags{alwaysMany: true, list: androidDevices}
		b.register(flags)
		c.registerRate(flags)
		return func(ctx context.Context, client *applivery.Client) error {
			return b.forEach(ctx, c, client, func(ctx context.Context, device string) (*bulkLine, error) {
				return cancelPending(ctx, c, client.AndroidCommands, device, b.dryRun)
			})
		}, b
	},
}

// cancelPending cancels the pending commands of one device, or with dryRun
// lists them: the listing is the read that tells whether the device exists.
func cancelPending(ctx context.Context, c *cli, s *applivery.AndroidCommandsService, device string, dryRun bool) (*bulkLine, error) {
	pending := []string{}
	for cmd, err := range s.ListAll(ctx, c.org, device, nil) {
		if err != nil {
			return nil, err
		}
		if cmd.Status == applivery.CommandStatusPending {
			pending = append(pending, cmd.ID)
		}
	}
	if dryRun {
		return &bulkLine{DryRun: true, WouldCancel: &pending}, nil
	}
	canceled := []string{}
	for _, id := range pending {
		_, err := s.Cancel(ctx, c.org, device, id)
		switch {
		case errors.Is(err, applivery.ErrCommandNotPending):
			// Applied or canceled meanwhile: not this run's to cancel.
		case err != nil:
			return nil, err
		default:
			canceled = append(canceled, id)
		}
	}
	return &bulkLine{Canceled: &canceled}, nil
}

// waitAndPrint waits until the device applies the command, printing a progress line
// on stderr when it is a terminal, and prints the command it ended as (or
// the last read when time ran out). DONE is a success; CANCEL, any other
// status and running out of time are errors with exit statuses of their own.
func (c *cli) waitAndPrint(ctx context.Context, s *applivery.AndroidCommandsService, id string) error {
	cmd, err := c.waitFor(ctx, s, c.device, id, c.stderrTerminal)
	if cmd != nil {
		if perr := c.print([]*applivery.Command{cmd}, true); perr != nil {
			return perr
		}
	}
	return err
}

// waitFor waits until the device applies the command, with a progress line
// on stderr when progress is set, and returns the command it ended as (or
// the last read), and an error unless it is DONE.
func (c *cli) waitFor(ctx context.Context, s *applivery.AndroidCommandsService, device, id string, progress bool) (*applivery.Command, error) {
	onPoll, done := c.waitProgress(progress)
	opts := &applivery.WaitOptions{MinInterval: c.pollInterval,
		OnPoll: func(cmd *applivery.Command) { onPoll(cmd.ID, string(cmd.Status)) }}
	cmd, err := s.Wait(ctx, c.org, device, id, opts)
	done()
	switch {
	case err != nil:
		return cmd, err
	case cmd.Status == applivery.CommandStatusDone:
		return cmd, nil
	case cmd.Status == applivery.CommandStatusCanceled:
		return cmd, &endedError{cmd: cmd, exit: exitCanceled}
	}
	return cmd, &endedError{cmd: cmd, exit: exitAPI}
}
