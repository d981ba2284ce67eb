package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/applivery/applivery-go"
	"github.com/applivery/applivery-go/appliverytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const org = "acme-fleet"

// runAgainst runs the program with a key for srv, so that the test sees
// what the program did there.
func runAgainst(t *testing.T, srv *appliverytest.Server, args ...string) (int, string, string) {
	t.Helper()
	env := map[string]string{"APPLIVERY_API_KEY": srv.APIKey, "APPLIVERY_BASE_URL": srv.URL}
	var stdout, stderr strings.Builder
	code := run(context.Background(), args, func(k string) string { return env[k] }, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// newServer starts a server that holds the organization, and nothing else.
func newServer(t *testing.T) *appliverytest.Server {
	t.Helper()
	srv := appliverytest.Start(t)
	srv.AddOrganization(org)
	return srv
}

// sent counts the requests srv received on the endpoint.
func sent(srv *appliverytest.Server, e appliverytest.Endpoint) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.Endpoint == e {
			n++
		}
	}
	return n
}

// assertNoSecret fails when any one-time token the server handed out shows
// in the output.
func assertNoSecret(t *testing.T, srv *appliverytest.Server, outputs ...string) {
	t.Helper()
	tokens := srv.EnrollmentTokens(org)
	require.NotEmpty(t, tokens)
	for _, tok := range tokens {
		require.NotEmpty(t, tok.OneTimeToken)
		for _, out := range outputs {
			assert.NotContains(t, out, tok.OneTimeToken, "a one-time token was printed")
		}
	}
}

// userIDs returns the IDs the output gives each person, by email.
func userIDs(out string) map[string]string {
	ids := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^(\S+@\S+) .*user ([0-9a-f]{24})$`).FindAllStringSubmatch(out, -1) {
		ids[m[1]] = m[2]
	}
	return ids
}

const tokenLines = `  token [0-9a-f]{24}, expires \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n` +
	`  link  https://enterprise\.google\.com/android/enroll\?et=\[REDACTED\]\n`

func TestTheDemoRunsWithNoKey(t *testing.T) {
	t.Parallel()
	var stdout, stderr strings.Builder
	code := run(context.Background(), nil, func(string) string { return "" }, &stdout, &stderr)
	require.Equal(t, 0, code, stderr.String())
	assert.Empty(t, stderr.String())
	assert.Regexp(t, `^APPLIVERY_API_KEY is not set: running against an embedded demo server\.\n`+
		`Onboarding 3 people in organization acme-fleet, each with an Android enrollment token valid 7 days\.\n`+
		`ana@acme\.example \(Ana García\): created user [0-9a-f]{24}\n`+tokenLines+
		`ben@acme\.example \(Ben Okafor\): created user [0-9a-f]{24}\n`+tokenLines+
		`chen@acme\.example \(Chen Wei\): created user [0-9a-f]{24}\n`+tokenLines+
		`Done\. The one-time tokens are secrets, never printed: fmt redacts them, as %\+v of the last token shows\n`+
		`\(Raw and QRCode, which hold the token too, left out for brevity\):\n`+
		`  \{ID:[0-9a-f]{24} Type:android .* OneTimeToken:\[REDACTED\] EnrollmentLink:https://enterprise\.google\.com/android/enroll\?et=\[REDACTED\] .*\}\n$`,
		stdout.String())
}

func TestAnOnboardingTokenPerPerson(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	code, out, errOut := runAgainst(t, srv, "-days", "30")
	require.Equal(t, 0, code, errOut)
	assert.NotContains(t, out, "demo server")
	assert.Contains(t, out, "valid 30 days")

	users := srv.Users(org)
	require.Len(t, users, 3)
	assert.Equal(t, "Ana García", users[0].Name)
	ids := userIDs(out)
	tokens := srv.EnrollmentTokens(org)
	require.Len(t, tokens, 3)
	for i, u := range users {
		assert.Equal(t, u.ID, ids[u.Email])
		tok := tokens[i]
		assert.Equal(t, applivery.ManagementModeDeviceOwner, tok.ManagementMode)
		assert.Contains(t, string(tok.Raw), `"mdmUserId":"`+u.ID+`"`, "the token is the user's")
		assert.Contains(t, out, "  token "+tok.ID+", expires "+tok.ExpiresAt.UTC().Format("2006-01-02T15:04:05Z")+"\n")
		assert.InDelta(t, 30*24, tok.ExpiresAt.Sub(tok.CreatedAt).Hours(), 0.01)
	}
	assertNoSecret(t, srv, out, errOut)
}

func TestASecondRunFindsTheUsers(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	code, first, errOut := runAgainst(t, srv)
	require.Equal(t, 0, code, errOut)
	code, second, errOut := runAgainst(t, srv)
	require.Equal(t, 0, code, errOut)

	assert.Regexp(t, `ana@acme\.example \(Ana García\): existing user [0-9a-f]{24}\n`+tokenLines, second)
	assert.NotContains(t, second, "created user")
	assert.Equal(t, userIDs(first), userIDs(second), "the same users, found by email")
	assert.Len(t, srv.Users(org), 3, "no user created twice")
	assert.Len(t, srv.EnrollmentTokens(org), 6, "a new token each run")
	assertNoSecret(t, srv, first, second, errOut)
}

func TestAnExistingUserIsFoundWhateverTheCase(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	ben := srv.AddUser(org, applivery.User{Email: "Ben@ACME.example", Name: "Ben"})
	code, out, errOut := runAgainst(t, srv)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "ben@acme.example (Ben Okafor): existing user "+ben.ID+"\n")
	assert.Len(t, srv.Users(org), 3)
}

