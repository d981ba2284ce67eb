package applivery_test

// Retry safety per operation, against appliverytest: Create is retried only
// when the server surely did not act, and Cancel resolves a 5052 that follows
// an attempt whose outcome is unknown.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/applivery/applivery-go"
	"github.com/applivery/applivery-go/appliverytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	org    = "acme-fleet"
	device = "pixel8_0042"
)

// newFake returns a test server that holds the device, and a client of it
// whose retries wait a millisecond.
func newFake(t *testing.T, opts ...applivery.Option) (*appliverytest.Server, *applivery.Client) {
	t.Helper()
	srv := appliverytest.Start(t)
	srv.AddDevice(org, applivery.Device{}, device)
	return srv, srv.TestClient(t, opts...)
}

func createLock(ctx context.Context, c *applivery.Client) (*applivery.Command, error) {
	return c.AndroidCommands.Create(ctx, org, device, &applivery.CreateCommandRequest{Type: applivery.CommandTypeLock})
}

// stored counts the commands the server holds for the device.
func stored(t *testing.T, srv *appliverytest.Server) int {
	t.Helper()
	c, err := srv.NewClient()
	require.NoError(t, err)
	page, err := c.AndroidCommands.List(context.Background(), org, device, nil)
	require.NoError(t, err)
	return len(page.Items)
}

func TestCreateIsRetriedOnlyWhenTheServerSurelyDidNotAct(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		fault       appliverytest.Fault // the first attempt's
		wantCalls   int                 // create calls the server received
		wantStored  int                 // commands the server holds afterwards
		wantUnknown bool                // the error matches ErrOutcomeUnknown
		wantStatus  int                 // of the *APIError, 0 when there is none
	}{
		{name: "429 is retried", fault: appliverytest.Fault{Status: 429}, wantCalls: 2, wantStored: 1},
		{name: "500", fault: appliverytest.Fault{Status: 500}, wantCalls: 1, wantUnknown: true, wantStatus: 500},
		{name: "502 from a proxy, after the command was created", fault: appliverytest.Fault{Status: 502, HTML: true, Applied: true},
			wantCalls: 1, wantStored: 1, wantUnknown: true, wantStatus: 502},
		{name: "503", fault: appliverytest.Fault{Status: 503}, wantCalls: 1, wantUnknown: true, wantStatus: 503},
		{name: "504", fault: appliverytest.Fault{Status: 504}, wantCalls: 1, wantUnknown: true, wantStatus: 504},
		{name: "connection dropped before creating", fault: appliverytest.Fault{Drop: true}, wantCalls: 1, wantUnknown: true},
		{name: "connection dropped after creating", fault: appliverytest.Fault{Drop: true, Applied: true},
			wantCalls: 1, wantStored: 1, wantUnknown: true},
		{name: "no answer in time", fault: appliverytest.Fault{Latency: 5 * time.Second}, wantCalls: 1, wantUnknown: true},
		{name: "400 is a plain failure", fault: appliverytest.Fault{Status: 400, Code: 5209, Message: "Invalid input"}, wantCalls: 1, wantStatus: 400},
		{name: "501 says nothing was done", fault: appliverytest.Fault{Status: 501}, wantCalls: 1, wantStatus: 501},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, c := newFake(t, applivery.WithAttemptTimeout(500*time.Millisecond))
			srv.Script(appliverytest.EndpointCreate, tt.fault)

			cmd, err := createLock(context.Background(), c)
			assert.Equal(t, tt.wantCalls, len(srv.Requests()), "create calls")
			assert.Equal(t, tt.wantStored, stored(t, srv), "commands created")
			if tt.wantCalls == 2 {
				require.NoError(t, err)
				assert.Equal(t, applivery.CommandStatusPending, cmd.Status)
				return
			}
			require.Error(t, err)
			assert.Equal(t, tt.wantUnknown, errors.Is(err, applivery.ErrOutcomeUnknown), "ErrOutcomeUnknown: %v", err)
			assert.Equal(t, tt.wantUnknown, strings.Contains(err.Error(), "the command may have been created"), err.Error())
			var apiErr *applivery.APIError
			if tt.wantStatus != 0 {
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, tt.wantStatus, apiErr.StatusCode)
				assert.Equal(t, 1, apiErr.Attempts)
			} else {
				assert.False(t, errors.As(err, &apiErr))
			}
		})
	}
}

