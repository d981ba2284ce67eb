package redislimit

import (
	"context"
	"math"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newMiniredis starts a miniredis and a client of it that neither retries
// a command nor a dial (go-redis dials 5 times, 100 ms apart, by default),
// so that a stopped server fails the round trip at once.
func newMiniredis(t *testing.T) (*miniredis.Miniredis, *redis.Client) {
	t.Helper()
	mr := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{
		Addr:               mr.Addr(),
		MaxRetries:         -1,
		DialerRetries:      1,
		DialerRetryTimeout: time.Millisecond,
	})
	t.Cleanup(func() { _ = rdb.Close() })
	return mr, rdb
}

// fakeClock is the limiter's clock and sleep in the unit tests, and
// miniredis's (whose TIME, which redis_rate's script reads, it sets): time
// moves only when the limiter sleeps, or the test advances it. It starts at
// the real time, so that a context's deadline means the same on both
// clocks, and on a whole millisecond, so that redis_rate's arithmetic on it
// is exact.
type fakeClock struct {
	mr *miniredis.Miniredis

	mu     sync.Mutex
	t      time.Time
	sleeps []time.Duration
	// during, when set, runs at each sleep, after the clock moved.
	during func()
}

func newFakeClock(mr *miniredis.Miniredis) *fakeClock {
	c := &fakeClock{mr: mr, t: time.Now().Truncate(time.Millisecond)}
	mr.SetTime(c.t)
	return c
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mr.SetTime(c.t)
	c.mu.Unlock()
}

func (c *fakeClock) sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	c.sleeps = append(c.sleeps, d)
	during := c.during
	c.mu.Unlock()
	c.advance(d)
	if during != nil {
		during()
	}
	return nil
}

func (c *fakeClock) slept() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// onClock makes a limiter use c.
func onClock(c *fakeClock) Option {
	return func(cfg *config) {
		cfg.now = c.now
		cfg.sleep = c.sleep
	}
}

func TestNewRefusesBadArguments(t *testing.T) {
	_, rdb := newMiniredis(t)
	for _, tc := range []struct {
		name      string
		rdb       redis.UniversalClient
		key       string
		perSecond float64
		burst     int
		opts      []Option
		want      string
	}{
		{"nil client", nil, "org", 1, 1, nil, "Redis client is nil"},
		{"nil *redis.Client", (*redis.Client)(nil), "org", 1, 1, nil, "Redis client is nil"},
		{"nil *redis.ClusterClient", (*redis.ClusterClient)(nil), "org", 1, 1, nil, "Redis client is nil"},
		{"empty key", rdb, "", 1, 1, nil, "key is empty"},
		{"zero rate", rdb, "org", 0, 1, nil, "perSecond is 0"},
		{"negative rate", rdb, "org", -5, 1, nil, "perSecond is -5"},
		{"NaN rate", rdb, "org", math.NaN(), 1, nil, "perSecond is NaN"},
		{"infinite rate", rdb, "org", math.Inf(1), 1, nil, "perSecond is +Inf"},
		{"zero burst", rdb, "org", 1, 0, nil, "burst is 0"},
		{"negative burst", rdb, "org", 1, -1, nil, "burst is -1"},
		{"fallback zero rate", rdb, "org", 1, 1, []Option{WithLocalFallback(0, 1)}, "WithLocalFallback: perSecond is 0"},
		{"fallback zero burst", rdb, "org", 1, 1, []Option{WithLocalFallback(1, 0)}, "WithLocalFallback: burst is 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := New(tc.rdb, tc.key, tc.perSecond, tc.burst, tc.opts...)
			assert.Nil(t, l)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.Contains(t, err.Error(), "redislimit: ")
		})
	}
}

// The quota is kept under a namespaced key, and all it holds is a time.
func TestKeyIsNamespacedAndHoldsOnlyATime(t *testing.T) {
	mr, rdb := newMiniredis(t)
	ctx := context.Background()

	l, err := New(rdb, "org-1", 10, 1)
	require.NoError(t, err)
	require.NoError(t, l.Wait(ctx))
	prefixed, err := New(rdb, "org-1", 10, 1, WithKeyPrefix("tenant-a:"))
	require.NoError(t, err)
	require.NoError(t, prefixed.Wait(ctx))

	assert.Equal(t, []string{"rate:applivery:ratelimit:org-1", "rate:tenant-a:org-1"}, mr.Keys())
	for _, k := range mr.Keys() {
		v, err := mr.Get(k)
		require.NoError(t, err)
		_, err = strconv.ParseFloat(v, 64)
		assert.NoError(t, err, "%s holds %q, not a time", k, v)
		assert.Positive(t, mr.TTL(k), "%s never expires", k)
	}
}

