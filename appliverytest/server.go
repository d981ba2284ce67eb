// Package appliverytest provides an in-process fake of the Applivery API, for
// tests of code that uses the applivery package.
//
// A Server is a real HTTP server on loopback that behaves like the documented
// API: it checks the bearer key, keeps commands per organization and device,
// and answers with the API's envelopes and error codes. Point a client at it
// with applivery.WithBaseURL:
//
//	srv := appliverytest.NewServer()
//	defer srv.Close()
//	client, err := applivery.NewClient(srv.APIKey, applivery.WithBaseURL(srv.URL))
package appliverytest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/applivery/applivery-go"
)

// Server is a fake Applivery API. Its methods are safe for concurrent use,
// also while requests are being served.
type Server struct {
	URL    string // the base URL, with its /v1 path: pass it to applivery.WithBaseURL
	APIKey string // the key it accepts; any other key gets 401 (code 4004)

	ts       *httptest.Server
	mu       sync.Mutex
	commands map[commandKey]*applivery.Command
}

type commandKey struct{ organization, device, id string }

// The documented error answers.
var (
	errNoAuthToken  = apiError{http.StatusUnauthorized, applivery.CodeNoAuthToken, "No auth token"}
	errInvalidToken = apiError{http.StatusUnauthorized, applivery.CodeInvalidToken, "Invalid Token"}
	errNotFound     = apiError{http.StatusNotFound, applivery.CodeEntityNotFound, "Entity not found"}
	errNotPending   = apiError{http.StatusBadRequest, applivery.CodeCommandNotPending, "EmmCommand status not Pending"}
)

// The API's routes, under the base path /v1.
const (
	basePath    = "/v1"
	commandPath = "/organizations/{organizationId}/mdm/android/enterprise/devices/{emmDeviceId}/commands/{emmCommandId}"
)

// NewServer starts a Server with no commands and a random API key. Close it
// when done.
func NewServer() *Server {
	s := &Server{
		APIKey:   "test_" + randomHex(16),
		commands: make(map[commandKey]*applivery.Command),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+basePath+commandPath+"/cancel", s.cancel)
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { writeError(w, errNotFound) })
	s.ts = httptest.NewServer(s.authenticate(mux))
	s.URL = s.ts.URL + basePath
	return s
}

// Close shuts the server down and waits for the requests in flight.
func (s *Server) Close() { s.ts.Close() }

// AddCommand stores cmd as a command of the device and returns what was
// stored: with a generated 24-hex-digit ID when cmd.ID is empty, status
// PENDING when cmd.Status is empty, and the current time (UTC, to the
// millisecond) in CreatedAt and UpdatedAt when they are zero. A command with
// the same ID on the same device is replaced. It panics if cmd.RawConfig is
// set but is not valid JSON, as the API could not have sent it.
func (s *Server) AddCommand(organizationID, deviceID string, cmd applivery.Command) applivery.Command {
	if len(cmd.RawConfig) > 0 && !json.Valid(cmd.RawConfig) {
		panic("appliverytest: AddCommand: RawConfig is not valid JSON")
	}
	if cmd.ID == "" {
		cmd.ID = randomHex(12)
	}
	if cmd.Status == "" {
		cmd.Status = applivery.CommandStatusPending
	}
	now := s.now()
	if cmd.CreatedAt.IsZero() {
		cmd.CreatedAt = now
	}
	if cmd.UpdatedAt.IsZero() {
		cmd.UpdatedAt = now
	}
	stored := clone(cmd)
	s.mu.Lock()
	s.commands[commandKey{organizationID, deviceID, cmd.ID}] = &stored
	s.mu.Unlock()
	return clone(cmd)
}

// Command returns the command of the device with the given ID, as the server
// holds it now.
func (s *Server) Command(organizationID, deviceID, commandID string) (applivery.Command, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cmd, ok := s.commands[commandKey{organizationID, deviceID, commandID}]
	if !ok {
		return applivery.Command{}, false
	}
	return clone(*cmd), true
}

// authenticate answers 401 to a request without the server's bearer key,
// with code 4002 when there is no key at all and 4004 when it is wrong.
func (s *Server) authenticate(next http.Handler) http.Handler {
	want := "Bearer " + s.APIKey
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch got := r.Header.Get("Authorization"); got {
		case want:
			next.ServeHTTP(w, r)
		case "", "Bearer", "Bearer ":
			writeError(w, errNoAuthToken)
		default:
			writeError(w, errInvalidToken)
		}
	})
}

// cancel serves POST …/commands/{emmCommandId}/cancel.
func (s *Server) cancel(w http.ResponseWriter, r *http.Request) {
	key := commandKey{r.PathValue("organizationId"), r.PathValue("emmDeviceId"), r.PathValue("emmCommandId")}
	s.mu.Lock()
	cmd, found := s.commands[key]
	pending := found && cmd.Status == applivery.CommandStatusPending
	var answer applivery.Command
	if pending {
		cmd.Status = applivery.CommandStatusCanceled
		cmd.UpdatedAt = s.now()
		answer = clone(*cmd)
	}
	s.mu.Unlock()
	switch {
	case !found:
		writeError(w, errNotFound)
	case !pending:
		writeError(w, errNotPending)
	default:
		writeData(w, answer)
	}
}

func (s *Server) now() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }

type apiError struct {
	status  int
	code    applivery.ErrorCode
	message string
}

func writeError(w http.ResponseWriter, e apiError) {
	type body struct {
		Code    applivery.ErrorCode `json:"code"`
		Message string              `json:"message"`
	}
	writeJSON(w, e.status, struct {
		Status bool `json:"status"`
		Error  body `json:"error"`
	}{false, body{e.code, e.message}})
}

func writeData(w http.ResponseWriter, data any) {
	writeJSON(w, http.StatusOK, struct {
		Status bool `json:"status"`
		Data   any  `json:"data"`
	}{true, data})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// clone returns a copy of cmd that shares no memory with it.
func clone(cmd applivery.Command) applivery.Command {
	if cmd.RawConfig != nil {
		cmd.RawConfig = append(json.RawMessage(nil), cmd.RawConfig...)
	}
	return cmd
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("appliverytest: no randomness: " + err.Error())
	}
	return hex.EncodeToString(b)
}
