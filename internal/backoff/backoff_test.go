package backoff_test

import (
	"math"
	"testing"
	"time"

	"github.com/applivery/applivery-go/internal/backoff"
	"github.com/stretchr/testify/assert"
)

func TestExponential(t *testing.T) {
	t.Parallel()
	for n, want := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 10 * time.Second, 10 * time.Second} {
		assert.Equal(t, want, backoff.Exponential(time.Second, 10*time.Second, n), "n=%d", n)
	}
	assert.Equal(t, time.Hour, backoff.Exponential(time.Millisecond, time.Hour, 1000), "no overflow past 2^63")
	assert.Equal(t, time.Duration(math.MaxInt64), backoff.Exponential(math.MaxInt64/2+1, math.MaxInt64, 1), "an overflow is the limit")
	assert.Equal(t, time.Second, backoff.Exponential(time.Second, time.Second, 3), "equal bounds")
}

func TestJitter(t *testing.T) {
	t.Parallel()
	seen := map[time.Duration]bool{}
	for range 500 {
		d := backoff.Jitter(time.Second, 2*time.Second)
		assert.GreaterOrEqual(t, d, time.Second)
		assert.LessOrEqual(t, d, 2*time.Second)
		seen[d] = true
	}
	assert.Greater(t, len(seen), 100, "drawn, not fixed")
	assert.Equal(t, time.Second, backoff.Jitter(time.Second, time.Second), "an empty band")
	assert.Equal(t, time.Second, backoff.Jitter(time.Second, time.Millisecond), "a band upside down")
	d := backoff.Jitter(0, math.MaxInt64-1)
	assert.GreaterOrEqual(t, d, time.Duration(0), "the widest band does not overflow")
}
