package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/applivery/applivery-go/appliverytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// forUsers is the command line of a token for each user of stdin.
func forUsers(dir string, extra ...string) []string {
	return append([]string{"android", "enrollment-tokens", "create", "--org", org, "--mode", "DEVICE_OWNER",
		"--for-users", "-", "--qr-dir", dir, "--output", "json"}, extra...)
}

func TestTokensForUsersWriteAQRCodeEach(t *testing.T) {
	t.Parallel()
	srv := usersServer(t)
	dir := filepath.Join(t.TempDir(), "qr", "codes") // made by the run
	csv := "email,name\nana@acme.example,Ana\nbo@acme.example,Bo\nnobody@acme.example,Nobody\n"
	res := runCLI(t, srv, nil, csv, forUsers(dir, "--verbose")...)
	assert.Equal(t, exitSomeFailed, res.code, res.stderr)
	lines := jsonLinesBy(t, res.stdout, "email")
	require.Len(t, lines, 3, res.stdout)
	toks := srv.EnrollmentTokens(org)
	require.Len(t, toks, 2)
	users := map[string]string{}
	for _, u := range srv.Users(org) {
		users[u.ID] = u.Email
	}
	for _, tok := range toks {
		var raw struct {
			MDMUser struct{ ID, Email string } `json:"mdmUser"`
		}
		require.NoError(t, json.Unmarshal(tok.Raw, &raw))
		email := users[raw.MDMUser.ID]
		require.NotEmpty(t, email, "a token for a user of the file, by the user's ID")
		assert.Equal(t, email, raw.MDMUser.Email)
		line := lines[email]
		path := filepath.Join(dir, email+".png")
		assert.Equal(t, map[string]any{"email": email, "ok": true, "qr": path,
			"token": map[string]any{"id": tok.ID, "expiresAt": timestamp(tok.ExpiresAt)}}, line)
		png, err := os.ReadFile(path)
		require.NoError(t, err)
		assert.Equal(t, []byte(tok.QRCode), decodeQRPNG(t, png))
		assert.NotContains(t, res.stdout+res.stderr, tok.OneTimeToken)
	}
	missing := lines["nobody@acme.example"]
	assert.Equal(t, float64(exitNotFound), missing["error"].(map[string]any)["exit"])
	assert.Contains(t, missing["error"].(map[string]any)["message"], "users create --org "+org+" --from FILE")
	assertFiles(t, dir, "ana@acme.example.png", "bo@acme.example.png")

	// A re-run makes no token twice: the users with a PNG are skipped.
	require.NoError(t, os.Remove(filepath.Join(dir, "bo@acme.example.png")))
	res = runCLI(t, srv, nil, csv, forUsers(dir)...)
	assert.Equal(t, exitSomeFailed, res.code, res.stderr)
	lines = jsonLinesBy(t, res.stdout, "email")
	assert.Contains(t, lines["ana@acme.example"]["skipped"], "its QR code is there already")
	assert.Equal(t, true, lines["bo@acme.example"]["ok"])
	assert.NotNil(t, lines["bo@acme.example"]["token"], "a new token for the user whose PNG was deleted")
	assert.Len(t, srv.EnrollmentTokens(org), 3)
}

func TestTokensForUsersDryRun(t *testing.T) {
	t.Parallel()
	srv := usersServer(t)
	dir := filepath.Join(t.TempDir(), "qr")
	res := runCLI(t, srv, nil, "email\nana@acme.example\n", forUsers(dir, "--dry-run")...)
	require.Equal(t, exitOK, res.code, res.stderr)
	line := jsonLinesBy(t, res.stdout, "email")["ana@acme.example"]
	assert.Equal(t, "token", line["wouldCreate"])
	assert.Empty(t, srv.EnrollmentTokens(org))
	assert.NoDirExists(t, dir, "a dry run changes nothing")

	require.NoError(t, os.Mkdir(dir, 0o755))
	res = runCLI(t, srv, nil, "email\nana@acme.example\n", forUsers(dir, "--dry-run")...)
	require.Equal(t, exitOK, res.code, res.stderr)
	assertFiles(t, dir) // no marker either
}

