package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/applivery/applivery-go"
	"github.com/applivery/applivery-go/appliverytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// usersServer is a fake API with org and two users.
func usersServer(t *testing.T) *appliverytest.Server {
	t.Helper()
	srv := appliverytest.Start(t)
	srv.AddOrganization(org)
	srv.AddUser(org, applivery.User{Email: "ana@acme.example", Name: "Ana", Tags: []string{"berlin"}, Language: "es"})
	srv.AddUser(org, applivery.User{Email: "bo@acme.example", Name: "Bo", Tags: []string{"madrid"}})
	return srv
}

// emails are the emails of the users of org.
func emails(srv *appliverytest.Server) []string {
	var out []string
	for _, u := range srv.Users(org) {
		out = append(out, u.Email)
	}
	return out
}

// csvFile writes content to a file of its own and returns its path.
func csvFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "users.csv")
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

func TestUsersList(t *testing.T) {
	t.Parallel()
	srv := usersServer(t)
	res := runCLI(t, srv, nil, "", "users", "list", "--org", org)
	require.Equal(t, exitOK, res.code, res.stderr)
	lines := strings.Split(strings.TrimSpace(res.stdout), "\n")
	require.Len(t, lines, 2)
	assert.Regexp(t, `^[0-9a-f]{24}\tana@acme.example\tAna\tberlin\tes$`, lines[0])
	assert.Regexp(t, `\tbo@acme.example\tBo\tmadrid\t-$`, lines[1])

	res = runCLI(t, srv, nil, "", "users", "list", "--org", org, "--email", "BO@acme.example", "--output", "json")
	require.Equal(t, exitOK, res.code, res.stderr)
	var users []map[string]any
	require.NoError(t, json.Unmarshal([]byte(res.stdout), &users))
	require.Len(t, users, 1)
	assert.Equal(t, "bo@acme.example", users[0]["email"])

	res = runCLI(t, srv, nil, "", "users", "list", "--org", org, "--tag", "berlin")
	assert.Equal(t, 1, strings.Count(res.stdout, "\n"), res.stdout)
}

func TestUsersCreateOne(t *testing.T) {
	t.Parallel()
	srv := usersServer(t)
	res := runCLI(t, srv, nil, "", "users", "create", "--org", org, "--email", "cy@acme.example",
		"--name", "Cy", "--tag", "lisbon", "--tag", "field", "--language", "pt")
	require.Equal(t, exitOK, res.code, res.stderr)
	assert.Regexp(t, `^[0-9a-f]{24}\tcy@acme.example\tCy\tlisbon,field\tpt\n$`, res.stdout)
	assert.Contains(t, emails(srv), "cy@acme.example")

	res = runCLI(t, srv, nil, "", "users", "create", "--org", org, "--email", "ana@acme.example")
	assert.Equal(t, exitExists, res.code)
	assert.Contains(t, res.stderr, "code 5048")
	assert.Contains(t, res.stderr, `"applivery users list --email ana@acme.example" shows the user`)
	assert.Empty(t, res.stdout)

	res = runCLI(t, srv, nil, "", "users", "create", "--org", org, "--email", "x@acme.example", "--language", "xx")
	assert.Equal(t, exitUsage, res.code)
	assert.Contains(t, res.stderr, `--language "xx"`)
	assert.Len(t, srv.Users(org), 3, "nothing sent")
}

func TestUsersCreateRefusals(t *testing.T) {
	t.Parallel()
	srv := usersServer(t)
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"dry run without a file", []string{"--email", "a@b.c", "--dry-run"}, "--dry-run, --after and --concurrency go with --from FILE"},
		{"after without a file", []string{"--email", "a@b.c", "--after", "a@b.c"}, "--after: for a run over a file (--from)"},
		{"one user's flags with a file", []string{"--from", "-", "--name", "Ana"}, "make one user"},
		{"a device", []string{"--from", "-", "--device", device}, "--device: this command takes no device"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := runCLI(t, srv, nil, "email\n", append([]string{"users", "create", "--org", org}, tt.args...)...)
			assert.Equal(t, exitUsage, res.code, res.stderr)
			assert.Contains(t, res.stderr, tt.want)
		})
	}
	assert.Len(t, srv.Users(org), 2)
}

