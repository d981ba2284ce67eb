package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/applivery/applivery-go"
)

// knownTypes are the command types the API documents, which --type takes
// without --allow-unknown-type.
var knownTypes = []applivery.CommandType{
	applivery.CommandTypeLock, applivery.CommandTypeResetPassword, applivery.CommandTypeReboot,
	applivery.CommandTypeStartLostMode, applivery.CommandTypeStopLostMode,
	applivery.CommandTypeRelinquishOwnership, applivery.CommandTypeAddEsim,
	applivery.CommandTypeRemoveEsim, applivery.CommandTypeClearAppData,
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
	flags.StringVar(&p.typ, "type", "", "command type")
	flags.BoolVar(&p.allowUnknownType, "allow-unknown-type", false, "send a --type the API does not document")
	flags.Var(&p.duration, "duration", "how long the command stays valid: 3600, 3600s or 1h")
	flags.BoolVar(&p.passwordStdin, "new-password-stdin", false, "read the new password from stdin")
	flags.Var(&p.resetFlags, "reset-flag", "a reset-password flag")
	flags.StringVar(&p.lostMessage, "lost-message", "", "lost-mode message")
	flags.StringVar(&p.lostPhone, "lost-phone", "", "lost-mode phone number")
	flags.Var(&p.packages, "package", "an app whose data to clear")
	flags.StringVar(&p.carrier, "carrier", "", "eSIM carrier")
	flags.StringVar(&p.activationCode, "activation-code", "", "eSIM activation code")
	flags.StringVar(&p.iccid, "iccid", "", "eSIM to remove")
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
		names := make([]string, len(knownTypes))
		for i, t := range knownTypes {
			names[i] = string(t)
		}
		return nil, flagValueError("--type", p.typ, fmt.Sprintf("not a type the API documents (%s); --allow-unknown-type sends it anyway", strings.Join(names, ", ")))
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
			req.StartLostMode = &applivery.StartLostModeParams{LostMessage: message(p.lostMessage), LostPhoneNumber: message(p.lostPhone)}
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

// secondsFlag is a duration flag that takes a Go duration (90m, 1h30m) or
// plain seconds (3600, 3600s), and sends it as the API writes durations:
// whole seconds, "3600s". It is checked when the command is made, so that
// the error quotes a long value cut short, as every flag's error does.
type secondsFlag struct{ given string }

func (d *secondsFlag) String() string     { return d.given }
func (d *secondsFlag) Set(s string) error { d.given = s; return nil }

// seconds returns the duration as the API writes it, or "" when none was
// given.
func (d *secondsFlag) seconds(name string) (string, error) {
	if d.given == "" {
		return "", nil
	}
	var seconds float64
	if n, err := strconv.ParseFloat(d.given, 64); err == nil {
		seconds = n
	} else if dur, err := time.ParseDuration(d.given); err == nil {
		seconds = dur.Seconds()
	} else {
		return "", flagValueError(name, d.given, "not a duration: use seconds (3600) or a Go duration (1h, 90m, 3600s)")
	}
	switch {
	case math.IsNaN(seconds) || seconds <= 0:
		return "", flagValueError(name, d.given, "must be more than 0 seconds")
	case seconds != math.Trunc(seconds):
		return "", flagValueError(name, d.given, "the API takes whole seconds")
	case seconds > math.MaxInt32:
		return "", flagValueError(name, d.given, "longer than the API takes")
	}
	return strconv.FormatInt(int64(seconds), 10) + "s", nil
}

// flagValueError is the usage error of a flag's value, quoted cut short.
func flagValueError(name, value, reason string) error {
	if len(value) > maxShownValue {
		value = value[:maxShownValue] + "…"
	}
	return &usageError{fmt.Sprintf("%s %q: %s", name, value, reason)}
}

// stringList is a flag that can be given several times.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

// optionalInt is an int flag that tells whether it was given.
type optionalInt struct{ value *int }

func (o *optionalInt) String() string {
	if o.value == nil {
		return ""
	}
	return strconv.Itoa(*o.value)
}

func (o *optionalInt) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil {
		return err
	}
	o.value = &n
	return nil
}

// Get makes refuseNegative check it like the int flags.
func (o *optionalInt) Get() any {
	if o.value == nil {
		return 0
	}
	return *o.value
}