// 0.5 a second is one request every 2 s: the burst goes at once, the next
// one 2 s later, exactly.
func TestWaitPacesAFractionalRate(t *testing.T) {
	mr, rdb := newMiniredis(t)
	clock := newFakeClock(mr)
	l, err := New(rdb, "org", 0.5, 2, onClock(clock))
	require.NoError(t, err)
	ctx := context.Background()

	start := clock.now()
	for range 5 {
		require.NoError(t, l.Wait(ctx))
	}
	assert.Equal(t, []time.Duration{2 * time.Second, 2 * time.Second, 2 * time.Second}, clock.slept())
	assert.Equal(t, 6*time.Second, clock.now().Sub(start))
}

// A refused Wait sleeps for the answer's retry-after, then asks again: the
// slot it slept for may have gone to another process meanwhile, and
// proceeding after the sleep without asking would overrun the quota.
func TestWaitAsksAgainAfterSleeping(t *testing.T) {
	mr, rdb := newMiniredis(t)
	clock := newFakeClock(mr)
	l, err := New(rdb, "org", 1, 1, onClock(clock))
	require.NoError(t, err)
	other := redis_rate.NewLimiter(rdb) // another process on the same key
	ctx := context.Background()

	require.NoError(t, l.Wait(ctx)) // the burst, at 0 s
	var otherGot []time.Duration
	start := clock.now()
	clock.during = func() {
		// Wakes when the slot at 1 s is free, and takes it first; only once,
		// or it would take every slot.
		clock.during = nil
		res, err := other.Allow(ctx, l.key, l.limit)
		require.NoError(t, err)
		if res.Allowed > 0 {
			otherGot = append(otherGot, clock.now().Sub(start))
		}
	}
	require.NoError(t, l.Wait(ctx))

	assert.Equal(t, []time.Duration{time.Second}, otherGot, "the other process took the slot at 1 s")
	assert.Equal(t, []time.Duration{time.Second, time.Second}, clock.slept(), "Wait slept for 1 s, asked, was refused, slept again")
	assert.Equal(t, 2*time.Second, clock.now().Sub(start), "Wait got the slot at 2 s, not the one at 1 s")
}

// A wait that would outlast the context's deadline returns at once, and
// takes nothing from the quota.
func TestWaitPastTheDeadlineReturnsAtOnce(t *testing.T) {
	mr, rdb := newMiniredis(t)
	clock := newFakeClock(mr)
	l, err := New(rdb, "org", 1, 1, onClock(clock))
	require.NoError(t, err)
	require.NoError(t, l.Wait(context.Background()))

	ctx, cancel := context.WithDeadline(context.Background(), clock.now().Add(500*time.Millisecond))
	defer cancel()
	err = l.Wait(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.EqualError(t, err, "redislimit: waiting 1s for the rate limit would outlast the context's deadline")
	assert.Empty(t, clock.slept())
	assert.NoError(t, ctx.Err(), "returned before the deadline")

	// The refused ask took nothing: the next slot is still at 1 s.
	require.NoError(t, l.Wait(context.Background()))
	assert.Equal(t, []time.Duration{time.Second}, clock.slept())
}

func TestWaitOnAnEndedContextAsksNothing(t *testing.T) {
	mr, rdb := newMiniredis(t)
	l, err := New(rdb, "org", 1, 1)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	before := mr.CommandCount()
	err = l.Wait(ctx)
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, before, mr.CommandCount())
	assert.Empty(t, mr.Keys())
}

// Canceling the context ends a Wait's sleep at once (real time here: the
// next slot is 10 s away).
func TestWaitCanceledWhileSleepingReturnsPromptly(t *testing.T) {
	_, rdb := newMiniredis(t)
	l, err := New(rdb, "org", 0.1, 1)
	require.NoError(t, err)
	require.NoError(t, l.Wait(context.Background()))

	ctx, cancel := context.WithCancel(context.Background())
	timer := time.AfterFunc(20*time.Millisecond, cancel)
	defer timer.Stop()
	start := time.Now()
	err = l.Wait(ctx)
	require.ErrorIs(t, err, context.Canceled)
	assert.Less(t, time.Since(start), time.Second)
}

