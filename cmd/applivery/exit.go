package main

import (
	"errors"
	"fmt"

	"github.com/applivery/applivery-go"
)

// Exit statuses, for scripts to branch on.
const (
	exitOK          = 0
	exitLocal       = 1 // the API call succeeded, but its output could not be written (a QR code's PNG)
	exitUsage       = 2 // a usage or validation error: nothing was sent
	exitNotFound    = 3
	exitAuth        = 4 // unauthorized or forbidden
	exitNotPending  = 5
	exitRateLimited = 6
	exitAPI         = 7   // any other answer of the API
	exitNetwork     = 8   // no answer: a network error or a timeout
	exitCanceled    = 9   // a waited-for command ended CANCEL
	exitPending     = 10  // a waited-for command was still pending when --timeout ran out
	exitSomeFailed  = 11  // a run on many devices: some failed, their lines say which
	exitIncomplete  = 12  // a run on many devices: the device list could not be read to its end
	exitExists      = 13  // a create refused: what it would create exists (code 5048)
	exitInterrupted = 130 // interrupted (SIGINT, SIGTERM)
)

// exitMeanings are the exit statuses as the help lists them.
var exitMeanings = map[int]string{
	exitOK:          "success",
	exitLocal:       "the API call succeeded but its output could not be made or written: a token's QR code (the message names the token created)",
	exitUsage:       "usage or validation error: nothing was sent",
	exitNotFound:    "not found (code 3001, HTTP 404)",
	exitAuth:        "unauthorized or forbidden (codes 4002 and 4004, HTTP 401 and 403)",
	exitNotPending:  "the command is not pending: applied or canceled already (code 5052)",
	exitRateLimited: "rate limited (HTTP 429)",
	exitAPI:         "any other API error, or a waited-for command that ended in a status the API does not document",
	exitNetwork:     "no answer: network error or timeout",
	exitCanceled:    "wait: the command ended CANCEL",
	exitPending:     "wait: the command was still pending (Android PENDING; Apple Pending, Tried or NotNow) when --timeout ran out",
	exitSomeFailed:  "a run on many devices: some failed (their lines say which)",
	exitIncomplete:  "a run on many devices: the device list could not be read to its end (the last line says after which device; --after takes up there); an onboarding run: the CSV file is malformed, or the organization's token limit stopped it",
	exitExists:      "users create: a user with that email exists already (code 5048)",
	exitInterrupted: "interrupted (a run on many devices: every device taken is on stdout)",
}

// localError is a failure on this machine after the API call succeeded:
// the QR code of a created token could not be encoded or written.
type localError struct{ err error }

func (e *localError) Error() string { return e.err.Error() }
func (e *localError) Unwrap() error { return e.err }

// usageError is a mistake in the command line.
type usageError struct{ msg string }

func (e *usageError) Error() string { return "applivery: " + e.msg }

// exitError ends the command with an exit status and nothing more to say.
type exitError struct{ code int }

func (e *exitError) Error() string { return "" }

// interruptedError is a call ended by an interrupt: not a failure of the
// network or of the API, and it says so with exit status 130.
type interruptedError struct{ err error }

func (e *interruptedError) Error() string { return e.err.Error() + " (interrupted)" }
func (e *interruptedError) Unwrap() error { return e.err }

// exitStatus maps an error to the exit status a script branches on.
func exitStatus(err error) int {
	var (
		usageErr    *usageError
		apiErr      *applivery.APIError
		ended       *endedError
		exit        *exitError
		interrupted *interruptedError
		local       *localError
	)
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &exit):
		return exit.code
	case errors.As(err, &interrupted):
		return exitInterrupted
	case errors.As(err, &local):
		return exitLocal
	case errors.As(err, &usageErr), errors.Is(err, applivery.ErrInvalidArgument):
		return exitUsage
	case errors.As(err, &ended):
		return ended.exit
	case errors.Is(err, applivery.ErrStillPending):
		return exitPending
	case errors.Is(err, applivery.ErrCommandNotPending):
		return exitNotPending
	case errors.Is(err, applivery.ErrAlreadyExists):
		return exitExists
	case errors.Is(err, applivery.ErrNotFound):
		return exitNotFound
	case errors.Is(err, applivery.ErrUnauthorized), errors.Is(err, applivery.ErrForbidden):
		return exitAuth
	case errors.Is(err, applivery.ErrRateLimited):
		return exitRateLimited
	case errors.As(err, &apiErr):
		return exitAPI
	}
	return exitNetwork
}

// endedError is a wait whose command ended otherwise than DONE.
type endedError struct {
	cmd  *applivery.Command
	exit int
}

func (e *endedError) Error() string {
	if e.cmd.Status == applivery.CommandStatusCanceled {
		return "applivery: command " + e.cmd.ID + " was canceled before the device applied it"
	}
	return "applivery: command " + e.cmd.ID + " ended as " + string(e.cmd.Status)
}

// flagNames are the flags, or the environment variable, that give each
// argument the SDK validates, by the API's name for it.
var flagNames = map[string]string{
	"organizationId": "--org",
	"emmDeviceId":    "--device",
	"emmCommandId":   "--command",
	"sort":           "--sort",
	"page":           "--page",
	"limit":          "--limit",
	"type":           "--type",
	"duration":       "--duration",
	"newPassword":    "--new-password-stdin",
	"maxRetries":     "--max-retries",
	"baseURL":        "--base-url",
	"apiKey":         "APPLIVERY_API_KEY",
	"mdm-user":       "--user",
	"emm-policy":     "--policy",
	"tags":           "--tag",
	"segmentId":      "--segment",
	"expandTo":       "--expand-to",
}

// flagError returns err, a *applivery.ValidationError of an argument a flag
// gave, in the flag's words: "--org is required", `--org "a/b": must match
// …`. override names the source of some fields instead of flagNames. Other
// errors are returned as they are.
func flagError(err error, override map[string]string) error {
	var ve *applivery.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	name, ok := override[ve.Field]
	if !ok {
		name, ok = flagNames[ve.Field]
	}
	if !ok {
		return err
	}
	switch {
	case ve.Value == "" && ve.Reason == "":
		return &usageError{name + " is required"}
	case ve.Reason == "":
		return flagValueError(name, ve.Value, "must match "+ve.Pattern)
	case ve.Value == "":
		return &usageError{name + ": " + ve.Reason}
	}
	return flagValueError(name, ve.Value, ve.Reason)
}

// maxShownValue bounds how much of a refused value an error quotes.
const maxShownValue = 64

// flagValueError is the usage error of a flag's value, quoted cut short.
func flagValueError(name, value, reason string) error {
	if len(value) > maxShownValue {
		value = value[:maxShownValue] + "…"
	}
	return &usageError{fmt.Sprintf("%s %q: %s", name, value, reason)}
}
