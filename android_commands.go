package applivery

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/applivery/applivery-go/internal/transport"
)

// AndroidCommandsService manages the commands of Android Enterprise devices:
// the actions (LOCK, REBOOT, RESET_PASSWORD, lost mode, eSIM, …) queued for a
// device until it applies them. Reach it as Client.AndroidCommands.
//
// Every method checks its IDs against [OrganizationIDPattern],
// [DeviceIDPattern] and [CommandIDPattern] first: a mismatch is a
// [*ValidationError] and nothing is sent. Get, List and Cancel are retried
// after any retryable failure; Create, which must not run twice, only when the
// server surely did not act. Every method takes [CallOption]s last, such as
// [WithResponse] and [WithRequestHeader].
type AndroidCommandsService struct {
	core *core
}

// The operations of the Android commands, for observers (see CallInfo).
var (
	opCommandsCancel = operation{name: "android.commands.cancel", route: commandsRoute + "/{emmCommandId}/cancel"}
	opCommandsGet    = operation{name: "android.commands.get", route: commandsRoute + "/{emmCommandId}"}
	opCommandsList   = operation{name: "android.commands.list", route: commandsRoute}
	opCommandsCreate = operation{name: "android.commands.create", route: commandsRoute}
)

// commandsRoute is the route template of a device's commands.
const commandsRoute = deviceRoute + "/commands"

// Cancel cancels a pending command before the device applies it, and returns
// the command as the API answers.
//
// A command that is no longer pending is an [*APIError] matching
// [ErrCommandNotPending], an unknown one matches [ErrNotFound].
//
// An attempt whose answer was lost, or was a 500, 502 or 504, may have
// canceled the command; a 503 or 429 says the server did not act. When such
// an attempt is followed by retries that fail all the same (the command not
// pending, a 503, a long 429, …), or when the last answer is a 2xx whose
// body cannot be read, Cancel looks the command up. It succeeds if the
// command is canceled and this call can have done it: the server answered
// 2xx, or the command's UpdatedAt is at most [CancelClockSkew] before the
// call began. A command that is not canceled, or was canceled before, leaves
// the last error as it was. The error matches [ErrOutcomeUnknown], and wraps
// the last error, when the lookup fails, when the command is canceled but
// its UpdatedAt is missing or unparsable (an unknown time is not a recent
// one), and when the last attempt itself may have canceled the command (no
// lookup is made then: no retry followed it). The API key needs the
// mdm.android.command.cancel permission.
//
// Applivery API docs: https://docs.applivery.com/en/api/android/commands/post-organizations-organizationid-mdm-android-enterprise-devices-emmdeviceid-commands-emmcommandid-cancel/
//
//	POST /organizations/{organizationId}/mdm/android/enterprise/devices/{emmDeviceId}/commands/{emmCommandId}/cancel
func (s *AndroidCommandsService) Cancel(ctx context.Context, organizationID, deviceID, commandID string, opts ...CallOption) (*Command, error) {
	cc, err := callOptions(opts)
	if err != nil {
		return nil, err
	}
	if err := validateCommand(organizationID, deviceID, commandID); err != nil {
		return nil, err
	}
	began := time.Now()
	r := request{
		op:     opCommandsCancel,
		method: http.MethodPost,
		url:    s.core.androidDeviceURL(organizationID, deviceID, "/commands/", url.PathEscape(commandID), "/cancel"),
		policy: transport.Idempotent,
		call:   cc,
	}
	ctx, st := s.core.start(ctx, &r)
	w, out, err := do[commandJSON](ctx, s.core, r)
	if err == nil {
		return w.command(), s.core.end(&st, &r, out, nil)
	}
	cmd, err := s.resolveCancel(ctx, r, out, err, began, organizationID, deviceID, commandID)
	return cmd, s.core.end(&st, &r, out, err)
}

