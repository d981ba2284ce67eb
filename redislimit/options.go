package redislimit

import (
	"context"
	"time"
)

// DefaultKeyPrefix goes before the key given to New, so that the limiter's
// Redis key, "rate:applivery:ratelimit:" + key ("rate:" is redis_rate's own
// prefix), does not collide with the other keys of a shared Redis.
const DefaultKeyPrefix = "applivery:ratelimit:"

// An Option changes a Limiter made by New.
type Option func(*config)

// config is what New's options set, and the seams the tests use.
type config struct {
	prefix   string
	fallback *fallbackConfig // nil: fail closed
	onError  func(error)     // nil: none

	// Seams for the tests: the clock, the sleep between asks, and how long
	// the local fallback is used before Redis is asked again.
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
	probe time.Duration
}

type fallbackConfig struct {
	perSecond float64
	burst     int
}

// probeInterval is how long a limiter with a local fallback keeps to its
// local bucket after Redis failed, before it asks Redis again.
const probeInterval = time.Second

func defaultConfig() config {
	return config{
		prefix: DefaultKeyPrefix,
		now:    time.Now,
		sleep:  sleep,
		probe:  probeInterval,
	}
}

// WithKeyPrefix replaces [DefaultKeyPrefix]: the limiter's Redis key is
// "rate:" + prefix + key. Limiters share their quota when their prefix and
// key are both the same. The prefix may be empty.
func WithKeyPrefix(prefix string) Option {
	return func(c *config) { c.prefix = prefix }
}

// WithLocalFallback makes the limiter fall back to a bucket of its own,
// in this process (golang.org/x/time/rate), while Redis cannot answer: Wait
// then paces its caller at perSecond, at most burst at once, and returns
// nil, instead of failing with [ErrUnavailable]. After a failed round trip
// the limiter keeps to the local bucket for a second, then asks Redis again:
// while Redis is down it costs at most one failed round trip a second, and
// when Redis is back, the next round trip to succeed puts the shared quota
// back in charge.
//
// perSecond should be this process's share of the quota: the quota divided
// by the number of processes that share it, so that all of them on their
// fallback together stay within it. The processes do not know of each other
// while Redis is down, so a share that is too large overruns the quota
// (the 429s the limiter is there to avoid), one too small leaves it unused.
// When Redis goes down or comes back, some processes may be on Redis and
// some on their bucket for up to a second, and together exceed the quota by
// up to their local rates.
//
// perSecond and burst are checked like New's: New fails when they are out
// of range.
func WithLocalFallback(perSecond float64, burst int) Option {
	return func(c *config) { c.fallback = &fallbackConfig{perSecond: perSecond, burst: burst} }
}

// WithRedisErrorHook has f called with every error of a round trip to Redis
// that is not the caller's context ending: to log it, or count it, since a
// limiter with [WithLocalFallback] hides the errors from its callers. f may be
// called from several goroutines at once, and after the Wait that made the
// round trip has returned (when its context ended first). A nil f calls
// nothing.
func WithRedisErrorHook(f func(err error)) Option {
	return func(c *config) { c.onError = f }
}

// sleep waits d and returns nil, or returns ctx's error when ctx ends first.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
