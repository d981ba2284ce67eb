package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"

	"github.com/applivery/applivery-go"
)

// The commands of "applivery devices": every platform at once.

// mdmDeviceFlags are the flags of the cross-platform list's filters, by the
// API's name for each.
var mdmDeviceFlags = map[string]string{
	"serialNumber": "--serial",
	"imei":         "--imei",
	"search":       "--search",
	"state":        "--state",
}

var devicesEveryListCommand = &cmdSpec{
	words: "devices list",
	args:  "--org ORG [--serial S] [--imei I] [--type android|apple|windows] [--tag TAG]... [--search Q] [--state S] [--page N] [--limit N] [--sort FIELD]",
	short: "show an organization's devices on every platform",
	long: `List shows an organization's devices on every platform (Android, Apple,
Windows) that match the filters: every page, fetched as the output goes, or
the page --page names. As text, a line per device: ID, platform, state and
serial number ("-" when the API sent none); as JSON, the devices as the API
sent them.`,
	setup: func(c *cli, flags *flag.FlagSet) (runFunc, *bulkFlags) {
		var (
			opts applivery.ListMDMDevicesOptions
			tags stringList
		)
		flags.IntVar(&opts.Page, "page", 0, "the page `N` to show; all pages when absent")
		flags.IntVar(&opts.Limit, "limit", 0, "`N` devices per page (the API's default when absent)")
		flags.StringVar(&opts.Sort, "sort", "", "the order: `FIELD[:asc|:desc]`")
		flags.StringVar(&opts.SerialNumber, "serial", "", "only devices with this serial number `S`")
		flags.StringVar(&opts.IMEI, "imei", "", "only devices with this `IMEI`")
		flags.StringVar(&opts.Type, "type", "", "only devices of this platform: `android|apple|windows`")
		flags.Var(&tags, "tag", "only devices with this `TAG`; repeatable")
		flags.StringVar(&opts.Search, "search", "", "only devices that match the text `Q` (the API's search)")
		flags.StringVar(&opts.State, "state", "", "only devices in this state `S`, as the API names it")
		return func(ctx context.Context, client *applivery.Client) error {
			opts.Tags = tags
			if opts.Page != 0 {
				page, err := client.Devices.List(ctx, c.org, &opts)
				if err != nil {
					return flagError(err, mdmDeviceFlags)
				}
				return printList(c, itemsOf(page.Items), c.printMDMDevices)
			}
			return flagError(printList(c, client.Devices.ListAll(ctx, c.org, &opts), c.printMDMDevices), mdmDeviceFlags)
		}, nil
	},
}

var devicesFindCommand = &cmdSpec{
	words:      "devices find",
	positional: []string{"SERIAL"},
	args:       "SERIAL --org ORG",
	short:      "find a device by its serial number, whatever its platform",
	long: `Find shows the device with the serial number SERIAL, on any platform:
its ID, platform, state and serial number, as the list does (as JSON, the
device as the API sent it). When no device has that serial number, it says
so on stderr and exits with status 3.

A serial number names one device, but the API can hold it more than once
(a device enrolled again, an enrollment pending beside its device): then
find prints every one (as JSON, an array), says how many on stderr, and
exits with status 0, so that a script reads them all and a person is told.
A device whose serial number the API sends and is not SERIAL (a server
that matches a part of it) is left out.`,
	exits: []int{exitNotFound},
	setup: func(c *cli, _ *flag.FlagSet) (runFunc, *bulkFlags) {
		return func(ctx context.Context, client *applivery.Client) error {
			serial := c.positional[0]
			var found []*applivery.MDMDevice
			for d, err := range client.Devices.ListAll(ctx, c.org, &applivery.ListMDMDevicesOptions{SerialNumber: serial}) {
				if err != nil {
					return flagError(err, map[string]string{"serialNumber": "SERIAL"})
				}
				if s, ok := serialOf(d); ok && s != serial {
					continue
				}
				found = append(found, d)
			}
			switch len(found) {
			case 0:
				fmt.Fprintf(c.stderr, "applivery: no device has serial number %q\n", serial)
				return &exitError{exitNotFound}
			case 1:
				return c.printMDMDevices(found, true)
			}
			fmt.Fprintf(c.stderr, "applivery: %d devices have serial number %q\n", len(found), serial)
			return c.printMDMDevices(found, false)
		}, nil
	},
}

// serialOf returns the serial number the API sent for d, and whether it
// sent one: the "serialNumber" member of its Raw, when it is a string.
func serialOf(d *applivery.MDMDevice) (string, bool) {
	var v struct {
		SerialNumber *string `json:"serialNumber"`
	}
	if json.Unmarshal(d.Raw, &v) != nil || v.SerialNumber == nil {
		return "", false
	}
	return *v.SerialNumber, true
}

// printMDMDevices prints devices of every platform: a line for each with
// its ID, platform, state and serial number, or JSON.
func (c *cli) printMDMDevices(devices []*applivery.MDMDevice, one bool) error {
	return printAll(c, devices, one, func(d *applivery.MDMDevice) []string {
		serial, _ := serialOf(d)
		return []string{d.ID, d.Type, d.State, serial}
	})
}
