// Command quotabench measures one API quota shared by many processes: the
// embedded fake API (appliverytest) in this process, limited to 2,000
// requests a second, seeded with QUOTA devices (default 8,000) of one
// pending command each, and four worker processes, each an SDK client that
// cancels the pending commands of its own share of the devices. It runs the
// workers paced four ways: each with WithRateLimit(1900) (every process
// thinks it has the quota to itself), each with a static quarter
// WithRateLimit(475) with the shares uneven (one process has half the
// devices), and all four with one redislimit limiter at 1,900 a second,
// with the shares even and uneven. For each it prints the wall time against
// the ideal (requests ÷ 1,900) and the 429s the server sent. Last, it times
// a limiter's Wait: the local bucket against the Redis round trip.
//
//	REDIS_ADDR=127.0.0.1:6379 go run .   # or scripts/quota-bench.sh, which starts a Redis
//	QUOTA=800 …                          # a quick run
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/applivery/applivery-go"
	"github.com/applivery/applivery-go/appliverytest"
	"github.com/applivery/applivery-go/redislimit"
	"github.com/redis/go-redis/v9"
	"golang.org/x/time/rate"
)

const (
	org        = "acme-fleet"
	serverRate = 2000 // requests a second the fake allows
	quota      = 1900 // requests a second the processes aim at, together
	workers    = 4
	// sharedBurst is the redislimit burst: with a burst of 1, every wake-up
	// that comes a millisecond late is lost from the rate.
	sharedBurst = 20
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "worker" {
		worker(os.Args[2:])
		return
	}
	devices := 8000
	if v := os.Getenv("QUOTA"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < workers {
			fail(fmt.Errorf("QUOTA must be a number of devices, %d or more", workers))
		}
		devices = n
	}
	redisAddr := os.Getenv("REDIS_ADDR")
	if redisAddr == "" {
		fail(errors.New("REDIS_ADDR is not set: run scripts/quota-bench.sh, which starts a Redis"))
	}
	self, err := os.Executable()
	check(err)
	requests := 2 * devices // a commands list and a cancel per device
	ideal := time.Duration(float64(requests) / quota * float64(time.Second))
	fmt.Printf("%d devices of 1 pending command, %d processes; server limited to %d requests/s; %d requests a run; ideal %s at %d/s\n\n",
		devices, workers, serverRate, requests, ideal.Round(10*time.Millisecond), quota)

	even := []float64{0.25, 0.25, 0.25, 0.25}
	uneven := []float64{0.5, 1.0 / 6, 1.0 / 6, 1.0 / 6}
	for _, run := range []struct {
		label  string
		limit  string
		shares []float64
	}{
		{"each process WithRateLimit(1900, 20), shares even", "local:1900:20", even},
		{"each process a static quarter, WithRateLimit(475, 5), shares even", "local:475:5", even},
		{"each process a static quarter, WithRateLimit(475, 5), one process with half the devices", "local:475:5", uneven},
		{"one redislimit limiter at 1900/s (burst 20) for all four, shares even", fmt.Sprintf("redis:%s:quotabench-%d:1900:%d", redisAddr, 1, sharedBurst), even},
		{"one redislimit limiter at 1900/s (burst 20) for all four, one process with half the devices", fmt.Sprintf("redis:%s:quotabench-%d:1900:%d", redisAddr, 2, sharedBurst), uneven},
	} {
		wall, tooMany, failed := runAll(self, devices, run.limit, run.shares)
		fmt.Printf("%s:\n  wall time %s, %.2f× the ideal; 429s %d; devices failed %d\n\n",
			run.label, wall.Round(10*time.Millisecond), wall.Seconds()/ideal.Seconds(), tooMany, failed)
	}
	waitCost(redisAddr)
}

// runAll seeds a fake, starts the workers on their shares of the devices
// with the limit, and returns the wall time until the last one is done, the
// 429s the server sent and the devices that failed.
func runAll(self string, devices int, limit string, shares []float64) (time.Duration, int64, int) {
	srv := appliverytest.NewServer()
	defer srv.Close()
	var ids []string
	for i := range devices {
		d := srv.AddDevice(org, applivery.Device{}, fmt.Sprintf("SERIAL%06d", i))
		srv.AddCommand(org, d.ID, applivery.Command{})
		ids = append(ids, d.ID)
	}
	srv.SetRateLimit(serverRate, 100)
	front, tooMany := counting(srv)
	defer front.Close()

	dir, err := os.MkdirTemp("", "quotabench")
	check(err)
	defer os.RemoveAll(dir)
	var cmds []*exec.Cmd
	from := 0
	for w, share := range shares {
		to := from + int(share*float64(devices)+0.5)
		if w == len(shares)-1 {
			to = devices
		}
		file := fmt.Sprintf("%s/devices-%d", dir, w)
		check(os.WriteFile(file, []byte(strings.Join(ids[from:to], "\n")), 0o600))
		from = to
		cmd := exec.Command(self, "worker", "-url", front.URL+"/v1", "-devices", file, "-limit", limit)
		cmd.Env = append(os.Environ(), "APPLIVERY_API_KEY="+srv.APIKey)
		cmd.Stderr = os.Stderr
		cmds = append(cmds, cmd)
	}
	start := time.Now()
	var outs []*strings.Builder
	for _, cmd := range cmds {
		out := &strings.Builder{}
		cmd.Stdout = out
		outs = append(outs, out)
		check(cmd.Start())
	}
	for _, cmd := range cmds {
		check(cmd.Wait())
	}
	wall := time.Since(start)
	failed := 0
	for _, out := range outs {
		var r struct{ Failed int }
		check(json.Unmarshal([]byte(out.String()), &r))
		failed += r.Failed
	}
	return wall, tooMany.Load(), failed
}

