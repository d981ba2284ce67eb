package applivery

import "time"

// wireTime is an RFC 3339 timestamp that decodes leniently: anything that is
// not a valid RFC 3339 string leaves the zero time.
type wireTime time.Time

func (t *wireTime) UnmarshalJSON(b []byte) error {
	*t = wireTime{}
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' || !rfc3339Shape(b[1:len(b)-1]) {
		return nil
	}
	if v, err := time.Parse(time.RFC3339Nano, string(b[1:len(b)-1])); err == nil {
		*t = wireTime(v)
	}
	return nil
}

// timeOf returns the time of a JSON value as wireTime reads it: the zero
// time for anything that is not an RFC 3339 string.
func timeOf(value []byte) time.Time {
	var t wireTime
	_ = t.UnmarshalJSON(value)
	return time.Time(t)
}

// rfc3339Shape reports whether s could be a timestamp that time.Parse
// accepts for RFC 3339: "2006-01-02T15:04:05[.999999999](Z|±07:00)" with
// digits and separators in their places (Go takes an hour of one digit, and a
// comma before the fraction). time.Parse settles the rest; this check spares
// it strings it would refuse anyway, such as the documented
// "2026-02-10T14: 30:00Z", for which it allocates an error each time.
// FuzzWireTime checks that it refuses nothing time.Parse accepts.
func rfc3339Shape(s []byte) bool {
	s, ok := expect(s, "dddd-dd-ddT")
	if !ok {
		return false
	}
	if len(s) > 1 && isDigit(s[1]) { // a two-digit hour
		s = s[1:]
	}
	if s, ok = expect(s, "d:dd:dd"); !ok || len(s) == 0 {
		return false
	}
	if s[0] == '.' || s[0] == ',' {
		i := 1
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		if i == 1 {
			return false
		}
		s = s[i:]
	}
	switch len(s) {
	case 1:
		return s[0] == 'Z' || s[0] == 'z'
	case 6:
		_, ok = expect(s[1:], "dd:dd")
		return ok && (s[0] == '+' || s[0] == '-')
	}
	return false
}

// expect matches the start of s against pattern, where 'd' is any digit and
// 'T' is T or t, and returns the rest of s.
func expect(s []byte, pattern string) ([]byte, bool) {
	if len(s) < len(pattern) {
		return s, false
	}
	for i := range len(pattern) {
		switch c := s[i]; pattern[i] {
		case 'd':
			if !isDigit(c) {
				return s, false
			}
		case 'T':
			if c != 'T' && c != 't' {
				return s, false
			}
		default:
			if c != pattern[i] {
				return s, false
			}
		}
	}
	return s[len(pattern):], true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func (t wireTime) MarshalJSON() ([]byte, error) {
	if time.Time(t).IsZero() {
		return []byte("null"), nil
	}
	return time.Time(t).MarshalJSON()
}
