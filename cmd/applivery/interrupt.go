package main

import (
	"context"
	"errors"
	"time"
)

// repeatWindow is how long after a first interrupt a second one counts as the
// same. Schedulers deliver one interrupt more than once: "timeout -s INT"
// signals the process and then its process group, and a terminal's Ctrl-C
// reaches every process of the foreground group. Only an interrupt that comes
// later is a person asking again, to abort.
const repeatWindow = time.Second

// interrupts are the two stages of an interrupt (SIGINT or SIGTERM): stop,
// closed at the first, and abort, closed at one that comes more than
// repeatWindow after the first.
type interrupts struct {
	stop, abort chan struct{}
	done        chan struct{}
}

// watchInterrupts follows the app's signals until the returned interrupts'
// end is called.
func (a *app) watchInterrupts() *interrupts {
	in := &interrupts{stop: make(chan struct{}), abort: make(chan struct{}), done: make(chan struct{})}
	now := a.now
	if now == nil {
		now = time.Now
	}
	go func() {
		var first time.Time
		select {
		case <-a.signals:
			first = now()
			close(in.stop)
		case <-in.done:
			return
		}
		for {
			select {
			case <-a.signals:
				if now().Sub(first) < repeatWindow {
					continue // the same interrupt, delivered again
				}
				close(in.abort)
				return
			case <-in.done:
				return
			}
		}
	}()
	return in
}

// end stops following the signals.
func (in *interrupts) end() { close(in.done) }

// stopped reports whether the first interrupt has come.
func (in *interrupts) stopped() bool { return closed(in.stop) }

// aborted reports whether an interrupt has asked to abort.
func (in *interrupts) aborted() bool { return closed(in.abort) }

func closed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// onInterrupt returns ctx, canceled at the first interrupt, and the
// interrupts, whose stopped tells afterwards whether that is what ended it.
func (a *app) onInterrupt(ctx context.Context) (context.Context, *interrupts, context.CancelFunc) {
	in := a.watchInterrupts()
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		select {
		case <-in.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, in, func() { cancel(); in.end() }
}

// byInterrupt returns err as an *interruptedError when an interrupt ended
// the call it came from (the call's context was canceled after one), else
// err as it is. A failure of its own, such as a 404 that came before the
// interrupt, keeps its status.
func byInterrupt(err error, interrupted bool) error {
	var already *interruptedError
	if !interrupted || !errors.Is(err, context.Canceled) || errors.As(err, &already) {
		return err
	}
	return &interruptedError{err: err}
}