func TestTokensForUsersStopAtTheLimit(t *testing.T) {
	t.Parallel()
	srv := usersServer(t)
	srv.SetEnrollmentTokenLimit(org, 1)
	dir := t.TempDir()
	csv := "email\nana@acme.example\nbo@acme.example\ncy@acme.example\n"
	res := runCLI(t, srv, nil, csv, forUsers(dir, "--concurrency", "1")...)
	assert.Equal(t, exitIncomplete, res.code, res.stderr)
	lines := jsonLinesBy(t, res.stdout, "email")
	assert.Equal(t, true, lines["ana@acme.example"]["ok"])
	assert.Equal(t, false, lines["bo@acme.example"]["ok"])
	assert.Contains(t, lines["bo@acme.example"]["error"].(map[string]any)["message"], "code 5017")
	assert.NotContains(t, lines, "cy@acme.example", "no more users were taken")
	assert.Equal(t, map[string]any{"incomplete": true, "after": "bo@acme.example",
		"error": lines["end"]["error"]}, lines["end"])
	assert.Contains(t, res.stderr, "stopped: no more users were taken")
	assert.Len(t, srv.EnrollmentTokens(org), 1)
}

func TestTokensForUsersAreNeverSentTwice(t *testing.T) {
	t.Parallel()
	srv := usersServer(t)
	srv.Script(appliverytest.EndpointAndroidEnrollmentTokenCreate, appliverytest.Fault{Status: 503, Applied: true})
	res := runCLI(t, srv, nil, "email\nana@acme.example\n", forUsers(t.TempDir(), "--max-retries", "3")...)
	assert.Equal(t, exitSomeFailed, res.code, res.stderr)
	line := jsonLinesBy(t, res.stdout, "email")["ana@acme.example"]
	assert.Contains(t, line["error"].(map[string]any)["message"], "check the organization's enrollment tokens in the Applivery console")
	assert.Len(t, srv.EnrollmentTokens(org), 1, "created once, never sent again")
}

func TestTokensForUsersRefusals(t *testing.T) {
	t.Parallel()
	srv := usersServer(t)
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"no --qr-dir", []string{"android", "enrollment-tokens", "create", "--org", org, "--mode", "COPE", "--for-users", "-"}, "--for-users needs --qr-dir DIR"},
		{"--qr with it", forUsers(t.TempDir(), "--qr", "x.png"), "with --for-users they go to --qr-dir"},
		{"--user with it", forUsers(t.TempDir(), "--user", "0123456789abcdef01234567"), "--user names one user"},
		{"--qr-dir a file", forUsers(file), "not a directory"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := runCLI(t, srv, nil, "email\nana@acme.example\n", tt.args...)
			assert.Equal(t, exitUsage, res.code, res.stderr)
			assert.Contains(t, res.stderr, tt.want)
		})
	}
	assert.Empty(t, srv.EnrollmentTokens(org))
}

func TestQRPath(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		email string
		ok    bool
	}{
		{"ana@acme.example", true},
		{"ana+kiosk@acme.example", true},
		{"../ana@acme.example", false},
		{"a/b@acme.example", false},
		{`a\b@acme.example`, false},
		{"ana@..", false},
		{"ana..x@acme.example", false},
	} {
		t.Run(tt.email, func(t *testing.T) {
			path, err := qrPath("dir", tt.email)
			if !tt.ok {
				assert.Equal(t, exitUsage, exitStatus(err))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, filepath.Join("dir", tt.email+".png"), path)
			assert.False(t, strings.Contains(path, ".."))
		})
	}
}

// Two rows whose emails differ in letter case name one user, as the lookup
// by email finds it: the user gets one token, whose PNG is named by the
// email in lower case, and the later row's line says which line it repeats.
func TestTokensForUsersMakeOneTokenForAnEmailInAnyLetterCase(t *testing.T) {
	t.Parallel()
	srv := usersServer(t)
	dir := t.TempDir()
	csv := "email\nANA@acme.example\nana@acme.example\n"
	res := runCLI(t, srv, nil, csv, forUsers(dir, "--concurrency", "1")...)
	require.Equal(t, exitOK, res.code, res.stderr)
	assert.Len(t, srv.EnrollmentTokens(org), 1, "one user, one token: the second row names the same user")
	lines := jsonLinesBy(t, res.stdout, "email")
	assert.Equal(t, true, lines["ANA@acme.example"]["ok"])
	assert.Equal(t, filepath.Join(dir, "ana@acme.example.png"), lines["ANA@acme.example"]["qr"])
	assert.Contains(t, lines["ana@acme.example"]["skipped"], "duplicates line 2")
	assertFiles(t, dir, "ana@acme.example.png")

	// A later file that writes the email in another case finds its PNG.
	res = runCLI(t, srv, nil, "email\nAna@Acme.Example\n", forUsers(dir)...)
	require.Equal(t, exitOK, res.code, res.stderr)
	assert.Contains(t, jsonLinesBy(t, res.stdout, "email")["Ana@Acme.Example"]["skipped"], "its QR code is there already")
	assert.Len(t, srv.EnrollmentTokens(org), 1)
}

