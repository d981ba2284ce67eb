package main

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/applivery/applivery-go"
)

// bulkLine is the line of one device in a run on many devices. As JSON its
// members come in this order, "device" and "ok" first: {"device": …, "ok":
// true, "canceled": [ids]}, {"device": …, "ok": true, "command": {…}}, or
// {"device": …, "ok": false, "error": {"exit": n, "message": …}}. A job
// fills in what it did; the run fills in the device, ok and the error.
type bulkLine struct {
	Device string `json:"device,omitempty"`
	// Email names the line instead of Device in a run over users.
	Email string `json:"email,omitempty"`
	// OK is whether the device's work succeeded; nil on the line of a
	// device named before in the run, which was not worked on again: its
	// outcome is the first line's.
	OK          *bool        `json:"ok,omitempty"`
	Existing    bool         `json:"existing,omitempty"` // the user was there already
	User        *lineUser    `json:"user,omitempty"`
	Token       *lineToken   `json:"token,omitempty"`
	QR          string       `json:"qr,omitempty"`       // the path of the token's QR code PNG
	Canceled    *[]string    `json:"canceled,omitempty"` // a pointer, so that none is [] rather than absent
	Command     *lineCommand `json:"command,omitempty"`
	DryRun      bool         `json:"dryRun,omitempty"`
	WouldCancel *[]string    `json:"wouldCancel,omitempty"`
	WouldCreate string       `json:"wouldCreate,omitempty"` // the command's type
	Skipped     string       `json:"skipped,omitempty"`
	Error       *lineError   `json:"error,omitempty"`
}

// lineCommand is the command of a line, whatever its platform: as JSON, the
// record as the API sent it; as text, its ID, type and status.
type lineCommand struct {
	record          any
	id, typ, status string
}

func (l *lineCommand) MarshalJSON() ([]byte, error) { return json.Marshal(l.record) }

// androidLine is an Android command as the command of a line.
func androidLine(cmd *applivery.Command) *lineCommand {
	return &lineCommand{record: cmd, id: cmd.ID, typ: string(cmd.Type()), status: string(cmd.Status)}
}

// appleLine is an Apple command as the command of a line: its type is
// Apple's RequestType.
func appleLine(cmd *applivery.AppleCommand) *lineCommand {
	return &lineCommand{record: cmd, id: cmd.ID, typ: cmd.RequestType, status: string(cmd.Status)}
}

// lineUser is the MDM user of a line: as JSON, the user as the API sent
// it; as text, its ID.
type lineUser struct{ user *applivery.User }

func (l *lineUser) MarshalJSON() ([]byte, error) { return json.Marshal(l.user) }

// lineToken is the enrollment token of a line: its ID and expiry, never
// its one-time token, which the line does not carry (the QR code is the
// product of the run).
type lineToken struct {
	ID        string `json:"id"`
	ExpiresAt string `json:"expiresAt,omitempty"`
}

// lineError is a failure in a line: the exit status the command on one
// device would have exited with, and the message.
type lineError struct {
	Exit    int    `json:"exit"`
	Message string `json:"message"`
}

// endLine is the last line of a run that stopped before the end of its
// devices: {"interrupted": true, "after": …} or {"incomplete": true,
// "after": …, "error": {…}}. after is the last device taken from the
// source, where a re-run with --after takes up.
type endLine struct {
	Interrupted bool       `json:"interrupted,omitempty"`
	Incomplete  bool       `json:"incomplete,omitempty"`
	After       string     `json:"after"`
	Error       *lineError `json:"error,omitempty"`
}

// textLine is the line as text: the device, "ok", "failed" or "skipped", and
// what was done or what went wrong, tab-separated; a failure that left
// something done (a command created, whose wait failed) says it after the
// message. Every field is oneLine.
func (l *bulkLine) textLine() string {
	name := oneLine(l.Device + l.Email) // one of them
	if l.OK == nil {
		return name + "\tskipped\t" + oneLine(l.Skipped)
	}
	what := l.done()
	if l.Error != nil {
		line := fmt.Sprintf("%s\tfailed\texit %d\t%s", name, l.Error.Exit, oneLine(l.Error.Message))
		if len(what) > 0 {
			line += "\t" + strings.Join(what, "; ")
		}
		return line
	}
	return name + "\tok\t" + strings.Join(what, "; ")
}

