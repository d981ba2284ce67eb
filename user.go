package applivery

import (
	"encoding/json"
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
