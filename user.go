package applivery

import (
	"encoding/json"

	"github.com/applivery/applivery-go/internal/jsonscan"
)

// User is an MDM user of an organization as the API returns it: the person
// devices and enrollment tokens are assigned to. The reference documents the
// user by its create page's example only: the fields below are typed, and
// Raw keeps the whole object as it came, byte for byte, to reach the rest
// (managedAppleId, metadata, the per-platform counters, createdAt, …).
//
// Decoding is lenient, as for [Device]: unknown fields are ignored, and a
// field of the wrong type leaves the typed field at its zero value and never
// fails a call. MarshalJSON writes Raw when it is set, the typed fields
// otherwise.
type User struct {
	ID       string          // "id"
	Email    string          // "email"
	Name     string          // "name"
	Tags     []string        // "tags"; nil when absent or not an array of strings
	Language string          // "language", such as "es"
	Raw      json.RawMessage // the whole user object as the API sent it, byte for byte
}

// UserPage is one page of an organization's MDM users. The reference does
// not show the list's answer: the SDK reads it as the other lists', the
// users under "items" and the pagination envelope beside them, whose every
// field is optional (one that is absent or null is 0, or false).
type UserPage struct {
	Items                    []User
	Page, Limit              int
	TotalDocs, TotalPages    int
	HasNextPage, HasPrevPage bool
	NextPage, PrevPage       int // 0 when null or absent
}

// userJSON is the typed part of an MDM user on the wire.
type userJSON struct {
	ID       string   `json:"id,omitempty"`
	Email    string   `json:"email,omitempty"`
	Name     string   `json:"name,omitempty"`
	Tags     []string `json:"tags,omitempty"`
	Language string   `json:"language,omitempty"`
}

// userModelObject walks an MDM user (userObject walks a device's).
var userModelObject = jsonscan.For[User]()

// UnmarshalJSON decodes an MDM user leniently and keeps b in Raw. Only JSON
// that is not well formed, or is not an object, is an error; null leaves u
// as it is.
func (u *User) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var w User
	err := userModelObject.EachMember(b, func(name string, value []byte) {
		switch name {
		case "id":
			w.ID = jsonscan.String(value)
		case "email":
			w.Email = jsonscan.String(value)
		case "name":
			w.Name = jsonscan.String(value)
		case "tags":
			w.Tags = jsonscan.Strings(value)
		case "language":
			w.Language = jsonscan.String(value)
		}
	})
	if err != nil {
		return err
	}
	w.Raw = append(json.RawMessage(nil), b...)
	*u = w
	return nil
}

// MarshalJSON writes u.Raw when it is set, and the typed fields otherwise
// (empty ones left out).
func (u User) MarshalJSON() ([]byte, error) {
	if len(u.Raw) > 0 {
		return u.Raw, nil
	}
	return json.Marshal(userJSON{ID: u.ID, Email: u.Email, Name: u.Name, Tags: u.Tags, Language: u.Language})
}

// listKey identifies the user within a list, for ListAll: by its ID, or by
// all of it when it has none.
func (u *User) listKey() string { return rawKey(u.ID, u.Raw) }
