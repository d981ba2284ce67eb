package redislimit

import (
	"math"
	"testing"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A rate is written as a whole number of requests per a whole number of
// seconds, the smallest fraction equal to it: redis_rate's Rate is an int,
// and its script paces by Period/Rate, which must be 1/perSecond exactly.
func TestLimitForWritesTheRateExactly(t *testing.T) {
	for _, tc := range []struct {
		perSecond float64
		rate      int
		period    time.Duration
	}{
		{0.5, 1, 2 * time.Second},
		{1, 1, time.Second},
		{1900, 1900, time.Second},
		{2.5, 5, 2 * time.Second},
		{0.1, 1, 10 * time.Second},
		{1.0 / 3, 1, 3 * time.Second},
		{2.0 / 3, 2, 3 * time.Second},
		{475.25, 1901, 4 * time.Second},
		{1234.5678, 6172839, 5000 * time.Second},
		{1e-9, 1, 1e9 * time.Second},
		{1e9, 1e9, time.Second},
	} {
		got, err := limitFor(tc.perSecond, 3)
		require.NoError(t, err, "perSecond %v", tc.perSecond)
		assert.Equal(t, redis_rate.Limit{Rate: tc.rate, Burst: 3, Period: tc.period}, got, "perSecond %v", tc.perSecond)
	}
}

// A rate with more digits than a fraction within bounds can hold still gets
// one within a relative 1e-12 of it.
func TestLimitForApproximatesAnyRateClosely(t *testing.T) {
	for _, perSecond := range []float64{math.Pi, math.E * 1000, 1 / math.Sqrt2, 123456.789012345, 3.3e-7} {
		got, err := limitFor(perSecond, 1)
		require.NoError(t, err, "perSecond %v", perSecond)
		written := float64(got.Rate) / got.Period.Seconds()
		assert.InEpsilon(t, perSecond, written, 1e-12, "perSecond %v written as %v", perSecond, got)
	}
}

func TestLimitForRefusesRatesOutOfRange(t *testing.T) {
	for _, perSecond := range []float64{0, -1, math.NaN(), math.Inf(1), math.Inf(-1), 9e-10, 1.5e9} {
		_, err := limitFor(perSecond, 1)
		assert.ErrorContains(t, err, "perSecond", "perSecond %v", perSecond)
	}
	for _, burst := range []int{0, -1} {
		_, err := limitFor(1, burst)
		assert.ErrorContains(t, err, "burst", "burst %v", burst)
	}
}
