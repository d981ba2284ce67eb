// Package appliverytest provides an in-process fake of the Applivery API, for
// tests of code that uses the applivery package.
//
// A Server is a real HTTP server on loopback that behaves like the documented
// API for the Android commands resource (cancel, get, list, create): it checks
// the bearer key, keeps commands per organization and device, pages lists like
// the API, and answers with the API's envelopes and error codes. Point a
// client at it with applivery.WithBaseURL:
//
//	srv := appliverytest.NewServer()
//	defer srv.Close()
//	client, err := applivery.NewClient(srv.APIKey, applivery.WithBaseURL(srv.URL))
package appliverytest

import (
	"cmp"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/applivery/applivery-go"
)

// Server is a fake Applivery API. Its methods are safe for concurrent use,
// also while requests are being served.
type Server struct {
	URL    string // the base URL, with its /v1 path: pass it to applivery.WithBaseURL
	APIKey string // the key it accepts; any other key gets 401 (code 4004)

	ts       *httptest.Server
	mu       sync.Mutex
	commands map[commandKey]*stored
	seq      uint64 // insertion order, the tie-break of every sort
}

type commandKey struct{ organization, device, id string }

type stored struct {
	cmd applivery.Command
	seq uint64
}

// The documented error answers.
var (
	errNoAuthToken  = apiError{http.StatusUnauthorized, applivery.CodeNoAuthToken, "No auth token"}
	errInvalidToken = apiError{http.StatusUnauthorized, applivery.CodeInvalidToken, "Invalid Token"}
	errNotFound     = apiError{http.StatusNotFound, applivery.CodeEntityNotFound, "Entity not found"}
	errNotPending   = apiError{http.StatusBadRequest, applivery.CodeCommandNotPending, "EmmCommand status not Pending"}
	errInvalidInput = apiError{http.StatusBadRequest, 5209, "Invalid input"}
)

// Paging of lists: the page size when the request names none, and the
// largest the server gives.
const (
	DefaultLimit = 100
	MaxLimit     = 100
)

// The API's routes, under the base path /v1.
const (
	basePath     = "/v1"
	commandsPath = "/organizations/{organizationId}/mdm/android/enterprise/devices/{emmDeviceId}/commands"
	commandPath  = commandsPath + "/{emmCommandId}"
)

// NewServer starts a Server with no commands and a random API key. Close it
// when done.
func NewServer() *Server {
	s := &Server{
		APIKey:   "test_" + randomHex(16),
		commands: make(map[commandKey]*stored),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+basePath+commandPath+"/cancel", s.cancel)
	mux.HandleFunc("GET "+basePath+commandPath, s.get)
	mux.HandleFunc("GET "+basePath+commandsPath, s.list)
	mux.HandleFunc("POST "+basePath+commandsPath, s.create)
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
	s.mu.Lock()
	s.seq++
	s.commands[commandKey{organizationID, deviceID, cmd.ID}] = &stored{cmd: clone(cmd), seq: s.seq}
	s.mu.Unlock()
	return clone(cmd)
}

