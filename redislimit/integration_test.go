package redislimit

// The tests against a real redis-server. REDISLIMIT_ADDR (host:port) names
// the one they share; the tests that stop Redis start their own, from
// redis-server on PATH, on a free loopback port. Without REDISLIMIT_ADDR
// they skip, unless CI=true: in CI they must run, and fail instead.
// scripts/redis-test.sh starts a server and runs them.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// redisAddr is REDISLIMIT_ADDR: it skips the test when it is unset, or
// fails it in CI.
func redisAddr(t testing.TB) string {
	t.Helper()
	addr := os.Getenv("REDISLIMIT_ADDR")
	if addr == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("REDISLIMIT_ADDR is unset, and CI=true: the tests against a real Redis must run in CI (scripts/redis-test.sh starts a redis-server and sets it)")
		}
		t.Skip("REDISLIMIT_ADDR is unset: no real Redis to test against (scripts/redis-test.sh starts one)")
	}
	return addr
}

// newClient is a client of the Redis at addr, as a process of its own would
// have.
func newClient(t testing.TB, addr string) *redis.Client {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	t.Cleanup(func() { _ = rdb.Close() })
	require.NoError(t, rdb.Ping(context.Background()).Err(), "Redis at %s", addr)
	return rdb
}

// uniqueKey is a key no other test, nor an earlier run, uses; it is deleted
// when the test ends.
func uniqueKey(t testing.TB, rdb *redis.Client) string {
	t.Helper()
	key := fmt.Sprintf("test:%s:%d", t.Name(), time.Now().UnixNano())
	t.Cleanup(func() { _ = rdb.Del(context.Background(), "rate:"+DefaultKeyPrefix+key).Err() })
	return key
}

// hammer has each limiter Waited on by goroutines goroutines at once, as
// fast as it lets them, for window, and returns how many Waits each
// limiter granted within the window.
func hammer(t *testing.T, window time.Duration, goroutines int, limiters ...*Limiter) []int {
	t.Helper()
	start := time.Now()
	ctx, cancel := context.WithDeadline(context.Background(), start.Add(window))
	defer cancel()
	counts := make([]atomic.Int64, len(limiters))
	var wg sync.WaitGroup
	for i, l := range limiters {
		for range goroutines {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					err := l.Wait(ctx)
					if err != nil {
						if !errors.Is(err, context.DeadlineExceeded) {
							t.Errorf("limiter %d: %v", i, err)
						}
						return
					}
					if time.Since(start) <= window {
						counts[i].Add(1)
					}
				}
			}()
		}
	}
	wg.Wait()
	out := make([]int, len(limiters))
	for i := range counts {
		out[i] = int(counts[i].Load())
	}
	return out
}

func sum(counts []int) int {
	total := 0
	for _, n := range counts {
		total += n
	}
	return total
}

// Three limiters on one key, each with its own client as in a process of
// its own, hammered together for 2 s: together they get the rate, within
// 10%, not three times it. (The burst of 5 absorbs the lateness of each
// ask, see the README: with a burst of 1 they get some 10% less.)
func TestIntegrationThreeLimitersShareTheRate(t *testing.T) {
	addr := redisAddr(t)
	const perSecond, burst, window = 100, 5, 2 * time.Second
	key := uniqueKey(t, newClient(t, addr))
	var limiters []*Limiter
	for range 3 {
		l, err := New(newClient(t, addr), key, perSecond, burst)
		require.NoError(t, err)
		limiters = append(limiters, l)
	}

	counts := hammer(t, window, 4, limiters...)
	want := perSecond*window.Seconds() + burst
	t.Logf("3 limiters × 4 goroutines on one key at %v/s (burst %d) for %v: %d grants (%v), %.1f a second; the rate allows %.0f",
		perSecond, burst, window, sum(counts), counts, float64(sum(counts))/window.Seconds(), want)
	assert.InDelta(t, want, sum(counts), want/10)
	for i, n := range counts {
		assert.Positive(t, n, "limiter %d got nothing", i)
	}
}

