// The find-device command finds a device by its serial number (or IMEI, or
// id) and lists its pending commands: the first step of any job that starts
// from what is printed on a device's label.
//
// With APPLIVERY_API_KEY set, it looks the device up on the Applivery API
// (or on APPLIVERY_BASE_URL, when set):
//
//	go run ./examples/find-device -org ORG -serial SERIAL
//
// Without a key, it says so and runs against an in-process demo server
// (appliverytest) that holds a device with serial number R58M123 and a few
// of its commands, so it runs anywhere with no account.
//
// The exit status is 0 when the device was found, 1 when it was not or a
// call failed, 2 for bad flags.
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
	flags := flag.NewFlagSet("find-device", flag.ContinueOnError)
	flags.SetOutput(stderr)
	org := flags.String("org", "acme-fleet", "organization ID or slug")
	serial := flags.String("serial", "R58M123", "the device's serial number, IMEI or id")
	timeout := flags.Duration("timeout", 30*time.Second, "time allowed for the whole job")
	if err := flags.Parse(args); err != nil {
		return 2
	}

	var (
		client *applivery.Client
		err    error
	)
	if key := getenv("APPLIVERY_API_KEY"); key != "" {
		opts := []applivery.Option{applivery.WithUserAgent("find-device-example")}
		if base := getenv("APPLIVERY_BASE_URL"); base != "" {
			opts = append(opts, applivery.WithBaseURL(base))
		}
		client, err = applivery.NewClient(key, opts...)
	} else {
		fmt.Fprintln(stdout, "APPLIVERY_API_KEY is not set: running against an embedded demo server.")
		srv := appliverytest.NewServer()
		defer srv.Close()
		seed(srv, *org)
		client, err = srv.NewClient(applivery.WithUserAgent("find-device-example"))
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}

	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	dev, err := client.AndroidDevices.Get(ctx, *org, *serial)
	if errors.Is(err, applivery.ErrNotFound) {
		fmt.Fprintf(stderr, "No device %s in organization %s.\n", *serial, *org)
		return 1
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	fmt.Fprintf(stdout, "Device %s is %s", *serial, dev.ID)
	if dev.MDMUser != nil {
		fmt.Fprintf(stdout, ", used by %s", dev.MDMUser.Email)
	}
	if dev.Policy != nil {
		fmt.Fprintf(stdout, ", under policy %q", dev.Policy.Name)
	}
	fmt.Fprintln(stdout, ".")
	// What the SDK does not type is in Raw.
	var extra struct {
		Tags []string `json:"tags"`
	}
	if json.Unmarshal(dev.Raw, &extra) == nil && len(extra.Tags) > 0 {
		fmt.Fprintf(stdout, "Tags: %v\n", extra.Tags)
	}

	pending := 0
	for cmd, err := range client.AndroidCommands.ListAll(ctx, *org, dev.ID, nil) {
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		if cmd.Status != applivery.CommandStatusPending {
			continue
		}
		pending++
		fmt.Fprintf(stdout, "  pending %s %s, since %s\n", cmd.Type(), cmd.ID, cmd.CreatedAt.Format(time.RFC3339))
	}
	fmt.Fprintf(stdout, "%d pending command(s).\n", pending)
	return 0
}

// seed fills the demo server: a device known by its serial number, and
// commands, two of them pending, created through its serial number and its
// id alike (the API finds a device by either).
func seed(srv *appliverytest.Server, org string) {
	dev := srv.AddDevice(org, applivery.Device{
		MDMUser: &applivery.DeviceUser{ID: "60b7c8d9e0f1a2b3c4d5e6f7", Email: "ana@acme.example"},
		Policy:  &applivery.DevicePolicy{ID: "62c1d2e3f4a5b6c7d8e9f0a1", Name: "Kiosk"},
		Raw:     json.RawMessage(`{"serialNumber":"R58M123","tags":["kiosk","berlin"]}`),
	}, "R58M123", "356938035643809")
	at := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	for i, c := range []struct {
		device string
		typ    applivery.CommandType
		status applivery.CommandStatus
	}{
		{"R58M123", applivery.CommandTypeLock, applivery.CommandStatusPending},
		{dev.ID, applivery.CommandTypeReboot, applivery.CommandStatusPending},
		{"R58M123", applivery.CommandTypeClearAppData, applivery.CommandStatusDone},
	} {
		t := at.Add(time.Duration(i) * time.Minute)
		srv.AddCommand(org, c.device, applivery.Command{Status: c.status, CreatedAt: t, UpdatedAt: t,
			Config: applivery.CommandConfig{Metadata: applivery.CommandMetadata{Type: c.typ}}})
	}
}
