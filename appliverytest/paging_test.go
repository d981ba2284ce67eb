package appliverytest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/applivery/applivery-go"
	"github.com/applivery/applivery-go/appliverytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A page far beyond the end is an empty page (as page=3 of 3 users with
// limit 2 is), or a refusal: never a panic of the handler, which drops the
// connection (the SDK then sees a network failure, and retries it) and,
// as it panics under organizations.servePage's lock, leaves every later
// request of the fake, and its Close, hanging. (page-1)*limit
// overflowed in window (wire.go) and the slice expression panicked. (The
// server is not closed when the request fails: its Close would hang.)
func TestAPageFarPastTheEndIsEmptyNotAPanic(t *testing.T) {
	t.Parallel()
	for _, page := range []string{"9223372036854775807", strconv.Itoa(1 << 62)} {
		t.Run(page, func(t *testing.T) {
			srv := appliverytest.NewServer()
			srv.AddOrganization(org)
			srv.AddUser(org, applivery.User{Email: "ana@acme.example", Name: "Ana"})
			req, err := http.NewRequest(http.MethodGet, srv.URL+usersPath(org)+"?limit=50&page="+page, nil)
			require.NoError(t, err)
			req.Header.Set("Authorization", "Bearer "+srv.APIKey)
			client := &http.Client{Timeout: 3 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
			resp, err := client.Do(req)
			require.NoError(t, err, "the fake dropped the connection: its handler panicked")
			defer srv.Close()
			b, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			require.NoError(t, err)
			if resp.StatusCode == http.StatusBadRequest {
				return
			}
			require.Equal(t, http.StatusOK, resp.StatusCode, string(b))
			var env envelope
			require.NoError(t, json.Unmarshal(b, &env), string(b))
			items, paging := env.page(t)
			assert.Empty(t, items)
			assert.Positive(t, paging["pagingCounter"], "the first item's number on the page")
		})
	}
}
