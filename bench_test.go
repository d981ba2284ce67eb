package applivery

// Benchmarks of a call through the SDK against the leanest hand-written
// call and a default go-retryablehttp client, all on one loopback server.
// scripts/bench.sh runs them with -count and compares them with benchstat.

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/applivery/applivery-go/internal/transport"
	"github.com/hashicorp/go-retryablehttp"
)

// benchServer answers every request with the documented command body, and
// counts the TCP connections it accepts and those still open.
type benchServer struct {
	*httptest.Server
	conns atomic.Int64 // accepted
	open  atomic.Int64 // accepted and not yet closed
}

// startBenchServer starts the server, over TLS with HTTP/2 when h2 is set:
// the production protocol, which Go negotiates with the API.
func startBenchServer(b *testing.B, h2 bool) *benchServer {
	b.Helper()
	s := &benchServer{}
	body := []byte(documentedCancelResponse)
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	s.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		switch state {
		case http.StateNew:
			s.conns.Add(1)
			s.open.Add(1)
		case http.StateClosed, http.StateHijacked:
			s.open.Add(-1)
		}
	}
	if h2 {
		s.EnableHTTP2 = true
		s.StartTLS()
	} else {
		s.Start()
	}
	b.Cleanup(s.Close)
	return s
}

// limitCommand is the command record as a hand-written client decodes it:
// the same fields as Command, the timestamps kept as strings.
type limitCommand struct {
	ID            string          `json:"id"`
	Organization  string          `json:"organization"`
	EMMEnterprise string          `json:"emmEnterprise"`
	MDMUser       string          `json:"mdmUser"`
	Status        string          `json:"status"`
	Config        CommandConfig   `json:"config"`
	RawConfig     json.RawMessage `json:"_config"`
	UpdatedAt     string          `json:"updatedAt"`
	CreatedAt     string          `json:"createdAt"`
}

// limitDecode decodes the envelope into a struct in one pass, as the leanest
// hand-written client does, and drains the body so the connection is reused.
func limitDecode(resp *http.Response) error {
	defer resp.Body.Close()
	var env struct {
		Status bool         `json:"status"`
		Data   limitCommand `json:"data"`
	}
	err := json.NewDecoder(resp.Body).Decode(&env)
	_, _ = io.Copy(io.Discard, resp.Body)
	switch {
	case err != nil:
		return err
	case resp.StatusCode != http.StatusOK || !env.Status || env.Data.ID == "":
		return errors.New("not a success")
	}
	return nil
}

// impl is one way to cancel a command: call makes one call, closeIdle closes
// the idle connections of its pool.
type impl struct {
	name      string
	call      func(context.Context) error
	closeIdle func()
}

