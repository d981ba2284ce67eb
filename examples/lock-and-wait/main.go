// The lock-and-wait command locks a device and waits until the device has
// applied the lock, printing each poll.
//
// With APPLIVERY_API_KEY set, it locks the device named by its flags on the
// Applivery API (or on APPLIVERY_BASE_URL, when set) and polls with the
// SDK's default intervals (2 s, doubling to 1 min):
//
//	go run ./examples/lock-and-wait -org ORG -device DEVICE [-timeout 10m]
//
// Without a key, it says so and runs against an in-process demo server
// (appliverytest) that holds the device named by -device and applies each
// command a second after it is created, polling every 200 ms or so, so it
// runs anywhere with no account.
//
// The exit status is 0 when the device applied the lock, 1 when it did not
// (canceled, still pending when the time ran out, or an error), 2 for bad
// flags.
package main

import (
	"context"
	"errors"
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
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("lock-and-wait", flag.ContinueOnError)
	flags.SetOutput(stderr)
	org := flags.String("org", "acme-fleet", "organization ID or slug")
	device := flags.String("device", "pixel8_0042", "device ID, serial number or IMEI")
	timeout := flags.Duration("timeout", 10*time.Minute, "time allowed to lock and wait")
	if err := flags.Parse(args); err != nil {
		return 2
	}

	var (
		client *applivery.Client
		err    error
		opts   = &applivery.WaitOptions{} // the SDK's default intervals
	)
	if key := getenv("APPLIVERY_API_KEY"); key != "" {
		clientOpts := []applivery.Option{applivery.WithUserAgent("lock-and-wait-example")}
		if base := getenv("APPLIVERY_BASE_URL"); base != "" {
			clientOpts = append(clientOpts, applivery.WithBaseURL(base))
		}
		client, err = applivery.NewClient(key, clientOpts...)
	} else {
		fmt.Fprintln(stdout, "APPLIVERY_API_KEY is not set: running against an embedded demo server,")
		fmt.Fprintln(stdout, "whose device applies each command a second after it is created.")
		srv := appliverytest.NewServer()
		defer srv.Close()
		register(srv, *org, *device) // like the API, the demo server knows only its devices
		srv.ApplyAfter(time.Second)
		opts.MinInterval, opts.MaxInterval = 200*time.Millisecond, 400*time.Millisecond
		client, err = srv.NewClient(applivery.WithUserAgent("lock-and-wait-example"))
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}

	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	cmd, err := client.AndroidCommands.Create(ctx, *org, *device, &applivery.CreateCommandRequest{
		Type:     applivery.CommandTypeLock,
		Duration: "3600s",
	})
	if err != nil {
		// ErrOutcomeUnknown says the lock may exist all the same: do not
		// send it again blindly.
		fmt.Fprintln(stderr, err)
		return 1
	}
	fmt.Fprintf(stdout, "Created %s command %s on device %s.\n", cmd.Type(), cmd.ID, *device)

	start, polls := time.Now(), 0
	opts.OnPoll = func(c *applivery.Command) {
		polls++
		fmt.Fprintf(stdout, "  poll %d after %s: %s\n", polls, time.Since(start).Round(100*time.Millisecond), c.Status)
	}
	cmd, err = client.AndroidCommands.Wait(ctx, *org, *device, cmd.ID, opts)
	switch {
	case errors.Is(err, applivery.ErrStillPending):
		fmt.Fprintf(stderr, "The device has not applied the lock yet (%d polls): %v\n", polls, err)
		return 1
	case err != nil:
		fmt.Fprintln(stderr, err)
		return 1
	case cmd.Status == applivery.CommandStatusDone:
		fmt.Fprintf(stdout, "The device applied the lock after %d poll%s.\n", polls, map[bool]string{true: "", false: "s"}[polls == 1])
		return 0
	case cmd.Status == applivery.CommandStatusCanceled:
		fmt.Fprintln(stderr, "The lock was canceled before the device applied it.")
		return 1
	}
	fmt.Fprintf(stderr, "The lock ended as %s.\n", cmd.Status)
	return 1
}

// register makes the demo server hold the device: by its id when it is one
// (24 hex digits), else as its serial number. A name the API could not hold
// is left out, for the SDK's own check to report.
func register(srv *appliverytest.Server, org, device string) {
	switch {
	case !matches(applivery.OrganizationIDPattern, org):
	case matches(applivery.ObjectIDPattern, device):
		srv.AddDevice(org, applivery.Device{ID: device})
	case matches(applivery.DeviceIDPattern, device):
		srv.AddDevice(org, applivery.Device{}, device)
	}
}

// matches reports whether s matches the documented pattern.
func matches(pattern, s string) bool { return regexp.MustCompile(pattern).MatchString(s) }
