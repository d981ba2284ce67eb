package applivery

import (
	"encoding/json"
	"time"

	"github.com/applivery/applivery-go/internal/jsonscan"
)

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
func (d *Device) listKey() string { return rawKey(d.ID, d.Raw) }

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
