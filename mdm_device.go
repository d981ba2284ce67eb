package applivery

import (
	"encoding/json"

	"github.com/applivery/applivery-go/internal/jsonscan"
)

// MDMDevice is a device of the cross-platform list, on any platform: an
// enrolled device or a pending enrollment. The reference documents few of
// its fields (and only on a staging copy): those are typed, and Raw keeps
// the whole object as it came, byte for byte, to reach the rest, such as a
// serial number.
//
// Decoding is lenient, as for [Device]: unknown fields are ignored, and a
// field of the wrong type leaves the typed field at its zero value and never
// fails a call. Type, SubType and State are kept as sent, including values
// the reference does not list. MarshalJSON writes Raw when it is set, the
// typed fields otherwise.
type MDMDevice struct {
	ID           string          // "id", 24 hex digits
	Type         string          // "type": "android", "apple" or "windows"
	SubType      string          // "subType": "device" or "enrollment"
	State        string          // "state"
	Organization string          // "organization"
	Raw          json.RawMessage // the whole object as the API sent it, byte for byte
}

// mdmDeviceJSON is the typed part of a cross-platform device on the wire.
type mdmDeviceJSON struct {
	ID           string `json:"id,omitempty"`
	Type         string `json:"type,omitempty"`
	SubType      string `json:"subType,omitempty"`
	State        string `json:"state,omitempty"`
	Organization string `json:"organization,omitempty"`
}

// mdmDeviceObject walks a cross-platform device.
var mdmDeviceObject = jsonscan.For[MDMDevice]()

// UnmarshalJSON decodes a device leniently and keeps b in Raw. Only JSON
// that is not well formed, or is not an object, is an error; null leaves d
// as it is.
func (d *MDMDevice) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var w MDMDevice
	err := mdmDeviceObject.EachMember(b, func(name string, value []byte) {
		switch name {
		case "id":
			w.ID = jsonscan.String(value)
		case "type":
			w.Type = jsonscan.String(value)
		case "subType":
			w.SubType = jsonscan.String(value)
		case "state":
			w.State = jsonscan.String(value)
		case "organization":
			w.Organization = jsonscan.String(value)
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
// (empty ones left out).
func (d MDMDevice) MarshalJSON() ([]byte, error) {
	if len(d.Raw) > 0 {
		return d.Raw, nil
	}
	return json.Marshal(mdmDeviceJSON{ID: d.ID, Type: d.Type, SubType: d.SubType, State: d.State, Organization: d.Organization})
}

// listKey identifies the device within a list, for ListAll: by its ID, or
// by all of it when it has none.
func (d *MDMDevice) listKey() string { return rawKey(d.ID, d.Raw) }

// MDMDevicePage is one page of an organization's devices on every platform.
// The reference does not show this list's pagination envelope: the SDK reads
// it as the other lists', whose every field is optional (one that is absent
// or null is 0, or false).
type MDMDevicePage struct {
	Items                    []MDMDevice
	Page, Limit              int
	TotalDocs, TotalPages    int
	HasNextPage, HasPrevPage bool
	NextPage, PrevPage       int // 0 when null or absent
}