// impls are the three ways to cancel a command that the benchmarks compare.
func impls(b *testing.B, s *benchServer) []impl {
	b.Helper()
	url := s.URL + "/v1" + "/" + cancelPathRel
	auth := "Bearer " + testKey

	// The leanest hand-written call: net/http, a pool large enough for the
	// callers (http.DefaultTransport keeps 2 idle connections per host and
	// would churn), the bearer header, one decoding pass.
	pooled := http.DefaultTransport.(*http.Transport).Clone()
	pooled.MaxIdleConnsPerHost = 100
	limit := &http.Client{Transport: pooled}
	b.Cleanup(pooled.CloseIdleConnections)

	// Over TLS every client trusts the server's certificate, and the SDK
	// keeps its own transport (a caller's would take another code path).
	var roots *x509.CertPool
	if s.TLS != nil {
		roots = x509.NewCertPool()
		roots.AddCert(s.Certificate())
		pooled.TLSClientConfig = &tls.Config{RootCAs: roots}
	}
	sdk, err := NewClient(testKey, WithBaseURL(s.URL+"/v1"), func(cfg *clientConfig) error { cfg.rootCAs = roots; return nil })
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(sdk.CloseIdleConnections)

	// go-retryablehttp as NewClient makes it; only its stderr logger is
	// silenced, so that the benchmark output stays readable.
	rc := retryablehttp.NewClient()
	rc.Logger = nil
	if roots != nil {
		rc.HTTPClient.Transport.(*http.Transport).TLSClientConfig = &tls.Config{RootCAs: roots}
		rc.HTTPClient.Transport.(*http.Transport).ForceAttemptHTTP2 = true
	}
	b.Cleanup(rc.HTTPClient.CloseIdleConnections)

	return []impl{
		{"limit", func(ctx context.Context) error {
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, nil)
			if err != nil {
				return err
			}
			req.Header.Set("Authorization", auth)
			resp, err := limit.Do(req)
			if err != nil {
				return err
			}
			return limitDecode(resp)
		}, pooled.CloseIdleConnections},
		{"sdk", func(ctx context.Context) error {
			_, err := sdk.AndroidCommands.Cancel(ctx, validOrg, validDevice, validCommand)
			return err
		}, sdk.CloseIdleConnections},
		{"retryablehttp", func(ctx context.Context) error {
			req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodPost, url, nil)
			if err != nil {
				return err
			}
			req.Header.Set("Authorization", auth)
			resp, err := rc.Do(req)
			if err != nil {
				return err
			}
			return limitDecode(resp)
		}, rc.HTTPClient.CloseIdleConnections},
	}
}

const cancelPathRel = "organizations/" + validOrg + "/mdm/android/enterprise/devices/" + validDevice + "/commands/" + validCommand + "/cancel"

// BenchmarkCall measures one cancel call at 1 and at 64 concurrent callers,
// for each implementation in turn: as sub-benchmarks of one benchmark, they
// are interleaved by -count, in an order that rotates. Every run starts from the same state: the
// server holds no connection (the previous run's were closed, and the test
// waits until the server has seen them go), the pool is warmed up by as many
// callers as will be measured, and the warm-up's garbage is collected. It
// reports the TCP connections opened per call after the warm-up, beside time
// and memory.
func BenchmarkCall(b *testing.B) { benchmarkCall(b, false) }

// BenchmarkCallTLS is BenchmarkCall over TLS with HTTP/2, the protocol of
// the production API. Connections are multiplexed: one carries every caller.
func BenchmarkCallTLS(b *testing.B) { benchmarkCall(b, true) }

func benchmarkCall(b *testing.B, h2 bool) {
	s := startBenchServer(b, h2)
	// Each -count round rotates the order of the implementations, so that
	// none is always measured first, or right after another.
	list := impls(b, s)
	shift := int(callRounds.Add(1)-1) % len(list) // the first round puts the limit first: benchstat's base column
	list = append(list[shift:], list[:shift]...)
	for _, callers := range []int{1, 64} {
		for _, impl := range list {
			b.Run(fmt.Sprintf("callers=%d/impl=%s", callers, impl.name), func(b *testing.B) {
				warmUp(b, callers, impl.call)
				runtime.GC()
				before, cpu := s.conns.Load(), cpuTime()
				b.ReportAllocs()
				b.ResetTimer()
				runCallers(b, callers, impl.call)
				b.StopTimer()
				b.ReportMetric(float64(s.conns.Load()-before)/float64(b.N), "conns/op")
				b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
				impl.closeIdle()
				s.waitIdle(b)
			})
		}
	}
}

// callRounds counts the rounds of BenchmarkCall, one per -count.
var callRounds atomic.Int64

// cpuTime is the CPU time the process has used, user and system, in
// nanoseconds: client and server together. Unlike the wall time, it does not
// count the time the calls wait for the scheduler.
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// waitIdle waits, at most 10 s, until the server has no connection open.
func (s *benchServer) waitIdle(b *testing.B) {
	for deadline := time.Now().Add(10 * time.Second); s.open.Load() > 0; {
		if time.Now().After(deadline) {
			b.Fatalf("%d connections still open", s.open.Load())
		}
		time.Sleep(time.Millisecond)
	}
}

