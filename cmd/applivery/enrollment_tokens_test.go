package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/applivery/applivery-go"
	"github.com/applivery/applivery-go/appliverytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runTerminal runs the command line as runCLI does, with stdout a terminal.
func runTerminal(t *testing.T, srv *appliverytest.Server, args ...string) result {
	t.Helper()
	var stdout, stderr strings.Builder
	a := &app{getenv: func(k string) string {
		return map[string]string{"APPLIVERY_API_KEY": srv.APIKey, "APPLIVERY_BASE_URL": srv.URL}[k]
	}, stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, stdoutTerminal: true}
	code := a.run(context.Background(), args)
	return result{code, stdout.String(), stderr.String()}
}

// onlyToken is the one token the fake holds for org.
func onlyToken(t *testing.T, srv *appliverytest.Server) applivery.EnrollmentToken {
	t.Helper()
	toks := srv.EnrollmentTokens(org)
	require.Len(t, toks, 1)
	require.NotEmpty(t, toks[0].OneTimeToken)
	return toks[0]
}

// tokenCreates are a create of each platform.
var tokenCreates = []struct {
	name string
	args []string
}{
	{"android", []string{"android", "enrollment-tokens", "create", "--org", org, "--mode", "DEVICE_OWNER", "--duration", "24h"}},
	{"aosp", []string{"aosp", "enrollment-tokens", "create", "--org", org, "--duration", "3600"}},
	{"apple", []string{"apple", "enrollment-tokens", "create", "--org", org, "--name", "Front desk"}},
}

func TestTokenCreatePrintsTheToken(t *testing.T) {
	t.Parallel()
	for _, tt := range tokenCreates {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := usersServer(t)
			res := runCLI(t, srv, nil, "", append(tt.args, "--verbose")...)
			require.Equal(t, exitOK, res.code, res.stderr)
			tok := onlyToken(t, srv)
			assert.Regexp(t, "^"+tok.ID+"\tPENDING\t[^\t]+\t[^\t]+\t"+tok.OneTimeToken+"\n$", res.stdout)
			assert.Contains(t, res.stderr, "applivery: answer", "--verbose logged")
			assert.NotContains(t, res.stderr, tok.OneTimeToken, "stderr never carries the one-time token")

			res = runCLI(t, srv, nil, "", append(tt.args, "--output", "json")...)
			require.Equal(t, exitOK, res.code, res.stderr)
			var m map[string]any
			require.NoError(t, json.Unmarshal([]byte(res.stdout), &m))
			assert.NotEmpty(t, m["config"].(map[string]any)["oneTimeToken"], "the token as the API sent it")
		})
	}
}

func TestTokenCreateQRFileRoundTrip(t *testing.T) {
	t.Parallel()
	for _, tt := range tokenCreates {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := usersServer(t)
			path := filepath.Join(t.TempDir(), "token.png")
			res := runCLI(t, srv, nil, "", append(tt.args, "--qr", path, "--verbose")...)
			require.Equal(t, exitOK, res.code, res.stderr)
			tok := onlyToken(t, srv)
			png, err := os.ReadFile(path)
			require.NoError(t, err)
			want, err := qrPayload(tok.QRCode)
			require.NoError(t, err)
			assert.Equal(t, want, decodeQRPNG(t, png), "the payload as the fake stored it")
			if tt.name == "android" {
				assert.Equal(t, []byte(tok.QRCode), decodeQRPNG(t, png), "Android's QR code is the JSON object, byte for byte")
			}
			assert.Contains(t, res.stdout, tok.ID+"\tPENDING\t")
			assert.Contains(t, res.stdout, "\tqr "+path+"\n")
			assert.NotContains(t, res.stdout+res.stderr, tok.OneTimeToken)

			res = runCLI(t, srv, nil, "", append(tt.args, "--qr", path, "--output", "json")...)
			require.Equal(t, exitOK, res.code, res.stderr)
			var summary map[string]any
			require.NoError(t, json.Unmarshal([]byte(res.stdout), &summary))
			assert.Equal(t, path, summary["qr"])
			assert.NotEmpty(t, summary["id"])
			assert.NotContains(t, res.stdout, srv.EnrollmentTokens(org)[1].OneTimeToken)
		})
	}
}

func TestQRPayload(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, raw, want, err string
	}{
		{"an object, byte for byte", `{"a": 1,  "b":"x"}`, `{"a": 1,  "b":"x"}`, ""},
		{"a string, its value", `"https://x.example/enroll?c=A\u0026B"`, "https://x.example/enroll?c=A&B", ""},
		{"absent", ``, "", "no QR code"},
		{"null", `null`, "", "no QR code"},
		{"an empty string", `""`, "", "empty QR code"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := qrPayload(json.RawMessage(tt.raw))
			if tt.err != "" {
				assert.ErrorContains(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(got))
		})
	}
}

