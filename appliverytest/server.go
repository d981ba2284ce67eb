// Package appliverytest provides an in-process fake of the Applivery API, for
// tests of code that uses the applivery package.
//
// A Server is a real HTTP server on loopback that behaves like the documented
// API for the Android commands resource (cancel, get, list, create) and the
// Android devices resource (get, list, move): it checks the bearer key, keeps
// devices per organization and commands per organization and device, pages
// lists like the API, and answers with the API's envelopes and error codes.
// Its NewClient returns a client pointed at it (applivery.WithBaseURL with
// its URL, and its key):
//
//	srv := appliverytest.NewServer()
//	defer srv.Close()
//	client, err := srv.NewClient() // the server's URL and key
//
// In a test, [Start] and [Server.TestClient] do the same, close the server at
// the end, and shorten the waits between retries.
//
// # What exists
//
// Like the API, the fake refuses what it does not hold: a call that names an
// organization or a device it does not know answers 404 with code 3001
// ("Entity not found"), as a typo would against the API. A device exists when
// [Server.AddDevice] stored it (found by its ID or any of its aliases) or
// [Server.AddCommand] seeded a command on it (found by the name given);
// creating a command on any other device is refused, not stored. An
// organization exists when AddDevice or AddCommand stored something in it, or
// [Server.AddOrganization] named it, for an organization with no devices. The
// device endpoints serve the devices AddDevice stored: a device known only
// from AddCommand has no record to serve, so getting or moving it answers 404
// too. Before the existence check come, in order, the key (401), the IDs'
// documented patterns (400, code 5209) and the billing-plan gate (400, code
// 5050).
//
// For the rest, a test scripts it: [Server.AddCommand] seeds commands in any
// status, [Server.SetCommandStatus] and [Server.ApplyAfter] play the device
// that applies them, [Server.SetOffline] the device that does not, [Server.Script] makes the next calls to an endpoint fail
// (an error status, a dropped connection, a slow answer, or a call carried
// out whose answer is lost or cut), [Server.SetRateLimit] plays the API's
// rate limiter, [Server.SetFeatureAllowed] closes the billing-plan gate, and
// [Server.Requests] tells what the server received.
package appliverytest

import (
	"net/http"
	"net/http/httptest"
	"slices"

	"github.com/applivery/applivery-go"
)

// Server is a fake Applivery API. Its methods are safe for concurrent use,
// also while requests are being served.
type Server struct {
	URL    string // the base URL, with its /v1 path: pass it to applivery.WithBaseURL
	APIKey string // the key it accepts; any other key gets 401 (code 4004)

	ts *httptest.Server

	// The parts of the server, each in its own file: the way in of every
	// call, then what the server holds. Their exported methods are the
	// Server's, so they name their receiver s, as go doc shows them.
	front
	rateLimit
	faultQueue
	organizations
	deviceStore
	commandStore
}

// NewServer starts a Server with no commands and a random API key. Close it
// when done.
func NewServer() *Server {
	s := &Server{APIKey: "test_" + randomHex(16)}
	s.initOrganizations()
	s.initDevices(&s.organizations)
	s.initCommands(&s.deviceStore)
	table := s.endpoints()
	s.initFaults(table)
	s.initFront(&s.APIKey, &s.rateLimit, &s.faultQueue)

	mux := http.NewServeMux()
	for _, e := range table {
		mux.HandleFunc(e.method+" "+basePath+e.route, s.wrap(e))
	}
	// Any other path: recorded, rate limited and checked like an endpoint, then 404.
	mux.HandleFunc("/", s.wrap(endpoint{handle: func(w http.ResponseWriter, _ *http.Request) { writeError(w, errNotFound) }}))
	s.ts = httptest.NewServer(mux)
	s.URL = s.ts.URL + basePath
	return s
}

// endpoints is the server's endpoint table: every endpoint it serves, the
// rows that the file of each resource declares. A new resource is a file of
// its own with its part of the Server, its Endpoint constants and its rows:
// here it adds the part above, its init in NewServer and its rows below.
func (s *Server) endpoints() []endpoint {
	return slices.Concat(
		s.commandEndpoints(),
		s.deviceEndpoints(),
	)
}

// Close shuts the server down and waits for the requests in flight.
func (s *Server) Close() { s.ts.Close() }

// NewClient returns a client of the server: its key and its URL, then opts,
// which can override them. In tests, shorten the waits between retries:
//
//	client, err := srv.NewClient(applivery.WithRetryWait(time.Millisecond, 10*time.Millisecond))
func (s *Server) NewClient(opts ...applivery.Option) (*applivery.Client, error) {
	return applivery.NewClient(s.APIKey, append([]applivery.Option{applivery.WithBaseURL(s.URL)}, opts...)...)
}
