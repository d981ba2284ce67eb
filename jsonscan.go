package applivery

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"unicode/utf8"
)

// A small JSON walker for the objects the SDK keeps whole but types in part
// (Device): it finds the members of an object without decoding their
// values, with one pass over the bytes and no allocation for a member whose
// name needs no unescaping.

// errNotObject is returned for a value that is not a JSON object, as
// encoding/json would report it: a type error of the value as a whole.
var errNotObject = &json.UnmarshalTypeError{Value: "non-object", Type: reflect.TypeOf(Device{})}

// errMalformed is returned for bytes that are not well-formed JSON.
var errMalformed = errors.New("applivery: malformed JSON object")

// eachMember calls f with the name and the raw value of each member of the
// JSON object b, in order; a later member of the same name comes later, so
// f's last word wins, as in encoding/json. Values are checked only as far as
// finding where they end needs. It returns errNotObject when b is not an
// object, and errMalformed when it is not well formed.
func eachMember(b []byte, f func(name string, value []byte)) error {
	i := skipSpace(b, 0)
	if i == len(b) || b[i] != '{' {
		if json.Valid(b) {
			return errNotObject
		}
		return errMalformed
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return trailing(b, i+1)
	}
	for {
		if i == len(b) || b[i] != '"' {
			return errMalformed
		}
		end, ok := skipString(b, i)
		if !ok {
			return errMalformed
		}
		name := b[i+1 : end-1]
		i = skipSpace(b, end)
		if i == len(b) || b[i] != ':' {
			return errMalformed
		}
		start := skipSpace(b, i+1)
		stop, ok := skipValue(b, start)
		if !ok {
			return errMalformed
		}
		f(memberName(name), b[start:stop])
		i = skipSpace(b, stop)
		if i == len(b) {
			return errMalformed
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case '}':
			return trailing(b, i+1)
		default:
			return errMalformed
		}
	}
}

// trailing checks that only white space follows position i.
func trailing(b []byte, i int) error {
	if skipSpace(b, i) != len(b) {
		return errMalformed
	}
	return nil
}

// memberName returns the name of a member from its raw, quoted-less bytes,
// unescaping it when it has escapes.
func memberName(raw []byte) string {
	for _, c := range raw {
		if c == '\\' {
			var s string
			if json.Unmarshal(append(append([]byte{'"'}, raw...), '"'), &s) != nil {
				return ""
			}
			return s
		}
	}
	return string(raw)
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the position after the string that starts at b[i], a
// quote.
func skipString(b []byte, i int) (int, bool) {
	for i++; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			return i + 1, true
		case c == '\\':
			i++
		case c < 0x20:
			return 0, false
		}
	}
	return 0, false
}

// skipValue returns the position after the value that starts at b[i]. It
// follows strings and nesting; scalars run to the next delimiter.
func skipValue(b []byte, i int) (int, bool) {
	if i == len(b) {
		return 0, false
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				end, ok := skipString(b, i)
				if !ok {
					return 0, false
				}
				i = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1, true
				}
			}
		}
		return 0, false
	}
	start := i
	for i < len(b) && !strings.ContainsRune(",}] \t\n\r", rune(b[i])) {
		i++
	}
	if i == start || !json.Valid(b[start:i]) {
		return 0, false
	}
	return i, true
}

// isObject reports whether the raw value v is an object.
func isObject(v []byte) bool { return len(v) > 0 && v[0] == '{' }

// jsonString returns the raw value v as a string when it is a JSON string,
// and "" otherwise.
func jsonString(v []byte) string {
	if len(v) < 2 || v[0] != '"' {
		return ""
	}
	inner := v[1 : len(v)-1]
	plain := true
	for _, c := range inner {
		if c == '\\' || c >= utf8.RuneSelf {
			plain = false
			break
		}
	}
	if plain {
		return string(inner)
	}
	var s string
	if json.Unmarshal(v, &s) != nil {
		return ""
	}
	return s
}
