package applivery_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/applivery/applivery-go"
	"github.com/applivery/applivery-go/appliverytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fast polls every millisecond or two.
var fast = &applivery.WaitOptions{MinInterval: time.Millisecond, MaxInterval: 2 * time.Millisecond}

func TestWaitReturnsAsSoonAsTheCommandIsNotPending(t *testing.T) {
	t.Parallel()
	for _, status := range []applivery.CommandStatus{applivery.CommandStatusDone, applivery.CommandStatusCanceled, "EXPIRED"} {
		t.Run(string(status), func(t *testing.T) {
			t.Parallel()
			srv, c := newFake(t)
			cmd := srv.AddCommand(org, device, applivery.Command{Status: status})
			got, err := c.AndroidCommands.Wait(context.Background(), org, device, cmd.ID, &applivery.WaitOptions{MinInterval: time.Hour})
			require.NoError(t, err)
			assert.Equal(t, status, got.Status)
			assert.Equal(t, []appliverytest.Endpoint{appliverytest.EndpointGet}, endpoints(srv), "one poll, at once")
		})
	}
}

func TestWaitPollsUntilTheDeviceAppliesTheCommand(t *testing.T) {
	t.Parallel()
	srv, c := newFake(t)
	srv.ApplyAfter(150 * time.Millisecond) // the first poll, at once, reads it PENDING
	cmd, err := createLock(context.Background(), c)
	require.NoError(t, err)

	var mu sync.Mutex
	var seen []applivery.CommandStatus
	opts := *fast
	opts.OnPoll = func(cmd *applivery.Command) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, cmd.Status)
	}
	got, err := c.AndroidCommands.Wait(context.Background(), org, device, cmd.ID, &opts)
	require.NoError(t, err)
	assert.Equal(t, applivery.CommandStatusDone, got.Status)
	assert.True(t, got.Config.Done)
	require.GreaterOrEqual(t, len(seen), 2)
	assert.Equal(t, applivery.CommandStatusDone, seen[len(seen)-1], "OnPoll sees every command read, the last too")
	assert.Equal(t, slices.Repeat([]applivery.CommandStatus{applivery.CommandStatusPending}, len(seen)-1), seen[:len(seen)-1])
	gets := 0
	for _, e := range endpoints(srv) {
		if e == appliverytest.EndpointGet {
			gets++
		}
	}
	assert.Equal(t, len(seen), gets, "one GET per poll")
}

func TestWaitOnACommandCanceledMeanwhile(t *testing.T) {
	t.Parallel()
	srv, c := newFake(t)
	cmd := srv.AddCommand(org, device, applivery.Command{})
	opts := *fast
	opts.OnPoll = func(*applivery.Command) { srv.SetCommandStatus(org, device, cmd.ID, applivery.CommandStatusCanceled) }
	got, err := c.AndroidCommands.Wait(context.Background(), org, device, cmd.ID, &opts)
	require.NoError(t, err)
	assert.Equal(t, applivery.CommandStatusCanceled, got.Status)
}

// fakeClock is the time of a Wait whose sleeps end at once: each advances
// the clock by its length. It starts at the real time, so that a deadline
// built from it is as far in the real future as on the clock: the HTTP
// calls, which honour the context in real time, never meet it.
type fakeClock struct {
	mu     sync.Mutex
	start  time.Time
	now    time.Time
	sleeps []time.Duration
	// onSleep, when set, runs after each sleep with the time since start.
	onSleep func(elapsed time.Duration)
}

// newFakeClock gives c's Wait a fake clock.
func newFakeClock(c *applivery.Client) *fakeClock {
	now := time.Now()
	f := &fakeClock{start: now, now: now}
	applivery.SetClock(c, f.Now, f.Sleep)
	return f
}

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.sleeps = append(f.sleeps, d)
	elapsed, onSleep := f.now.Sub(f.start), f.onSleep
	f.mu.Unlock()
	if onSleep != nil {
		onSleep(elapsed)
	}
	return ctx.Err()
}

// Elapsed is the time on the clock since it started.
func (f *fakeClock) Elapsed() time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now.Sub(f.start)
}

// withDeadline returns a context whose deadline is d after the clock's start.
func (f *fakeClock) withDeadline(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithDeadline(context.Background(), f.start.Add(d))
	t.Cleanup(cancel)
	return ctx
}