// resolveCancel returns the outcome of the cancel r, begun at began, whose
// last attempt failed with err after the call went as out says: the error,
// ErrOutcomeUnknown, or the command that a lookup shows this call canceled.
func (s *AndroidCommandsService) resolveCancel(ctx context.Context, r request, out callOutcome, err error, began time.Time,
	organizationID, deviceID, commandID string) (*Command, error) {
	switch {
	case !out.serverMayHaveActed(err):
		return nil, err
	case out.LastMayHaveApplied:
		// No retry followed the attempt that may have canceled the command
		// (none was left, the context ended, or the rate limit's wait would
		// outlast it): a lookup would fare no better.
		return nil, &outcomeUnknownError{err: err, note: "the command may have been canceled: get it to find out"}
	}
	// An attempt may have canceled the command and the answer that said so
	// was lost, or a later attempt failed all the same. Which it is, the
	// command tells.
	answered := out.unreadableSuccess(err)
	cmd, lookupErr := s.get(ctx, organizationID, deviceID, commandID, r.call.withoutResponse())
	switch {
	case lookupErr != nil:
		return nil, &outcomeUnknownError{err: err,
			note: "the command may have been canceled, and looking it up failed: " + lookupErr.Error()}
	case cmd.Status != CommandStatusCanceled && answered:
		return nil, &outcomeUnknownError{err: err,
			note: "the server answered " + strconv.Itoa(out.status) + " but the command reads " + string(cmd.Status)}
	case cmd.Status != CommandStatusCanceled:
		return nil, err // not canceled: no attempt did it
	case answered:
		// The 2xx says this call canceled it, however long ago it changed.
	case cmd.UpdatedAt.IsZero():
		// An unknown time is not a recent one.
		return nil, &outcomeUnknownError{err: err,
			note: "the command is canceled, but its updatedAt is missing or does not parse, so whether this call canceled it is unknown"}
	case cmd.UpdatedAt.Before(began.Add(-CancelClockSkew)):
		return nil, err // canceled before this call
	}
	if l := s.core.logger; l != nil {
		l.LogAttrs(ctx, slog.LevelInfo, "applivery: the command was canceled; the answer that said so was lost",
			slog.String("path", s.core.pathOf(r)),
			slog.Int("attempts", out.Attempts))
	}
	return cmd, nil
}

// CancelClockSkew is how far the server's clock may be behind the client's
// when Cancel judges whether a canceled command was canceled by this call: a
// command whose UpdatedAt is earlier than the call's start by more than this
// was canceled before.
const CancelClockSkew = 5 * time.Minute

// Get returns one command of a device.
//
// An unknown command is an [*APIError] matching [ErrNotFound]. The API key
// needs the mdm.android.command.get permission.
//
// Applivery API docs: https://docs.applivery.com/en/api/android/commands/get-organizations-organizationid-mdm-android-enterprise-devices-emmdeviceid-commands-emmcommandid/
//
//	GET /organizations/{organizationId}/mdm/android/enterprise/devices/{emmDeviceId}/commands/{emmCommandId}
func (s *AndroidCommandsService) Get(ctx context.Context, organizationID, deviceID, commandID string, opts ...CallOption) (*Command, error) {
	cc, err := callOptions(opts)
	if err != nil {
		return nil, err
	}
	if err := validateCommand(organizationID, deviceID, commandID); err != nil {
		return nil, err
	}
	return s.get(ctx, organizationID, deviceID, commandID, cc)
}

// get is Get with its arguments checked and its options applied: cc. A
// Cancel's lookup calls it too.
func (s *AndroidCommandsService) get(ctx context.Context, organizationID, deviceID, commandID string, cc *callConfig) (*Command, error) {
	r := request{
		op:     opCommandsGet,
		method: http.MethodGet,
		url:    s.core.androidDeviceURL(organizationID, deviceID, "/commands/", url.PathEscape(commandID)),
		policy: transport.Idempotent,
		call:   cc,
	}
	ctx, st := s.core.start(ctx, &r)
	w, out, err := do[commandJSON](ctx, s.core, r)
	if err != nil {
		return nil, s.core.end(&st, &r, out, err)
	}
	return w.command(), s.core.end(&st, &r, out, nil)
}

