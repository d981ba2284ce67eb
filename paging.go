package applivery

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"

	"github.com/applivery/applivery-go/internal/transport"
)

// checkPaging refuses the paging options of a list that cannot work: a
// negative page or limit, or a sort that does not match SortPattern.
func checkPaging(page, limit int, sort string) error {
	switch {
	case page < 0:
		return &ValidationError{Field: "page", Value: strconv.Itoa(page), Reason: "must be 0 (the server's default) or more"}
	case limit < 0:
		return &ValidationError{Field: "limit", Value: strconv.Itoa(limit), Reason: "must be 0 (the server's default) or more"}
	case !isSort(sort):
		return &ValidationError{Field: fieldSort, Value: sort, Pattern: SortPattern}
	}
	return nil
}

// pagingQuery returns the query of the paging options; zero ones are not
// sent.
func pagingQuery(page, limit int, sort string) url.Values {
	q := make(url.Values, 3)
	if page > 0 {
		q.Set("page", strconv.Itoa(page))
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	if sort != "" {
		q.Set("sort", sort)
	}
	return q
}

// deviceListQuery is the query of a platform's device list (Android's,
// Apple's), which share their paging, filters and rules: ids are the list's
// id filters, each its API name and its value, 24 hex digits when set.
type deviceListQuery struct {
	page, limit int
	sort        string
	ids         [][2]string
	showDeleted bool
	tags        []string
	segmentID   *int
	expandTo    string
}

// encode checks q, in the order the options list them, and encodes it: a
// negative page or limit, a sort that does not match SortPattern, an id
// that is not 24 hex digits, a negative segmentID, an expandTo other than
// "ancestors" or "children", or without a segmentID, or an empty tag is a
// *ValidationError.
func (q deviceListQuery) encode() (string, error) {
	if err := checkPaging(q.page, q.limit, q.sort); err != nil {
		return "", err
	}
	if err := checkObjectIDs(q.ids...); err != nil {
		return "", err
	}
	switch {
	case q.segmentID != nil && *q.segmentID < 0:
		return "", &ValidationError{Field: "segmentId", Value: strconv.Itoa(*q.segmentID), Reason: "must be 0 or more"}
	case q.expandTo != "" && q.expandTo != "ancestors" && q.expandTo != "children":
		return "", &ValidationError{Field: "expandTo", Value: q.expandTo, Reason: `must be "ancestors" or "children"`}
	case q.expandTo != "" && q.segmentID == nil:
		return "", &ValidationError{Field: "expandTo", Value: q.expandTo, Reason: "needs a segmentId to expand from"}
	}
	if err := checkTags(q.tags, 0); err != nil {
		return "", err
	}
	v := pagingQuery(q.page, q.limit, q.sort)
	for _, f := range q.ids {
		if f[1] != "" {
			v.Set(f[0], f[1])
		}
	}
	if q.showDeleted {
		v.Set("show-deleted", "true")
	}
	if len(q.tags) > 0 {
		v["tags"] = append([]string(nil), q.tags...)
	}
	if q.segmentID != nil {
		v.Set("segmentId", strconv.Itoa(*q.segmentID))
	}
	if q.expandTo != "" {
		v.Set("expandTo", q.expandTo)
	}
	return encodeQuery(v), nil
}

// encodeQuery returns q as a URL's query, with its "?", or "" when q is
// empty.
func encodeQuery(q url.Values) string {
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

// pageJSON is one page of a list on the wire, with its items as W: the
// API's pagination envelope, whose every field is optional (one that is
// absent or null is 0, or false). Each resource turns it into its exported
// page type.
type pageJSON[W any] struct {
	Items       []W  `json:"items"`
	Page        int  `json:"page"`
	Limit       int  `json:"limit"`
	TotalDocs   int  `json:"totalDocs"`
	TotalPages  int  `json:"totalPages"`
	HasNextPage bool `json:"hasNextPage"`
	HasPrevPage bool `json:"hasPrevPage"`
	NextPage    int  `json:"nextPage"`
	PrevPage    int  `json:"prevPage"`
}

// pageShape is the shape every exported page type shares (DevicePage,
// AppleDevicePage, …): a pageJSON[T] converts to one, and back, field for
// field, so a family declares its page type and nothing more.
type pageShape[T any] interface {
	~struct {
		Items                    []T
		Page, Limit              int
		TotalDocs, TotalPages    int
		HasNextPage, HasPrevPage bool
		NextPage, PrevPage       int
	}
}

// listPage is the List method of every list of an organization's resource
// whose wire items are its models: it checks the call options, the
// organization and then the options (query returns their encoded query, or
// refuses them), sends a GET of at(query), retried as every read, and
// returns the page, whose Items is never nil.
func listPage[T any, P pageShape[T]](ctx context.Context, c *core, op operation, organizationID string, query func() (string, error), at func(query string) string, opts []CallOption) (*P, error) {
	cc, err := callOptions(opts)
	if err != nil {
		return nil, err
	}
	if !isOrganizationID(organizationID) {
		return nil, &ValidationError{Field: fieldOrganizationID, Value: organizationID, Pattern: OrganizationIDPattern}
	}
	q, err := query()
	if err != nil {
		return nil, err
	}
	r := request{op: op, method: http.MethodGet, url: at(q), policy: transport.Idempotent, call: cc}
	ctx, st := c.start(ctx, &r)
	w, out, err := do[pageJSON[T]](ctx, c, r)
	if err != nil {
		return nil, c.end(&st, &r, out, err)
	}
	if w.Items == nil {
		w.Items = []T{}
	}
	p := P(*w)
	return &p, c.end(&st, &r, out, nil)
}

// allPages is the ListAll method of every list: list returns the page it
// is asked for (a List call, 0 for the server's first), from page first;
// the walk and its guards are listAll's, what names the list in its errors
// and key identifies an item.
func allPages[T any, P pageShape[T]](what string, first int, list func(page int) (*P, error), key func(*T) string) iter.Seq2[*T, error] {
	return listAll(what, first, func(page int) ([]T, pageMeta, error) {
		p, err := list(page)
		if err != nil {
			return nil, pageMeta{}, err
		}
		w := pageJSON[T](*p)
		return w.Items, pageMeta{page: w.Page, totalPages: w.TotalPages, nextPage: w.NextPage, hasNextPage: w.HasNextPage}, nil
	}, key)
}

// optionsOf returns *o, or the zero options when o is nil: the copy a
// ListAll pages with.
func optionsOf[O any](o *O) O {
	if o == nil {
		var zero O
		return zero
	}
	return *o
}

// pageMeta is the paging part of a list answer.
type pageMeta struct {
	page        int // 0 when the server sent none
	totalPages  int // 0 when the server sent none
	nextPage    int // 0 when null or absent
	hasNextPage bool
}

// listAll iterates over a list, page after page from page first (0 for the
// server's first), for the ListAll methods. fetch gets one page; identity
// returns what identifies an item within the list (its ID, or the key of an
// itemHash for one without), so that an item already yielded is recognised. what names the list in errors
// ("commands").
//
// A page is fetched only when the loop reaches it. An error is yielded once,
// with a nil item, and ends the iteration; so does paging that does not
// advance (a next page that is not after the current one, a next page beyond
// the total the server announced, a next page claimed after an empty one, or
// a page that brings no item not already yielded), rather than reading for
// ever. The last guard does not depend on the order of the items: a server
// that ignores the page asked for and reshuffles the same items, or cycles
// through a few pages, is caught at the first page that brings nothing new.
// An item already yielded is never yielded again, so a page that brings some
// new items yields only those. The guard keeps one key per item.
func listAll[T any](what string, first int, fetch func(page int) ([]T, pageMeta, error), identity func(*T) string) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) {
		seen := make(map[string]int) // item key -> the page that first brought it
		requested := first
		for {
			items, meta, err := fetch(requested)
			if err != nil {
				yield(nil, err)
				return
			}
			number := meta.page
			if number == 0 {
				number = max(requested, 1)
			}
			fresh, earlier := 0, 0 // earlier: the page that brought the repeats, -1 for several
			for i := range items {
				key := identity(&items[i])
				if p, ok := seen[key]; ok {
					if earlier == 0 || earlier == p {
						earlier = p
					} else {
						earlier = -1
					}
					continue
				}
				seen[key] = number
				fresh++
				if !yield(&items[i], nil) {
					return
				}
			}
			if len(items) > 0 && fresh == 0 {
				// A server that ignores the page asked for, reshuffles its
				// items, or cycles through a few pages would otherwise be read
				// for ever.
				if earlier > 0 {
					yield(nil, pagingError(what, "page %d repeats page %d, already read", number, earlier))
				} else {
					yield(nil, pagingError(what, "page %d holds only items already read", number))
				}
				return
			}
			next, err := nextPage(what, requested, meta, len(items))
			if err != nil {
				yield(nil, err)
				return
			}
			if next == 0 {
				return
			}
			requested = next
		}
	}
}

