package appliverytest

import (
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"sync"
	"time"

	"github.com/applivery/applivery-go"
)

// The Apple commands endpoints, under
// /organizations/{organizationId}/mdm/apple/enterprise/commands/{targetType}.
// Create stores one Pending command for every target of its body, and
// answers 404 (code 3001), creating nothing, when one of them is a target
// the server does not know: a device target is known when
// [Server.AddAppleDevice] stored it (by its ID or an alias) or
// [Server.AddAppleCommand] seeded a command on it, a device user target
// only in the latter case. Get and Cancel find a command by its ID and the
// target as it was named when the command was created (a command created
// for a serial number is not found under the device's ID). Cancel
// answers {"canceled":"OK"} for a command that is Pending, Tried or NotNow,
// and 400 with code 5106 for any other.
const (
	EndpointAppleCommandCreate Endpoint = "apple-command-create" // POST …/commands/{targetType}
	EndpointAppleCommandGet    Endpoint = "apple-command-get"    // GET …/commands/{targetType}/{targetId}/{admCommandId}
	EndpointAppleCommandCancel Endpoint = "apple-command-cancel" // POST …/commands/{targetType}/{targetId}/{admCommandId}/cancel
)

// The routes of the Apple commands endpoints, under basePath.
const (
	appleCommandsPath = "/organizations/{organizationId}/mdm/apple/enterprise/commands/{targetType}"
	appleCommandPath  = appleCommandsPath + "/{targetId}/{admCommandId}"
)

// appleCommandWildcards are the documented patterns of the wildcards of the
// Apple commands routes.
var appleCommandWildcards = wildcards{
	"organizationId": organizationIDRE, "targetType": regexp.MustCompile(`^(device|deviceUser)$`),
	"targetId": deviceIDRE, "admCommandId": commandIDRE,
}

// errAppleNotPending is the Apple cancel's refusal of a command that is no
// longer pending.
var errAppleNotPending = apiError{http.StatusBadRequest, applivery.CodeAppleCommandNotPending, "AdmCommand not status pending or tried"}

// appleCommandEndpoints are the rows of the Apple commands endpoints in the
// server's endpoint table.
func (s *appleCommandStore) appleCommandEndpoints() []endpoint {
	return []endpoint{
		{EndpointAppleCommandCreate, http.MethodPost, appleCommandsPath, appleCommandWildcards, s.createAppleCommands},
		{EndpointAppleCommandGet, http.MethodGet, appleCommandPath, appleCommandWildcards, s.getAppleCommand},
		{EndpointAppleCommandCancel, http.MethodPost, appleCommandPath + "/cancel", appleCommandWildcards, s.cancelAppleCommand},
	}
}

// appleCommandStore holds the Apple commands of the organizations, under
// the organizations' lock, and plays the targets that apply them.
type appleCommandStore struct {
	appleCmdMu    *sync.Mutex // the organizations' lock
	appleCmdOrgs  *organizations
	appleApply    *time.Duration // the Android commands' ApplyAfter, which applies to these too
	appleCommands map[appleCommandKey]*applivery.AppleCommand
	// appleTargets are the targets AddAppleCommand seeded: the targets the
	// endpoints know, with appleDeviceKnown's.
	appleTargets map[appleTargetKey]bool
	// appleDeviceKnown, when set, reports whether an Apple device with that
	// ID or alias exists: such a device is a target too. The caller holds
	// the lock.
	appleDeviceKnown func(organizationID, deviceID string) bool
}

// appleCommandKey names an Apple command of an organization.
type appleCommandKey struct{ organization, id string }

// appleTargetKey names a target of Apple commands in an organization.
type appleTargetKey struct {
	organization string
	targetType   applivery.AppleTargetType
	id           string
}

// initAppleCommands makes the store of the Apple commands, under orgs' lock,
// applied after *applyAfter.
func (s *appleCommandStore) initAppleCommands(orgs *organizations, applyAfter *time.Duration) {
	s.appleCmdMu = &orgs.mu
	s.appleCmdOrgs = orgs
	s.appleApply = applyAfter
	s.appleCommands = make(map[appleCommandKey]*applivery.AppleCommand)
	s.appleTargets = make(map[appleTargetKey]bool)
}

