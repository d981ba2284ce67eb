package applivery

// A Client over real HTTP, as a user meets it: what it logs, and that it
// logs nothing without a logger.

import (
	"context"
	"io"
	"log"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSilentWithoutALogger(t *testing.T) {
	// Not parallel: it swaps os.Stdout, os.Stderr and the log package's output.
	stdout, stderr := os.Stdout, os.Stderr
	rOut, wOut, err := os.Pipe()
	require.NoError(t, err)
	rErr, wErr, err := os.Pipe()
	require.NoError(t, err)
	var logged strings.Builder
	os.Stdout, os.Stderr = wOut, wErr
	log.SetOutput(&logged)
	restore := func() {
		os.Stdout, os.Stderr = stdout, stderr
		log.SetOutput(os.Stderr)
	}
	defer restore()

	var n atomic.Int32
	s := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch n.Add(1) {
		case 1:
			w.WriteHeader(http.StatusServiceUnavailable)
		case 2:
			dropConnection(w, true)
		case 3:
			silent(w, r)
		case 4:
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
		default:
			writeEnvelopeError(w, 404, 3001, "Entity not found")
		}
	})
	c := newServerClient(t, s, WithAttemptTimeout(20*time.Millisecond))
	for range 3 {
		_, _ = cancelCall(context.Background(), c)
	}
	_, _ = cancelCall(context.Background(), refusingClient(t))

	restore()
	require.NoError(t, wOut.Close())
	require.NoError(t, wErr.Close())
	out, _ := io.ReadAll(rOut)
	errOut, _ := io.ReadAll(rErr)
	assert.Empty(t, string(out), "stdout")
	assert.Empty(t, string(errOut), "stderr")
	assert.Empty(t, logged.String(), "log package")
	assert.GreaterOrEqual(t, n.Load(), int32(5))
}

func TestLoggerRecordsAttemptsAndRetryDecisions(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	s := newTestServer(t, func(w http.ResponseWriter, _ *http.Request) {
		if n.Add(1) <= 2 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		writeSuccess(w)
	})
	rec := &recorder{}
	var text strings.Builder
	c := newServerClient(t, s, WithLogger(slog.New(teeHandler{rec, slog.NewJSONHandler(&syncWriter{w: &text}, &slog.HandlerOptions{Level: slog.LevelDebug})})))
	_, err := cancelCall(context.Background(), c)
	require.NoError(t, err)

	path := "/v1" + cancelPath
	want := []struct {
		level   slog.Level
		msg     string
		attempt int64
		status  int64
	}{
		{slog.LevelDebug, "applivery: attempt", 1, 503},
		{slog.LevelWarn, "applivery: retrying", 1, 503},
		{slog.LevelDebug, "applivery: attempt", 2, 503},
		{slog.LevelWarn, "applivery: retrying", 2, 503},
		{slog.LevelDebug, "applivery: attempt", 3, 200},
	}
	records := rec.all()
	require.Len(t, records, len(want))
	for i, w := range want {
		r := records[i]
		assert.Equal(t, w.level, r.level, "record %d", i)
		assert.Equal(t, w.msg, r.msg, "record %d", i)
		assert.Equal(t, "POST", r.attrs["method"], "record %d", i)
		assert.Equal(t, path, r.attrs["path"], "record %d", i)
		assert.Equal(t, w.attempt, r.attrs["attempt"], "record %d", i)
		assert.Equal(t, w.status, r.attrs["status"], "record %d", i)
		if w.msg == "applivery: retrying" {
			wait, ok := r.attrs["wait"].(time.Duration)
			assert.True(t, ok && wait >= time.Millisecond && wait <= 5*time.Millisecond, "wait %v", r.attrs["wait"])
		}
	}
	assert.NotContains(t, text.String(), testKey)
	assert.NotContains(t, text.String(), "Bearer")
}

func TestLoggerRecordsGivingUpAndErrors(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, func(w http.ResponseWriter, _ *http.Request) { dropConnection(w, true) })
	rec := &recorder{}
	c := newServerClient(t, s, WithLogger(slog.New(rec)), WithMaxRetries(1))
	_, err := cancelCall(context.Background(), c)
	require.Error(t, err)
	giveUp := rec.find("applivery: not retrying: no retries left")
	require.NotNil(t, giveUp)
	assert.EqualValues(t, 2, giveUp["attempt"])
	assert.NotEmpty(t, giveUp["error"])
	for _, r := range rec.all() {
		assert.Less(t, r.level, slog.LevelError, "a retried failure is not an error record: %s", r.msg)
	}
}
