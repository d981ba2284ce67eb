package appliverytest

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/applivery/applivery-go"
)

// The MDM user endpoints, GET and POST /organizations/{organizationId}/mdm/users.
//
// EndpointUserList serves the users that [Server.AddUser] stored or
// EndpointUserCreate created, in the order they were added, paged and
// sorted like the other lists. It filters by search (a case-insensitive
// part of the user's email or name), email and name (the user's, equal but
// for case) and tags (the user has every tag asked for); a search, email or
// name longer than 128 characters answers 400 with code 5209.
//
// EndpointUserCreate creates a user from a body that must be a JSON object
// with an email (one address, required), and, if they are given, a name and
// managedAppleId (strings), tags (an array of strings), a language (es, en,
// fr, de, it, zh, pt or ru, the languages the reference documents for the
// invitation e-mails) and metadata (an object); every string non-empty, as
// the API's validation has them. Any other body answers 400 with code 5209, and members the reference does not document
// are not stored. An email that the organization already holds, whatever
// its case, answers 400 with code 5048, "Mdm user already exists". It
// answers the user in the reference's shape: a generated id, the members
// sent, zero device and token counters per platform, no inferred segments,
// and createdAt and updatedAt. The counters are served as stored: the
// devices and tokens of the fake do not change them. Both endpoints answer 404 (code 3001) for an
// organization the server does not hold.
const (
	EndpointUserList   Endpoint = "user-list"   // GET …/mdm/users
	EndpointUserCreate Endpoint = "user-create" // POST …/mdm/users
)

// usersPath is the route of the MDM user endpoints, under basePath.
const usersPath = "/organizations/{organizationId}/mdm/users"

// errUserExists is the create's refusal of an email the organization holds.
var errUserExists = apiError{http.StatusBadRequest, applivery.CodeUserAlreadyExists, "Mdm user already exists"}

// userEndpoints are the rows of the MDM user endpoints in the server's
// endpoint table.
func (s *userStore) userEndpoints() []endpoint {
	ids := wildcards{"organizationId": organizationIDRE}
	return []endpoint{
		{EndpointUserList, http.MethodGet, usersPath, ids, s.listUsers},
		{EndpointUserCreate, http.MethodPost, usersPath, ids, s.createUser},
	}
}

// userStore holds the MDM users of the organizations, under the
// organizations' lock.
type userStore struct {
	userMu   *sync.Mutex // the organizations' lock
	userOrgs *organizations
	users    map[deviceKey]*storedUser
	userSeq  uint64 // insertion order, the tie-break of the list's sort
}

// initUsers makes the store of the MDM users of the organizations.
func (s *userStore) initUsers(orgs *organizations) {
	s.userMu = &orgs.mu
	s.userOrgs = orgs
	s.users = make(map[deviceKey]*storedUser)
}

// storedUser is an MDM user the server holds: the members it serves.
type storedUser struct {
	raw map[string]json.RawMessage
	seq uint64
}

// userCreate is the body the user create accepts.
var userCreate = object{
	members: map[string]member{
		"email": email, "name": str(0), "managedAppleId": str(0), "tags": arrayOf(str(0)),
		"language": languages, "metadata": objectOf(object{}),
	},
	required: []string{"email"},
}

// userShape are the members of a user that the reference's answer shows,
// with the values of a user that has no device and no token yet.
var userShape = map[string]json.RawMessage{
	"tags": json.RawMessage(`[]`),
	"android": json.RawMessage(`{"devices":{"MANAGEMENT_MODE_UNSPECIFIED":0,"DEVICE_OWNER":0,"PROFILE_OWNER":0},` +
		`"enrollmentTokens":{"DONE":0,"PENDING":0,"EXPIRED":0,"DELETED":0}}`),
	"apple":              json.RawMessage(`{"devices":0,"enrollmentTokens":0}`),
	"windows":            json.RawMessage(`{"devices":0,"enrollmentTokens":0}`),
	"metadata":           json.RawMessage(`{}`),
	"inferredSegmentIds": json.RawMessage(`[]`),
}

// AddUser stores u as an MDM user of the organization and returns what was
// stored, as the server serves it: with a generated 24-hex-digit ID when
// u.ID is empty, and u.Raw with the typed fields merged in and the
// members of the reference's answer that it lacks (zero counters, empty
// tags, metadata and inferredSegmentIds, createdAt and updatedAt now). The
// list filters read the typed Email, Name and Tags. A user with the same ID
// is replaced. The organization exists from then on.
//
// AddUser panics on an organization ID or user ID the API could not hold,
// on an empty Email, on an Email that another user of the organization
// holds (whatever its case: the API refuses such a user), and on a Raw that
// is set but is not a JSON object.
func (s *userStore) AddUser(organizationID string, u applivery.User) applivery.User {
	var created, updated time.Time
	raw := newStored("AddUser", organizationID, &u.ID, nil, u.Raw, &created, &updated)
	if u.Email == "" {
		panic("appliverytest: AddUser: the user has no Email: the API requires one")
	}
	set := func(name string, v any) { raw[name], _ = json.Marshal(v) }
	set("id", u.ID)
	set("email", u.Email)
	if u.Name != "" {
		set("name", u.Name)
	}
	if u.Tags != nil {
		set("tags", u.Tags)
	}
	if u.Language != "" {
		set("language", u.Language)
	}
	st := newStoredUser(raw, created)
	s.userMu.Lock()
	defer s.userMu.Unlock()
	if other := s.userByEmail(organizationID, u.Email); other != nil && other.id() != u.ID {
		panic(fmt.Sprintf("appliverytest: AddUser: organization %s already holds a user with email %q", organizationID, u.Email))
	}
	s.userSeq++
	st.seq = s.userSeq
	s.users[deviceKey{organizationID, u.ID}] = st
	s.userOrgs.add(organizationID)
	return st.user()
}

