package appliverytest

import (
	"cmp"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/applivery/applivery-go"
)

// The handlers of the API's endpoints. They run after the key and the
// billing-plan gate have been checked (see endpoint).

// cancel serves POST …/commands/{emmCommandId}/cancel.
func (s *Server) cancel(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	org := r.PathValue("organizationId")
	key := commandKey{org, s.canonicalDevice(org, r.PathValue("emmDeviceId")), r.PathValue("emmCommandId")}
	st, found := s.commands[key]
	if found {
		s.settle(key, st)
	}
	pending := found && st.cmd.Status == applivery.CommandStatusPending
	var answer applivery.Command
	if pending {
		st.cmd.Status = applivery.CommandStatusCanceled
		st.cmd.UpdatedAt = stamp()
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

	org := r.PathValue("organizationId")
	s.mu.Lock()
	if !s.deviceExists(org, r.PathValue("emmDeviceId")) {
		s.mu.Unlock()
		writeError(w, errNotFound) // as the API: not an empty list
		return
	}
	device := s.canonicalDevice(org, r.PathValue("emmDeviceId"))
	var all []*stored
	for k, st := range s.commands {
		if k.organization == org && k.device == device {
			s.settle(k, st)
			all = append(all, &stored{cmd: clone(st.cmd), seq: st.seq})
		}
	}
	s.mu.Unlock()
	sortCommands(all, order)
	total := len(all)
	items := []applivery.Command{}
	if from := (page - 1) * limit; from < total {
		for _, st := range all[from:min(from+limit, total)] {
			items = append(items, st.cmd)
		}
	}
	writeData(w, paging(items, page, limit, total))
}

// create serves POST …/commands: it stores a PENDING command of the
// requested type on a device that exists (404, code 3001, for any other).
// The body must be a JSON object with a documented type, and duration and
// newPassword of at most 256 characters.
func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	var req applivery.CreateCommandRequest
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil || json.Unmarshal(body, &req) != nil || !documentedTypes[req.Type] ||
		utf8.RuneCountInString(req.Duration) > 256 || utf8.RuneCountInString(req.NewPassword) > 256 {
		writeError(w, errInvalidInput)
		return
	}
	org, device := r.PathValue("organizationId"), r.PathValue("emmDeviceId")
	id := randomHex(12)
	raw, _ := json.Marshal(map[string]any{
		"name":     "enterprises/LC04z6vydu/devices/" + device + "/operations/" + id,
		"metadata": map[string]any{"type": req.Type},
	})
	now := stamp()
	cmd := applivery.Command{
		ID:     id,
		Status: applivery.CommandStatusPending,
		Config: applivery.CommandConfig{Metadata: applivery.CommandMetadata{
			TypeURL:    "type.googleapis.com/google.apps.gmm.v1.Command",
			Type:       req.Type,
			CreateTime: now.Format(time.RFC3339),
			Duration:   req.Duration,
		}},
		RawConfig: raw,
		CreatedAt: now,
		UpdatedAt: now,
	}
	s.mu.Lock()
	exists := s.deviceExists(org, device)
	if exists {
		s.storeCommand(org, device, cmd)
	}
	s.mu.Unlock()
	if !exists {
		writeError(w, errNotFound)
		return
	}
	writeData(w, cmd)
}

// documentedTypes are the command types the reference lists.
var documentedTypes = map[applivery.CommandType]bool{
	applivery.CommandTypeLock: true, applivery.CommandTypeResetPassword: true, applivery.CommandTypeReboot: true,
	applivery.CommandTypeStartLostMode: true, applivery.CommandTypeStopLostMode: true,
	applivery.CommandTypeRelinquishOwnership: true, applivery.CommandTypeAddEsim: true,
	applivery.CommandTypeRemoveEsim: true, applivery.CommandTypeClearAppData: true,
}

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
		"config.metadata.type": func(c applivery.Command) string { return string(c.Type()) },
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
