package appliverytest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
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
		"pagingCounter": (page-1)*limit + 1,
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