// done is what the line says was done, as text, each part oneLine.
func (l *bulkLine) done() []string {
	what := l.onboardingText()
	if l.Canceled != nil {
		what = append(what, counted("canceled", *l.Canceled))
	}
	if l.WouldCancel != nil {
		what = append(what, counted("would cancel", *l.WouldCancel))
	}
	if l.Command != nil {
		what = append(what, fmt.Sprintf("command %s %s %s", l.Command.id, l.Command.typ, l.Command.status))
	}
	if l.WouldCreate != "" {
		what = append(what, "would create "+l.WouldCreate)
	}
	if l.Skipped != "" {
		what = append(what, "skipped: "+l.Skipped)
	}
	for i, w := range what {
		what[i] = oneLine(w)
	}
	return what
}

// onboardingText is what an onboarding line says, as text: the user and
// whether it was there, the token and its QR code.
func (l *bulkLine) onboardingText() []string {
	var what []string
	if l.User != nil {
		state := "created"
		if l.Existing {
			state = "existing"
		}
		what = append(what, "user "+l.User.user.ID+" "+state)
	}
	if l.Token != nil {
		what = append(what, "token "+l.Token.ID+" expires "+cmp.Or(l.Token.ExpiresAt, "-"))
	}
	if l.QR != "" {
		what = append(what, "qr "+l.QR)
	}
	return what
}

// textLine is the last line as text: "interrupted" or "incomplete", the device
// after which a re-run takes up ("-" for none), and the error.
func (l *endLine) textLine() string {
	what := "interrupted"
	if l.Incomplete {
		what = "incomplete"
	}
	line := what + "\tafter " + oneLine(cmp.Or(l.After, "-"))
	if l.Error != nil {
		line += fmt.Sprintf("\texit %d\t%s", l.Error.Exit, oneLine(l.Error.Message))
	}
	return line
}

// counted is "canceled 2: ID,ID", or "canceled 0" when ids is empty.
func counted(what string, ids []string) string {
	if len(ids) == 0 {
		return what + " 0"
	}
	return fmt.Sprintf("%s %d: %s", what, len(ids), strings.Join(ids, ","))
}

// bulkRun is the state of a run on many devices: its counters and its
// output.
type bulkRun struct {
	cli   *cli
	total int // -1 when unknown
	start time.Time
	// single says that the run is on one device that --device named, for a
	// command that otherwise works on one (create --dry-run): it ends with
	// that device's own status, not 11.
	single bool
	// key is the line's member that names what it is on ("email"), when it
	// is not "device"; noun is what the summary counts.
	key, noun string

	mu           sync.Mutex
	done, failed int
	skipped      int // devices named before, not worked on again
	lastErr      error
	after        string // the last device taken from the source, or --after
}

// took records that device was taken from the source, and handed to a
// worker.
func (r *bulkRun) took(device string) {
	r.mu.Lock()
	r.after = device
	r.mu.Unlock()
}

// report writes the line of one device, and redraws the progress line.
func (r *bulkRun) report(device string, line *bulkLine, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.done++
	if line == nil {
		line = &bulkLine{}
	}
	ok := err == nil
	line.OK = &ok
	r.nameDevice(line, device)
	if err != nil {
		r.failed++
		r.lastErr = err
		line.Error = &lineError{Exit: exitStatus(err), Message: err.Error()}
	}
	r.println(line, line.textLine())
}

// skip writes the line of a device named before in the run, which is not
// worked on again: it has no "ok", as the first line of that device says
// how it went, and the summary counts it apart.
func (r *bulkRun) skip(device, why string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.done++
	r.skipped++
	line := &bulkLine{Skipped: why}
	r.nameDevice(line, device)
	r.println(line, line.textLine())
}

