package applivery

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNextPage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		requested int
		meta      pageMeta
		items     int
		want      int
		wantErr   string
	}{
		{"last page", 1, pageMeta{page: 1}, 1, 0, ""},
		{"next page given", 1, pageMeta{page: 1, hasNextPage: true, nextPage: 2}, 1, 2, ""},
		{"next page skips ahead", 1, pageMeta{page: 1, hasNextPage: true, nextPage: 5}, 1, 5, ""},
		{"next page absent", 2, pageMeta{page: 2, hasNextPage: true}, 1, 3, ""},
		{"page absent, first requested", 0, pageMeta{hasNextPage: true}, 1, 2, ""},
		{"page absent, third requested", 3, pageMeta{hasNextPage: true}, 1, 4, ""},
		{"next page without hasNextPage", 1, pageMeta{page: 1, nextPage: 2}, 1, 2, ""},
		{"next page within the total", 2, pageMeta{page: 2, totalPages: 3, hasNextPage: true, nextPage: 3}, 1, 3, ""},
		{"next page is this page", 2, pageMeta{page: 2, hasNextPage: true, nextPage: 2}, 1, 0, "does not advance"},
		{"next page goes back", 3, pageMeta{page: 3, hasNextPage: true, nextPage: 1}, 1, 0, "does not advance"},
		{"server ignores the page asked", 2, pageMeta{page: 1, hasNextPage: true, nextPage: 2}, 1, 0, "does not advance"},
		{"empty page claims a next one", 1, pageMeta{page: 1, hasNextPage: true, nextPage: 2}, 0, 0, "after an empty page"},
		{"empty last page", 4, pageMeta{page: 4}, 0, 0, ""},
		{"next page beyond the total", 3, pageMeta{page: 3, totalPages: 3, hasNextPage: true, nextPage: 4}, 1, 0, "past its last page (3)"},
		{"page+1 beyond the total", 3, pageMeta{page: 3, totalPages: 3, hasNextPage: true}, 1, 0, "past its last page (3)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := nextPage("commands", tt.requested, tt.meta, tt.items)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				assert.Contains(t, err.Error(), "applivery: listing commands: ")
				assert.Zero(t, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// pager serves a device's command list from pages it was given, and records
// the queries it received.
type pager struct {
	mu      sync.Mutex
	queries []url.Values
	// answer returns the data of the answer to a query, or "" to answer 500.
	answer func(q url.Values) string
}

func (p *pager) handler(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.queries = append(p.queries, r.URL.Query())
	p.mu.Unlock()
	data := p.answer(r.URL.Query())
	if data == "" {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	fmt.Fprintf(w, `{"status":true,"data":%s}`, data)
}

func (p *pager) seen() []url.Values {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]url.Values(nil), p.queries...)
}

// paged answers like the API over total commands c1…cN, limit per page.
func paged(total int) func(url.Values) string {
	return func(q url.Values) string {
		page, _ := strconv.Atoi(q.Get("page"))
		page = max(page, 1)
		limit, _ := strconv.Atoi(q.Get("limit"))
		if limit == 0 {
			limit = 10
		}
		pages := (total + limit - 1) / limit
		var ids []string
		for i := (page-1)*limit + 1; i <= min(page*limit, total); i++ {
			ids = append(ids, fmt.Sprintf(`{"id":"c%d"}`, i))
		}
		next := "null"
		if page < pages {
			next = strconv.Itoa(page + 1)
		}
		return fmt.Sprintf(`{"items":[%s],"page":%d,"limit":%d,"totalDocs":%d,"totalPages":%d,"hasNextPage":%t,"nextPage":%s}`,
			strings.Join(ids, ","), page, limit, total, pages, page < pages, next)
	}
}

func collect(t *testing.T, c *Client, opts *ListCommandsOptions, stopAfter int) (ids []string, errs []error) {
	t.Helper()
	for cmd, err := range c.AndroidCommands.ListAll(context.Background(), validOrg, validDevice, opts) {
		if err != nil {
			assert.Nil(t, cmd)
			errs = append(errs, err)
			continue
		}
		ids = append(ids, cmd.ID)
		if len(ids) == stopAfter {
			break
		}
	}
	return ids, errs
}

func TestListAllWalksEveryPage(t *testing.T) {
	t.Parallel()
	p := &pager{answer: paged(7)}
	c := newServerClient(t, newTestServer(t, p.handler))
	ids, errs := collect(t, c, &ListCommandsOptions{Limit: 3, Sort: "createdAt:desc"}, 0)
	assert.Empty(t, errs)
	assert.Equal(t, []string{"c1", "c2", "c3", "c4", "c5", "c6", "c7"}, ids)
	queries := p.seen()
	require.Len(t, queries, 3)
	assert.Equal(t, url.Values{"limit": {"3"}, "sort": {"createdAt:desc"}}, queries[0], "the first page is the server's default")
	assert.Equal(t, url.Values{"page": {"2"}, "limit": {"3"}, "sort": {"createdAt:desc"}}, queries[1], "limit and sort are kept")
	assert.Equal(t, url.Values{"page": {"3"}, "limit": {"3"}, "sort": {"createdAt:desc"}}, queries[2])
}

func TestListAllStartsAtTheOptionsPage(t *testing.T) {
	t.Parallel()
	p := &pager{answer: paged(7)}
	c := newServerClient(t, newTestServer(t, p.handler))
	opts := &ListCommandsOptions{Page: 2, Limit: 3}
	ids, errs := collect(t, c, opts, 0)
	assert.Empty(t, errs)
	assert.Equal(t, []string{"c4", "c5", "c6", "c7"}, ids)
	assert.Equal(t, 2, opts.Page, "the caller's options are not changed")
	assert.Len(t, p.seen(), 2)
}

func TestListAllNilOptionsAndOnePage(t *testing.T) {
	t.Parallel()
	p := &pager{answer: paged(4)}
	c := newServerClient(t, newTestServer(t, p.handler))
	ids, errs := collect(t, c, nil, 0)
	assert.Empty(t, errs)
	assert.Len(t, ids, 4)
	require.Len(t, p.seen(), 1)
	assert.Empty(t, p.seen()[0], "nil options send no query")
}

func TestListAllFetchesNothingAfterABreak(t *testing.T) {
	t.Parallel()
	p := &pager{answer: paged(30)}
	c := newServerClient(t, newTestServer(t, p.handler))
	ids, errs := collect(t, c, &ListCommandsOptions{Limit: 10}, 12)
	assert.Empty(t, errs)
	assert.Len(t, ids, 12)
	assert.Len(t, p.seen(), 2, "page 3 is never fetched")

	p2 := &pager{answer: paged(30)}
	c2 := newServerClient(t, newTestServer(t, p2.handler))
	ids, _ = collect(t, c2, &ListCommandsOptions{Limit: 10}, 10)
	assert.Len(t, ids, 10)
	assert.Len(t, p2.seen(), 1, "breaking at the end of a page fetches no next page")
}

func TestListAllFollowsNextPageOrPagePlusOne(t *testing.T) {
	t.Parallel()
	p := &pager{answer: func(q url.Values) string {
		switch q.Get("page") {
		case "":
			return `{"items":[{"id":"a"}],"page":1,"hasNextPage":true,"nextPage":5}` // skips ahead
		case "5":
			return `{"items":[{"id":"b"}],"hasNextPage":true}` // no numbers at all: 5+1
		case "6":
			return `{"items":[{"id":"c"}],"page":6,"hasNextPage":false,"nextPage":null}`
		}
		return ""
	}}
	c := newServerClient(t, newTestServer(t, p.handler))
	ids, errs := collect(t, c, nil, 0)
	assert.Empty(t, errs)
	assert.Equal(t, []string{"a", "b", "c"}, ids)
}

func TestListAllEndsWithAnErrorWhenPagingDoesNotAdvance(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"same page again":       `{"items":[{"id":"a"}],"page":1,"hasNextPage":true,"nextPage":1}`,
		"ignores the page":      `{"items":[{"id":"a"}],"page":1,"hasNextPage":true,"nextPage":2}`,
		"empty pages for ever":  `{"items":[],"hasNextPage":true}`,
		"same page, unnumbered": `{"items":[{"id":"x"},{"id":"y"}],"page":0,"hasNextPage":true,"nextPage":0}`,
		"next page goes back":   `{"items":[{"id":"a"}],"page":1,"hasNextPage":true,"nextPage":-1}`,
	}
	for name, data := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p := &pager{answer: func(url.Values) string { return data }}
			c := newServerClient(t, newTestServer(t, p.handler))
			withGuard(t, 10*time.Second, func() {
				ids, errs := collect(t, c, nil, 0)
				require.Len(t, errs, 1)
				assert.Contains(t, errs[0].Error(), "applivery: listing commands: ")
				assert.LessOrEqual(t, len(ids), 2, "a repeated page is not yielded again")
			})
			assert.LessOrEqual(t, len(p.seen()), 2)
		})
	}
}

