// The lock-by-serial command finds a device by the serial number on its
// label, whatever its platform, and locks it with that platform's command:
// LOCK for an Android device, DeviceLock for an Apple one. It is the job a
// help desk runs when a laptop or a phone is reported lost.
//
// With APPLIVERY_API_KEY set, it works on the Applivery API (or on
// APPLIVERY_BASE_URL, when set):
//
//	go run ./examples/lock-by-serial -org ORG -serial SERIAL
//
// Without a key, it says so and runs against an in-process demo server
// (appliverytest) that holds an Android phone (serial R58M123) and a Mac
// (serial C02XK0AAJGH5), so it runs anywhere with no account:
//
//	go run ./examples/lock-by-serial -serial C02XK0AAJGH5
//
// A lock is never sent twice: when the call fails after the server may have
// queued it, the program says so and exits 1 without trying again. The exit
// status is 0 when the lock was queued, 1 when the device was not found or
// a call failed, 2 for bad flags.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
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
	flags := flag.NewFlagSet("lock-by-serial", flag.ContinueOnError)
	flags.SetOutput(stderr)
	org := flags.String("org", "acme-fleet", "organization ID or slug")
	serial := flags.String("serial", "R58M123", "the device's serial number")
	timeout := flags.Duration("timeout", 30*time.Second, "time allowed for the whole job")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	client, closeDemo, err := newClient(getenv, stdout, *org)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	defer closeDemo()

	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	dev, err := find(ctx, client, *org, *serial)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	fmt.Fprintf(stdout, "Device %s is %s device %s.\n", *serial, dev.Type, dev.ID)
	id, err := lock(ctx, client, *org, dev)
	if errors.Is(err, applivery.ErrOutcomeUnknown) {
		fmt.Fprintf(stderr, "The lock may have been queued: look at the device's commands before sending it again.\n%v\n", err)
		return 1
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	fmt.Fprintf(stdout, "Lock queued: command %s.\n", id)
	return 0
}

// newClient returns a client of the API when APPLIVERY_API_KEY is set, else
// of an embedded demo server, with the function that closes it.
func newClient(getenv func(string) string, stdout io.Writer, org string) (*applivery.Client, func(), error) {
	if key := getenv("APPLIVERY_API_KEY"); key != "" {
		opts := []applivery.Option{applivery.WithUserAgent("lock-by-serial-example")}
		if base := getenv("APPLIVERY_BASE_URL"); base != "" {
			opts = append(opts, applivery.WithBaseURL(base))
		}
		client, err := applivery.NewClient(key, opts...)
		return client, func() {}, err
	}
	fmt.Fprintln(stdout, "APPLIVERY_API_KEY is not set: running against an embedded demo server.")
	srv := appliverytest.NewServer()
	seed(srv, org)
	client, err := srv.NewClient(applivery.WithUserAgent("lock-by-serial-example"))
	return client, srv.Close, err
}

// find returns the one device of the organization with the serial number,
// whatever its platform.
func find(ctx context.Context, client *applivery.Client, org, serial string) (*applivery.MDMDevice, error) {
	var found []*applivery.MDMDevice
	for dev, err := range client.Devices.ListAll(ctx, org, &applivery.ListMDMDevicesOptions{SerialNumber: serial}) {
		if err != nil {
			return nil, err
		}
		found = append(found, dev)
	}
	switch len(found) {
	case 0:
		return nil, fmt.Errorf("no device with serial number %s in organization %s", serial, org)
	case 1:
		return found[0], nil
	}
	return nil, fmt.Errorf("%d devices have serial number %s: lock the one you mean by its id", len(found), serial)
}

// lock queues the platform's lock command for the device and returns its
// ID.
func lock(ctx context.Context, client *applivery.Client, org string, dev *applivery.MDMDevice) (string, error) {
	switch dev.Type {
	case "android":
		cmd, err := client.AndroidCommands.Create(ctx, org, dev.ID, &applivery.CreateCommandRequest{Type: applivery.CommandTypeLock})
		if err != nil {
			return "", err
		}
		return cmd.ID, nil
	case "apple":
		cmds, err := client.AppleCommands.Create(ctx, org, applivery.AppleTargetDevice, &applivery.CreateAppleCommandRequest{
			RequestType: "DeviceLock",
			Params:      map[string]any{"Message": "This Mac was reported lost. Please call +1-555-0123."},
			TargetIDs:   []string{dev.ID},
		})
		if err != nil {
			return "", err
		}
		return cmds[0].ID, nil
	}
	return "", fmt.Errorf("device %s is a %q device: this program locks Android and Apple devices", dev.ID, dev.Type)
}

// seed gives the demo server an Android phone and a Mac.
func seed(srv *appliverytest.Server, org string) {
	srv.AddDevice(org, applivery.Device{
		Raw: json.RawMessage(`{"serialNumber":"R58M123","tags":["kiosk"]}`),
	}, "R58M123")
	srv.AddAppleDevice(org, applivery.AppleDevice{
		DisplayName: "Ana's MacBook",
		Raw:         json.RawMessage(`{"serialNumber":"C02XK0AAJGH5","displayName":"Ana's MacBook"}`),
	}, "C02XK0AAJGH5")
}