// onboardingCSV has its columns out of order and in another case, an
// existing user, two new ones, a bad email and a bad language.
const onboardingCSV = "\uFEFFLanguage,EMAIL,Tags,name\n" +
	"es,ana@acme.example,berlin,Ana\n" +
	"# a comment\n" +
	"en,cy@acme.example,lisbon;field,Cy\n" +
	"de,not-an-email,,Nobody\n" +
	"xx,dee@acme.example,,Dee\n" +
	",eve@acme.example, a ; b ,\"Eve, the second\"\n"

func TestUsersCreateFromCSV(t *testing.T) {
	t.Parallel()
	srv := usersServer(t)
	path := csvFile(t, onboardingCSV)
	res := runCLI(t, srv, nil, "", "users", "create", "--org", org, "--from", path, "--output", "json")
	assert.Equal(t, exitSomeFailed, res.code, res.stderr)
	lines := jsonLinesBy(t, res.stdout, "email")
	require.Len(t, lines, 5, res.stdout)
	assert.Equal(t, true, lines["ana@acme.example"]["existing"])
	assert.Equal(t, "Ana", lines["ana@acme.example"]["user"].(map[string]any)["name"])
	assert.Nil(t, lines["cy@acme.example"]["existing"])
	assert.Equal(t, []any{"lisbon", "field"}, lines["cy@acme.example"]["user"].(map[string]any)["tags"])
	assert.Equal(t, []any{"a", "b"}, lines["eve@acme.example"]["user"].(map[string]any)["tags"])
	assert.Equal(t, "Eve, the second", lines["eve@acme.example"]["user"].(map[string]any)["name"])
	for _, bad := range []string{"not-an-email", "dee@acme.example"} {
		assert.Equal(t, false, lines[bad]["ok"], bad)
		assert.Equal(t, float64(exitUsage), lines[bad]["error"].(map[string]any)["exit"], bad)
	}
	assert.Contains(t, lines["dee@acme.example"]["error"].(map[string]any)["message"], `line 6: language "xx"`)
	assert.Contains(t, res.stderr, "applivery: 5 users: 3 succeeded, 2 failed")
	assert.ElementsMatch(t, []string{"ana@acme.example", "bo@acme.example", "cy@acme.example", "eve@acme.example"}, emails(srv))

	// A re-run of the same file creates nothing twice.
	res = runCLI(t, srv, nil, "", "users", "create", "--org", org, "--from", path)
	assert.Equal(t, exitSomeFailed, res.code, res.stderr)
	assert.Contains(t, res.stdout, "cy@acme.example\tok\tuser ")
	assert.Equal(t, 3, strings.Count(res.stdout, " existing\n"), res.stdout)
	assert.Len(t, srv.Users(org), 4)
}

// jsonLinesBy reads the JSON lines of a run by their member key.
func jsonLinesBy(t *testing.T, stdout, key string) map[string]map[string]any {
	t.Helper()
	lines := map[string]map[string]any{}
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &m), line)
		name, _ := m[key].(string)
		if name == "" {
			name = "end"
		}
		lines[name] = m
	}
	return lines
}

func TestUsersCreateFromCSVDryRun(t *testing.T) {
	t.Parallel()
	srv := usersServer(t)
	res := runCLI(t, srv, nil, "email\nana@acme.example\nnew@acme.example\n", "users", "create", "--org", org,
		"--from", "-", "--dry-run", "--output", "json")
	require.Equal(t, exitOK, res.code, res.stderr)
	lines := jsonLinesBy(t, res.stdout, "email")
	assert.Equal(t, true, lines["ana@acme.example"]["existing"])
	assert.Equal(t, map[string]any{"email": "new@acme.example", "ok": true, "dryRun": true, "wouldCreate": "user"}, lines["new@acme.example"])
	assert.Len(t, srv.Users(org), 2, "a dry run creates nothing")
}

