package applivery

import (
	"encoding/json"
	"errors"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/applivery/applivery-go/internal/jsonscan"
)

// Command is an Android Enterprise device command as the API returns it.
//
// Decoding is lenient and lossless: unknown fields are ignored, an unknown
// status or type string is kept as it came, and an optional field that does
// not parse (such as the documented example timestamp "2026-02-10T14: 30:00Z")
// leaves its zero value instead of failing a call the server carried out.
// MarshalJSON writes the API's own shape, so a Command can be passed on as
// JSON.
type Command struct {
	ID            string          // "id", 24 hex digits
	Organization  string          // "organization"
	EMMEnterprise string          // "emmEnterprise"
	MDMUser       string          // "mdmUser"
	Status        CommandStatus   // "status"
	Config        CommandConfig   // "config"
	RawConfig     json.RawMessage // "_config", the raw Android Management API operation, kept byte for byte
	UpdatedAt     time.Time       // "updatedAt"; zero when absent or unparsable
	CreatedAt     time.Time       // "createdAt"; zero when absent or unparsable
}

// Type returns the command's type, c.Config.Metadata.Type.
func (c *Command) Type() CommandType { return c.Config.Metadata.Type }

// CommandStatus is the execution state of a command. The API may add states:
// an unknown one is kept as it came.
type CommandStatus string

// Documented command states.
const (
	CommandStatusPending  CommandStatus = "PENDING" // queued, not yet applied: it can be canceled
	CommandStatusDone     CommandStatus = "DONE"    // applied to the device
	CommandStatusCanceled CommandStatus = "CANCEL"  // canceled before it was applied
)

// CommandConfig is Applivery's view of the command: the Android Management API
// command in Metadata, and whether it has completed.
type CommandConfig struct {
	Metadata CommandMetadata `json:"metadata"`
	Done     bool            `json:"done"`
}

// CommandMetadata describes the Android Management API command. Times and
// durations are kept as sent.
type CommandMetadata struct {
	TypeURL    string      `json:"@type,omitempty"`      // "@type"
	Type       CommandType `json:"type,omitempty"`       // e.g. LOCK
	CreateTime string      `json:"createTime,omitempty"` // as sent
	Duration   string      `json:"duration,omitempty"`   // as sent, e.g. "3600s"
	UserName   string      `json:"userName,omitempty"`
}

// CommandType is the management action a command runs. The API may add types:
// an unknown one is kept as it came, and any string can be sent.
type CommandType string

// Documented command types.
const (
	CommandTypeLock                CommandType = "LOCK"
	CommandTypeResetPassword       CommandType = "RESET_PASSWORD"
	CommandTypeReboot              CommandType = "REBOOT"
	CommandTypeStartLostMode       CommandType = "START_LOST_MODE"
	CommandTypeStopLostMode        CommandType = "STOP_LOST_MODE"
	CommandTypeRelinquishOwnership CommandType = "RELINQUISH_OWNERSHIP"
	CommandTypeAddEsim             CommandType = "ADD_ESIM"
	CommandTypeRemoveEsim          CommandType = "REMOVE_ESIM"
	CommandTypeClearAppData        CommandType = "CLEAR_APP_DATA"
)

// commandJSON is a Command on the wire. It is decoded in the same pass as the
// envelope around it, so a response body is parsed once.
type commandJSON struct {
	ID            string          `json:"id,omitempty"`
	Organization  string          `json:"organization,omitempty"`
	EMMEnterprise string          `json:"emmEnterprise,omitempty"`
	MDMUser       string          `json:"mdmUser,omitempty"`
	Status        CommandStatus   `json:"status,omitempty"`
	Config        CommandConfig   `json:"config"`
	RawConfig     json.RawMessage `json:"_config,omitempty"`
	UpdatedAt     wireTime        `json:"updatedAt"`
	CreatedAt     wireTime        `json:"createdAt"`
}

func (w *commandJSON) command() *Command {
	return &Command{
		ID:            w.ID,
		Organization:  w.Organization,
		EMMEnterprise: w.EMMEnterprise,
		MDMUser:       w.MDMUser,
		Status:        w.Status,
		Config:        w.Config,
		RawConfig:     w.RawConfig,
		UpdatedAt:     time.Time(w.UpdatedAt),
		CreatedAt:     time.Time(w.CreatedAt),
	}
}