// AddAppleCommand stores cmd as an Apple command of the organization and
// returns what was stored: with a generated 24-hex-digit ID when cmd.ID is
// empty, TargetType "device" when it is empty, status Pending when cmd.Status
// is empty, Command {"RequestType":…} when it is empty and RequestType is
// set, and the current time (UTC, to the millisecond) in CreatedAt and
// UpdatedAt when they are zero. Raw is not kept: the server answers with
// the typed fields, Command and Data. A command with the same ID is
// replaced.
//
// The command's target (TargetType and TargetID) exists from then on: the
// Apple commands endpoints accept it in a Create, as they accept the
// target of any command seeded here. The organization exists too.
//
// It panics, naming the documented pattern, on what the API could not hold:
// an organization, target or command ID that does not match its pattern, a
// target type other than "device" and "deviceUser", or a Command or Data
// that is set but is not valid JSON.
func (s *appleCommandStore) AddAppleCommand(organizationID string, cmd applivery.AppleCommand) applivery.AppleCommand {
	mustMatch("AddAppleCommand", "organization ID", organizationID, organizationIDRE)
	mustMatch("AddAppleCommand", "target ID", cmd.TargetID, deviceIDRE)
	if cmd.ID != "" {
		mustMatch("AddAppleCommand", "command ID", cmd.ID, commandIDRE)
	}
	if cmd.TargetType == "" {
		cmd.TargetType = applivery.AppleTargetDevice
	}
	if cmd.TargetType != applivery.AppleTargetDevice && cmd.TargetType != applivery.AppleTargetDeviceUser {
		panic("appliverytest: AddAppleCommand: target type " + string(cmd.TargetType) + ` is not "device" or "deviceUser"`)
	}
	if (len(cmd.Command) > 0 && !json.Valid(cmd.Command)) || (len(cmd.Data) > 0 && !json.Valid(cmd.Data)) {
		panic("appliverytest: AddAppleCommand: Command or Data is not valid JSON")
	}
	if cmd.ID == "" {
		cmd.ID = randomHex(12)
	}
	if cmd.Status == "" {
		cmd.Status = applivery.AppleCommandStatusPending
	}
	if len(cmd.Command) == 0 && cmd.RequestType != "" {
		cmd.Command, _ = json.Marshal(map[string]string{"RequestType": cmd.RequestType})
	}
	cmd.Organization = organizationID
	now := stamp()
	if cmd.CreatedAt.IsZero() {
		cmd.CreatedAt = now
	}
	if cmd.UpdatedAt.IsZero() {
		cmd.UpdatedAt = now
	}
	cmd.Raw = nil
	s.appleCmdMu.Lock()
	s.appleCmdOrgs.add(organizationID)
	s.appleTargets[appleTargetKey{organizationID, cmd.TargetType, cmd.TargetID}] = true
	s.appleCommands[appleCommandKey{organizationID, cmd.ID}] = cloneApple(&cmd)
	s.appleCmdMu.Unlock()
	return *cloneApple(&cmd)
}

// AppleCommand returns the Apple command with the given ID, as the server
// holds it now.
func (s *appleCommandStore) AppleCommand(organizationID, commandID string) (applivery.AppleCommand, bool) {
	s.appleCmdMu.Lock()
	defer s.appleCmdMu.Unlock()
	cmd, ok := s.appleCommands[appleCommandKey{organizationID, commandID}]
	if !ok {
		return applivery.AppleCommand{}, false
	}
	s.settleApple(cmd)
	return *cloneApple(cmd), true
}

// SetAppleCommandStatus sets the status of a stored Apple command, as a
// device that answers it (Acknowledged, Error, NotNow) or an operator who
// cancels it would, with its UpdatedAt to now, and its CanceledAt too when
// the status is Canceled. It reports false if there is no such command. Any
// status can be set, also one the API does not document.
func (s *appleCommandStore) SetAppleCommandStatus(organizationID, commandID string, status applivery.AppleCommandStatus) bool {
	s.appleCmdMu.Lock()
	defer s.appleCmdMu.Unlock()
	cmd, ok := s.appleCommands[appleCommandKey{organizationID, commandID}]
	if !ok {
		return false
	}
	cmd.Status = status
	cmd.UpdatedAt = stamp()
	if status == applivery.AppleCommandStatusCanceled {
		cmd.CanceledAt = cmd.UpdatedAt
	}
	return true
}

// applePending reports whether an Apple command in status st can still be
// canceled, and is still to be applied.
func applePending(st applivery.AppleCommandStatus) bool {
	return st == applivery.AppleCommandStatusPending || st == applivery.AppleCommandStatusTried || st == applivery.AppleCommandStatusNotNow
}

// settleApple applies cmd, Acknowledged with the time it was received, if
// ApplyAfter says its time has come. The caller holds the lock.
func (s *appleCommandStore) settleApple(cmd *applivery.AppleCommand) {
	d := *s.appleApply
	if d <= 0 || !applePending(cmd.Status) {
		return
	}
	if at := cmd.CreatedAt.Add(d); !time.Now().Before(at) {
		cmd.Status = applivery.AppleCommandStatusAcknowledged
		cmd.ReceivedAt = at.UTC().Truncate(time.Millisecond)
		cmd.UpdatedAt = cmd.ReceivedAt
	}
}

// appleTargetExists reports whether the organization has the target. The
// caller holds the lock.
func (s *appleCommandStore) appleTargetExists(organizationID string, targetType applivery.AppleTargetType, id string) bool {
	if s.appleTargets[appleTargetKey{organizationID, targetType, id}] {
		return true
	}
	return targetType == applivery.AppleTargetDevice && s.appleDeviceKnown != nil && s.appleDeviceKnown(organizationID, id)
}

