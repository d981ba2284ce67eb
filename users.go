package applivery

import (
	"context"
	"encoding/json"
	"iter"
	"strconv"
	"strings"
	"unicode"
)

// UsersService lists and creates the MDM users of an organization: the
// people devices and enrollment tokens are assigned to. Reach it as
// Client.Users.
//
// Every method checks its arguments first: a mismatch is a
// [*ValidationError] naming the API's field, and nothing is sent. List and
// ListAll are retried after any retryable failure, like the other reads;
// Create, which must not run twice, only when the server surely did not act.
// Every method takes [CallOption]s last.
type UsersService struct {
	core *core
}

// ListUsersOptions selects and filters a page of an organization's MDM
// users. A nil *ListUsersOptions, or a zero field, leaves the choice to the
// server. Each field is sent under the API's name for it, and checked first:
// a negative Page or Limit, a Sort that does not match [SortPattern], a
// Search or Email longer than 128 characters (the documented bound), or an
// empty tag is a [*ValidationError].
type ListUsersOptions struct {
	Page   int      // "page"; 0: the server's default
	Limit  int      // "limit"; 0: the server's default
	Sort   string   // "sort"; SortPattern
	Search string   // "search": matches the users' email, name, …; at most 128 characters
	Email  string   // "email"; at most 128 characters
	Tags   []string // "tags", one parameter per tag (tags=a&tags=b)
}

// CreateUserRequest is the user a Create makes. Email is required; the
// other fields are sent only when set.
type CreateUserRequest struct {
	Email          string            // "email", required
	Name           string            // "name", optional
	ManagedAppleID string            // "managedAppleId", optional
	Tags           []string          // "tags", optional; each tag non-empty
	Language       string            // "language": "es", "en", "fr", "de", "it", "zh", "pt", "ru", or "" for none
	Metadata       map[string]string // "metadata", optional
}

// The operations of the MDM users, for observers (see CallInfo), and their
// route template.
const usersRoute = "/organizations/{organizationId}/mdm/users"

var (
	opUsersList   = operation{name: "users.list", route: usersRoute}
	opUsersCreate = operation{name: "users.create", route: usersRoute}
)

// maxEmailLength bounds CreateUserRequest.Email: the reference documents
// none, and 254 is the longest address RFC 5321 lets through.
const maxEmailLength = 254

// List returns one page of the organization's MDM users. o selects the page
// and filters it; nil leaves everything to the server. Invalid options (see
// [ListUsersOptions]) are a [*ValidationError] and nothing is sent. The API
// key needs the mdm.global.mdmUser.list permission. The reference's copy of
// the page does not show the answer: the page of users, as the other lists
// answer, is the SDK's reading.
//
// Applivery API docs: https://docs.applivery.com/en/api/uem/mdm-users/get-organizations-organizationid-mdm-users
//
//	GET /organizations/{organizationId}/mdm/users?page=&limit=&sort=&search=&email=&tags=
func (s *UsersService) List(ctx context.Context, organizationID string, o *ListUsersOptions, opts ...CallOption) (*UserPage, error) {
	return listPage[User, UserPage](ctx, s.core, opUsersList, organizationID, o.query, func(query string) string {
		return s.core.orgURL(organizationID, "/mdm/users") + query
	}, opts)
}

// ListAll iterates over all of the organization's MDM users that o selects,
// page after page, from the page o names (the first when it names none),
// with its Limit, Sort and filters. Each page is a List call, and opts apply
// to each. It behaves as AppleDevicesService.ListAll does: a page is fetched
// only when the loop reaches it; each user is yielded once (by its ID); an
// error is yielded once, with a nil user, and ends the iteration; and a
// server whose paging does not advance ends it with an error.
func (s *UsersService) ListAll(ctx context.Context, organizationID string, o *ListUsersOptions, opts ...CallOption) iter.Seq2[*User, error] {
	lo := optionsOf(o)
	return allPages("MDM users", lo.Page, func(page int) (*UserPage, error) {
		q := lo
		q.Page = page
		return s.List(ctx, organizationID, &q, opts...)
	}, (*User).listKey)
}

