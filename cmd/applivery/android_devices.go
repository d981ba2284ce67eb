package main

import (
	"context"
	"flag"

	"github.com/applivery/applivery-go"
)

// The commands of "applivery android devices".

var devicesListCommand = &cmdSpec{
	words: "android devices list",
	args:  "--org ORG [--tag TAG]... [--user ID] [--policy ID] [--segment N [--expand-to ancestors|children]] [--show-deleted] [--page N] [--limit N] [--sort FIELD]",
	short: "show an organization's devices",
	long: `List shows an organization's devices that match the filters: every page,
fetched as the output goes, or the page --page names. As text, a line per
device: ID, the MDM user's email, the policy's name, last update; as JSON,
the devices as the API sent them.`,
	setup: func(c *cli, flags *flag.FlagSet) (runFunc, *bulkFlags) {
		var (
			opts    applivery.ListDevicesOptions
			tags    stringList
			segment optionalInt
		)
		flags.IntVar(&opts.Page, "page", 0, "the page `N` to show; all pages when absent")
		flags.IntVar(&opts.Limit, "limit", 0, "`N` devices per page (the API's default when absent)")
		flags.StringVar(&opts.Sort, "sort", "", "the order: `FIELD[:asc|:desc]`")
		flags.Var(&tags, "tag", "only devices with this `TAG`; repeatable")
		flags.StringVar(&opts.MDMUser, "user", "", "only devices of this MDM user, by `ID` (24 hex digits)")
		flags.StringVar(&opts.EMMPolicy, "policy", "", "only devices under this policy, by `ID` (24 hex digits)")
		flags.Var(&segment, "segment", "only devices of segment `N`")
		flags.StringVar(&opts.ExpandTo, "expand-to", "", "with --segment: `ancestors|children`, to take in those segments too")
		flags.BoolVar(&opts.ShowDeleted, "show-deleted", false, "include deleted devices")
		return func(ctx context.Context, client *applivery.Client) error {
			opts.Tags, opts.SegmentID = tags, segment.value
			s := client.AndroidDevices
			if opts.Page != 0 {
				page, err := s.List(ctx, c.org, &opts)
				if err != nil {
					return err
				}
				return printList(c, itemsOf(page.Items), c.printDevices)
			}
			return printList(c, s.ListAll(ctx, c.org, &opts), c.printDevices)
		}, nil
	},
}

var devicesGetCommand = &cmdSpec{
	words: "android devices get",
	args:  "--org ORG --device ID|SERIAL|IMEI",
	short: "show a device, found by its ID, serial number or IMEI",
	long:  `Get shows one device, found by its ID, serial number or IMEI.`,
	setup: func(c *cli, _ *flag.FlagSet) (runFunc, *bulkFlags) {
		return func(ctx context.Context, client *applivery.Client) error {
			d, err := client.AndroidDevices.Get(ctx, c.org, c.device)
			if err != nil {
				return err
			}
			return c.printDevices([]*applivery.Device{d}, true)
		}, nil
	},
}

var devicesMoveCommand = &cmdSpec{
	words: "android devices move",
	args:  "--org ORG --device ID --segment N",
	short: "move a device to a segment",
	long: `Move moves a device, named by its ID (24 hex digits), to a segment, and
prints it. A move that fails after the server may have acted says so: get
the device before trying again.`,
	setup: func(c *cli, flags *flag.FlagSet) (runFunc, *bulkFlags) {
		var segment optionalInt
		flags.Var(&segment, "segment", "the segment `N` to move the device to (required)")
		return func(ctx context.Context, client *applivery.Client) error {
			if segment.value == nil {
				return &usageError{"--segment is required"}
			}
			d, err := client.AndroidDevices.Move(ctx, c.org, c.device, *segment.value)
			if err != nil {
				return err
			}
			return c.printDevices([]*applivery.Device{d}, true)
		}, nil
	},
}
