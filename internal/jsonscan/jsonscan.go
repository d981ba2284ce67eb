// Package jsonscan walks the members of a JSON object without decoding
// their values: one pass over the bytes, checked as json.Valid would check
// them, and no allocation for a member whose name needs no unescaping. It is
// for the objects the applivery SDK keeps whole but types in part (a device:
// a few typed fields, and the whole object in Raw), so that typing a few
// members costs about one scan more than keeping the bytes, not a second
// decoding.
package jsonscan

import (
	"encoding/json"
	"errors"
	"reflect"
	"unicode/utf8"
)

// ErrMalformed is returned for bytes that are not well-formed JSON.
var ErrMalformed = errors.New("applivery: malformed JSON object")

// A Walker walks the JSON objects meant for one Go type: the type its
// errors name. Make one per type with [For], once, and share it.
type Walker struct {
	notObject error
}

// For returns the Walker of the objects that decode into a T.
func For[T any]() Walker {
	// A value that is not an object is reported as encoding/json would
	// report it: a type error of the value as a whole.
	return Walker{notObject: &json.UnmarshalTypeError{Value: "non-object", Type: reflect.TypeFor[T]()}}
}

// ErrNotObject is the error EachMember returns for well-formed JSON that is
// not an object: always the same *json.UnmarshalTypeError, which names the
// Walker's type.
func (w Walker) ErrNotObject() error { return w.notObject }

// EachMember calls f with the name and the raw value of each member of the
// JSON object b, in order; a later member of the same name comes later, so
// f's last word wins, as in encoding/json. It checks all of b as it walks
// it, nested values included, as json.Valid would, but decodes nothing. It
// returns w.ErrNotObject() when b is well-formed JSON but not an object, and
// ErrMalformed when it is not well formed; f may have been called before
// the error is found.
func (w Walker) EachMember(b []byte, f func(name string, value []byte)) error {
	i := skipSpace(b, 0)
	if i == len(b) || b[i] != '{' {
		if json.Valid(b) {
			return w.notObject
		}
		return ErrMalformed
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return trailing(b, i+1)
	}
	for {
		if i == len(b) || b[i] != '"' {
			return ErrMalformed
		}
		end, ok := skipString(b, i)
		if !ok {
			return ErrMalformed
		}
		name := b[i+1 : end-1]
		i = skipSpace(b, end)
		if i == len(b) || b[i] != ':' {
			return ErrMalformed
		}
		start := skipSpace(b, i+1)
		stop, ok := skipValue(b, start, 1)
		if !ok {
			return ErrMalformed
		}
		f(memberName(name), b[start:stop])
		i = skipSpace(b, stop)
		if i == len(b) {
			return ErrMalformed
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case '}':
			return trailing(b, i+1)
		default:
			return ErrMalformed
		}
	}
}

// trailing checks that only white space follows position i.
func trailing(b []byte, i int) error {
	if skipSpace(b, i) != len(b) {
		return ErrMalformed
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
// quote, or false when it is not well formed: a control character, or an
// escape that JSON does not have.
func skipString(b []byte, i int) (int, bool) {
	for i++; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			return i + 1, true
		case c == '\\':
			i++
			if i == len(b) {
				return 0, false
			}
			switch b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(b) || !isHex(b[i+1]) || !isHex(b[i+2]) || !isHex(b[i+3]) || !isHex(b[i+4]) {
					return 0, false
				}
				i += 4
			default:
				return 0, false
			}
		case c < 0x20:
			return 0, false
		}
	}
	return 0, false
}

