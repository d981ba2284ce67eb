package appliverytest

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/applivery/applivery-go"
)

// The commands endpoints.
const (
	EndpointCancel Endpoint = "cancel" // POST …/commands/{emmCommandId}/cancel
	EndpointGet    Endpoint = "get"    // GET …/commands/{emmCommandId}
	EndpointList   Endpoint = "list"   // GET …/commands
	EndpointCreate Endpoint = "create" // POST …/commands
)

// The routes of the commands endpoints, under basePath.
const (
	commandsPath = devicePath + "/commands"
	commandPath  = commandsPath + "/{emmCommandId}"
)

// commandWildcards are the documented patterns of the wildcards of the commands
// routes.
var commandWildcards = wildcards{
	"organizationId": organizationIDRE, "emmDeviceId": deviceIDRE, "emmCommandId": commandIDRE,
}

// commandEndpoints are the rows of the commands endpoints in the server's
// endpoint table.
func (s *commandStore) commandEndpoints() []endpoint {
	return []endpoint{
		{EndpointCancel, http.MethodPost, commandPath + "/cancel", commandWildcards, s.cancelCommand},
		{EndpointGet, http.MethodGet, commandPath, commandWildcards, s.getCommand},
		{EndpointList, http.MethodGet, commandsPath, commandWildcards, s.listCommands},
		{EndpointCreate, http.MethodPost, commandsPath, commandWildcards, s.createCommand},
	}
}

// commandStore holds the commands of the devices, under the organizations'
// lock, and plays the devices that apply them.
type commandStore struct {
	mu       *sync.Mutex // the organizations' lock
	devices  *deviceStore
	commands map[commandKey]*storedCommand // under the device's ID when it was added, see canonicalDevice
	// seeded holds the devices that exist only because AddCommand seeded a
	// command on them, under the name it was given; AddDevice takes them
	// over (see adopt).
	seeded     map[deviceKey]bool
	seq        uint64        // insertion order: the tie-break of the list's sort, and of adopt
	applyAfter time.Duration // see ApplyAfter; 0: commands stay pending
	// offline holds the devices that apply no command (see SetOffline), and
	// online when each device last came back, under their canonical IDs.
	offline map[deviceKey]bool
	online  map[deviceKey]time.Time
}

// initCommands makes the store of the commands of devices, which takes over
// the commands seeded on a name once AddDevice gives the name to a device.
func (s *commandStore) initCommands(devices *deviceStore) {
	s.mu = devices.mu
	s.devices = devices
	s.commands = make(map[commandKey]*storedCommand)
	s.seeded = make(map[deviceKey]bool)
	s.offline = make(map[deviceKey]bool)
	s.online = make(map[deviceKey]time.Time)
	devices.onName = s.adopt
}

// commandKey names a command of a device of an organization.
type commandKey struct{ organization, device, id string }

// storedCommand is a command the server holds, with its insertion order.
type storedCommand struct {
	cmd applivery.Command
	seq uint64
}

// AddCommand stores cmd as a command of the device and returns what was
// stored: with a generated 24-hex-digit ID when cmd.ID is empty, status
// PENDING when cmd.Status is empty, and the current time (UTC, to the
// millisecond) in CreatedAt and UpdatedAt when they are zero. A command with
// the same ID on the same device is replaced.
//
// deviceID is the ID or an alias of a device that AddDevice stored, whose
// command it then is; any other name makes a device of its own, which the
// commands endpoints then know by that name (and a later AddDevice that
// names it as its ID or an alias takes over its commands). The organization
// and the device exist from then on: see the package documentation.
//
// It panics, naming the documented pattern, on what the API could not hold:
// an organization, device or command ID that does not match
// [applivery.OrganizationIDPattern], [applivery.DeviceIDPattern] or
// [applivery.CommandIDPattern], or a RawConfig that is set but is not valid
// JSON.
func (s *commandStore) AddCommand(organizationID, deviceID string, cmd applivery.Command) applivery.Command {
	mustMatch("AddCommand", "organization ID", organizationID, organizationIDRE)
	mustMatch("AddCommand", "device ID", deviceID, deviceIDRE)
	if cmd.ID != "" {
		mustMatch("AddCommand", "command ID", cmd.ID, commandIDRE)
	}
	if len(cmd.RawConfig) > 0 && !json.Valid(cmd.RawConfig) {
		panic("appliverytest: AddCommand: RawConfig is not valid JSON")
	}
	if cmd.ID == "" {
		cmd.ID = randomHex(12)
	}
	if cmd.Status == "" {
		cmd.Status = applivery.CommandStatusPending
	}
	now := stamp()
	if cmd.CreatedAt.IsZero() {
		cmd.CreatedAt = now
	}
	if cmd.UpdatedAt.IsZero() {
		cmd.UpdatedAt = now
	}
	s.mu.Lock()
	s.storeCommand(organizationID, deviceID, cmd)
	s.mu.Unlock()
	return clone(cmd)
}

