package applivery

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestPollWaitGrowsJitteredWithinBounds(t *testing.T) {
	t.Parallel()
	const minWait, maxWait = 2 * time.Second, time.Minute
	for n, hi := range []time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 32 * time.Second, time.Minute, time.Minute} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			t.Parallel()
			seen := map[time.Duration]bool{}
			for range 300 {
				w := pollWait(minWait, maxWait, n)
				assert.GreaterOrEqual(t, w, hi*3/4)
				assert.LessOrEqual(t, w, hi)
				seen[w] = true
			}
			assert.Greater(t, len(seen), 50, "jittered")
		})
	}
	w := pollWait(time.Millisecond, time.Minute, 1000) // no overflow past 2^63
	assert.GreaterOrEqual(t, w, 45*time.Second)
	assert.LessOrEqual(t, w, time.Minute)
}

// worstPolls is how many polls Wait makes, at most, for a command applied
// after applied: every wait as short as the jitter makes it.
func worstPolls(minWait, maxWait, applied time.Duration) int {
	polls, at := 1, time.Duration(0)
	for n := 0; at < applied; n++ {
		w := minWait
		for i := 0; i < n && w < maxWait; i++ {
			w *= 2
		}
		at += min(w, maxWait) * 3 / 4
		polls++
	}
	return polls
}

func TestWaitCostWithTheDefaults(t *testing.T) {
	t.Parallel()
	minWait, maxWait, err := (*WaitOptions)(nil).intervals()
	assert.NoError(t, err)
	assert.Equal(t, 2*time.Second, minWait)
	assert.Equal(t, time.Minute, maxWait)
	assert.Equal(t, 6, worstPolls(minWait, maxWait, 30*time.Second), "a command applied after 30 s")
	assert.Equal(t, 85, worstPolls(minWait, maxWait, time.Hour), "a command applied after an hour")
}

func TestWaitIntervals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		give     *WaitOptions
		min, max time.Duration
	}{
		{nil, 2 * time.Second, time.Minute},
		{&WaitOptions{}, 2 * time.Second, time.Minute},
		{&WaitOptions{MinInterval: time.Second}, time.Second, time.Minute},
		{&WaitOptions{MinInterval: 5 * time.Minute}, 5 * time.Minute, 5 * time.Minute},
		{&WaitOptions{MaxInterval: 10 * time.Second}, 2 * time.Second, 10 * time.Second},
		{&WaitOptions{MinInterval: time.Second, MaxInterval: time.Second}, time.Second, time.Second},
	}
	for _, tt := range tests {
		minWait, maxWait, err := tt.give.intervals()
		assert.NoError(t, err)
		assert.Equal(t, tt.min, minWait, "%+v", tt.give)
		assert.Equal(t, tt.max, maxWait, "%+v", tt.give)
	}
}

func TestLastPollMargin(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		total time.Duration
		want  time.Duration
	}{
		{"a tenth of 5 s", 5 * time.Second, 500 * time.Millisecond},
		{"a tenth of 800 ms", 800 * time.Millisecond, 80 * time.Millisecond},
		{"at most a second", time.Minute, time.Second},
		{"at most a second, whatever the budget", 24 * time.Hour, time.Second},
		{"no time at all", 0, 0},
		{"a deadline already past", -time.Second, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, lastPollMargin(tt.total))
		})
	}
}