func TestUsersCreateFromAMalformedCSV(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, csv, after, want string
		created                []string
	}{
		{"a row of another field count", "email,name\nnew@acme.example,New\nbad@acme.example\nlate@acme.example,Late\n",
			"new@acme.example", "wrong number of fields", []string{"new@acme.example"}},
		{"a stray quote", "email\nnew@acme.example\nba\"d@acme.example\n", "new@acme.example", "bare \"", []string{"new@acme.example"}},
		{"an empty file", "", "", "no header line", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := usersServer(t)
			res := runCLI(t, srv, nil, tt.csv, "users", "create", "--org", org, "--from", "-", "--concurrency", "1", "--output", "json")
			assert.Equal(t, exitIncomplete, res.code, res.stderr)
			end := jsonLinesBy(t, res.stdout, "email")["end"]
			assert.Equal(t, true, end["incomplete"], res.stdout)
			assert.Equal(t, tt.after, end["after"])
			assert.Contains(t, end["error"].(map[string]any)["message"], tt.want)
			assert.Contains(t, res.stderr, "the user list is incomplete")
			assert.ElementsMatch(t, append([]string{"ana@acme.example", "bo@acme.example"}, tt.created...), emails(srv))
		})
	}
}

// Rows whose emails differ in letter case are one user: the first is
// created, and the later one's line says which line it repeats, skipped.
func TestUsersCreateFromCSVCreatesAnEmailInAnyLetterCaseOnce(t *testing.T) {
	t.Parallel()
	srv := usersServer(t)
	csv := "email,name\nnew@acme.example,New\nNEW@acme.example,Again\nnew@acme.example,Thrice\n"
	res := runCLI(t, srv, nil, csv, "users", "create", "--org", org, "--from", "-", "--output", "json", "--concurrency", "1")
	require.Equal(t, exitOK, res.code, res.stderr)
	lines := jsonLinesBy(t, res.stdout, "email")
	assert.Equal(t, true, lines["new@acme.example"]["ok"])
	assert.Contains(t, lines["NEW@acme.example"]["skipped"], "duplicates line 2")
	assert.Len(t, strings.Split(strings.TrimSpace(res.stdout), "\n"), 3, "a line for each row")
	assert.ElementsMatch(t, []string{"ana@acme.example", "bo@acme.example", "new@acme.example"}, emails(srv))

	// --after takes the email in any case.
	res = runCLI(t, srv, nil, "email\none@acme.example\ntwo@acme.example\n", "users", "create", "--org", org,
		"--from", "-", "--after", "ONE@acme.example")
	require.Equal(t, exitOK, res.code, res.stderr)
	assert.Contains(t, emails(srv), "two@acme.example")
	assert.NotContains(t, emails(srv), "one@acme.example")
}

func TestUsersCreateFromCSVResumesAfter(t *testing.T) {
	t.Parallel()
	srv := usersServer(t)
	csv := "email\none@acme.example\ntwo@acme.example\nthree@acme.example\n"
	res := runCLI(t, srv, nil, csv, "users", "create", "--org", org, "--from", "-", "--after", "two@acme.example")
	require.Equal(t, exitOK, res.code, res.stderr)
	assert.ElementsMatch(t, []string{"ana@acme.example", "bo@acme.example", "three@acme.example"}, emails(srv))

	res = runCLI(t, srv, nil, csv, "users", "create", "--org", org, "--from", "-", "--after", "nobody@acme.example")
	assert.Equal(t, exitUsage, res.code)
	assert.Contains(t, res.stderr, "--after nobody@acme.example: no such user in the list")
}