func TestListAllEndsOnPagesThatCycle(t *testing.T) {
	t.Parallel()
	pageA := `{"id":"a1"},{"id":"a2"}`
	pageB := `{"id":"b1"},{"id":"b2"}`
	p := &pager{answer: func(q url.Values) string {
		n, _ := strconv.Atoi(q.Get("page"))
		n = max(n, 1)
		items := pageA
		if n%2 == 0 {
			items = pageB
		}
		// Pages A, B, A, B, … each naming the next, with no total.
		return fmt.Sprintf(`{"items":[%s],"page":%d,"hasNextPage":true,"nextPage":%d}`, items, n, n+1)
	}}
	c := newServerClient(t, newTestServer(t, p.handler))
	withGuard(t, 10*time.Second, func() {
		ids, errs := collect(t, c, nil, 0)
		assert.Equal(t, []string{"a1", "a2", "b1", "b2"}, ids, "each item once")
		require.Len(t, errs, 1)
		assert.EqualError(t, errs[0], "applivery: listing commands: the server's paging does not advance: page 3 repeats page 1, already read")
	})
	assert.Len(t, p.seen(), 3)
}

func TestListAllNeverAsksBeyondTheTotal(t *testing.T) {
	t.Parallel()
	p := &pager{answer: func(q url.Values) string {
		n, _ := strconv.Atoi(q.Get("page"))
		n = max(n, 1)
		return fmt.Sprintf(`{"items":[{"id":"c%d"}],"page":%d,"totalPages":2,"hasNextPage":true,"nextPage":%d}`, n, n, n+1)
	}}
	c := newServerClient(t, newTestServer(t, p.handler))
	ids, errs := collect(t, c, nil, 0)
	assert.Equal(t, []string{"c1", "c2"}, ids)
	require.Len(t, errs, 1)
	assert.Contains(t, errs[0].Error(), "the server reported a next page (3) past its last page (2)")
	assert.Len(t, p.seen(), 2, "page 3 is never asked for")
}