func TestTokenCreateQROnTheTerminal(t *testing.T) {
	t.Parallel()
	srv := usersServer(t)
	args := append(tokenCreates[0].args, "--qr", "-")
	res := runCLI(t, srv, nil, "", args...)
	assert.Equal(t, exitUsage, res.code)
	assert.Contains(t, res.stderr, "--qr FILE.png")
	assert.Empty(t, srv.EnrollmentTokens(org), "refused before anything was sent")

	res = runTerminal(t, srv, args...)
	require.Equal(t, exitOK, res.code, res.stderr)
	tok := onlyToken(t, srv)
	want, err := qrPayload(tok.QRCode)
	require.NoError(t, err)
	bitmap, err := qrModules(want)
	require.NoError(t, err)
	lines := strings.SplitAfter(res.stdout, "\n")
	drawn := strings.Join(lines[:(len(bitmap)+1)/2], "")
	assert.Equal(t, bitmap, readHalfBlocks(t, drawn)[:len(bitmap)], "the token's QR code")
	assert.Contains(t, res.stdout, tok.ID+"\tPENDING\t")
	assert.NotContains(t, res.stdout, tok.OneTimeToken)

	res = runTerminal(t, srv, append(args, "--output", "json")...)
	assert.Equal(t, exitUsage, res.code)
}

func TestTokenCreateRefusals(t *testing.T) {
	t.Parallel()
	srv := usersServer(t)
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"android with no mode", []string{"android", "enrollment-tokens", "create"}, "--mode: required"},
		{"android with a bad duration", []string{"android", "enrollment-tokens", "create", "--mode", "COPE", "--duration", "1.5s"}, "whole seconds"},
		{"android with a bad user", []string{"android", "enrollment-tokens", "create", "--mode", "COPE", "--user", "x"}, "--user"},
		{"android --qr-dir alone", []string{"android", "enrollment-tokens", "create", "--mode", "COPE", "--qr-dir", "d"}, "--qr-dir goes with --for-users"},
		{"aosp with neither", []string{"aosp", "enrollment-tokens", "create"}, "--duration D or --perpetual"},
		{"aosp with both", []string{"aosp", "enrollment-tokens", "create", "--duration", "1h", "--perpetual"}, "--duration D or --perpetual"},
		{"apple with a bad language", []string{"apple", "enrollment-tokens", "create", "--language", "xx"}, "--language"},
		{"--qr in no directory", []string{"apple", "enrollment-tokens", "create", "--qr", "/nonexistent/dir/t.png"}, "no directory /nonexistent/dir"},
		{"--qr a directory", []string{"apple", "enrollment-tokens", "create", "--qr", os.TempDir()}, "is a directory, not a PNG file"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := runCLI(t, srv, nil, "", append(tt.args, "--org", org)...)
			assert.Equal(t, exitUsage, res.code, res.stderr)
			assert.Contains(t, res.stderr, tt.want)
		})
	}
	assert.Empty(t, srv.EnrollmentTokens(org))
}

func TestTokenCreateAtTheLimit(t *testing.T) {
	t.Parallel()
	srv := usersServer(t)
	srv.SetEnrollmentTokenLimit(org, 1)
	require.Equal(t, exitOK, runCLI(t, srv, nil, "", tokenCreates[0].args...).code)
	res := runCLI(t, srv, nil, "", tokenCreates[0].args...)
	assert.Equal(t, exitAPI, res.code)
	assert.Contains(t, res.stderr, "as many enrollment tokens as it may")
}

func TestAppleTokensList(t *testing.T) {
	t.Parallel()
	srv := usersServer(t)
	for range 2 {
		require.Equal(t, exitOK, runCLI(t, srv, nil, "", tokenCreates[2].args...).code)
	}
	res := runCLI(t, srv, nil, "", "apple", "enrollment-tokens", "list", "--org", org, "--show-deleted")
	require.Equal(t, exitOK, res.code, res.stderr)
	toks := srv.EnrollmentTokens(org)
	assert.Equal(t, 2, strings.Count(res.stdout, "\tFront desk\n"), res.stdout)
	for _, tok := range toks {
		assert.Contains(t, res.stdout, tok.ID+"\t")
		assert.NotContains(t, res.stdout, tok.OneTimeToken, "the text list leaves the one-time token out")
	}
	res = runCLI(t, srv, nil, "", "apple", "enrollment-tokens", "list", "--org", org, "--output", "json")
	require.Equal(t, exitOK, res.code, res.stderr)
	var list []map[string]any
	require.NoError(t, json.Unmarshal([]byte(res.stdout), &list))
	assert.Len(t, list, 2)
}

