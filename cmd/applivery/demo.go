package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/applivery/applivery-go"
	"github.com/applivery/applivery-go/appliverytest"
)

// The demo's organization and device, and the device's serial number.
const (
	demoOrg    = "acme-fleet"
	demoDevice = "pixel8_0042"
	demoSerial = "R58M123"
)

// demoUsage is the help of "applivery demo".
const demoUsage = `Usage: applivery demo

Serves a fake Applivery API on loopback, seeded with a small fleet of
devices and some of their commands, and prints the environment and the
commands to try against it in another terminal, with no account. The fake
applies commands a few seconds after they are created, as online devices
do. It serves until interrupted (Ctrl-C).
`

// demo serves the fake API (appliverytest) on loopback, seeded with a
// device's commands, prints how to point the CLI at it, and serves until ctx
// ends (Ctrl-C).
func (a *app) demo(ctx context.Context, args []string) error {
	if len(args) == 1 && slices.Contains([]string{"-h", "-help", "--help", "help"}, args[0]) {
		fmt.Fprint(a.stdout, demoUsage)
		return nil
	}
	if len(args) > 0 {
		return &usageError{fmt.Sprintf("demo takes no arguments, got %q", strings.Join(args, " "))}
	}
	srv := appliverytest.NewServer()
	defer srv.Close()
	dev := srv.AddDevice(demoOrg, applivery.Device{
		MDMUser: &applivery.DeviceUser{ID: "60b7c8d9e0f1a2b3c4d5e6f7", Email: "ana@acme.example"},
		Policy:  &applivery.DevicePolicy{ID: "62c1d2e3f4a5b6c7d8e9f0a1", Name: "Kiosk"},
		Raw:     json.RawMessage(`{"serialNumber":"` + demoSerial + `","tags":["kiosk","berlin"],"segmentId":4}`),
	}, demoDevice, demoSerial)
	var pending []string
	for _, seed := range []struct {
		typ    applivery.CommandType
		status applivery.CommandStatus
		age    time.Duration
	}{
		{applivery.CommandTypeLock, applivery.CommandStatusPending, time.Minute},
		{applivery.CommandTypeReboot, applivery.CommandStatusPending, 2 * time.Minute},
		{applivery.CommandTypeClearAppData, applivery.CommandStatusDone, time.Hour},
		{applivery.CommandTypeStartLostMode, applivery.CommandStatusCanceled, 24 * time.Hour},
	} {
		at := time.Now().Add(-seed.age).UTC().Truncate(time.Second)
		cmd := srv.AddCommand(demoOrg, demoDevice, applivery.Command{
			Status:    seed.status,
			Config:    applivery.CommandConfig{Metadata: applivery.CommandMetadata{Type: seed.typ, Duration: "3600s"}, Done: seed.status == applivery.CommandStatusDone},
			CreatedAt: at,
			UpdatedAt: at,
		})
		if seed.status == applivery.CommandStatusPending {
			pending = append(pending, cmd.ID)
		}
	}
	device := "--org " + demoOrg + " --device " + demoDevice
	fmt.Fprintf(a.stdout, `A fake Applivery API is serving on %s, with device %s
(serial number %s, id %s) of organization %s and four of its commands.
In another terminal:

  export APPLIVERY_BASE_URL=%s APPLIVERY_API_KEY=%s
  applivery android devices list    --org %s --tag kiosk
  applivery android devices get     --org %s --device %s
  applivery android commands list   %s
  applivery android commands get    %s --command %s
  applivery android commands cancel %s --command %s
  applivery android commands create %s --type REBOOT --output json
  applivery android devices move    --org %s --device %s --segment 7

Serving until interrupted (Ctrl-C).
`, srv.URL, demoDevice, demoSerial, dev.ID, demoOrg, srv.URL, srv.APIKey,
		demoOrg, demoOrg, demoSerial, device, device, pending[1], device, pending[0], device, demoOrg, dev.ID)
	<-ctx.Done()
	fmt.Fprintln(a.stdout, "Stopped.")
	return nil
}