func TestCreateIsRetriedWhenNoConnectionWasMade(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	c, err := applivery.NewClient("sk_test", applivery.WithBaseURL("http://"+addr+"/v1"),
		applivery.WithRetryWait(time.Millisecond, time.Millisecond), applivery.WithMaxRetries(2))
	require.NoError(t, err)

	_, err = createLock(context.Background(), c)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "(3 attempts)", "a refused connection is retried: nothing was sent")
	assert.NotErrorIs(t, err, applivery.ErrOutcomeUnknown)
}

func TestSafeCallsAreRetriedWhereCreateIsNot(t *testing.T) {
	t.Parallel()
	lostTwice := []appliverytest.Fault{{Status: 502}, {Drop: true, Applied: true}}
	tests := map[appliverytest.Endpoint]func(*applivery.Client, string) error{
		appliverytest.EndpointGet: func(c *applivery.Client, id string) error {
			_, err := c.AndroidCommands.Get(context.Background(), org, device, id)
			return err
		},
		appliverytest.EndpointList: func(c *applivery.Client, _ string) error {
			_, err := c.AndroidCommands.List(context.Background(), org, device, nil)
			return err
		},
		appliverytest.EndpointCancel: func(c *applivery.Client, id string) error {
			_, err := c.AndroidCommands.Cancel(context.Background(), org, device, id)
			return err
		},
	}
	for endpoint, call := range tests {
		t.Run(string(endpoint), func(t *testing.T) {
			t.Parallel()
			srv, c := newFake(t)
			cmd := srv.AddCommand(org, device, applivery.Command{})
			srv.Script(endpoint, lostTwice...)
			require.NoError(t, call(c, cmd.ID))
			var calls int
			for _, r := range srv.Requests() {
				if r.Endpoint == endpoint {
					calls++
				}
			}
			assert.GreaterOrEqual(t, calls, 3)
		})
	}
}

func TestCreateEndedByTheContextMayHaveCreated(t *testing.T) {
	t.Parallel()
	srv, c := newFake(t)
	srv.Script(appliverytest.EndpointCreate, appliverytest.Fault{Latency: 10 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := createLock(ctx, c)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.ErrorIs(t, err, applivery.ErrOutcomeUnknown, "the request may have gone out before the deadline")
}

func TestCreateEndedByTheContextDuringAWaitDidNotCreate(t *testing.T) {
	t.Parallel()
	srv, c := newFake(t, applivery.WithRetryWait(time.Minute, time.Minute))
	srv.Script(appliverytest.EndpointCreate, appliverytest.Fault{Status: 429})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	time.AfterFunc(100*time.Millisecond, cancel) // during the minute's wait
	_, err := createLock(ctx, c)
	assert.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, applivery.ErrOutcomeUnknown, "the only attempt was a 429")
	assert.Zero(t, stored(t, srv))
}

func TestOutcomeOfTheLastAttempt(t *testing.T) {
	t.Parallel()
	// A Create that ends in each kind of answer after a retried 429.
	for _, last := range []int{400, 404, 429, 500, 502, 503, 504} {
		t.Run(fmt.Sprint(last), func(t *testing.T) {
			t.Parallel()
			srv, c := newFake(t, applivery.WithMaxRetries(1))
			srv.Script(appliverytest.EndpointCreate, appliverytest.Fault{Status: 429}, appliverytest.Fault{Status: last})
			_, err := createLock(context.Background(), c)
			assert.Equal(t, last >= 500, errors.Is(err, applivery.ErrOutcomeUnknown), "%v", err)
			var apiErr *applivery.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, 2, apiErr.Attempts)
		})
	}
}

