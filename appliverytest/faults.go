package appliverytest

import (
	"fmt"
	"html"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"time"

	"github.com/applivery/applivery-go"
)

// Fault is what the server does to one call instead of answering it
// normally: answer with an error status, drop the connection, or answer late.
//
// With Applied, the server first carries the call out (a command is canceled
// or created) and then answers with the fault: the result is lost on the way
// back, as when a proxy times out or a connection breaks after the backend
// acted. That is the case a client cannot tell from a call that never
// happened.
type Fault struct {
	// Status is the HTTP status of the answer, such as 503. With a
	// documented Code and no Status, the answer has that code's documented
	// status: 400 for 5017, 5048, 5050 and 5052, 404 for 3001, 401 for
	// 4002 and 4004.
	Status int
	// Code and Message make the JSON error envelope of a Status answer.
	// Without a Code the envelope has none; without a Message it carries
	// the status text.
	Code    applivery.ErrorCode
	Message string
	// HTML sends, for a Status answer, an HTML page instead of the JSON
	// envelope, as a load balancer or proxy does.
	HTML bool
	// RetryAfter is the Retry-After header of a Status answer, when set:
	// seconds ("2") or an HTTP date.
	RetryAfter string
	// Drop closes the connection without any answer (a TCP reset).
	Drop bool
	// Applied carries the call out before the Status answer or the Drop.
	Applied bool
	// CutBody carries the call out and starts its normal answer, status and
	// headers with the whole body's Content-Length, then breaks the
	// connection halfway through the body, as a proxy that fails mid-answer
	// does. The client learns that the call succeeded but not its result.
	CutBody bool
	// Latency delays the answer, the fault or the normal one. Alone, it
	// makes a slow but successful call.
	Latency time.Duration
}

// check panics with a clear message if f cannot mean anything.
func (f Fault) check() {
	switch {
	case f.Status != 0 && (f.Status < 100 || f.Status > 599):
		panic(fmt.Sprintf("appliverytest: Fault.Status %d is not an HTTP status", f.Status))
	case f.Status != 0 && f.Drop:
		panic("appliverytest: a Fault answers with a Status or drops the connection, not both")
	case f.CutBody && (f.Status != 0 || f.Drop):
		panic("appliverytest: Fault.CutBody cuts the normal answer: it takes no Status or Drop")
	case f.Status == 0 && f.Code != 0:
		panic(fmt.Sprintf("appliverytest: Fault.Code %d is not a documented code: set Status", f.Code))
	case f.Status == 0 && (f.Message != "" || f.HTML || f.RetryAfter != ""):
		panic("appliverytest: Fault.Message, HTML and RetryAfter describe a Status answer: set Status")
	case f.Applied && f.Status == 0 && !f.Drop && !f.CutBody:
		panic("appliverytest: Fault.Applied needs a Status, a Drop or a CutBody, the answer that loses the result")
	case f.Latency < 0:
		panic("appliverytest: Fault.Latency is negative")
	}
}

// documentedStatus is the HTTP status the reference documents for each
// error code.
var documentedStatus = map[applivery.ErrorCode]int{
	applivery.CodeFeatureNotAllowed: http.StatusBadRequest,
	applivery.CodeCommandNotPending: http.StatusBadRequest,
	applivery.CodeEntityNotFound:    http.StatusNotFound,
	applivery.CodeUserAlreadyExists: http.StatusBadRequest,
	applivery.CodeLimitExceeded:     http.StatusBadRequest,
	applivery.CodeNoAuthToken:       http.StatusUnauthorized,
	applivery.CodeInvalidToken:      http.StatusUnauthorized,
}

// faultQueue holds the faults that Script queued for the next calls to each
// endpoint.
type faultQueue struct {
	mu     sync.Mutex
	served map[Endpoint]bool // the names in the endpoint table: those Script takes
	queued map[Endpoint][]Fault
}

// initFaults makes the queues of the endpoints of the table.
func (s *faultQueue) initFaults(table []endpoint) {
	s.served = make(map[Endpoint]bool, len(table))
	for _, e := range table {
		s.served[e.name] = true
	}
	s.queued = make(map[Endpoint][]Fault)
}

// Script queues faults for the next calls to an endpoint, one call each, in
// order, after any queued before; later calls are answered normally. To fail
// the next three calls alike:
//
//	srv.Script(appliverytest.EndpointCancel, slices.Repeat([]appliverytest.Fault{{Status: 503}}, 3)...)
//
// A fault applies whatever the call's key: faults stand for the network and
// the proxies in front of the API. Script panics on a fault that cannot mean
// anything, such as a Status with Drop, or an unknown endpoint.
func (s *faultQueue) Script(endpoint Endpoint, faults ...Fault) {
	if !s.served[endpoint] {
		panic(fmt.Sprintf("appliverytest: Script: unknown endpoint %q", endpoint))
	}
	queued := make([]Fault, len(faults))
	for i, f := range faults {
		if f.Status == 0 && f.Code != 0 {
			f.Status = documentedStatus[f.Code]
		}
		f.check()
		queued[i] = f
	}
	s.mu.Lock()
	s.queued[endpoint] = append(s.queued[endpoint], queued...)
	s.mu.Unlock()
}

// next takes the fault queued first for a call to the endpoint, if any: the
// zero Fault answers normally.
func (s *faultQueue) next(e Endpoint) Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	var fault Fault
	if queue := s.queued[e]; len(queue) > 0 {
		fault, s.queued[e] = queue[0], queue[1:]
	}
	return fault
}

// answer delivers a Status or Drop fault.
func (f Fault) answer(w http.ResponseWriter) {
	if f.Drop {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			panic("appliverytest: cannot drop the connection: " + err.Error())
		}
		if tcp, ok := conn.(*net.TCPConn); ok {
			_ = tcp.SetLinger(0) // a reset, as a broken connection shows
		}
		_ = conn.Close()
		return
	}
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	message := f.Message
	if message == "" {
		message = http.StatusText(f.Status)
	}
	if f.HTML {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(f.Status)
		fmt.Fprintf(w, "<html><head><title>%d %s</title></head><body><h1>%[1]d %[2]s</h1></body></html>\n",
			f.Status, html.EscapeString(message))
		return
	}
	writeError(w, apiError{f.Status, f.Code, message})
}

// cut sends the status and headers of answer, with the Content-Length of its
// whole body, and half the body, then aborts the answer: net/http closes an
// HTTP/1.1 connection and resets an HTTP/2 stream.
func cut(w http.ResponseWriter, answer *httptest.ResponseRecorder) {
	body := answer.Body.Bytes()
	for k, v := range answer.Header() {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(answer.Code)
	_, _ = w.Write(body[:len(body)/2])
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	panic(http.ErrAbortHandler)
}