func TestALostUserCreateIsLookedUpFirst(t *testing.T) {
	t.Parallel()
	t.Run("it was created", func(t *testing.T) {
		t.Parallel()
		srv := newServer(t)
		srv.Script(appliverytest.EndpointUserCreate, appliverytest.Fault{Status: 503, Applied: true})
		code, out, errOut := runAgainst(t, srv)
		require.Equal(t, 0, code, errOut)
		assert.Regexp(t, `ana@acme\.example \(Ana García\): created \(found by email after a lost answer\) user [0-9a-f]{24}\n`, out)
		assert.Len(t, srv.Users(org), 3)
		assert.Equal(t, 3, sent(srv, appliverytest.EndpointUserCreate), "no second create")
	})
	t.Run("it was not", func(t *testing.T) {
		t.Parallel()
		srv := newServer(t)
		srv.Script(appliverytest.EndpointUserCreate, appliverytest.Fault{Status: 503})
		code, out, errOut := runAgainst(t, srv)
		require.Equal(t, 0, code, errOut)
		assert.Contains(t, out, "ana@acme.example (Ana García): created user ")
		assert.Len(t, srv.Users(org), 3)
		assert.Equal(t, 4, sent(srv, appliverytest.EndpointUserCreate), "created again once the list showed no user")
	})
	t.Run("twice lost, not found", func(t *testing.T) {
		t.Parallel()
		srv := newServer(t)
		srv.Script(appliverytest.EndpointUserCreate, appliverytest.Fault{Status: 503}, appliverytest.Fault{Status: 503})
		code, out, errOut := runAgainst(t, srv)
		assert.Equal(t, 1, code)
		assert.NotContains(t, out, "user ")
		assert.Contains(t, errOut, "ana@acme.example: ")
		assert.Equal(t, 2, sent(srv, appliverytest.EndpointUserCreate), "no third try")
	})
}

func TestTheTokenLimit(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	srv.SetEnrollmentTokenLimit(org, 2)
	code, out, errOut := runAgainst(t, srv)
	assert.Equal(t, 3, code)
	assert.Equal(t, 2, strings.Count(out, "  token "))
	assert.Contains(t, out, "chen@acme.example (Chen Wei): created user ")
	assert.Contains(t, errOut, "Organization acme-fleet is at its limit of enrollment tokens: 2 of 3 people got one.\n")
	assert.Contains(t, errOut, "then onboard the rest: chen@acme.example.\n")
	assert.Contains(t, errOut, "(code 5017)")
	assert.Len(t, srv.EnrollmentTokens(org), 2)
	assertNoSecret(t, srv, out, errOut)
}