// Without WithLocalFallback, a Wait that cannot reach Redis fails with
// ErrUnavailable, which wraps Redis's error, and tells the hook.
func TestWaitFailsClosedWhenRedisIsDown(t *testing.T) {
	mr, rdb := newMiniredis(t)
	var hooked []error
	l, err := New(rdb, "org", 100, 1, WithRedisErrorHook(func(err error) { hooked = append(hooked, err) }))
	require.NoError(t, err)
	require.NoError(t, l.Wait(context.Background()))

	mr.Close()
	for _, ctx := range []context.Context{context.Background(), withTimeout(t, 5*time.Second)} {
		err = l.Wait(ctx)
		require.ErrorIs(t, err, ErrUnavailable)
		assert.NotErrorIs(t, err, context.DeadlineExceeded)
		assert.Contains(t, err.Error(), "redislimit: Redis is unavailable, and the limiter fails closed (no WithLocalFallback): ")
		assert.Contains(t, err.Error(), "connect: connection refused")
	}
	require.Len(t, hooked, 2)
	assert.Contains(t, hooked[0].Error(), "connection refused")
}

// With WithLocalFallback, a Wait that cannot reach Redis paces its caller
// on the local bucket, without asking Redis again for a second; then it
// asks again, and when Redis answers, the shared quota is back in charge.
func TestWaitFallsBackToTheLocalBucketAndBack(t *testing.T) {
	mr, rdb := newMiniredis(t)
	clock := newFakeClock(mr)
	var hooked atomic.Int32
	l, err := New(rdb, "org", 100, 1, onClock(clock),
		WithLocalFallback(2, 1),
		WithRedisErrorHook(func(error) { hooked.Add(1) }))
	require.NoError(t, err)
	ctx := context.Background()
	require.NoError(t, l.Wait(ctx))

	mr.Close()
	require.NoError(t, l.Wait(ctx), "the local bucket's burst")
	assert.Equal(t, int32(1), hooked.Load())
	require.NoError(t, l.Wait(ctx), "the local bucket's next token")
	require.NoError(t, l.Wait(ctx), "and the one after")
	assert.Equal(t, []time.Duration{500 * time.Millisecond, 500 * time.Millisecond}, clock.slept(), "2 a second, locally")
	assert.Equal(t, int32(1), hooked.Load(), "Redis was not asked again within the second")

	// A second after the failure, the limiter asks Redis again: still down.
	require.NoError(t, l.Wait(ctx))
	assert.Equal(t, int32(2), hooked.Load())

	require.NoError(t, mr.Restart())
	mr.FlushAll()
	clock.advance(time.Second)
	require.NoError(t, l.Wait(ctx))
	assert.Equal(t, int32(2), hooked.Load())
	assert.Equal(t, []string{"rate:applivery:ratelimit:org"}, mr.Keys(), "the quota is Redis's again")
}

// The local bucket honours the deadline and cancellation like Redis's quota.
func TestLocalFallbackHonoursTheContext(t *testing.T) {
	mr, rdb := newMiniredis(t)
	clock := newFakeClock(mr)
	l, err := New(rdb, "org", 100, 1, onClock(clock), WithLocalFallback(1, 1))
	require.NoError(t, err)
	mr.Close()
	require.NoError(t, l.Wait(context.Background()))

	ctx, cancel := context.WithDeadline(context.Background(), clock.now().Add(500*time.Millisecond))
	defer cancel()
	err = l.Wait(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.EqualError(t, err, "redislimit: waiting 1s for the rate limit would outlast the context's deadline")

	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, l.Wait(canceled), context.Canceled)

	// Neither took the token: it is still 1 s away.
	require.NoError(t, l.Wait(context.Background()))
	assert.Equal(t, []time.Duration{time.Second}, clock.slept())
}

// silentServer accepts connections and never answers, like a Redis behind a
// dropped network.
func silentServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var (
		mu    sync.Mutex
		conns []net.Conn
	)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return ln.Addr().String()
}

// A Redis that never answers holds a Wait no longer than its context, even
// when the client's own timeouts are longer.
func TestWaitDoesNotHangPastItsContextOnASilentRedis(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: silentServer(t), ReadTimeout: time.Minute, MaxRetries: -1})
	t.Cleanup(func() { _ = rdb.Close() })
	for _, opts := range [][]Option{nil, {WithLocalFallback(10, 1)}} {
		l, err := New(rdb, "org", 10, 1, opts...)
		require.NoError(t, err)

		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		start := time.Now()
		err = l.Wait(ctx)
		cancel()
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Less(t, time.Since(start), time.Second)

		ctx, cancel = context.WithCancel(context.Background())
		timer := time.AfterFunc(50*time.Millisecond, cancel)
		start = time.Now()
		err = l.Wait(ctx)
		timer.Stop()
		cancel()
		require.ErrorIs(t, err, context.Canceled)
		assert.Less(t, time.Since(start), time.Second)
	}
}