// newStoredUser returns a user of the members raw, completed with those of
// userShape it lacks and stamped with now where it has no createdAt or
// updatedAt.
func newStoredUser(raw map[string]json.RawMessage, now time.Time) *storedUser {
	for name, v := range userShape {
		if _, ok := raw[name]; !ok {
			raw[name] = v
		}
	}
	for _, name := range []string{"createdAt", "updatedAt"} {
		if _, ok := raw[name]; !ok {
			raw[name], _ = json.Marshal(now.Format(time.RFC3339Nano))
		}
	}
	return &storedUser{raw: raw}
}

// Users returns the organization's MDM users as the server holds them now,
// in the order they were added.
func (s *userStore) Users(organizationID string) []applivery.User {
	s.userMu.Lock()
	defer s.userMu.Unlock()
	all := s.usersOf(organizationID)
	out := make([]applivery.User, len(all))
	for i, st := range all {
		out[i] = st.user()
	}
	return out
}

// usersOf returns the organization's users in the order they were added.
// The caller holds the lock.
func (s *userStore) usersOf(organizationID string) []*storedUser {
	var all []*storedUser
	for k, st := range s.users {
		if k.organization == organizationID {
			all = append(all, st)
		}
	}
	slices.SortFunc(all, func(a, b *storedUser) int { return cmp.Compare(a.seq, b.seq) })
	return all
}

// userByEmail returns the organization's user with the email, whatever its
// case, or nil. The caller holds the lock.
func (s *userStore) userByEmail(organizationID, address string) *storedUser {
	for k, st := range s.users {
		if k.organization == organizationID && strings.EqualFold(st.get("email"), address) {
			return st
		}
	}
	return nil
}

// findUser returns the organization's user with the ID, or nil. The caller
// holds the lock.
func (s *userStore) findUser(organizationID, id string) *storedUser {
	return s.users[deviceKey{organizationID, id}]
}

// get returns the user's member name when it is a string, or "".
func (st *storedUser) get(name string) string {
	v, _ := text(st.raw[name])
	return v
}

// id returns the user's ID.
func (st *storedUser) id() string { return st.get("id") }

// tags returns the user's tags.
func (st *storedUser) tags() []string {
	var tags []string
	_ = json.Unmarshal(st.raw["tags"], &tags)
	return tags
}

// item returns the user as the server serves it.
func (st *storedUser) item() json.RawMessage {
	b, _ := json.Marshal(st.raw)
	return b
}

// user returns the user as the SDK reads it, sharing no memory with the
// store.
func (st *storedUser) user() applivery.User {
	var u applivery.User
	_ = json.Unmarshal(st.item(), &u)
	return u
}

// listUsers serves GET …/mdm/users, as EndpointUserList says.
func (s *userStore) listUsers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	lq, ok := readListQuery(q)
	for _, name := range []string{"search", "email", "name"} {
		ok = ok && utf8.RuneCountInString(q.Get(name)) <= 128
	}
	if !ok {
		writeError(w, errInvalidInput)
		return
	}
	s.userOrgs.servePage(w, r, func(org string) map[string]any {
		var all []*storedUser
		for _, st := range s.usersOf(org) {
			if st.matches(q) {
				all = append(all, st)
			}
		}
		return pageOf(all, lq, func(st *storedUser) uint64 { return st.seq }, (*storedUser).item)
	})
}

// matches reports whether the user passes the list's filters.
func (st *storedUser) matches(q url.Values) bool {
	if e := q.Get("email"); e != "" && !strings.EqualFold(st.get("email"), e) {
		return false
	}
	if n := q.Get("name"); n != "" && !strings.EqualFold(st.get("name"), n) {
		return false
	}
	if search := strings.ToLower(q.Get("search")); search != "" &&
		!strings.Contains(strings.ToLower(st.get("email")), search) && !strings.Contains(strings.ToLower(st.get("name")), search) {
		return false
	}
	tags := st.tags()
	for _, want := range q["tags"] {
		if !slices.Contains(tags, want) {
			return false
		}
	}
	return true
}

// createUser serves POST …/mdm/users, as EndpointUserCreate says.
func (s *userStore) createUser(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	body, ok := userCreate.read(b)
	if !ok {
		writeError(w, errInvalidInput)
		return
	}
	org := r.PathValue("organizationId")
	now := stamp()
	raw := map[string]json.RawMessage{"id": json.RawMessage(`"` + randomHex(12) + `"`)}
	for name := range userCreate.members {
		if v, ok := body[name]; ok {
			raw[name] = v
		}
	}
	st := newStoredUser(raw, now)
	s.userMu.Lock()
	var answer apiError
	switch {
	case !s.userOrgs.exists(org):
		answer = errNotFound
	case s.userByEmail(org, st.get("email")) != nil:
		answer = errUserExists
	default:
		s.userSeq++
		st.seq = s.userSeq
		s.users[deviceKey{org, st.id()}] = st
	}
	item := st.item()
	s.userMu.Unlock()
	if answer.status != 0 {
		writeError(w, answer)
		return
	}
	writeData(w, item)
}
