package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"iter"
	"strings"
	"time"

	"github.com/applivery/applivery-go"
)

// print writes commands in the chosen format. one says whether the output is
// a single command rather than a list.
func (c *cli) print(cmds []*applivery.Command, one bool) error {
	return printAll(c, cmds, one, func(cmd *applivery.Command) []string {
		return []string{cmd.ID, string(cmd.Type()), string(cmd.Status), timestamp(cmd.UpdatedAt)}
	})
}

// printAll writes items in the chosen format: JSON (the item, or an array
// of them), or text, one tab-separated line per item, with "-" for an empty
// field.
func printAll[T any](c *cli, items []*T, one bool, fields func(*T) []string) error {
	if c.output == "json" {
		enc := json.NewEncoder(c.stdout)
		if one {
			return enc.Encode(items[0])
		}
		if items == nil {
			items = []*T{}
		}
		return enc.Encode(items)
	}
	for _, item := range items {
		fs := fields(item)
		for i, f := range fs {
			if f == "" {
				fs[i] = "-"
			}
		}
		if _, err := fmt.Fprintln(c.stdout, strings.Join(fs, "\t")); err != nil {
			return err
		}
	}
	return nil
}

// printList prints a list: text lines as the items come, or JSON, one array
// of them all.
func printList[T any](c *cli, items iter.Seq2[*T, error], print func([]*T, bool) error) error {
	var all []*T
	for item, err := range items {
		if err != nil {
			return err
		}
		if c.output == "text" {
			if err := print([]*T{item}, false); err != nil {
				return err
			}
			continue
		}
		all = append(all, item)
	}
	if c.output == "json" {
		return print(all, false)
	}
	return nil
}

// itemsOf iterates over the items of one page.
func itemsOf[T any](items []T) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) {
		for i := range items {
			if !yield(&items[i], nil) {
				return
			}
		}
	}
}

// timestamp is t in RFC 3339, or "" when it is zero.
func timestamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}

// A verb registers its flags and returns the function that runs it.
type verb func(c *cli, flags *flag.FlagSet) func(context.Context, *applivery.Client) error

var verbs = map[string]verb{
	"cancel": byID((*applivery.AndroidCommandsService).Cancel),
	"get":    byID((*applivery.AndroidCommandsService).Get),
	"list": func(c *cli, flags *flag.FlagSet) func(context.Context, *applivery.Client) error {
		var opts applivery.ListCommandsOptions
		flags.IntVar(&opts.Page, "page", 0, "the page to show; all pages when absent")
		flags.IntVar(&opts.Limit, "limit", 0, "commands per page")
		flags.StringVar(&opts.Sort, "sort", "", "field[:asc|:desc]")
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
		}
	},
	"create": func(c *cli, flags *flag.FlagSet) func(context.Context, *applivery.Client) error {
		p := &createFlags{}
		p.register(flags)
		flags.BoolVar(&c.waits, "wait", false, "wait until the device applies the command")
		c.bulkCapable = true
		c.registerBulk(flags)
		return func(ctx context.Context, client *applivery.Client) error {
			if p.passwordStdin && c.devicesFrom == "-" {
				return &usageError{"--new-password-stdin and --devices-from - both read stdin: give the devices in a file"}
			}
			req, err := p.request(c.stdin)
			if err != nil {
				return err
			}
			s := client.AndroidCommands
			if c.bulk() {
				return c.runBulk(ctx, client, func(ctx context.Context, device string) (bulkResult, error) {
					if c.dryRun {
						// A read, so that an unknown device fails as it would.
						if _, err := client.AndroidDevices.Get(ctx, c.org, device); err != nil {
							return nil, err
						}
						return bulkResult{"dryRun": true, "wouldCreate": req.Type}, nil
					}
					cmd, err := s.Create(ctx, c.org, device, req)
					if err == nil && c.waits {
						cmd, err = c.waitFor(ctx, s, device, cmd.ID, false)
					}
					if err != nil {
						return nil, err
					}
					return bulkResult{"command": cmd}, nil
				})
			}
			cmd, err := s.Create(ctx, c.org, c.device, req)
			if err != nil {
				return err
			}
			if c.waits {
				return c.wait(ctx, s, cmd.ID)
			}
			return c.print([]*applivery.Command{cmd}, true)
		}
	},
	"cancel-pending": func(c *cli, flags *flag.FlagSet) func(context.Context, *applivery.Client) error {
		c.bulkOnly = true
		c.registerBulk(flags)
		return func(ctx context.Context, client *applivery.Client) error {
			s := client.AndroidCommands
			return c.runBulk(ctx, client, func(ctx context.Context, device string) (bulkResult, error) {
				var pending []string
				for cmd, err := range s.ListAll(ctx, c.org, device, nil) {
					if err != nil {
						return nil, err
					}
					if cmd.Status == applivery.CommandStatusPending {
						pending = append(pending, cmd.ID)
					}
				}
				if c.dryRun { // the listing was the read that found the device
					return bulkResult{"dryRun": true, "wouldCancel": nonNil(pending)}, nil
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
				return bulkResult{"canceled": canceled}, nil
			})
		}
	},
	"wait": func(c *cli, flags *flag.FlagSet) func(context.Context, *applivery.Client) error {
		id := flags.String("command", "", "command ID (24 hex digits)")
		c.waits = true
		return func(ctx context.Context, client *applivery.Client) error {
			return c.wait(ctx, client.AndroidCommands, *id)
		}
	},
}