func TestCancelResolvesALostAnswer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		faults []appliverytest.Fault // the first is carried out
	}{
		{"connection dropped", []appliverytest.Fault{{Drop: true, Applied: true}}},
		{"502 from a proxy", []appliverytest.Fault{{Status: 502, HTML: true, Applied: true}}},
		{"504 from a proxy", []appliverytest.Fault{{Status: 504, Applied: true}}},
		{"500", []appliverytest.Fault{{Status: 500, Applied: true}}},
		{"lost, then a 429", []appliverytest.Fault{{Drop: true, Applied: true}, {Status: 429}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var logs bytes.Buffer
			srv, c := newFake(t, applivery.WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
			cmd := srv.AddCommand(org, device, applivery.Command{})
			srv.Script(appliverytest.EndpointCancel, tt.faults...)

			got, err := c.AndroidCommands.Cancel(context.Background(), org, device, cmd.ID)
			require.NoError(t, err, "the first attempt canceled the command")
			assert.Equal(t, applivery.CommandStatusCanceled, got.Status)
			assert.Equal(t, cmd.ID, got.ID)
			assert.Equal(t, append(slices.Repeat([]appliverytest.Endpoint{appliverytest.EndpointCancel}, len(tt.faults)+1),
				appliverytest.EndpointGet), endpoints(srv))
			assert.Contains(t, logs.String(), "the command was canceled; the answer that said so was lost")
		})
	}
}

func TestCancelNotPendingCases(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		status      applivery.CommandStatus
		cancel, get []appliverytest.Fault
		wantLookup  bool
		wantUnknown bool
	}{
		{name: "5052 on the first attempt is returned without a lookup", status: applivery.CommandStatusDone},
		{name: "even for a canceled command", status: applivery.CommandStatusCanceled},
		{name: "a done command stays an error after a lost answer", status: applivery.CommandStatusDone,
			cancel: []appliverytest.Fault{{Status: 502}}, wantLookup: true},
		{name: "5052 after a 429 needs no lookup: the 429 did nothing", status: applivery.CommandStatusDone,
			cancel: []appliverytest.Fault{{Status: 429}}},
		{name: "a failed lookup leaves the outcome unknown", status: applivery.CommandStatusPending,
			cancel: []appliverytest.Fault{{Status: 502, Applied: true}}, get: []appliverytest.Fault{{Status: 500}, {Status: 500}},
			wantLookup: true, wantUnknown: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, c := newFake(t, applivery.WithMaxRetries(1))
			cmd := srv.AddCommand(org, device, applivery.Command{Status: tt.status})
			srv.Script(appliverytest.EndpointCancel, tt.cancel...)
			srv.Script(appliverytest.EndpointGet, tt.get...)

			got, err := c.AndroidCommands.Cancel(context.Background(), org, device, cmd.ID)
			assert.Nil(t, got)
			assert.ErrorIs(t, err, applivery.ErrCommandNotPending)
			var apiErr *applivery.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, applivery.CodeCommandNotPending, apiErr.Code)
			assert.Equal(t, tt.wantUnknown, errors.Is(err, applivery.ErrOutcomeUnknown), "%v", err)
			assert.Equal(t, tt.wantLookup, slices.Contains(endpoints(srv), appliverytest.EndpointGet), "lookup")
		})
	}
}

func endpoints(srv *appliverytest.Server) []appliverytest.Endpoint {
	var out []appliverytest.Endpoint
	for _, r := range srv.Requests() {
		out = append(out, r.Endpoint)
	}
	return out
}

