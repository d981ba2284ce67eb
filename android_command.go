package applivery

import (
	"encoding/json"
	"errors"
	"strconv"
	"time"
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

// listKey identifies the command within a list, for ListAll: by its ID, or
// by what does not change for a server that sends none.
func (c *Command) listKey() string {
	if c.ID != "" {
		return c.ID
	}
	h := newItemHash()
	hashAdd(&h, c.RawConfig)
	var b [20]byte
	hashAdd(&h, strconv.AppendInt(b[:0], c.CreatedAt.UnixNano(), 10))
	return h.key()
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

// commandPage returns the CommandPage of w.
func commandPage(w *pageJSON[commandJSON]) *CommandPage {
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