// waitTimeout is the default --timeout of a command that waits.
const waitTimeout = 10 * time.Minute

// endedError is a wait whose command ended otherwise than DONE.
type endedError struct {
	cmd  *applivery.Command
	exit int
}

func (e *endedError) Error() string {
	if e.cmd.Status == applivery.CommandStatusCanceled {
		return "applivery: command " + e.cmd.ID + " was canceled before the device applied it"
	}
	return "applivery: command " + e.cmd.ID + " ended as " + string(e.cmd.Status)
}

// wait waits until the device applies the command, printing a progress line
// on stderr when it is a terminal, and prints the command it ended as (or
// the last read when time ran out). DONE is a success; CANCEL, any other
// status and running out of time are errors with exit statuses of their own.
func (c *cli) wait(ctx context.Context, s *applivery.AndroidCommandsService, id string) error {
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
	start, polls := time.Now(), 0
	opts := &applivery.WaitOptions{OnPoll: func(cmd *applivery.Command) {
		polls++
		if progress {
			fmt.Fprintf(c.stderr, "\r\x1b[Kwaiting for command %s: %s, %s, %d poll%s",
				cmd.ID, cmd.Status, time.Since(start).Round(time.Second), polls, plural(polls))
		}
	}}
	if c.pollInterval > 0 {
		opts.MinInterval = c.pollInterval
	}
	cmd, err := s.Wait(ctx, c.org, device, id, opts)
	if progress && polls > 0 {
		fmt.Fprint(c.stderr, "\r\x1b[K") // the progress line goes; the result stays
	}
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

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// byID is a verb on one command, named by --command: cancel or get.
func byID(call func(*applivery.AndroidCommandsService, context.Context, string, string, string) (*applivery.Command, error)) verb {
	return func(c *cli, flags *flag.FlagSet) func(context.Context, *applivery.Client) error {
		id := flags.String("command", "", "command ID (24 hex digits)")
		return func(ctx context.Context, client *applivery.Client) error {
			s := client.AndroidCommands
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

// readLine reads the first line of r, without its line ending, byte by
// byte: nothing after the line is consumed, so that what follows it on the
// same stream stays there for whoever reads next.
func readLine(r io.Reader) (string, error) {
	var line []byte
	b := make([]byte, 1)
	for {
		n, err := r.Read(b)
		if n == 1 {
			if b[0] == '\n' {
				break
			}
			line = append(line, b[0])
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", err
		}
	}
	return strings.TrimRight(string(line), "\r"), nil
}

func nonNil(ids []string) []string {
	if ids == nil {
		return []string{}
	}
	return ids
}
