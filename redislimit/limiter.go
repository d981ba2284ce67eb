package redislimit

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
	"golang.org/x/time/rate"
)

// ErrUnavailable is matched (errors.Is) by the error of a Wait that could
// not ask Redis, on a limiter without [WithLocalFallback]. The error wraps
// Redis's own too.
var ErrUnavailable = errors.New("redislimit: Redis is unavailable")

// A Limiter paces requests against a quota kept in Redis and shared by every
// Limiter, in any process, that uses the same Redis and key. Make one with
// New; it is safe for concurrent use.
type Limiter struct {
	rl    *redis_rate.Limiter
	key   string // prefix + key; redis_rate adds "rate:"
	limit redis_rate.Limit
	cfg   config
	local *rate.Limiter // the local fallback; nil: fail closed

	// downUntil is when, in cfg.now's Unix nanoseconds, a limiter with a
	// local fallback asks Redis again after a failed round trip.
	downUntil atomic.Int64

	// turn lets one Wait of this limiter at a time ask Redis and sleep for
	// its answer; the others queue for it. Without it, the waiters of a
	// process would all wake together and ask for the one request that came
	// free: a herd of round trips that costs Redis and the process CPU, and
	// at a high rate keeps the quota from being used.
	turn chan struct{}
}

// New returns a limiter shared by every process that uses the same Redis
// and key: together their Waits let at most perSecond requests through a
// second, and at most burst at once. perSecond may be fractional (0.5 is
// one request every 2 s); it must be from 1e-9 to 1e9, and burst 1 or more.
//
// The burst also absorbs the lateness of a Wait that was refused: it wakes
// after the retry-after plus a timer's and a round trip's delay, about a
// millisecond, and with a burst of 1 that delay is lost from every
// interval. For the rate to be reached, give it at least 10 ms of requests
// (perSecond/100), and 2 or more: on a loopback Redis, four limiters at
// 1900 a second let 913 a second through with a burst of 1, 1840 with 5,
// 1905 with 20.
//
// The key names the quota: the organization ID is a good one. It is stored
// in Redis, under "rate:" + [DefaultKeyPrefix] + key (see [WithKeyPrefix]),
// beside a time: never use a secret, such as an API key, as the key.
//
// Without options, a Wait that cannot reach Redis fails, with an error
// matching [ErrUnavailable]; [WithLocalFallback] makes it use a bucket of its
// own instead.
func New(rdb redis.UniversalClient, key string, perSecond float64, burst int, opts ...Option) (*Limiter, error) {
	if isNil(rdb) {
		return nil, errors.New("redislimit: the Redis client is nil")
	}
	if key == "" {
		return nil, errors.New("redislimit: the key is empty: give each quota its key, such as the organization ID")
	}
	limit, err := limitFor(perSecond, burst)
	if err != nil {
		return nil, fmt.Errorf("redislimit: %w", err)
	}
	cfg := defaultConfig()
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	l := &Limiter{
		rl:    redis_rate.NewLimiter(rdb),
		key:   cfg.prefix + key,
		limit: limit,
		cfg:   cfg,
		turn:  make(chan struct{}, 1),
	}
	if f := cfg.fallback; f != nil {
		if _, err := limitFor(f.perSecond, f.burst); err != nil {
			return nil, fmt.Errorf("redislimit: WithLocalFallback: %w", err)
		}
		l.local = rate.NewLimiter(rate.Limit(f.perSecond), f.burst)
	}
	return l, nil
}

// isNil reports whether rdb is nil, or a nil pointer to one of go-redis's
// clients.
func isNil(rdb redis.UniversalClient) bool {
	switch c := rdb.(type) {
	case nil:
		return true
	case *redis.Client:
		return c == nil
	case *redis.ClusterClient:
		return c == nil
	case *redis.Ring:
		return c == nil
	}
	return false
}

// minRetryWait is the least Wait sleeps before it asks Redis again, should
// Redis refuse with a retry-after of zero.
const minRetryWait = time.Millisecond