func TestCancelRemembersAnEarlierAttemptThatMayHaveCanceled(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		cancel, get []appliverytest.Fault
		opts        []applivery.Option
		deadline    bool // the call has a deadline of a minute
		wantLookup  bool
		wantSuccess bool
		wantUnknown bool
		wantStatus  int // of the last attempt's *APIError, 0 for none
	}{
		{name: "a 500 that canceled, then a 503", cancel: []appliverytest.Fault{{Status: 500, Applied: true}, {Status: 503}},
			wantLookup: true, wantSuccess: true},
		{name: "a lost answer that canceled, then a long 429",
			cancel:     []appliverytest.Fault{{Drop: true, Applied: true}, {Status: 429, RetryAfter: "3600"}},
			wantLookup: true, wantSuccess: true},
		{name: "a 500 that did not cancel, then a 503: the command says so",
			cancel:     []appliverytest.Fault{{Status: 500}, {Status: 503}},
			wantLookup: true, wantStatus: 503},
		{name: "a 500 that canceled, then a 503, and the lookup fails",
			cancel: []appliverytest.Fault{{Status: 500, Applied: true}, {Status: 503}}, get: []appliverytest.Fault{{Status: 503}, {Status: 503}},
			wantLookup: true, wantUnknown: true, wantStatus: 503},
		{name: "a 500 that canceled, then the rate limit's wait would outlast the deadline",
			cancel: []appliverytest.Fault{{Status: 500, Applied: true}}, opts: []applivery.Option{applivery.WithRateLimit(0.001, 1)},
			deadline: true, wantUnknown: true},
		{name: "503s only: nothing was canceled", cancel: []appliverytest.Fault{{Status: 503}, {Status: 503}}, wantStatus: 503},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, c := newFake(t, append([]applivery.Option{applivery.WithMaxRetries(1)}, tt.opts...)...)
			cmd := srv.AddCommand(org, device, applivery.Command{})
			srv.Script(appliverytest.EndpointCancel, tt.cancel...)
			srv.Script(appliverytest.EndpointGet, tt.get...)
			ctx := context.Background()
			if tt.deadline {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, time.Minute)
				defer cancel()
			}

			got, err := c.AndroidCommands.Cancel(ctx, org, device, cmd.ID)
			assert.Equal(t, tt.wantLookup, slices.Contains(endpoints(srv), appliverytest.EndpointGet), "lookup")
			if tt.wantSuccess {
				require.NoError(t, err)
				assert.Equal(t, applivery.CommandStatusCanceled, got.Status)
				return
			}
			assert.Nil(t, got)
			require.Error(t, err)
			assert.Equal(t, tt.wantUnknown, errors.Is(err, applivery.ErrOutcomeUnknown), "%v", err)
			var apiErr *applivery.APIError
			if tt.wantStatus != 0 {
				require.ErrorAs(t, err, &apiErr, "the last error is wrapped")
				assert.Equal(t, tt.wantStatus, apiErr.StatusCode)
			}
			if tt.deadline {
				assert.ErrorIs(t, err, context.DeadlineExceeded, "the rate limit's wait")
			}
		})
	}
}

// onboardingCreate is a create of the users and enrollment tokens, driven
// against the fake: what it creates, how to count what the server holds,
// and how a second create is refused once the first is held.
type onboardingCreate struct {
	endpoint appliverytest.Endpoint
	create   func(context.Context, *applivery.Client) error
	held     func(*appliverytest.Server) int
	// once makes the server refuse a second create: a user's email is
	// taken by the first (5048); a token limit of one is reached (5017).
	once      func(*appliverytest.Server)
	refusedAs error
	note      string // what the ErrOutcomeUnknown error tells to do
}

// onboardingCreates are the four creates of the users and enrollment
// tokens. None may be sent twice once the server may have acted.
var onboardingCreates = []onboardingCreate{
	{appliverytest.EndpointUserCreate, func(ctx context.Context, c *applivery.Client) error {
		_, err := c.Users.Create(ctx, org, &applivery.CreateUserRequest{Email: "ana@acme.example"})
		return err
	}, func(srv *appliverytest.Server) int { return len(srv.Users(org)) }, func(*appliverytest.Server) {},
		applivery.ErrAlreadyExists, "list the users by email"},
	{appliverytest.EndpointAndroidEnrollmentTokenCreate, func(ctx context.Context, c *applivery.Client) error {
		_, err := c.AndroidEnrollmentTokens.Create(ctx, org, &applivery.CreateAndroidEnrollmentTokenRequest{ManagementMode: applivery.ManagementModeDeviceOwner})
		return err
	}, heldTokens, limitOfOneToken, applivery.ErrLimitExceeded, "check the organization's Android enrollment tokens"},
	{appliverytest.EndpointAOSPEnrollmentTokenCreate, func(ctx context.Context, c *applivery.Client) error {
		_, err := c.AOSPEnrollmentTokens.Create(ctx, org, &applivery.CreateAOSPEnrollmentTokenRequest{ManagementMode: applivery.ManagementModeDeviceOwner, Perpetual: true})
		return err
	}, heldTokens, limitOfOneToken, applivery.ErrLimitExceeded, "check the organization's non-GMS Android enrollment tokens"},
	{appliverytest.EndpointAppleEnrollmentTokenCreate, func(ctx context.Context, c *applivery.Client) error {
		_, err := c.AppleEnrollmentTokens.Create(ctx, org, &applivery.CreateAppleEnrollmentTokenRequest{DisplayName: "Lobby iPads"})
		return err
	}, heldTokens, limitOfOneToken, applivery.ErrLimitExceeded, "list the Apple enrollment tokens"},
}

func heldTokens(srv *appliverytest.Server) int { return len(srv.EnrollmentTokens(org)) }