// cloneApple returns a copy of cmd that shares no memory with it.
func cloneApple(cmd *applivery.AppleCommand) *applivery.AppleCommand {
	c := *cmd
	c.Command = append(json.RawMessage(nil), cmd.Command...)
	c.Data = append(json.RawMessage(nil), cmd.Data...)
	if len(c.Command) == 0 {
		c.Command = nil
	}
	if len(c.Data) == 0 {
		c.Data = nil
	}
	c.Raw = nil
	return &c
}

// The handlers of the Apple commands endpoints. They run after the key, the
// IDs' patterns and the billing-plan gate have been checked (see front.wrap).

// createAppleCommands serves POST …/commands/{targetType}: the body must be
// {"command":{"RequestType":"…",…},"targetIds":[…]}, with 1 to 1,000
// targets that match the documented pattern (400, code 5209, otherwise),
// every one a target the server knows (404, code 3001, otherwise, and
// nothing is created). It answers one Pending record per target.
func (s *appleCommandStore) createAppleCommands(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Command   json.RawMessage `json:"command"`
		TargetIDs []string        `json:"targetIds"`
	}
	var head struct {
		RequestType string `json:"RequestType"`
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil || json.Unmarshal(raw, &body) != nil || len(body.Command) == 0 || body.Command[0] != '{' ||
		json.Unmarshal(body.Command, &head) != nil || head.RequestType == "" ||
		len(body.TargetIDs) == 0 || len(body.TargetIDs) > applivery.MaxAppleCommandTargets {
		writeError(w, errInvalidInput)
		return
	}
	for _, id := range body.TargetIDs {
		if !deviceIDRE.MatchString(id) {
			writeError(w, errInvalidInput)
			return
		}
	}
	org, targetType := r.PathValue("organizationId"), applivery.AppleTargetType(r.PathValue("targetType"))
	now := stamp()
	out := make([]applivery.AppleCommand, 0, len(body.TargetIDs))
	s.appleCmdMu.Lock()
	for _, id := range body.TargetIDs {
		if !s.appleTargetExists(org, targetType, id) {
			s.appleCmdMu.Unlock()
			writeError(w, errNotFound)
			return
		}
	}
	for _, id := range body.TargetIDs {
		cmd := &applivery.AppleCommand{
			ID: randomHex(12), Organization: org, TargetType: targetType, TargetID: id,
			UUID:   randomHex(4) + "-" + randomHex(2) + "-" + randomHex(2) + "-" + randomHex(2) + "-" + randomHex(6),
			Status: applivery.AppleCommandStatusPending, RequestType: head.RequestType, GroupName: head.RequestType,
			Command: append(json.RawMessage(nil), body.Command...), CreatedAt: now, UpdatedAt: now,
		}
		s.appleCommands[appleCommandKey{org, cmd.ID}] = cmd
		out = append(out, *cloneApple(cmd))
	}
	s.appleCmdMu.Unlock()
	writeData(w, out)
}

// findAppleCommand returns the command that the path of r names, by its ID
// and the target it was created for, settled; nil if there is none. The
// caller holds the lock.
func (s *appleCommandStore) findAppleCommand(r *http.Request) *applivery.AppleCommand {
	cmd, ok := s.appleCommands[appleCommandKey{r.PathValue("organizationId"), r.PathValue("admCommandId")}]
	if !ok || string(cmd.TargetType) != r.PathValue("targetType") || cmd.TargetID != r.PathValue("targetId") {
		return nil
	}
	s.settleApple(cmd)
	return cmd
}

// getAppleCommand serves GET …/commands/{targetType}/{targetId}/{admCommandId}.
func (s *appleCommandStore) getAppleCommand(w http.ResponseWriter, r *http.Request) {
	s.appleCmdMu.Lock()
	cmd := s.findAppleCommand(r)
	var answer *applivery.AppleCommand
	if cmd != nil {
		answer = cloneApple(cmd)
	}
	s.appleCmdMu.Unlock()
	if answer == nil {
		writeError(w, errNotFound)
		return
	}
	writeData(w, answer)
}

// cancelAppleCommand serves POST …/{admCommandId}/cancel: a command that is
// Pending, Tried or NotNow becomes Canceled, with its CanceledAt and
// UpdatedAt now, and the answer is {"canceled":"OK"}.
func (s *appleCommandStore) cancelAppleCommand(w http.ResponseWriter, r *http.Request) {
	s.appleCmdMu.Lock()
	cmd := s.findAppleCommand(r)
	pending := cmd != nil && applePending(cmd.Status)
	if pending {
		cmd.Status = applivery.AppleCommandStatusCanceled
		cmd.CanceledAt = stamp()
		cmd.UpdatedAt = cmd.CanceledAt
	}
	s.appleCmdMu.Unlock()
	switch {
	case cmd == nil:
		writeError(w, errNotFound)
	case !pending:
		writeError(w, errAppleNotPending)
	default:
		writeData(w, map[string]string{"canceled": "OK"})
	}
}