func TestWaitPollsOneLastTimeJustBeforeTheDeadline(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		opts      *applivery.WaitOptions
		budget    time.Duration
		wantLast  time.Duration // when the last poll is made
		wantPolls int           // 0: jitter decides
		wantErr   string        // after the command ID
	}{
		{name: "5 s, the default intervals", budget: 5 * time.Second, wantLast: 4500 * time.Millisecond, wantPolls: 3,
			wantErr: " still PENDING after 5s (3 polls)"},
		{name: "1 min, the default intervals", budget: time.Minute, wantLast: 59 * time.Second,
			wantErr: " still PENDING after 1m0s ("},
		{name: "an interval longer than the budget", opts: &applivery.WaitOptions{MinInterval: time.Hour}, budget: time.Minute,
			wantLast: 59 * time.Second, wantPolls: 2, wantErr: " still PENDING after 1m0s (2 polls)"},
		{name: "a budget shorter than a second", budget: 800 * time.Millisecond, wantLast: 720 * time.Millisecond, wantPolls: 2,
			wantErr: " still PENDING after 800ms (2 polls)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, c := newFake(t)
			cmd := srv.AddCommand(org, device, applivery.Command{})
			clk := newFakeClock(c)
			var polls []time.Duration
			opts := applivery.WaitOptions{}
			if tt.opts != nil {
				opts = *tt.opts
			}
			opts.OnPoll = func(*applivery.Command) { polls = append(polls, clk.Elapsed()) }

			got, err := c.AndroidCommands.Wait(clk.withDeadline(t, tt.budget), org, device, cmd.ID, &opts)
			require.Error(t, err)
			assert.ErrorIs(t, err, applivery.ErrStillPending)
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			assert.Contains(t, err.Error(), "applivery: command "+cmd.ID+tt.wantErr)
			assert.NotContains(t, err.Error(), "context deadline exceeded", "it says how long it waited instead")
			require.NotNil(t, got, "the last command read")
			assert.Equal(t, applivery.CommandStatusPending, got.Status)

			require.NotEmpty(t, polls)
			assert.Zero(t, polls[0], "the first poll is immediate")
			assert.Equal(t, tt.wantLast, polls[len(polls)-1], "the last poll, just before the deadline")
			if tt.wantPolls != 0 {
				assert.Len(t, polls, tt.wantPolls)
			}
			assert.Equal(t, tt.wantLast, clk.Elapsed(), "no sleep after the last poll")
		})
	}
}

func TestWaitSeesTheCommandAppliedJustBeforeTheDeadline(t *testing.T) {
	t.Parallel()
	srv, c := newFake(t)
	cmd := srv.AddCommand(org, device, applivery.Command{})
	clk := newFakeClock(c)
	// Polls at 0 s and about 2 s read it PENDING; the next would come after
	// the 5 s deadline. The device applies the command at 4.4 s.
	clk.onSleep = func(elapsed time.Duration) {
		if elapsed >= 4400*time.Millisecond {
			srv.SetCommandStatus(org, device, cmd.ID, applivery.CommandStatusDone)
		}
	}
	got, err := c.AndroidCommands.Wait(clk.withDeadline(t, 5*time.Second), org, device, cmd.ID, nil)
	require.NoError(t, err)
	assert.Equal(t, applivery.CommandStatusDone, got.Status)
	assert.Equal(t, 4500*time.Millisecond, clk.Elapsed(), "read by the last poll, at 4.5 s")
}

func TestWaitNeverSleepsPastTheDeadline(t *testing.T) {
	t.Parallel()
	srv, c := newFake(t)
	cmd := srv.AddCommand(org, device, applivery.Command{})
	clk := newFakeClock(c)
	ctx := clk.withDeadline(t, time.Minute)
	got, err := c.AndroidCommands.Wait(ctx, org, device, cmd.ID, &applivery.WaitOptions{MinInterval: time.Hour})
	assert.ErrorIs(t, err, applivery.ErrStillPending)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.NoError(t, ctx.Err(), "returned before the deadline")
	assert.Equal(t, []time.Duration{59 * time.Second}, clk.sleeps, "one sleep, to the last poll")
	require.NotNil(t, got, "the last command read")
	assert.Equal(t, applivery.CommandStatusPending, got.Status)
	assert.EqualError(t, err, "applivery: command "+cmd.ID+" still PENDING after 1m0s (2 polls)")
}

func TestWaitWhoseDeadlineHasPassed(t *testing.T) {
	t.Parallel()
	srv, c := newFake(t)
	cmd := srv.AddCommand(org, device, applivery.Command{})
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	got, err := c.AndroidCommands.Wait(ctx, org, device, cmd.ID, nil)
	assert.Nil(t, got)
	assert.ErrorIs(t, err, applivery.ErrStillPending)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.EqualError(t, err, "applivery: command "+cmd.ID+" not read in 0s (1 poll)")
	assert.Empty(t, srv.Requests(), "nothing was sent")
}

