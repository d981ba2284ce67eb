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
