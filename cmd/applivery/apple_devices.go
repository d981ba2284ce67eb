package main

import (
	"context"
	"flag"
	"strings"

	"github.com/applivery/applivery-go"
)

// The commands of "applivery apple devices".

// appleDeviceFlags are the flags of the Apple device commands, by the API's
// name for what each gives, where it differs from flagNames.
var appleDeviceFlags = map[string]string{
	"admDeviceId":     "--device",
	"adm-policy":      "--policy",
	"user-adm-policy": "--user-policy",
	"policyId":        "--policy",
	"mdmUserId":       "--user",
}

var appleDevicesListCommand = &cmdSpec{
	words: "apple devices list",
	args:  "--org ORG [--tag TAG]... [--user ID] [--policy ID] [--user-policy ID] [--segment N [--expand-to ancestors|children]] [--show-deleted] [--page N] [--limit N] [--sort FIELD]",
	short: "show an organization's Apple devices",
	long: `List shows an organization's Apple devices that match the filters: every
page, fetched as the output goes, or the page --page names. As text, a line
per device: ID, display name, the MDM user's email, tags (comma-separated),
last update; as JSON, the devices as the API sent them.`,
	setup: func(c *cli, flags *flag.FlagSet) (runFunc, *bulkFlags) {
		var (
			opts    applivery.ListAppleDevicesOptions
			tags    stringList
			segment optionalInt
		)
		flags.IntVar(&opts.Page, "page", 0, "the page `N` to show; all pages when absent")
		flags.IntVar(&opts.Limit, "limit", 0, "`N` devices per page (the API's default when absent)")
		flags.StringVar(&opts.Sort, "sort", "", "the order: `FIELD[:asc|:desc]`")
		flags.Var(&tags, "tag", "only devices with this `TAG`; repeatable")
		flags.StringVar(&opts.MDMUser, "user", "", "only devices of this MDM user, by `ID` (24 hex digits)")
		flags.StringVar(&opts.ADMPolicy, "policy", "", "only devices under this Apple policy, by `ID` (24 hex digits)")
		flags.StringVar(&opts.UserADMPolicy, "user-policy", "", "the API's user-adm-policy filter, by `ID` (24 hex digits)")
		flags.Var(&segment, "segment", "only devices of segment `N`")
		flags.StringVar(&opts.ExpandTo, "expand-to", "", "with --segment: `ancestors|children`, to take in those segments too")
		flags.BoolVar(&opts.ShowDeleted, "show-deleted", false, "include deleted devices")
		return func(ctx context.Context, client *applivery.Client) error {
			opts.Tags, opts.SegmentID = tags, segment.value
			s := client.AppleDevices
			if opts.Page != 0 {
				page, err := s.List(ctx, c.org, &opts)
				if err != nil {
					return flagError(err, appleDeviceFlags)
				}
				return printList(c, itemsOf(page.Items), c.printAppleDevices)
			}
			return flagError(printList(c, s.ListAll(ctx, c.org, &opts), c.printAppleDevices), appleDeviceFlags)
		}, nil
	},
}

var appleDevicesGetCommand = &cmdSpec{
	words: "apple devices get",
	args:  "--org ORG --device ID",
	short: "show an Apple device",
	long: `Get shows one Apple device, named by its ID (24 hex digits). The API's
pattern also admits a serial number, which is sent as it is, but the
reference does not say the API accepts one: the command "devices find
SERIAL" finds a device's ID by its serial number, whatever its platform.`,
	setup: func(c *cli, _ *flag.FlagSet) (runFunc, *bulkFlags) {
		return func(ctx context.Context, client *applivery.Client) error {
			d, err := client.AppleDevices.Get(ctx, c.org, c.device)
			if err != nil {
				return flagError(err, appleDeviceFlags)
			}
			return c.printAppleDevices([]*applivery.AppleDevice{d}, true)
		}, nil
	},
}

var appleDevicesUpdateCommand = &cmdSpec{
	words: "apple devices update",
	args:  "--org ORG --device ID [--name NAME] [--tag TAG]... [--clear-tags] [--policy ID] [--user ID] [--segment N]",
	short: "rename, retag or reassign an Apple device",
	long: `Update changes what its flags give of an Apple device, and nothing else,
and prints the device: --name alone renames it and keeps its tags. --tag,
repeatable, replaces the device's tags with those given; --clear-tags
removes them all. At least one change is required.

An update that fails after the server may have acted says so; repeating it
is harmless.`,
	setup: func(c *cli, flags *flag.FlagSet) (runFunc, *bulkFlags) {
		var (
			name, policy, user string
			tags               stringList
			clearTags          bool
			segment            optionalInt
		)
		flags.StringVar(&name, "name", "", "the device's new display `NAME`")
		flags.Var(&tags, "tag", "a `TAG` of the device's new tags, which replace the old; repeatable")
		flags.BoolVar(&clearTags, "clear-tags", false, "remove every tag of the device")
		flags.StringVar(&policy, "policy", "", "the Apple policy to put the device under, by `ID` (24 hex digits)")
		flags.StringVar(&user, "user", "", "the MDM user to give the device to, by `ID` (24 hex digits)")
		flags.Var(&segment, "segment", "the segment `N` to move the device to")
		return func(ctx context.Context, client *applivery.Client) error {
			var u applivery.UpdateAppleDeviceRequest
			flags.Visit(func(f *flag.Flag) {
				switch f.Name {
				case "name":
					u.DisplayName = &name
				case "policy":
					u.PolicyID = &policy
				case "user":
					u.MDMUserID = &user
				}
			})
			switch {
			case clearTags && len(tags) > 0:
				return &usageError{"--tag and --clear-tags: give one or the other"}
			case clearTags:
				u.Tags = &[]string{}
			case len(tags) > 0:
				t := []string(tags)
				u.Tags = &t
			}
			u.SegmentID = segment.value
			if u == (applivery.UpdateAppleDeviceRequest{}) {
				return &usageError{"nothing to update: give --name, --tag, --clear-tags, --policy, --user or --segment"}
			}
			d, err := client.AppleDevices.Update(ctx, c.org, c.device, &u)
			if err != nil {
				return flagError(err, appleDeviceFlags)
			}
			return c.printAppleDevices([]*applivery.AppleDevice{d}, true)
		}, nil
	},
}

// printAppleDevices writes Apple devices: as text, a line each with the ID,
// display name, MDM user's email, tags and last update.
func (c *cli) printAppleDevices(devices []*applivery.AppleDevice, one bool) error {
	return printAll(c, devices, one, func(d *applivery.AppleDevice) []string {
		email := ""
		if d.MDMUser != nil {
			email = d.MDMUser.Email
		}
		return []string{d.ID, d.DisplayName, email, strings.Join(d.Tags, ","), timestamp(d.UpdatedAt)}
	})
}
