package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/applivery/applivery-go"
)

// A cmdSpec is one command of the command line, as cmd/go's base.Command is:
// its words, its usage line and help, the flags it takes, and what it runs.
// Its help is made from its FlagSet, so that it never drifts from the flags.
type cmdSpec struct {
	words string // "android commands cancel"
	// positional are the names of the arguments it takes before its flags
	// ("METHOD", "PATH"), all required.
	positional []string
	args       string // its usage line after the words
	// untargeted says that it takes no --org, --device or --output: it names
	// what it works on otherwise.
	untargeted bool
	short      string // what it does, in a line, for the overview
	long       string // what it does, for its --help: paragraphs of text
	// exits are the exit statuses of its own, beyond those every command
	// on the API has.
	exits []int
	// setup registers the command's own flags on flags, bound to c, and
	// returns what runs it and, for a command that can run on many devices,
	// the flags that choose them (see bulkFlags.alwaysMany).
	setup func(c *cli, flags *flag.FlagSet) (runFunc, *bulkFlags)
}

// A runFunc runs a command with the client the flags describe.
type runFunc func(ctx context.Context, client *applivery.Client) error

// commonExits are the exit statuses of every command on the API.
var commonExits = []int{exitOK, exitUsage, exitNotFound, exitAuth, exitRateLimited, exitAPI, exitNetwork, exitInterrupted}

// envHelp is the help's account of the environment variables.
const envHelp = `Environment:
  APPLIVERY_API_KEY    the API key (required). No flag takes it: a flag would
                       land in shell history and in ps.
  APPLIVERY_BASE_URL   the API base URL, when --base-url is not given
`

// flagSet returns the command's FlagSet with the flags every command on the
// API takes, bound to c; setup adds the command's own.
func (cmd *cmdSpec) flagSet(c *cli) *flag.FlagSet {
	flags := flag.NewFlagSet("applivery "+cmd.words, flag.ContinueOnError)
	flags.SetOutput(io.Discard) // the help is writeHelp's, and errors are the caller's to print
	c.register(flags, cmd.untargeted)
	return flags
}

// writeHelp writes the command's help: its usage line, what it does, every
// flag of flags with its help text, the environment and its exit statuses.
func (cmd *cmdSpec) writeHelp(w io.Writer, flags *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: applivery %s %s\n\n%s\n\nFlags:\n", cmd.words, cmd.args, strings.TrimSpace(cmd.long))
	writeFlags(w, flags, func(name string) bool { return !slices.Contains(commonFlags, name) })
	fmt.Fprint(w, "\nFlags of every command:\n")
	writeFlags(w, flags, func(name string) bool { return slices.Contains(commonFlags, name) })
	fmt.Fprintf(w, "\n%s\n", envHelp)
	exits := append(slices.Clone(commonExits), cmd.exits...)
	slices.Sort(exits)
	writeExits(w, slices.Compact(exits))
}

// flagColumn is where the help text of a flag starts.
const flagColumn = 26

// writeFlags writes the flags of flags that pick chooses, each with its
// help text and its default.
func writeFlags(w io.Writer, flags *flag.FlagSet, pick func(name string) bool) {
	flags.VisitAll(func(f *flag.Flag) {
		if !pick(f.Name) {
			return
		}
		placeholder, usage := flag.UnquoteUsage(f)
		line := "  --" + f.Name
		if placeholder != "" {
			line += " " + placeholder
		}
		if def := f.DefValue; def != "" && def != "0" && def != "false" && def != "[]" {
			usage += " (default " + def + ")"
		}
		indent := strings.Repeat(" ", flagColumn)
		if len(line) < flagColumn {
			fmt.Fprint(w, wrapText(usage, line+indent[len(line):], indent))
			return
		}
		fmt.Fprintf(w, "%s\n%s", line, wrapText(usage, indent, indent))
	})
}

// writeExits writes the meaning of each exit status.
func writeExits(w io.Writer, codes []int) {
	fmt.Fprintln(w, "Exit status:")
	for _, code := range codes {
		fmt.Fprint(w, wrapText(exitMeanings[code], fmt.Sprintf("  %-2d ", code), "     "))
	}
}

// wrapText fills text into lines of at most 78 columns, the first starting with
// first and the others with rest, each ending with a newline.
func wrapText(text, first, rest string) string {
	var b strings.Builder
	line, empty := first, true
	for _, word := range strings.Fields(text) {
		if !empty && len(line)+1+len(word) > 78 {
			b.WriteString(line + "\n")
			line, empty = rest, true
		}
		if !empty {
			line += " "
		}
		line, empty = line+word, false
	}
	b.WriteString(line + "\n")
	return b.String()
}
