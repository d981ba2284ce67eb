package main

import (
	"testing"

	"github.com/applivery/applivery-go/appliverytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Review: the help promises that "a re-run of the file makes no token
// twice", but a create whose outcome is unknown (the server made the token
// and the answer was lost) leaves no PNG, so a re-run of the same file
// sends a second create for that user.
func TestReviewTokensForUsersReRunAfterAnUnknownOutcomeSendsNoSecondCreate(t *testing.T) {
	t.Parallel()
	srv := usersServer(t)
	dir := t.TempDir()
	csv := "email\nana@acme.example\n"
	srv.Script(appliverytest.EndpointAndroidEnrollmentTokenCreate, appliverytest.Fault{Applied: true, Drop: true})
	res := runCLI(t, srv, nil, csv, forUsers(dir)...)
	require.Equal(t, exitSomeFailed, res.code, res.stderr)
	require.Len(t, srv.EnrollmentTokens(org), 1, "the first run's create was carried out")

	res = runCLI(t, srv, nil, csv, forUsers(dir)...)
	t.Log(res.stdout, res.stderr)
	assert.Equal(t, 1, len(srv.EnrollmentTokens(org)), "the re-run must not create the user's token again")
}

// Review: a UTF-8 byte order mark is stripped from the header only after
// encoding/csv has parsed it, so a file that starts with a BOM and quotes its
// header (pandas' utf-8-sig with QUOTE_ALL, some Excel exports) is refused
// as "bare \" in non-quoted-field" and nothing is created.
func TestReviewUsersFromCSVWithABOMAndAQuotedHeader(t *testing.T) {
	t.Parallel()
	srv := usersServer(t)
	res := runCLI(t, srv, nil, "\uFEFF\"email\",\"name\"\r\n\"cy@acme.example\",\"Cy\"\r\n",
		"users", "create", "--org", org, "--from", "-", "--output", "json")
	assert.Equal(t, exitOK, res.code, res.stdout+res.stderr)
	assert.Contains(t, emails(srv), "cy@acme.example")
}