// List returns one page of a device's commands. o selects the page, its
// size and its order; nil leaves all three to the server. A negative Page or
// Limit, or a Sort that does not match [SortPattern], is a
// [*ValidationError] and nothing is sent. The API key needs the
// mdm.android.command.list permission.
//
// Applivery API docs: https://docs.applivery.com/en/api/android/commands/get-organizations-organizationid-mdm-android-enterprise-devices-emmdeviceid-commands/
//
//	GET /organizations/{organizationId}/mdm/android/enterprise/devices/{emmDeviceId}/commands?page=&limit=&sort=
func (s *AndroidCommandsService) List(ctx context.Context, organizationID, deviceID string, o *ListCommandsOptions, opts ...CallOption) (*CommandPage, error) {
	cc, err := callOptions(opts)
	if err != nil {
		return nil, err
	}
	if err := validateDevice(organizationID, deviceID); err != nil {
		return nil, err
	}
	query, err := o.query()
	if err != nil {
		return nil, err
	}
	r := request{
		op:     opCommandsList,
		method: http.MethodGet,
		url:    s.core.androidDeviceURL(organizationID, deviceID, "/commands", query),
		policy: transport.Idempotent,
		call:   cc,
	}
	ctx, st := s.core.start(ctx, &r)
	w, out, err := do[pageJSON[commandJSON]](ctx, s.core, r)
	if err != nil {
		return nil, s.core.end(&st, &r, out, err)
	}
	return commandPage(w), s.core.end(&st, &r, out, nil)
}

// ListAll iterates over all of a device's commands, page after page, from the
// page o names (the first when it names none), with its Limit and Sort. Each
// page is a List call, and opts apply to each: a [WithResponse] describes
// the page whose commands the loop is at.
//
// A page is fetched only when the loop reaches it: breaking out of the loop
// fetches nothing more. Each command is yielded once: one already yielded
// (by its ID) is not yielded again. An error is yielded once, with a nil
// command, and ends the iteration; so does a server whose paging does not
// advance (a next page that is not after the current one or is beyond the
// total it announced, a page that brings no command not already yielded, in
// whatever order, or a next page claimed after an empty one), rather than
// looping for ever.
//
//	for cmd, err := range client.AndroidCommands.ListAll(ctx, org, device, nil) {
//		if err != nil {
//			return err
//		}
//		…
//	}
func (s *AndroidCommandsService) ListAll(ctx context.Context, organizationID, deviceID string, o *ListCommandsOptions, opts ...CallOption) iter.Seq2[*Command, error] {
	lo := optionsOf(o)
	return allPages("commands", lo.Page, func(page int) (*CommandPage, error) {
		q := lo
		q.Page = page
		return s.List(ctx, organizationID, deviceID, &q, opts...)
	}, (*Command).listKey)
}

// Create creates a command on a device and queues it until the device applies
// it, and returns the command as the API answers: PENDING, usually.
//
// A nil req, an empty Type, or a Duration or NewPassword longer than 256
// characters is a [*ValidationError] and nothing is sent. Other Type strings
// than the constants are sent as they are. NewPassword is never logged, and is
// redacted from errors.
//
// Create is not idempotent: a LOCK or RESET_PASSWORD sent twice is worse than
// a failed call. It is retried only when the server surely did not act on it:
// on a 429, and when no connection could be made. Once an attempt may have
// reached the server, every failure of the call matches [ErrOutcomeUnknown]
// (the command may have been created, and List tells) unless the answer says
// the command was not created: a 4xx, 501 or 505. That includes a 5xx, a
// lost answer, a 2xx whose body was cut, malformed or not a success, and the
// context ending while the answer was read. The API key needs the
// mdm.android.command.create permission.
//
// Applivery API docs: https://docs.applivery.com/en/api/android/commands/post-organizations-organizationid-mdm-android-enterprise-devices-emmdeviceid-commands/
//
//	POST /organizations/{organizationId}/mdm/android/enterprise/devices/{emmDeviceId}/commands
func (s *AndroidCommandsService) Create(ctx context.Context, organizationID, deviceID string, req *CreateCommandRequest, opts ...CallOption) (*Command, error) {
	cc, err := callOptions(opts)
	if err != nil {
		return nil, err
	}
	if err := validateDevice(organizationID, deviceID); err != nil {
		return nil, err
	}
	if err := req.validate(); err != nil {
		return nil, err
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("applivery: encoding the command: %w", err) // unreachable: the types always encode
	}
	r := request{
		op:     opCommandsCreate,
		method: http.MethodPost,
		url:    s.core.androidDeviceURL(organizationID, deviceID, "/commands"),
		body:   body,
		policy: transport.NotIdempotent,
		secret: req.NewPassword,
		call:   cc,
	}
	ctx, st := s.core.start(ctx, &r)
	w, out, err := do[commandJSON](ctx, s.core, r)
	if err != nil {
		if out.MayHaveActed {
			err = &outcomeUnknownError{err: err,
				note: "the command may have been created: list the device's commands before creating it again"}
		}
		return nil, s.core.end(&st, &r, out, err)
	}
	return w.command(), s.core.end(&st, &r, out, nil)
}

