package applivery

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/applivery/applivery-go/internal/transport"
	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// encodings returns s as the encoders that echo requests write it, computed
// with encoding/json itself rather than with the SDK's own escaper: raw,
// JSON-escaped with and without HTML escaping, escaped twice (a request body
// quoted inside an error message), and percent-encoded.
func encodings(t *testing.T, s string) map[string]string {
	t.Helper()
	escape := func(s string, html bool) string {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(html)
		require.NoError(t, enc.Encode(s))
		out := strings.TrimSuffix(b.String(), "\n")
		return out[1 : len(out)-1]
	}
	return map[string]string{
		"raw":                 s,
		"json":                escape(s, true),
		"json, no html":       escape(s, false),
		"json twice":          escape(escape(s, true), true),
		"json twice, no html": escape(escape(s, false), false),
		"php, slashes":        strings.ReplaceAll(escape(s, false), "/", `\/`),
		"query":               url.QueryEscape(s),
	}
}

// assertNoSecret asserts that no encoding of secret appears in text.
func assertNoSecret(t *testing.T, text, secret string, msgAndArgs ...any) {
	t.Helper()
	for name, form := range encodings(t, secret) {
		assert.NotContains(t, text, form, append([]any{"the secret, " + name}, msgAndArgs...)...)
	}
}

// echoingServer answers 400 with the request in its message, the request
// body and the Authorization header inside a JSON error envelope written by
// escapeHTML's kind of encoder, and quoted once more when twice is set.
func echoingResponder(escapeHTML, twice bool) httpmock.Responder {
	return func(r *http.Request) (*http.Response, error) {
		body, _ := io.ReadAll(r.Body)
		echo := string(body) + " with " + r.Header.Get("Authorization")
		if twice {
			b, _ := json.Marshal(echo)
			echo = string(b)
		}
		var out bytes.Buffer
		enc := json.NewEncoder(&out)
		enc.SetEscapeHTML(escapeHTML)
		_ = enc.Encode(map[string]any{"status": false, "error": map[string]any{"code": 5209, "message": "Invalid input: " + echo}})
		resp := httpmock.NewBytesResponse(400, out.Bytes())
		resp.Header.Set("X-Request-Id", echo)
		return resp, nil
	}
}

func TestSecretsEchoedInAnyEncodingAreRedacted(t *testing.T) {
	t.Parallel()
	const key = `sk_live_4f3c<9a>&"q\/z`
	passwords := map[string]string{
		"ampersand":  "Tr0ub4dor&3",
		"angles":     "<b>old</b>",
		"quote":      `say "hi"`,
		"backslash":  `C:\temp\pw`,
		"slash":      "a/b/c",
		"non-ascii":  "contraseña€𝄞",
		"everything": `&<>"\/é`,
	}
	for pname, password := range passwords {
		for _, html := range []bool{true, false} {
			for _, twice := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/html=%v/twice=%v", pname, html, twice), func(t *testing.T) {
					t.Parallel()
					mt := httpmock.NewMockTransport()
					c, err := NewClient(key, WithBaseURL(mockBase),
						WithHTTPClient(&http.Client{Transport: mt}), WithMaxRetries(0))
					require.NoError(t, err)
					mt.RegisterResponder(http.MethodPost, commandsURL, echoingResponder(html, twice))
					_, err = c.AndroidCommands.Create(context.Background(), validOrg, validDevice,
						&CreateCommandRequest{Type: CommandTypeResetPassword, NewPassword: password})
					apiErr := requireAPIError(t, err)
					require.Contains(t, apiErr.Message, "newPassword", "the server echoed the request")
					for _, text := range []string{err.Error(), string(apiErr.Body), apiErr.Message, apiErr.RequestID,
						fmt.Sprintf("%#v", apiErr), fmt.Sprintf("%+v", err)} {
						assertNoSecret(t, text, password, "password in %q", text)
						assertNoSecret(t, text, key, "key in %q", text)
					}
					assert.Contains(t, string(apiErr.Body), redacted)
				})
			}
		}
	}
}