// nameDevice names line after device, as a device or as the run's key.
func (r *bulkRun) nameDevice(line *bulkLine, device string) {
	line.Device = device
	if r.key == "email" {
		line.Device, line.Email = "", device
	}
}

// println writes a line to stdout, as JSON or as text, above the progress
// line. The caller holds r.mu.
func (r *bulkRun) println(line any, text string) {
	c := r.cli
	if c.stderrTerminal {
		fmt.Fprint(c.stderr, "\r\x1b[K") // the line goes above the progress
	}
	if c.output == "json" {
		b, err := json.Marshal(line)
		if err != nil { // a command the API sent that cannot be written back: say so, in the line's place
			b, _ = json.Marshal(map[string]string{"error": err.Error()})
		}
		text = string(b)
	}
	fmt.Fprintln(c.stdout, text)
	if c.stderrTerminal {
		fmt.Fprint(c.stderr, r.progress())
	}
}

// progress is the progress line: done/total when known, rate, failures,
// ETA when the total is known.
func (r *bulkRun) progress() string {
	elapsed := time.Since(r.start)
	rate := float64(r.done) / max(elapsed.Seconds(), 1e-3)
	s, n := fmt.Sprintf("%d", r.done), r.done
	if r.total >= 0 {
		s, n = s+fmt.Sprintf("/%d", r.total), r.total
	}
	s += fmt.Sprintf(" %s%s, %.1f/s, %d failed", cmp.Or(r.noun, "device"), plural(n), rate, r.failed)
	if r.total >= 0 && rate > 0 {
		s += ", ETA " + (time.Duration(float64(r.total-r.done)/rate) * time.Second).Round(time.Second).String()
	}
	return s
}

// finish writes the summary, and the last line of a run that did not reach
// the end of its devices, and returns the run's exit status as an error: 130
// when interrupted, 12 when the device list could not be read to its end,
// 11 when some devices failed.
func (r *bulkRun) finish(sourceErr error, interrupted bool) error {
	c := r.cli
	r.mu.Lock()
	defer r.mu.Unlock()
	if c.stderrTerminal {
		fmt.Fprint(c.stderr, "\r\x1b[K")
	}
	summary := fmt.Sprintf("applivery: %d %s%s: %d succeeded, %d failed",
		r.done, cmp.Or(r.noun, "device"), plural(r.done), r.done-r.failed-r.skipped, r.failed)
	if r.skipped > 0 {
		summary += fmt.Sprintf(", %d skipped as named before", r.skipped)
	}
	summary += ", in " + time.Since(r.start).Round(time.Millisecond).String()
	var srcErr *sourceError
	switch {
	case interrupted:
		summary += fmt.Sprintf("; interrupted: no more %ss were taken, and every one taken is above", cmp.Or(r.noun, "device"))
		end := &endLine{Interrupted: true, After: r.after}
		r.println(end, end.textLine())
	case errors.As(sourceErr, &srcErr):
		end := &endLine{Incomplete: true, After: r.after, Error: &lineError{Exit: srcErr.exit, Message: srcErr.Error()}}
		r.println(end, end.textLine())
		if srcErr.halted {
			summary += fmt.Sprintf("; stopped: no more %ss were taken (%s)", cmp.Or(r.noun, "device"), srcErr)
		} else {
			summary += fmt.Sprintf("; the %s list is incomplete (%s)", cmp.Or(r.noun, "device"), srcErr)
		}
	}
	if r.after != "" && (interrupted || srcErr != nil) {
		summary += "; to go on, run again with --after " + r.after
	}
	summary = oneLine(summary)
	fmt.Fprintln(c.stderr, summary)
	switch {
	case interrupted:
		return &exitError{code: exitInterrupted}
	case srcErr != nil:
		return &exitError{code: exitIncomplete}
	case r.single && r.lastErr != nil:
		return &exitError{code: exitStatus(r.lastErr)}
	case r.failed > 0:
		return &exitError{code: exitSomeFailed}
	}
	return nil
}
