// Package backoff is the one schedule of waits of the applivery SDK: a wait
// that doubles from a minimum up to a maximum ([Exponential]), drawn
// uniformly from a band below it ([Jitter]), so that many clients that failed
// or started together do not retry or poll together. The retries of
// internal/transport and the polls of Wait both use it; each chooses its
// band.
package backoff

import (
	"math/rand/v2"
	"time"
)

// Exponential returns base·2^n capped at limit: the n-th wait (from 0) of a
// schedule that doubles from base. It never overflows: a base·2^n too large
// for a Duration is limit.
func Exponential(base, limit time.Duration, n int) time.Duration {
	d := base
	for i := 0; i < n && d < limit; i++ {
		d *= 2
	}
	if d > limit || d <= 0 {
		d = limit
	}
	return d
}

// Jitter returns a duration drawn uniformly from [lo, hi], or lo when hi is
// not above it.
func Jitter(lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	return lo + time.Duration(rand.Int64N(int64(hi-lo)+1))
}