func TestUsersCreateWhoseOutcomeIsUnknown(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name     string
		fault    appliverytest.Fault
		ok       bool
		existing bool
	}{
		{"created, the answer lost", appliverytest.Fault{Status: 502, Applied: true}, true, false},
		{"not created", appliverytest.Fault{Status: 502}, false, false},
		{"5048 with no retry", appliverytest.Fault{Code: 5048}, false, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := usersServer(t)
			srv.Script(appliverytest.EndpointUserCreate, tt.fault)
			res := runCLI(t, srv, nil, "email\nnew@acme.example\n", "users", "create", "--org", org, "--from", "-",
				"--output", "json", "--max-retries", "0")
			line := jsonLinesBy(t, res.stdout, "email")["new@acme.example"]
			assert.Equal(t, tt.ok, line["ok"], res.stdout)
			assert.Equal(t, tt.existing, line["existing"] == true)
			if !tt.ok {
				assert.Equal(t, exitSomeFailed, res.code)
				assert.Contains(t, line["error"].(map[string]any)["message"], "no user with that email")
			}
			if tt.name == "not created" { // not certain: a re-run is what is safe
				assert.Contains(t, line["error"].(map[string]any)["message"],
					"is listed after the unknown outcome, so it may not have been created: a re-run is safe, as the API refuses an email it holds")
			}
		})
	}
}

// interruptedOnboarding are the runs over a file that an interrupt stops:
// the endpoint each user's work ends with, and what it made.
var interruptedOnboarding = []struct {
	name     string
	endpoint appliverytest.Endpoint
	args     func(t *testing.T) []string
	made     func(srv *appliverytest.Server) int
}{
	{"users create", appliverytest.EndpointUserCreate, func(*testing.T) []string {
		return []string{"users", "create", "--org", org, "--from", "-"}
	}, func(srv *appliverytest.Server) int { return len(srv.Users(org)) - 2 }},
	{"tokens for users", appliverytest.EndpointAndroidEnrollmentTokenCreate, func(t *testing.T) []string {
		return []string{"android", "enrollment-tokens", "create", "--org", org, "--mode", "COPE", "--for-users", "-", "--qr-dir", t.TempDir()}
	}, func(srv *appliverytest.Server) int { return len(srv.EnrollmentTokens(org)) }},
}

func TestOnboardingInterrupted(t *testing.T) {
	t.Parallel()
	for _, run := range interruptedOnboarding {
		t.Run(run.name, func(t *testing.T) {
			t.Parallel()
			srv := usersServer(t)
			if run.endpoint != appliverytest.EndpointUserCreate {
				for _, email := range []string{"a@x.example", "b@x.example", "c@x.example", "d@x.example"} {
					srv.AddUser(org, applivery.User{Email: email})
				}
			}
			slow := appliverytest.Fault{Latency: 200 * time.Millisecond}
			srv.Script(run.endpoint, slow, slow)
			sigs := make(chan os.Signal, 1)
			var stdout, stderr bytes.Buffer
			a := &app{getenv: func(k string) string {
				return map[string]string{"APPLIVERY_API_KEY": srv.APIKey, "APPLIVERY_BASE_URL": srv.URL}[k]
			}, stdin: strings.NewReader("email\na@x.example\nb@x.example\nc@x.example\nd@x.example\n"), stdout: &stdout, stderr: &stderr, signals: sigs}
			code := make(chan int, 1)
			go func() {
				code <- a.run(context.Background(), append(run.args(t), "--concurrency", "2", "--output", "json"))
			}()
			require.Eventually(t, func() bool {
				n := 0
				for _, r := range srv.Requests() {
					if r.Endpoint == run.endpoint {
						n++
					}
				}
				return n == 2
			}, 10*time.Second, time.Millisecond, "two users in flight")
			sigs <- os.Interrupt
			assert.Equal(t, exitInterrupted, <-code)
			lines := jsonLinesBy(t, stdout.String(), "email")
			assert.Len(t, lines, 3, stdout.String())
			assert.Equal(t, true, lines["end"]["interrupted"])
			assert.Equal(t, 2, run.made(srv), "the two in flight finished, no more were taken")
		})
	}
}
