package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"iter"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/applivery/applivery-go"
)

// bulkFlags choose the devices of a run on many devices, and how it runs.
type bulkFlags struct {
	// alwaysMany says that the command always runs on many devices
	// (cancel-pending); others (create) do when given many.
	alwaysMany bool
	// list lists the devices of --all-devices: the organization's devices
	// of the command's platform that the filters select.
	list deviceLister

	devicesFrom string
	allDevices  bool
	filter      deviceFilter
	after       string
	concurrency int
	dryRun      bool

	// rows, when set, makes the run one over the rows of a file that
	// --from (its fromFlag) names rather than over devices: it reads them
	// in place of readDevices, yielding each row's key (an email). The
	// line names the key under key ("email"), and the summary counts noun
	// ("user"). Such a run takes no --device and no --all-devices.
	rows     func(r io.Reader, yield func(string, error) bool)
	fromFlag string
	key      string
	noun     string
	// onlyMany are the flags a run on one refuses; bulkOnlyFlags when nil.
	onlyMany []string
}

// registerRows adds the flags of a run over the rows of a file: the file
// under the name from, and --after, --concurrency and --dry-run.
func (b *bulkFlags) registerRows(flags *flag.FlagSet, from, usage string) {
	b.fromFlag, b.key, b.noun = from, "email", "user"
	b.onlyMany = []string{"after", "concurrency"}
	flags.StringVar(&b.devicesFrom, from, "", usage)
	flags.StringVar(&b.after, "after", "", "skip the rows up to this `EMAIL`, its own included: a re-run takes up after the one a stopped run's last line names")
	flags.IntVar(&b.concurrency, "concurrency", 8, "`N` rows handled at once, at most 1000")
	flags.BoolVar(&b.dryRun, "dry-run", false, "check each row and say what would be done; change nothing")
}

// deviceFilter is what --tag, --user, --policy and --segment select of the
// organization's devices, whatever their platform.
type deviceFilter struct {
	tags         stringList
	user, policy string
	segment      optionalInt
}

// A deviceLister lists the IDs of the organization's devices of one platform
// that f selects, page after page as the loop reaches them; an error is
// yielded once and ends it.
type deviceLister func(ctx context.Context, client *applivery.Client, org string, f *deviceFilter) iter.Seq2[string, error]

// androidDevices lists the organization's Android devices.
func androidDevices(ctx context.Context, client *applivery.Client, org string, f *deviceFilter) iter.Seq2[string, error] {
	opts := &applivery.ListDevicesOptions{Tags: f.tags, MDMUser: f.user, EMMPolicy: f.policy, SegmentID: f.segment.value}
	return deviceIDs(client.AndroidDevices.ListAll(ctx, org, opts), func(d *applivery.Device) string { return d.ID })
}

// appleDevices lists the organization's Apple devices: --policy is their
// ADM policy.
func appleDevices(ctx context.Context, client *applivery.Client, org string, f *deviceFilter) iter.Seq2[string, error] {
	opts := &applivery.ListAppleDevicesOptions{Tags: f.tags, MDMUser: f.user, ADMPolicy: f.policy, SegmentID: f.segment.value}
	return deviceIDs(client.AppleDevices.ListAll(ctx, org, opts), func(d *applivery.AppleDevice) string { return d.ID })
}

// deviceIDs are the IDs of the devices of a listing, and its error.
func deviceIDs[D any](devices iter.Seq2[*D, error], id func(*D) string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		for d, err := range devices {
			if err != nil {
				yield("", err)
				return
			}
			if !yield(id(d), nil) {
				return
			}
		}
	}
}

// maxConcurrency bounds --concurrency: more workers than that only meet the
// API's rate limit sooner.
const maxConcurrency = 1000

// bulkOnlyFlags are the flags of registerBulk that mean something only for a
// run on many devices: a run on one refuses them. (--dry-run makes a run on
// one device a run of its own.)
var bulkOnlyFlags = []string{"devices-from", "all-devices", "tag", "user", "policy", "segment", "after", "concurrency"}

