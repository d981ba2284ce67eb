//go:build contract

// Package contract_test checks the SDK against the API's OpenAPI description
// (testdata/openapi.yaml, a copy of the reference), served by an independent
// mock: Stoplight Prism. Every request the SDK sends must pass Prism's
// validation, every documented example and error must decode as documented,
// and in dynamic mode, random schema-valid bodies must all be handled by the
// SDK's decoding rules.
//
// Run it with scripts/contract.sh, which installs Prism, or with
//
//	PRISM=/path/to/prism go test -tags contract ./contract/
//
// In dynamic mode every response is a new random body; a failure prints the
// body. PRISM_SEED=n makes Prism answer every request with the one body of
// seed n, to replay it.
package contract_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/applivery/applivery-go"
	"github.com/stretchr/testify/require"
)

// specPath is the OpenAPI description Prism serves.
var specPath = filepath.Join("..", "testdata", "openapi.yaml")

// The two Prism servers of a run: static answers with the documented
// examples (or, where there is none, with one built from the schema), dynamic
// with random bodies valid against the schema.
var (
	staticPrism  *prism
	dynamicPrism *prism
	seed         string // PRISM_SEED, when set
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	bin := os.Getenv("PRISM")
	if bin == "" {
		bin = filepath.Join("..", ".tools", "prism", "node_modules", ".bin", "prism")
	}
	if _, err := os.Stat(bin); err != nil {
		fmt.Fprintf(os.Stderr, "contract: no Prism at %s: run scripts/contract.sh, or set PRISM to the prism executable\n", bin)
		return 1
	}
	dynamic := []string{"--dynamic"}
	if seed = os.Getenv("PRISM_SEED"); seed != "" {
		dynamic = append(dynamic, "--seed", seed)
	}

	var wg sync.WaitGroup
	var staticErr, dynamicErr error
	wg.Add(2)
	go func() { defer wg.Done(); staticPrism, staticErr = startPrism(bin) }()
	go func() { defer wg.Done(); dynamicPrism, dynamicErr = startPrism(bin, dynamic...) }()
	wg.Wait()
	defer staticPrism.stop()
	defer dynamicPrism.stop()
	if err := errors.Join(staticErr, dynamicErr); err != nil {
		fmt.Fprintln(os.Stderr, "contract:", err)
		return 1
	}
	fmt.Printf("contract: Prism %s serves %s statically at %s and dynamically at %s\n",
		strings.TrimSpace(version(bin)), specPath, staticPrism.url, dynamicPrism.url)
	return m.Run()
}

func version(bin string) string {
	out, _ := exec.Command(bin, "--version").Output()
	return string(out)
}

// prism is a running Prism mock server.
type prism struct {
	url  string
	cmd  *exec.Cmd
	log  *syncBuffer
	done chan struct{} // closed when the process has exited
}

// startPrism starts "prism mock" on a free loopback port and waits, at most a
// minute, until it listens. It tries three ports, in case another process
// takes the free port first.
func startPrism(bin string, args ...string) (*prism, error) {
	var errs []error
	for range 3 {
		p, err := tryPrism(bin, args...)
		if err == nil {
			return p, nil
		}
		errs = append(errs, err)
	}
	return nil, errors.Join(errs...)
}

func tryPrism(bin string, args ...string) (*prism, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, append([]string{"mock", specPath, "--host", "127.0.0.1", "--port", port}, args...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // stop kills Prism's children too
	p := &prism{url: "http://127.0.0.1:" + port, cmd: cmd, log: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.log, p.log
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", bin, err)
	}
	go func() { _ = cmd.Wait(); close(p.done) }()

	deadline := time.After(time.Minute)
	for !strings.Contains(p.log.String(), "Prism is listening") {
		select {
		case <-p.done:
			return nil, fmt.Errorf("prism exited before listening:\n%s", p.log)
		case <-deadline:
			p.stop()
			return nil, fmt.Errorf("prism did not listen within a minute:\n%s", p.log)
		case <-time.After(100 * time.Millisecond):
		}
	}
	return p, nil
}

// stop ends Prism and the processes it started.
func (p *prism) stop() {
	if p == nil {
		return
	}
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
	}
}