// Two keys are two quotas: limiters on either, hammered together, each get
// the whole rate; so does the same key under another prefix. And draining
// one key's burst leaves the other's whole.
func TestIntegrationKeysAreIndependent(t *testing.T) {
	addr := redisAddr(t)
	rdb := newClient(t, addr)
	keyA, keyB := uniqueKey(t, rdb), uniqueKey(t, rdb)
	t.Cleanup(func() { _ = rdb.Del(context.Background(), "rate:applivery-test:"+keyA).Err() })

	const perSecond, burst, window = 50, 5, time.Second
	a, err := New(newClient(t, addr), keyA, perSecond, burst)
	require.NoError(t, err)
	b, err := New(newClient(t, addr), keyB, perSecond, burst)
	require.NoError(t, err)
	aPrefixed, err := New(newClient(t, addr), keyA, perSecond, burst, WithKeyPrefix("applivery-test:"))
	require.NoError(t, err)

	counts := hammer(t, window, 4, a, b, aPrefixed)
	want := perSecond*window.Seconds() + burst
	t.Logf("keys A, B and A under another prefix at %v/s each for %v: %v grants; each key allows %.0f", perSecond, window, counts, want)
	for i, n := range counts {
		assert.InDelta(t, want, n, want/10, "limiter %d", i)
	}

	drainA, err := New(rdb, keyA+":burst", 0.1, 3)
	require.NoError(t, err)
	drainB, err := New(rdb, keyB+":burst", 0.1, 3)
	require.NoError(t, err)
	t.Cleanup(func() {
		_ = rdb.Del(context.Background(), "rate:"+DefaultKeyPrefix+keyA+":burst", "rate:"+DefaultKeyPrefix+keyB+":burst").Err()
	})
	for range 3 {
		require.NoError(t, drainA.Wait(withTimeout(t, 200*time.Millisecond)))
	}
	require.ErrorIs(t, drainA.Wait(withTimeout(t, 200*time.Millisecond)), context.DeadlineExceeded)
	for range 3 {
		require.NoError(t, drainB.Wait(withTimeout(t, 200*time.Millisecond)), "key B's burst is whole")
	}
}

// A wait that would outlast the deadline fails at once, not at the
// deadline; and 0.5 a second is one request every 2 s, on a real Redis too.
func TestIntegrationShortDeadlineFailsFast(t *testing.T) {
	addr := redisAddr(t)
	rdb := newClient(t, addr)
	l, err := New(rdb, uniqueKey(t, rdb), 0.5, 1)
	require.NoError(t, err)

	require.NoError(t, l.Wait(context.Background()))
	first := time.Now()

	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = l.Wait(ctx)
	elapsed := time.Since(start)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	t.Logf("a Wait 2 s from its slot, with 500 ms left: %v after %v", err, elapsed)
	assert.Less(t, elapsed, 100*time.Millisecond, "returned well before the deadline")
	assert.NoError(t, ctx.Err(), "the deadline has not passed")

	require.NoError(t, l.Wait(withTimeout(t, 5*time.Second)))
	gap := time.Since(first)
	t.Logf("0.5 a second: the second grant came %v after the first", gap)
	assert.InDelta(t, 2*time.Second, gap, float64(150*time.Millisecond))
}

// ownRedis is a redis-server of the test's own, on a free loopback port,
// that it can stop and start again without disturbing REDISLIMIT_ADDR's.
type ownRedis struct {
	bin  string
	port int

	mu  sync.Mutex
	cmd *exec.Cmd // nil: stopped
}

func startOwnRedis(t *testing.T) *ownRedis {
	t.Helper()
	redisAddr(t)
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("redis-server is not on PATH, and CI=true: scripts/redis-test.sh installs it")
		}
		t.Skip("redis-server is not on PATH: this test starts and stops a server of its own")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	require.NoError(t, ln.Close())
	r := &ownRedis{bin: bin, port: port}
	t.Cleanup(r.kill)
	require.NoError(t, r.start())
	return r
}