// registerBulk adds the flags of a command that can run on many devices.
func (b *bulkFlags) register(flags *flag.FlagSet) {
	flags.StringVar(&b.devicesFrom, "devices-from", "", "a `FILE` of devices, one ID, serial number or IMEI a line (- for stdin)")
	flags.BoolVar(&b.allDevices, "all-devices", false, "every device of the organization that the filters select")
	flags.Var(&b.filter.tags, "tag", "with --all-devices: only devices with this `TAG`; repeatable")
	flags.StringVar(&b.filter.user, "user", "", "with --all-devices: only devices of this MDM user, by `ID` (24 hex digits)")
	flags.StringVar(&b.filter.policy, "policy", "", "with --all-devices: only devices under this policy, by `ID` (24 hex digits)")
	flags.Var(&b.filter.segment, "segment", "with --all-devices: only devices of segment `N`")
	flags.StringVar(&b.after, "after", "", "skip the devices up to this one, itself included: a re-run takes up after the `DEVICE` a stopped run's last line names")
	flags.IntVar(&b.concurrency, "concurrency", 8, "`N` devices handled at once, at most 1000")
	flags.BoolVar(&b.dryRun, "dry-run", false, "read each device and print what would be done; change nothing")
}

// many reports whether the command runs on many devices: it always does,
// or the flags choose more than one device, or a dry run, which runs as a
// run on many devices does.
func (b *bulkFlags) many(c *cli) bool {
	return b.alwaysMany || len(c.devices) > 1 || b.devicesFrom != "" || b.allDevices || b.dryRun
}

// check refuses the flags of a run on many devices that cannot work
// together.
func (b *bulkFlags) check(c *cli) error {
	if b.rows != nil {
		return b.checkRows(c)
	}
	sources := 0
	for _, set := range []bool{len(c.devices) > 0, b.devicesFrom != "", b.allDevices} {
		if set {
			sources++
		}
	}
	f := &b.filter
	filtered := len(f.tags) > 0 || f.user != "" || f.policy != "" || f.segment.value != nil
	switch {
	case sources == 0:
		return &usageError{"choose the devices: --device (repeatable), --devices-from FILE or --all-devices"}
	case sources > 1:
		return &usageError{"choose the devices one way: --device, --devices-from or --all-devices"}
	case filtered && !b.allDevices:
		return &usageError{"--tag, --user, --policy and --segment go with --all-devices"}
	case b.concurrency < 1 || b.concurrency > maxConcurrency:
		return &usageError{fmt.Sprintf("--concurrency %d: must be from 1 to %d", b.concurrency, maxConcurrency)}
	case b.after != "" && !b.allDevices && b.devicesFrom == "":
		return &usageError{"--after goes with --devices-from or --all-devices"}
	}
	return nil
}

// checkRows refuses the flags of a run over the rows of a file that cannot
// work together.
func (b *bulkFlags) checkRows(c *cli) error {
	switch {
	case len(c.devices) > 0:
		return &usageError{"--device: this command takes no device"}
	case b.devicesFrom == "":
		return &usageError{fmt.Sprintf("--dry-run, --after and --concurrency go with --%s FILE", b.fromFlag)}
	case b.concurrency < 1 || b.concurrency > maxConcurrency:
		return &usageError{fmt.Sprintf("--concurrency %d: must be from 1 to %d", b.concurrency, maxConcurrency)}
	}
	return nil
}

