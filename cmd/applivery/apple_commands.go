package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"

	"github.com/applivery/applivery-go"
)

// The commands of "applivery apple commands".

// appleCommandFlags are the flags that give each argument of the Apple
// commands the SDK validates, by the API's name for it.
var appleCommandFlags = map[string]string{
	"targetId":     "--device",
	"targetIds":    "--device",
	"targetType":   "--target-type",
	"admCommandId": "--command",
	"RequestType":  "--type",
	"Params":       "--param",
}

// appleTargetFlag registers --target-type on flags.
func appleTargetFlag(flags *flag.FlagSet) *string {
	return flags.String("target-type", string(applivery.AppleTargetDevice), "what --device names: `device` or deviceUser")
}

var appleGetCommand = &cmdSpec{
	words: "apple commands get",
	args:  "--org ORG --device DEVICE --command ID [--target-type device|deviceUser]",
	short: "show an Apple command",
	long:  `Get shows one Apple command of a device (or device user).`,
	setup: func(c *cli, flags *flag.FlagSet) (runFunc, *bulkFlags) {
		id := flags.String("command", "", "the command's `ID` (24 hex digits)")
		target := appleTargetFlag(flags)
		return func(ctx context.Context, client *applivery.Client) error {
			cmd, err := client.AppleCommands.Get(ctx, c.org, applivery.AppleTargetType(*target), c.device, *id)
			if err != nil {
				return flagError(err, appleCommandFlags)
			}
			return c.printAppleCommands([]*applivery.AppleCommand{cmd}, true)
		}, nil
	},
}

var appleCancelCommand = &cmdSpec{
	words: "apple commands cancel",
	args:  "--org ORG --device DEVICE --command ID [--target-type device|deviceUser]",
	short: "cancel an Apple command that is pending or tried",
	long: `Cancel cancels an Apple command that is pending or tried, before the device
applies it, and prints "canceled" and its ID (as JSON, {"canceled":"OK","id":…}).
A cancel that fails after the server may have acted is looked up; when that
cannot tell, it says "may have been canceled": get the command before trying
again.`,
	exits: []int{exitNotPending},
	setup: func(c *cli, flags *flag.FlagSet) (runFunc, *bulkFlags) {
		id := flags.String("command", "", "the command's `ID` (24 hex digits)")
		target := appleTargetFlag(flags)
		return func(ctx context.Context, client *applivery.Client) error {
			if err := client.AppleCommands.Cancel(ctx, c.org, applivery.AppleTargetType(*target), c.device, *id); err != nil {
				return flagError(err, appleCommandFlags)
			}
			if c.output == "json" {
				return json.NewEncoder(c.stdout).Encode(map[string]string{"canceled": "OK", "id": *id})
			}
			_, err := fmt.Fprintf(c.stdout, "canceled\t%s\n", *id)
			return err
		}, nil
	},
}

var appleWaitCommand = &cmdSpec{
	words: "apple commands wait",
	args:  "--org ORG --device DEVICE --command ID [--target-type device|deviceUser] [--timeout 10m]",
	short: "wait until the device has answered an Apple command",
	long: `Wait polls an Apple command (2 s, doubling to a minute between polls,
jittered) while it is Pending, Tried or NotNow, and prints it as it ended.
Acknowledged exits 0, Canceled 9, any other status 7. It uses all of
--timeout (10 minutes unless given), and exits 10 when the command is still
pending then.`,
	exits: []int{exitCanceled, exitPending},
	setup: func(c *cli, flags *flag.FlagSet) (runFunc, *bulkFlags) {
		id := flags.String("command", "", "the command's `ID` (24 hex digits)")
		target := appleTargetFlag(flags)
		c.waits = true
		return func(ctx context.Context, client *applivery.Client) error {
			cmd, err := c.appleWaitFor(ctx, client.AppleCommands, applivery.AppleTargetType(*target), c.device, *id, c.stderrTerminal)
			if cmd != nil {
				if perr := c.printAppleCommands([]*applivery.AppleCommand{cmd}, true); perr != nil {
					return perr
				}
			}
			return err
		}, nil
	},
}

// appleWaitFor waits until the target has answered the Apple command, with
// a progress line on stderr when progress is set, and returns the command
// as it ended (or as last read), and an error unless it is Acknowledged.
func (c *cli) appleWaitFor(ctx context.Context, s *applivery.AppleCommandsService, target applivery.AppleTargetType, targetID, id string, progress bool) (*applivery.AppleCommand, error) {
	onPoll, done := c.waitProgress(progress)
	opts := &applivery.AppleWaitOptions{MinInterval: c.pollInterval,
		OnPoll: func(cmd *applivery.AppleCommand) { onPoll(cmd.ID, string(cmd.Status)) }}
	cmd, err := s.Wait(ctx, c.org, target, targetID, id, opts)
	done()
	switch {
	case err != nil:
		return cmd, flagError(err, appleCommandFlags)
	case cmd.Status == applivery.AppleCommandStatusAcknowledged:
		return cmd, nil
	case cmd.Status == applivery.AppleCommandStatusCanceled:
		return cmd, &appleEndedError{cmd: cmd, exit: exitCanceled}
	}
	return cmd, &appleEndedError{cmd: cmd, exit: exitAPI}
}

// appleEndedError is a wait whose Apple command ended otherwise than
// Acknowledged. It is an *exitError to errors.As, with its exit status.
type appleEndedError struct {
	cmd  *applivery.AppleCommand
	exit int
}

func (e *appleEndedError) Error() string {
	return "applivery: command " + e.cmd.ID + " ended as " + string(e.cmd.Status)
}

func (e *appleEndedError) As(target any) bool {
	if t, ok := target.(**exitError); ok {
		*t = &exitError{code: e.exit}
		return true
	}
	return false
}

// printAppleCommands writes Apple commands in the chosen format: text, one
// line per command (ID, target, request type, status, last update), or
// JSON, the records as the API sent them.
func (c *cli) printAppleCommands(cmds []*applivery.AppleCommand, one bool) error {
	return printAll(c, cmds, one, func(cmd *applivery.AppleCommand) []string {
		return []string{cmd.ID, cmd.TargetID, cmd.RequestType, string(cmd.Status), timestamp(cmd.UpdatedAt)}
	})
}
