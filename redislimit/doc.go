// Package redislimit is a rate limiter whose quota lives in Redis, shared
// by every process that uses the same Redis and key: the replicas of a
// backend, cron jobs that overlap, a fleet run split across machines.
// Together their Waits let at most the limiter's rate of requests through,
// where a bucket in each process (the SDK's WithRateLimit) would let each
// process have the whole rate.
//
// It is made for the Applivery SDK, whose API quota belongs to the
// organization, not to a process: give an applivery.Client the limiter
// with applivery.WithRateLimiter, keyed by the organization ID, and every
// HTTP attempt of the client, retries included, waits on it first. But it
// paces anything: a Limiter's one method is Wait(ctx) error, the method of
// golang.org/x/time/rate's Limiter too. It is a module of its own,
// github.com/applivery/applivery-go/redislimit, so that the SDK does not
// depend on a Redis client.
//
// # The algorithm
//
// The quota is GCRA, the generic cell rate algorithm, as
// github.com/go-redis/redis_rate runs it: each ask is one Lua script,
// atomic in Redis and timed by Redis's clock, so processes on machines whose
// clocks disagree still share one schedule. Redis holds one number per key
// (when the next request may go), which expires once the key is idle. A
// refused ask answers how long until the next slot: Wait sleeps that long
// and asks again, since another process may have taken the slot meanwhile.
//
// # When Redis is unavailable
//
// By default the limiter fails closed: a Wait that cannot get an answer
// from Redis returns an error matching [ErrUnavailable], and a client that
// waits on it sends nothing. The quota is the organization's, and a process
// cannot know, on its own, what share of it is free: going ahead unpaced
// would overrun it for every process at once (429s for all of them), and
// hide the outage. [WithLocalFallback] chooses the other way: while Redis is
// down, each process paces itself on a bucket of its own, at the share of
// the quota it is given. Either way, a Wait returns when its context ends,
// and [WithRedisErrorHook] sees every error.
package redislimit
