package applivery

import (
	"bytes"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"
)

// redacted stands in for a secret wherever a response repeats it.
const redacted = "[REDACTED]"

// secretForms are the byte strings in which secrets can come back inside a
// response, longest first. A server or proxy that echoes a request rarely
// echoes it verbatim: a header dump or an error message about the body is
// JSON, often JSON inside JSON, written by one of many encoders. See
// formsOf.
type secretForms []string

// formsOf returns the forms of the non-empty secrets: each as it is; JSON-
// escaped once and twice, with and without the optional escapes that
// encoders differ on (<, > and & as encoding/json writes them, / as PHP
// writes it, non-ASCII as \u escapes, their hex digits in either case); and
// percent-encoded for a query and for a path. The hex digits of the escapes
// are matched in any case, even mixed (see sameForm).
func formsOf(secrets ...string) secretForms {
	seen := make(map[string]bool)
	add := func(f string) bool {
		if seen[f] {
			return false
		}
		seen[f] = true
		return true
	}
	for _, s := range secrets {
		if s == "" {
			continue
		}
		add(s)
		add(url.QueryEscape(s))
		add(url.PathEscape(s))
		var once []string // the escaped forms that differ from s and from each other
		for m := range escapeModes {
			if f := jsonEscape(s, m); add(f) {
				once = append(once, f)
			}
		}
		for _, f := range once {
			for m := range escapeModes {
				add(jsonEscape(f, m))
			}
		}
	}
	return sortForms(seen)
}

// with returns f and the forms of other secrets, extra, together; f itself
// when extra holds none.
func (f secretForms) with(extra ...string) secretForms {
	more := formsOf(extra...)
	if len(more) == 0 {
		return f
	}
	seen := make(map[string]bool, len(f)+len(more))
	for _, s := range f {
		seen[s] = true
	}
	for _, s := range more {
		seen[s] = true
	}
	return sortForms(seen)
}

// sortForms returns the forms in set, longest first, so that where two
// forms start at the same byte the longer one is redacted.
func sortForms(set map[string]bool) secretForms {
	forms := make(secretForms, 0, len(set))
	for f := range set {
		forms = append(forms, f)
	}
	slices.SortFunc(forms, func(a, b string) int {
		if len(a) != len(b) {
			return len(b) - len(a)
		}
		return strings.Compare(a, b)
	})
	return forms
}

// longest is the length of the longest form: a cut this far past a limit
// keeps every form that starts before it whole.
func (f secretForms) longest() int {
	if len(f) == 0 {
		return 0
	}
	return len(f[0])
}

// redact returns b with every form replaced by [REDACTED], and cut to its
// first limit bytes: the cut is made on b as it came, so b must extend at
// least f.longest() past limit when it is longer than limit, and nothing of a
// secret that starts before the cut survives it.
func (f secretForms) redact(b []byte, limit int) []byte {
	if len(f) == 0 {
		return b[:min(len(b), limit)]
	}
	out := f.replace(b, limit)
	return out[:min(len(out), limit)]
}

// redactAll returns b with every form replaced by [REDACTED], uncut: the
// result is longer than b when a form is shorter than [REDACTED].
func (f secretForms) redactAll(b []byte) []byte {
	if len(f) == 0 {
		return b
	}
	return f.replace(b, len(b))
}

// replace returns b's first limit bytes, and the form that starts before
// limit whole, with every form replaced by [REDACTED]. Its result is not
// cut: it may be longer than limit.
func (f secretForms) replace(b []byte, limit int) []byte {
	var first [256]bool
	for _, s := range f {
		first[s[0]] = true
	}
	out := make([]byte, 0, min(len(b), limit))
	i := 0
	for i < len(b) && i < limit {
		if first[b[i]] {
			if s, ok := formAt(f, b[i:]); ok {
				out = append(out, redacted...)
				i += len(s)
				continue
			}
		}
		out = append(out, b[i])
		i++
	}
	return out
}

// redactString returns s with every form replaced by [REDACTED], whole: a
// form shorter than [REDACTED] makes the result longer than s. It allocates
// only when s holds a form.
func (f secretForms) redactString(s string) string {
	if len(f) == 0 || s == "" {
		return s
	}
	for i := range len(s) {
		if _, ok := formAt(f, s[i:]); ok {
			return string(f.replace([]byte(s), len(s)))
		}
	}
	return s
}

// formAt returns the longest of the forms f that b starts with, up to the
// case of the hex digits of escapes (see sameForm).
func formAt[B ~string | ~[]byte](f secretForms, b B) (string, bool) {
	for _, s := range f {
		if len(b) >= len(s) && sameForm(b[:len(s)], s) {
			return s, true
		}
	}
	return "", false
}

