package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/applivery/applivery-go"
	"github.com/applivery/applivery-go/appliverytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeClock is a clock that moves by step each time it is read.
type fakeClock struct {
	mu   sync.Mutex
	now  time.Time
	step time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now
	c.now = c.now.Add(c.step)
	return now
}

func TestARepeatedInterruptIsTheSameOne(t *testing.T) {
	t.Parallel()
	start := time.Unix(0, 0)
	// The interrupts come at these times; each is read from the clock once.
	at := []time.Time{start, start.Add(time.Millisecond), start.Add(repeatWindow - time.Millisecond), start.Add(repeatWindow)}
	var reads atomic.Int32
	now := func() time.Time { return at[reads.Add(1)-1] }
	signals := make(chan os.Signal, len(at))
	a := &app{signals: signals, now: now}
	in := a.watchInterrupts()
	defer in.end()
	assert.False(t, in.stopped())
	for i, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM, os.Interrupt} {
		signals <- sig // the first, then the same interrupt delivered again (timeout -s INT signals the process, then its group)
		require.Eventually(t, func() bool { return reads.Load() == int32(i+1) }, 10*time.Second, time.Millisecond)
		<-in.stop
		assert.False(t, in.aborted(), "interrupt %d, within the window: still the first", i+1)
	}
	signals <- os.Interrupt
	<-in.abort // one that comes later aborts
	assert.Equal(t, int32(4), reads.Load(), "and only that one: the watcher read the clock for each interrupt")
}

// interruptedRun is a run on devices dev_a… that a test interrupts: its
// command line, the fake it runs on, and the endpoint of each device's
// first call.
type interruptedRun struct {
	name     string
	server   func(t *testing.T) *appliverytest.Server
	endpoint appliverytest.Endpoint
	args     []string
}

// interruptedRuns are the bulk runs, one of each platform's.
var interruptedRuns = []interruptedRun{
	{"android commands cancel-pending", func(t *testing.T) *appliverytest.Server {
		return newServer(t, "dev_a", "dev_b", "dev_c", "dev_d")
	}, appliverytest.EndpointList, []string{"android", "commands", "cancel-pending"}},
	{"apple commands create", func(t *testing.T) *appliverytest.Server {
		srv, _ := appleFleet(t, "dev_a", "dev_b", "dev_c", "dev_d")
		return srv
	}, appliverytest.EndpointAppleCommandCreate, []string{"apple", "commands", "create", "--type", "DeviceLock"}},
}

// interruptible runs run over devices dev_a… from stdin in process with
// signals it returns, two workers, and each device's first call answered
// after latency. It returns once two devices are in flight.
func interruptible(t *testing.T, run interruptedRun, now func() time.Time, latency time.Duration) (signals chan<- os.Signal, wait func() (int, []map[string]any)) {
	t.Helper()
	srv := run.server(t)
	srv.Script(run.endpoint, appliverytest.Fault{Latency: latency}, appliverytest.Fault{Latency: latency})
	sigs := make(chan os.Signal, 2)
	var stdout, stderr bytes.Buffer
	a := &app{getenv: func(k string) string {
		return map[string]string{"APPLIVERY_API_KEY": srv.APIKey, "APPLIVERY_BASE_URL": srv.URL}[k]
	}, stdin: strings.NewReader("dev_a\ndev_b\ndev_c\ndev_d\n"), stdout: &stdout, stderr: &stderr, signals: sigs, now: now}
	code := make(chan int, 1)
	go func() {
		code <- a.run(context.Background(), append(slices.Clone(run.args), "--org", org,
			"--devices-from", "-", "--concurrency", "2", "--output", "json"))
	}()
	require.Eventually(t, func() bool { return len(srv.Requests()) == 2 }, 10*time.Second, time.Millisecond, "two devices in flight")
	return sigs, func() (int, []map[string]any) {
		c := <-code
		var lines []map[string]any
		for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
			var m map[string]any
			require.NoError(t, json.Unmarshal([]byte(line), &m), line)
			lines = append(lines, m)
		}
		return c, lines
	}
}

func TestBulkInterruptedTwiceAtOnceStopsCleanly(t *testing.T) {
	t.Parallel()
	for _, run := range interruptedRuns {
		t.Run(run.name, func(t *testing.T) {
			t.Parallel()
			signals, wait := interruptible(t, run, nil, 200*time.Millisecond)
			signals <- os.Interrupt
			signals <- os.Interrupt // delivered twice, as a scheduler does
			code, lines := wait()
			assert.Equal(t, exitInterrupted, code)
			require.Len(t, lines, 3, "the two devices in flight, then where to take up")
			for _, line := range lines[:2] {
				assert.Equal(t, true, line["ok"], "finished, not aborted: %v", line)
			}
			assert.Equal(t, map[string]any{"interrupted": true, "after": "dev_b"}, lines[2])
		})
	}
}

func TestBulkInterruptedAgainLaterAborts(t *testing.T) {
	t.Parallel()
	for _, run := range interruptedRuns {
		t.Run(run.name, func(t *testing.T) {
			t.Parallel()
			clock := &fakeClock{now: time.Unix(0, 0), step: 2 * repeatWindow} // each interrupt two windows after the one before
			signals, wait := interruptible(t, run, clock.Now, time.Minute)
			signals <- os.Interrupt
			signals <- os.Interrupt
			code, lines := wait()
			assert.Equal(t, exitInterrupted, code)
			require.Len(t, lines, 3)
			for _, line := range lines[:2] {
				require.Equal(t, false, line["ok"], "%v", line)
				assert.Equal(t, float64(exitInterrupted), line["error"].(map[string]any)["exit"], "aborted by the user, not a network failure (8)")
				assert.Contains(t, line["error"].(map[string]any)["message"], "(interrupted)")
			}
		})
	}
}

