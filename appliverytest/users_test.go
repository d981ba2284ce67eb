package appliverytest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/applivery/applivery-go"
	"github.com/applivery/applivery-go/appliverytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// envelope is an answer of the API: its data, or its error.
type envelope struct {
	Status bool            `json:"status"`
	Data   json.RawMessage `json:"data"`
	Error  struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// apiCall sends a call to the server with its key and returns the status
// and the envelope of the answer.
func apiCall(t *testing.T, srv *appliverytest.Server, method, path, body string) (int, envelope) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+srv.APIKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var env envelope
	require.NoError(t, json.Unmarshal(b, &env), string(b))
	return resp.StatusCode, env
}

// object decodes the data of an answer as a JSON object.
func (e envelope) object(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(e.Data, &m), string(e.Data))
	return m
}

// page decodes the data of a list's answer: its items and its envelope.
func (e envelope) page(t *testing.T) (items []map[string]any, paging map[string]any) {
	t.Helper()
	paging = e.object(t)
	b, _ := json.Marshal(paging["items"])
	require.NoError(t, json.Unmarshal(b, &items))
	return items, paging
}

// usersPath is the path of the organization's MDM users.
func usersPath(organizationID string) string {
	return "/organizations/" + organizationID + "/mdm/users"
}

// userFleet adds three users to org (Ana, Ben and Carla, in that order)
// and one to otherOrgID.
func userFleet(t *testing.T) *appliverytest.Server {
	t.Helper()
	srv, _ := newServer(t)
	srv.AddUser(org, applivery.User{ID: userAna, Email: "ana@acme.example", Name: "Ana Pérez", Tags: []string{"sales", "berlin"}})
	srv.AddUser(org, applivery.User{ID: userBen, Email: "Ben@Acme.example", Name: "Ben Ode", Tags: []string{"berlin"}})
	srv.AddUser(org, applivery.User{Email: "carla@other.example", Name: "Carla"})
	srv.AddUser(otherOrgID, applivery.User{Email: "ana@acme.example"})
	return srv
}

func TestAddUser(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t)
	tags := []string{"sales"}
	stored := srv.AddUser(org, applivery.User{Email: "ana@acme.example", Name: "Ana", Tags: tags, Language: "es",
		Raw: json.RawMessage(`{"name":"old","managedAppleId":"ana@appleid.acme.example","apple":{"devices":2,"enrollmentTokens":1}}`)})
	tags[0] = "changed"
	assert.Regexp(t, `^[0-9a-f]{24}$`, stored.ID)
	assert.Equal(t, []string{"sales"}, stored.Tags, "the caller's slice is not kept")
	var raw map[string]any
	require.NoError(t, json.Unmarshal(stored.Raw, &raw))
	assert.Equal(t, stored.ID, raw["id"], "the typed fields are merged into Raw")
	assert.Equal(t, "Ana", raw["name"], "the typed field wins")
	assert.Equal(t, "es", raw["language"])
	assert.Equal(t, "ana@appleid.acme.example", raw["managedAppleId"], "what Raw held is kept")
	assert.Equal(t, map[string]any{"devices": float64(2), "enrollmentTokens": float64(1)}, raw["apple"], "Raw's counters win")
	assert.Equal(t, map[string]any{"devices": float64(0), "enrollmentTokens": float64(0)}, raw["windows"], "the shape is completed")
	assert.Equal(t, map[string]any{}, raw["metadata"])
	assert.Equal(t, []any{}, raw["inferredSegmentIds"])
	created, err := time.Parse(time.RFC3339, raw["createdAt"].(string))
	require.NoError(t, err)
	assert.WithinDuration(t, time.Now(), created, time.Minute)
	assert.Equal(t, raw["createdAt"], raw["updatedAt"])

	assert.Equal(t, []applivery.User{stored}, srv.Users(org))
	assert.Empty(t, srv.Users(otherOrgID))
	_, env := apiCall(t, srv, http.MethodGet, usersPath(org), "")
	items, _ := env.page(t)
	require.Len(t, items, 1, "the organization exists from then on")
	assert.Equal(t, raw, items[0], "served as stored")

	again := srv.AddUser(org, applivery.User{ID: stored.ID, Email: "ANA@acme.example"})
	assert.Equal(t, []applivery.User{again}, srv.Users(org), "a user with the same ID is replaced, its email may change case")
}