func TestWaitEndsWhenTheContextIsCanceled(t *testing.T) {
	t.Parallel()
	srv, c := newFake(t)
	cmd := srv.AddCommand(org, device, applivery.Command{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	polls := 0
	got, err := c.AndroidCommands.Wait(ctx, org, device, cmd.ID, &applivery.WaitOptions{
		MinInterval: time.Hour,
		OnPoll: func(*applivery.Command) {
			if polls++; polls == 1 {
				cancel() // during the hour's wait
			}
		},
	})
	assert.ErrorIs(t, err, applivery.ErrStillPending)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 1, polls)
	require.NotNil(t, got)
	assert.Equal(t, cmd.ID, got.ID)
	assert.Contains(t, err.Error(), "applivery: command "+cmd.ID+" still PENDING after ")
	assert.Contains(t, err.Error(), " (1 poll): the wait was canceled")
}

func TestWaitWithNoSuccessfulPollReturnsNil(t *testing.T) {
	t.Parallel()
	srv, c := newFake(t, applivery.WithMaxRetries(0))
	cmd := srv.AddCommand(org, device, applivery.Command{})
	srv.Script(appliverytest.EndpointGet, appliverytest.Fault{Status: 503}, appliverytest.Fault{Status: 503})
	clk := newFakeClock(c)
	got, err := c.AndroidCommands.Wait(clk.withDeadline(t, time.Minute), org, device, cmd.ID, &applivery.WaitOptions{MinInterval: time.Hour})
	assert.Nil(t, got)
	assert.ErrorIs(t, err, applivery.ErrStillPending)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "applivery: command "+cmd.ID+" not read in 1m0s (2 polls); the last poll failed: applivery: GET")
}

func TestWaitRidesOutTransientFailures(t *testing.T) {
	t.Parallel()
	srv, c := newFake(t, applivery.WithMaxRetries(0)) // each failure ends a poll
	cmd := srv.AddCommand(org, device, applivery.Command{Status: applivery.CommandStatusDone})
	srv.Script(appliverytest.EndpointGet,
		appliverytest.Fault{Status: 503, HTML: true},
		appliverytest.Fault{Status: 500},
		appliverytest.Fault{Status: 429, RetryAfter: "0"},
		appliverytest.Fault{Drop: true},
		appliverytest.Fault{Status: 502},
	)
	got, err := c.AndroidCommands.Wait(context.Background(), org, device, cmd.ID, fast)
	require.NoError(t, err)
	assert.Equal(t, applivery.CommandStatusDone, got.Status)
	assert.Len(t, endpoints(srv), 6)
}

func TestWaitHonoursRetryAfter(t *testing.T) {
	t.Parallel()
	srv, c := newFake(t, applivery.WithMaxRetries(0))
	cmd := srv.AddCommand(org, device, applivery.Command{Status: applivery.CommandStatusDone})
	srv.Script(appliverytest.EndpointGet, appliverytest.Fault{Status: 429, RetryAfter: "3600"})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := c.AndroidCommands.Wait(ctx, org, device, cmd.ID, fast)
	// The next poll would come in an hour, after the deadline: Wait returns
	// at once rather than polling again in 2 ms.
	assert.ErrorIs(t, err, applivery.ErrStillPending)
	assert.ErrorIs(t, err, applivery.ErrRateLimited, "the last poll's error is kept")
	assert.NoError(t, ctx.Err())
	assert.Len(t, endpoints(srv), 1)
}

func TestWaitStopsAtAPermanentFailure(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		fault  appliverytest.Fault
		wantIs error
	}{
		{"not found", appliverytest.Fault{Code: applivery.CodeEntityNotFound}, applivery.ErrNotFound},
		{"unauthorized", appliverytest.Fault{Code: applivery.CodeInvalidToken}, applivery.ErrUnauthorized},
		{"forbidden", appliverytest.Fault{Status: 403}, applivery.ErrForbidden},
		{"not implemented", appliverytest.Fault{Status: 501}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, c := newFake(t)
			cmd := srv.AddCommand(org, device, applivery.Command{})
			opts := *fast
			opts.OnPoll = func(*applivery.Command) { srv.Script(appliverytest.EndpointGet, tt.fault) }
			got, err := c.AndroidCommands.Wait(context.Background(), org, device, cmd.ID, &opts)
			require.Error(t, err)
			assert.NotErrorIs(t, err, applivery.ErrStillPending)
			if tt.wantIs != nil {
				assert.ErrorIs(t, err, tt.wantIs)
			}
			require.NotNil(t, got, "the last command read")
			assert.Len(t, endpoints(srv), 2, "the first poll, then the failing one")
		})
	}
}

func TestWaitValidatesBeforeTheWire(t *testing.T) {
	t.Parallel()
	srv, c := newFake(t)
	tests := []struct {
		name      string
		commandID string
		opts      *applivery.WaitOptions
		wantField string
	}{
		{"command ID", "nothex", nil, "emmCommandId"},
		{"negative minimum", "0123456789abcdef01234567", &applivery.WaitOptions{MinInterval: -time.Second}, "minInterval"},
		{"negative maximum", "0123456789abcdef01234567", &applivery.WaitOptions{MaxInterval: -time.Second}, "maxInterval"},
		{"maximum below minimum", "0123456789abcdef01234567", &applivery.WaitOptions{MinInterval: time.Minute, MaxInterval: time.Second}, "maxInterval"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := c.AndroidCommands.Wait(context.Background(), org, device, tt.commandID, tt.opts)
			assert.Nil(t, got)
			var ve *applivery.ValidationError
			require.True(t, errors.As(err, &ve), "%v", err)
			assert.Equal(t, tt.wantField, ve.Field)
		})
	}
	t.Cleanup(func() { assert.Empty(t, srv.Requests(), "nothing was sent") })
}
