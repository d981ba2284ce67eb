package transport

import (
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// clock is a settable time for a Budget.
type clock struct{ t atomic.Int64 }

func (c *clock) now() time.Time          { return time.Unix(c.t.Load(), 0) }
func (c *clock) advance(d time.Duration) { c.t.Add(int64(d / time.Second)) }

func newTestBudget(percent float64, minPerSecond int) (*Budget, *clock) {
	c := &clock{}
	c.t.Store(1_800_000_000)
	b := NewBudget(percent, minPerSecond)
	if b != nil {
		b.now = c.now
	}
	return b, c
}

// retries counts the retries b allows in a row.
func retries(b *Budget) int {
	n := 0
	for b.withdraw() {
		if n++; n > 1_000_000 {
			break
		}
	}
	return n
}

func TestBudgetShareOfFirstAttempts(t *testing.T) {
	t.Parallel()
	b, _ := newTestBudget(20, 0)
	for range 10 {
		b.deposit()
	}
	assert.Equal(t, 2, retries(b), "20 % of 10 first attempts")
	for range 5 {
		b.deposit()
	}
	assert.Equal(t, 1, retries(b), "20 % of 15, less the 2 already made")
}

func TestBudgetReserve(t *testing.T) {
	t.Parallel()
	b, c := newTestBudget(20, 10)
	assert.Equal(t, 100, retries(b), "10 a second over a 10 s window, with no traffic")
	c.advance(5 * time.Second)
	assert.Equal(t, 0, retries(b), "the window still holds them")
	c.advance(5 * time.Second)
	assert.Equal(t, 100, retries(b), "a window later, the retries of before no longer count")
}

func TestBudgetEdges(t *testing.T) {
	t.Parallel()
	none, _ := newTestBudget(0, 0)
	none.deposit()
	assert.False(t, none.withdraw(), "(0, 0) allows no retry")

	assert.Nil(t, NewBudget(math.Inf(1), 0), "an infinite share is no budget")
	var off *Budget
	off.deposit()
	assert.True(t, off.withdraw(), "no budget allows every retry")

	generous, _ := newTestBudget(300, 0)
	for range 10 {
		generous.deposit()
	}
	assert.Equal(t, 30, retries(generous), "more than 100 %")
}

func TestBudgetUnderConcurrency(t *testing.T) {
	t.Parallel()
	b, _ := newTestBudget(50, 0)
	var wg sync.WaitGroup
	var allowed atomic.Int64
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 1000 {
				b.deposit()
				if b.withdraw() {
					allowed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	assert.LessOrEqual(t, allowed.Load(), int64(4000), "never more than half of the 8000 first attempts")
	assert.Greater(t, allowed.Load(), int64(3000))
}

func TestBudgetExtremesSaturate(t *testing.T) {
	t.Parallel()
	const unbounded = 1_000_001 // retries stops counting there
	tests := []struct {
		name         string
		percent      float64
		minPerSecond int
		firsts       int
		want         int
	}{
		{"the largest reserve", 20, math.MaxInt, 0, unbounded},
		{"a reserve one past what the window can count", 0, math.MaxInt64/budgetWindow + 1, 0, unbounded},
		{"the largest reserve that the window counts exactly", 0, math.MaxInt64 / budgetWindow, 0, unbounded},
		{"the largest share", math.MaxFloat64, 0, 1, unbounded},
		{"the largest share and reserve", math.MaxFloat64, math.MaxInt, 3, unbounded},
		{"the largest share of nothing, no reserve", math.MaxFloat64, 0, 0, 0},
		{"the smallest share", math.SmallestNonzeroFloat64, 0, 1000, 0},
		{"no share, a reserve of one a second", 0, 1, 0, budgetWindow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, _ := newTestBudget(tt.percent, tt.minPerSecond)
			for range tt.firsts {
				b.deposit()
			}
			assert.Equal(t, tt.want, retries(b))
		})
	}
}
