// Command applivery manages the commands of Android Enterprise devices through
// the Applivery API, for shell scripts, CI jobs and cron: it validates IDs
// before sending anything, retries what is safe to retry, and tells what
// happened with its exit status.
//
//	applivery android commands cancel --org ORG --device DEVICE --command ID
//	applivery android commands get    --org ORG --device DEVICE --command ID
//	applivery android commands list   --org ORG --device DEVICE [--page N] [--limit N] [--sort FIELD[:asc|:desc]]
//	applivery android commands create --org ORG --device DEVICE --type TYPE [--duration 3600s] [params]
//	applivery demo
//	applivery version
//
// The API key comes from APPLIVERY_API_KEY, never from a flag (which would
// land in shell history and in ps). "applivery demo" serves a fake API to try
// every command with no account. Run "applivery --help" for the flags and the
// exit statuses.
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
		stderrTerminal: isTerminal(os.Stderr), signals: signals}
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
