package appliverytest_test

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/applivery/applivery-go"
	"github.com/applivery/applivery-go/appliverytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRateLimitWithTheTestClient is the recipe of docs/testing.md: a job of
// 100 calls against SetRateLimit, through srv.TestClient(t), succeeds every
// time, slowed down by the limit rather than failed by it. Before the
// TestClient honoured the fake's precise wait, the first 429 ended its call
// (its Retry-After of 1 s is beyond the test client's longest wait), and a
// job paced at the server's rate failed most runs.
func TestRateLimitWithTheTestClient(t *testing.T) {
	t.Parallel()
	const (
		calls     = 100
		perSecond = 500 // the server's, for the paced jobs: a run lasts about 0.2 s
		burst     = 10
	)
	tests := []struct {
		name             string
		perSecond        float64 // the server's
		burst, workers   int
		opts             []applivery.Option
		wantLimitReached bool // the limit must have refused some calls
	}{
		// One token every 5 ms: a call, even under -race, comes sooner.
		{"one caller, not paced", 200, 1, 1, nil, true},
		{"eight callers, paced just below the server", perSecond, burst, 8,
			[]applivery.Option{applivery.WithRateLimit(perSecond*0.9, burst)}, false},
		{"eight callers, paced at the server's rate and burst", perSecond, burst, 8,
			[]applivery.Option{applivery.WithRateLimit(perSecond, burst)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := appliverytest.Start(t)
			cmd := srv.AddCommand(org, device, applivery.Command{})
			srv.SetRateLimit(tt.perSecond, tt.burst)
			client := srv.TestClient(t, tt.opts...)

			var next atomic.Int64
			var wg sync.WaitGroup
			for range tt.workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for next.Add(1) <= calls {
						_, err := client.AndroidCommands.Get(context.Background(), org, device, cmd.ID)
						assert.NoError(t, err, "a 429 of the fake is waited out")
					}
				}()
			}
			wg.Wait()

			refused := len(srv.Requests()) - calls
			t.Logf("%d calls refused with a 429 and retried", refused)
			if tt.wantLimitReached {
				assert.Greater(t, refused, 0, "the limit was met")
			}
		})
	}
}

// TestRateLimitAnswer: a 429 of the limit carries the whole seconds HTTP
// allows in Retry-After, and the precise wait in a header of the fake's own.
func TestRateLimitAnswer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		perSecond  float64
		wantRetry  string
		wantAtMost time.Duration // the precise wait
	}{
		{"a fast limit", 100, "1", 10 * time.Millisecond},
		{"one a second", 1, "1", time.Second},
		{"one in 1000 s", 0.001, "1000", 1000 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := appliverytest.Start(t)
			srv.SetRateLimit(tt.perSecond, 1)
			var resp *http.Response
			// The first call takes the token. On a loaded machine the next
			// may come after the next token (10 ms at 100 a second): send
			// until one is refused.
			for i := 0; i < 10 && (resp == nil || resp.StatusCode != http.StatusTooManyRequests); i++ {
				req, err := http.NewRequest(http.MethodGet, srv.URL+"/organizations/"+org+"/mdm/android/enterprise/devices", nil)
				require.NoError(t, err)
				resp, err = http.DefaultClient.Do(req)
				require.NoError(t, err)
				resp.Body.Close()
			}
			require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
			assert.Equal(t, tt.wantRetry, resp.Header.Get("Retry-After"))
			precise, err := time.ParseDuration(resp.Header.Get("Appliverytest-Retry-After"))
			require.NoError(t, err)
			assert.Greater(t, precise, time.Duration(0))
			assert.LessOrEqual(t, precise, tt.wantAtMost)
		})
	}
}

// TestCallsRefusedTogetherAreToldSuccessiveTokens: the second call refused
// before the first has come back is told the token after the first's, so
// that callers refused together do not all come back for the same token.
func TestCallsRefusedTogetherAreToldSuccessiveTokens(t *testing.T) {
	t.Parallel()
	srv := appliverytest.Start(t)
	srv.SetRateLimit(1, 1)
	var waits []time.Duration
	var retryAfters []string
	for range 4 { // the first takes the token
		req, err := http.NewRequest(http.MethodGet, srv.URL+"/organizations/"+org+"/mdm/android/enterprise/devices", nil)
		require.NoError(t, err)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		if resp.StatusCode == http.StatusTooManyRequests {
			wait, err := time.ParseDuration(resp.Header.Get("Appliverytest-Retry-After"))
			require.NoError(t, err)
			waits = append(waits, wait)
			retryAfters = append(retryAfters, resp.Header.Get("Retry-After"))
		}
	}
	require.Len(t, waits, 3)
	for i := 1; i < len(waits); i++ {
		assert.Greater(t, waits[i], waits[i-1]+500*time.Millisecond, "a token a second: the next one, not the same")
	}
	assert.Equal(t, []string{"1", "2", "3"}, retryAfters)
}

