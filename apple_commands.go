package applivery

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/applivery/applivery-go/internal/transport"
)

// AppleCommandsService manages the MDM commands of Apple devices and device
// users: the Apple MDM protocol commands (DeviceLock, DeviceInformation, …)
// queued for a target until it applies them. Reach it as
// Client.AppleCommands.
//
// Every method checks its arguments first: the organization against
// [OrganizationIDPattern], the target type against [AppleTargetDevice] and
// [AppleTargetDeviceUser], each target ID against [AppleTargetIDPattern] and
// the command ID against [CommandIDPattern]. A mismatch is a
// [*ValidationError] and nothing is sent. Get and Cancel are retried after
// any retryable failure; Create, which must not run twice, only when the
// server surely did not act. Every method takes [CallOption]s last.
type AppleCommandsService struct {
	core *core
}

// AppleTargetIDPattern is the documented pattern of an Apple command's
// target: a 24-hex id, a serial number, an IMEI or a user identifier, all
// word characters. A serial number with a hyphen does not match it.
const AppleTargetIDPattern = DeviceIDPattern

// MaxAppleCommandTargets is the most targets one Create takes.
const MaxAppleCommandTargets = 1000

// The API's names of the Apple commands' parameters, as a ValidationError
// reports them.
const (
	fieldTargetType   = "targetType"
	fieldTargetID     = "targetId"
	fieldTargetIDs    = "targetIds"
	fieldAdmCommandID = "admCommandId"
)

// appleCommandsRoute is the route template of the Apple commands of a
// target type.
const appleCommandsRoute = "/organizations/{organizationId}/mdm/apple/enterprise/commands/{targetType}"

// The operations of the Apple commands, for observers (see CallInfo).
var (
	opAppleCommandsCreate = operation{name: "apple.commands.create", route: appleCommandsRoute}
	opAppleCommandsGet    = operation{name: "apple.commands.get", route: appleCommandsRoute + "/{targetId}/{admCommandId}"}
	opAppleCommandsCancel = operation{name: "apple.commands.cancel", route: appleCommandsRoute + "/{targetId}/{admCommandId}/cancel"}
)

// appleCommandsURL returns the URL of the Apple commands of target in an
// organization, followed by rest: the escaped segments below it.
func (c *core) appleCommandsURL(organizationID string, target AppleTargetType, rest ...string) string {
	var b strings.Builder
	b.WriteString(c.baseURL)
	b.WriteString("organizations/")
	b.WriteString(url.PathEscape(organizationID))
	b.WriteString("/mdm/apple/enterprise/commands/")
	b.WriteString(url.PathEscape(string(target)))
	for _, r := range rest {
		b.WriteString(r)
	}
	return b.String()
}

// commandURL returns the URL of one command of a target, followed by rest.
func (c *core) appleCommandURL(organizationID string, target AppleTargetType, targetID, commandID string, rest ...string) string {
	return c.appleCommandsURL(organizationID, target, append([]string{"/", url.PathEscape(targetID), "/", url.PathEscape(commandID)}, rest...)...)
}

// validateAppleTarget checks the organization and target type of an Apple
// commands path, in path order.
func validateAppleTarget(organizationID string, target AppleTargetType) error {
	if !isOrganizationID(organizationID) {
		return &ValidationError{Field: fieldOrganizationID, Value: organizationID, Pattern: OrganizationIDPattern}
	}
	if target != AppleTargetDevice && target != AppleTargetDeviceUser {
		return &ValidationError{Field: fieldTargetType, Value: string(target), Reason: `must be "device" or "deviceUser"`}
	}
	return nil
}

// validateAppleCommand checks the IDs of a path that ends at an Apple command.
func validateAppleCommand(organizationID string, target AppleTargetType, targetID, commandID string) error {
	if err := validateAppleTarget(organizationID, target); err != nil {
		return err
	}
	if !isDeviceID(targetID) {
		return &ValidationError{Field: fieldTargetID, Value: targetID, Pattern: AppleTargetIDPattern}
	}
	if !isObjectID(commandID) {
		return &ValidationError{Field: fieldAdmCommandID, Value: commandID, Pattern: CommandIDPattern}
	}
	return nil
}

