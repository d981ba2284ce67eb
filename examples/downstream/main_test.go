package main

// How a service built on the SDK tests its own code: a real HTTP server
// (appliverytest) stands in for the API, and the test scripts what the API
// does. No mock of the SDK is needed.

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/applivery/applivery-go"
	"github.com/applivery/applivery-go/appliverytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newFleet returns a Fleet on a fresh test server that holds the device
// pixel8_0042: like the API, the fake answers 404 for any other. In tests,
// waits between retries are shortened so that a retried call takes
// milliseconds.
func newFleet(t *testing.T) (*Fleet, *appliverytest.Server) {
	t.Helper()
	srv := appliverytest.Start(t)
	srv.AddDevice("acme-fleet", applivery.Device{}, "pixel8_0042") // its serial number
	client := srv.TestClient(t)                                    // retries wait milliseconds
	return &Fleet{Commands: client.AndroidCommands, Organization: "acme-fleet"}, srv
}

func TestReportLost(t *testing.T) {
	t.Parallel()
	fleet, srv := newFleet(t)

	cmd, err := fleet.ReportLost(context.Background(), "pixel8_0042", "+1-555-0123")
	require.NoError(t, err)
	assert.Equal(t, applivery.CommandTypeStartLostMode, cmd.Config.Metadata.Type)
	assert.Equal(t, applivery.CommandStatusPending, cmd.Status)

	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, appliverytest.EndpointCreate, reqs[0].Endpoint)
	assert.Contains(t, string(reqs[0].Body), `"lostPhoneNumber":{"defaultMessage":"+1-555-0123"}`)
}

func TestReportLostRidesOutRateLimiting(t *testing.T) {
	t.Parallel()
	fleet, srv := newFleet(t)
	srv.Script(appliverytest.EndpointCreate, appliverytest.Fault{Status: 429, RetryAfter: "0"})

	_, err := fleet.ReportLost(context.Background(), "pixel8_0042", "+1-555-0123")
	require.NoError(t, err, "the SDK retries a 429: the server did not act")
	assert.Len(t, srv.Requests(), 2)
}

// TestReportLostAcrossAFleetWithinTheRateLimit: a hundred reports, eight at
// a time, against the API's rate limit. The service paces itself just below
// the limit; the 429s that still come (requests do not arrive as evenly as
// they leave) are waited out, with the fake's precise wait, by the test
// client.
func TestReportLostAcrossAFleetWithinTheRateLimit(t *testing.T) {
	t.Parallel()
	srv := appliverytest.Start(t)
	srv.SetRateLimit(500, 10)                                     // the API's limit, scaled so that the test takes 0.2 s
	client := srv.TestClient(t, applivery.WithRateLimit(450, 10)) // the service's own pace
	fleet := &Fleet{Commands: client.AndroidCommands, Organization: "acme-fleet"}
	devices := make(chan string, 100)
	for i := range cap(devices) {
		serial := fmt.Sprintf("pixel8_%04d", i)
		srv.AddDevice("acme-fleet", applivery.Device{}, serial)
		devices <- serial
	}
	close(devices)

	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for serial := range devices {
				cmd, err := fleet.ReportLost(context.Background(), serial, "+1-555-0123")
				if assert.NoError(t, err, serial) {
					_, ok := srv.Command("acme-fleet", serial, cmd.ID)
					assert.True(t, ok, serial)
				}
			}
		}()
	}
	wg.Wait()
}

func TestReportLostDoesNotSendTwiceWhenTheAnswerIsLost(t *testing.T) {
	t.Parallel()
	fleet, srv := newFleet(t)
	// The create is carried out, then the connection breaks.
	srv.Script(appliverytest.EndpointCreate, appliverytest.Fault{Drop: true, Applied: true})

	cmd, err := fleet.ReportLost(context.Background(), "pixel8_0042", "+1-555-0123")
	require.NoError(t, err, "the command exists: ReportLost finds it")
	stored, ok := srv.Command("acme-fleet", "pixel8_0042", cmd.ID)
	require.True(t, ok)
	assert.Equal(t, applivery.CommandStatusPending, stored.Status)

	var creates int
	for _, r := range srv.Requests() {
		if r.Endpoint == appliverytest.EndpointCreate {
			creates++
		}
	}
	assert.Equal(t, 1, creates, "lost mode is not sent twice")
}

func TestReportLostDuringAnOutage(t *testing.T) {
	t.Parallel()
	fleet, srv := newFleet(t)
	srv.Script(appliverytest.EndpointCreate, appliverytest.Fault{Status: 503, HTML: true})
	srv.Script(appliverytest.EndpointList, slices.Repeat([]appliverytest.Fault{{Status: 503}}, 4)...)

	_, err := fleet.ReportLost(context.Background(), "pixel8_0042", "+1-555-0123")
	require.Error(t, err)
	assert.ErrorIs(t, err, applivery.ErrOutcomeUnknown, "the caller learns the command may exist")
	assert.True(t, strings.HasPrefix(err.Error(), "reporting pixel8_0042 lost: applivery: POST "), err.Error())

	// The outage is over (the scripted faults are used up): nothing was created.
	page, err := fleet.Commands.List(context.Background(), "acme-fleet", "pixel8_0042", nil)
	require.NoError(t, err)
	assert.Empty(t, page.Items)
}

func TestReportLostOnAnUnknownDevice(t *testing.T) {
	t.Parallel()
	fleet, srv := newFleet(t)
	_, err := fleet.ReportLost(context.Background(), "pixel8_0024", "+1-555-0123") // a typo
	assert.ErrorIs(t, err, applivery.ErrNotFound)
	assert.NotErrorIs(t, err, applivery.ErrOutcomeUnknown, "a 404 says nothing was created")
	_, ok := srv.Device("acme-fleet", "pixel8_0024")
	assert.False(t, ok)
}

func TestReportLostRefusesABadDevice(t *testing.T) {
	t.Parallel()
	fleet, srv := newFleet(t)
	_, err := fleet.ReportLost(context.Background(), "../other", "+1-555-0123")
	assert.ErrorIs(t, err, applivery.ErrInvalidArgument)
	assert.Empty(t, srv.Requests(), "nothing was sent")
}

func TestReportLostOnAPlanWithoutTheFeature(t *testing.T) {
	t.Parallel()
	fleet, srv := newFleet(t)
	srv.SetFeatureAllowed("acme-fleet", false)
	_, err := fleet.ReportLost(context.Background(), "pixel8_0042", "+1-555-0123")
	assert.ErrorIs(t, err, applivery.ErrFeatureNotAllowed)
}

func TestDemo(t *testing.T) {
	t.Setenv("APPLIVERY_API_KEY", "")
	var out, errOut strings.Builder
	code := run(context.Background(), nil, &out, &errOut)
	assert.Equal(t, 0, code, errOut.String())
	assert.Regexp(t, `Device pixel8_0042 is being put in lost mode: command [0-9a-f]{24}, PENDING\.\n$`, out.String())
}
