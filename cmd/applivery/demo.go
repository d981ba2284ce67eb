package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/applivery/applivery-go"
	"github.com/applivery/applivery-go/appliverytest"
)

// The demo's organization and device.
const (
	demoOrg    = "acme-fleet"
	demoDevice = "pixel8_0042"
)

// demo serves the fake API (appliverytest) on loopback, seeded with a
// device's commands, prints how to point the CLI at it, and serves until ctx
// ends (Ctrl-C).
func (a *app) demo(ctx context.Context, args []string) error {
	if len(args) > 0 {
		return &usageError{fmt.Sprintf("demo takes no arguments, got %q", strings.Join(args, " "))}
	}
	srv := appliverytest.NewServer()
	defer srv.Close()
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
	fmt.Fprintf(a.stdout, `A fake Applivery API is serving on %s, with device %s of
organization %s and four of its commands. In another terminal:

  export APPLIVERY_BASE_URL=%s APPLIVERY_API_KEY=%s
  applivery android commands list   %s
  applivery android commands get    %s --command %s
  applivery android commands cancel %s --command %s
  applivery android commands create %s --type REBOOT --output json

Serving until interrupted (Ctrl-C).
`, srv.URL, demoDevice, demoOrg, srv.URL, srv.APIKey, device, device, pending[1], device, pending[0], device)
	<-ctx.Done()
	fmt.Fprintln(a.stdout, "Stopped.")
	return nil
}