// With a local fallback, the client's read timeout on a silent Redis is a
// failure like any other: the Wait falls back, and so do the next ones.
func TestSilentRedisTimesOutToTheFallback(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: silentServer(t), ReadTimeout: 100 * time.Millisecond, MaxRetries: -1})
	t.Cleanup(func() { _ = rdb.Close() })
	var hooked atomic.Int32
	l, err := New(rdb, "org", 10, 5, WithLocalFallback(1000, 5), WithRedisErrorHook(func(error) { hooked.Add(1) }))
	require.NoError(t, err)

	start := time.Now()
	require.NoError(t, l.Wait(context.Background()))
	for range 4 {
		require.NoError(t, l.Wait(withTimeout(t, time.Second)))
	}
	assert.Less(t, time.Since(start), time.Second)
	assert.Equal(t, int32(1), hooked.Load(), "one read timeout, then the local bucket")
}

// oddClient answers redis_rate's script with something it does not expect.
type oddClient struct{ redis.UniversalClient }

func (oddClient) EvalSha(ctx context.Context, _ string, _ []string, _ ...interface{}) *redis.Cmd {
	cmd := redis.NewCmd(ctx)
	cmd.SetVal("not the script's answer")
	return cmd
}

// redis_rate reads the script's answer with unchecked type assertions: an
// odd answer is an error of Wait, not a panic, in the caller's goroutine or
// in the one a context that can end puts the round trip in.
func TestAnOddAnswerIsAnErrorNotAPanic(t *testing.T) {
	_, rdb := newMiniredis(t)
	l, err := New(oddClient{rdb}, "org", 10, 1)
	require.NoError(t, err)
	for _, ctx := range []context.Context{context.Background(), withTimeout(t, time.Second)} {
		err := l.Wait(ctx)
		require.ErrorIs(t, err, ErrUnavailable)
		assert.Contains(t, err.Error(), "unexpected answer from Redis")
	}
}

// Concurrent Waits of one limiter and of several, on one key, on Redis and
// on the fallback, for the race detector.
func TestConcurrentWaits(t *testing.T) {
	mr, rdb := newMiniredis(t)
	var limiters []*Limiter
	for range 3 {
		l, err := New(rdb, "org", 1000, 10, WithLocalFallback(1000, 10))
		require.NoError(t, err)
		limiters = append(limiters, l)
	}
	var wg sync.WaitGroup
	var errs atomic.Int32
	for i := range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 20 {
				if i == 0 && j == 10 {
					mr.Close()
				}
				if err := limiters[i%3].Wait(context.Background()); err != nil {
					errs.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	assert.Zero(t, errs.Load())
}

func withTimeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// inFlight is a go-redis hook that counts the rate script's round trips in
// flight at once, holding each a millisecond so that overlapping ones are
// seen.
type inFlight struct{ now, most atomic.Int32 }

func (h *inFlight) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *inFlight) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}
func (h *inFlight) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if name := cmd.Name(); name != "evalsha" && name != "eval" {
			return next(ctx, cmd) // a connection's handshake, within a round trip
		}
		n := h.now.Add(1)
		defer h.now.Add(-1)
		for {
			most := h.most.Load()
			if n <= most || h.most.CompareAndSwap(most, n) {
				break
			}
		}
		time.Sleep(time.Millisecond)
		return next(ctx, cmd)
	}
}

// TestTheWaitsOfALimiterAskInTurn: the waiters of a process do not ask
// Redis together for the one request that comes free, a herd of round trips
// that at a high rate kept four processes at about half of their quota.
func TestTheWaitsOfALimiterAskInTurn(t *testing.T) {
	mr, rdb := newMiniredis(t)
	hook := &inFlight{}
	rdb.AddHook(hook)
	clock := newFakeClock(mr)
	l, err := New(rdb, "turns", 1000, 1, onClock(clock))
	require.NoError(t, err)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			assert.NoError(t, l.Wait(context.Background()))
		}()
	}
	close(start)
	wg.Wait()
	assert.Equal(t, int32(1), hook.most.Load(), "one round trip at a time")
}
