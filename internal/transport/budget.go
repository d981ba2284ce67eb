package transport

import (
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// budgetWindow is how far back a Budget counts attempts, in seconds.
const budgetWindow = 10

// Budget bounds the retries of all the calls of a client together, as
// Finagle's and gRPC's retry budgets do: over the last budgetWindow seconds,
// retries may be at most a share of the first attempts, plus a reserve for
// a client that sends little. During an outage, when every attempt fails,
// the client's attempts then stay near its first attempts instead of being
// multiplied by the retries each call may make. It is safe for concurrent
// use; a nil *Budget allows every retry.
type Budget struct {
	ratio   float64 // retries allowed per first attempt
	reserve int64   // retries allowed in a window whatever the traffic
	now     func() time.Time

	mu      sync.Mutex                 // taken by a retry, and to start a new second
	buckets [budgetWindow]budgetBucket // one a second, by Unix second modulo the window
}

// budgetBucket counts one second. Its counters are atomic, so that the first
// attempt of every call, the hot path, takes no lock.
type budgetBucket struct {
	second          atomic.Int64
	firsts, retries atomic.Int64
}

// NewBudget returns a Budget that allows, over a window of budgetWindow
// seconds, percent of the first attempts as retries, plus minPerSecond
// retries a second. An infinite percent means no budget: it returns nil.
// The reserve saturates: a minPerSecond too large to count over the window
// (math.MaxInt, say) allows every retry rather than wrapping around to a
// negative reserve that would allow none.
func NewBudget(percent float64, minPerSecond int) *Budget {
	if math.IsInf(percent, 1) {
		return nil
	}
	reserve := int64(math.MaxInt64)
	if int64(minPerSecond) <= math.MaxInt64/budgetWindow {
		reserve = int64(minPerSecond) * budgetWindow
	}
	return &Budget{ratio: percent / 100, reserve: reserve, now: time.Now}
}

// bucket returns the current second's bucket, emptied if it held an older
// second. locked says whether the caller holds b.mu.
func (b *Budget) bucket(second int64, locked bool) *budgetBucket {
	k := &b.buckets[second%budgetWindow]
	if k.second.Load() != second {
		if !locked {
			b.mu.Lock()
			defer b.mu.Unlock()
		}
		if k.second.Load() != second {
			k.firsts.Store(0)
			k.retries.Store(0)
			k.second.Store(second)
		}
	}
	return k
}

// deposit counts a call's first attempt.
func (b *Budget) deposit() {
	if b == nil {
		return
	}
	b.bucket(b.now().Unix(), false).firsts.Add(1)
}

// withdraw reports whether a retry is allowed, and counts it if it is.
func (b *Budget) withdraw() bool {
	if b == nil {
		return true
	}
	second := b.now().Unix()
	b.mu.Lock()
	defer b.mu.Unlock()
	var firsts, retries int64
	for i := range b.buckets {
		if k := &b.buckets[i]; k.second.Load() > second-budgetWindow && k.second.Load() <= second {
			firsts += k.firsts.Load()
			retries += k.retries.Load()
		}
	}
	// In floating point, so that neither a huge ratio nor a huge reserve can
	// overflow: the sum is at worst +Inf, which allows the retry.
	if float64(retries+1) > b.ratio*float64(firsts)+float64(b.reserve) {
		return false
	}
	b.bucket(second, true).retries.Add(1)
	return true
}
