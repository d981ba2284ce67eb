package applivery

import (
	"context"
	"time"
)

// SetClock makes Wait read the time with now and sleep with sleep, for the
// tests of package applivery_test: a fake clock checks Wait's schedule
// without waiting for it. sleep must return ctx's error.
func SetClock(c *Client, now func() time.Time, sleep func(ctx context.Context, d time.Duration) error) {
	c.core.clock = clock{now: now, sleep: sleep}
}
