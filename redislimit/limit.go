package redislimit

import (
	"fmt"
	"math"
	"time"

	"github.com/go-redis/redis_rate/v10"
)

// The rates New accepts: from one request in about 31 years to a billion a
// second. Outside them the rate cannot be written as a whole number of
// requests per a whole number of seconds that redis_rate and time.Duration
// can hold.
const (
	minPerSecond = 1e-9
	maxPerSecond = 1e9
)

// maxTerm bounds both numbers of the fraction limitFor finds: the requests
// (redis_rate.Limit.Rate, an int) and the seconds of the period (a
// time.Duration holds up to about 9.2e9 s).
const maxTerm = 1e9

// limitFor writes perSecond as a redis_rate.Limit: Rate requests per a
// Period of a whole number of seconds, the smallest such fraction equal to
// perSecond, so that the emission interval redis_rate's script computes,
// Period/Rate, is 1/perSecond exactly: 0.5 is 1 per 2 s, 2.5 is 5 per 2 s,
// 1900 is 1900 per 1 s, 1/3 is 1 per 3 s. redis_rate's Rate is an int:
// a fractional rate cannot be written as Rate per second.
//
// The fraction is the last convergent of perSecond's continued fraction
// whose terms stay within maxTerm; it stops at the first one equal to
// perSecond as a float64. A float64 that no such fraction equals (one with
// more than nine significant digits, say) gets the nearest of them, within
// a relative 1e-12 or so.
func limitFor(perSecond float64, burst int) (redis_rate.Limit, error) {
	if math.IsNaN(perSecond) || perSecond < minPerSecond || perSecond > maxPerSecond {
		return redis_rate.Limit{}, fmt.Errorf("perSecond is %v: it must be a number from %g to %g", perSecond, minPerSecond, maxPerSecond)
	}
	if burst < 1 {
		return redis_rate.Limit{}, fmt.Errorf("burst is %d: it must be 1 or more", burst)
	}
	// Convergents h/k of perSecond's continued fraction [a0; a1, a2, …]:
	// h(n) = a(n)·h(n-1) + h(n-2), k(n) = a(n)·k(n-1) + k(n-2), with
	// h(-1)/k(-1) = 1/0 and h(-2)/k(-2) = 0/1.
	hPrev, h := 0.0, 1.0
	kPrev, k := 1.0, 0.0
	x := perSecond
	for range 64 {
		a := math.Floor(x)
		hNext, kNext := a*h+hPrev, a*k+kPrev
		if hNext > maxTerm || kNext > maxTerm {
			break
		}
		hPrev, h = h, hNext
		kPrev, k = k, kNext
		frac := x - a
		if h/k == perSecond || frac == 0 {
			break
		}
		x = 1 / frac
	}
	if k == 0 || h < 1 {
		// Only for rates at the very ends of the range, where the first
		// convergent is already out of bounds.
		return redis_rate.Limit{}, fmt.Errorf("perSecond is %v: it cannot be written as requests per a period of at most %g s", perSecond, float64(maxTerm))
	}
	return redis_rate.Limit{
		Rate:   int(h),
		Burst:  burst,
		Period: time.Duration(k) * time.Second,
	}, nil
}
