package applivery

import (
	"bytes"
	"net/url"
	"slices"
	"strings"
	"unicode/utf16"
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

// maxNesting is how deep the one-time token scans look into JSON written
// inside a JSON string ("{\"oneTimeToken\":…}", the way an error message or
// a QR code's payload may carry it), and inside one in that.
const maxNesting = 4

// oneTimeTokensIn returns the values of every "oneTimeToken" member of b,
// in order, each decoded in full: escapes resolved, whatever an encoder
// chose to escape ("\u0053" for "S", "\/" for "/"), and the name matched
// decoded too. b need not be well-formed JSON (a cut or malformed answer):
// it is scanned string by string, and a value that b cuts is decoded as far
// as b goes. A member every object names twice yields both values, the
// empty one left out. JSON written inside a JSON string is scanned too, up
// to maxNesting deep. A value that is not a string is not read.
func oneTimeTokensIn(b []byte) []string {
	return appendOneTimeTokens(nil, b, 0)
}

// appendOneTimeTokens appends the values of b's "oneTimeToken" members to
// tokens. b may also be the inside of a JSON string without its quotes (a
// proxy's dump of an escaped body): when it gives nothing as it is, it is
// read unescaped.
func appendOneTimeTokens(tokens []string, b []byte, depth int) []string {
	found := len(tokens)
	tokens = scanOneTimeTokens(tokens, b, depth)
	if len(tokens) == found && depth < maxNesting && bytes.Contains(b, []byte(`\"`)) {
		tokens = appendOneTimeTokens(tokens, []byte(unescapeJSON(b)), depth+1)
	}
	return tokens
}

func scanOneTimeTokens(tokens []string, b []byte, depth int) []string {
	for i := 0; i < len(b); {
		if b[i] != '"' {
			i++
			continue
		}
		end, inner, escaped := scanString(b, i)
		i = end
		if escaped {
			s := unescapeJSON(inner)
			if s != oneTimeTokenMember {
				if depth < maxNesting && strings.Contains(s, oneTimeTokenMember) {
					tokens = appendOneTimeTokens(tokens, []byte(s), depth+1)
				}
				continue
			}
		} else if string(inner) != oneTimeTokenMember {
			continue
		}
		j := skipJSONSpace(b, end)
		if j == len(b) || b[j] != ':' {
			continue
		}
		j = skipJSONSpace(b, j+1)
		if j == len(b) || b[j] != '"' {
			continue
		}
		end, inner, escaped = scanString(b, j)
		i = end
		v := string(inner)
		if escaped {
			v = unescapeJSON(inner)
		}
		if v != "" {
			tokens = append(tokens, v)
		}
	}
	return tokens
}

// redactText returns b, text that may be JSON (well formed, cut or
// malformed) or hold some, with every form of f redacted: the forms
// themselves wherever they are, and, inside each JSON string that has
// escapes, every secret as the string decodes, whatever the escapes (an
// encoder may escape any character: "\u0053ECRET" is "SECRET"). Such a
// string is decoded, redacted (the JSON inside it too, up to maxNesting
// deep) and written back escaped; the others are left as they are. The
// result may be longer than b.
func (f secretForms) redactText(b []byte) []byte {
	if len(f) == 0 {
		return b
	}
	return f.redactTextAt(b, 0)
}

func (f secretForms) redactTextAt(b []byte, depth int) []byte {
	var out []byte
	last := 0 // b[last:] is not in out yet
	for i := 0; i < len(b); {
		if b[i] != '"' {
			i++
			continue
		}
		end, inner, escaped := scanString(b, i)
		if escaped && depth < maxNesting {
			s := unescapeJSON(inner)
			if r := f.redactTextAt([]byte(s), depth+1); string(r) != s {
				out = append(out, f.redactAll(b[last:i+1])...)
				out = append(out, jsonEscape(string(r), 0)...)
				if i+1+len(inner) < end {
					out = append(out, '"')
				}
				last = end
			}
		}
		i = end
	}
	if out == nil {
		return f.redactAll(b)
	}
	return append(out, f.redactAll(b[last:])...)
}

// scanString reads the JSON string whose opening quote is b[i], leniently:
// it returns the position after its closing quote (len(b) when b ends
// before it), its inside as written, and whether that holds a backslash.
func scanString(b []byte, i int) (end int, inner []byte, escaped bool) {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			escaped = true
			j++
		case '"':
			return j + 1, b[i+1 : j], escaped
		}
	}
	return len(b), b[i+1:], escaped
}

// unescapeJSON returns the inside of a JSON string decoded, leniently: an
// escape JSON does not have is kept as written, a lone surrogate is
// U+FFFD (as encoding/json decodes it), and an escape that the end of in
// cuts is left out.
func unescapeJSON(in []byte) string {
	var b strings.Builder
	b.Grow(len(in))
	for i := 0; i < len(in); i++ {
		c := in[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		if i+1 == len(in) {
			break
		}
		i++
		switch c = in[i]; c {
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r, ok := hex4(in[i+1:])
			if !ok {
				if len(in)-i-1 < 4 {
					return b.String() // cut
				}
				b.WriteString(`\u`)
				continue
			}
			i += 4
			if utf16.IsSurrogate(r) {
				if len(in) > i+2 && in[i+1] == '\\' && in[i+2] == 'u' {
					if r2, ok := hex4(in[i+3:]); ok {
						if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
							b.WriteRune(d)
							i += 6
							continue
						}
					}
				}
				r = utf8.RuneError
			}
			b.WriteRune(r)
		default: // '"', '\\', '/', and what JSON does not have
			if c != '"' && c != '\\' && c != '/' {
				b.WriteByte('\\')
			}
			b.WriteByte(c)
		}
	}
	return b.String()
}

// hex4 returns the rune that b's first four bytes, hex digits, write.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// skipJSONSpace returns the position of the first byte at or after i that
// is not JSON white space.
func skipJSONSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}