// counting puts a proxy in front of srv that counts its 429s.
func counting(srv *appliverytest.Server) (*httptest.Server, *atomic.Int64) {
	backend, err := url.Parse(srv.URL)
	check(err)
	backend.Path = "" // the requests carry the /v1 base path themselves
	proxy := httputil.NewSingleHostReverseProxy(backend)
	var tooMany atomic.Int64
	proxy.ModifyResponse = func(r *http.Response) error {
		if r.StatusCode == http.StatusTooManyRequests {
			tooMany.Add(1)
		}
		return nil
	}
	return httptest.NewServer(proxy), &tooMany
}

// worker cancels the pending commands of the devices of its file, 16 at a
// time, paced by its -limit: "local:PERSECOND:BURST" or
// "redis:ADDR:KEY:PERSECOND:BURST". It prints {"ok": n, "failed": n}.
func worker(args []string) {
	flags := flag.NewFlagSet("worker", flag.ExitOnError)
	base := flags.String("url", "", "the API's base URL")
	file := flags.String("devices", "", "a file of device IDs")
	limit := flags.String("limit", "", "local:PERSECOND:BURST or redis:ADDR:KEY:PERSECOND:BURST")
	check(flags.Parse(args))
	limiter, err := parseLimit(*limit)
	check(err)
	client, err := applivery.NewClientFromEnv(applivery.WithBaseURL(*base), applivery.WithRateLimiter(limiter))
	check(err)
	data, err := os.ReadFile(*file)
	check(err)
	work := make(chan string)
	var ok, failed atomic.Int64
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for device := range work {
				if cancelPending(context.Background(), client, device) != nil {
					failed.Add(1)
					continue
				}
				ok.Add(1)
			}
		}()
	}
	for _, d := range strings.Fields(string(data)) {
		work <- d
	}
	close(work)
	wg.Wait()
	check(json.NewEncoder(os.Stdout).Encode(map[string]int64{"ok": ok.Load(), "failed": failed.Load()}))
}

// parseLimit makes the limiter a -limit describes.
func parseLimit(s string) (applivery.RateLimiter, error) {
	parts := strings.Split(s, ":")
	number := func(i int) float64 {
		v, err := strconv.ParseFloat(parts[i], 64)
		check(err)
		return v
	}
	switch {
	case len(parts) == 3 && parts[0] == "local":
		return rate.NewLimiter(rate.Limit(number(1)), int(number(2))), nil
	case len(parts) == 6 && parts[0] == "redis":
		rdb := redis.NewClient(&redis.Options{Addr: parts[1] + ":" + parts[2]})
		return redislimit.New(rdb, parts[3], number(4), int(number(5)))
	}
	return nil, fmt.Errorf("-limit %q: want local:PERSECOND:BURST or redis:HOST:PORT:KEY:PERSECOND:BURST", s)
}

func cancelPending(ctx context.Context, client *applivery.Client, device string) error {
	for cmd, err := range client.AndroidCommands.ListAll(ctx, org, device, nil) {
		if err != nil {
			return err
		}
		if cmd.Status == applivery.CommandStatusPending {
			if _, err := client.AndroidCommands.Cancel(ctx, org, device, cmd.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

// waitCost times a Wait that is granted at once: the local bucket against
// the Redis round trip.
func waitCost(redisAddr string) {
	const n = 2000
	local := rate.NewLimiter(rate.Inf, 1)
	shared, err := redislimit.New(redis.NewClient(&redis.Options{Addr: redisAddr}), "quotabench-cost", 1e6, 1000)
	check(err)
	ctx := context.Background()
	for _, l := range []struct {
		label string
		wait  func(context.Context) error
	}{{"local bucket (x/time/rate)", local.Wait}, {"redislimit (a Redis round trip on loopback)", shared.Wait}} {
		start := time.Now()
		for range n {
			check(l.wait(ctx))
		}
		fmt.Printf("a Wait granted at once, %s: %s\n", l.label, (time.Since(start) / n).Round(100*time.Nanosecond))
	}
}

func check(err error) {
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "quotabench:", err)
	os.Exit(1)
}