// Create queues one command for every target of req (1 to
// [MaxAppleCommandTargets] IDs, each a 24-hex id, serial number or IMEI, as
// [AppleTargetIDPattern] says) and returns the records the API answers,
// one per target, in its order.
//
// A nil req, an empty RequestType, Params that hold "RequestType", no
// target, more than MaxAppleCommandTargets, or a target that does not match
// its pattern is a [*ValidationError] and nothing is sent. The body is the
// reference's {"command":{"RequestType":…, …Params},"targetIds":[…]}.
//
// Create is not idempotent: a DeviceLock or an EraseDevice sent twice is
// worse than a failed call. It is retried only when the server surely did
// not act on it: on a 429, and when no connection could be made. Once an
// attempt may have reached the server, every failure of the call matches
// [ErrOutcomeUnknown] unless the answer says the commands were not created
// (a 4xx, 501 or 505), and its message names the targets the caller must
// check before creating the command again. The API key needs the
// mdm.apple.command.create permission.
//
// Applivery API docs: https://docs.applivery.com/en/api/apple/apple-commands/post-organizations-organizationid-mdm-apple-enterprise-commands-targettype
//
//	POST /organizations/{organizationId}/mdm/apple/enterprise/commands/{targetType}
func (s *AppleCommandsService) Create(ctx context.Context, organizationID string, target AppleTargetType, req *CreateAppleCommandRequest, opts ...CallOption) ([]AppleCommand, error) {
	cc, err := callOptions(opts)
	if err != nil {
		return nil, err
	}
	if err := validateAppleTarget(organizationID, target); err != nil {
		return nil, err
	}
	if err := req.validate(); err != nil {
		return nil, err
	}
	body, err := req.body()
	if err != nil {
		return nil, err
	}
	r := request{
		op:     opAppleCommandsCreate,
		method: http.MethodPost,
		url:    s.core.appleCommandsURL(organizationID, target),
		body:   body,
		policy: transport.NotIdempotent,
		call:   cc,
	}
	ctx, st := s.core.start(ctx, &r)
	w, out, err := do[[]AppleCommand](ctx, s.core, r)
	if err != nil {
		if out.MayHaveActed {
			err = &outcomeUnknownError{err: err, note: "the command may have been created for " + targetList(req.TargetIDs) +
				": get those targets' commands before creating it again"}
		}
		return nil, s.core.end(&st, &r, out, err)
	}
	cmds := *w
	if cmds == nil {
		cmds = []AppleCommand{}
	}
	return cmds, s.core.end(&st, &r, out, nil)
}