func TestRedactionKeepsTheCutClean(t *testing.T) {
	t.Parallel()
	const key = "sk_live_0123456789abcdef0123456789abcdef"
	forms := formsOf(key)
	tests := []struct {
		name string
		body string
	}{
		{"a key straddling the cut", strings.Repeat("x", maxErrorBody-5) + key + "tail"},
		{"a key at the very end", strings.Repeat("x", maxErrorBody-len(key)) + key + "tail"},
		// Redacting the first key shortens the body: the second, cut, must
		// not slide into what is kept.
		{"a redaction before the cut", key + strings.Repeat("x", maxErrorBody-len(key)+5) + key},
		{"escaped, straddling", strings.Repeat("x", maxErrorBody-3) + `{"k":"` + key + `"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// The body as the SDK reads an error body: the limit plus the
			// longest form.
			body := []byte(tt.body)[:min(len(tt.body), maxErrorBody+forms.longest())]
			e := answer{resp: &http.Response{StatusCode: 400, Header: http.Header{}}, method: "POST", path: "/v1/p", out: transport.Outcome{Attempts: 1}, secrets: forms}.apiError(body, nil, "")
			assert.LessOrEqual(t, len(e.Body), maxErrorBody)
			for n := 4; n <= len(key); n++ {
				assert.NotContains(t, string(e.Body), key[:n], "a prefix of the key, %d bytes", n)
			}
		})
	}
}

func TestRedactionThroughTheWireAtTheCut(t *testing.T) {
	t.Parallel()
	mt := httpmock.NewMockTransport()
	c, err := NewClient(testKey, WithBaseURL(mockBase), WithHTTPClient(&http.Client{Transport: mt}), WithMaxRetries(0))
	require.NoError(t, err)
	body := strings.Repeat("x", maxErrorBody-12) + "Bearer " + testKey + strings.Repeat("y", 1000) // the key straddles the cut
	mt.RegisterResponder(http.MethodPost, "=~/cancel$", httpmock.NewStringResponder(502, body))
	_, err = c.AndroidCommands.Cancel(context.Background(), validOrg, validDevice, validCommand)
	apiErr := requireAPIError(t, err)
	assert.Len(t, apiErr.Body, maxErrorBody)
	assert.NotContains(t, string(apiErr.Body), testKey[:4])
}

func TestFormsOf(t *testing.T) {
	t.Parallel()
	assert.Empty(t, formsOf(""))
	assert.Equal(t, secretForms{"plainkey123"}, formsOf("plainkey123"), "nothing to escape: one form")
	forms := formsOf("a&b")
	for _, want := range []string{"a&b", `a\u0026b`, `a\u0026b`, `a\\u0026b`, "a%26b"} {
		assert.Contains(t, forms, want)
	}
	assert.Contains(t, formsOf("é"), `\u00e9`)
	assert.Contains(t, formsOf("é"), `\u00E9`)
	assert.Contains(t, formsOf("𝄞"), `\ud834\udd1e`, "a surrogate pair")
	for i := 1; i < len(forms); i++ {
		assert.GreaterOrEqual(t, len(forms[i-1]), len(forms[i]), "longest first")
	}
	assert.Equal(t, forms.with("zz"), formsOf("a&b", "zz"))
}

// recase rewrites the hex digits of the percent escapes of s: lower turns a
// digit to lower case when it returns true for the digit's index among all
// the escape digits of s.
func recase(s string, lower func(n int) bool) string {
	b := []byte(s)
	n := 0
	for i := 0; i+2 < len(b); i++ {
		if b[i] != '%' {
			continue
		}
		for _, j := range []int{i + 1, i + 2} {
			if lower(n) {
				b[j] = strings.ToLower(string(b[j]))[0]
			}
			n++
		}
	}
	return string(b)
}

func TestPercentEncodedSecretsAreRedactedInAnyHexCase(t *testing.T) {
	t.Parallel()
	const key = "sk_live/4f+3c=9a;b" // '/', '+', '=' and ';' are percent-encoded
	const password = "pässwörd/1€"
	cases := map[string]func(int) bool{
		"upper":              func(int) bool { return false },
		"lower":              func(int) bool { return true },
		"alternate escapes":  func(n int) bool { return n/2%2 == 0 },
		"within each escape": func(n int) bool { return n%2 == 1 },
		"all but the last":   func(n int) bool { return n < 5 },
	}
	encoders := map[string]func(string) string{"query": url.QueryEscape, "path": url.PathEscape}
	for cname, lower := range cases {
		for ename, encode := range encoders {
			t.Run(cname+"/"+ename, func(t *testing.T) {
				t.Parallel()
				echoedKey, echoedPassword := recase(encode(key), lower), recase(encode(password), lower)
				require.NotEqual(t, key, echoedKey, "the key is percent-encoded")
				mt := httpmock.NewMockTransport()
				c, err := NewClient(key, WithBaseURL(mockBase), WithHTTPClient(&http.Client{Transport: mt}), WithMaxRetries(0))
				require.NoError(t, err)
				echo := "token=" + echoedKey + "&newPassword=" + echoedPassword
				mt.RegisterResponder(http.MethodPost, commandsURL, func(*http.Request) (*http.Response, error) {
					var b bytes.Buffer
					enc := json.NewEncoder(&b)
					enc.SetEscapeHTML(false)
					_ = enc.Encode(map[string]any{"status": false, "error": map[string]any{"code": 5209, "message": "Invalid input: " + echo}})
					resp := httpmock.NewBytesResponse(400, b.Bytes())
					resp.Header.Set("X-Request-Id", "req-"+echo)
					return resp, nil
				})
				_, err = c.AndroidCommands.Create(context.Background(), validOrg, validDevice,
					&CreateCommandRequest{Type: CommandTypeResetPassword, NewPassword: password})
				apiErr := requireAPIError(t, err)
				for name, text := range map[string]string{"Error()": err.Error(), "Body": string(apiErr.Body),
					"Message": apiErr.Message, "RequestID": apiErr.RequestID} {
					assert.NotContains(t, text, echoedKey, "the key in %s: %q", name, text)
					assert.NotContains(t, text, echoedPassword, "the password in %s: %q", name, text)
					assert.Contains(t, text, "token="+redacted+"&newPassword="+redacted, name)
				}
			})
		}
	}
}

func TestSameForm(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		b, s string
		want bool
	}{
		{"identical", "a%2Fb", "a%2Fb", true},
		{"a lower-case percent escape", "a%2fb", "a%2Fb", true},
		{"mixed within one escape", "%c3%A4", "%C3%A4", true},
		{"a lower-case \\u escape", `\u00e9\u00E9`, `\u00E9\u00E9`, true},
		{"a letter outside an escape", "A%2Fb", "a%2Fb", false},
		{"another digit", "a%2Eb", "a%2Fb", false},
		{"a letter after the escape", "a%2FB", "a%2Fb", false},
		{"a letter after a \\u escape", `\u00e9X`, `\u00e9x`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, sameForm([]byte(tt.b), tt.s))
		})
	}
}

// A secret shorter than "[REDACTED]" (a short Request.Secrets value such as
// a PIN) makes the result longer than its input: redactString must not cut
// it to the input's length, which lost the message's tail.
func TestRedactStringKeepsTheRestOfTheMessageAfterAShortSecret(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "PIN [REDACTED] rejected for the device", formsOf("1234").redactString("PIN 1234 rejected for the device"))
	assert.Equal(t, "[REDACTED][REDACTED] and [REDACTED]", formsOf("12").redactString("1212 and 12"))
}