func TestAddUserPanics(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t)
	srv.AddUser(org, applivery.User{ID: userAna, Email: "ana@acme.example"})
	tests := []struct {
		name, want string
		f          func()
	}{
		{"bad organization", `AddUser: organization ID "a/b" does not match`,
			func() { srv.AddUser("a/b", applivery.User{Email: "x@acme.example"}) }},
		{"bad id", `AddUser: ID "ana" does not match`, func() { srv.AddUser(org, applivery.User{ID: "ana", Email: "x@acme.example"}) }},
		{"no email", "AddUser: the user has no Email", func() { srv.AddUser(org, applivery.User{}) }},
		{"an email another user holds", `already holds a user with email "ANA@ACME.example"`,
			func() { srv.AddUser(org, applivery.User{Email: "ANA@ACME.example"}) }},
		{"raw not an object", "AddUser: Raw is not a JSON object",
			func() { srv.AddUser(org, applivery.User{Email: "x@acme.example", Raw: json.RawMessage(`[1]`)}) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				r := recover()
				require.NotNil(t, r)
				assert.Contains(t, r, tt.want)
			}()
			tt.f()
		})
	}
	assert.Len(t, srv.Users(org), 1, "nothing was stored")
}

func TestUserListFilters(t *testing.T) {
	t.Parallel()
	srv := userFleet(t)
	tests := []struct {
		name  string
		query url.Values
		want  []string // emails, in order
	}{
		{"all, in the order added", nil, []string{"ana@acme.example", "Ben@Acme.example", "carla@other.example"}},
		{"sorted descending", url.Values{"sort": {"createdAt:desc"}}, []string{"carla@other.example", "Ben@Acme.example", "ana@acme.example"}},
		{"search in the email, any case", url.Values{"search": {"ACME"}}, []string{"ana@acme.example", "Ben@Acme.example"}},
		{"search in the name", url.Values{"search": {"pérez"}}, []string{"ana@acme.example"}},
		{"email, any case", url.Values{"email": {"ben@acme.EXAMPLE"}}, []string{"Ben@Acme.example"}},
		{"email is not a part", url.Values{"email": {"acme.example"}}, nil},
		{"name", url.Values{"name": {"carla"}}, []string{"carla@other.example"}},
		{"one tag", url.Values{"tags": {"berlin"}}, []string{"ana@acme.example", "Ben@Acme.example"}},
		{"every tag asked", url.Values{"tags": {"berlin", "sales"}}, []string{"ana@acme.example"}},
		{"filters together", url.Values{"tags": {"berlin"}, "search": {"ode"}}, []string{"Ben@Acme.example"}},
		{"a search at its bound", url.Values{"search": {strings.Repeat("é", 128)}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			status, env := apiCall(t, srv, http.MethodGet, usersPath(org)+"?"+tt.query.Encode(), "")
			require.Equal(t, http.StatusOK, status)
			items, paging := env.page(t)
			var got []string
			for _, it := range items {
				got = append(got, it["email"].(string))
			}
			assert.Equal(t, tt.want, got)
			assert.Equal(t, float64(len(tt.want)), paging["totalDocs"])
		})
	}
}

func TestUserListPages(t *testing.T) {
	t.Parallel()
	srv := userFleet(t)
	_, env := apiCall(t, srv, http.MethodGet, usersPath(org)+"?limit=2&page=2", "")
	items, paging := env.page(t)
	require.Len(t, items, 1)
	assert.Equal(t, "carla@other.example", items[0]["email"])
	assert.Equal(t, float64(3), paging["totalDocs"])
	assert.Equal(t, float64(2), paging["totalPages"])
	assert.Equal(t, true, paging["hasPrevPage"])
	assert.Equal(t, false, paging["hasNextPage"])
	_, env = apiCall(t, srv, http.MethodGet, usersPath(otherOrgID), "")
	items, _ = env.page(t)
	assert.Len(t, items, 1, "each organization has its own users")
}