func TestListAllTellsCommandsWithoutIDsApart(t *testing.T) {
	t.Parallel()
	p := &pager{answer: func(q url.Values) string {
		n, _ := strconv.Atoi(q.Get("page"))
		n = max(n, 1)
		return fmt.Sprintf(`{"items":[{"createdAt":"2026-01-0%dT00:00:00Z"}],"page":%d,"hasNextPage":%t}`, n, n, n < 3)
	}}
	c := newServerClient(t, newTestServer(t, p.handler))
	ids, errs := collect(t, c, nil, 0)
	assert.Empty(t, errs)
	assert.Len(t, ids, 3)
}

func TestListAllYieldsAnErrorOnceAndStops(t *testing.T) {
	t.Parallel()
	p := &pager{answer: func(q url.Values) string {
		if q.Get("page") == "" {
			return `{"items":[{"id":"a"},{"id":"b"}],"page":1,"hasNextPage":true,"nextPage":2}`
		}
		return "" // 500
	}}
	c := newServerClient(t, newTestServer(t, p.handler), WithMaxRetries(1))
	var ids []string
	var errs []error
	for cmd, err := range c.AndroidCommands.ListAll(context.Background(), validOrg, validDevice, nil) {
		if err != nil {
			errs = append(errs, err)
			continue // the iterator must stop by itself
		}
		ids = append(ids, cmd.ID)
	}
	assert.Equal(t, []string{"a", "b"}, ids)
	require.Len(t, errs, 1)
	assert.Equal(t, 500, requireAPIError(t, errs[0]).StatusCode)
	assert.Len(t, p.seen(), 3, "page 1, then page 2 and its retry")
}

func TestListAllRefusesBadOptionsOnce(t *testing.T) {
	t.Parallel()
	p := &pager{answer: paged(3)}
	c := newServerClient(t, newTestServer(t, p.handler))
	ids, errs := collect(t, c, &ListCommandsOptions{Sort: "name:up"}, 0)
	assert.Empty(t, ids)
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], ErrInvalidArgument)
	assert.Empty(t, p.seen())
}

