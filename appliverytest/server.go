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
	appleDeviceStore
	mdmDeviceList
	commandStore
	appleCommandStore
	userStore
	tokenStore
}

// NewServer starts a Server with no commands and a random API key. Close it
// when done.
func NewServer() *Server {
	s := &Server{APIKey: "test_" + randomHex(16)}
	s.initOrganizations()
	s.initDevices(&s.organizations)
	s.initAppleDevices(&s.organizations, &s.deviceStore.seq)
	s.initMDMDevices(&s.deviceStore, &s.appleDeviceStore)
	s.initCommands(&s.deviceStore)
	s.initAppleCommands(&s.organizations, &s.commandStore.applyAfter)
	s.initUsers(&s.organizations)
	s.initTokens(&s.organizations, &s.userStore)
	s.appleDeviceKnown = func(org, id string) bool { return s.findAppleDevice(org, id) != nil }
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
		s.appleDeviceEndpoints(),
		s.mdmDeviceEndpoints(),
		s.appleCommandEndpoints(),
		s.userEndpoints(),
		s.tokenEndpoints(),
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
