package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/applivery/applivery-go"
	"github.com/applivery/applivery-go/appliverytest"
)

// The demo's organization, its featured device and that device's serial
// number.
const (
	demoOrg    = "acme-fleet"
	demoDevice = "pixel8_0042"
	demoSerial = "R58M123"
)

// demoApplyAfter is how long the demo's online devices take to apply a
// command.
const demoApplyAfter = 3 * time.Second

// demoUsage is the help of "applivery demo".
const demoUsage = `Usage: applivery demo

Serves a fake Applivery API on loopback, seeded with a small fleet: 36
Android devices in three sites, tagged kiosk or field, four of them lost
(offline, tagged lost) with pending commands, three Macs and iPads, and
three MDM users to make enrollment tokens for. It prints the environment and the
commands to try against it in another terminal, with no account. Online
devices apply a command 3 seconds after it is created, so create --wait
and the fleet runs finish; a lost device applies nothing, so its commands
stay pending until canceled. It serves until interrupted (Ctrl-C).
`

// demoFleet seeds srv with the demo's fleet and returns the commands to
// show: the featured device's pending commands (the newest first) and an
// online kiosk's serial number.
func demoFleet(srv *appliverytest.Server) (featured applivery.Device, pending []string, kiosk string) {
	sites := []string{"berlin", "madrid", "lisbon"}
	for i := range 35 {
		tags := []string{sites[i%3], "kiosk"}
		if i%4 == 3 {
			tags[1] = "field"
		}
		lost := i%9 == 8 // three of them, in lisbon; the featured device is the fourth
		if lost {
			tags = append(tags, "lost")
		}
		serial := fmt.Sprintf("R58M%04d", 1000+i)
		raw, _ := json.Marshal(map[string]any{"serialNumber": serial, "tags": tags, "segmentId": 1 + i%3})
		srv.AddDevice(demoOrg, applivery.Device{
			MDMUser: &applivery.DeviceUser{ID: fmt.Sprintf("60b7c8d9e0f1a2b3c4d5%04x", i), Email: fmt.Sprintf("user%02d@acme.example", i)},
			Policy:  &applivery.DevicePolicy{ID: "62c1d2e3f4a5b6c7d8e9f0a1", Name: "Kiosk"},
			Raw:     raw,
		}, serial)
		if lost {
			srv.SetOffline(demoOrg, serial, true)
			demoCommand(srv, serial, applivery.CommandTypeStartLostMode, applivery.CommandStatusPending, time.Hour)
		}
		if kiosk == "" && !lost && tags[1] == "kiosk" {
			kiosk = serial
		}
	}

	for i, name := range []string{"Ana's MacBook", "Front desk iPad", "Lab iMac"} {
		serial := fmt.Sprintf("C02XK%04dJGH5", i)
		raw, _ := json.Marshal(map[string]any{"serialNumber": serial, "displayName": name, "tags": []string{sites[i%3]}})
		srv.AddAppleDevice(demoOrg, applivery.AppleDevice{DisplayName: name, Tags: []string{sites[i%3]}, Raw: raw}, serial)
	}

	// The featured device is lost too: its pending commands wait to be
	// canceled, and a DONE and a CANCEL one show what ended.
	featured = srv.AddDevice(demoOrg, applivery.Device{
		MDMUser: &applivery.DeviceUser{ID: demoUserID, Email: "ana@acme.example"},
		Policy:  &applivery.DevicePolicy{ID: "62c1d2e3f4a5b6c7d8e9f0a1", Name: "Kiosk"},
		Raw:     json.RawMessage(`{"serialNumber":"` + demoSerial + `","tags":["kiosk","berlin","lost"],"segmentId":4}`),
	}, demoDevice, demoSerial)
	srv.SetOffline(demoOrg, demoDevice, true)
	demoUsers(srv)
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
		cmd := demoCommand(srv, demoDevice, seed.typ, seed.status, seed.age)
		if seed.status == applivery.CommandStatusPending {
			pending = append(pending, cmd.ID)
		}
	}
	return featured, pending, kiosk
}

// demoUsers seeds the MDM users: the featured device's and two more, to
// onboard.
func demoUsers(srv *appliverytest.Server) {
	for _, u := range []applivery.User{
		{ID: demoUserID, Email: "ana@acme.example", Name: "Ana", Tags: []string{"berlin"}, Language: "es"},
		{Email: "bo@acme.example", Name: "Bo", Tags: []string{"madrid"}, Language: "en"},
		{Email: "cy@acme.example", Name: "Cy", Tags: []string{"lisbon", "field"}, Language: "pt"},
	} {
		srv.AddUser(demoOrg, u)
	}
}

// demoUserID is the ID of the featured device's user.
const demoUserID = "60b7c8d9e0f1a2b3c4d5e6f7"

// demoCommand seeds a command of the device, created age ago.
func demoCommand(srv *appliverytest.Server, device string, typ applivery.CommandType, status applivery.CommandStatus, age time.Duration) applivery.Command {
	at := time.Now().Add(-age).UTC().Truncate(time.Second)
	return srv.AddCommand(demoOrg, device, applivery.Command{
		Status:    status,
		Config:    applivery.CommandConfig{Metadata: applivery.CommandMetadata{Type: typ, Duration: "3600s"}, Done: status == applivery.CommandStatusDone},
		CreatedAt: at,
		UpdatedAt: at,
	})
}

// demo serves the fake API (appliverytest) on loopback, seeded with a small
// fleet, prints how to point the CLI at it, and serves until ctx ends
// (Ctrl-C).
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
	srv.ApplyAfter(cmp.Or(a.demoDelay, demoApplyAfter))
	dev, pending, kiosk := demoFleet(srv)
	org := "--org " + demoOrg
	device := org + " --device " + demoDevice
	fmt.Fprintf(a.stdout, `A fake Applivery API is serving on %s, with a fleet of 36 Android
devices, 3 Apple ones and 3 MDM users of organization %s. Device %s (serial number %s, id %s) is lost, with
pending commands; the online devices apply a command %s after it is created.
In another terminal:

  export APPLIVERY_BASE_URL=%s APPLIVERY_API_KEY=%s
  applivery android devices list    %s --tag berlin
  applivery android devices get     %s --device %s
  applivery android commands list   %s
  applivery android commands get    %s --command %s
  applivery android commands cancel %s --command %s
  applivery android commands create %s --device %s --type REBOOT --wait
  applivery android commands cancel-pending %s --all-devices --tag lost --dry-run
  applivery android commands cancel-pending %s --all-devices --tag lost --output json
  applivery android commands create %s --all-devices --tag madrid --type LOCK --wait --rate 10
  applivery android devices move    %s --device %s --segment 7
  applivery devices find C02XK0000JGH5 %s
  applivery apple devices list %s
  applivery apple commands create %s --device C02XK0001JGH5 --type DeviceLock
  applivery users list %s
  applivery android enrollment-tokens create %s --mode DEVICE_OWNER --user %s

Serving until interrupted (Ctrl-C).
`, srv.URL, demoOrg, demoDevice, demoSerial, dev.ID, cmp.Or(a.demoDelay, demoApplyAfter), srv.URL, srv.APIKey,
		org, org, demoSerial, device, device, pending[1], device, pending[0], org, kiosk, org, org, org, org, dev.ID, org, org, org, org, org, demoUserID)
	<-ctx.Done()
	fmt.Fprintln(a.stdout, "Stopped.")
	return nil
}
