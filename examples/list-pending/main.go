// The list-pending command demonstrates walking all of a device's commands
// with ListAll, page after page, and canceling the ones still pending.
//
// With APPLIVERY_API_KEY set, it works on the device named by its flags, on
// the Applivery API (or on APPLIVERY_BASE_URL, when set):
//
//	go run ./examples/list-pending -org ORG -device DEVICE [-dry-run]
//
// Without a key, it says so, starts an in-process demo server
// (appliverytest), seeds seven commands there, and walks them three to a page.
//
// The exit status is 1 when a call fails (a command that stopped being
// pending in the meantime is not a failure), 2 for bad flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"time"

	"github.com/applivery/applivery-go"
	"github.com/applivery/applivery-go/appliverytest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("list-pending", flag.ContinueOnError)
	flags.SetOutput(stderr)
	org := flags.String("org", "", "organization ID or slug (demo default: acme-fleet)")
	device := flags.String("device", "", "device ID, serial number or IMEI (demo default: pixel8_0042)")
	limit := flags.Int("limit", 0, "commands per page (default: the server's; demo: 3)")
	dryRun := flags.Bool("dry-run", false, "list the pending commands without canceling them")
	timeout := flags.Duration("timeout", 2*time.Minute, "time allowed for the whole run")
	if err := flags.Parse(args); err != nil {
		return 2
	}

	var (
		client *applivery.Client
		err    error
	)
	if os.Getenv("APPLIVERY_API_KEY") != "" {
		client, err = applivery.NewClientFromEnv(applivery.WithUserAgent("list-pending-example"))
	} else {
		fmt.Fprintln(stdout, "APPLIVERY_API_KEY is not set: running against an embedded demo server.")
		srv := appliverytest.NewServer()
		defer srv.Close()
		if *org == "" {
			*org = "acme-fleet"
		}
		if *device == "" {
			*device = "pixel8_0042"
		}
		if *limit == 0 {
			*limit = 3
		}
		seed(srv, *org, *device)
		client, err = srv.NewClient(applivery.WithUserAgent("list-pending-example"))
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}

	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	var (
		listed, pending, canceled, notPending, failed int
		left                                          = map[applivery.CommandStatus]int{}
	)
	for cmd, err := range client.AndroidCommands.ListAll(ctx, *org, *device, &applivery.ListCommandsOptions{Limit: *limit}) {
		if err != nil {
			fmt.Fprintln(stderr, err)
			failed++
			break
		}
		listed++
		line := fmt.Sprintf("  %s  %-20s %s", cmd.ID, cmd.Type(), cmd.Status)
		if cmd.Status != applivery.CommandStatusPending {
			left[cmd.Status]++
			fmt.Fprintln(stdout, line)
			continue
		}
		pending++
		switch {
		case *dryRun:
			fmt.Fprintln(stdout, line+" -> would cancel")
		default:
			_, err := client.AndroidCommands.Cancel(ctx, *org, *device, cmd.ID)
			switch {
			case err == nil:
				canceled++
				fmt.Fprintln(stdout, line+" -> canceled")
			case errors.Is(err, applivery.ErrCommandNotPending):
				notPending++
				fmt.Fprintln(stdout, line+" -> no longer pending")
			default:
				failed++
				fmt.Fprintln(stdout, line+" -> failed")
				fmt.Fprintln(stderr, err)
			}
		}
	}

	fmt.Fprintf(stdout, "Listed %d commands of device %s, %d pending: ", listed, *device, pending)
	if *dryRun {
		fmt.Fprint(stdout, "none canceled (dry run)")
	} else {
		fmt.Fprintf(stdout, "canceled %d", canceled)
	}
	if notPending > 0 {
		fmt.Fprintf(stdout, ", %d no longer pending", notPending)
	}
	if failed > 0 {
		fmt.Fprintf(stdout, ", %d failed", failed)
	}
	fmt.Fprintf(stdout, "; the others: %s.\n", describe(left))
	if failed > 0 {
		return 1
	}
	return 0
}

// seed stores seven commands on the demo device, four of them pending.
func seed(srv *appliverytest.Server, org, device string) {
	start := time.Now().Add(-time.Hour)
	for i, c := range []struct {
		typ    applivery.CommandType
		status applivery.CommandStatus
	}{
		{applivery.CommandTypeLock, applivery.CommandStatusDone},
		{applivery.CommandTypeReboot, applivery.CommandStatusPending},
		{applivery.CommandTypeResetPassword, applivery.CommandStatusPending},
		{applivery.CommandTypeStartLostMode, applivery.CommandStatusCanceled},
		{applivery.CommandTypeAddEsim, applivery.CommandStatusPending},
		{applivery.CommandTypeClearAppData, applivery.CommandStatusDone},
		{applivery.CommandTypeRemoveEsim, applivery.CommandStatusPending},
	} {
		srv.AddCommand(org, device, applivery.Command{
			Status:    c.status,
			Config:    applivery.CommandConfig{Metadata: applivery.CommandMetadata{Type: c.typ}},
			CreatedAt: start.Add(time.Duration(i) * time.Minute),
		})
	}
}

// describe reads a count per status as "2 DONE, 1 CANCEL", or "none".
func describe(counts map[applivery.CommandStatus]int) string {
	if len(counts) == 0 {
		return "none"
	}
	var parts []string
	for status, n := range counts {
		parts = append(parts, fmt.Sprintf("%d %s", n, status))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}