// Wait polls the command until its status is no longer PENDING, and returns
// it: DONE, CANCEL, or a status the SDK does not know. The caller reads
// cmd.Status.
//
// The first poll is immediate. The waits between polls grow from
// opts.MinInterval, doubling, up to opts.MaxInterval, each shortened by a
// random jitter of up to a quarter, so that many waiters do not poll
// together; a 429's Retry-After is honoured.
//
// Wait uses its whole budget and never sleeps past the context's deadline:
// when the next poll would come after the deadline, it sleeps instead until
// just before it and polls one last time. It leaves that poll a margin for
// its request, a tenth of the time from the call to the deadline and at
// most 1 s: the last poll of a 5 s Wait is at 4.5 s, that of a 1 min one at
// 59 s. (A Retry-After that would end after that last poll's time is
// honoured: Wait polls no more.) When the command is still PENDING at the
// end, or the context is canceled, Wait returns the last command it read
// (nil if no poll succeeded) and an error matching [ErrStillPending] and the
// context's error (context.DeadlineExceeded or context.Canceled) that says
// so: "applivery: command … still PENDING after 5s (3 polls)".
//
// A poll that fails with a transient failure, after the client's own
// retries (no answer, a 429, a 5xx other than 501 and 505, a 2xx whose body
// cannot be read), does not end the wait. Any other error (a
// [*ValidationError], 401, 403, 404, a 2xx that carries an API error code
// such as 3001 or 4004, …) ends it at once and is returned with the last
// command read.
//
// The cost is bounded: the n-th wait (from 0) is at least 3/4 of
// min(MinInterval·2^n, MaxInterval), and the last poll before the deadline
// adds at most one. With the defaults (2 s, 1 min), a command applied after
// 30 s costs at most 6 GETs, one applied after an hour at most 85: 6 polls in
// the first 46.5 s, then waits of at least 45 s. Every poll is a Get, and
// opts apply to each (a [WithResponse] describes the last poll, and OnPoll
// sees it filled): the API key needs the mdm.android.command.get permission.
//
// Applivery API docs: https://docs.applivery.com/en/api/android/commands/get-organizations-organizationid-mdm-android-enterprise-devices-emmdeviceid-commands-emmcommandid/
//
//	GET /organizations/{organizationId}/mdm/android/enterprise/devices/{emmDeviceId}/commands/{emmCommandId}, repeatedly
func (s *AndroidCommandsService) Wait(ctx context.Context, organizationID, deviceID, commandID string, o *WaitOptions, opts ...CallOption) (*Command, error) {
	if _, err := callOptions(opts); err != nil {
		return nil, err
	}
	if err := validateCommand(organizationID, deviceID, commandID); err != nil {
		return nil, err
	}
	minWait, maxWait, err := o.intervals()
	if err != nil {
		return nil, err
	}
	var onPoll func(*Command)
	if o != nil {
		onPoll = o.OnPoll
	}
	return waitFor(ctx, s.core.clock, poll[Command]{
		commandID: commandID,
		minWait:   minWait,
		maxWait:   maxWait,
		get: func(ctx context.Context) (*Command, error) {
			return s.Get(ctx, organizationID, deviceID, commandID, opts...)
		},
		settled: func(cmd *Command) bool { return cmd.Status != CommandStatusPending },
		onPoll:  onPoll,
	})
}

// WaitOptions tunes Wait. A nil *WaitOptions means the defaults.
type WaitOptions struct {
	MinInterval time.Duration  // wait before the second poll; 0 means 2 s. The first poll is immediate
	MaxInterval time.Duration  // longest wait between polls; 0 means 1 min, or MinInterval if that is longer
	OnPoll      func(*Command) // called with the command after every successful poll; nil for none
}

// intervals returns o's bounds of the wait between polls, or refuses them.
func (o *WaitOptions) intervals() (minWait, maxWait time.Duration, err error) {
	if o == nil {
		return pollIntervals(0, 0)
	}
	return pollIntervals(o.MinInterval, o.MaxInterval)
}