func (r *ownRedis) addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(r.port)) }

// start starts the server and waits, 5 s at most, until it answers.
func (r *ownRedis) start() error {
	var out bytes.Buffer
	cmd := exec.Command(r.bin, "--port", strconv.Itoa(r.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--daemonize", "no")
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return err
	}
	r.mu.Lock()
	r.cmd = cmd
	r.mu.Unlock()

	rdb := redis.NewClient(&redis.Options{Addr: r.addr(), MaxRetries: -1, DialerRetries: 1})
	defer rdb.Close()
	deadline := time.Now().Add(5 * time.Second)
	for rdb.Ping(context.Background()).Err() != nil {
		if time.Now().After(deadline) {
			r.kill()
			return fmt.Errorf("redis-server on port %d did not answer within 5 s:\n%s", r.port, out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return nil
}

// kill stops the server at once, as a crash would.
func (r *ownRedis) kill() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cmd == nil {
		return
	}
	_ = r.cmd.Process.Kill()
	_ = r.cmd.Wait()
	r.cmd = nil
}

// failFastClient is a client of addr that gives up on a stopped server at
// once: go-redis dials 5 times, 100 ms apart, by default.
func failFastClient(t *testing.T, addr string) *redis.Client {
	rdb := redis.NewClient(&redis.Options{Addr: addr, DialerRetries: 1, DialerRetryTimeout: 10 * time.Millisecond})
	t.Cleanup(func() { _ = rdb.Close() })
	return rdb
}

// waitResult is one Wait of a run: when it started and ended, from the
// run's start, and its error.
type waitResult struct {
	start, end time.Duration
	err        error
}

// run has 4 goroutines Wait on l, each with a context of its own of perCall,
// until the run has lasted total; at each of events, from the run's start,
// it calls the event's function. It returns every Wait.
func run(t *testing.T, l *Limiter, total, perCall time.Duration, events map[time.Duration]func()) []waitResult {
	t.Helper()
	start := time.Now()
	var (
		mu      sync.Mutex
		results []waitResult
		wg      sync.WaitGroup
	)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Since(start) < total {
				ctx, cancel := context.WithTimeout(context.Background(), perCall)
				began := time.Since(start)
				err := l.Wait(ctx)
				cancel()
				mu.Lock()
				results = append(results, waitResult{began, time.Since(start), err})
				mu.Unlock()
			}
		}()
	}
	for at, f := range events {
		time.AfterFunc(time.Until(start.Add(at)), f)
	}
	wg.Wait()
	return results
}

// Without a local fallback, a Redis killed mid-run fails every Wait after
// it with ErrUnavailable: nothing is granted without Redis, and no Wait
// outlasts its context.
func TestIntegrationRedisStoppedFailsClosed(t *testing.T) {
	srv := startOwnRedis(t)
	var hooked atomic.Int64
	const perSecond, burst = 200, 5
	l, err := New(failFastClient(t, srv.addr()), "mid-run", perSecond, burst, WithRedisErrorHook(func(error) { hooked.Add(1) }))
	require.NoError(t, err)

	const killAt, perCall = 500 * time.Millisecond, time.Second
	results := run(t, l, 1500*time.Millisecond, perCall, map[time.Duration]func(){killAt: srv.kill})

	var before, after, unavailable int
	for _, r := range results {
		assert.Less(t, r.end-r.start, perCall+100*time.Millisecond, "a Wait outlasted its context")
		switch {
		case r.end < killAt:
			before++
			assert.NoError(t, r.err, "a Wait before the kill")
		case r.start > killAt+50*time.Millisecond:
			after++
			if assert.ErrorIs(t, r.err, ErrUnavailable, "a Wait after the kill") {
				unavailable++
			}
		}
	}
	t.Logf("Redis killed at %v: %d grants before; after, %d of %d Waits failed with ErrUnavailable; %d errors hooked",
		killAt, before, unavailable, after, hooked.Load())
	want := perSecond*killAt.Seconds() + burst
	assert.InDelta(t, want, before, want/10, "grants before the kill")
	assert.Positive(t, after)
	assert.Positive(t, hooked.Load())
}

// With a local fallback, a Redis killed mid-run puts the limiter on its
// local bucket, at its rate, with no error; when Redis is back, the next
// ask after a second finds it, and the shared rate is back.
func TestIntegrationRedisStoppedFallsBackAndRecovers(t *testing.T) {
	srv := startOwnRedis(t)
	rdb := failFastClient(t, srv.addr())
	var hooked atomic.Int64
	const shared, burst, local = 200, 5, 20
	l, err := New(rdb, "mid-run", shared, burst, WithLocalFallback(local, 1), WithRedisErrorHook(func(error) { hooked.Add(1) }))
	require.NoError(t, err)

	const killAt, restartAt, total = 500 * time.Millisecond, 2500 * time.Millisecond, 4 * time.Second
	var backAt atomic.Int64 // when the key reappeared in the restarted server, from the run's start
	start := time.Now()
	restart := func() {
		if err := srv.start(); err != nil {
			t.Errorf("restarting Redis: %v", err)
			return
		}
		watcher := redis.NewClient(&redis.Options{Addr: srv.addr()})
		defer watcher.Close()
		for time.Since(start) < total {
			if n, _ := watcher.Exists(context.Background(), "rate:"+DefaultKeyPrefix+"mid-run").Result(); n == 1 {
				backAt.Store(int64(time.Since(start)))
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	results := run(t, l, total, time.Second, map[time.Duration]func(){killAt: srv.kill, restartAt: restart})

	grants := func(from, to time.Duration) int {
		n := 0
		for _, r := range results {
			if r.err == nil && r.end >= from && r.end < to {
				n++
			}
		}
		return n
	}
	for _, r := range results {
		assert.NoError(t, r.err, "a Wait at %v", r.start)
	}
	back := time.Duration(backAt.Load())
	require.NotZero(t, back, "the limiter never asked the restarted Redis")
	up, down, again := grants(0, killAt), grants(killAt+500*time.Millisecond, restartAt), grants(back+200*time.Millisecond, total)
	downFor, againFor := restartAt-killAt-500*time.Millisecond, total-back-200*time.Millisecond
	t.Logf("Redis up: %d grants in %v; killed at %v, from %v on: %d in %v (%.1f a second, the local bucket's %d); restarted at %v, back on Redis at %v: %d in %v (%.1f a second); %d errors hooked",
		up, killAt, killAt, killAt+500*time.Millisecond, down, downFor, float64(down)/downFor.Seconds(), local,
		restartAt, back, again, againFor, float64(again)/againFor.Seconds(), hooked.Load())
	wantUp := shared*killAt.Seconds() + burst
	assert.InDelta(t, wantUp, up, wantUp/10, "the shared rate")
	assert.InDelta(t, local*downFor.Seconds(), down, 3, "the local bucket's rate while Redis is down")
	assert.Less(t, back-restartAt, 1500*time.Millisecond, "back on Redis within about a second of its restart")
	wantAgain := shared * againFor.Seconds()
	assert.InDelta(t, wantAgain, again, wantAgain/10+burst, "the shared rate once Redis is back")
	assert.Positive(t, hooked.Load())
}

// The cost of a Wait that is granted at once: one round trip to Redis, and
// the script. Against REDISLIMIT_ADDR, like the tests:
//
//	REDISLIMIT_ADDR=127.0.0.1:6379 go test -run '^$' -bench Wait
func BenchmarkWait(b *testing.B) {
	addr := redisAddr(b)
	rdb := newClient(b, addr)
	l, err := New(rdb, uniqueKey(b, rdb), maxPerSecond, 1000)
	require.NoError(b, err)
	b.Run("Background", func(b *testing.B) {
		ctx := context.Background()
		for range b.N {
			if err := l.Wait(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("WithTimeout", func(b *testing.B) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		for range b.N {
			if err := l.Wait(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			ctx := context.Background()
			for pb.Next() {
				if err := l.Wait(ctx); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}
