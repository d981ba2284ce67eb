package applivery

// Retry safety per operation, over real HTTP: Create is retried only when the
// server surely did not act, and Cancel resolves a 5052 that follows an
// attempt whose outcome is unknown.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func createLock(ctx context.Context, c *Client) (*Command, error) {
	return c.AndroidCommands.Create(ctx, validOrg, validDevice, &CreateCommandRequest{Type: CommandTypeLock})
}

func TestCreateIsRetriedOnlyWhenTheServerSurelyDidNotAct(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		fail         http.HandlerFunc // the first attempt's answer
		wantRequests int32            // requests that reached the handler
		wantUnknown  bool             // the error matches ErrOutcomeUnknown
		wantStatus   int              // of the *APIError, 0 when there is none
	}{
		{name: "429 is retried", fail: statusHandler(429), wantRequests: 2},
		{name: "500", fail: statusHandler(500), wantRequests: 1, wantUnknown: true, wantStatus: 500},
		{name: "502 from a proxy", fail: statusHandler(502), wantRequests: 1, wantUnknown: true, wantStatus: 502},
		{name: "503", fail: statusHandler(503), wantRequests: 1, wantUnknown: true, wantStatus: 503},
		{name: "504", fail: statusHandler(504), wantRequests: 1, wantUnknown: true, wantStatus: 504},
		{name: "reset after the request was read", fail: func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.ReadAll(r.Body)
			dropConnection(w, true)
		}, wantRequests: 1, wantUnknown: true},
		{name: "closed after the request was read", fail: func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.ReadAll(r.Body)
			dropConnection(w, false)
		}, wantRequests: 1, wantUnknown: true},
		{name: "no answer in time", fail: silent, wantRequests: 1, wantUnknown: true},
		{name: "400 is a plain failure", fail: statusHandler(400), wantRequests: 1, wantStatus: 400},
		{name: "501 says nothing was done", fail: statusHandler(501), wantRequests: 1, wantStatus: 501},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var n atomic.Int32
			s := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
				if n.Add(1) == 1 {
					tt.fail(w, r)
					return
				}
				writeSuccess(w)
			})
			c := newServerClient(t, s, WithAttemptTimeout(200*time.Millisecond))
			withGuard(t, 10*time.Second, func() {
				cmd, err := createLock(context.Background(), c)
				assert.EqualValues(t, tt.wantRequests, n.Load(), "requests")
				if tt.wantRequests == 2 {
					require.NoError(t, err)
					assert.Equal(t, validCommand, cmd.ID)
					return
				}
				require.Error(t, err)
				assert.Equal(t, tt.wantUnknown, errors.Is(err, ErrOutcomeUnknown), "ErrOutcomeUnknown: %v", err)
				assert.Equal(t, tt.wantUnknown, strings.Contains(err.Error(), "the command may have been created"), err.Error())
				var apiErr *APIError
				if tt.wantStatus != 0 {
					require.ErrorAs(t, err, &apiErr)
					assert.Equal(t, tt.wantStatus, apiErr.StatusCode)
					assert.Equal(t, 1, apiErr.Attempts)
				} else {
					assert.False(t, errors.As(err, &apiErr))
				}
			})
		})
	}
}

func TestCreateIsRetriedWhenNoConnectionWasMade(t *testing.T) {
	t.Parallel()
	_, err := createLock(context.Background(), refusingClient(t))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "(3 attempts)", "a refused connection is retried: nothing was sent")
	assert.NotErrorIs(t, err, ErrOutcomeUnknown)
}

func TestSafeReadsAreRetriedWhereCreateIsNot(t *testing.T) {
	t.Parallel()
	calls := map[string]func(*Client) error{
		"Get": func(c *Client) error {
			_, err := c.AndroidCommands.Get(context.Background(), validOrg, validDevice, validCommand)
			return err
		},
		"List": func(c *Client) error {
			_, err := c.AndroidCommands.List(context.Background(), validOrg, validDevice, nil)
			return err
		},
		"Cancel": func(c *Client) error { _, err := cancelCall(context.Background(), c); return err },
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var n atomic.Int32
			s := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
				switch n.Add(1) {
				case 1:
					w.WriteHeader(http.StatusBadGateway)
				case 2:
					dropConnection(w, true)
				default:
					if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/commands") {
						_, _ = io.WriteString(w, `{"status":true,"data":{"items":[]}}`)
						return
					}
					writeSuccess(w)
				}
			})
			c := newServerClient(t, s)
			require.NoError(t, call(c))
			assert.EqualValues(t, 3, n.Load())
		})
	}
}

func TestCreateEndedByTheContextMayHaveCreated(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, silent)
	c := newServerClient(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := createLock(ctx, c)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.ErrorIs(t, err, ErrOutcomeUnknown, "the request may have gone out before the deadline")
}

func TestCreateEndedByTheContextDuringAWaitDidNotCreate(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := newTestServer(t, func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusTooManyRequests)
		go func() { time.Sleep(30 * time.Millisecond); cancel() }()
	})
	c := newServerClient(t, s, WithRetryWait(time.Minute, time.Minute))
	_, err := createLock(ctx, c)
	assert.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, ErrOutcomeUnknown, "the only attempt was a 429")
}

// commandServer is a fake of one command's cancel and get endpoints whose
// first cancels can fail, the first one after it has been applied.
type commandServer struct {
	mu      sync.Mutex
	status  CommandStatus
	cancels atomic.Int32
	gets    atomic.Int32
	// failures answer the first cancels, in turn; when apply is true, the
	// first of them cancels the command before its answer is lost.
	failures []http.HandlerFunc
	apply    bool
	getFails bool // every get answers 500
}

