package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"iter"
	"os"
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
	exitInterrupted = 130 // interrupted: the devices handled are on stdout
)

// bulkFlags choose the devices of a bulk run and how it runs.
type bulkFlags struct {
	devicesFrom string
	allDevices  bool
	filter      applivery.ListDevicesOptions
	tags        stringList
	segment     optionalInt
	concurrency int
	rate        float64
	dryRun      bool
}

// registerBulk adds the flags of a verb that can run on many devices.
//
// Every flag but --rate means something only for a run on many devices; their
// names go to c.bulkOnlyFlags, so that a single-device run can refuse them.
func (c *cli) registerBulk(flags *flag.FlagSet) {
	b := &c.bulkFlags
	before := map[string]bool{}
	flags.VisitAll(func(f *flag.Flag) { before[f.Name] = true })
	defer flags.VisitAll(func(f *flag.Flag) {
		if !before[f.Name] && f.Name != "rate" {
			c.bulkOnlyFlags = append(c.bulkOnlyFlags, f.Name)
		}
	})
	flags.StringVar(&b.devicesFrom, "devices-from", "", "a file of devices, one a line (- for stdin)")
	flags.BoolVar(&b.allDevices, "all-devices", false, "every device of the organization that the filters select")
	flags.Var(&b.tags, "tag", "with --all-devices: only devices with this tag; repeatable")
	flags.StringVar(&b.filter.MDMUser, "user", "", "with --all-devices: only devices of this MDM user")
	flags.StringVar(&b.filter.EMMPolicy, "policy", "", "with --all-devices: only devices under this policy")
	flags.Var(&b.segment, "segment", "with --all-devices: only devices of this segment")
	flags.IntVar(&b.concurrency, "concurrency", 8, "devices handled at once")
	flags.Float64Var(&b.rate, "rate", 0, "requests a second at most, all workers together; 0 for no limit")
	flags.BoolVar(&b.dryRun, "dry-run", false, "print what would be done, and change nothing")
}

// bulk reports whether the command runs on many devices.
func (c *cli) bulk() bool {
	return c.bulkOnly || c.bulkCapable && (len(c.devices) > 1 || c.devicesFrom != "" || c.allDevices)
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
	case c.concurrency < 1:
		return &usageError{fmt.Sprintf("--concurrency %d: must be 1 or more", c.concurrency)}
	case c.rate < 0:
		return &usageError{fmt.Sprintf("--rate %g: must be 0 (no limit) or more", c.rate)}
	}
	return nil
}

// bulkResult is what a bulk job reports of a device that succeeded, beyond
// "device" and "ok".
type bulkResult map[string]any

// deviceIDRE is the pattern of a device named on the command line.
var deviceIDRE = regexp.MustCompile(applivery.DeviceIDPattern)

// errBadLine is the failure of a line of a devices file that is no device.
type errBadLine struct{ line string }

// Is makes a bad line a usage error, as an invalid --device is.
func (e *errBadLine) Is(target error) bool { return target == applivery.ErrInvalidArgument }

func (e *errBadLine) Error() string {
	return fmt.Sprintf("applivery: %q is not a device ID, serial number or IMEI: it must match %s", e.line, applivery.DeviceIDPattern)
}

// deviceSource returns the devices the flags choose, streamed: a bad line
// of a file comes as an *errBadLine, and a failure to list as any other
// error, which ends the source. total is their number, or -1 when it is not
// known before the end.
func (c *cli) deviceSource(ctx context.Context, client *applivery.Client) (iter.Seq2[string, error], int, error) {
	switch {
	case len(c.devices) > 0:
		return func(yield func(string, error) bool) {
			for _, d := range c.devices {
				if !yield(d, nil) {
					return
				}
			}
		}, len(c.devices), nil
	case c.devicesFrom != "":
		var r io.Reader = c.stdin
		var file *os.File
		if c.devicesFrom != "-" {
			f, err := os.Open(c.devicesFrom)
			if err != nil {
				return nil, 0, &usageError{"--devices-from: " + err.Error()}
			}
			r, file = f, f
		}
		return func(yield func(string, error) bool) {
			if file != nil {
				defer file.Close()
			}
			lines := bufio.NewScanner(r)
			for lines.Scan() {
				line := strings.TrimSpace(lines.Text())
				if line == "" || strings.HasPrefix(line, "#") {
					continue
				}
				if !yield(line, nil) {
					return
				}
			}
			if err := lines.Err(); err != nil {
				yield("", fmt.Errorf("applivery: reading --devices-from: %w", err))
			}
		}, -1, nil
	}
	opts := c.filter
	opts.Tags, opts.SegmentID = c.tags, c.segment.value
	return func(yield func(string, error) bool) {
		for d, err := range client.AndroidDevices.ListAll(ctx, c.org, &opts) {
			if err != nil {
				yield("", err)
				return
			}
			if !yield(d.ID, nil) {
				return
			}
		}
	}, -1, nil
}

