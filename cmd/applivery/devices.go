package main

import (
	"context"
	"flag"

	"github.com/applivery/applivery-go"
)

// deviceVerbs are the verbs of "applivery android devices".
var deviceVerbs = map[string]verb{
	"list": func(c *cli, flags *flag.FlagSet) func(context.Context, *applivery.Client) error {
		var (
			opts    applivery.ListDevicesOptions
			tags    stringList
			segment optionalInt
		)
		flags.IntVar(&opts.Page, "page", 0, "the page to show; all pages when absent")
		flags.IntVar(&opts.Limit, "limit", 0, "devices per page")
		flags.StringVar(&opts.Sort, "sort", "", "field[:asc|:desc]")
		flags.Var(&tags, "tag", "only devices with this tag; repeatable")
		flags.StringVar(&opts.MDMUser, "user", "", "only devices of this MDM user (24 hex digits)")
		flags.StringVar(&opts.EMMPolicy, "policy", "", "only devices under this policy (24 hex digits)")
		flags.Var(&segment, "segment", "only devices of this segment")
		flags.StringVar(&opts.ExpandTo, "expand-to", "", "with --segment: ancestors or children")
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
		}
	},
	"get": func(c *cli, _ *flag.FlagSet) func(context.Context, *applivery.Client) error {
		return func(ctx context.Context, client *applivery.Client) error {
			d, err := client.AndroidDevices.Get(ctx, c.org, c.device)
			if err != nil {
				return err
			}
			return c.printDevices([]*applivery.Device{d}, true)
		}
	},
	"move": func(c *cli, flags *flag.FlagSet) func(context.Context, *applivery.Client) error {
		var segment optionalInt
		flags.Var(&segment, "segment", "the segment to move the device to")
		return func(ctx context.Context, client *applivery.Client) error {
			if segment.value == nil {
				return &usageError{"--segment is required"}
			}
			d, err := client.AndroidDevices.Move(ctx, c.org, c.device, *segment.value)
			if err != nil {
				return err
			}
			return c.printDevices([]*applivery.Device{d}, true)
		}
	},
}

// printDevices writes devices in the chosen format: text, one line per
// device (ID, MDM user's email, policy name, last update), or JSON, the
// devices as the API sent them.
func (c *cli) printDevices(devices []*applivery.Device, one bool) error {
	return printAll(c, devices, one, func(d *applivery.Device) []string {
		email, policy := "", ""
		if d.MDMUser != nil {
			email = d.MDMUser.Email
		}
		if d.Policy != nil {
			policy = d.Policy.Name
		}
		return []string{d.ID, email, policy, timestamp(d.UpdatedAt)}
	})
}