// source returns the devices the flags choose, streamed: a line of a
// file that is no device comes as a *badLineError, which the run reports and
// goes on, and a source that cannot be read to its end as a *sourceError,
// which ends it. total is their number, or -1 when it is not known before
// the end. The listing of --all-devices is b.list's, and runs within ctx.
func (b *bulkFlags) source(ctx context.Context, c *cli, client *applivery.Client) (iter.Seq2[string, error], int, error) {
	switch {
	case len(c.devices) > 0:
		return func(yield func(string, error) bool) {
			for _, d := range c.devices {
				if !yield(d, nil) {
					return
				}
			}
		}, len(c.devices), nil
	case b.devicesFrom != "":
		r, closer, err := b.open(c)
		if err != nil {
			return nil, 0, err
		}
		read := b.rows
		if read == nil {
			read = readDevices
		}
		return func(yield func(string, error) bool) {
			defer closer()
			read(r, yield)
		}, -1, nil
	}
	return func(yield func(string, error) bool) {
		for d, err := range b.list(ctx, client, c.org, &b.filter) {
			if err != nil {
				yield("", &sourceError{err: fmt.Errorf("applivery: listing the devices: %w", err), exit: exitStatus(err)})
				return
			}
			if !yield(d, nil) {
				return
			}
		}
	}, -1, nil
}

// open opens --devices-from: stdin for "-", else the file, which must not
// be a directory (refused before anything is sent).
func (b *bulkFlags) open(c *cli) (io.Reader, func(), error) {
	if b.devicesFrom == "-" {
		return c.stdin, func() {}, nil
	}
	name := "--" + cmp.Or(b.fromFlag, "devices-from")
	f, err := os.Open(b.devicesFrom)
	if err != nil {
		return nil, nil, &usageError{name + ": " + err.Error()}
	}
	if info, err := f.Stat(); err == nil && info.IsDir() {
		f.Close()
		return nil, nil, &usageError{fmt.Sprintf("%s %s: is a directory, not a file of %ss", name, b.devicesFrom, b.nounOr())}
	}
	return f, func() { f.Close() }, nil
}

// nounOr is what the run goes over: "device" unless b says otherwise.
func (b *bulkFlags) nounOr() string { return cmp.Or(b.noun, "device") }

// haltError is the failure of one device that makes going on pointless
// (the organization's limit of tokens is reached): that device's line says
// it, and the run stops taking devices as when its source breaks (exit 12).
type haltError struct{ err error }

func (e *haltError) Error() string { return e.err.Error() }
func (e *haltError) Unwrap() error { return e.err }

// errHalted is feed's answer when a job halted the run.
var errHalted = errors.New("halted")

// A job is a command's work on one device: the line it reports on success.
type job func(ctx context.Context, device string) (*bulkLine, error)

// forEach runs job on every device the flags choose, concurrency at a time,
// each within the --timeout, and writes a line per device to stdout as each
// finishes (see bulkLine). Devices are streamed, never all loaded first, and
// taken from the source only when a worker is free, so every device taken
// has its line. A device named twice in the same spelling is done once
// (its serial number and its ID are two names: no GET per device tells them
// one); the devices --after skips count as named.
//
// A source that cannot be read to its end (the listing fails, the file
// breaks) stops the intake: the devices in flight finish, a last line says
// the list is incomplete and after which device, and the run exits 12. A
// first interrupt does the same, with exit 130; an interrupt more than
// repeatWindow after the first aborts the calls in flight, whose lines then
// say exit 130. It returns an *exitError with the run's exit status.
func (b *bulkFlags) forEach(ctx context.Context, c *cli, client *applivery.Client, work job) error {
	if err := b.check(c); err != nil {
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
	source, total, err := b.source(listing, c, client)
	if err != nil {
		return err
	}

	r := &bulkRun{cli: c, after: b.after, total: total, start: time.Now(),
		single: !b.alwaysMany && len(c.devices) == 1, key: b.key, noun: b.nounOr()}
	h := &halt{c: make(chan struct{})}
	devices := make(chan string) // unbuffered: a device is taken when a worker is free
	var wg sync.WaitGroup
	workers := b.concurrency
	if total >= 0 {
		workers = min(workers, max(total, 1))
	}
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for device := range devices {
				dctx, cancel := calls, context.CancelFunc(func() {})
				if c.perDevice > 0 {
					dctx, cancel = context.WithTimeout(calls, c.perDevice)
				}
				line, err := work(dctx, device)
				cancel()
				h.on(err)
				r.report(device, line, byInterrupt(err, in.aborted()))
			}
		}()
	}
	sourceErr := b.feed(source, in, h.c, r, devices)
	close(devices)
	wg.Wait()
	var usage *usageError
	if errors.As(sourceErr, &usage) {
		return usage // nothing was taken
	}
	if errors.Is(sourceErr, errHalted) {
		sourceErr = h.err
	}
	return r.finish(sourceErr, in.stopped())
}

