package redislimit_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/applivery/applivery-go/redislimit"
	"github.com/redis/go-redis/v9"
)

// Every process that makes this limiter, on the same Redis and key, shares
// its 10 requests a second. With the SDK, pass it to the client:
// applivery.NewClient(…, applivery.WithRateLimiter(l)).
func Example() {
	// A Redis in memory for the example; in production, the one all the
	// processes share.
	mr, err := miniredis.Run()
	if err != nil {
		log.Fatal(err)
	}
	defer mr.Close()
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	defer rdb.Close()

	// 10 requests a second for the organization, at most 5 at once.
	l, err := redislimit.New(rdb, "org-5f3a", 10, 5)
	if err != nil {
		log.Fatal(err)
	}

	ctx := context.Background()
	start := time.Now()
	for range 7 {
		if err := l.Wait(ctx); err != nil {
			log.Fatal(err)
		}
		// … one request
	}
	// The burst of 5 at once, then one every 100 ms.
	fmt.Println("7 requests took 200 ms or so:", time.Since(start) > 150*time.Millisecond)

	// The next request is 100 ms away: a context with less time than that
	// fails at once.
	short, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancel()
	err = l.Wait(short)
	fmt.Println("at once:", errors.Is(err, context.DeadlineExceeded), short.Err() == nil)

	// What Redis holds: one time, under a namespaced key.
	fmt.Println(mr.Keys())
	// Output:
	// 7 requests took 200 ms or so: true
	// at once: true true
	// [rate:applivery:ratelimit:org-5f3a]
}

// Without WithLocalFallback, a limiter that cannot reach Redis fails
// closed; with it, the process goes on at its share of the quota, and asks
// Redis again each second.
func ExampleWithLocalFallback() {
	mr, err := miniredis.Run()
	if err != nil {
		log.Fatal(err)
	}
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr(), MaxRetries: -1, DialerRetries: 1})
	defer rdb.Close()

	// 100 a second for all the processes; 4 processes share it, so while
	// Redis is down each keeps to 25.
	failClosed, err := redislimit.New(rdb, "org-5f3a", 100, 10)
	if err != nil {
		log.Fatal(err)
	}
	fallBack, err := redislimit.New(rdb, "org-5f3a", 100, 10,
		redislimit.WithLocalFallback(25, 3),
		redislimit.WithRedisErrorHook(func(err error) { fmt.Println("Redis failed; pacing locally") }))
	if err != nil {
		log.Fatal(err)
	}

	mr.Close() // Redis goes down
	ctx := context.Background()
	err = failClosed.Wait(ctx)
	fmt.Println("fail closed:", errors.Is(err, redislimit.ErrUnavailable))
	err = fallBack.Wait(ctx)
	fmt.Println("fall back:", err)
	// Output:
	// fail closed: true
	// Redis failed; pacing locally
	// fall back: <nil>
}
