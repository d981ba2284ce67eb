package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/applivery/applivery-go"
)

var createCommand = &cmdSpec{
	words: "android commands create",
	args:  "--org ORG (--device DEVICE | DEVICES) --type TYPE [--duration 1h] [params] [--wait] [--dry-run]",
	short: "queue a command for a device, or for many",
	long: `Create queues a new command for a device and prints it; with --wait it then
waits until the device has applied it, as wait does. The params flags go
with their type only. Given many devices (--device repeated, --devices-from
FILE or --all-devices with its filters), it creates one command on each.
A create is never sent twice: one that fails after the server may have
acted says "may have been created"; list the device's commands before
trying again.
` + bulkHelp,
	exits: createExits,
	setup: func(c *cli, flags *flag.FlagSet) (runFunc, *bulkFlags) {
		p := &createFlags{}
		p.register(flags)
		b := c.registerCreate(flags, androidDevices)
		return func(ctx context.Context, client *applivery.Client) error {
			if p.passwordStdin && b.devicesFrom == "-" {
				return &usageError{"--new-password-stdin and --devices-from - both read stdin: give the devices in a file"}
			}
			req, err := p.request(c.stdin)
			if err != nil {
				return err
			}
			return androidCreator(c, client, req).run(ctx, client, b)
		}, b
	},
}

// androidCreator creates req on Android devices.
func androidCreator(c *cli, client *applivery.Client, req *applivery.CreateCommandRequest) *creator[applivery.Command] {
	s := client.AndroidCommands
	return &creator[applivery.Command]{c: c, what: string(req.Type),
		create: func(ctx context.Context, device string) (*applivery.Command, error) {
			return s.Create(ctx, c.org, device, req)
		},
		wait: func(ctx context.Context, device string, cmd *applivery.Command, progress bool) (*applivery.Command, error) {
			return c.waitFor(ctx, s, device, cmd.ID, progress)
		},
		check: func(ctx context.Context, device string) error {
			_, err := client.AndroidDevices.Get(ctx, c.org, device)
			return err
		},
		print: func(cmd *applivery.Command) error { return c.print([]*applivery.Command{cmd}, true) },
		line:  androidLine,
	}
}

// knownTypes are the command types the API documents, which --type takes
// without --allow-unknown-type.
var knownTypes = []applivery.CommandType{
	applivery.CommandTypeLock, applivery.CommandTypeResetPassword, applivery.CommandTypeReboot,
	applivery.CommandTypeStartLostMode, applivery.CommandTypeStopLostMode,
	applivery.CommandTypeRelinquishOwnership, applivery.CommandTypeAddEsim,
	applivery.CommandTypeRemoveEsim, applivery.CommandTypeClearAppData,
}

// typeNames are the names of knownTypes.
func typeNames() []string {
	names := make([]string, len(knownTypes))
	for i, t := range knownTypes {
		names[i] = string(t)
	}
	return names
}

// createFlags are the flags of create that make the command: its type,
// duration and the params of its type.
type createFlags struct {
	typ                            string
	allowUnknownType               bool
	duration                       secondsFlag
	lostMessage, lostPhone         string
	carrier, activationCode, iccid string
	passwordStdin                  bool
	resetFlags, packages           stringList
}

func (p *createFlags) register(flags *flag.FlagSet) {
	flags.StringVar(&p.typ, "type", "", "the command's `TYPE` (required): "+strings.Join(typeNames(), ", "))
	flags.BoolVar(&p.allowUnknownType, "allow-unknown-type", false, "send a --type the API does not document")
	flags.Var(&p.duration, "duration", "how long the command stays valid: seconds (3600) or a Go `DURATION` (1h, 90m); sent in seconds")
	flags.BoolVar(&p.passwordStdin, "new-password-stdin", false, "RESET_PASSWORD: read the new password from stdin")
	flags.Var(&p.resetFlags, "reset-flag", "RESET_PASSWORD: a `FLAG` such as REQUIRE_ENTRY or LOCK_NOW; repeatable")
	flags.StringVar(&p.lostMessage, "lost-message", "", "START_LOST_MODE: the `TEXT` the device shows")
	flags.StringVar(&p.lostPhone, "lost-phone", "", "START_LOST_MODE: the phone `NUMBER` it shows")
	flags.Var(&p.packages, "package", "CLEAR_APP_DATA: an app whose data to clear, by package `NAME`; repeatable")
	flags.StringVar(&p.carrier, "carrier", "", "ADD_ESIM: the carrier's `NAME`")
	flags.StringVar(&p.activationCode, "activation-code", "", "ADD_ESIM: the activation `CODE`")
	flags.StringVar(&p.iccid, "iccid", "", "REMOVE_ESIM: the `ICCID` of the eSIM to remove")
}