// halt is the stop of a run that a job's *haltError asks for: c is closed
// at the first, and err is its end, as a broken source's.
type halt struct {
	once sync.Once
	c    chan struct{}
	err  *sourceError
}

// on halts the run when err is a *haltError.
func (h *halt) on(err error) {
	var he *haltError
	if errors.As(err, &he) {
		h.once.Do(func() {
			h.err = &sourceError{err: he.err, exit: exitStatus(he.err), halted: true}
			close(h.c)
		})
	}
}

// sourced is one item of a device source.
type sourced struct {
	device string
	err    error
}

// feed takes the devices of source, in a goroutine of their own so that an
// interrupt is heard while the source blocks (stdin still open, a slow page),
// and hands each to a worker through devices until the source ends, fails
// or the run is interrupted. Lines that are no device, and devices already
// taken, get their line at once. It returns the source's failure, if any.
func (b *bulkFlags) feed(source iter.Seq2[string, error], in *interrupts, halted <-chan struct{}, r *bulkRun, devices chan<- string) error {
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
	resumed := b.after == ""
	for {
		var it sourced
		select {
		case next, ok := <-items:
			if !ok {
				if !resumed && !in.stopped() {
					return &usageError{fmt.Sprintf("--after %s: no such %s in the list: nothing was done", b.after, b.nounOr())}
				}
				return nil
			}
			it = next
		case <-in.stop:
			return nil
		case <-halted:
			return errHalted
		}
		var (
			srcErr *sourceError
			usage  *usageError
			dup    *duplicateRow
		)
		switch {
		case errors.As(it.err, &srcErr):
			return srcErr
		case errors.As(it.err, &usage):
			return usage // a file that is none of the run's, seen before any row
		case !resumed:
			// The run that stopped took this row, or skipped it as named
			// before: a later row naming it again is skipped as that run
			// would have.
			if it.err == nil {
				seen[b.keyOf(it.device)] = true
				resumed = b.keyOf(it.device) == b.keyOf(b.after)
			}
			continue
		case errors.As(it.err, &dup):
			r.skip(it.device, dup.Error())
			continue
		case it.err != nil:
			r.report(it.device, nil, it.err)
			continue
		case seen[b.keyOf(it.device)]:
			r.skip(it.device, "named before in this run: done once")
			continue
		}
		seen[b.keyOf(it.device)] = true
		select {
		case devices <- it.device:
			r.took(it.device)
		case <-in.stop:
			return nil
		case <-halted:
			return errHalted
		}
	}
}

// keyOf is what tells one device or row from another: a device ID as it
// is, a row's email whatever its letter case, as the API looks it up.
func (b *bulkFlags) keyOf(device string) string {
	if b.rows != nil {
		return strings.ToLower(device)
	}
	return device
}

// bulkHelp is the help every command on many devices shares.
const bulkHelp = `
A run on many devices handles --concurrency of them at once, at most --rate
requests a second, and writes a line per device as it finishes (JSON with
--output json). --dry-run changes nothing. A device named twice in the same
spelling is done once; its serial number and its ID are two devices: give
each device once. A run that stops early (the device list broke: exit 12; an
interrupt: 130) ends with a line naming the device --after takes up after. A
second interrupt, a second or more after the first, aborts those in flight.`

// bulkExits are the exit statuses of a run on many devices.
var bulkExits = []int{exitSomeFailed, exitIncomplete}
