package applivery

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/applivery/applivery-go/internal/jsonscan"
)

// AppleTargetType is what an Apple command applies to: a device or a device
// user. The API documents these two values, and the SDK sends no other.
type AppleTargetType string

// The documented target types.
const (
	AppleTargetDevice     AppleTargetType = "device"
	AppleTargetDeviceUser AppleTargetType = "deviceUser"
)

// AppleCommand is an Apple MDM command record as the API returns it: one
// command for one target.
//
// The reference documents the record's fields but few of their values (only
// the status Pending, and the request types DeviceLock and
// DeviceInformation). Decoding is lenient and lossless: unknown fields are
// ignored, a field of the wrong type leaves its zero value, statuses and
// request types are kept as sent, and a timestamp that does not parse (the
// reference's own example has "2026-02-10T12: 01:00Z") is the zero time
// instead of failing a call the server carried out. Raw keeps the whole
// record, byte for byte; MarshalJSON writes it back.
type AppleCommand struct {
	ID           string             // "id", 24 hex digits
	Organization string             // "organization"
	TargetType   AppleTargetType    // "targetType"
	TargetID     string             // "targetId"
	UUID         string             // "UUID", Apple's command UUID
	Status       AppleCommandStatus // "status", kept as sent
	RequestType  string             // "command"."RequestType"
	GroupName    string             // "groupName"
	NumTries     int                // "numTries"
	SentAt       time.Time          // "sentAt"; zero when absent or unparsable
	ReceivedAt   time.Time          // "receivedAt"; zero when absent or unparsable
	TriedAt      time.Time          // "triedAt"; zero when absent or unparsable
	CanceledAt   time.Time          // "canceledAt"; zero when absent or unparsable
	CreatedAt    time.Time          // "createdAt"; zero when absent or unparsable
	UpdatedAt    time.Time          // "updatedAt"; zero when absent or unparsable
	Command      json.RawMessage    // "command", Apple's command payload, byte for byte
	Data         json.RawMessage    // "data": the target's answer, byte for byte
	Raw          json.RawMessage    // the whole record as the API sent it, byte for byte
}

// AppleCommandStatus is the state of an Apple command. The reference
// documents only Pending; the other constants are the SDK's reading of the
// cancel page ("pending or tried") and of Apple's MDM protocol, whose
// answers are Acknowledged, Error, CommandFormatError, Idle and NotNow. Any
// other status is kept as it came.
type AppleCommandStatus string

// Apple command states: Pending is documented, the others are the SDK's
// reading.
const (
	AppleCommandStatusPending            AppleCommandStatus = "Pending"            // queued, not yet sent or answered; documented
	AppleCommandStatusTried              AppleCommandStatus = "Tried"              // sent, to be tried again; it can still be canceled
	AppleCommandStatusNotNow             AppleCommandStatus = "NotNow"             // the device answered NotNow: it will be sent again
	AppleCommandStatusAcknowledged       AppleCommandStatus = "Acknowledged"       // the device applied it
	AppleCommandStatusError              AppleCommandStatus = "Error"              // the device answered with an error
	AppleCommandStatusCommandFormatError AppleCommandStatus = "CommandFormatError" // the device could not read it
	AppleCommandStatusCanceled           AppleCommandStatus = "Canceled"           // canceled before it was applied
)

// pending reports whether a wait keeps polling a command in status s.
func (s AppleCommandStatus) pending() bool {
	return s == AppleCommandStatusPending || s == AppleCommandStatusTried || s == AppleCommandStatusNotNow
}

// canceled reports whether c reads as canceled (its status is Canceled or
// its CanceledAt is set), and when: CanceledAt, or UpdatedAt when that is
// zero.
func (c *AppleCommand) canceled() (bool, time.Time) {
	if c.Status != AppleCommandStatusCanceled && c.CanceledAt.IsZero() {
		return false, time.Time{}
	}
	if !c.CanceledAt.IsZero() {
		return true, c.CanceledAt
	}
	return true, c.UpdatedAt
}