// UnmarshalJSON decodes a command record leniently (see [Command]). Only JSON
// that is not well formed, or is not an object, is an error; null leaves c as
// it is.
func (c *Command) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var w commandJSON
	if err := json.Unmarshal(b, &w); err != nil {
		var te *json.UnmarshalTypeError
		if !errors.As(err, &te) || te.Field == "" {
			return err // malformed, or not an object at all
		}
	}
	*c = *w.command()
	return nil
}

// MarshalJSON encodes c in the API's shape. Empty strings and an empty
// RawConfig are left out, zero times are null.
func (c Command) MarshalJSON() ([]byte, error) {
	return json.Marshal(commandJSON{
		ID:            c.ID,
		Organization:  c.Organization,
		EMMEnterprise: c.EMMEnterprise,
		MDMUser:       c.MDMUser,
		Status:        c.Status,
		Config:        c.Config,
		RawConfig:     c.RawConfig,
		UpdatedAt:     wireTime(c.UpdatedAt),
		CreatedAt:     wireTime(c.CreatedAt),
	})
}

// wireTime is an RFC 3339 timestamp that decodes leniently: anything that is
// not a valid RFC 3339 string leaves the zero time.
type wireTime time.Time

func (t *wireTime) UnmarshalJSON(b []byte) error {
	*t = wireTime{}
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' || !rfc3339Shape(b[1:len(b)-1]) {
		return nil
	}
	if v, err := time.Parse(time.RFC3339Nano, string(b[1:len(b)-1])); err == nil {
		*t = wireTime(v)
	}
	return nil
}

// rfc3339Shape reports whether s could be a timestamp that time.Parse
// accepts for RFC 3339: "2006-01-02T15:04:05[.999999999](Z|±07:00)" with
// digits and separators in their places (Go takes an hour of one digit, and a
// comma before the fraction). time.Parse settles the rest; this check spares
// it strings it would refuse anyway, such as the documented
// "2026-02-10T14: 30:00Z", for which it allocates an error each time.
// FuzzWireTime checks that it refuses nothing time.Parse accepts.
func rfc3339Shape(s []byte) bool {
	s, ok := expect(s, "dddd-dd-ddT")
	if !ok {
		return false
	}
	if len(s) > 1 && isDigit(s[1]) { // a two-digit hour
		s = s[1:]
	}
	if s, ok = expect(s, "d:dd:dd"); !ok || len(s) == 0 {
		return false
	}
	if s[0] == '.' || s[0] == ',' {
		i := 1
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		if i == 1 {
			return false
		}
		s = s[i:]
	}
	switch len(s) {
	case 1:
		return s[0] == 'Z' || s[0] == 'z'
	case 6:
		_, ok = expect(s[1:], "dd:dd")
		return ok && (s[0] == '+' || s[0] == '-')
	}
	return false
}

