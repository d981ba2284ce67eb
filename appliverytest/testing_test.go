package appliverytest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/applivery/applivery-go"
	"github.com/applivery/applivery-go/appliverytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeTB records what Start and TestClient ask of a test.
type fakeTB struct {
	cleanups []func()
	fatal    string
}

func (f *fakeTB) Helper()                        {}
func (f *fakeTB) Cleanup(fn func())              { f.cleanups = append(f.cleanups, fn) }
func (f *fakeTB) Fatalf(format string, a ...any) { f.fatal = fmt.Sprintf(format, a...) }

func TestStartAndTestClient(t *testing.T) {
	t.Parallel()
	tb := &fakeTB{}
	srv := appliverytest.Start(tb)
	require.Len(t, tb.cleanups, 1, "Start closes the server when the test ends")
	var logs strings.Builder
	c := srv.TestClient(tb, applivery.WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
	require.NotNil(t, c)
	assert.Len(t, tb.cleanups, 2, "and the client's idle connections")
	assert.Empty(t, tb.fatal)

	// Retries wait milliseconds, as the retry decisions logged say.
	cmd := srv.AddCommand(org, device, applivery.Command{})
	srv.Script(appliverytest.EndpointGet, slices.Repeat([]appliverytest.Fault{{Status: 503}}, 3)...)
	_, err := c.AndroidCommands.Get(context.Background(), org, device, cmd.ID)
	require.NoError(t, err)
	var waits int
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var record struct{ Wait time.Duration }
		require.NoError(t, json.Unmarshal([]byte(line), &record))
		if record.Wait > 0 {
			waits++
			assert.GreaterOrEqual(t, record.Wait, appliverytest.TestRetryWaitMin)
			assert.LessOrEqual(t, record.Wait, appliverytest.TestRetryWaitMax)
		}
	}
	assert.Equal(t, 3, waits)

	assert.Nil(t, srv.TestClient(tb, applivery.WithMaxRetries(-1)))
	assert.Contains(t, tb.fatal, "appliverytest: TestClient: applivery: invalid maxRetries")

	for i := len(tb.cleanups) - 1; i >= 0; i-- {
		tb.cleanups[i]()
	}
	_, err = http.Get(srv.URL)
	assert.Error(t, err, "the server is closed")
}
