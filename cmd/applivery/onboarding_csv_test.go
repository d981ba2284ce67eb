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
func TestOnboardingCSVWithAHeaderItCannotReadIsAUsageError(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, csv, want string }{
		{"no email column", "name,tags\nAna,a;b\n", "applivery: the file has no email column"},
		{"an unknown column: a typo would drop it", "email,nmae\nnew@acme.example,New\n", `applivery: unknown column "nmae" in the header line`},
		{"a column twice", "email,Email\nnew@acme.example,new@acme.example\n", `applivery: column "Email" twice in the header line`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := usersServer(t)
			for _, args := range [][]string{
				{"users", "create", "--org", org, "--from", "-", "--output", "json"},
				forUsers(t.TempDir()),
			} {
				res := runCLI(t, srv, nil, tt.csv, args...)
				assert.Equal(t, exitUsage, res.code, res.stderr)
				assert.Contains(t, res.stderr, tt.want)
				assert.Empty(t, res.stdout, "no line: nothing was taken")
			}
			assert.Len(t, srv.Users(org), 2)
			assert.Empty(t, srv.EnrollmentTokens(org))
		})
	}
}