// ListCommandsOptions selects a page of a device's commands. A nil
// *ListCommandsOptions, or a zero field, leaves the choice to the server.
type ListCommandsOptions struct {
	Page  int    // 1-based; 0 means the server's default (first page)
	Limit int    // 0 means the server's default
	Sort  string // "field", "field:asc" or "field:desc"; validated against ^[\w.]*((:asc)|(:desc))?$
}

// query encodes o as the query of a List request, or refuses it. A nil o
// and zero fields send nothing.
func (o *ListCommandsOptions) query() (string, error) {
	if o == nil {
		return "", nil
	}
	if err := checkPaging(o.Page, o.Limit, o.Sort); err != nil {
		return "", err
	}
	return encodeQuery(pagingQuery(o.Page, o.Limit, o.Sort)), nil
}

// CreateCommandRequest is a command to create on a device. Type is required;
// the other fields apply to some types only, and unset ones are not sent.
// Send the params object that matches Type: the Android Management API takes
// one per command.
type CreateCommandRequest struct {
	Type               CommandType          `json:"type"`                          // required; any string is sent as is
	Duration           string               `json:"duration,omitempty"`            // how long the command stays valid, as a Google duration such as "3600s"; at most 256 characters
	NewPassword        string               `json:"newPassword,omitempty"`         // for RESET_PASSWORD; at most 256 characters; never logged, and redacted from errors
	ResetPasswordFlags []string             `json:"resetPasswordFlags,omitempty"`  // for RESET_PASSWORD, such as "REQUIRE_ENTRY", "LOCK_NOW"
	StartLostMode      *StartLostModeParams `json:"startLostModeParams,omitempty"` // for START_LOST_MODE
	StopLostMode       *StopLostModeParams  `json:"stopLostModeParams,omitempty"`  // for STOP_LOST_MODE
	ClearAppsData      *ClearAppsDataParams `json:"clearAppsDataParams,omitempty"` // for CLEAR_APP_DATA
	AddEsim            *AddEsimParams       `json:"addEsimParams,omitempty"`       // for ADD_ESIM
	RemoveEsim         *RemoveEsimParams    `json:"removeEsimParams,omitempty"`    // for REMOVE_ESIM
}

// StartLostModeParams are the parameters of START_LOST_MODE: what the locked
// device shows.
type StartLostModeParams struct {
	LostMessage     *UserFacingMessage `json:"lostMessage,omitempty"`
	LostPhoneNumber *UserFacingMessage `json:"lostPhoneNumber,omitempty"`
}

// UserFacingMessage is a text shown on the device, with optional
// translations keyed by locale (such as "es" or "pt-BR").
type UserFacingMessage struct {
	DefaultMessage    string            `json:"defaultMessage,omitempty"`
	LocalizedMessages map[string]string `json:"localizedMessages,omitempty"`
}

// StopLostModeParams are the parameters of STOP_LOST_MODE: there are none,
// and a non-nil value is sent as {}.
type StopLostModeParams struct{}

// ClearAppsDataParams are the parameters of CLEAR_APP_DATA.
type ClearAppsDataParams struct {
	PackageNames []string `json:"packageNames,omitempty"` // such as "com.example.app"
}

// AddEsimParams are the parameters of ADD_ESIM.
type AddEsimParams struct {
	CarrierName    string `json:"carrierName,omitempty"`
	ActivationCode string `json:"activationCode,omitempty"` // such as "LPA:1$carrier.com$activation-code"
}

// RemoveEsimParams are the parameters of REMOVE_ESIM.
type RemoveEsimParams struct {
	ICCID string `json:"iccid,omitempty"`
}

// maxCommandString is the documented limit of duration and newPassword.
const maxCommandString = 256

var tooLong = "must be at most " + strconv.Itoa(maxCommandString) + " characters"

// validate checks r before anything is sent.
func (r *CreateCommandRequest) validate() error {
	switch {
	case r == nil:
		return &ValidationError{Field: "request", Reason: "is nil"}
	case r.Type == "":
		return &ValidationError{Field: "type", Reason: "is required, such as " + string(CommandTypeLock)}
	case utf8.RuneCountInString(r.Duration) > maxCommandString:
		return &ValidationError{Field: "duration", Value: r.Duration, Reason: tooLong}
	case utf8.RuneCountInString(r.NewPassword) > maxCommandString:
		// The password is secret: the error does not quote it.
		return &ValidationError{Field: "newPassword", Reason: tooLong}
	}
	return nil
}