// nextPage returns the number of the page after the one described by meta,
// which held n items and was fetched by asking for page requested (0 for the
// server's first), or 0 when it was the last. The server's nextPage is
// followed, or its page+1 when it sends none.
func nextPage(what string, requested int, meta pageMeta, n int) (int, error) {
	if !meta.hasNextPage && meta.nextPage == 0 {
		return 0, nil
	}
	current := meta.page
	if current == 0 {
		current = max(requested, 1)
	}
	next := meta.nextPage
	if next == 0 {
		next = current + 1
	}
	switch {
	case next <= current || next <= requested:
		return 0, pagingError(what, "asked for page %d, got page %d with next page %d", requested, meta.page, meta.nextPage)
	case n == 0:
		return 0, pagingError(what, "the server reported a next page (%d) after an empty page %d", next, current)
	case meta.totalPages > 0 && next > meta.totalPages:
		return 0, pagingError(what, "the server reported a next page (%d) past its last page (%d)", next, meta.totalPages)
	}
	return next, nil
}

// pagingError is the error that ends a ListAll whose paging does not advance.
func pagingError(what, format string, args ...any) error {
	return fmt.Errorf("applivery: listing %s: the server's paging does not advance: "+format, append([]any{what}, args...)...)
}

// rawKey is the list key of a model kept whole in raw: its id, or, when it
// has none, the key of an itemHash of all of it.
func rawKey(id string, raw []byte) string {
	if id != "" {
		return id
	}
	h := newItemHash()
	hashAdd(&h, raw)
	return h.key()
}

// itemHash is a 64-bit FNV-1a hash of the fields of a list item that has no
// ID, for its key in listAll.
type itemHash uint64

func newItemHash() itemHash { return 14695981039346656037 }

// key returns h as the key of an item without an ID: marked with a NUL
// byte, which no ID holds, so that it never equals one.
func (h itemHash) key() string {
	var b [9]byte
	for i := range 8 {
		b[1+i] = byte(uint64(h) >> (8 * i))
	}
	return string(b[:])
}

// hashAdd adds s to h, with its length, so that the fields of an item
// cannot run into each other.
func hashAdd[S ~string | ~[]byte](h *itemHash, s S) {
	x := uint64(*h)
	for n := uint64(len(s)) + 1; n > 0; n >>= 8 {
		x = (x ^ n&0xff) * 1099511628211
	}
	for i := 0; i < len(s); i++ {
		x = (x ^ uint64(s[i])) * 1099511628211
	}
	*h = itemHash(x)
}