// expect matches the start of s against pattern, where 'd' is any digit and
// 'T' is T or t, and returns the rest of s.
func expect(s []byte, pattern string) ([]byte, bool) {
	if len(s) < len(pattern) {
		return s, false
	}
	for i := range len(pattern) {
		switch c := s[i]; pattern[i] {
		case 'd':
			if !isDigit(c) {
				return s, false
			}
		case 'T':
			if c != 'T' && c != 't' {
				return s, false
			}
		default:
			if c != pattern[i] {
				return s, false
			}
		}
	}
	return s[len(pattern):], true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func (t wireTime) MarshalJSON() ([]byte, error) {
	if time.Time(t).IsZero() {
		return []byte("null"), nil
	}
	return time.Time(t).MarshalJSON()
}

// ListCommandsOptions selects a page of a device's commands. A nil
// *ListCommandsOptions, or a zero field, leaves the choice to the server.
type ListCommandsOptions struct {
	Page  int    // 1-based; 0 means the server's default (first page)
	Limit int    // 0 means the server's default
	Sort  string // "field", "field:asc" or "field:desc"; validated against ^[\w.]*((:asc)|(:desc))?$
}

// CommandPage is one page of a device's commands. Every field of the API's
// pagination envelope is optional: one that is absent or null is 0 (or false).
type CommandPage struct {
	Items       []Command
	Page        int
	Limit       int
	TotalDocs   int
	TotalPages  int
	HasNextPage bool
	HasPrevPage bool
	NextPage    int // 0 when the server sends null or nothing
	PrevPage    int // 0 when the server sends null or nothing
}

// pageJSON is a CommandPage on the wire.
type pageJSON struct {
	Items       []commandJSON `json:"items"`
	Page        int           `json:"page"`
	Limit       int           `json:"limit"`
	TotalDocs   int           `json:"totalDocs"`
	TotalPages  int           `json:"totalPages"`
	HasNextPage bool          `json:"hasNextPage"`
	HasPrevPage bool          `json:"hasPrevPage"`
	NextPage    int           `json:"nextPage"`
	PrevPage    int           `json:"prevPage"`
}

func (w *pageJSON) page() *CommandPage {
	p := &CommandPage{
		Items:       make([]Command, len(w.Items)),
		Page:        w.Page,
		Limit:       w.Limit,
		TotalDocs:   w.TotalDocs,
		TotalPages:  w.TotalPages,
		HasNextPage: w.HasNextPage,
		HasPrevPage: w.HasPrevPage,
		NextPage:    w.NextPage,
		PrevPage:    w.PrevPage,
	}
	for i := range w.Items {
		p.Items[i] = *w.Items[i].command()
	}
	return p
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

// Device is an Android Enterprise device as the API returns it. The API's
// device object is large (a policy with its whole configuration, assets,
// agent settings, …): the documented fields are typed, and Raw keeps the
// whole object as it came, byte for byte, to reach the rest.
//
// Decoding is lenient, as for [Command]: a field of the wrong type, a null
// mdmUser or deviceEmmPolicy, or a date that does not parse leaves the typed
// field at its zero value and never fails a call. MarshalJSON writes Raw when
// it is set, the typed fields otherwise.
type Device struct {
	ID            string          // "id", 24 hex digits
	Organization  string          // "organization"
	EMMEnterprise string          // "emmEnterprise"
	MDMUser       *DeviceUser     // "mdmUser"; nil when absent or null
	Policy        *DevicePolicy   // "deviceEmmPolicy"; nil when absent or null
	UpdatedAt     time.Time       // "updatedAt"; zero when absent or unparsable
	CreatedAt     time.Time       // "createdAt"; zero when absent or unparsable
	Raw           json.RawMessage // the whole device object as the API sent it, byte for byte
}

// DeviceUser is the MDM user a device belongs to.
type DeviceUser struct {
	ID    string `json:"id,omitempty"`
	Email string `json:"email,omitempty"`
}

// DevicePolicy is the policy a device runs under; its configuration is in
// the device's Raw, under "deviceEmmPolicy".
type DevicePolicy struct {
	ID          string `json:"id,omitempty"`
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
	Version     string `json:"version,omitempty"`
}

// deviceJSON is the typed part of a device on the wire.
type deviceJSON struct {
	ID            string        `json:"id,omitempty"`
	Organization  string        `json:"organization,omitempty"`
	EMMEnterprise string        `json:"emmEnterprise,omitempty"`
	MDMUser       *DeviceUser   `json:"mdmUser,omitempty"`
	Policy        *DevicePolicy `json:"deviceEmmPolicy,omitempty"`
	UpdatedAt     wireTime      `json:"updatedAt"`
	CreatedAt     wireTime      `json:"createdAt"`
}

// UnmarshalJSON decodes a device leniently and keeps b in Raw. Only JSON
// that is not well formed, or is not an object, is an error; null leaves d
// as it is.
//
// Devices are large, and most of one is what the SDK does not type (a
// policy's whole configuration): rather than decode the object, it walks its
// members and decodes only the few it types, so a page of devices costs
// about one scan more than plain encoding/json, not twice as much.
func (d *Device) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var w Device
	err := deviceObject.EachMember(b, func(name string, value []byte) {
		switch name {
		case "id":
			w.ID = jsonscan.String(value)
		case "organization":
			w.Organization = jsonscan.String(value)
		case "emmEnterprise":
			w.EMMEnterprise = jsonscan.String(value)
		case "mdmUser":
			w.MDMUser = decodeUser(value)
		case "deviceEmmPolicy":
			w.Policy = decodePolicy(value)
		case "updatedAt":
			var t wireTime
			_ = t.UnmarshalJSON(value)
			w.UpdatedAt = time.Time(t)
		case "createdAt":
			var t wireTime
			_ = t.UnmarshalJSON(value)
			w.CreatedAt = time.Time(t)
		}
	})
	if err != nil {
		return err
	}
	w.Raw = append(json.RawMessage(nil), b...)
	*d = w
	return nil
}

// The walkers of a device and of the objects inside it that it types: a
// value that is not an object is reported as a type error that names them.
var (
	deviceObject = jsonscan.For[Device]()
	userObject   = jsonscan.For[DeviceUser]()
	policyObject = jsonscan.For[DevicePolicy]()
)

// decodeUser decodes a device's mdmUser: nil unless it is an object.
func decodeUser(v []byte) *DeviceUser {
	if !jsonscan.IsObject(v) {
		return nil
	}
	u := &DeviceUser{}
	_ = userObject.EachMember(v, func(name string, value []byte) {
		switch name {
		case "id":
			u.ID = jsonscan.String(value)
		case "email":
			u.Email = jsonscan.String(value)
		}
	})
	return u
}

// decodePolicy decodes a device's deviceEmmPolicy, whose configuration it
// skips: nil unless it is an object.
func decodePolicy(v []byte) *DevicePolicy {
	if !jsonscan.IsObject(v) {
		return nil
	}
	p := &DevicePolicy{}
	_ = policyObject.EachMember(v, func(name string, value []byte) {
		switch name {
		case "id":
			p.ID = jsonscan.String(value)
		case "name":
			p.Name = jsonscan.String(value)
		case "description":
			p.Description = jsonscan.String(value)
		case "version":
			p.Version = jsonscan.String(value)
		}
	})
	return p
}

// MarshalJSON writes d.Raw when it is set, and the typed fields otherwise
// (empty ones left out, zero times null).
func (d Device) MarshalJSON() ([]byte, error) {
	if len(d.Raw) > 0 {
		return d.Raw, nil
	}
	return json.Marshal(deviceJSON{
		ID:            d.ID,
		Organization:  d.Organization,
		EMMEnterprise: d.EMMEnterprise,
		MDMUser:       d.MDMUser,
		Policy:        d.Policy,
		UpdatedAt:     wireTime(d.UpdatedAt),
		CreatedAt:     wireTime(d.CreatedAt),
	})
}

// listKey identifies the device within a list, for ListAll: by its ID, or
// by all of it when it has none.
func (d *Device) listKey() string {
	if d.ID != "" {
		return d.ID
	}
	h := newItemHash()
	hashAdd(&h, d.Raw)
	return h.key()
}

// DevicePage is one page of an organization's devices. Every field of the
// API's pagination envelope is optional: one that is absent or null is 0 (or
// false).
type DevicePage struct {
	Items                    []Device
	Page, Limit              int
	TotalDocs, TotalPages    int
	HasNextPage, HasPrevPage bool
	NextPage, PrevPage       int // 0 when null or absent
}

// devicePageJSON is a DevicePage on the wire.
type devicePageJSON struct {
	Items       []Device `json:"items"`
	Page        int      `json:"page"`
	Limit       int      `json:"limit"`
	TotalDocs   int      `json:"totalDocs"`
	TotalPages  int      `json:"totalPages"`
	HasNextPage bool     `json:"hasNextPage"`
	HasPrevPage bool     `json:"hasPrevPage"`
	NextPage    int      `json:"nextPage"`
	PrevPage    int      `json:"prevPage"`
}

func (w *devicePageJSON) page() *DevicePage {
	items := w.Items
	if items == nil {
		items = []Device{}
	}
	return &DevicePage{
		Items: items, Page: w.Page, Limit: w.Limit, TotalDocs: w.TotalDocs, TotalPages: w.TotalPages,
		HasNextPage: w.HasNextPage, HasPrevPage: w.HasPrevPage, NextPage: w.NextPage, PrevPage: w.PrevPage,
	}
}