func TestALostTokenCreateIsNotSentAgain(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	srv.Script(appliverytest.EndpointAndroidEnrollmentTokenCreate, appliverytest.Fault{Status: 503, Applied: true})
	code, out, errOut := runAgainst(t, srv)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "ana@acme.example: the enrollment token may have been created")
	assert.NotContains(t, out, "  token ")
	assert.Equal(t, 1, sent(srv, appliverytest.EndpointAndroidEnrollmentTokenCreate), "sent once")
	assertNoSecret(t, srv, out, errOut)
}

func TestAPeopleFile(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	path := filepath.Join(t.TempDir(), "people.csv")
	require.NoError(t, os.WriteFile(path, []byte("# new starters\nzoe@acme.example, Zoë Brandt\nyu@acme.example\n"), 0o600))
	code, out, errOut := runAgainst(t, srv, "-people", path)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "Onboarding 2 people")
	assert.Contains(t, out, "zoe@acme.example (Zoë Brandt): created user ")
	assert.Contains(t, out, "yu@acme.example: created user ")
	users := srv.Users(org)
	require.Len(t, users, 2)
	assert.Equal(t, "Zoë Brandt", users[0].Name)
	assert.Empty(t, users[1].Name)
}

func TestBadFlagsAndFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := func(name, text string) string {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
		return path
	}
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"an unknown flag", []string{"-nope"}, "flag provided but not defined: -nope"},
		{"no days", []string{"-days", "0"}, "-days is 0: a token is valid 1 to 30 days\n"},
		{"too many days", []string{"-days", "31"}, "-days is 31: a token is valid 1 to 30 days\n"},
		{"no file", []string{"-people", filepath.Join(dir, "absent.csv")}, "absent.csv: no such file or directory"},
		{"three columns", []string{"-people", file("wide.csv", "email,name\na@acme.example,A,x\n")}, "wide.csv:2: 3 columns: want email,name\n"},
		{"twice", []string{"-people", file("twice.csv", "a@acme.example\nA@acme.example,A\n")}, "twice.csv:2: A@acme.example is listed twice\n"},
		{"no email", []string{"-people", file("noemail.csv", "a@acme.example\n,Bea\n")}, "noemail.csv:2: no email\n"},
		{"nobody", []string{"-people", file("empty.csv", "email,name\n")}, "empty.csv: nobody to onboard\n"},
		{"bad CSV", []string{"-people", file("quote.csv", "a@acme.example,\"A\n")}, "quote.csv: parse error on line 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			code, out, errOut := runAgainst(t, srv, tt.args...)
			assert.Equal(t, 2, code)
			assert.Empty(t, out)
			assert.Contains(t, errOut, tt.wantErr)
			assert.Empty(t, srv.Requests(), "nothing sent")
		})
	}
}

func TestAnInvalidEmailIsRefusedBeforeTheWire(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	path := filepath.Join(t.TempDir(), "people.csv")
	require.NoError(t, os.WriteFile(path, []byte("not an address\n"), 0o600))
	code, _, errOut := runAgainst(t, srv, "-people", path)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, `not an address: applivery: invalid email`)
	assert.Empty(t, srv.Requests())
}

func TestSendEmail(t *testing.T) {
	t.Parallel()
	for _, want := range []bool{false, true} {
		srv := newServer(t)
		args := []string{}
		if want {
			args = append(args, "-send-email")
		}
		code, _, errOut := runAgainst(t, srv, args...)
		require.Equal(t, 0, code, errOut)
		n := 0
		for _, r := range srv.Requests() {
			if r.Endpoint == appliverytest.EndpointAndroidEnrollmentTokenCreate {
				n++
				assert.Contains(t, string(r.Body), fmt.Sprintf(`"sendEmail":%t`, want))
			}
		}
		assert.Equal(t, 3, n)
	}
}
