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

func TestWaitNeverSleepsPastTheDeadline(t *testing.T) {
	t.Parallel()
	srv, c := newFake(t)
	cmd := srv.AddCommand(org, device, applivery.Command{})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	got, err := c.AndroidCommands.Wait(ctx, org, device, cmd.ID, &applivery.WaitOptions{MinInterval: time.Hour})
	assert.ErrorIs(t, err, applivery.ErrStillPending)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.NoError(t, ctx.Err(), "returned at once, not at the deadline")
	require.NotNil(t, got, "the last command read")
	assert.Equal(t, applivery.CommandStatusPending, got.Status)
	assert.EqualError(t, err, "applivery: command "+cmd.ID+" still pending after 1 poll: context deadline exceeded")
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
}

func TestWaitWithNoSuccessfulPollReturnsNil(t *testing.T) {
	t.Parallel()
	srv, c := newFake(t, applivery.WithMaxRetries(0))
	cmd := srv.AddCommand(org, device, applivery.Command{})
	srv.Script(appliverytest.EndpointGet, appliverytest.Fault{Status: 503})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	got, err := c.AndroidCommands.Wait(ctx, org, device, cmd.ID, &applivery.WaitOptions{MinInterval: time.Hour})
	assert.Nil(t, got)
	assert.ErrorIs(t, err, applivery.ErrStillPending)
	assert.Contains(t, err.Error(), "the last poll failed: applivery: GET")
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