// Command returns the command of the device with the given ID, as the server
// holds it now.
func (s *Server) Command(organizationID, deviceID, commandID string) (applivery.Command, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.commands[commandKey{organizationID, deviceID, commandID}]
	if !ok {
		return applivery.Command{}, false
	}
	return clone(st.cmd), true
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
	st, found := s.commands[key]
	pending := found && st.cmd.Status == applivery.CommandStatusPending
	var answer applivery.Command
	if pending {
		st.cmd.Status = applivery.CommandStatusCanceled
		st.cmd.UpdatedAt = s.now()
		answer = clone(st.cmd)
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

// get serves GET …/commands/{emmCommandId}.
func (s *Server) get(w http.ResponseWriter, r *http.Request) {
	cmd, ok := s.Command(r.PathValue("organizationId"), r.PathValue("emmDeviceId"), r.PathValue("emmCommandId"))
	if !ok {
		writeError(w, errNotFound)
		return
	}
	writeData(w, cmd)
}

// list serves GET …/commands?page=&limit=&sort=, in the API's pagination
// envelope. page and limit must be positive integers, and a limit above
// MaxLimit gets MaxLimit; sort must match applivery.SortPattern, and orders
// by createdAt, updatedAt, id, status or config.metadata.type (by createdAt
// when it names another field).
func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page, okPage := positiveInt(q.Get("page"), 1)
	limit, okLimit := positiveInt(q.Get("limit"), DefaultLimit)
	order := q.Get("sort")
	if !okPage || !okLimit || !sortRE.MatchString(order) {
		writeError(w, errInvalidInput)
		return
	}
	limit = min(limit, MaxLimit)

	org, device := r.PathValue("organizationId"), r.PathValue("emmDeviceId")
	s.mu.Lock()
	var all []*stored
	for k, st := range s.commands {
		if k.organization == org && k.device == device {
			all = append(all, &stored{cmd: clone(st.cmd), seq: st.seq})
		}
	}
	s.mu.Unlock()
	sortCommands(all, order)

	total := len(all)
	pages := (total + limit - 1) / limit
	items := []applivery.Command{}
	if from := (page - 1) * limit; from < total {
		for _, st := range all[from:min(from+limit, total)] {
			items = append(items, st.cmd)
		}
	}
	var prev, next *int
	if page > 1 {
		p := min(page-1, max(pages, 1))
		prev = &p
	}
	if page < pages {
		n := page + 1
		next = &n
	}
	writeData(w, map[string]any{
		"items":         items,
		"totalDocs":     total,
		"limit":         limit,
		"page":          page,
		"totalPages":    pages,
		"pagingCounter": (page-1)*limit + 1,
		"hasPrevPage":   prev != nil,
		"hasNextPage":   next != nil,
		"prevPage":      prev,
		"nextPage":      next,
	})
}

// create serves POST …/commands: it stores a PENDING command of the
// requested type. The body must be a JSON object with a documented type, and
// duration and newPassword of at most 256 characters.
func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	var req applivery.CreateCommandRequest
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil || json.Unmarshal(body, &req) != nil || !documentedTypes[req.Type] ||
		utf8.RuneCountInString(req.Duration) > 256 || utf8.RuneCountInString(req.NewPassword) > 256 {
		writeError(w, errInvalidInput)
		return
	}
	device := r.PathValue("emmDeviceId")
	id := randomHex(12)
	raw, _ := json.Marshal(map[string]any{
		"name":     "enterprises/LC04z6vydu/devices/" + device + "/operations/" + id,
		"metadata": map[string]any{"type": req.Type},
	})
	cmd := s.AddCommand(r.PathValue("organizationId"), device, applivery.Command{
		ID: id,
		Config: applivery.CommandConfig{Metadata: applivery.CommandMetadata{
			TypeURL:    "type.googleapis.com/google.apps.gmm.v1.Command",
			Type:       req.Type,
			CreateTime: s.now().Format(time.RFC3339),
			Duration:   req.Duration,
		}},
		RawConfig: raw,
	})
	writeData(w, cmd)
}

// documentedTypes are the command types the reference lists.
var documentedTypes = map[applivery.CommandType]bool{
	applivery.CommandTypeLock: true, applivery.CommandTypeResetPassword: true, applivery.CommandTypeReboot: true,
	applivery.CommandTypeStartLostMode: true, applivery.CommandTypeStopLostMode: true,
	applivery.CommandTypeRelinquishOwnership: true, applivery.CommandTypeAddEsim: true,
	applivery.CommandTypeRemoveEsim: true, applivery.CommandTypeClearAppData: true,
}

var sortRE = regexp.MustCompile(applivery.SortPattern)

// sortCommands orders cmds as a sort parameter asks, insertion order
// breaking ties.
func sortCommands(cmds []*stored, order string) {
	field, desc := order, false
	if f, ok := strings.CutSuffix(order, ":desc"); ok {
		field, desc = f, true
	} else {
		field = strings.TrimSuffix(order, ":asc")
	}
	key := map[string]func(applivery.Command) string{
		"updatedAt":            func(c applivery.Command) string { return c.UpdatedAt.Format(time.RFC3339Nano) },
		"id":                   func(c applivery.Command) string { return c.ID },
		"status":               func(c applivery.Command) string { return string(c.Status) },
		"config.metadata.type": func(c applivery.Command) string { return string(c.Config.Metadata.Type) },
	}[field]
	slices.SortStableFunc(cmds, func(a, b *stored) int {
		c := 0
		if key != nil {
			c = strings.Compare(key(a.cmd), key(b.cmd))
		} else {
			c = a.cmd.CreatedAt.Compare(b.cmd.CreatedAt)
		}
		if c == 0 {
			c = cmp.Compare(a.seq, b.seq)
		}
		if desc {
			c = -c
		}
		return c
	})
}

// positiveInt parses a query parameter, def when it is absent.
func positiveInt(v string, def int) (int, bool) {
	if v == "" {
		return def, true
	}
	n, err := strconv.Atoi(v)
	return n, err == nil && n > 0
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
