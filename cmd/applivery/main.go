// Command applivery drives the Applivery device-management API from shell
// scripts, CI jobs and cron: it validates IDs before sending anything,
// retries only what is safe to retry, runs a command over a whole fleet
// within the API's rate limit, and tells what happened with its exit status.
//
//	applivery android commands cancel|get|list|create|wait|cancel-pending …
//	applivery android devices list|get|move …
//	applivery devices list|find …  # every platform: find a device by serial number
//	applivery users list|create …   # MDM users, one or a CSV file of them
//	applivery android|aosp|apple enrollment-tokens create … [--qr FILE.png|-]
//	applivery demo      # a fake API with a small fleet, to try it with no account
//	applivery help [COMMAND]
//	applivery version
//
// The API key comes from APPLIVERY_API_KEY, never from a flag (which would
// land in shell history and in ps). "applivery help" lists the commands and
// the exit statuses; "applivery COMMAND --help" shows one command's flags.
//
// The files: app.go runs the command line and holds the list of commands;
// each resource's commands are in a file of their own (android_commands.go,
// android_create.go, android_devices.go, devices.go, users.go,
// enrollment_tokens.go, onboarding_bulk.go), each command a value with its
// usage, help and flags (command.go); bulk.go, bulk_output.go and source.go
// run a command over many devices (onboarding_csv.go reads the CSV file of
// users an onboarding run goes over); cli.go, flags.go, output.go and exit.go
// hold what every command shares; qr.go draws a QR code, as a PNG file or in
// the terminal.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	a := &app{getenv: os.Getenv, stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr,
		stderrTerminal: isTerminal(os.Stderr), stdoutTerminal: isTerminal(os.Stdout), signals: signals}
	code := a.run(context.Background(), os.Args[1:])
	signal.Stop(signals)
	os.Exit(code)
}

// isTerminal reports whether f is a terminal (a character device), where a
// progress line can be redrawn in place.
func isTerminal(f *os.File) bool {
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