func limitOfOneToken(srv *appliverytest.Server) { srv.SetEnrollmentTokenLimit(org, 1) }

// recorded counts the calls to endpoint the server received.
func recorded(srv *appliverytest.Server, endpoint appliverytest.Endpoint) int {
	var n int
	for _, r := range srv.Requests() {
		if r.Endpoint == endpoint {
			n++
		}
	}
	return n
}

func TestOnboardingCreatesAreNeverSentTwice(t *testing.T) {
	t.Parallel()
	lost := map[string]appliverytest.Fault{
		"502 from a proxy, after creating":  {Status: 502, HTML: true, Applied: true},
		"500, after creating":               {Status: 500, Applied: true},
		"connection dropped after creating": {Drop: true, Applied: true},
		"answer cut after creating":         {CutBody: true},
	}
	for _, create := range onboardingCreates {
		for name, fault := range lost {
			t.Run(string(create.endpoint)+", "+name, func(t *testing.T) {
				t.Parallel()
				srv, c := newFake(t)
				create.once(srv)
				srv.Script(create.endpoint, fault)

				err := create.create(context.Background(), c)
				assert.ErrorIs(t, err, applivery.ErrOutcomeUnknown)
				assert.ErrorContains(t, err, create.note)
				assert.Equal(t, 1, recorded(srv, create.endpoint), "sent once")
				assert.Equal(t, 1, create.held(srv), "the server created it")

				// Sent again, as the caller may: the server refuses it.
				err = create.create(context.Background(), c)
				assert.ErrorIs(t, err, create.refusedAs)
				assert.NotErrorIs(t, err, applivery.ErrOutcomeUnknown, "a 400 did nothing")
				assert.Equal(t, 2, recorded(srv, create.endpoint))
				assert.Equal(t, 1, create.held(srv))
			})
		}
	}
}

func TestOnboardingCreatesAreRetriedOnlyWhenTheServerSurelyDidNotAct(t *testing.T) {
	t.Parallel()
	for _, create := range onboardingCreates {
		t.Run(string(create.endpoint), func(t *testing.T) {
			t.Parallel()
			srv, c := newFake(t)
			srv.Script(create.endpoint, appliverytest.Fault{Status: 429}, appliverytest.Fault{Status: 503})
			err := create.create(context.Background(), c)
			assert.ErrorIs(t, err, applivery.ErrOutcomeUnknown, "the 503 may have acted")
			assert.Equal(t, 2, recorded(srv, create.endpoint), "the 429 is retried, the 503 is not")
			assert.Zero(t, create.held(srv))
		})
	}
}

func TestOnboardingReadsAreRetried(t *testing.T) {
	t.Parallel()
	reads := map[appliverytest.Endpoint]func(context.Context, *applivery.Client) (int, error){
		appliverytest.EndpointUserList: func(ctx context.Context, c *applivery.Client) (int, error) {
			page, err := c.Users.List(ctx, org, nil)
			if err != nil {
				return 0, err
			}
			return len(page.Items), nil
		},
		appliverytest.EndpointAppleEnrollmentTokenList: func(ctx context.Context, c *applivery.Client) (int, error) {
			page, err := c.AppleEnrollmentTokens.List(ctx, org, nil)
			if err != nil {
				return 0, err
			}
			return len(page.Items), nil
		},
	}
	// Every failure a read is retried after (docs/retries.md); a read
	// changes nothing, so it is retried even when the server answered.
	transient := []appliverytest.Fault{{Status: 502, HTML: true}, {Drop: true, Applied: true}, {Status: 503}, {Status: 500},
		{Status: 504}, {Status: 429}}
	for endpoint, read := range reads {
		t.Run(string(endpoint), func(t *testing.T) {
			t.Parallel()
			srv, c := newFake(t, applivery.WithMaxRetries(len(transient)))
			srv.AddUser(org, applivery.User{Email: "ana@acme.example"})
			_, err := c.AppleEnrollmentTokens.Create(context.Background(), org, &applivery.CreateAppleEnrollmentTokenRequest{})
			require.NoError(t, err)
			srv.Script(endpoint, transient...)
			n, err := read(context.Background(), c)
			require.NoError(t, err)
			assert.Equal(t, 1, n, "the user, or the token")
			assert.Equal(t, len(transient)+1, recorded(srv, endpoint), "every transient failure retried")
		})
	}
}