// reshuffled answers every page with the same items in a new order (it
// ignores the page asked for), claims a next page up to page 6, and counts
// the pages it served.
func reshuffled(items []string) func(url.Values) string {
	var mu sync.Mutex
	served := 0
	return func(url.Values) string {
		mu.Lock()
		defer mu.Unlock()
		served++
		order := make([]string, len(items))
		for i := range items { // a rotation, then every other one reversed
			order[i] = items[(i+served)%len(items)]
		}
		if served%2 == 0 {
			slices.Reverse(order)
		}
		return fmt.Sprintf(`{"items":[%s],"page":%d,"totalPages":6,"hasNextPage":%t,"nextPage":%d}`,
			strings.Join(order, ","), served, served < 6, served+1)
	}
}

func TestListAllCatchesAServerThatReshufflesTheSameItems(t *testing.T) {
	t.Parallel()
	withIDs := []string{`{"id":"a"}`, `{"id":"b"}`, `{"id":"c"}`, `{"id":"d"}`, `{"id":"e"}`}
	withoutIDs := []string{`{"createdAt":"2026-01-01T00:00:00Z"}`, `{"createdAt":"2026-01-02T00:00:00Z"}`, `{"createdAt":"2026-01-03T00:00:00Z"}`}
	list := map[string]func(c *Client) (n int, errs []error){
		"commands": func(c *Client) (n int, errs []error) {
			for cmd, err := range c.AndroidCommands.ListAll(context.Background(), validOrg, validDevice, nil) {
				if err != nil {
					errs = append(errs, err)
					continue
				}
				require.NotNil(t, cmd)
				n++
			}
			return n, errs
		},
		"devices": func(c *Client) (n int, errs []error) {
			for d, err := range c.AndroidDevices.ListAll(context.Background(), validOrg, nil) {
				if err != nil {
					errs = append(errs, err)
					continue
				}
				require.NotNil(t, d)
				n++
			}
			return n, errs
		},
	}
	tests := []struct {
		name  string
		items []string
	}{
		{"items with IDs", withIDs},
		{"items without IDs", withoutIDs},
	}
	for _, tt := range tests {
		for what, walk := range list {
			t.Run(what+", "+tt.name, func(t *testing.T) {
				t.Parallel()
				p := &pager{answer: reshuffled(tt.items)}
				c := newServerClient(t, newTestServer(t, p.handler))
				n, errs := walk(c)
				assert.Equal(t, len(tt.items), n, "each item once")
				require.Len(t, errs, 1)
				assert.EqualError(t, errs[0], "applivery: listing "+what+": the server's paging does not advance: page 2 repeats page 1, already read")
				assert.Len(t, p.seen(), 2, "the second page brought nothing new")
			})
		}
	}
}

func TestListAllYieldsOnlyTheNewItemsOfAPage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		pages   map[string]string // by the page asked for
		wantIDs []string
		wantErr string
	}{
		{name: "pages that overlap, as when items are added during the walk", pages: map[string]string{
			"":  `{"items":[{"id":"a"},{"id":"b"},{"id":"c"}],"page":1,"hasNextPage":true}`,
			"2": `{"items":[{"id":"c"},{"id":"d"},{"id":"e"}],"page":2,"hasNextPage":true}`,
			"3": `{"items":[{"id":"e"},{"id":"f"}],"page":3,"hasNextPage":false}`,
		}, wantIDs: []string{"a", "b", "c", "d", "e", "f"}},
		{name: "a repeat within a page", pages: map[string]string{
			"": `{"items":[{"id":"a"},{"id":"a"},{"id":"b"}],"page":1,"hasNextPage":false}`,
		}, wantIDs: []string{"a", "b"}},
		{name: "a page made of two earlier pages", pages: map[string]string{
			"":  `{"items":[{"id":"a"},{"id":"b"}],"page":1,"hasNextPage":true}`,
			"2": `{"items":[{"id":"c"},{"id":"d"}],"page":2,"hasNextPage":true}`,
			"3": `{"items":[{"id":"d"},{"id":"a"}],"page":3,"hasNextPage":true}`,
		}, wantIDs: []string{"a", "b", "c", "d"}, wantErr: "page 3 holds only items already read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := &pager{answer: func(q url.Values) string { return tt.pages[q.Get("page")] }}
			c := newServerClient(t, newTestServer(t, p.handler))
			ids, errs := collect(t, c, nil, 0)
			assert.Equal(t, tt.wantIDs, ids)
			if tt.wantErr == "" {
				assert.Empty(t, errs)
				return
			}
			require.Len(t, errs, 1)
			assert.Contains(t, errs[0].Error(), tt.wantErr)
		})
	}
}
