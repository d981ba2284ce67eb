// The cancel-command command demonstrates canceling a pending Android
// Enterprise command with the applivery SDK.
//
// With APPLIVERY_API_KEY set, it cancels the command named by its flags on
// the Applivery API (or on APPLIVERY_BASE_URL, when set):
//
//	go run ./examples/cancel-command -org ORG -device DEVICE -command COMMAND
//
// Without a key, it says so, starts an in-process demo server
// (appliverytest), seeds a pending LOCK command there and cancels it through
// the SDK, so it runs anywhere with no account.
//
// Errors are printed as the SDK reports them, and the exit status is 1 (2 for
// bad flags).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
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
	flags := flag.NewFlagSet("cancel-command", flag.ContinueOnError)
	flags.SetOutput(stderr)
	org := flags.String("org", "", "organization ID or slug (demo default: acme-fleet)")
	device := flags.String("device", "", "device ID, serial number or IMEI (demo default: pixel8_0042)")
	command := flags.String("command", "", "ID of the pending command, 24 hex digits (demo: generated)")
	timeout := flags.Duration("timeout", 30*time.Second, "time allowed for the whole call, retries included")
	if err := flags.Parse(args); err != nil {
		return 2
	}

	var (
		client *applivery.Client
		err    error
	)
	if os.Getenv("APPLIVERY_API_KEY") != "" {
		client, err = applivery.NewClientFromEnv(applivery.WithUserAgent("cancel-command-example"))
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
		// Seed only what the API could hold: with an invalid ID, the SDK's
		// own check reports it below, and nothing is sent.
		if matches(applivery.OrganizationIDPattern, *org) && matches(applivery.DeviceIDPattern, *device) &&
			(*command == "" || matches(applivery.CommandIDPattern, *command)) {
			seeded := srv.AddCommand(*org, *device, applivery.Command{
				ID:     *command,
				Config: applivery.CommandConfig{Metadata: applivery.CommandMetadata{Type: applivery.CommandTypeLock, Duration: "3600s"}},
			})
			*command = seeded.ID
			fmt.Fprintf(stdout, "Seeded pending %s command %s on device %s.\n", seeded.Type(), seeded.ID, *device)
		}
		client, err = srv.NewClient(applivery.WithUserAgent("cancel-command-example"))
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}

	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	cmd, err := client.AndroidCommands.Cancel(ctx, *org, *device, *command)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	fmt.Fprintf(stdout, "Canceled command %s\n", cmd.ID)
	fmt.Fprintf(stdout, "  device:  %s (organization %s)\n", *device, *org)
	fmt.Fprintf(stdout, "  type:    %s\n", cmd.Type())
	fmt.Fprintf(stdout, "  status:  %s\n", cmd.Status)
	if !cmd.UpdatedAt.IsZero() {
		fmt.Fprintf(stdout, "  updated: %s\n", cmd.UpdatedAt.Format(time.RFC3339))
	}
	return 0
}

// matches reports whether s matches the documented pattern.
func matches(pattern, s string) bool { return regexp.MustCompile(pattern).MatchString(s) }
