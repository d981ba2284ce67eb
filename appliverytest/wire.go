package appliverytest

import (
	"cmp"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/applivery/applivery-go"
)

// The API's conventions, which every endpoint of the fake follows: its
// envelopes and documented error answers, its paging, its ID patterns and
// its timestamps.

// The documented error answers.
var (
	errNoAuthToken       = apiError{http.StatusUnauthorized, applivery.CodeNoAuthToken, "No auth token"}
	errInvalidToken      = apiError{http.StatusUnauthorized, applivery.CodeInvalidToken, "Invalid Token"}
	errNotFound          = apiError{http.StatusNotFound, applivery.CodeEntityNotFound, "Entity not found"}
	errNotPending        = apiError{http.StatusBadRequest, applivery.CodeCommandNotPending, "EmmCommand status not Pending"}
	errInvalidInput      = apiError{http.StatusBadRequest, 5209, "Invalid input"}
	errRateLimited       = apiError{http.StatusTooManyRequests, 0, "Too Many Requests"}
	errFeatureNotAllowed = apiError{http.StatusBadRequest, applivery.CodeFeatureNotAllowed,
		"Feature not allowed for you billing plan"}
)

// apiError is an answer in the API's error envelope.
type apiError struct {
	status  int
	code    applivery.ErrorCode
	message string
}

// writeError answers e in the API's error envelope.
func writeError(w http.ResponseWriter, e apiError) {
	type body struct {
		Code    applivery.ErrorCode `json:"code,omitempty"`
		Message string              `json:"message"`
	}
	writeJSON(w, e.status, struct {
		Status bool `json:"status"`
		Error  body `json:"error"`
	}{false, body{e.code, e.message}})
}