// Create creates an MDM user and returns it as the API answers. req is
// checked first (see [CreateUserRequest]): a mismatch is a
// [*ValidationError] and nothing is sent. Only the fields set are sent,
// email always.
//
// A user whose email is already taken is an [*APIError] matching
// [ErrAlreadyExists] (code 5048, "Mdm user already exists"). Create is not
// idempotent: it is retried only when the server surely did not act on it
// (a 429, or no connection made). Once an attempt may have reached the
// server, every failure of the call matches [ErrOutcomeUnknown] unless the
// answer says the user was not created (a 4xx, 501 or 505): List the users
// by email (ListUsersOptions.Email) to find out before creating it again.
// The API key needs the mdm.global.mdmUser.create permission.
//
// Applivery API docs: https://docs.applivery.com/en/api/uem/mdm-users/post-organizations-organizationid-mdm-users
//
//	POST /organizations/{organizationId}/mdm/users {"email": …, "name": …, "managedAppleId": …, "tags": […], "language": …, "metadata": {…}}
func (s *UsersService) Create(ctx context.Context, organizationID string, req *CreateUserRequest, opts ...CallOption) (*User, error) {
	return create[User](ctx, s.core, createCall{
		op: opUsersCreate, organizationID: organizationID, at: "/mdm/users", body: req.body,
		note: "the user may have been created: list the users by email to find out before creating it again",
	}, opts)
}

// query encodes o as the query of a List request, or refuses it.
func (o *ListUsersOptions) query() (string, error) {
	if o == nil {
		return "", nil
	}
	if err := checkPaging(o.Page, o.Limit, o.Sort); err != nil {
		return "", err
	}
	for _, f := range [...]struct{ name, value string }{{"search", o.Search}, {"email", o.Email}} {
		if err := checkLength(f.name, f.value, maxFilterLength); err != nil {
			return "", err
		}
	}
	if err := checkTags(o.Tags, 0); err != nil {
		return "", err
	}
	q := pagingQuery(o.Page, o.Limit, o.Sort)
	if o.Search != "" {
		q.Set("search", o.Search)
	}
	if o.Email != "" {
		q.Set("email", o.Email)
	}
	if len(o.Tags) > 0 {
		q["tags"] = append([]string(nil), o.Tags...)
	}
	return encodeQuery(q), nil
}

// createUserJSON is a CreateUserRequest on the wire: the email, and the
// other fields when set.
type createUserJSON struct {
	Email          string            `json:"email"`
	Name           string            `json:"name,omitempty"`
	ManagedAppleID string            `json:"managedAppleId,omitempty"`
	Tags           []string          `json:"tags,omitempty"`
	Language       string            `json:"language,omitempty"`
	Metadata       map[string]string `json:"metadata,omitempty"`
}

// body checks req and encodes it as a Create's body, or refuses it.
func (req *CreateUserRequest) body() ([]byte, error) {
	if req == nil {
		return nil, &ValidationError{Field: "body", Reason: "the request is nil"}
	}
	if err := checkEmail("email", req.Email); err != nil {
		return nil, err
	}
	if err := checkLanguage(req.Language); err != nil {
		return nil, err
	}
	if err := checkTags(req.Tags, 0); err != nil {
		return nil, err
	}
	return json.Marshal(createUserJSON(*req))
}

// checkEmail refuses an address that cannot be one: empty, longer than
// maxEmailLength, with a space or a control character, or not of the shape
// local@domain (a non-empty part either side of the last "@"). The server
// decides the rest.
func checkEmail(field, email string) error {
	local, domain, found := cutLast(email, "@")
	switch {
	case email == "":
		return &ValidationError{Field: field, Reason: "required"}
	case len(email) > maxEmailLength:
		return &ValidationError{Field: field, Value: email, Reason: "longer than " + strconv.Itoa(maxEmailLength) + " bytes"}
	case strings.IndexFunc(email, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		return &ValidationError{Field: field, Value: email, Reason: "holds a space or a control character"}
	case !found || local == "" || domain == "":
		return &ValidationError{Field: field, Value: email, Reason: "must be an address, local@domain"}
	}
	return nil
}

// cutLast slices s around the last instance of sep.
func cutLast(s, sep string) (before, after string, found bool) {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[:i], s[i+len(sep):], true
	}
	return s, "", false
}
