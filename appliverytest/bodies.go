package appliverytest

import (
	"bytes"
	"encoding/json"
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"unicode/utf8"
)

// The checks of request bodies, as the API's validation makes them: a body
// that fails one answers 400 with code 5209. An object names the members it
// documents; a member is the check of one value.

// member reports whether a value of a request body is as documented. A null
// is no value: every member refuses it, as the API's validation does for a
// member it does not mark as nullable.
type member func(v json.RawMessage) bool

// object is the members the reference documents for a JSON object of a
// request body, and those it requires. A member it does not name passes
// unchecked: the reference's bodies are cut short and allow more than they
// show.
type object struct {
	members  map[string]member
	required []string
}

// read decodes b as a JSON object and reports whether it is one that o
// accepts: every required member present, every member o names valid.
func (o object) read(b []byte) (map[string]json.RawMessage, bool) {
	var m map[string]json.RawMessage
	if json.Unmarshal(b, &m) != nil || m == nil {
		return nil, false
	}
	return m, o.valid(m)
}

// valid reports whether the members of an object are as o documents them.
func (o object) valid(m map[string]json.RawMessage) bool {
	for _, name := range o.required {
		if _, ok := m[name]; !ok {
			return false
		}
	}
	for name, v := range m {
		if check, ok := o.members[name]; ok && !check(v) {
			return false
		}
	}
	return true
}

// kind returns the first byte of a JSON value, which tells its kind: '"',
// '{', '[', 't', 'f', 'n', or a digit or '-'.
func kind(v json.RawMessage) byte {
	v = bytes.TrimSpace(v)
	if len(v) == 0 {
		return 0
	}
	return v[0]
}

// text returns the string a JSON value holds, and whether it is a string.
func text(v json.RawMessage) (string, bool) {
	var s string
	return s, kind(v) == '"' && json.Unmarshal(v, &s) == nil
}

// str is a non-empty string of at most max characters; 0 bounds nothing.
// The API validates its bodies with Joi, whose strings refuse "" unless a
// schema allows it, which none of the reference's does.
func str(max int) member {
	return func(v json.RawMessage) bool {
		s, ok := text(v)
		return ok && s != "" && (max == 0 || utf8.RuneCountInString(s) <= max)
	}
}

// matching is a string that matches re.
func matching(re *regexp.Regexp) member {
	return func(v json.RawMessage) bool {
		s, ok := text(v)
		return ok && re.MatchString(s)
	}
}

// oneOf is a string among values.
func oneOf(values ...string) member {
	return func(v json.RawMessage) bool {
		s, ok := text(v)
		return ok && slices.Contains(values, s)
	}
}

// email is a string that is one e-mail address, without a display name.
func email(v json.RawMessage) bool {
	s, ok := text(v)
	if !ok || utf8.RuneCountInString(s) > 256 {
		return false
	}
	addr, err := mail.ParseAddress(s)
	return err == nil && addr.Name == "" && addr.Address == s
}

// boolean is true or false.
func boolean(v json.RawMessage) bool {
	s := string(bytes.TrimSpace(v))
	return s == "true" || s == "false"
}

// integer is a whole number from lo to hi.
func integer(lo, hi int64) member {
	return func(v json.RawMessage) bool {
		n, ok := intOf(v)
		return ok && n >= lo && n <= hi
	}
}

// intOf returns the whole number a JSON value holds, and whether it is one
// (1.0 and 1e3 are numbers of the API's validation, but not whole ones as
// written: the fake refuses them).
func intOf(v json.RawMessage) (int64, bool) {
	n, err := strconv.ParseInt(string(bytes.TrimSpace(v)), 10, 64)
	return n, err == nil
}

// arrayOf is an array whose every item is valid.
func arrayOf(item member) member {
	return func(v json.RawMessage) bool {
		var items []json.RawMessage
		if kind(v) != '[' || json.Unmarshal(v, &items) != nil {
			return false
		}
		for _, it := range items {
			if !item(it) {
				return false
			}
		}
		return true
	}
}

// objectOf is a JSON object that o accepts; objectOf(object{}) is any object.
func objectOf(o object) member {
	return func(v json.RawMessage) bool {
		if kind(v) != '{' {
			return false
		}
		_, ok := o.read(v)
		return ok
	}
}

// languages are the languages of the invitation e-mails that the reference
// documents (on the non-GMS Android token; the other pages show "es" only).
var languages = oneOf("es", "en", "fr", "de", "it", "zh", "pt", "ru")

// hexID is an ID of 24 hex digits.
var hexID = matching(objectIDRE)