// warmUp makes callers concurrent callers call 20 times each, so that the
// pool holds what they need.
func warmUp(b *testing.B, callers int, call func(context.Context) error) {
	var wg sync.WaitGroup
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				if err := call(context.Background()); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// runCallers makes b.N calls: in a loop for one caller, else from callers
// goroutines (RunParallel starts parallelism × GOMAXPROCS of them).
func runCallers(b *testing.B, callers int, call func(context.Context) error) {
	ctx := context.Background()
	if callers == 1 {
		for range b.N {
			if err := call(ctx); err != nil {
				b.Fatal(err)
			}
		}
		return
	}
	procs := runtime.GOMAXPROCS(0)
	b.SetParallelism((callers + procs - 1) / procs)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := call(ctx); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// noopObserver is the cheapest Observer: it returns the context it is
// given and a done that does nothing, so that BenchmarkCallOptions measures
// what the hook itself costs.
type noopObserver struct{}

func (noopObserver) ObserveCall(ctx context.Context, _ CallInfo) (context.Context, func(CallResult)) {
	return ctx, noopDone
}

func noopDone(CallResult) {}

// BenchmarkCallOptions measures one cancel call through the SDK, one
// caller, without and with what a call may ask for: an observer that does
// nothing, WithResponse, WithRequestHeader, and Do's raw call of the same
// endpoint into a *json.RawMessage.
func BenchmarkCallOptions(b *testing.B) {
	s := startBenchServer(b, false)
	observed, err := NewClient(testKey, WithBaseURL(s.URL+"/v1"), WithObserver(noopObserver{}))
	if err != nil {
		b.Fatal(err)
	}
	plain, err := NewClient(testKey, WithBaseURL(s.URL+"/v1"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(observed.CloseIdleConnections)
	b.Cleanup(plain.CloseIdleConnections)
	var resp Response
	raw := &Request{Method: http.MethodPost, Path: "/" + cancelPathRel, Idempotent: true}
	var data json.RawMessage
	for _, bc := range []struct {
		name string
		call func(context.Context) error
	}{
		{"none", func(ctx context.Context) error {
			_, err := plain.AndroidCommands.Cancel(ctx, validOrg, validDevice, validCommand)
			return err
		}},
		{"observer", func(ctx context.Context) error {
			_, err := observed.AndroidCommands.Cancel(ctx, validOrg, validDevice, validCommand)
			return err
		}},
		{"response", func(ctx context.Context) error {
			_, err := plain.AndroidCommands.Cancel(ctx, validOrg, validDevice, validCommand, WithResponse(&resp))
			return err
		}},
		{"header", func(ctx context.Context) error {
			_, err := plain.AndroidCommands.Cancel(ctx, validOrg, validDevice, validCommand, WithRequestHeader("X-Correlation-Id", "job-42"))
			return err
		}},
		{"do", func(ctx context.Context) error { return plain.Do(ctx, raw, &data) }},
	} {
		b.Run("with="+bc.name, func(b *testing.B) {
			warmUp(b, 1, bc.call)
			runtime.GC()
			b.ReportAllocs()
			b.ResetTimer()
			runCallers(b, 1, bc.call)
		})
	}
}

// BenchmarkValidateIDs measures the check of the three IDs of a call.
func BenchmarkValidateIDs(b *testing.B) {
	b.ReportAllocs()
	for range b.N {
		if err := validateCommand(validOrg, validDevice, validCommand); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecode measures decoding the documented success body alone: the
// SDK's decoder against the hand-written one-pass decoding.
func BenchmarkDecode(b *testing.B) {
	body := []byte(documentedCancelResponse)
	c := &core{baseURL: "https://api.test/v1/", basePath: "/v1/", secret: &secret{forms: formsOf(testKey)}, maxBody: maxSuccessBody}
	resp := func() *http.Response {
		return &http.Response{StatusCode: 200, Header: http.Header{}, ContentLength: int64(len(body)),
			Body: io.NopCloser(bytes.NewReader(body))}
	}
	b.Run("impl=limit", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			if err := limitDecode(resp()); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=sdk", func(b *testing.B) {
		b.ReportAllocs()
		r := request{method: http.MethodPost, url: "https://api.test/v1/p"}
		for range b.N {
			w, err := decode[commandJSON](context.Background(), c, resp(), r, transport.Outcome{Attempts: 1})
			if err != nil {
				b.Fatal(err)
			}
			_ = w.command()
		}
	})
}

// devicePageBody is a page of n devices of about size bytes each, as the
// API sends them: the documented fields, and a large policy configuration.
func devicePageBody(n, size int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"status":true,"data":{"items":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"5f1e0c2a9b8d7e6f5a4b%04x","organization":"507f1f77bcf86cd799439012","emmEnterprise":"61a0b1c2d3e4f5a6b7c8d9e0",`+
			`"mdmUser":{"id":"60b7c8d9e0f1a2b3c4d5e6f7","email":"user%d@acme.example"},`+
			`"serialNumber":"R58M%05d","tags":["kiosk","berlin"],"segmentId":4,`+
			`"deviceEmmPolicy":{"id":"62c1d2e3f4a5b6c7d8e9f0a1","name":"Kiosk","description":"Locked down","version":"7","config":{"applications":[`, i, i, i)
		start := b.Len()
		for j := 0; b.Len()-start < size-900; j++ {
			if j > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"packageName":"com.acme.app%d","installType":"FORCE_INSTALLED","defaultPermissionPolicy":"GRANT",`+
				`"managedConfiguration":{"server":"https://pos.acme.example","store":%d,"offline":true}}`, j, j)
		}
		b.WriteString(`]}},"updatedAt":"2026-11-20T10:00:00.000Z","createdAt":"2026-01-02T03:04:05Z"}`)
	}
	b.WriteString(`],"page":1,"limit":100,"totalDocs":100,"totalPages":1,"hasNextPage":false,"nextPage":null}}`)
	return b.Bytes()
}

// BenchmarkDecodeDevicePage measures decoding a page of 100 devices of about
// 20 KB each: the SDK, which keeps each device's Raw and never fails on a
// field, against plain encoding/json into the same typed fields without Raw.
func BenchmarkDecodeDevicePage(b *testing.B) {
	body := devicePageBody(100, 20<<10)
	c := &core{baseURL: "https://api.test/v1/", basePath: "/v1/", secret: &secret{forms: formsOf(testKey)}, maxBody: maxSuccessBody}
	resp := func() *http.Response {
		return &http.Response{StatusCode: 200, Header: http.Header{}, ContentLength: int64(len(body)),
			Body: io.NopCloser(bytes.NewReader(body))}
	}
	type plainDevice struct {
		ID            string        `json:"id"`
		Organization  string        `json:"organization"`
		EMMEnterprise string        `json:"emmEnterprise"`
		MDMUser       *DeviceUser   `json:"mdmUser"`
		Policy        *DevicePolicy `json:"deviceEmmPolicy"`
		UpdatedAt     time.Time     `json:"updatedAt"`
		CreatedAt     time.Time     `json:"createdAt"`
	}
	b.Run("impl=plain", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for range b.N {
			r := resp()
			raw, err := io.ReadAll(r.Body)
			if err != nil {
				b.Fatal(err)
			}
			var env struct {
				Status bool `json:"status"`
				Data   struct {
					Items []plainDevice `json:"items"`
				} `json:"data"`
			}
			if err := json.Unmarshal(raw, &env); err != nil || len(env.Data.Items) != 100 {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=sdk", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		r := request{method: http.MethodGet, url: "https://api.test/v1/p"}
		for range b.N {
			w, err := decode[pageJSON[Device]](context.Background(), c, resp(), r, transport.Outcome{Attempts: 1})
			if err != nil || len(w.Items) != 100 {
				b.Fatal(err)
			}
		}
	})
}