func TestTokenQRThatCannotBeWrittenIsALocalFailure(t *testing.T) {
	t.Parallel()
	long, err := json.Marshal(strings.Repeat("x", qrMaxBytes+1))
	require.NoError(t, err)
	for _, tt := range []struct {
		name string
		qr   json.RawMessage
		kind qrKind
	}{
		{"too long for a QR code, to a file", long, qrFile},
		{"too long for a QR code, on the terminal", long, qrTerminal},
		{"no QR code", nil, qrFile},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "t.png")
			var out strings.Builder
			err := writeTokenQR(&applivery.EnrollmentToken{ID: "tok1", QRCode: tt.qr}, tt.kind, path, &out)
			assert.Equal(t, exitLocal, exitStatus(err))
			assert.ErrorContains(t, err, "token tok1 was created, but its QR code could not be written")
			assert.NoFileExists(t, path)
			assert.Empty(t, out.String())
		})
	}
}

// With --qr, a field that holds the one-time token in any spelling is left
// out of the text and the JSON output: a link that carries it raw or
// percent-encoded (as any URL carries a token with "+", "/" or "=").
func TestTokenCreateQRLeavesOutALinkThatHoldsTheTokenInAnyForm(t *testing.T) {
	t.Parallel()
	const ott = "aB3+kQ9/zX7=mP2+wR5/"
	key := appliverytest.Start(t).APIKey
	for _, link := range []string{
		"https://enterprise.google.com/android/enroll?et=" + ott,
		"https://enterprise.google.com/android/enroll?et=" + url.QueryEscape(ott),
		"https://enterprise.google.com/android/enroll/" + url.PathEscape(ott),
		"https://enterprise.google.com/android/enroll?et=" + strings.ToLower(url.QueryEscape(ott)),
	} {
		api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			body, _ := json.Marshal(map[string]any{"status": true, "data": map[string]any{"id": "tok1", "state": "PENDING",
				"enrollmentLink": link, "config": map[string]any{"oneTimeToken": ott, "qrCode": map[string]string{"k": "v"}}}})
			_, _ = w.Write(body)
		}))
		t.Cleanup(api.Close)
		png := filepath.Join(t.TempDir(), "t.png")
		for _, output := range []string{"text", "json"} {
			res := runCLI(t, nil, []string{"APPLIVERY_API_KEY=" + key, "APPLIVERY_BASE_URL=" + api.URL},
				"", "android", "enrollment-tokens", "create", "--org", org, "--mode", "DEVICE_OWNER", "--qr", png, "--output", output)
			require.Equal(t, exitOK, res.code, res.stderr)
			out := res.stdout + res.stderr
			assert.Contains(t, out, "tok1")
			assert.False(t, holdsSecret(out, ott), "--output %s, link %s: %s", output, link, out)
			assert.NotContains(t, out, "enroll", "--output %s: the link is left out", output)
		}
	}
}

func TestHoldsSecret(t *testing.T) {
	t.Parallel()
	const ott = "aB3+kQ9/zX7=mP2<wR5&"
	for _, tt := range []struct {
		name string
		s    string
		want bool
	}{
		{"raw", "https://x.example/e?t=" + ott, true},
		{"query-escaped", "https://x.example/e?t=" + url.QueryEscape(ott), true},
		{"path-escaped", "https://x.example/e/" + url.PathEscape(ott), true},
		{"lower-case hex digits", "https://x.example/e?t=" + strings.ToLower(url.QueryEscape(ott)), true},
		{"every character escaped", "https://x.example/e?t=%61%42%33%2B%6B%51%39%2F%7A%58%37%3D%6D%50%32%3C%77%52%35%26", true},
		{"escaped twice", "https://x.example/e?t=" + url.QueryEscape(url.QueryEscape(ott)), true},
		{"JSON-escaped", `{"link":"https://x.example/e?t=aB3+kQ9/zX7=mP2\u003cwR5\u0026"}`, true},
		{"JSON-escaped slashes", `https:\/\/x.example\/e?t=aB3+kQ9\/zX7=mP2<wR5&`, true},
		{"another token", "https://x.example/e?t=aB3%2BkQ9%2FzX8", false},
		{"no token", "https://x.example/e", false},
	} {
		assert.Equal(t, tt.want, holdsSecret(tt.s, ott), tt.name)
	}
	assert.False(t, holdsSecret("anything", ""), "no token: nothing to hide")
}

// A duration the SDK refuses is quoted as the user typed it, not as the
// SDK's time.Duration writes it (744h0m0s), for one token and for many.
func TestTokenCreateRefusedDurationQuotesWhatWasTyped(t *testing.T) {
	t.Parallel()
	srv := usersServer(t)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"android", "enrollment-tokens", "create", "--org", org, "--mode", "COPE", "--duration", "2678400"},
			`applivery: --duration "2678400": must be`},
		{forUsers(t.TempDir(), "--duration", "2678400"), `--duration \"2678400\": must be`}, // in a JSON line
	} {
		res := runCLI(t, srv, nil, "email\nana@acme.example\n", tt.args...)
		assert.NotEqual(t, exitOK, res.code)
		assert.Contains(t, res.stdout+res.stderr, tt.want)
		assert.NotContains(t, res.stdout+res.stderr, "744h")
	}
	assert.Empty(t, srv.EnrollmentTokens(org))
}
