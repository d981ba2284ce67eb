//go:build contract

package contract_test

import (
	"context"
	"encoding/json"
	"iter"
	"slices"
	"strings"
	"testing"

	"github.com/applivery/applivery-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// anaEmail is the address the users' calls send.
const anaEmail = "ana@acme.example"

func init() {
	calls["UsersList"] = resultless(func(ctx context.Context, c *applivery.Client) (*applivery.UserPage, error) {
		return c.Users.List(ctx, org, &applivery.ListUsersOptions{Page: 2, Limit: 10, Sort: "email:asc", Search: "ana",
			Email: anaEmail, Tags: []string{"sales", "berlin"}})
	})
	calls["UsersCreate"] = resultless(func(ctx context.Context, c *applivery.Client) (*applivery.User, error) {
		return c.Users.Create(ctx, org, &applivery.CreateUserRequest{Email: anaEmail})
	})
}

func TestUserRequestsConform(t *testing.T) {
	t.Parallel()
	c, chk := newClient(t, staticPrism, "", nil)
	ctx := context.Background()
	long := strings.Repeat("s", 128)          // the documented bound of search and email
	wide := strings.Repeat("\U0001F4F1", 128) // as many characters, each two UTF-16 units: the bound counts characters
	for _, opts := range []*applivery.ListUsersOptions{
		nil, {Page: 1, Limit: 100}, {Sort: "createdAt:desc"}, {Search: "ana"}, {Search: long}, {Search: wide}, {Email: anaEmail},
		{Email: long}, {Tags: []string{"sales"}}, {Tags: []string{"sales", "berlin"}},
		{Page: 3, Limit: 5, Sort: "email", Search: "ana", Email: anaEmail, Tags: []string{"a", "b"}},
	} {
		_, err := c.Users.List(ctx, slug, opts)
		assert.NoError(t, err, "List %+v", opts)
	}
	_, err := c.Users.List(ctx, org, nil)
	assert.NoError(t, err, "List by organization id")

	for name, req := range map[string]*applivery.CreateUserRequest{
		"the email alone": {Email: anaEmail},
		"every field": {Email: anaEmail, Name: "Ana García", ManagedAppleID: "ana@appleid.acme.example", Tags: []string{"sales", "berlin"},
			Language: "es", Metadata: map[string]string{"costCenter": "CC-42", "employeeId": "E-1001"}},
		"every language": {Email: "zh@acme.example", Language: "zh"},
		"empty metadata": {Email: anaEmail, Metadata: map[string]string{}},
	} {
		_, err := c.Users.Create(ctx, slug, req)
		assert.NoError(t, err, "Create %s", name)
	}
	for _, lang := range []string{"en", "fr", "de", "it", "pt", "ru"} {
		_, err := c.Users.Create(ctx, org, &applivery.CreateUserRequest{Email: anaEmail, Language: lang})
		assert.NoError(t, err, "Create in %s", lang)
	}
	chk.requireConforms(t)
}

func TestUserDocumentedExampleDecodes(t *testing.T) {
	t.Parallel()
	c, chk := newClient(t, staticPrism, "", nil)
	u, err := c.Users.Create(context.Background(), org, &applivery.CreateUserRequest{Email: anaEmail})
	require.NoError(t, err)
	chk.requireConforms(t)
	// The documented example is verbatim, its e-mail addresses as the page
	// renders them.
	assert.Equal(t, applivery.User{
		ID:       "string",
		Email:    "[email protected]",
		Name:     "string",
		Tags:     []string{"string"},
		Language: "es",
		Raw:      rawMember(t, chk.lastBody(), "data"),
	}, *u)
	assert.JSONEq(t, `{"devices":0,"enrollmentTokens":0}`, string(rawMember(t, u.Raw, "apple")), "the counters are in Raw")
	assert.Equal(t, u.Raw, json.RawMessage(rawMember(t, chk.lastBody(), "data")), "Raw is the data byte for byte")
}

// TestUserSchemaBuiltResponsesDecode covers the list, whose answer the
// reference does not show (x-inferred in the spec: the page of MdmUser):
// static Prism builds it from the schema.
func TestUserSchemaBuiltResponsesDecode(t *testing.T) {
	t.Parallel()
	c, chk := newClient(t, staticPrism, "", nil)
	page, err := c.Users.List(context.Background(), org, nil)
	require.NoError(t, err)
	assert.Equal(t, expectedPageOf[applivery.UserPage](t, rawMember(t, chk.lastBody(), "data"), expectedUser), *page)
	assert.NotEmpty(t, page.Items)
	chk.requireConforms(t)
}

func TestRandomUserBodiesDecodeToWhatTheySay(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("List", func(t *testing.T) {
		t.Parallel()
		c, chk := newClient(t, dynamicPrism, "", nil)
		requireRandomBodiesSayWhatTheyDecodeTo(t, chk, func() (*applivery.UserPage, error) { return c.Users.List(ctx, org, nil) },
			func(t *testing.T, raw json.RawMessage) applivery.UserPage {
				return expectedPageOf[applivery.UserPage](t, raw, expectedUser)
			})
	})
	t.Run("Create", func(t *testing.T) {
		t.Parallel()
		c, chk := newClient(t, dynamicPrism, "", nil)
		requireRandomBodiesSayWhatTheyDecodeTo(t, chk, func() (*applivery.User, error) {
			return c.Users.Create(ctx, org, &applivery.CreateUserRequest{Email: anaEmail})
		}, expectedUser)
	})
}

func TestUserDocumentedErrorsMap(t *testing.T) {
	t.Parallel()
	// The create documents its 400, 401 and 404; the list's page shows no
	// error: its 401 and 404 are the spec's shared (x-inferred) answers.
	checkDocumentedErrors(t, calls, slices.Concat([]documentedError{
		{"UsersCreate", "code=400", 400, 5048, "Mdm user already exists", applivery.ErrAlreadyExists},
	}, answersOf401And404("UsersList"), answersOf401And404("UsersCreate")))
}

// expectedUser reads an MDM user member by member, independently of the
// SDK's decoder, as the SDK documents it: strings as sent, tags only when
// an array of strings, and the whole object, byte for byte, in Raw.
func expectedUser(t *testing.T, raw json.RawMessage) applivery.User {
	t.Helper()
	m := members(t, raw)
	u := applivery.User{Tags: stringsOf(m["tags"]), Raw: raw}
	for name, field := range map[string]*string{"id": &u.ID, "email": &u.Email, "name": &u.Name, "language": &u.Language} {
		*field = str(m[name])
	}
	return u
}

// stringsOf reads an array whose every item is a string (or null, read as
// ""); anything else is nil.
func stringsOf(raw json.RawMessage) []string {
	var items []json.RawMessage
	if json.Unmarshal(raw, &items) != nil || items == nil {
		return nil
	}
	out := make([]string, len(items))
	for i, item := range items {
		if json.Unmarshal(item, &out[i]) != nil {
			return nil
		}
	}
	return out
}

func TestUserListAllEnds(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	// Static Prism answers every page with the one built from the schema
	// (the list's answer is x-inferred), which says there is a next page:
	// ListAll must end, with one error, not loop.
	c, chk := newClient(t, staticPrism, "", nil)
	items, errs := drainWithin(t, c.Users.ListAll(ctx, org, &applivery.ListUsersOptions{Limit: 5, Tags: []string{"sales"}}), 0)
	require.Len(t, errs, 1)
	assert.Contains(t, errs[0].Error(), "repeats page 1, already read")
	assert.Equal(t, 1, items, "the first page's one user, and not again")
	chk.requireConforms(t)

	c, chk = newClient(t, dynamicPrism, "", nil)
	requireListAllEnds(t, func() iter.Seq2[*applivery.User, error] {
		return c.Users.ListAll(ctx, org, &applivery.ListUsersOptions{Limit: 3})
	})
	chk.requireConforms(t)
}