// Wait blocks until the shared quota lets one request through, and returns
// nil; every nil is one request of the quota. It asks Redis (redis_rate's
// GCRA, one round trip); when Redis refuses, it sleeps for the retry-after
// of the answer and asks again, as often as it takes: another process may
// have taken the slot in the meantime, so the sleep alone grants nothing.
//
// The Waits of one Limiter ask Redis one at a time, in turn: the others of
// the process queue behind the one that asks or sleeps for its answer, so
// that they do not all wake and ask together for the one request that came
// free. A Wait whose ctx ends while it queues returns then, with ctx's
// error.
//
// A wait that would outlast ctx's deadline returns at once, with an error
// matching context.DeadlineExceeded; a ctx that ends during the wait, or
// during a round trip, returns at once with an error matching ctx's (a
// round trip left behind ends with the Redis client's own timeouts). When
// Redis cannot answer, Wait returns an error matching [ErrUnavailable], or,
// with [WithLocalFallback], paces its caller on the local bucket.
func (l *Limiter) Wait(ctx context.Context) error {
	select {
	case l.turn <- struct{}{}:
		defer func() { <-l.turn }()
	case <-ctx.Done():
		return ctxEnded(ctx.Err())
	}
	for {
		if err := ctx.Err(); err != nil {
			return ctxEnded(err)
		}
		if l.onFallback() {
			return l.waitLocal(ctx)
		}
		res, err := l.ask(ctx)
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return ctxEnded(ctxErr)
			}
			if l.local == nil {
				return fmt.Errorf("%w, and the limiter fails closed (no WithLocalFallback): %w", ErrUnavailable, err)
			}
			return l.waitLocal(ctx)
		}
		if res.Allowed > 0 {
			return nil
		}
		wait := max(res.RetryAfter, minRetryWait)
		if deadline, ok := ctx.Deadline(); ok && l.cfg.now().Add(wait).After(deadline) {
			return &deadlineError{wait: wait}
		}
		if err := l.cfg.sleep(ctx, wait); err != nil {
			return ctxEnded(err)
		}
	}
}

// answer is the outcome of one round trip to Redis.
type answer struct {
	res *redis_rate.Result
	err error
}

// ask asks Redis for one request, giving up when ctx ends: the client's own
// timeouts bound the round trip only when it was made with
// ContextTimeoutEnabled. The round trip left behind then ends in its
// goroutine, with the client's read timeout at worst.
func (l *Limiter) ask(ctx context.Context) (*redis_rate.Result, error) {
	if ctx.Done() == nil {
		return l.roundTrip(ctx) // a context that never ends
	}
	ch := make(chan answer, 1)
	go func() {
		res, err := l.roundTrip(ctx)
		ch <- answer{res, err}
	}()
	select {
	case a := <-ch:
		return a.res, a.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// roundTrip runs redis_rate's script once. An error that is Redis's, not
// the context's, goes to the hook and, with a local fallback, puts the
// limiter on it for cfg.probe; so does one that ends a round trip ask left
// behind, when it is Redis's (a read timeout, say). A panic in redis_rate,
// which reads the script's answer with unchecked type assertions, is an
// error too.
func (l *Limiter) roundTrip(ctx context.Context) (res *redis_rate.Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			res, err = nil, fmt.Errorf("unexpected answer from Redis: %v", p)
		}
		if err == nil && res == nil {
			err = errors.New("no answer from redis_rate")
		}
		if err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
			l.failed(err)
		}
	}()
	return l.rl.Allow(ctx, l.key, l.limit)
}

// failed records a failed round trip to Redis.
func (l *Limiter) failed(err error) {
	if l.cfg.onError != nil {
		l.cfg.onError(err)
	}
	if l.local != nil {
		l.downUntil.Store(l.cfg.now().Add(l.cfg.probe).UnixNano())
	}
}

// onFallback reports whether the limiter keeps to its local bucket, without
// asking Redis: it has one, and Redis failed less than cfg.probe ago.
func (l *Limiter) onFallback() bool {
	return l.local != nil && l.cfg.now().UnixNano() < l.downUntil.Load()
}

// waitLocal takes a token from the local bucket, with Wait's rules for the
// context.
func (l *Limiter) waitLocal(ctx context.Context) error {
	now := l.cfg.now()
	r := l.local.ReserveN(now, 1) // always OK: burst is 1 or more
	wait := r.DelayFrom(now)
	if wait == 0 {
		return nil
	}
	if deadline, ok := ctx.Deadline(); ok && now.Add(wait).After(deadline) {
		r.CancelAt(now)
		return &deadlineError{wait: wait}
	}
	if err := l.cfg.sleep(ctx, wait); err != nil {
		r.CancelAt(l.cfg.now())
		return ctxEnded(err)
	}
	return nil
}

// deadlineError is the error of a Wait that returned at once because the
// wait would have outlasted the context's deadline. Like the context's own
// error it matches context.DeadlineExceeded.
type deadlineError struct {
	wait time.Duration // until the next request may go
}

func (e *deadlineError) Error() string {
	wait := e.wait
	if wait >= time.Millisecond {
		wait = wait.Round(time.Millisecond)
	}
	return "redislimit: waiting " + wait.String() + " for the rate limit would outlast the context's deadline"
}

// Is reports whether target is context.DeadlineExceeded.
func (e *deadlineError) Is(target error) bool { return target == context.DeadlineExceeded }

// ctxEnded is the error of a Wait whose context ended: it wraps the
// context's error.
func ctxEnded(err error) error {
	return fmt.Errorf("redislimit: waiting for the rate limit: %w", err)
}