// A create whose outcome is unknown (the server made the token, the answer
// was lost) leaves DIR/EMAIL.pending: a re-run of the file sends no second
// create for that user, and says to check the console and delete the
// marker; once deleted, a re-run makes a token.
func TestTokensForUsersSendNoSecondCreateAfterAnUnknownOutcome(t *testing.T) {
	t.Parallel()
	srv := usersServer(t)
	dir := t.TempDir()
	csv := "email\nana@acme.example\n"
	marker := filepath.Join(dir, "ana@acme.example.pending")
	srv.Script(appliverytest.EndpointAndroidEnrollmentTokenCreate, appliverytest.Fault{Applied: true, Drop: true})
	res := runCLI(t, srv, nil, csv, forUsers(dir)...)
	require.Equal(t, exitSomeFailed, res.code, res.stderr)
	require.Len(t, srv.EnrollmentTokens(org), 1, "the first run's create was carried out")
	assert.Contains(t, jsonLinesBy(t, res.stdout, "email")["ana@acme.example"]["error"].(map[string]any)["message"], marker+" stays")
	assertFiles(t, dir, "ana@acme.example.pending")

	for _, extra := range [][]string{nil, {"--dry-run"}} {
		res = runCLI(t, srv, nil, csv, forUsers(dir, extra...)...)
		assert.Equal(t, exitSomeFailed, res.code, res.stderr)
		msg := jsonLinesBy(t, res.stdout, "email")["ana@acme.example"]["error"].(map[string]any)["message"]
		assert.Contains(t, msg, marker+" is there")
		assert.Contains(t, msg, "Applivery console (the token may exist), then delete the file")
		assert.Len(t, srv.EnrollmentTokens(org), 1, "the re-run must not create the user's token again")
	}

	require.NoError(t, os.Remove(marker))
	res = runCLI(t, srv, nil, csv, forUsers(dir)...)
	require.Equal(t, exitOK, res.code, res.stderr)
	assert.Len(t, srv.EnrollmentTokens(org), 2)
	assertFiles(t, dir, "ana@acme.example.png")
}

// A token created whose PNG could not be written (here: the API sent no QR
// code) keeps its marker: the token exists, and a re-run makes no second.
func TestTokensForUsersKeepTheMarkerOfATokenWithoutItsPNG(t *testing.T) {
	t.Parallel()
	srv := usersServer(t)
	target, err := url.Parse(srv.URL)
	require.NoError(t, err)
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: target.Scheme, Host: target.Host})
	proxy.ModifyResponse = func(r *http.Response) error { // the token's qrCode renamed
		body, err := io.ReadAll(r.Body)
		body = bytes.ReplaceAll(body, []byte(`"qrCode"`), []byte(`"qrCodeGone"`))
		r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
		r.Header.Del("Content-Length")
		return err
	}
	api := httptest.NewServer(proxy)
	t.Cleanup(api.Close)
	env := []string{"APPLIVERY_API_KEY=" + srv.APIKey, "APPLIVERY_BASE_URL=" + api.URL + target.Path}
	dir := t.TempDir()
	for range 2 {
		res := runCLI(t, nil, env, "email\nana@acme.example\n", forUsers(dir)...)
		assert.Equal(t, exitSomeFailed, res.code, res.stderr)
		assert.Contains(t, res.stdout, "ana@acme.example.pending")
		assertFiles(t, dir, "ana@acme.example.pending")
		assert.Len(t, srv.EnrollmentTokens(org), 1, "created once, its PNG missing: not created again")
	}
}

// An API's refusal of the create (here the organization's limit) says no
// token was made: the marker goes, and a re-run may try the user again.
func TestTokensForUsersRemoveTheMarkerWhenTheAPIRefusedTheCreate(t *testing.T) {
	t.Parallel()
	srv := usersServer(t)
	srv.SetEnrollmentTokenLimit(org, 1)
	dir := t.TempDir()
	res := runCLI(t, srv, nil, "email\nana@acme.example\nbo@acme.example\n", forUsers(dir, "--concurrency", "1")...)
	assert.Equal(t, exitSomeFailed, res.code, res.stderr)
	assertFiles(t, dir, "ana@acme.example.png")
}