// writeData answers 200 with data in the API's success envelope.
func writeData(w http.ResponseWriter, data any) {
	writeJSON(w, http.StatusOK, struct {
		Status bool `json:"status"`
		Data   any  `json:"data"`
	}{true, data})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// Paging of lists: the page size when the request names none, and the
// largest the server gives.
const (
	DefaultLimit = 100
	MaxLimit     = 100
)

// listQuery is what a list request asks for: its page (from 1), its limit
// (at most MaxLimit) and whether its sort ends in ":desc".
type listQuery struct {
	page, limit int
	desc        bool
}

// readListQuery reads and checks the paging and sort of a list request:
// page and limit positive integers (a limit above MaxLimit gets MaxLimit),
// sort matching applivery.SortPattern. ok is false for a request the API
// refuses with 400.
func readListQuery(q url.Values) (lq listQuery, ok bool) {
	page, okPage := positiveInt(q.Get("page"), 1)
	limit, okLimit := positiveInt(q.Get("limit"), DefaultLimit)
	if !okPage || !okLimit || !sortRE.MatchString(q.Get("sort")) {
		return listQuery{}, false
	}
	return listQuery{page: page, limit: min(limit, MaxLimit), desc: strings.HasSuffix(q.Get("sort"), ":desc")}, true
}

// pageOf returns the page of all that lq asks for, in the API's pagination
// envelope: all in the order of seq (insertion order), reversed for a
// ":desc" sort, each served as item makes it.
func pageOf[T any](all []T, lq listQuery, seq func(T) uint64, item func(T) json.RawMessage) map[string]any {
	slices.SortFunc(all, func(a, b T) int { return cmp.Compare(seq(a), seq(b)) })
	if lq.desc {
		slices.Reverse(all)
	}
	items := []json.RawMessage{}
	for _, x := range window(all, lq) {
		items = append(items, item(x))
	}
	return paging(items, lq.page, lq.limit, len(all))
}

// window returns the elements of all, in order, on the page lq asks for:
// none past the end, however far past it the page is (its offset is not
// computed for a page past the end, so a page near the largest int does
// not overflow into a negative index).
func window[T any](all []T, lq listQuery) []T {
	if lq.page-1 >= (len(all)+lq.limit-1)/lq.limit {
		return nil
	}
	from := (lq.page - 1) * lq.limit
	return all[from:min(from+lq.limit, len(all))]
}

// readDeviceListQuery reads and checks the query of a platform's device
// list (Android's, Apple's): the paging and sort, the user and policy
// filters (policy names the platform's: "emm-policy", "adm-policy") as 24
// hex digits, show-deleted a boolean, segmentId a number of 0 or more (-1
// when absent), and expandTo "ancestors" or "children" with a segmentId.
func readDeviceListQuery(q url.Values, policy string) (lq listQuery, segment int, ok bool) {
	lq, okList := readListQuery(q)
	segment, okSegment := nonNegativeInt(q.Get("segmentId"))
	expand := q.Get("expandTo")
	ok = okList && okSegment &&
		emptyOr(q.Get("mdm-user"), objectIDRE.MatchString) && emptyOr(q.Get(policy), objectIDRE.MatchString) &&
		emptyOr(q.Get("show-deleted"), func(v string) bool { return v == "true" || v == "false" }) &&
		(expand == "" || (expand == "ancestors" || expand == "children") && segment >= 0)
	return lq, segment, ok
}

// deviceListed reports whether a stored device, of members raw and tags,
// passes the filters every platform's device list shares: it is not
// deleted unless show-deleted is true, it is in the segment asked (-1 for
// none), and it has every tag asked for.
func deviceListed(raw map[string]json.RawMessage, tags []string, q url.Values, segment int) bool {
	var deleted bool
	_ = json.Unmarshal(raw["deleted"], &deleted)
	if deleted && q.Get("show-deleted") != "true" {
		return false
	}
	if segment >= 0 {
		var own *int
		if json.Unmarshal(raw["segmentId"], &own) != nil || own == nil || *own != segment {
			return false
		}
	}
	for _, want := range q["tags"] {
		if !slices.Contains(tags, want) {
			return false
		}
	}
	return true
}

// nonNegativeInt parses an optional query parameter: -1 when it is absent.
func nonNegativeInt(v string) (int, bool) {
	if v == "" {
		return -1, true
	}
	n, err := strconv.Atoi(v)
	return n, err == nil && n >= 0
}

// pagingCounter is the number, from 1, of the first record of page page of
// limit records: math.MaxInt for a page so far past the end that the
// number does not fit in an int.
func pagingCounter(page, limit int) int {
	if page-1 > (math.MaxInt-1)/limit {
		return math.MaxInt
	}
	return (page-1)*limit + 1
}

// emptyOr reports whether v is empty or ok.
func emptyOr(v string, ok func(string) bool) bool { return v == "" || ok(v) }

// paging is the API's pagination envelope around items, page page of total
// records, limit a page.
func paging[T any](items []T, page, limit, total int) map[string]any {
	pages := (total + limit - 1) / limit
	var prev, next *int
	if page > 1 {
		p := min(page-1, max(pages, 1))
		prev = &p
	}
	if page < pages {
		n := page + 1
		next = &n
	}
	return map[string]any{
		"items":         items,
		"totalDocs":     total,
		"limit":         limit,
		"page":          page,
		"totalPages":    pages,
		"pagingCounter": pagingCounter(page, limit),
		"hasPrevPage":   prev != nil,
		"hasNextPage":   next != nil,
		"prevPage":      prev,
		"nextPage":      next,
	}
}

// positiveInt parses a query parameter, def when it is absent.
func positiveInt(v string, def int) (int, bool) {
	if v == "" {
		return def, true
	}
	n, err := strconv.Atoi(v)
	return n, err == nil && n > 0
}

// sortRE is the documented pattern of a list's sort parameter.
var sortRE = regexp.MustCompile(applivery.SortPattern)

// The documented ID patterns, which the fake holds its data to.
var (
	organizationIDRE = regexp.MustCompile(applivery.OrganizationIDPattern)
	deviceIDRE       = regexp.MustCompile(applivery.DeviceIDPattern)
	commandIDRE      = regexp.MustCompile(applivery.CommandIDPattern)
	objectIDRE       = regexp.MustCompile(applivery.ObjectIDPattern)
)

// mustMatch panics, for method, if the named value does not match re.
func mustMatch(method, name, value string, re *regexp.Regexp) {
	if !re.MatchString(value) {
		panic(fmt.Sprintf("appliverytest: %s: %s %q does not match %s: the API could not hold it", method, name, value, re))
	}
}

// stamp is the current time as the API stamps its records: UTC, to the
// millisecond.
func stamp() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }

// randomHex returns n random bytes as 2n hex digits: 12 make an ID of the
// API's 24.
func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("appliverytest: no randomness: " + err.Error())
	}
	return hex.EncodeToString(b)
}