// request returns the command the flags describe, reading the new password
// from stdin when --new-password-stdin says so. A type the API does not
// document, or a params flag of another type, is refused: the API would
// answer 400, or worse, ignore it.
func (p *createFlags) request(stdin io.Reader) (*applivery.CreateCommandRequest, error) {
	duration, err := p.duration.seconds("--duration")
	if err != nil {
		return nil, err
	}
	req := &applivery.CreateCommandRequest{Type: applivery.CommandType(strings.ToUpper(p.typ)), Duration: duration}
	if req.Type != "" && !p.allowUnknownType && !slices.Contains(knownTypes, req.Type) {
		return nil, flagValueError("--type", p.typ, fmt.Sprintf("not a type the API documents (%s); --allow-unknown-type sends it anyway", strings.Join(typeNames(), ", ")))
	}
	for _, param := range []struct {
		set   bool
		flag  string
		typ   applivery.CommandType
		apply func()
	}{
		{p.passwordStdin, "--new-password-stdin", applivery.CommandTypeResetPassword, func() {}},
		{len(p.resetFlags) > 0, "--reset-flag", applivery.CommandTypeResetPassword, func() { req.ResetPasswordFlags = p.resetFlags }},
		{p.lostMessage != "" || p.lostPhone != "", "--lost-message and --lost-phone", applivery.CommandTypeStartLostMode, func() {
			req.StartLostMode = &applivery.StartLostModeParams{LostMessage: userMessage(p.lostMessage), LostPhoneNumber: userMessage(p.lostPhone)}
		}},
		{len(p.packages) > 0, "--package", applivery.CommandTypeClearAppData, func() {
			req.ClearAppsData = &applivery.ClearAppsDataParams{PackageNames: p.packages}
		}},
		{p.carrier != "" || p.activationCode != "", "--carrier and --activation-code", applivery.CommandTypeAddEsim, func() {
			req.AddEsim = &applivery.AddEsimParams{CarrierName: p.carrier, ActivationCode: p.activationCode}
		}},
		{p.iccid != "", "--iccid", applivery.CommandTypeRemoveEsim, func() { req.RemoveEsim = &applivery.RemoveEsimParams{ICCID: p.iccid} }},
	} {
		if !param.set {
			continue
		}
		if req.Type != param.typ {
			return nil, &usageError{fmt.Sprintf("%s go with --type %s", param.flag, param.typ)}
		}
		param.apply()
	}
	if req.Type == applivery.CommandTypeStopLostMode {
		req.StopLostMode = &applivery.StopLostModeParams{}
	}
	if p.passwordStdin {
		password, err := readLine(stdin)
		if err != nil {
			return nil, &usageError{"--new-password-stdin: reading stdin: " + err.Error()}
		}
		if password == "" {
			return nil, &usageError{"--new-password-stdin: stdin holds no password"}
		}
		req.NewPassword = password
	}
	return req, nil
}

// userMessage is a user-facing message of text, or nil for none.
func userMessage(text string) *applivery.UserFacingMessage {
	if text == "" {
		return nil
	}
	return &applivery.UserFacingMessage{DefaultMessage: text}
}

// readLine reads the first line of r, without its line ending, byte by
// byte: nothing after the line is consumed, so that what follows it on the
// same stream stays there for whoever reads next.
func readLine(r io.Reader) (string, error) {
	var line []byte
	b := make([]byte, 1)
	for {
		n, err := r.Read(b)
		if n == 1 {
			if b[0] == '\n' {
				break
			}
			line = append(line, b[0])
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", err
		}
	}
	return strings.TrimRight(string(line), "\r"), nil
}