// targetList names the targets of a Create whose outcome is unknown: all of
// them, in the order given, up to 50, and then how many more.
func targetList(ids []string) string {
	const shown = 50
	var b strings.Builder
	if len(ids) == 1 {
		b.WriteString("target ")
	} else {
		b.WriteString(strconv.Itoa(len(ids)))
		b.WriteString(" targets ")
	}
	for i, id := range ids {
		if i == shown {
			b.WriteString(" and ")
			b.WriteString(strconv.Itoa(len(ids) - shown))
			b.WriteString(" more")
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(id)
	}
	return b.String()
}

// Get returns one command of a target.
//
// An unknown command or target is an [*APIError] matching [ErrNotFound].
// The API key needs the mdm.apple.command.get permission.
//
// Applivery API docs: https://docs.applivery.com/en/api/apple/apple-commands/get-organizations-organizationid-mdm-apple-enterprise-commands-targettype-targetid-admcommandid
//
//	GET /organizations/{organizationId}/mdm/apple/enterprise/commands/{targetType}/{targetId}/{admCommandId}
func (s *AppleCommandsService) Get(ctx context.Context, organizationID string, target AppleTargetType, targetID, commandID string, opts ...CallOption) (*AppleCommand, error) {
	cc, err := callOptions(opts)
	if err != nil {
		return nil, err
	}
	if err := validateAppleCommand(organizationID, target, targetID, commandID); err != nil {
		return nil, err
	}
	return s.get(ctx, organizationID, target, targetID, commandID, cc)
}

// get is Get with its arguments checked and its options applied: cc. A
// Cancel's lookup calls it too.
func (s *AppleCommandsService) get(ctx context.Context, organizationID string, target AppleTargetType, targetID, commandID string, cc *callConfig) (*AppleCommand, error) {
	r := request{
		op:     opAppleCommandsGet,
		method: http.MethodGet,
		url:    s.core.appleCommandURL(organizationID, target, targetID, commandID),
		policy: transport.Idempotent,
		call:   cc,
	}
	ctx, st := s.core.start(ctx, &r)
	w, out, err := do[AppleCommand](ctx, s.core, r)
	if err != nil {
		return nil, s.core.end(&st, &r, out, err)
	}
	return w, s.core.end(&st, &r, out, nil)
}

// appleCancelJSON is the data of Cancel's answer: {"canceled":"OK"}.
type appleCancelJSON struct {
	Canceled string `json:"canceled"`
}

// Cancel cancels a command that is pending or tried, before the target
// applies it. The API answers {"canceled":"OK"} and no record: Get the
// command to read it.
//
// A command that is no longer pending is an [*APIError] matching
// [ErrCommandNotPending] (code 5106, "AdmCommand not status pending or
// tried", or 5052), an unknown one matches [ErrNotFound].
//
// Cancel resolves a lost answer as AndroidCommandsService.Cancel does, and
// only when the server may have acted (an attempt whose answer was lost, or
// was a 500, 502 or 504, followed by retries that failed all the same, or a
// last answer that is a 2xx whose body cannot be read): it looks the command
// up. The reference documents no status for a canceled Apple command; the
// SDK reads a command as canceled when its status is
// [AppleCommandStatusCanceled] or its CanceledAt is set. Cancel succeeds if
// the command is canceled and this call can have done it: the server
// answered 2xx, or the command's CanceledAt (UpdatedAt when it has none) is
// at most [CancelClockSkew] before the call began. A command that is not
// canceled, or was canceled before, leaves the last error as it was. The
// error matches [ErrOutcomeUnknown], and wraps the last error, when the
// lookup fails, when the command is canceled at a time that is missing or
// unparsable, and when the last attempt itself may have canceled the
// command. The API key needs the mdm.apple.command.cancel permission.
//
// Applivery API docs: https://docs.applivery.com/en/api/apple/apple-commands/post-organizations-organizationid-mdm-apple-enterprise-commands-targettype-targetid-admcommandid-cancel
//
//	POST /organizations/{organizationId}/mdm/apple/enterprise/commands/{targetType}/{targetId}/{admCommandId}/cancel
func (s *AppleCommandsService) Cancel(ctx context.Context, organizationID string, target AppleTargetType, targetID, commandID string, opts ...CallOption) error {
	cc, err := callOptions(opts)
	if err != nil {
		return err
	}
	if err := validateAppleCommand(organizationID, target, targetID, commandID); err != nil {
		return err
	}
	began := time.Now()
	r := request{
		op:     opAppleCommandsCancel,
		method: http.MethodPost,
		url:    s.core.appleCommandURL(organizationID, target, targetID, commandID, "/cancel"),
		policy: transport.Idempotent,
		call:   cc,
	}
	ctx, st := s.core.start(ctx, &r)
	_, out, err := do[appleCancelJSON](ctx, s.core, r)
	if err == nil {
		return s.core.end(&st, &r, out, nil)
	}
	err = s.resolveCancel(ctx, r, out, err, began, organizationID, target, targetID, commandID)
	return s.core.end(&st, &r, out, err)
}

// resolveCancel returns the outcome of the cancel r, begun at began, whose
// last attempt failed with err after the call went as out says: the error,
// ErrOutcomeUnknown, or nil when a lookup shows this call canceled it.
func (s *AppleCommandsService) resolveCancel(ctx context.Context, r request, out callOutcome, err error, began time.Time,
	organizationID string, target AppleTargetType, targetID, commandID string) error {
	switch {
	case !out.serverMayHaveActed(err):
		return err
	case out.LastMayHaveApplied:
		// No retry followed the attempt that may have canceled the command:
		// a lookup would fare no better.
		return &outcomeUnknownError{err: err, note: "the command may have been canceled: get it to find out"}
	}
	answered := out.unreadableSuccess(err)
	cmd, lookupErr := s.get(ctx, organizationID, target, targetID, commandID, r.call.withoutResponse())
	if lookupErr != nil {
		return &outcomeUnknownError{err: err,
			note: "the command may have been canceled, and looking it up failed: " + lookupErr.Error()}
	}
	canceled, at := cmd.canceled()
	switch {
	case !canceled && answered:
		return &outcomeUnknownError{err: err,
			note: "the server answered " + strconv.Itoa(out.status) + " but the command reads " + string(cmd.Status)}
	case !canceled:
		return err // not canceled: no attempt did it
	case answered:
		// The 2xx says this call canceled it, however long ago it changed.
	case at.IsZero():
		return &outcomeUnknownError{err: err,
			note: "the command is canceled, but its canceledAt and updatedAt are missing or do not parse, so whether this call canceled it is unknown"}
	case at.Before(began.Add(-CancelClockSkew)):
		return err // canceled before this call
	}
	if l := s.core.logger; l != nil {
		l.LogAttrs(ctx, slog.LevelInfo, "applivery: the command was canceled; the answer that said so was lost",
			slog.String("path", s.core.pathOf(r)),
			slog.Int("attempts", out.Attempts))
	}
	return nil
}

// Wait polls the command until its status is no longer Pending, Tried or
// NotNow, and returns it: Acknowledged, Error, or any status the SDK does
// not know. The caller reads cmd.Status.
//
// Wait has the schedule, options and errors of AndroidCommandsService.Wait:
// the first poll at once, then waits from o.MinInterval (2 s by default),
// doubling with jitter up to o.MaxInterval (1 min), a 429's Retry-After
// honoured, transient failures ridden out, one last poll just before the
// context's deadline, and an error matching [ErrStillPending] and the
// context's error, with the last command read, when the command is still
// pending at the end. Any other failure ends the wait at once. Every poll is
// a Get, and opts apply to each: the API key needs the mdm.apple.command.get
// permission.
//
// Applivery API docs: https://docs.applivery.com/en/api/apple/apple-commands/get-organizations-organizationid-mdm-apple-enterprise-commands-targettype-targetid-admcommandid
//
//	GET /organizations/{organizationId}/mdm/apple/enterprise/commands/{targetType}/{targetId}/{admCommandId}, repeatedly
func (s *AppleCommandsService) Wait(ctx context.Context, organizationID string, target AppleTargetType, targetID, commandID string, o *AppleWaitOptions, opts ...CallOption) (*AppleCommand, error) {
	if _, err := callOptions(opts); err != nil {
		return nil, err
	}
	if err := validateAppleCommand(organizationID, target, targetID, commandID); err != nil {
		return nil, err
	}
	var minInterval, maxInterval time.Duration
	var onPoll func(*AppleCommand)
	if o != nil {
		minInterval, maxInterval, onPoll = o.MinInterval, o.MaxInterval, o.OnPoll
	}
	minWait, maxWait, err := pollIntervals(minInterval, maxInterval)
	if err != nil {
		return nil, err
	}
	return waitFor(ctx, s.core.clock, poll[AppleCommand]{
		commandID: commandID,
		minWait:   minWait,
		maxWait:   maxWait,
		get: func(ctx context.Context) (*AppleCommand, error) {
			return s.Get(ctx, organizationID, target, targetID, commandID, opts...)
		},
		settled: func(cmd *AppleCommand) bool { return !cmd.Status.pending() },
		onPoll:  onPoll,
	})
}

// AppleWaitOptions tunes AppleCommandsService.Wait, as [WaitOptions] tunes
// the Android Wait. A nil *AppleWaitOptions means the defaults.
type AppleWaitOptions struct {
	MinInterval time.Duration       // wait before the second poll; 0 means 2 s. The first poll is immediate
	MaxInterval time.Duration       // longest wait between polls; 0 means 1 min, or MinInterval if that is longer
	OnPoll      func(*AppleCommand) // called with the command after every successful poll; nil for none
}

// CreateAppleCommandRequest is one Apple MDM command for many targets. It is
// sent as {"command":{"RequestType":…, …Params},"targetIds":[…]}: the keys of
// the command are Apple's, not Applivery's.
type CreateAppleCommandRequest struct {
	RequestType string         // required: Apple's command name, such as "DeviceLock" or "DeviceInformation"; any string is sent as is
	Params      map[string]any // the command's other keys ("Message", "PIN", "Queries", …); must not hold "RequestType"
	TargetIDs   []string       // required: 1 to MaxAppleCommandTargets IDs, each matching AppleTargetIDPattern
}

// validate checks r before anything is sent.
func (r *CreateAppleCommandRequest) validate() error {
	switch {
	case r == nil:
		return &ValidationError{Field: "request", Reason: "is nil"}
	case r.RequestType == "":
		return &ValidationError{Field: "RequestType", Reason: "is required, such as DeviceLock"}
	case len(r.TargetIDs) == 0:
		return &ValidationError{Field: fieldTargetIDs, Reason: "needs at least one target"}
	case len(r.TargetIDs) > MaxAppleCommandTargets:
		return &ValidationError{Field: fieldTargetIDs, Value: strconv.Itoa(len(r.TargetIDs)) + " targets",
			Reason: "must be at most " + strconv.Itoa(MaxAppleCommandTargets)}
	}
	if _, ok := r.Params["RequestType"]; ok {
		return &ValidationError{Field: "Params", Reason: `must not hold "RequestType": set CreateAppleCommandRequest.RequestType`}
	}
	for _, id := range r.TargetIDs {
		if !isDeviceID(id) {
			return &ValidationError{Field: fieldTargetIDs, Value: id, Pattern: AppleTargetIDPattern}
		}
	}
	return nil
}

// body encodes r, already validated, in the API's shape.
func (r *CreateAppleCommandRequest) body() ([]byte, error) {
	command := make(map[string]any, len(r.Params)+1)
	for k, v := range r.Params {
		command[k] = v
	}
	command["RequestType"] = r.RequestType
	body, err := json.Marshal(struct {
		Command   map[string]any `json:"command"`
		TargetIDs []string       `json:"targetIds"`
	}{command, r.TargetIDs})
	if err != nil {
		// A Params value that JSON cannot encode, such as a channel.
		return nil, &ValidationError{Field: "Params", Reason: fmt.Sprintf("does not encode as JSON: %v", err)}
	}
	return body, nil
}
