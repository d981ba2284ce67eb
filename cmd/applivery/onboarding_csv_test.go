package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// A UTF-8 byte order mark goes before the CSV reader sees the header: a
// file that starts with one and quotes its header (pandas' utf-8-sig with
// QUOTE_ALL, some Excel exports) is read as any other.
func TestOnboardingCSVWithABOMAndAQuotedHeaderIsRead(t *testing.T) {
	t.Parallel()
	for _, csv := range []string{
		"\uFEFF\"email\",\"name\"\r\n\"cy@acme.example\",\"Cy\"\r\n",
		"\uFEFFemail,name\ncy@acme.example,Cy\n",
	} {
		srv := usersServer(t)
		res := runCLI(t, srv, nil, csv, "users", "create", "--org", org, "--from", "-", "--output", "json")
		assert.Equal(t, exitOK, res.code, res.stdout+res.stderr)
		assert.Contains(t, emails(srv), "cy@acme.example")
	}
}

// A file whose header has no email column is no onboarding file: a usage
// error, with nothing done and no "incomplete" line, for both runs.
func TestOnboardingCSVWithoutAnEmailColumnIsAUsageError(t *testing.T) {
	t.Parallel()
	srv := usersServer(t)
	for _, args := range [][]string{
		{"users", "create", "--org", org, "--from", "-", "--output", "json"},
		forUsers(t.TempDir()),
	} {
		res := runCLI(t, srv, nil, "name,tags\nAna,a;b\n", args...)
		assert.Equal(t, exitUsage, res.code, res.stderr)
		assert.Contains(t, res.stderr, "applivery: the file has no email column")
		assert.Empty(t, res.stdout, "no line: nothing was taken")
	}
	assert.Len(t, srv.Users(org), 2)
	assert.Empty(t, srv.EnrollmentTokens(org))
}
