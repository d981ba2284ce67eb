package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"

	"github.com/applivery/applivery-go"
)

var appleCreateCommand = &cmdSpec{
	words: "apple commands create",
	args:  "--org ORG (--device DEVICE | DEVICES) --type REQUEST_TYPE [--param KEY=VALUE]... [--params JSON] [--target-type device|deviceUser] [--wait] [--dry-run]",
	short: "queue an Apple MDM command for a device, or for many",
	long: `Create queues an Apple MDM command (--type, Apple's RequestType, such as
DeviceLock or DeviceInformation) for a device (an ID, serial number or IMEI)
and prints it; with --wait it then waits until the device has answered it,
as wait does. --param KEY=VALUE adds a string key of the command (--param
Message=Locked); --params takes a JSON object of keys for other values
('{"Queries":["OSVersion"]}'). Given many devices (--device repeated,
--devices-from FILE, or --all-devices: the organization's Apple devices,
with its filters), it creates the command on each, one call and one line a
device. --target-type deviceUser names device users instead of devices
(not with --all-devices); a dry run then checks each one's form only.
A create is never sent twice: one that fails after the server may have
acted says "may have been created" for its device; get that device's
commands before trying again.
` + bulkHelp,
	exits: createExits,
	setup: func(c *cli, flags *flag.FlagSet) (runFunc, *bulkFlags) {
		p := &appleCreateFlags{}
		p.register(flags)
		b := c.registerCreate(flags, appleDevices)
		return func(ctx context.Context, client *applivery.Client) error {
			req, target, err := p.request()
			if err != nil {
				return err
			}
			if b.allDevices && target != applivery.AppleTargetDevice {
				return &usageError{"--all-devices lists devices, not device users: it goes with --target-type device"}
			}
			return appleCreator(c, client, target, req).run(ctx, client, b)
		}, b
	},
}

// appleCreateFlags are the flags of apple create that make the command.
type appleCreateFlags struct {
	requestType, paramsJSON string
	params                  stringList
	target                  *string
}

func (p *appleCreateFlags) register(flags *flag.FlagSet) {
	flags.StringVar(&p.requestType, "type", "", "Apple's `REQUEST_TYPE` of the command, such as DeviceLock (required)")
	flags.Var(&p.params, "param", "a `KEY=VALUE` of the command, as a string; repeatable")
	flags.StringVar(&p.paramsJSON, "params", "", "a `JSON` object of the command's keys")
	p.target = appleTargetFlag(flags)
}

// request returns the command the flags describe, with no target (each
// device's create names its own), and the target type. What the API would
// refuse for every device alike is refused here, before any device is
// taken.
func (p *appleCreateFlags) request() (*applivery.CreateAppleCommandRequest, applivery.AppleTargetType, error) {
	target := applivery.AppleTargetType(*p.target)
	if target != applivery.AppleTargetDevice && target != applivery.AppleTargetDeviceUser {
		return nil, "", flagValueError("--target-type", *p.target, `must be "device" or "deviceUser"`)
	}
	if p.requestType == "" {
		return nil, "", &usageError{"--type is required: Apple's RequestType, such as DeviceLock"}
	}
	req := &applivery.CreateAppleCommandRequest{RequestType: p.requestType}
	if p.paramsJSON != "" {
		if err := json.Unmarshal([]byte(p.paramsJSON), &req.Params); err != nil || req.Params == nil {
			return nil, "", &usageError{"--params: must be a JSON object"}
		}
	}
	for _, param := range p.params {
		k, v, ok := strings.Cut(param, "=")
		if !ok || k == "" {
			return nil, "", &usageError{fmt.Sprintf("--param %q: use KEY=VALUE", param)}
		}
		if req.Params == nil {
			req.Params = map[string]any{}
		}
		req.Params[k] = v
	}
	if _, ok := req.Params["RequestType"]; ok {
		return nil, "", &usageError{"--param and --params must not hold RequestType: give it with --type"}
	}
	return req, target, nil
}

// appleCreator creates req on Apple targets of type target: a create call
// for each, with that target alone, so that each has its own record and its
// own outcome.
func appleCreator(c *cli, client *applivery.Client, target applivery.AppleTargetType, req *applivery.CreateAppleCommandRequest) *creator[applivery.AppleCommand] {
	s := client.AppleCommands
	return &creator[applivery.AppleCommand]{c: c, what: req.RequestType,
		create: func(ctx context.Context, device string) (*applivery.AppleCommand, error) {
			one := *req
			one.TargetIDs = []string{device}
			cmds, err := s.Create(ctx, c.org, target, &one)
			switch {
			case err != nil:
				return nil, flagError(err, appleCommandFlags)
			case len(cmds) != 1:
				return nil, &appleRecordsError{target: device, records: len(cmds)}
			}
			return &cmds[0], nil
		},
		wait: func(ctx context.Context, device string, cmd *applivery.AppleCommand, progress bool) (*applivery.AppleCommand, error) {
			return c.appleWaitFor(ctx, s, target, device, cmd.ID, progress)
		},
		check: func(ctx context.Context, device string) error {
			if target == applivery.AppleTargetDeviceUser { // no read tells whether a device user exists
				if !deviceIDRE.MatchString(device) {
					return flagValueError("--device", device, "must match "+applivery.AppleTargetIDPattern)
				}
				return nil
			}
			_, err := client.AppleDevices.Get(ctx, c.org, device)
			return flagError(err, appleDeviceFlags)
		},
		print: func(cmd *applivery.AppleCommand) error {
			return c.printAppleCommands([]*applivery.AppleCommand{cmd}, true)
		},
		line: appleLine,
	}
}

// appleRecordsError is a create for one target that the API answered with
// no record, or with more than one: it succeeded, so the command may have
// been created, but not as the run can report it. It matches
// applivery.ErrOutcomeUnknown, and exits 7.
type appleRecordsError struct {
	target  string
	records int
}

func (e *appleRecordsError) Error() string {
	return fmt.Sprintf("applivery: the API answered %d commands for target %s, not one: the command may have been created: get the target's commands before creating it again",
		e.records, e.target)
}

func (e *appleRecordsError) Is(target error) bool { return target == applivery.ErrOutcomeUnknown }

func (e *appleRecordsError) As(target any) bool {
	if t, ok := target.(**exitError); ok {
		*t = &exitError{code: exitAPI}
		return true
	}
	return false
}
