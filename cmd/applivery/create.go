package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/applivery/applivery-go"
)

// A creator is the work of a platform's create verb: it creates one
// command on one device and waits for it, the same way on every platform,
// and runs on many devices as a bulk run or on one as a plain command. C is
// the platform's command record.
type creator[C any] struct {
	c *cli
	// what is the command's type, as a dry run's line names it.
	what string
	// create queues the command for device.
	create func(ctx context.Context, device string) (*C, error)
	// wait waits until device has applied cmd, with a progress line on
	// stderr when progress is set, and returns the command as it ended (or
	// as last read), and an error unless the device applied it.
	wait func(ctx context.Context, device string, cmd *C, progress bool) (*C, error)
	// check is a dry run's read of device: an unknown one fails as a
	// create would.
	check func(ctx context.Context, device string) error
	// print prints the command of a run on one device.
	print func(cmd *C) error
	// line is the command in a line of a run on many devices.
	line func(cmd *C) *lineCommand
}

// createExits are the exit statuses of a create of any platform.
var createExits = append([]int{exitCanceled, exitPending}, bulkExits...)

// registerCreate adds the flags of a create of any platform beyond those of
// its command: --wait, and those of a run on many devices, whose
// --all-devices lists with list.
func (c *cli) registerCreate(flags *flag.FlagSet, list deviceLister) *bulkFlags {
	flags.BoolVar(&c.waits, "wait", false, "wait until the device applies the command, as wait does (--timeout 10m unless given)")
	b := &bulkFlags{list: list}
	b.register(flags)
	c.registerRate(flags)
	return b
}

// run creates the command on every device b chooses, a line each, when
// they are many (or with --dry-run), else on --device: it prints the
// command, and with --wait waits for it first.
func (cr *creator[C]) run(ctx context.Context, client *applivery.Client, b *bulkFlags) error {
	c := cr.c
	if b.many(c) {
		return b.forEach(ctx, c, client, func(ctx context.Context, device string) (*bulkLine, error) {
			return cr.on(ctx, device, b.dryRun)
		})
	}
	cmd, err := cr.create(ctx, c.device)
	if err != nil {
		return err
	}
	if c.waits {
		cmd, err = cr.wait(ctx, c.device, cmd, c.stderrTerminal)
	}
	if cmd != nil {
		if perr := cr.print(cmd); perr != nil {
			return perr
		}
	}
	return err
}

// on creates the command on one device of a run on many, and waits for it
// with --wait; a dry run checks the device instead.
func (cr *creator[C]) on(ctx context.Context, device string, dryRun bool) (*bulkLine, error) {
	if dryRun {
		if err := cr.check(ctx, device); err != nil {
			return nil, err
		}
		return &bulkLine{DryRun: true, WouldCreate: cr.what}, nil
	}
	cmd, err := cr.create(ctx, device)
	if err != nil {
		return nil, err
	}
	if cr.c.waits {
		// A wait that fails leaves the command on the server: the line
		// keeps it, with the error, so that a retry of the failed devices
		// can tell it from a device where nothing was created.
		ended, werr := cr.wait(ctx, device, cmd, false)
		if ended != nil {
			cmd = ended
		}
		err = werr
	}
	return &bulkLine{Command: cr.line(cmd)}, err
}

// waitProgress returns what a wait calls after each poll with the
// command's ID and status, which redraws a progress line on stderr when
// show is set, and what it calls at the end, which clears that line (the
// result stays).
func (c *cli) waitProgress(show bool) (onPoll func(id, status string), done func()) {
	start, polls := time.Now(), 0
	onPoll = func(id, status string) {
		polls++
		if show {
			fmt.Fprintf(c.stderr, "\r\x1b[Kwaiting for command %s: %s, %s, %d poll%s",
				id, status, time.Since(start).Round(time.Second), polls, plural(polls))
		}
	}
	return onPoll, func() {
		if show && polls > 0 {
			fmt.Fprint(c.stderr, "\r\x1b[K")
		}
	}
}