// sameForm reports whether b, as long as s, is the form s but for the case
// of the hex digits of its escapes, percent (%2F) or JSON (\u00E9): RFC 3986
// makes "%2f" and "%2F" the same, and so does JSON for \u escapes. Encoders
// differ, and one answer may mix them, so that a form per combination would
// not do: any mix of cases matches.
func sameForm[B ~string | ~[]byte](b B, s string) bool {
	if string(b) == s {
		return true
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; b[i] != c && !(isHexLetter(c) && b[i]|0x20 == c|0x20 && inEscape(s, i)) {
			return false
		}
	}
	return true
}

// isHexLetter reports whether c is a hex digit that has a case.
func isHexLetter(c byte) bool { return c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// inEscape reports whether s[i] may be a hex digit of an escape: one of the
// two after a "%", or of the four after a "\u".
func inEscape(s string, i int) bool {
	if i >= 1 && s[i-1] == '%' || i >= 2 && s[i-2] == '%' {
		return true
	}
	for j := 1; j <= 4 && i-j >= 1; j++ {
		if s[i-j] == 'u' && s[i-j-1] == '\\' {
			return true
		}
	}
	return false
}

// escapeMode selects the optional escapes of a JSON encoder.
type escapeMode uint8

const (
	escapeHTML     escapeMode = 1 << iota // <, > and & as \u003c, \u003e, \u0026 (encoding/json)
	escapeSlash                           // / as \/ (PHP's json_encode)
	escapeNonASCII                        // every rune past ASCII as \uXXXX (Python's json.dumps)
	escapeUpperHex                        // \u003C rather than \u003c
	escapeModes    escapeMode = 1 << iota // the number of combinations
)

// jsonEscape returns s as the inside of a JSON string, as an encoder with
// mode m writes it.
func jsonEscape(s string, m escapeMode) string {
	hex := "0123456789abcdef"
	if m&escapeUpperHex != 0 {
		hex = "0123456789ABCDEF"
	}
	u := func(b *strings.Builder, r rune) {
		b.WriteString(`\u`)
		for shift := 12; shift >= 0; shift -= 4 {
			b.WriteByte(hex[r>>shift&0xf])
		}
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '/' && m&escapeSlash != 0:
			b.WriteString(`\/`)
		case r < 0x20, r == '\u2028', r == '\u2029',
			m&escapeHTML != 0 && (r == '<' || r == '>' || r == '&'),
			m&escapeNonASCII != 0 && r >= utf8.RuneSelf && r <= 0xffff:
			u(&b, r)
		case m&escapeNonASCII != 0 && r > 0xffff:
			r -= 0x10000
			u(&b, 0xd800+(r>>10))
			u(&b, 0xdc00+(r&0x3ff))
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// oneTimeTokenMember is the name of the member that holds an enrollment
// token's one-time token.
const oneTimeTokenMember = "oneTimeToken"

// oneTimeTokensIn returns the values of the "oneTimeToken" members of body,
// which need not be well-formed JSON (a cut or malformed answer): each value
// that follows the name, a colon and an opening quote, up to its closing
// quote, and a backslash ends it too, so that the name and value escaped
// inside a JSON string are found as well. A value cut short by the end of
// body is left out: it cannot be in the rest of the answer. The values are
// as they appear, which for a token of letters, digits and the usual
// punctuation is the token itself.
func oneTimeTokensIn(body []byte) []string {
	var tokens []string
	rest := body
	for {
		i := bytes.Index(rest, []byte(oneTimeTokenMember))
		if i < 0 {
			return tokens
		}
		rest = rest[i+len(oneTimeTokenMember):]
		j := skipBytes(rest, `\"`)
		j += skipBytes(rest[j:], " \t\r\n")
		if j >= len(rest) || rest[j] != ':' {
			continue
		}
		j++
		j += skipBytes(rest[j:], " \t\r\n")
		k := skipBytes(rest[j:], `\`)
		if j+k >= len(rest) || rest[j+k] != '"' {
			continue
		}
		value := rest[j+k+1:]
		end := bytes.IndexAny(value, `"\`)
		if end > 0 {
			tokens = append(tokens, string(value[:end]))
		}
	}
}

// skipBytes returns how many of b's first bytes are among set.
func skipBytes(b []byte, set string) int {
	n := 0
	for n < len(b) && strings.IndexByte(set, b[n]) >= 0 {
		n++
	}
	return n
}