func isHex(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// MaxDepth is encoding/json's limit on nesting: json.Valid refuses, and
// json.Marshal cannot write, a value nested deeper. EachMember refuses it
// too.
const MaxDepth = 10000

// skipValue returns the position after the value that starts at b[i], or
// false when it is not well formed, as json.Valid judges it: a value nested
// deeper than MaxDepth included. depth is the nesting depth of the
// container that holds the value (1 for a member of the top object).
//
// Nested values are checked as they are walked, not merely counted: an
// object decoded directly, not through encoding/json (which checks its
// whole input first), must never keep in Raw what json.Marshal cannot
// write.
func skipValue(b []byte, i, depth int) (int, bool) {
	if i < len(b) && (b[i] == '{' || b[i] == '[') {
		return skipContainer(b, i, depth)
	}
	return skipScalar(b, i)
}

// skipScalar returns the position after the string, number, true, false or
// null that starts at b[i].
func skipScalar(b []byte, i int) (int, bool) {
	if i == len(b) {
		return 0, false
	}
	switch c := b[i]; {
	case c == '"':
		return skipString(b, i)
	case c == '-' || isDigit(c):
		return skipNumber(b, i)
	case c == 't':
		return skipLiteral(b, i, "true")
	case c == 'f':
		return skipLiteral(b, i, "false")
	case c == 'n':
		return skipLiteral(b, i, "null")
	}
	return 0, false
}

// skipLiteral returns the position after lit, which b must hold at i.
func skipLiteral(b []byte, i int, lit string) (int, bool) {
	if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return 0, false
	}
	return i + len(lit), true
}

// skipNumber returns the position after the number that starts at b[i]:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func skipNumber(b []byte, i int) (int, bool) {
	if b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && isDigit(b[i]):
		i = skipDigits(b, i)
	default:
		return 0, false
	}
	if i < len(b) && b[i] == '.' {
		if i++; i == len(b) || !isDigit(b[i]) {
			return 0, false
		}
		i = skipDigits(b, i)
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		if i++; i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i == len(b) || !isDigit(b[i]) {
			return 0, false
		}
		i = skipDigits(b, i)
	}
	return i, true
}

func skipDigits(b []byte, i int) int {
	for i < len(b) && isDigit(b[i]) {
		i++
	}
	return i
}

// skipKey returns the position of the value of the member whose name starts
// at b[i]: after the name, the colon and the white space around it.
func skipKey(b []byte, i int) (int, bool) {
	if i == len(b) || b[i] != '"' {
		return 0, false
	}
	end, ok := skipString(b, i)
	if !ok {
		return 0, false
	}
	i = skipSpace(b, end)
	if i == len(b) || b[i] != ':' {
		return 0, false
	}
	return skipSpace(b, i+1), true
}

// skipContainer returns the position after the object or array that starts
// at b[i], walking it without recursion: open holds the containers open
// around the current value, '{' or '[' each ('{'+2 is '}', '['+2 is ']').
func skipContainer(b []byte, i, depth int) (int, bool) {
	var buf [64]byte
	open := buf[:0]
	var ok bool
	for {
		// b[i] starts a value: a container to open, or a scalar to skip.
		if i < len(b) && (b[i] == '{' || b[i] == '[') {
			c := b[i]
			if depth+len(open) >= MaxDepth {
				return 0, false
			}
			open = append(open, c)
			if i = skipSpace(b, i+1); i < len(b) && b[i] == c+2 {
				open = open[:len(open)-1] // empty
				i++
			} else {
				if c == '{' {
					if i, ok = skipKey(b, i); !ok {
						return 0, false
					}
				}
				continue // to its first value
			}
		} else if i, ok = skipScalar(b, i); !ok {
			return 0, false
		}
		// After a value: the end of containers, or a comma and the next one.
		for {
			if len(open) == 0 {
				return i, true
			}
			if i = skipSpace(b, i); i == len(b) {
				return 0, false
			}
			c := open[len(open)-1]
			if b[i] == c+2 {
				open = open[:len(open)-1]
				i++
				continue
			}
			if b[i] != ',' {
				return 0, false
			}
			i = skipSpace(b, i+1)
			if c == '{' {
				if i, ok = skipKey(b, i); !ok {
					return 0, false
				}
			}
			break
		}
	}
}

// IsObject reports whether the raw value v, a member's value as EachMember
// passes it, is an object.
func IsObject(v []byte) bool { return len(v) > 0 && v[0] == '{' }

// String returns the raw value v, a member's value as EachMember passes it,
// as a string when it is a JSON string, and "" otherwise.
func String(v []byte) string {
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

// Strings returns the raw value v, a member's value as EachMember passes
// it, as a slice of strings when it is an array of strings (an empty array
// is an empty, non-nil slice), and nil otherwise.
func Strings(v []byte) []string {
	if len(v) == 0 || v[0] != '[' {
		return nil
	}
	var s []string
	if json.Unmarshal(v, &s) != nil {
		return nil
	}
	return s
}
