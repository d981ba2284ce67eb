package appliverytest

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"time"
)

// front is what every call meets before its endpoint's handler: the record
// of calls, the rate limit, the scripted faults, the key, the IDs' patterns
// and the billing-plan gate.
type front struct {
	apiKey *string // the Server's APIKey, read at each call
	limit  *rateLimit
	faults *faultQueue

	mu         sync.Mutex
	requests   []Request
	notAllowed map[string]bool // organizations whose plan does not allow the feature
}

// initFront puts the key, the rate limit and the faults in front of the
// endpoints.
func (s *front) initFront(apiKey *string, limit *rateLimit, faults *faultQueue) {
	s.apiKey, s.limit, s.faults = apiKey, limit, faults
	s.notAllowed = make(map[string]bool)
}

// Request is a call the server received, faulted or not.
type Request struct {
	Endpoint   Endpoint // "" for a path that is none of the API's
	Method     string
	Path       string     // the URL's path, with the base path /v1
	Query      url.Values // the URL's query
	Body       []byte     // the request body, nil when empty
	Authorized bool       // it carried the server's key; the key itself is not kept
}

// Requests returns the calls the server has received, in the order they
// arrived.
func (s *front) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	for i, r := range s.requests {
		r.Query = cloneValues(r.Query)
		r.Body = bytes.Clone(r.Body)
		out[i] = r
	}
	return out
}

// SetFeatureAllowed switches the billing-plan gate of an organization. While
// its plan does not allow the feature, every call in the organization (its
// devices and commands, users and enrollment tokens) answers 400 with code
// 5050, "Feature not allowed for you billing plan". Organizations are allowed by default.
func (s *front) SetFeatureAllowed(organizationID string, allowed bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if allowed {
		delete(s.notAllowed, organizationID)
	} else {
		s.notAllowed[organizationID] = true
	}
}

// maxRequestBody bounds what the server reads and records of a request body.
const maxRequestBody = 1 << 20

// wrap serves the endpoint e: it records the call, applies the rate limit
// and the call's fault if one is queued, checks the key, the IDs in the path
// and the billing-plan gate, and then runs its handler.
func (s *front) wrap(e endpoint) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		// Reading the body also makes the server watch the connection, so
		// that a wait below ends when the client gives up.
		body, _ := io.ReadAll(io.LimitReader(r.Body, maxRequestBody))
		r.Body = io.NopCloser(bytes.NewReader(body))
		if len(body) == 0 {
			body = nil
		}

		// Every answer carries an X-Request-Id, as the API's do: faults and
		// 429s included.
		w.Header().Set("X-Request-Id", "req_"+randomHex(8))
		s.mu.Lock()
		s.requests = append(s.requests, Request{
			Endpoint:   e.name,
			Method:     r.Method,
			Path:       r.URL.Path,
			Query:      r.URL.Query(),
			Body:       body,
			Authorized: r.Header.Get("Authorization") == "Bearer "+*s.apiKey,
		})
		s.mu.Unlock()
		if s.limit.limitCall(w) {
			return // as the API's rate limiter would: before anything else
		}
		fault := s.faults.next(e.name)

		if fault.Latency > 0 {
			select {
			case <-time.After(fault.Latency):
			case <-r.Context().Done():
				return
			}
		}
		switch {
		case fault.CutBody:
			answer := httptest.NewRecorder()
			s.serve(answer, r, e)
			cut(w, answer)
		case fault.Status == 0 && !fault.Drop:
			s.serve(w, r, e)
		case fault.Applied:
			s.serve(httptest.NewRecorder(), r, e) // carried out; its answer is lost
			fault.answer(w)
		default:
			fault.answer(w)
		}
	}
}

// serve answers 401 to a call without the server's key (code 4002 when there
// is no key at all, 4004 when it is wrong), 400 with code 5209 to a path
// whose IDs do not match their documented patterns, 400 with code 5050 to a
// call of an organization whose plan does not allow the feature, and runs
// the endpoint's handler for the others.
func (s *front) serve(w http.ResponseWriter, r *http.Request, e endpoint) {
	switch r.Header.Get("Authorization") {
	case "Bearer " + *s.apiKey:
	case "", "Bearer", "Bearer ":
		writeError(w, errNoAuthToken)
		return
	default:
		writeError(w, errInvalidToken)
		return
	}
	for name, re := range e.ids {
		if v := r.PathValue(name); v != "" && !re.MatchString(v) {
			writeError(w, errInvalidInput) // as the API's own validation
			return
		}
	}
	s.mu.Lock()
	gated := s.notAllowed[r.PathValue("organizationId")]
	s.mu.Unlock()
	if gated {
		writeError(w, errFeatureNotAllowed)
		return
	}
	e.handle(w, r)
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}
