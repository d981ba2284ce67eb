package applivery

import (
	"encoding/json"
	"time"

	"github.com/applivery/applivery-go/internal/jsonscan"
)

// AppleDevice is an Apple (ADM) device as the API returns it: an iPhone,
// iPad, Mac or Apple TV of the organization. The reference documents the
// device object only by the names and types of its members, and its copy is
// cut short: the fields below are typed, and Raw keeps the whole object as
// it came, byte for byte, to reach the rest (state, info, summary, policy,
// profiles, …). UpdatedAt and CreatedAt are not on the reference's cut list:
// they are the SDK's reading of the API's other objects, and zero when
// absent.
//
// Decoding is lenient, as for [Device]: unknown fields are ignored, and a
// field of the wrong type, a null mdmUser, a tags array that is not all
// strings, or a date that does not parse (the reference's own examples have
// dates like "2026-02-10T12: 01:00Z") leaves the typed field at its zero
// value and never fails a call. Type and SubType are kept as sent.
// MarshalJSON writes Raw when it is set, the typed fields otherwise.
type AppleDevice struct {
	ID           string          // "id", 24 hex digits
	Organization string          // "organization"
	DisplayName  string          // "displayName"
	Tags         []string        // "tags"; nil when absent or not an array of strings
	Type         string          // "type"
	SubType      string          // "subType"
	MDMUser      *DeviceUser     // "mdmUser"; nil when absent or null
	UpdatedAt    time.Time       // "updatedAt"; zero when absent or unparsable
	CreatedAt    time.Time       // "createdAt"; zero when absent or unparsable
	Raw          json.RawMessage // the whole device object as the API sent it, byte for byte
}

// appleDeviceJSON is the typed part of an Apple device on the wire.
type appleDeviceJSON struct {
	ID           string      `json:"id,omitempty"`
	Organization string      `json:"organization,omitempty"`
	DisplayName  string      `json:"displayName,omitempty"`
	Tags         []string    `json:"tags,omitempty"`
	Type         string      `json:"type,omitempty"`
	SubType      string      `json:"subType,omitempty"`
	MDMUser      *DeviceUser `json:"mdmUser,omitempty"`
	UpdatedAt    wireTime    `json:"updatedAt"`
	CreatedAt    wireTime    `json:"createdAt"`
}

// appleDeviceObject walks an Apple device.
var appleDeviceObject = jsonscan.For[AppleDevice]()

// UnmarshalJSON decodes an Apple device leniently and keeps b in Raw. Only
// JSON that is not well formed, or is not an object, is an error; null
// leaves d as it is. Like [Device], it walks the object's members and
// decodes only those it types.
func (d *AppleDevice) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var w AppleDevice
	err := appleDeviceObject.EachMember(b, func(name string, value []byte) {
		switch name {
		case "id":
			w.ID = jsonscan.String(value)
		case "organization":
			w.Organization = jsonscan.String(value)
		case "displayName":
			w.DisplayName = jsonscan.String(value)
		case "tags":
			w.Tags = jsonscan.Strings(value)
		case "type":
			w.Type = jsonscan.String(value)
		case "subType":
			w.SubType = jsonscan.String(value)
		case "mdmUser":
			w.MDMUser = decodeUser(value)
		case "updatedAt":
			w.UpdatedAt = timeOf(value)
		case "createdAt":
			w.CreatedAt = timeOf(value)
		}
	})
	if err != nil {
		return err
	}
	w.Raw = append(json.RawMessage(nil), b...)
	*d = w
	return nil
}

// MarshalJSON writes d.Raw when it is set, and the typed fields otherwise
// (empty ones left out, zero times null).
func (d AppleDevice) MarshalJSON() ([]byte, error) {
	if len(d.Raw) > 0 {
		return d.Raw, nil
	}
	return json.Marshal(appleDeviceJSON{
		ID:           d.ID,
		Organization: d.Organization,
		DisplayName:  d.DisplayName,
		Tags:         d.Tags,
		Type:         d.Type,
		SubType:      d.SubType,
		MDMUser:      d.MDMUser,
		UpdatedAt:    wireTime(d.UpdatedAt),
		CreatedAt:    wireTime(d.CreatedAt),
	})
}

// listKey identifies the device within a list, for ListAll: by its ID, or
// by all of it when it has none.
func (d *AppleDevice) listKey() string { return rawKey(d.ID, d.Raw) }

// AppleDevicePage is one page of an organization's Apple devices. The
// reference documents only the page's items: the SDK reads its pagination
// envelope as the other lists', whose every field is optional (one that is
// absent or null is 0, or false).
type AppleDevicePage struct {
	Items                    []AppleDevice
	Page, Limit              int
	TotalDocs, TotalPages    int
	HasNextPage, HasPrevPage bool
	NextPage, PrevPage       int // 0 when null or absent
}
