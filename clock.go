package applivery

import (
	"context"
	"time"
)

// clock is the time Wait reads and sleeps on. The zero clock is the real
// one; tests set its fields to check the schedule without waiting for it.
type clock struct {
	now   func() time.Time                                 // nil: time.Now
	sleep func(ctx context.Context, d time.Duration) error // nil: a timer
}

// Now returns the current time.
func (c clock) Now() time.Time {
	if c.now != nil {
		return c.now()
	}
	return time.Now()
}

// Sleep waits d, or until ctx ends, and then returns ctx's error.
func (c clock) Sleep(ctx context.Context, d time.Duration) error {
	if c.sleep != nil {
		return c.sleep(ctx, d)
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
	case <-timer.C:
	}
	return ctx.Err()
}
