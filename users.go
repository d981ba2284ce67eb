package applivery

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