// appleCommandObject walks an Apple command record.
var appleCommandObject = jsonscan.For[AppleCommand]()

// UnmarshalJSON decodes a command record leniently (see [AppleCommand]) and
// keeps b in Raw. Only JSON that is not well formed, or is not an object, is
// an error; null leaves c as it is.
func (c *AppleCommand) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var w AppleCommand
	err := appleCommandObject.EachMember(b, func(name string, value []byte) {
		switch name {
		case "id":
			w.ID = jsonscan.String(value)
		case "organization":
			w.Organization = jsonscan.String(value)
		case "targetType":
			w.TargetType = AppleTargetType(jsonscan.String(value))
		case "targetId":
			w.TargetID = jsonscan.String(value)
		case "UUID":
			w.UUID = jsonscan.String(value)
		case "status":
			w.Status = AppleCommandStatus(jsonscan.String(value))
		case "groupName":
			w.GroupName = jsonscan.String(value)
		case "numTries":
			if n, err := strconv.Atoi(string(value)); err == nil {
				w.NumTries = n
			}
		case "command":
			w.Command = append(json.RawMessage(nil), value...)
			if jsonscan.IsObject(value) {
				// Member names match exactly, as everywhere in the record.
				_ = appleCommandObject.EachMember(value, func(name string, v []byte) {
					if name == "RequestType" {
						w.RequestType = jsonscan.String(v)
					}
				})
			}
		case "data":
			w.Data = append(json.RawMessage(nil), value...)
		case "sentAt":
			w.SentAt = timeOf(value)
		case "receivedAt":
			w.ReceivedAt = timeOf(value)
		case "triedAt":
			w.TriedAt = timeOf(value)
		case "canceledAt":
			w.CanceledAt = timeOf(value)
		case "createdAt":
			w.CreatedAt = timeOf(value)
		case "updatedAt":
			w.UpdatedAt = timeOf(value)
		}
	})
	if err != nil {
		return err
	}
	w.Raw = append(json.RawMessage(nil), b...)
	*c = w
	return nil
}

// MarshalJSON writes c.Raw when it is set, and the typed fields in the API's
// shape otherwise (empty ones left out, zero times null).
func (c AppleCommand) MarshalJSON() ([]byte, error) {
	if len(c.Raw) > 0 {
		return c.Raw, nil
	}
	command := c.Command
	if len(command) == 0 && c.RequestType != "" {
		command, _ = json.Marshal(map[string]string{"RequestType": c.RequestType})
	}
	return json.Marshal(struct {
		ID           string             `json:"id,omitempty"`
		Organization string             `json:"organization,omitempty"`
		TargetType   AppleTargetType    `json:"targetType,omitempty"`
		TargetID     string             `json:"targetId,omitempty"`
		UUID         string             `json:"UUID,omitempty"`
		Status       AppleCommandStatus `json:"status,omitempty"`
		Command      json.RawMessage    `json:"command,omitempty"`
		Data         json.RawMessage    `json:"data,omitempty"`
		GroupName    string             `json:"groupName,omitempty"`
		NumTries     int                `json:"numTries,omitempty"`
		SentAt       wireTime           `json:"sentAt"`
		ReceivedAt   wireTime           `json:"receivedAt"`
		TriedAt      wireTime           `json:"triedAt"`
		CanceledAt   wireTime           `json:"canceledAt"`
		CreatedAt    wireTime           `json:"createdAt"`
		UpdatedAt    wireTime           `json:"updatedAt"`
	}{c.ID, c.Organization, c.TargetType, c.TargetID, c.UUID, c.Status, command, c.Data, c.GroupName, c.NumTries,
		wireTime(c.SentAt), wireTime(c.ReceivedAt), wireTime(c.TriedAt), wireTime(c.CanceledAt), wireTime(c.CreatedAt), wireTime(c.UpdatedAt)})
}