// storeCommand stores a copy of cmd, complete, as a command of the device
// that deviceID names, and makes the device exist if it did not. The caller
// holds s.mu.
func (s *commandStore) storeCommand(organizationID, deviceID string, cmd applivery.Command) {
	s.devices.organizations.add(organizationID)
	if s.devices.findDevice(organizationID, deviceID) == nil {
		s.seeded[deviceKey{organizationID, deviceID}] = true
	}
	s.seq++
	s.commands[commandKey{organizationID, s.devices.canonicalDevice(organizationID, deviceID), cmd.ID}] = &storedCommand{cmd: clone(cmd), seq: s.seq}
}

// deviceExists reports whether deviceID names a device of the organization:
// one AddDevice stored (by its ID or an alias) or one AddCommand seeded. The
// caller holds s.mu.
func (s *commandStore) deviceExists(organizationID, deviceID string) bool {
	return s.devices.findDevice(organizationID, deviceID) != nil || s.seeded[deviceKey{organizationID, deviceID}]
}

// Command returns the command of the device with the given ID, as the server
// holds it now.
func (s *commandStore) Command(organizationID, deviceID, commandID string) (applivery.Command, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := commandKey{organizationID, s.devices.canonicalDevice(organizationID, deviceID), commandID}
	st, ok := s.commands[key]
	if !ok {
		return applivery.Command{}, false
	}
	s.settle(key, st)
	return clone(st.cmd), true
}

// SetCommandStatus sets the status of a stored command, as a device that
// applies it (DONE) or an operator who cancels it (CANCEL) would, with its
// UpdatedAt to now and Config.Done to whether the status is DONE. It
// reports false if there is no such command. Any status can be set, also
// one the API does not document.
func (s *commandStore) SetCommandStatus(organizationID, deviceID, commandID string, status applivery.CommandStatus) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.commands[commandKey{organizationID, s.devices.canonicalDevice(organizationID, deviceID), commandID}]
	if !ok {
		return false
	}
	st.cmd.Status = status
	st.cmd.UpdatedAt = stamp()
	st.cmd.Config.Done = status == applivery.CommandStatusDone
	return true
}

// ApplyAfter makes every PENDING command become DONE d after its creation
// (its CreatedAt), as a device applies it: its UpdatedAt is then its
// CreatedAt plus d, and Config.Done is true. It applies to commands stored
// before and after the call, however they were stored (AddCommand, or
// created through the API); a command canceled before d has passed stays
// canceled. It applies Apple commands too: one that is Pending, Tried or
// NotNow becomes Acknowledged, its ReceivedAt and UpdatedAt its CreatedAt
// plus d. 0, the default, turns it off; a negative d panics.
func (s *commandStore) ApplyAfter(d time.Duration) {
	if d < 0 {
		panic("appliverytest: ApplyAfter: negative duration " + d.String())
	}
	s.mu.Lock()
	s.applyAfter = d
	s.mu.Unlock()
}

// SetOffline takes a device offline, or brings it back: an offline device
// applies no command, so ApplyAfter leaves its commands PENDING, as the
// commands of a switched-off or lost device stay. Back online, it applies
// them at once if their time has come, and at their time otherwise. The
// device is named by its ID or any alias; it panics on a device the server
// does not hold, as a typo in a test would otherwise go unnoticed.
func (s *commandStore) SetOffline(organizationID, deviceID string, offline bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.deviceExists(organizationID, deviceID) {
		panic(fmt.Sprintf("appliverytest: SetOffline: no device %q in organization %q: add it first", deviceID, organizationID))
	}
	key := deviceKey{organizationID, s.devices.canonicalDevice(organizationID, deviceID)}
	if offline {
		s.offline[key] = true
		return
	}
	if s.offline[key] {
		delete(s.offline, key)
		s.online[key] = time.Now()
	}
}