// runBulk runs job on every device the flags choose, concurrency at a time,
// each within the --timeout, and writes a line per device to stdout as each
// finishes: JSON ({"device": …, "ok": true, …} or {"device": …, "ok": false,
// "error": {"exit": n, "message": …}}) or text. Memory stays proportional to
// the concurrency: devices are streamed, never all loaded first. A first
// interrupt stops taking devices and lets the calls in flight finish; a
// second aborts them. It returns an *exitError with the run's exit status.
func (c *cli) runBulk(ctx context.Context, client *applivery.Client, job func(ctx context.Context, device string) (bulkResult, error)) error {
	if err := c.checkBulk(); err != nil {
		return err
	}
	source, total, err := c.deviceSource(ctx, client)
	if err != nil {
		return err
	}

	calls, abort := context.WithCancel(ctx)
	defer abort()
	intake := make(chan struct{})
	finished := make(chan struct{})
	defer close(finished)
	go func() {
		select {
		case <-c.signals:
			close(intake)
		case <-finished:
			return
		}
		select {
		case <-c.signals:
			abort()
		case <-finished:
		}
	}()

	run := &bulkRun{cli: c, total: total, start: time.Now()}
	work := make(chan string, c.concurrency)
	var wg sync.WaitGroup
	for range c.concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for device := range work {
				select {
				case <-intake:
					continue // queued, not started: a re-run takes it
				default:
				}
				dctx, cancel := calls, context.CancelFunc(func() {})
				if c.perDevice > 0 {
					dctx, cancel = context.WithTimeout(calls, c.perDevice)
				}
				result, err := job(dctx, device)
				cancel()
				run.report(device, result, err)
			}
		}()
	}
	var sourceErr error
feed:
	for device, err := range source {
		switch {
		case err != nil:
			sourceErr = err
			break feed
		case !deviceIDRE.MatchString(device):
			run.report(device, nil, &errBadLine{line: device})
			continue
		}
		select {
		case work <- device:
		case <-intake:
			break feed
		}
	}
	close(work)
	wg.Wait()
	interrupted := false
	select {
	case <-intake:
		interrupted = true
	default:
	}
	return run.finish(sourceErr, interrupted)
}

// bulkRun is the state of a bulk run: its counters and its output.
type bulkRun struct {
	cli   *cli
	total int // -1 when unknown
	start time.Time

	mu           sync.Mutex
	done, failed int
}

// report writes the line of one device, and redraws the progress line.
func (r *bulkRun) report(device string, result bulkResult, err error) {
	c := r.cli
	r.mu.Lock()
	defer r.mu.Unlock()
	r.done++
	if err != nil {
		r.failed++
	}
	var line string
	if c.output == "json" {
		line = jsonLine(device, result, err)
	} else {
		line = textLine(device, result, err)
	}
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
	if r.total >= 0 {
		s += fmt.Sprintf("/%d", r.total)
	}
	s += fmt.Sprintf(" devices, %.1f/s, %d failed", rate, r.failed)
	if r.total >= 0 && rate > 0 {
		s += ", ETA " + (time.Duration(float64(r.total-r.done)/rate) * time.Second).Round(time.Second).String()
	}
	return s
}

// finish writes the summary and returns the run's exit status as an error.
func (r *bulkRun) finish(sourceErr error, interrupted bool) error {
	c := r.cli
	if c.stderrTerminal {
		fmt.Fprint(c.stderr, "\r\x1b[K")
	}
	summary := fmt.Sprintf("applivery: %d device%s: %d succeeded, %d failed, in %s",
		r.done, plural(r.done), r.done-r.failed, r.failed, time.Since(r.start).Round(time.Millisecond))
	if interrupted {
		summary += "; interrupted: no more devices were taken, and the ones handled are above"
	}
	fmt.Fprintln(c.stderr, summary)
	switch {
	case sourceErr != nil && r.done == 0:
		return sourceErr // nothing was tried: the failure's own status
	case sourceErr != nil:
		fmt.Fprintln(c.stderr, sourceErr)
		return &exitError{code: exitSomeFailed}
	case interrupted:
		return &exitError{code: exitInterrupted}
	case r.failed > 0:
		return &exitError{code: exitSomeFailed}
	}
	return nil
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
		what = append(what, fmt.Sprintf("canceled %d: %s", len(ids), strings.Join(nonNil(ids), ",")))
	}
	if ids, ok := result["wouldCancel"].([]string); ok {
		what = append(what, fmt.Sprintf("would cancel %d: %s", len(ids), strings.Join(ids, ",")))
	}
	if cmd, ok := result["command"].(*applivery.Command); ok {
		what = append(what, fmt.Sprintf("command %s %s %s", cmd.ID, cmd.Type(), cmd.Status))
	}
	if typ, ok := result["wouldCreate"].(applivery.CommandType); ok {
		what = append(what, "would create "+string(typ))
	}
	return device + "\tok\t" + strings.Join(what, "; ")
}