func TestUserListRefusals(t *testing.T) {
	t.Parallel()
	srv := userFleet(t)
	long := strings.Repeat("a", 129)
	tests := []struct {
		name, path string
		status     int
		code       int
	}{
		{"a search over 128 characters", usersPath(org) + "?search=" + long, 400, 5209},
		{"an email over 128 characters", usersPath(org) + "?email=" + long, 400, 5209},
		{"a name over 128 characters", usersPath(org) + "?name=" + long, 400, 5209},
		{"a bad sort", usersPath(org) + "?sort=a:up", 400, 5209},
		{"a page of 0", usersPath(org) + "?page=0", 400, 5209},
		{"a limit that is no number", usersPath(org) + "?limit=ten", 400, 5209},
		{"an unknown organization", usersPath("acme-flet"), 404, 3001},
		{"an organization ID the API could not hold", usersPath("a_b"), 400, 5209},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			status, env := apiCall(t, srv, http.MethodGet, tt.path, "")
			assert.Equal(t, tt.status, status)
			assert.Equal(t, tt.code, env.Error.Code)
		})
	}
}

func TestUserCreate(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t)
	srv.AddOrganization(org)
	status, env := apiCall(t, srv, http.MethodPost, usersPath(org),
		`{"email":"ana@acme.example","name":"Ana","managedAppleId":"ana@appleid.acme.example","tags":["sales"],`+
			`"language":"es","metadata":{"desk":"3F"},"favouriteColour":"red"}`)
	require.Equal(t, http.StatusOK, status, env.Error.Message)
	got := env.object(t)
	assert.Regexp(t, `^[0-9a-f]{24}$`, got["id"])
	for name, want := range map[string]any{
		"email": "ana@acme.example", "name": "Ana", "managedAppleId": "ana@appleid.acme.example", "tags": []any{"sales"},
		"language": "es", "metadata": map[string]any{"desk": "3F"}, "inferredSegmentIds": []any{},
		"android": map[string]any{
			"devices":          map[string]any{"MANAGEMENT_MODE_UNSPECIFIED": float64(0), "DEVICE_OWNER": float64(0), "PROFILE_OWNER": float64(0)},
			"enrollmentTokens": map[string]any{"DONE": float64(0), "PENDING": float64(0), "EXPIRED": float64(0), "DELETED": float64(0)},
		},
		"apple":   map[string]any{"devices": float64(0), "enrollmentTokens": float64(0)},
		"windows": map[string]any{"devices": float64(0), "enrollmentTokens": float64(0)},
	} {
		assert.Equal(t, want, got[name], name)
	}
	assert.NotContains(t, got, "favouriteColour", "undocumented members are not stored")
	assert.NotEmpty(t, got["createdAt"])
	assert.Equal(t, got["createdAt"], got["updatedAt"])

	users := srv.Users(org)
	require.Len(t, users, 1)
	assert.Equal(t, got["id"], users[0].ID)
	assert.Equal(t, "Ana", users[0].Name)
	assert.Equal(t, []string{"sales"}, users[0].Tags)

	status, env = apiCall(t, srv, http.MethodPost, usersPath(org), `{"email":"ben@acme.example"}`)
	require.Equal(t, http.StatusOK, status, "only the email is required")
	assert.Equal(t, []any{}, env.object(t)["tags"])
	assert.NotContains(t, env.object(t), "name")
}

func TestUserCreateRefusesAnEmailTheOrganizationHolds(t *testing.T) {
	t.Parallel()
	srv := userFleet(t)
	for _, address := range []string{"ana@acme.example", "ANA@Acme.Example", "ben@acme.example"} {
		status, env := apiCall(t, srv, http.MethodPost, usersPath(org), `{"email":"`+address+`"}`)
		assert.Equal(t, http.StatusBadRequest, status, address)
		assert.Equal(t, 5048, env.Error.Code, address)
		assert.Equal(t, "Mdm user already exists", env.Error.Message)
	}
	assert.Len(t, srv.Users(org), 3, "nothing was created")
	status, _ := apiCall(t, srv, http.MethodPost, usersPath(otherOrgID), `{"email":"ben@acme.example"}`)
	assert.Equal(t, http.StatusOK, status, "emails are per organization")
}

func TestUserCreateRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, org, body string
		status, code    int
	}{
		{"no body", org, ``, 400, 5209},
		{"not an object", org, `["ana@acme.example"]`, 400, 5209},
		{"null", org, `null`, 400, 5209},
		{"no email", org, `{"name":"Ana"}`, 400, 5209},
		{"an email that is not one", org, `{"email":"ana"}`, 400, 5209},
		{"an email with a display name", org, `{"email":"Ana <ana@acme.example>"}`, 400, 5209},
		{"an email that is no string", org, `{"email":1}`, 400, 5209},
		{"a null email", org, `{"email":null}`, 400, 5209},
		{"an empty name", org, `{"email":"ana@acme.example","name":""}`, 400, 5209},
		{"a language out of the enumeration", org, `{"email":"ana@acme.example","language":"ca"}`, 400, 5209},
		{"tags that are no array", org, `{"email":"ana@acme.example","tags":"sales"}`, 400, 5209},
		{"tags that are not strings", org, `{"email":"ana@acme.example","tags":[1]}`, 400, 5209},
		{"metadata that is no object", org, `{"email":"ana@acme.example","metadata":[]}`, 400, 5209},
		{"an unknown organization", "acme-flet", `{"email":"ana@acme.example"}`, 404, 3001},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, _ := newServer(t)
			srv.AddOrganization(org)
			status, env := apiCall(t, srv, http.MethodPost, usersPath(tt.org), tt.body)
			assert.Equal(t, tt.status, status)
			assert.Equal(t, tt.code, env.Error.Code)
			assert.Empty(t, srv.Users(tt.org))
		})
	}
}

func TestUsersThroughTheClient(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t)
	srv.AddOrganization(org)
	ctx := context.Background()
	u, err := c.Users.Create(ctx, org, &applivery.CreateUserRequest{Email: "ana@acme.example", Name: "Ana", Tags: []string{"sales"},
		Language: "es", ManagedAppleID: "ana@appleid.acme.example", Metadata: map[string]string{"desk": "3F"}})
	require.NoError(t, err)
	assert.Regexp(t, `^[0-9a-f]{24}$`, u.ID)
	assert.Equal(t, applivery.User{ID: u.ID, Email: "ana@acme.example", Name: "Ana", Tags: []string{"sales"}, Language: "es", Raw: u.Raw}, *u)
	assert.Equal(t, []applivery.User{*u}, srv.Users(org), "the server holds what it answered")

	_, err = c.Users.Create(ctx, org, &applivery.CreateUserRequest{Email: "ANA@acme.example"})
	assert.ErrorIs(t, err, applivery.ErrAlreadyExists)
	assert.NotErrorIs(t, err, applivery.ErrOutcomeUnknown, "a 400 says nothing was created")
	var apiErr *applivery.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusBadRequest, apiErr.StatusCode)
	assert.Equal(t, applivery.CodeUserAlreadyExists, apiErr.Code)

	ben := srv.AddUser(org, applivery.User{Email: "ben@acme.example", Tags: []string{"sales", "berlin"}})
	page, err := c.Users.List(ctx, org, &applivery.ListUsersOptions{Email: "Ana@Acme.Example"})
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	assert.Equal(t, u.ID, page.Items[0].ID)
	var ids []string
	for user, err := range c.Users.ListAll(ctx, org, &applivery.ListUsersOptions{Limit: 1, Tags: []string{"sales"}}) {
		require.NoError(t, err)
		ids = append(ids, user.ID)
	}
	assert.Equal(t, []string{u.ID, ben.ID}, ids)
	_, err = c.Users.List(ctx, "acme-flet", nil)
	assert.ErrorIs(t, err, applivery.ErrNotFound)
}

// TestLostUserCreateAnswer: a create whose answer is lost has created the
// user; the client cannot tell, and creating it again is refused.
func TestLostUserCreateAnswer(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t)
	c := srv.TestClient(t)
	srv.AddOrganization(org)
	srv.Script(appliverytest.EndpointUserCreate, appliverytest.Fault{Status: http.StatusBadGateway, Applied: true})
	req := &applivery.CreateUserRequest{Email: "ana@acme.example"}
	_, err := c.Users.Create(context.Background(), org, req)
	assert.ErrorIs(t, err, applivery.ErrOutcomeUnknown)
	require.Len(t, srv.Users(org), 1, "the user was created")
	_, err = c.Users.Create(context.Background(), org, req)
	assert.ErrorIs(t, err, applivery.ErrAlreadyExists)
}