// adopt, told by AddDevice that name now names the device id (as its ID or
// one of its aliases), gives the device the commands that AddCommand seeded
// on a device of that name, which was no stored device's: without this they
// could no longer be reached. A command with the same ID as one the device
// already has is kept if it was stored later. The caller holds s.mu.
func (s *commandStore) adopt(organizationID, name, id string) {
	if !s.seeded[deviceKey{organizationID, name}] {
		return
	}
	delete(s.seeded, deviceKey{organizationID, name})
	if name == id {
		return // already under the device's ID
	}
	for k, st := range s.commands {
		if k.organization != organizationID || k.device != name {
			continue
		}
		delete(s.commands, k)
		to := commandKey{organizationID, id, k.id}
		if mine, ok := s.commands[to]; !ok || mine.seq < st.seq {
			s.commands[to] = st
		}
	}
}

// settle applies the command st, stored under key, if ApplyAfter says its
// time has come and its device is online. The caller holds s.mu.
func (s *commandStore) settle(key commandKey, st *storedCommand) {
	if s.applyAfter <= 0 || st.cmd.Status != applivery.CommandStatusPending {
		return
	}
	device := deviceKey{key.organization, key.device}
	if s.offline[device] {
		return
	}
	if at := st.cmd.CreatedAt.Add(s.applyAfter); !time.Now().Before(at) {
		if back := s.online[device]; back.After(at) {
			at = back // applied when the device came back
		}
		st.cmd.Status = applivery.CommandStatusDone
		st.cmd.UpdatedAt = at.UTC().Truncate(time.Millisecond)
		st.cmd.Config.Done = true
	}
}

// clone returns a copy of cmd that shares no memory with it.
func clone(cmd applivery.Command) applivery.Command {
	if cmd.RawConfig != nil {
		cmd.RawConfig = append(json.RawMessage(nil), cmd.RawConfig...)
	}
	return cmd
}

// The handlers of the commands endpoints. They run after the key, the IDs'
// patterns and the billing-plan gate have been checked (see front.wrap).

// cancelCommand serves POST …/commands/{emmCommandId}/cancel.
func (s *commandStore) cancelCommand(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	org := r.PathValue("organizationId")
	key := commandKey{org, s.devices.canonicalDevice(org, r.PathValue("emmDeviceId")), r.PathValue("emmCommandId")}
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

// getCommand serves GET …/commands/{emmCommandId}.
func (s *commandStore) getCommand(w http.ResponseWriter, r *http.Request) {
	cmd, ok := s.Command(r.PathValue("organizationId"), r.PathValue("emmDeviceId"), r.PathValue("emmCommandId"))
	if !ok {
		writeError(w, errNotFound)
		return
	}
	writeData(w, cmd)
}

// listCommands serves GET …/commands?page=&limit=&sort=, in the API's
// pagination envelope. page and limit must be positive integers, and a limit
// above MaxLimit gets MaxLimit; sort must match applivery.SortPattern, and
// orders by createdAt, updatedAt, id, status or config.metadata.type (by
// createdAt when it names another field).
func (s *commandStore) listCommands(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	lq, ok := readListQuery(q)
	if !ok {
		writeError(w, errInvalidInput)
		return
	}

	org := r.PathValue("organizationId")
	s.mu.Lock()
	if !s.deviceExists(org, r.PathValue("emmDeviceId")) {
		s.mu.Unlock()
		writeError(w, errNotFound) // as the API: not an empty list
		return
	}
	device := s.devices.canonicalDevice(org, r.PathValue("emmDeviceId"))
	var all []*storedCommand
	for k, st := range s.commands {
		if k.organization == org && k.device == device {
			s.settle(k, st)
			all = append(all, &storedCommand{cmd: clone(st.cmd), seq: st.seq})
		}
	}
	s.mu.Unlock()
	sortCommands(all, q.Get("sort"))
	items := []applivery.Command{}
	for _, st := range window(all, lq) {
		items = append(items, st.cmd)
	}
	writeData(w, paging(items, lq.page, lq.limit, len(all)))
}

// createCommand serves POST …/commands: it stores a PENDING command of the
// requested type on a device that exists (404, code 3001, for any other).
// The body must be a JSON object with a documented type, and duration and
// newPassword of at most 256 characters.
func (s *commandStore) createCommand(w http.ResponseWriter, r *http.Request) {
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
func sortCommands(cmds []*storedCommand, order string) {
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
	slices.SortStableFunc(cmds, func(a, b *storedCommand) int {
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
