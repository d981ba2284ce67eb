package applivery

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"testing"
)

// BenchmarkCancel measures a whole Cancel against a loopback server that
// answers with the documented body, with the attempt bound armed (the
// default, and a context without a deadline) and disabled: the bound must
// cost nothing measurable.
func BenchmarkCancel(b *testing.B) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, documentedCancelResponse)
	}))
	defer ts.Close()
	for _, bc := range []struct {
		name string
		opts []Option
	}{
		{"attempt-bound", nil},
		{"no-attempt-bound", []Option{WithAttemptTimeout(0)}},
	} {
		for _, callers := range []int{1, 64} {
			b.Run(bc.name+"/callers="+strconv.Itoa(callers), func(b *testing.B) {
				c, err := NewClient(testKey, append([]Option{WithBaseURL(ts.URL + "/v1")}, bc.opts...)...)
				if err != nil {
					b.Fatal(err)
				}
				defer c.CloseIdleConnections()
				ctx := context.Background()
				call := func() {
					if _, err := c.AndroidCommands.Cancel(ctx, validOrg, validDevice, validCommand); err != nil {
						b.Error(err)
					}
				}
				b.ReportAllocs()
				if callers == 1 {
					for range b.N {
						call()
					}
					return
				}
				// RunParallel starts parallelism × GOMAXPROCS goroutines.
				b.SetParallelism((callers + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						call()
					}
				})
			})
		}
	}
}
