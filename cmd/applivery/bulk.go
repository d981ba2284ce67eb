package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"iter"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/applivery/applivery-go"
)

// Exit statuses of a bulk run.
const (
	exitSomeFailed  = 11  // some devices failed: their lines say which
	exitIncomplete  = 12  // the device list could not be read to its end
	exitInterrupted = 130 // interrupted: the devices handled are on stdout
)

// bulkFlags choose the devices of a bulk run and how it runs.
type bulkFlags struct {
	devicesFrom string
	allDevices  bool
	filter      applivery.ListDevicesOptions
	tags        stringList
	segment     optionalInt
	after       string
	concurrency int
	rate        float64
	burst       int
	dryRun      bool
}

// maxConcurrency bounds --concurrency: more workers than that only meet the
// API's rate limit sooner.
const maxConcurrency = 1000

// registerBulk adds the flags of a verb that can run on many devices.
//
// Every flag but --rate, --burst and --dry-run means something only for a run
// on many devices; their names go to c.bulkOnlyFlags, so that a
// single-device run can refuse them.
func (c *cli) registerBulk(flags *flag.FlagSet) {
	b := &c.bulkFlags
	before := map[string]bool{}
	flags.VisitAll(func(f *flag.Flag) { before[f.Name] = true })
	defer flags.VisitAll(func(f *flag.Flag) {
		if !before[f.Name] && f.Name != "rate" && f.Name != "burst" && f.Name != "dry-run" {
			c.bulkOnlyFlags = append(c.bulkOnlyFlags, f.Name)
		}
	})
	flags.StringVar(&b.devicesFrom, "devices-from", "", "a file of devices, one a line (- for stdin)")
	flags.BoolVar(&b.allDevices, "all-devices", false, "every device of the organization that the filters select")
	flags.Var(&b.tags, "tag", "with --all-devices: only devices with this tag; repeatable")
	flags.StringVar(&b.filter.MDMUser, "user", "", "with --all-devices: only devices of this MDM user")
	flags.StringVar(&b.filter.EMMPolicy, "policy", "", "with --all-devices: only devices under this policy")
	flags.Var(&b.segment, "segment", "with --all-devices: only devices of this segment")
	flags.StringVar(&b.after, "after", "", "skip the source's devices up to this one, included: resume a run that stopped")
	flags.IntVar(&b.concurrency, "concurrency", 8, "devices handled at once")
	flags.Float64Var(&b.rate, "rate", 0, "requests a second at most, all workers together, from the first; 0 for no limit")
	flags.IntVar(&b.burst, "burst", 1, "with --rate: requests that may go at once before the rate applies")
	flags.BoolVar(&b.dryRun, "dry-run", false, "print what would be done, and change nothing")
}

// bulk reports whether the command runs on many devices.
func (c *cli) bulk() bool {
	return c.bulkOnly || c.bulkCapable && (len(c.devices) > 1 || c.devicesFrom != "" || c.allDevices || c.dryRun)
}

// checkBulk refuses a bulk run's flags that cannot work together.
func (c *cli) checkBulk() error {
	sources := 0
	for _, set := range []bool{len(c.devices) > 0, c.devicesFrom != "", c.allDevices} {
		if set {
			sources++
		}
	}
	filtered := len(c.tags) > 0 || c.filter.MDMUser != "" || c.filter.EMMPolicy != "" || c.segment.value != nil
	switch {
	case sources == 0:
		return &usageError{"choose the devices: --device (repeatable), --devices-from FILE or --all-devices"}
	case sources > 1:
		return &usageError{"choose the devices one way: --device, --devices-from or --all-devices"}
	case filtered && !c.allDevices:
		return &usageError{"--tag, --user, --policy and --segment go with --all-devices"}
	case c.concurrency < 1 || c.concurrency > maxConcurrency:
		return &usageError{fmt.Sprintf("--concurrency %d: must be from 1 to %d", c.concurrency, maxConcurrency)}
	case c.after != "" && !c.allDevices && c.devicesFrom == "":
		return &usageError{"--after goes with --devices-from or --all-devices"}
	}
	return nil
}

// bulkResult is what a bulk job reports of a device that succeeded, beyond
// "device" and "ok".
type bulkResult map[string]any

// deviceIDRE is the pattern of a device named on the command line.
var deviceIDRE = regexp.MustCompile(applivery.DeviceIDPattern)

