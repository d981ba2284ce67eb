package applivery

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
)

// Review (passing; covers the new lists): Users.ListAll and
// AppleEnrollmentTokens.ListAll end with one error, and few requests, on a
// server whose paging lies: the same page again, a next page that goes
// back, hasNextPage with an empty page.
func TestReviewNewListAllsStopOnLyingPaging(t *testing.T) {
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