func (cs *commandServer) handler(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet {
		cs.gets.Add(1)
		if cs.getFails {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		cs.mu.Lock()
		status := cs.status
		cs.mu.Unlock()
		writeCommand(w, status)
		return
	}
	n := int(cs.cancels.Add(1))
	cs.mu.Lock()
	pending := cs.status == CommandStatusPending
	if pending && (n > len(cs.failures) || (n == 1 && cs.apply)) {
		cs.status = CommandStatusCanceled
	}
	status := cs.status
	cs.mu.Unlock()
	switch {
	case n <= len(cs.failures):
		cs.failures[n-1](w, r)
	case !pending:
		writeEnvelopeError(w, http.StatusBadRequest, int(CodeCommandNotPending), "EmmCommand status not Pending")
	default:
		writeCommand(w, status)
	}
}

func writeCommand(w http.ResponseWriter, status CommandStatus) {
	b, _ := json.Marshal(map[string]any{"status": true, "data": Command{ID: validCommand, Status: status}})
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}

func statusHandler(status int) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(status) }
}

func TestCancelResolvesALostResponse(t *testing.T) {
	t.Parallel()
	reset := func(w http.ResponseWriter, _ *http.Request) { dropConnection(w, true) }
	tests := []struct {
		name     string
		failures []http.HandlerFunc // the first applied the cancel
	}{
		{"connection reset", []http.HandlerFunc{reset}},
		{"connection closed", []http.HandlerFunc{func(w http.ResponseWriter, _ *http.Request) { dropConnection(w, false) }}},
		{"502 from a proxy", []http.HandlerFunc{statusHandler(http.StatusBadGateway)}},
		{"504 from a proxy", []http.HandlerFunc{statusHandler(http.StatusGatewayTimeout)}},
		{"500", []http.HandlerFunc{statusHandler(http.StatusInternalServerError)}},
		{"lost, then a 429", []http.HandlerFunc{reset, statusHandler(http.StatusTooManyRequests)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cs := &commandServer{status: CommandStatusPending, failures: tt.failures, apply: true}
			s := newTestServer(t, cs.handler)
			rec := &recorder{}
			c := newServerClient(t, s, WithLogger(slog.New(rec)))

			cmd, err := cancelCall(context.Background(), c)
			require.NoError(t, err, "the first attempt canceled the command")
			assert.Equal(t, CommandStatusCanceled, cmd.Status)
			assert.EqualValues(t, len(tt.failures)+1, cs.cancels.Load())
			assert.EqualValues(t, 1, cs.gets.Load())
			assert.NotNil(t, rec.find("applivery: an earlier attempt canceled the command; its answer was lost"))
		})
	}
}

func TestCancelNotPendingCases(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		cs          *commandServer
		wantGets    int32
		wantUnknown bool
	}{
		{
			name:     "5052 on the first attempt is returned without a lookup",
			cs:       &commandServer{status: CommandStatusDone},
			wantGets: 0,
		},
		{
			name:     "5052 on the first attempt, even for a canceled command",
			cs:       &commandServer{status: CommandStatusCanceled},
			wantGets: 0,
		},
		{
			name:     "a done command stays an error after a lost response",
			cs:       &commandServer{status: CommandStatusDone, failures: []http.HandlerFunc{statusHandler(http.StatusBadGateway)}},
			wantGets: 1,
		},
		{
			name:     "5052 after a 429 needs no lookup: the 429 did nothing",
			cs:       &commandServer{status: CommandStatusDone, failures: []http.HandlerFunc{statusHandler(http.StatusTooManyRequests)}},
			wantGets: 0,
		},
		{
			name:        "a failed lookup leaves the outcome unknown",
			cs:          &commandServer{status: CommandStatusPending, failures: []http.HandlerFunc{statusHandler(http.StatusBadGateway)}, apply: true, getFails: true},
			wantGets:    2,
			wantUnknown: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newTestServer(t, tt.cs.handler)
			c := newServerClient(t, s, WithMaxRetries(1))
			cmd, err := cancelCall(context.Background(), c)
			assert.Nil(t, cmd)
			assert.ErrorIs(t, err, ErrCommandNotPending)
			apiErr := requireAPIError(t, err)
			assert.Equal(t, CodeCommandNotPending, apiErr.Code)
			assert.Equal(t, tt.wantUnknown, errors.Is(err, ErrOutcomeUnknown), "%v", err)
			assert.EqualValues(t, tt.wantGets, tt.cs.gets.Load(), "lookups")
		})
	}
}

func TestMayHaveAppliedIsReportedPerAttempt(t *testing.T) {
	t.Parallel()
	// The outcome the transport reports, seen through a Create that ends in
	// each kind of answer after a retried 429.
	for _, last := range []int{400, 404, 429, 500, 502, 503, 504} {
		t.Run(fmt.Sprint(last), func(t *testing.T) {
			t.Parallel()
			var n atomic.Int32
			s := newTestServer(t, func(w http.ResponseWriter, _ *http.Request) {
				if n.Add(1) == 1 {
					w.WriteHeader(http.StatusTooManyRequests)
					return
				}
				w.WriteHeader(last)
			})
			c := newServerClient(t, s, WithMaxRetries(1))
			_, err := createLock(context.Background(), c)
			assert.Equal(t, last >= 500, errors.Is(err, ErrOutcomeUnknown), "%v", err)
			assert.Equal(t, 2, requireAPIError(t, err).Attempts)
		})
	}
}