// runBulk runs job on every device the flags choose, concurrency at a time,
// each within the --timeout, and writes a line per device to stdout as each
// finishes: JSON ({"device": …, "ok": true, …} or {"device": …, "ok": false,
// "error": {"exit": n, "message": …}}) or text. Devices are streamed, never
// all loaded first, and taken from the source only when a worker is free,
// so every device taken has its line. A device named twice is done once.
//
// A source that cannot be read to its end (the listing fails, the file
// breaks) stops the intake: the devices in flight finish, a last line says
// the list is incomplete and after which device, and the run exits 12. A
// first interrupt does the same, with exit 130; an interrupt more than
// repeatWindow after the first aborts the calls in flight, whose lines then
// say exit 130. It returns an *exitError with the run's exit status.
func (c *cli) runBulk(ctx context.Context, client *applivery.Client, job func(ctx context.Context, device string) (bulkResult, error)) error {
	if err := c.checkBulk(); err != nil {
		return err
	}
	in := c.watchInterrupts()
	defer in.end()
	calls, abort := context.WithCancel(ctx)
	defer abort()
	// The listing of --all-devices ends at the first interrupt: a slow page
	// must not hold the run.
	listing, stopListing := context.WithCancel(calls)
	defer stopListing()
	go func() {
		select {
		case <-in.stop:
			stopListing()
		case <-listing.Done():
			return
		}
		select {
		case <-in.abort:
			abort()
		case <-calls.Done():
		}
	}()
	source, total, err := c.deviceSource(listing, client)
	if err != nil {
		return err
	}

	run := &bulkRun{cli: c, total: total, start: time.Now(), single: !c.bulkOnly && len(c.devices) == 1}
	work := make(chan string) // unbuffered: a device is taken when a worker is free
	var wg sync.WaitGroup
	workers := c.concurrency
	if total >= 0 {
		workers = min(workers, max(total, 1))
	}
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for device := range work {
				dctx, cancel := calls, context.CancelFunc(func() {})
				if c.perDevice > 0 {
					dctx, cancel = context.WithTimeout(calls, c.perDevice)
				}
				result, err := job(dctx, device)
				cancel()
				run.report(device, result, byInterrupt(err, in.aborted()))
			}
		}()
	}
	sourceErr := c.feed(source, in, run, work)
	close(work)
	wg.Wait()
	var usage *usageError
	if errors.As(sourceErr, &usage) {
		return usage // nothing was taken
	}
	return run.finish(sourceErr, in.stopped())
}

// sourced is one item of a device source.
type sourced struct {
	device string
	err    error
}

// feed takes the devices of source, in a goroutine of their own so that an
// interrupt is heard while the source blocks (stdin still open, a slow page),
// and hands each to a worker through work until the source ends, fails or
// the run is interrupted. Lines that are no device, and devices already
// taken, get their line at once. It returns the source's failure, if any.
func (c *cli) feed(source iter.Seq2[string, error], in *interrupts, run *bulkRun, work chan<- string) error {
	items, quit := make(chan sourced), make(chan struct{})
	defer close(quit)
	go func() {
		defer close(items)
		for device, err := range source {
			select {
			case items <- sourced{device, err}:
			case <-quit:
				return
			}
		}
	}()
	seen := map[string]bool{}
	resumed := c.after == ""
	for {
		var it sourced
		select {
		case next, ok := <-items:
			if !ok {
				if !resumed && !in.stopped() {
					return &usageError{fmt.Sprintf("--after %s: no such device in the list: nothing was done", c.after)}
				}
				return nil
			}
			it = next
		case <-in.stop:
			return nil
		}
		var srcErr *sourceError
		switch {
		case errors.As(it.err, &srcErr):
			return srcErr
		case !resumed:
			resumed = it.err == nil && it.device == c.after
			continue
		case it.err != nil:
			run.report(it.device, nil, it.err)
			continue
		case seen[it.device]:
			run.report(it.device, bulkResult{"skipped": "named before in this run: done once"}, nil)
			continue
		}
		seen[it.device] = true
		select {
		case work <- it.device:
			run.took(it.device)
		case <-in.stop:
			return nil
		}
	}
}

// bulkRun is the state of a bulk run: its counters and its output.
type bulkRun struct {
	cli   *cli
	total int // -1 when unknown
	start time.Time
	// single says that the run is on one device that --device named, for a
	// verb that otherwise works on one (create --dry-run): it ends with
	// that device's own status, not 11.
	single bool

	mu           sync.Mutex
	done, failed int
	lastErr      error
	after        string // the last device taken from the source
}

// took records that device was taken from the source, and handed to a
// worker.
func (r *bulkRun) took(device string) {
	r.mu.Lock()
	r.after = device
	r.mu.Unlock()
}

// report writes the line of one device, and redraws the progress line.
func (r *bulkRun) report(device string, result bulkResult, err error) {
	c := r.cli
	r.mu.Lock()
	defer r.mu.Unlock()
	r.done++
	if err != nil {
		r.failed++
		r.lastErr = err
	}
	var line string
	if c.output == "json" {
		line = jsonLine(device, result, err)
	} else {
		line = textLine(device, result, err)
	}
	r.println(line)
}

// println writes a line to stdout, above the progress line.
func (r *bulkRun) println(line string) {
	c := r.cli
	if c.stderrTerminal {
		fmt.Fprint(c.stderr, "\r\x1b[K") // the line goes above the progress
	}
	fmt.Fprintln(c.stdout, line)
	if c.stderrTerminal {
		fmt.Fprint(c.stderr, r.progress())
	}
}

