// The downstream command demonstrates a service built on the applivery SDK,
// and, in main_test.go, how such a service tests its own code with
// appliverytest: the happy path, retries, a lost answer and an outage.
//
// Fleet.ReportLost puts a lost device in lost mode. When the API's answer is
// lost, it looks for the command before creating a second one: the SDK never
// repeats a Create whose outcome is unknown, and says so with
// applivery.ErrOutcomeUnknown.
//
//	go run ./examples/downstream -device pixel8_0042 -phone +1-555-0123
//
// With APPLIVERY_API_KEY set it works on the Applivery API (-org is then
// required); without, on an in-process demo server that holds the device
// named by -device.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"time"

	"github.com/applivery/applivery-go"
	"github.com/applivery/applivery-go/appliverytest"
)

// Fleet secures the lost devices of one organization.
type Fleet struct {
	Commands     *applivery.AndroidCommandsService
	Organization string
}

// ReportLost starts lost mode on a device, with a message and a phone number
// to call, and returns the command.
func (f *Fleet) ReportLost(ctx context.Context, device, phone string) (*applivery.Command, error) {
	cmd, err := f.Commands.Create(ctx, f.Organization, device, &applivery.CreateCommandRequest{
		Type: applivery.CommandTypeStartLostMode,
		StartLostMode: &applivery.StartLostModeParams{
			LostMessage:     &applivery.UserFacingMessage{DefaultMessage: "This device is lost. Please call " + phone + "."},
			LostPhoneNumber: &applivery.UserFacingMessage{DefaultMessage: phone},
		},
	})
	if errors.Is(err, applivery.ErrOutcomeUnknown) {
		// The command may exist: find it rather than send a second one.
		if found, findErr := f.pending(ctx, device, applivery.CommandTypeStartLostMode); findErr == nil && found != nil {
			return found, nil
		}
	}
	if err != nil {
		return nil, fmt.Errorf("reporting %s lost: %w", device, err)
	}
	return cmd, nil
}

// pending returns the device's newest pending command of type typ, or nil.
func (f *Fleet) pending(ctx context.Context, device string, typ applivery.CommandType) (*applivery.Command, error) {
	var found *applivery.Command
	for cmd, err := range f.Commands.ListAll(ctx, f.Organization, device, &applivery.ListCommandsOptions{Sort: "createdAt:desc"}) {
		if err != nil {
			return nil, err
		}
		if cmd.Status == applivery.CommandStatusPending && cmd.Type() == typ {
			found = cmd
			break
		}
	}
	return found, nil
}

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("downstream", flag.ContinueOnError)
	flags.SetOutput(stderr)
	org := flags.String("org", "acme-fleet", "organization ID or slug")
	device := flags.String("device", "pixel8_0042", "device ID, serial number or IMEI")
	phone := flags.String("phone", "+1-555-0123", "phone number to show on the device")
	if err := flags.Parse(args); err != nil {
		return 2
	}

	var (
		client *applivery.Client
		err    error
	)
	if os.Getenv("APPLIVERY_API_KEY") != "" {
		client, err = applivery.NewClientFromEnv(applivery.WithUserAgent("downstream-example"))
	} else {
		fmt.Fprintln(stdout, "APPLIVERY_API_KEY is not set: running against an embedded demo server.")
		srv := appliverytest.NewServer()
		defer srv.Close()
		register(srv, *org, *device) // like the API, the demo server knows only its devices
		client, err = srv.NewClient(applivery.WithUserAgent("downstream-example"))
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}

	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	fleet := &Fleet{Commands: client.AndroidCommands, Organization: *org}
	cmd, err := fleet.ReportLost(ctx, *device, *phone)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	fmt.Fprintf(stdout, "Device %s is being put in lost mode: command %s, %s.\n", *device, cmd.ID, cmd.Status)
	return 0
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
