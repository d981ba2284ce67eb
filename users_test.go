package applivery

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const usersURL = mockBase + "/organizations/" + validOrg + "/mdm/users"

// sampleUser is an MDM user as the create page's example shows one, with a
// real address.
const sampleUser = `{"id":"60b7c8d9e0f1a2b3c4d5e6f7","email":"ana@acme.example","name":"Ana","tags":["sales"],"language":"es",
  "apple":{"devices":0,"enrollmentTokens":0},"metadata":{},"createdAt":"2026-01-02T03:04:05Z"}`

func TestUsersRequestShapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		call       func(*Client) error
		wantMethod string
		wantQuery  url.Values
		wantBody   string
	}{
		{"list, no options", func(c *Client) error {
			_, err := c.Users.List(context.Background(), validOrg, nil)
			return err
		}, "GET", url.Values{}, ""},
		{"list, every option, tags repeated", func(c *Client) error {
			_, err := c.Users.List(context.Background(), validOrg, &ListUsersOptions{
				Page: 2, Limit: 50, Sort: "email:asc", Search: "ana", Email: "ana@acme.example", Tags: []string{"a", "b"},
			})
			return err
		}, "GET", url.Values{"page": {"2"}, "limit": {"50"}, "sort": {"email:asc"}, "search": {"ana"},
			"email": {"ana@acme.example"}, "tags": {"a", "b"}}, ""},
		{"create, the email only", func(c *Client) error {
			_, err := c.Users.Create(context.Background(), validOrg, &CreateUserRequest{Email: "ana@acme.example"})
			return err
		}, "POST", url.Values{}, `{"email":"ana@acme.example"}`},
		{"create, every field", func(c *Client) error {
			_, err := c.Users.Create(context.Background(), validOrg, &CreateUserRequest{
				Email: "ana@acme.example", Name: "Ana", ManagedAppleID: "ana@appleid.acme.example", Tags: []string{"sales"},
				Language: "es", Metadata: map[string]string{"team": "north"},
			})
			return err
		}, "POST", url.Values{}, `{"email":"ana@acme.example","name":"Ana","managedAppleId":"ana@appleid.acme.example",` +
			`"tags":["sales"],"language":"es","metadata":{"team":"north"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockClient(t)
			var got capture
			body := `{"status":true,"data":` + sampleUser + `}`
			if tt.wantMethod == "GET" {
				body = `{"status":true,"data":{"items":[` + sampleUser + `],"page":1}}`
			}
			mt.RegisterNoResponder(got.responder(200, body))
			require.NoError(t, tt.call(c))
			require.NotNil(t, got.req)
			assert.Equal(t, tt.wantMethod, got.req.Method)
			assert.Equal(t, "/prefix/v1/organizations/"+validOrg+"/mdm/users", got.req.URL.Path)
			assert.Equal(t, tt.wantQuery, got.req.URL.Query())
			assert.Equal(t, tt.wantBody, string(got.body))
		})
	}
}

func TestUsersValidationBeforeTheWire(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", 129)
	tests := []struct {
		name      string
		call      func(*Client) error
		wantField string
	}{
		{"list, bad organization", func(c *Client) error {
			_, err := c.Users.List(context.Background(), "a b", nil)
			return err
		}, "organizationId"},
		{"list, negative page", func(c *Client) error {
			_, err := c.Users.List(context.Background(), validOrg, &ListUsersOptions{Page: -1})
			return err
		}, "page"},
		{"list, bad sort", func(c *Client) error {
			_, err := c.Users.List(context.Background(), validOrg, &ListUsersOptions{Sort: "email:up"})
			return err
		}, "sort"},
		{"list, search over 128 characters", func(c *Client) error {
			_, err := c.Users.List(context.Background(), validOrg, &ListUsersOptions{Search: long})
			return err
		}, "search"},
		{"list, email over 128 characters", func(c *Client) error {
			_, err := c.Users.List(context.Background(), validOrg, &ListUsersOptions{Email: long})
			return err
		}, "email"},
		{"list, empty tag", func(c *Client) error {
			_, err := c.Users.List(context.Background(), validOrg, &ListUsersOptions{Tags: []string{"a", ""}})
			return err
		}, "tags"},
		{"create, nil request", func(c *Client) error {
			_, err := c.Users.Create(context.Background(), validOrg, nil)
			return err
		}, "body"},
		{"create, bad organization before the body", func(c *Client) error {
			_, err := c.Users.Create(context.Background(), "x", nil)
			return err
		}, "organizationId"},
		{"create, no email", func(c *Client) error {
			_, err := c.Users.Create(context.Background(), validOrg, &CreateUserRequest{Name: "Ana"})
			return err
		}, "email"},
		{"create, email without @", func(c *Client) error {
			_, err := c.Users.Create(context.Background(), validOrg, &CreateUserRequest{Email: "ana.acme.example"})
			return err
		}, "email"},
		{"create, email without local part", func(c *Client) error {
			_, err := c.Users.Create(context.Background(), validOrg, &CreateUserRequest{Email: "@acme.example"})
			return err
		}, "email"},
		{"create, email without domain", func(c *Client) error {
			_, err := c.Users.Create(context.Background(), validOrg, &CreateUserRequest{Email: "ana@"})
			return err
		}, "email"},
		{"create, email with a space", func(c *Client) error {
			_, err := c.Users.Create(context.Background(), validOrg, &CreateUserRequest{Email: "ana maria@acme.example"})
			return err
		}, "email"},
		{"create, email too long", func(c *Client) error {
			_, err := c.Users.Create(context.Background(), validOrg, &CreateUserRequest{Email: strings.Repeat("a", 250) + "@b.co"})
			return err
		}, "email"},
		{"create, unknown language", func(c *Client) error {
			_, err := c.Users.Create(context.Background(), validOrg, &CreateUserRequest{Email: "ana@acme.example", Language: "ca"})
			return err
		}, "language"},
		{"create, empty tag", func(c *Client) error {
			_, err := c.Users.Create(context.Background(), validOrg, &CreateUserRequest{Email: "ana@acme.example", Tags: []string{""}})
			return err
		}, "tags"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assertRefusedBeforeTheWire(t, tt.call, tt.wantField)
		})
	}
}

func TestUsersCreateOutcome(t *testing.T) {
	t.Parallel()
	exists := createOutcomeCase{"5048: the user exists", []*http.Response{httpmock.NewStringResponse(400,
		`{"status":false,"error":{"code":5048,"message":"Mdm user already exists"}}`)}, 1, false, ErrAlreadyExists}
	for _, tt := range createOutcomeCases(`{"status":true,"data":`+sampleUser+`}`, exists) {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var u *User
			err := checkCreateOutcome(t, tt, usersURL, func(c *Client) (err error) {
				u, err = c.Users.Create(context.Background(), validOrg, &CreateUserRequest{Email: "ana@acme.example"})
				return err
			}, "list the users by email")
			if err == nil {
				assert.Equal(t, "ana@acme.example", u.Email)
			}
		})
	}
}

func TestUsersListAllSharesThePaging(t *testing.T) {
	t.Parallel()
	c, mt := newMockClient(t)
	mt.RegisterResponderWithQuery(http.MethodGet, usersURL, "limit=1", httpmock.NewStringResponder(200,
		`{"status":true,"data":{"items":[{"id":"a1","email":"a@x.example"}],"page":1,"totalPages":2,"hasNextPage":true,"nextPage":2}}`))
	mt.RegisterResponderWithQuery(http.MethodGet, usersURL, "limit=1&page=2", httpmock.NewStringResponder(200,
		`{"status":true,"data":{"items":[{"email":"no-id@x.example"}],"page":2,"totalPages":2,"hasNextPage":false}}`))
	var emails []string
	for u, err := range c.Users.ListAll(context.Background(), validOrg, &ListUsersOptions{Limit: 1}) {
		require.NoError(t, err)
		emails = append(emails, u.Email)
	}
	assert.Equal(t, []string{"a@x.example", "no-id@x.example"}, emails)
}

func TestUsersObserved(t *testing.T) {
	t.Parallel()
	obs := &recordingObserver{}
	c, mt := newMockClient(t, WithObserver(obs))
	mt.RegisterResponder(http.MethodGet, usersURL, httpmock.NewStringResponder(200, `{"status":true,"data":{"items":[]}}`))
	mt.RegisterResponder(http.MethodPost, usersURL, httpmock.NewStringResponder(200, `{"status":true,"data":`+sampleUser+`}`))
	_, err := c.Users.List(context.Background(), validOrg, nil)
	require.NoError(t, err)
	_, err = c.Users.Create(context.Background(), validOrg, &CreateUserRequest{Email: "ana@acme.example"})
	require.NoError(t, err)
	route := "/organizations/{organizationId}/mdm/users"
	assert.Equal(t, []CallInfo{
		{Operation: "users.list", Method: "GET", Route: route, Host: "api.example.test"},
		{Operation: "users.create", Method: "POST", Route: route, Host: "api.example.test"},
	}, obs.infos())
}

// Users.ListAll and AppleEnrollmentTokens.ListAll end with one error, and
// few requests, on a server whose paging lies: the same page again, a next
// page that goes back, hasNextPage with an empty page.
func TestUsersAndAppleTokensListAllStopWithOneErrorOnLyingPaging(t *testing.T) {
	t.Parallel()
	pages := map[string]func(page int) string{
		"same page again": func(int) string {
			return `{"items":[{"id":"a","email":"a@x.example"}],"page":1,"hasNextPage":true,"nextPage":1}`
		},
		"next page goes back": func(p int) string {
			return `{"items":[{"id":"p` + strconv.Itoa(p) + `","email":"a@x.example"}],"page":` + strconv.Itoa(p) + `,"hasNextPage":true,"nextPage":` + strconv.Itoa(p-1) + `}`
		},
		"hasNextPage with an empty page": func(int) string { return `{"items":[],"hasNextPage":true}` },
	}
	lists := map[string]func(*Client) func(yield func(any, error) bool){
		"users": func(c *Client) func(yield func(any, error) bool) {
			return func(yield func(any, error) bool) {
				for u, err := range c.Users.ListAll(context.Background(), validOrg, nil) {
					if !yield(u, err) {
						return
					}
				}
			}
		},
		"apple tokens": func(c *Client) func(yield func(any, error) bool) {
			return func(yield func(any, error) bool) {
				for tok, err := range c.AppleEnrollmentTokens.ListAll(context.Background(), validOrg, nil) {
					if !yield(tok, err) {
						return
					}
				}
			}
		},
	}
	for lname, list := range lists {
		for pname, page := range pages {
			t.Run(lname+", "+pname, func(t *testing.T) {
				t.Parallel()
				c, mt := newMockClient(t)
				calls := 0
				mt.RegisterNoResponder(func(r *http.Request) (*http.Response, error) {
					calls++
					p, _ := strconv.Atoi(r.URL.Query().Get("page"))
					return httpmock.NewStringResponse(200, `{"status":true,"data":`+page(max(p, 1))+`}`), nil
				})
				errs := 0
				withGuard(t, 10*time.Second, func() {
					for _, err := range list(c) {
						if err != nil {
							errs++
						}
					}
				})
				assert.Equal(t, 1, errs)
				assert.LessOrEqual(t, calls, 3)
			})
		}
	}
}