func TestBulkHearsAnInterruptWhileTheSourceBlocks(t *testing.T) {
	t.Parallel()
	srv := newServer(t, "dev_a")
	stdin, feed, err := os.Pipe()
	require.NoError(t, err)
	t.Cleanup(func() { feed.Close(); stdin.Close() })
	_, err = feed.WriteString("dev_a\n") // and then nothing: stdin stays open
	require.NoError(t, err)
	signals := make(chan os.Signal, 1)
	var stdout, stderr bytes.Buffer
	a := &app{getenv: func(k string) string {
		return map[string]string{"APPLIVERY_API_KEY": srv.APIKey, "APPLIVERY_BASE_URL": srv.URL}[k]
	}, stdin: stdin, stdout: &stdout, stderr: &stderr, signals: signals}
	code := make(chan int, 1)
	go func() {
		code <- a.run(context.Background(), []string{"android", "commands", "cancel-pending", "--org", org, "--devices-from", "-", "--output", "json"})
	}()
	require.Eventually(t, func() bool { return len(srv.Requests()) == 1 }, 10*time.Second, time.Millisecond)
	signals <- os.Interrupt
	assert.Equal(t, exitInterrupted, <-code)
	assert.Contains(t, stdout.String(), `"after":"dev_a"`)
}

func TestInterruptedWaitExits130(t *testing.T) {
	t.Parallel()
	srv := newServer(t, device)
	cmd := srv.AddCommand(org, device, applivery.Command{})
	signals := make(chan os.Signal, 1)
	signals <- os.Interrupt // Ctrl-C as soon as it waits
	var stdout, stderr bytes.Buffer
	a := &app{getenv: func(k string) string {
		return map[string]string{"APPLIVERY_API_KEY": srv.APIKey, "APPLIVERY_BASE_URL": srv.URL}[k]
	}, stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, signals: signals, pollInterval: time.Millisecond}
	assert.Equal(t, exitInterrupted, a.run(context.Background(), waitArgs(cmd.ID)), "not 10: the user stopped it, the time did not run out")
	assert.Contains(t, stderr.String(), "(interrupted)")
}

// TestTheBinaryUnderAScheduler runs the real program as "timeout -s INT"
// would stop it: SIGINT to the process, and again to its group, within
// 100 ms. The run stops cleanly: exit 130, and every device started has its
// line with its own status.
func TestTheBinaryUnderAScheduler(t *testing.T) {
	t.Parallel()
	binary := filepath.Join(t.TempDir(), "applivery")
	out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
	require.NoError(t, err, "%s", out)

	var devices []string
	srv := newServer(t)
	for i := range 20 {
		d := "dev_" + string(rune('a'+i))
		devices = append(devices, d)
		srv.AddCommand(org, d, applivery.Command{})
	}
	// Each device's listing takes 300 ms: the interrupt finds some in flight.
	slow := make([]appliverytest.Fault, 20)
	for i := range slow {
		slow[i] = appliverytest.Fault{Latency: 300 * time.Millisecond}
	}
	srv.Script(appliverytest.EndpointList, slow...)

	cmd := exec.Command(binary, "android", "commands", "cancel-pending", "--org", org, "--devices-from", "-", "--concurrency", "3", "--output", "json")
	cmd.Env = []string{"APPLIVERY_API_KEY=" + srv.APIKey, "APPLIVERY_BASE_URL=" + srv.URL}
	cmd.Stdin = strings.NewReader(strings.Join(devices, "\n"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // a group of its own, as timeout makes
	require.NoError(t, cmd.Start())
	require.Eventually(t, func() bool { return len(srv.Requests()) >= 3 }, 30*time.Second, time.Millisecond, "devices in flight")
	require.NoError(t, cmd.Process.Signal(os.Interrupt))
	time.Sleep(50 * time.Millisecond) // the scheduler's second delivery, within 100 ms: a gap, not a timed assertion
	require.NoError(t, syscall.Kill(-cmd.Process.Pid, syscall.SIGINT))
	err = cmd.Wait()
	var exitErr *exec.ExitError
	require.ErrorAs(t, err, &exitErr, "stderr: %s", stderr.String())
	assert.Equal(t, exitInterrupted, exitErr.ExitCode(), stderr.String())

	started := map[string]bool{}
	for _, req := range srv.Requests() {
		if req.Endpoint == appliverytest.EndpointList {
			started[strings.Split(req.Path, "/")[8]] = true
		}
	}
	lines := jsonLines(t, strings.TrimSpace(stdout.String()))
	for d := range started {
		require.Contains(t, lines, d, "a device started has its line")
		assert.Equal(t, true, lines[d]["ok"], "and it finished: %v", lines[d])
	}
	assert.Len(t, lines, len(started), "no device that was not started; stdout: %s", stdout.String())
	assert.Contains(t, stdout.String(), `{"interrupted":true,"after":`)
}
