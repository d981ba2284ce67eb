package appliverytest

import (
	"time"

	"github.com/applivery/applivery-go"
)

// TB is the part of testing.TB that Start and TestClient use; *testing.T,
// *testing.B and *testing.F satisfy it. (A package of its own keeps programs
// that serve the fake, such as "applivery demo", free of package testing.)
type TB interface {
	Helper()
	Cleanup(func())
	Fatalf(format string, args ...any)
}

// Start starts a Server for a test and closes it when the test ends.
func Start(tb TB) *Server {
	tb.Helper()
	s := NewServer()
	tb.Cleanup(s.Close)
	return s
}

// Retry waits of a TestClient: a test of retries should not sleep for the
// production defaults.
const (
	TestRetryWaitMin = time.Millisecond
	TestRetryWaitMax = 5 * time.Millisecond
)

// TestClient returns a client of the server for a test: its key and URL,
// waits between retries of TestRetryWaitMin to TestRetryWaitMax instead of
// the SDK's defaults, then opts, which can override all of them. It fails
// the test if an option is invalid, and closes the client's idle connections
// when the test ends.
//
//	srv := appliverytest.Start(t)
//	client := srv.TestClient(t, applivery.WithMaxRetries(1))
func (s *Server) TestClient(tb TB, opts ...applivery.Option) *applivery.Client {
	tb.Helper()
	c, err := s.NewClient(append([]applivery.Option{applivery.WithRetryWait(TestRetryWaitMin, TestRetryWaitMax)}, opts...)...)
	if err != nil {
		tb.Fatalf("appliverytest: TestClient: %v", err)
		return nil
	}
	tb.Cleanup(c.CloseIdleConnections)
	return c
}