// progress is the progress line: done/total when known, rate, failures,
// ETA when the total is known.
func (r *bulkRun) progress() string {
	elapsed := time.Since(r.start)
	rate := float64(r.done) / max(elapsed.Seconds(), 1e-3)
	s := fmt.Sprintf("%d", r.done)
	n := r.done
	if r.total >= 0 {
		s += fmt.Sprintf("/%d", r.total)
		n = r.total
	}
	s += fmt.Sprintf(" device%s, %.1f/s, %d failed", plural(n), rate, r.failed)
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
	summary := fmt.Sprintf("applivery: %d device%s: %d succeeded, %d failed, in %s",
		r.done, plural(r.done), r.done-r.failed, r.failed, time.Since(r.start).Round(time.Millisecond))
	var srcErr *sourceError
	switch {
	case interrupted:
		summary += "; interrupted: no more devices were taken, and every one taken is above"
		r.printEnd("interrupted", nil)
	case errors.As(sourceErr, &srcErr):
		r.printEnd("incomplete", srcErr)
		summary += fmt.Sprintf("; the device list is incomplete (%s)", srcErr)
	}
	if r.after != "" && (interrupted || srcErr != nil) {
		summary += fmt.Sprintf("; to go on, run again with --after %s", r.after)
	}
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

// printEnd writes the last line of a run that stopped before the end of
// its devices: {"interrupted": true, "after": …} or {"incomplete": true,
// "after": …, "error": {"exit": n, "message": …}}, or the same as text.
// after is the last device taken from the source, where a re-run with
// --after takes up.
func (r *bulkRun) printEnd(what string, srcErr *sourceError) {
	after := r.after
	if after == "" {
		after = r.cli.after // nothing taken since the point a re-run resumed at
	}
	if r.cli.output == "json" {
		line := fmt.Sprintf(`{%q:true,"after":%s`, what, jsonString(after))
		if srcErr != nil {
			line += fmt.Sprintf(`,"error":{"exit":%d,"message":%s}`, srcErr.exit, jsonString(srcErr.Error()))
		}
		r.println(line + "}")
		return
	}
	line := what + "\tafter " + cmp.Or(after, "-")
	if srcErr != nil {
		line += fmt.Sprintf("\texit %d\t%s", srcErr.exit, srcErr)
	}
	r.println(line)
}

// jsonString is s as a JSON string.
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// exitError ends the command with an exit status and nothing more to say.
type exitError struct{ code int }

func (e *exitError) Error() string { return "" }

// jsonLine is a device's line as a JSON object: "device" and "ok" first,
// then the result's members in order, or "error".
func jsonLine(device string, result bulkResult, err error) string {
	var b strings.Builder
	dev, _ := json.Marshal(device)
	b.WriteString(`{"device":`)
	b.Write(dev)
	if err != nil {
		msg, _ := json.Marshal(err.Error())
		fmt.Fprintf(&b, `,"ok":false,"error":{"exit":%d,"message":%s}}`, exitStatus(err), msg)
		return b.String()
	}
	b.WriteString(`,"ok":true`)
	keys := make([]string, 0, len(result))
	for k := range result {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v, merr := json.Marshal(result[k])
		if merr != nil {
			v, _ = json.Marshal(merr.Error())
		}
		fmt.Fprintf(&b, `,%q:%s`, k, v)
	}
	b.WriteByte('}')
	return b.String()
}

// textLine is a device's line as text: the device, "ok" or "failed", and
// what was done or what went wrong, tab-separated.
func textLine(device string, result bulkResult, err error) string {
	if err != nil {
		return fmt.Sprintf("%s\tfailed\texit %d\t%s", device, exitStatus(err), err)
	}
	var what []string
	if ids, ok := result["canceled"].([]string); ok {
		what = append(what, counted("canceled", ids))
	}
	if ids, ok := result["wouldCancel"].([]string); ok {
		what = append(what, counted("would cancel", ids))
	}
	if why, ok := result["skipped"].(string); ok {
		what = append(what, "skipped: "+why)
	}
	if cmd, ok := result["command"].(*applivery.Command); ok {
		what = append(what, fmt.Sprintf("command %s %s %s", cmd.ID, cmd.Type(), cmd.Status))
	}
	if typ, ok := result["wouldCreate"].(applivery.CommandType); ok {
		what = append(what, "would create "+string(typ))
	}
	return device + "\tok\t" + strings.Join(what, "; ")
}

// counted is "canceled 2: ID,ID", or "canceled 0" when ids is empty.
func counted(what string, ids []string) string {
	if len(ids) == 0 {
		return what + " 0"
	}
	return fmt.Sprintf("%s %d: %s", what, len(ids), strings.Join(ids, ","))
}
