// Command fleetbench measures a fleet-wide bulk cancel: the applivery CLI's
// cancel-pending over every device of an organization, against the embedded
// fake API (appliverytest) seeded with FLEET devices (default 10,000) of one
// pending command each, the server limited to 2,000 requests a second. It
// prints, for each run, the wall time against the ideal (requests ÷ rate),
// the 429s the server sent, the devices that failed and the CLI's peak RSS.
// Last, runs cancel through the SDK directly during an outage (every
// commands answer a 503 for 5 s, then until the end), with the default retry
// budget and with none, and count the attempts.
//
//	go run ./scripts/fleetbench           # or scripts/fleet-bench.sh
//	FLEET=500 go run ./scripts/fleetbench # a quick run
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/applivery/applivery-go"
	"github.com/applivery/applivery-go/appliverytest"
)

const (
	org        = "acme-fleet"
	serverRate = 2000 // requests a second the fake allows
)

func main() {
	fleet := 10000
	if v := os.Getenv("FLEET"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			fmt.Fprintln(os.Stderr, "FLEET must be a positive number")
			os.Exit(2)
		}
		fleet = n
	}
	dir, err := os.MkdirTemp("", "fleetbench")
	check(err)
	defer os.RemoveAll(dir)
	cli := filepath.Join(dir, "applivery")
	out, err := exec.Command("go", "build", "-o", cli, "./cmd/applivery").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "building the CLI: %v\n%s", err, out)
		os.Exit(1)
	}
	// Requests of a bulk cancel: the device pages (100 a page), a command
	// list and a cancel per device.
	requests := (fleet+99)/100 + 2*fleet
	fmt.Printf("fleet: %d devices of 1 pending command; server limited to %d requests/s; %d requests a run\n\n",
		fleet, serverRate, requests)

	for _, rate := range []float64{1900, 0} {
		srv := seed(fleet)
		args := []string{"android", "commands", "cancel-pending", "--org", org, "--all-devices", "--concurrency", "32", "--output", "json"}
		label := "without --rate"
		if rate > 0 {
			args = append(args, "--rate", strconv.FormatFloat(rate, 'f', -1, 64))
			label = fmt.Sprintf("--rate %g", rate)
		}
		cmd := exec.Command(cli, args...)
		cmd.Env = []string{"APPLIVERY_API_KEY=" + srv.APIKey, "APPLIVERY_BASE_URL=" + srv.URL, "HOME=" + dir}
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		start := time.Now()
		err := cmd.Run()
		wall := time.Since(start)
		code := 0
		if err != nil {
			code = cmd.ProcessState.ExitCode()
		}
		ok, failed := countLines(&stdout)
		received := len(srv.Requests())
		rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss // KiB on Linux
		fmt.Printf("%s (exit %d):\n", label, code)
		fmt.Printf("  wall time %s", wall.Round(10*time.Millisecond))
		if rate > 0 {
			ideal := time.Duration(float64(requests) / rate * float64(time.Second))
			fmt.Printf(", ideal %s (requests ÷ rate): %.2f×", ideal.Round(10*time.Millisecond), wall.Seconds()/ideal.Seconds())
		}
		fmt.Printf("\n  429s %d (requests received %d, of which %d needed); devices ok %d, failed %d\n",
			received-requests, received, requests, ok, failed)
		fmt.Printf("  peak RSS of the CLI %.1f MB\n\n", float64(rss)/1024)
		srv.Close()
	}

	for _, o := range []struct {
		label    string
		duration time.Duration
	}{
		{"every answer 503 for 5 s mid-run", 5 * time.Second},
		{"every commands answer 503 from a fifth of the run to its end", time.Hour},
	} {
		for _, budget := range []struct {
			label string
			opt   applivery.Option
		}{
			{"the default retry budget (20 %, 10/s)", nil},
			{"no retry budget, WithRetryBudget(math.Inf(1), 0)", applivery.WithRetryBudget(math.Inf(1), 0)},
		} {
			attempts, ok, failed, wall := outage(fleet, budget.opt, o.duration)
			fmt.Printf("outage, %s, SDK directly, %s:\n", o.label, budget.label)
			fmt.Printf("  attempts %d for %d requests needed (%.2f×); devices ok %d, failed %d; wall time %s\n\n",
				attempts, requests, float64(attempts)/float64(requests), ok, failed, wall.Round(10*time.Millisecond))
		}
	}
}

// seed starts a fake with the fleet.
func seed(fleet int) *appliverytest.Server {
	srv := appliverytest.NewServer()
	for i := range fleet {
		d := srv.AddDevice(org, applivery.Device{}, fmt.Sprintf("SERIAL%06d", i))
		srv.AddCommand(org, d.ID, applivery.Command{})
	}
	srv.SetRateLimit(serverRate, 100)
	return srv
}

// countLines counts the devices of a bulk run's JSON lines that succeeded
// and failed.
func countLines(stdout *bytes.Buffer) (ok, failed int) {
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		var m struct{ OK bool }
		if json.Unmarshal(lines.Bytes(), &m) == nil && m.OK {
			ok++
		} else {
			failed++
		}
	}
	return ok, failed
}

// outage cancels every device's pending command through the SDK, 32 at a
// time, through a proxy that answers 503 to the commands endpoints for d once
// a fifth of the devices are done, and returns the attempts that reached the
// proxy. Retries wait 10 to 100 ms, so that a long outage does not take
// minutes: the waits change the wall time, not the attempts.
func outage(fleet int, opt applivery.Option, d time.Duration) (attempts int64, ok, failed int64, wall time.Duration) {
	srv := seed(fleet)
	defer srv.Close()
	srv.SetRateLimit(0, 0) // the outage is the subject here
	backend, err := url.Parse(srv.URL)
	check(err)
	backend.Path = "" // the requests carry the /v1 base path themselves
	proxy := httputil.NewSingleHostReverseProxy(backend)
	var outageFrom atomic.Int64 // unix nanos; 0: not yet
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		attemptsSeen.Add(1)
		if from := outageFrom.Load(); from != 0 && time.Since(time.Unix(0, from)) < d && strings.Contains(r.URL.Path, "/commands") {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	defer front.Close()
	attemptsSeen.Store(0)
	opts := []applivery.Option{applivery.WithBaseURL(front.URL + "/v1"), applivery.WithRetryWait(10*time.Millisecond, 100*time.Millisecond)}
	if opt != nil {
		opts = append(opts, opt)
	}
	client, err := applivery.NewClient(srv.APIKey, opts...)
	check(err)
	ctx := context.Background()
	work := make(chan string)
	var wg sync.WaitGroup
	start := time.Now()
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for device := range work {
				if cancelPending(ctx, client, device) != nil {
					failedCount.Add(1)
					continue
				}
				if done := okCount.Add(1); done == int64(fleet/5) {
					outageFrom.Store(time.Now().UnixNano())
				}
			}
		}()
	}
	okCount.Store(0)
	failedCount.Store(0)
	for d, err := range client.AndroidDevices.ListAll(ctx, org, nil) {
		if err != nil {
			break
		}
		work <- d.ID
	}
	close(work)
	wg.Wait()
	return attemptsSeen.Load(), okCount.Load(), failedCount.Load(), time.Since(start)
}

var attemptsSeen, okCount, failedCount atomic.Int64

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

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