func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port), nil
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// checker is the transport of the SDK's client in these tests. It records
// every contract problem Prism reports about a request, and the body of the
// last response; with prefer set, it asks Prism for a given response.
type checker struct {
	base   http.RoundTripper
	prefer string // the Prefer header, such as "code=404"

	mu       sync.Mutex
	problems []string
	last     []byte
}

func (c *checker) RoundTrip(r *http.Request) (*http.Response, error) {
	if c.prefer != "" {
		r = r.Clone(r.Context()) // a RoundTripper must not change the caller's request
		r.Header.Set("Prefer", c.prefer)
	}
	resp, err := c.base.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))

	problems := problemsOf(resp, body)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.last = body
	for _, p := range problems {
		c.problems = append(c.problems, r.Method+" "+r.URL.RequestURI()+": "+p)
	}
	return resp, nil
}

// problemsOf lists what Prism found wrong with the request of resp: the
// request violations of its sl-violations header, a 422, and Prism's own
// errors (application/problem+json), such as a path the spec does not have.
// Violations of the response are Prism's own doing and are not listed.
func problemsOf(resp *http.Response, body []byte) []string {
	var problems []string
	if h := resp.Header.Get("sl-violations"); h != "" {
		var violations []struct {
			Location []string `json:"location"`
			Message  string   `json:"message"`
		}
		if err := json.Unmarshal([]byte(h), &violations); err != nil {
			problems = append(problems, "unreadable sl-violations header: "+h)
		}
		for _, v := range violations {
			if len(v.Location) > 0 && v.Location[0] == "request" {
				problems = append(problems, "violation: "+v.Message)
			}
		}
	}
	if resp.StatusCode == http.StatusUnprocessableEntity ||
		strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
		var problem struct {
			Title      string `json:"title"`
			Validation []struct {
				Message string `json:"message"`
			} `json:"validation"`
		}
		if json.Unmarshal(body, &problem) != nil || problem.Title == "" {
			problems = append(problems, fmt.Sprintf("prism answered %d: %s", resp.StatusCode, body))
		} else {
			msg := fmt.Sprintf("prism answered %d: %s", resp.StatusCode, problem.Title)
			for _, v := range problem.Validation {
				msg += "; " + v.Message
			}
			problems = append(problems, msg)
		}
	}
	return problems
}

func (c *checker) lastBody() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return bytes.Clone(c.last)
}

func (c *checker) reported() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.problems...)
}

// requireConforms fails the test if Prism reported any problem with the
// requests sent so far, naming the first few.
func (c *checker) requireConforms(t *testing.T) {
	t.Helper()
	reported := c.reported()
	if len(reported) == 0 {
		return
	}
	distinct := slices.Compact(slices.Sorted(slices.Values(reported)))
	shown := distinct[:min(len(distinct), 5)]
	t.Fatalf("%d requests do not conform to %s; %d distinct problems, the first:\n  %s",
		len(reported), specPath, len(distinct), strings.Join(shown, "\n  "))
}

// newClient returns a client of p, whose requests go through a checker, and
// the checker. rewrite, when set, alters each request on its way (to prove
// that the checks catch a mismatch).
func newClient(t *testing.T, p *prism, prefer string, rewrite func(*http.Request) *http.Request) (*applivery.Client, *checker) {
	t.Helper()
	chk := &checker{base: http.DefaultTransport, prefer: prefer}
	var transport http.RoundTripper = chk
	if rewrite != nil {
		transport = roundTripFunc(func(r *http.Request) (*http.Response, error) { return chk.RoundTrip(rewrite(r)) })
	}
	c, err := applivery.NewClient("sk_contract_test", applivery.WithBaseURL(p.url),
		applivery.WithHTTPClient(&http.Client{Transport: transport}), applivery.WithMaxRetries(0))
	require.NoError(t, err)
	return c, chk
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