// TestRateLimitWaitsTheTestClientDoesNotHonour: a wait beyond
// TestRateLimitWaitMax, or beyond the call's deadline, is the SDK's to
// judge, and it returns the 429 at once with the server's Retry-After.
func TestRateLimitWaitsTheTestClientDoesNotHonour(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		perSecond float64
		timeout   time.Duration // of the call's context; 0 for none
		wantRetry time.Duration
	}{
		{"beyond TestRateLimitWaitMax", 0.5, 0, 2 * time.Second},
		{"beyond the deadline", 1, 500 * time.Millisecond, time.Second}, // a wait of almost 1 s
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := appliverytest.Start(t)
			cmd := srv.AddCommand(org, device, applivery.Command{})
			srv.SetRateLimit(tt.perSecond, 1)
			client := srv.TestClient(t)
			ctx := context.Background()
			_, err := client.AndroidCommands.Get(ctx, org, device, cmd.ID) // takes the token
			require.NoError(t, err)

			if tt.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.timeout)
				defer cancel()
			}
			_, err = client.AndroidCommands.Get(ctx, org, device, cmd.ID)
			var apiErr *applivery.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.ErrorIs(t, err, applivery.ErrRateLimited)
			assert.Equal(t, tt.wantRetry, apiErr.RetryAfter, "the server's Retry-After, untouched")
			assert.Equal(t, 1, apiErr.Attempts, "not retried")
		})
	}
}

// TestTheTestClientServesTheWaitBeforeTheSDKSeesThe429: with no retries, the
// call returns the 429 after the precise wait, with a Retry-After of 0.
func TestTheTestClientServesTheWaitBeforeTheSDKSeesThe429(t *testing.T) {
	t.Parallel()
	srv := appliverytest.Start(t)
	cmd := srv.AddCommand(org, device, applivery.Command{})
	srv.SetRateLimit(5, 1) // a token every 200 ms: a wait the test client serves, and one no loaded machine outruns
	client := srv.TestClient(t, applivery.WithMaxRetries(0))
	var refused *applivery.APIError
	for i := 0; refused == nil && i < 10; i++ {
		_, err := client.AndroidCommands.Get(context.Background(), org, device, cmd.ID)
		if err != nil {
			require.ErrorAs(t, err, &refused)
		}
	}
	require.NotNil(t, refused, "at 5 a second with a burst of 1, two calls in a row meet the limit")
	assert.Equal(t, http.StatusTooManyRequests, refused.StatusCode)
	assert.Zero(t, refused.RetryAfter, "the wait was served: retry at once")
}

func TestSetRateLimit(t *testing.T) {
	t.Parallel()
	srv := appliverytest.Start(t)
	c := srv.TestClient(t, applivery.WithMaxRetries(0))
	cmd := srv.AddCommand(org, device, applivery.Command{})
	srv.SetRateLimit(0.001, 2) // two at once, then one every 1000 s
	srv.Script(appliverytest.EndpointGet, appliverytest.Fault{Status: 500}, appliverytest.Fault{Status: 500}, appliverytest.Fault{Status: 500})
	ctx := context.Background()
	var apiErr *applivery.APIError
	for range 2 {
		_, err := c.AndroidCommands.Get(ctx, org, device, cmd.ID)
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, 500, apiErr.StatusCode, "the scripted 500, within the rate")
	}
	_, err := c.AndroidCommands.Get(ctx, org, device, cmd.ID)
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusTooManyRequests, apiErr.StatusCode, "before the scripted fault")
	assert.GreaterOrEqual(t, apiErr.RetryAfter, 900*time.Second)
	assert.ErrorIs(t, err, applivery.ErrRateLimited)
	assert.Len(t, srv.Requests(), 3, "a refused call is recorded too")

	srv.SetRateLimit(0, 0) // off: the third fault is still queued
	_, err = c.AndroidCommands.Get(ctx, org, device, cmd.ID)
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 500, apiErr.StatusCode)
	_, err = c.AndroidCommands.Get(ctx, org, device, cmd.ID)
	assert.NoError(t, err)

	assert.Panics(t, func() { srv.SetRateLimit(-1, 1) })
	assert.Panics(t, func() { srv.SetRateLimit(10, 0) })
}

func TestRateLimitedCallsAreRetriedAfterRetryAfter(t *testing.T) {
	t.Parallel()
	srv := appliverytest.Start(t)
	// Retry-After is in whole seconds: the SDK's maximum wait must allow 1 s.
	c := srv.TestClient(t, applivery.WithRetryWait(time.Millisecond, 2*time.Second))
	srv.SetRateLimit(1000, 1)
	cmd := srv.AddCommand(org, device, applivery.Command{})
	var wg sync.WaitGroup
	for range 2 { // one within the burst, one 429 waited out
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.AndroidCommands.Get(context.Background(), org, device, cmd.ID)
			assert.NoError(t, err, "a 429 is waited out")
		}()
	}
	wg.Wait()
}
