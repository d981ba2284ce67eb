//go:build contract

package contract_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"iter"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/applivery/applivery-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	org     = "507f1f77bcf86cd799439012"
	slug    = "acme-fleet"
	device  = "507f1f77bcf86cd799439013"
	serial  = "R58M123ABC"
	command = "507f1f77bcf86cd799439011"
)

// calls drives every method of the SDK once, with the arguments given.
var calls = map[string]func(ctx context.Context, c *applivery.Client) error{
	"Cancel": func(ctx context.Context, c *applivery.Client) error {
		_, err := c.AndroidCommands.Cancel(ctx, org, device, command)
		return err
	},
	"Get": func(ctx context.Context, c *applivery.Client) error {
		_, err := c.AndroidCommands.Get(ctx, org, device, command)
		return err
	},
	"List": func(ctx context.Context, c *applivery.Client) error {
		_, err := c.AndroidCommands.List(ctx, org, device, &applivery.ListCommandsOptions{Page: 2, Limit: 10, Sort: "createdAt:desc"})
		return err
	},
	"Create": func(ctx context.Context, c *applivery.Client) error {
		_, err := c.AndroidCommands.Create(ctx, org, device, &applivery.CreateCommandRequest{Type: applivery.CommandTypeLock, Duration: "3600s"})
		return err
	},
}

// createRequests are a request of every documented type, with its params,
// and the documented example.
var createRequests = map[string]*applivery.CreateCommandRequest{
	"lock":   {Type: applivery.CommandTypeLock, Duration: "3600s"},
	"reboot": {Type: applivery.CommandTypeReboot},
	"reset password": {Type: applivery.CommandTypeResetPassword, NewPassword: "NewSecureP@ss123",
		ResetPasswordFlags: []string{"REQUIRE_ENTRY", "LOCK_NOW"}},
	"start lost mode": {Type: applivery.CommandTypeStartLostMode, StartLostMode: &applivery.StartLostModeParams{
		LostMessage:     &applivery.UserFacingMessage{DefaultMessage: "This device is lost.", LocalizedMessages: map[string]string{"es": "Perdido."}},
		LostPhoneNumber: &applivery.UserFacingMessage{DefaultMessage: "+1-555-0123"},
	}},
	"stop lost mode":       {Type: applivery.CommandTypeStopLostMode, StopLostMode: &applivery.StopLostModeParams{}},
	"relinquish ownership": {Type: applivery.CommandTypeRelinquishOwnership},
	"add esim": {Type: applivery.CommandTypeAddEsim, AddEsim: &applivery.AddEsimParams{
		CarrierName: "Acme Mobile", ActivationCode: "LPA:1$carrier.com$activation-code"}},
	"remove esim":    {Type: applivery.CommandTypeRemoveEsim, RemoveEsim: &applivery.RemoveEsimParams{ICCID: "89012345678901234567"}},
	"clear app data": {Type: applivery.CommandTypeClearAppData, ClearAppsData: &applivery.ClearAppsDataParams{PackageNames: []string{"com.example.app"}}},
	"documented example": {
		Type:               applivery.CommandTypeLock,
		Duration:           "3600s",
		NewPassword:        "NewSecureP@ss123",
		ResetPasswordFlags: []string{"REQUIRE_ENTRY", "LOCK_NOW"},
		StartLostMode: &applivery.StartLostModeParams{
			LostMessage:     &applivery.UserFacingMessage{DefaultMessage: "This device is lost. Please contact owner."},
			LostPhoneNumber: &applivery.UserFacingMessage{DefaultMessage: "+1-555-0123"},
		},
		ClearAppsData: &applivery.ClearAppsDataParams{PackageNames: []string{"com.example.app"}},
		StopLostMode:  &applivery.StopLostModeParams{},
		AddEsim:       &applivery.AddEsimParams{CarrierName: "Acme Mobile", ActivationCode: "LPA:1$carrier.com$activation-code"},
		RemoveEsim:    &applivery.RemoveEsimParams{ICCID: "89012345678901234567"},
	},
}

func TestRequestsConform(t *testing.T) {
	t.Parallel()
	c, chk := newClient(t, staticPrism, "", nil)
	ctx := context.Background()
	cmds := c.AndroidCommands

	for _, ids := range [][2]string{{org, device}, {slug, serial}, {slug, "x"}} {
		_, err := cmds.Cancel(ctx, ids[0], ids[1], command)
		assert.NoError(t, err, "Cancel %v", ids)
		_, err = cmds.Get(ctx, ids[0], ids[1], command)
		assert.NoError(t, err, "Get %v", ids)
	}
	for _, opts := range []*applivery.ListCommandsOptions{
		nil, {Page: 1}, {Limit: 100}, {Sort: "createdAt"}, {Page: 3, Limit: 25, Sort: "config.metadata.type:asc"}, {Sort: "updatedAt:desc"},
	} {
		_, err := cmds.List(ctx, org, device, opts)
		assert.NoError(t, err, "List %+v", opts)
	}
	for name, req := range createRequests {
		_, err := cmds.Create(ctx, slug, serial, req)
		assert.NoError(t, err, "Create %s", name)
	}
	chk.requireConforms(t)
}

func TestTheDocumentedExampleDecodes(t *testing.T) {
	t.Parallel()
	c, chk := newClient(t, staticPrism, "", nil)
	cmd, err := c.AndroidCommands.Cancel(context.Background(), org, device, command)
	require.NoError(t, err)
	chk.requireConforms(t)
	assert.Equal(t, applivery.Command{
		ID:            "507f1f77bcf86cd799439011",
		Organization:  "507f1f77bcf86cd799439012",
		EMMEnterprise: "507f1f77bcf86cd799439013",
		MDMUser:       "507f1f77bcf86cd799439014",
		Status:        applivery.CommandStatusPending,
		Config: applivery.CommandConfig{
			Metadata: applivery.CommandMetadata{
				TypeURL:    "type.googleapis.com/google.apps.gmm.v1.Command",
				Type:       applivery.CommandTypeLock,
				CreateTime: "2026-02-10T12: 00:00Z",
				Duration:   "3600s",
				UserName:   "[email protected]",
			},
			Done: true,
		},
		RawConfig: rawMember(t, chk.lastBody(), "data", "_config"),
	}, *cmd, "the documented timestamps do not parse, and stay zero")
}

func TestSchemaBuiltResponsesDecode(t *testing.T) {
	t.Parallel()
	c, chk := newClient(t, staticPrism, "", nil)
	ctx := context.Background()

	cmd, err := c.AndroidCommands.Get(ctx, org, device, command)
	require.NoError(t, err)
	assert.Equal(t, expectedCommand(t, rawMember(t, chk.lastBody(), "data")), *cmd)

	cmd, err = c.AndroidCommands.Create(ctx, org, device, createRequests["lock"])
	require.NoError(t, err)
	assert.Equal(t, expectedCommand(t, rawMember(t, chk.lastBody(), "data")), *cmd)

	page, err := c.AndroidCommands.List(ctx, org, device, nil)
	require.NoError(t, err)
	assert.Equal(t, expectedPage(t, rawMember(t, chk.lastBody(), "data")), *page)
	chk.requireConforms(t)
}

func TestListAllStopsOnAMockThatRepeatsItsPage(t *testing.T) {
	t.Parallel()
	// Static Prism answers every page with the same items, page 0 and
	// hasNextPage true: ListAll must end, with an error, not loop.
	c, chk := newClient(t, staticPrism, "", nil)
	items, errs := drainWithin(t, c.AndroidCommands.ListAll(context.Background(), org, device, &applivery.ListCommandsOptions{Limit: 5}), 0)
	require.Len(t, errs, 1)
	assert.Contains(t, errs[0].Error(), "repeats page 1, already read")
	assert.Equal(t, 1, items, "the first page's one item, and not again")
	chk.requireConforms(t)
}

func TestDocumentedErrorsMap(t *testing.T) {
	t.Parallel()
	checkDocumentedErrors(t, calls, slices.Concat([]documentedError{
		{"Cancel", "code=400, example=notPending", 400, 5052, "EmmCommand status not Pending", applivery.ErrCommandNotPending},
		{"Cancel", "code=400, example=billingPlan", 400, 5050, "Feature not allowed for you billing plan", applivery.ErrFeatureNotAllowed},
		{"Cancel", "code=401, example=invalidToken", 401, 4004, "Invalid Token", applivery.ErrUnauthorized},
		{"Cancel", "code=401, example=noAuthToken", 401, 4002, "No auth token", applivery.ErrUnauthorized},
		{"Cancel", "code=404", 404, 3001, "Entity not found", applivery.ErrNotFound},
		refusedForThePlan("Create"),
	}, answersOf401And404("Get"), answersOf401And404("List"), answersOf401And404("Create")))
}

// dynamicRounds is how many random bodies each method meets.
const dynamicRounds = 100

func TestRandomBodiesDecode(t *testing.T) {
	t.Parallel()
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, chk := newClient(t, dynamicPrism, "", nil)
			var successes int
			distinct := map[string]bool{}
			for range dynamicRounds {
				err := call(context.Background(), c)
				body := chk.lastBody()
				distinct[string(body)] = true
				// The schema pins a success's status to true and requires
				// its data: every schema-valid body is a success to decode.
				require.True(t, isSuccessEnvelope(body), "Prism sent a body the schema does not allow: %s", body)
				require.NoError(t, err, "body %s", body)
				successes++
			}
			t.Logf("%d distinct bodies: %d success envelopes decoded", len(distinct), successes)
			if seed == "" {
				assert.Greater(t, len(distinct), dynamicRounds/2, "Prism must send random bodies, not one")
			}
			chk.requireConforms(t)
		})
	}
}

func TestRandomBodiesDecodeToWhatTheySay(t *testing.T) {
	t.Parallel()
	c, chk := newClient(t, dynamicPrism, "", nil)
	ctx := context.Background()
	for range dynamicRounds {
		cmd, err := c.AndroidCommands.Get(ctx, org, device, command)
		body := chk.lastBody()
		require.NoError(t, err, "body %s", body)
		require.Equal(t, expectedCommand(t, rawMember(t, body, "data")), *cmd, "body %s", body)
		page, err := c.AndroidCommands.List(ctx, org, device, nil)
		body = chk.lastBody()
		require.NoError(t, err, "body %s", body)
		require.Equal(t, expectedPage(t, rawMember(t, body, "data")), *page, "body %s", body)
	}
	chk.requireConforms(t)
}

func TestListAllEndsOnRandomPages(t *testing.T) {
	t.Parallel()
	c, chk := newClient(t, dynamicPrism, "", nil)
	requireListAllEnds(t, func() iter.Seq2[*applivery.Command, error] {
		return c.AndroidCommands.ListAll(context.Background(), org, device, &applivery.ListCommandsOptions{Limit: 3})
	})
	chk.requireConforms(t)
}

// requireListAllEnds ranges 20 times over the iteration listAll returns, of
// a client of dynamic Prism, to at most 500 items: each must end within
// 30 s, with at most one error (a refused body, or paging that does not
// advance, ends it).
func requireListAllEnds[T any](t *testing.T, listAll func() iter.Seq2[*T, error]) {
	t.Helper()
	for range 20 {
		_, errs := drainWithin(t, listAll(), 500)
		assert.LessOrEqual(t, len(errs), 1, "an error ends the iteration")
	}
}

// TestMismatchesAreCaught proves the checks above would fail if the SDK sent
// what the spec does not describe: each rewrite breaks the requests in one
// way, and Prism's report of it must reach the checker.
func TestMismatchesAreCaught(t *testing.T) {
	t.Parallel()
	rewrites := map[string]func(*http.Request) *http.Request{
		"a wrong path segment": func(r *http.Request) *http.Request {
			r = r.Clone(r.Context())
			r.URL.Path = strings.Replace(r.URL.Path, "/commands", "/command", 1)
			return r
		},
		"a query parameter of the wrong type": func(r *http.Request) *http.Request {
			r = r.Clone(r.Context())
			r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "limit=10", "limit=ten", 1)
			return r
		},
		"a move by serial number": func(r *http.Request) *http.Request {
			r = r.Clone(r.Context())
			r.URL.Path = strings.Replace(r.URL.Path, "/devices/"+device+"/move", "/devices/"+serial+"/move", 1)
			return r
		},
		"no key": func(r *http.Request) *http.Request {
			r = r.Clone(r.Context())
			r.Header.Del("Authorization")
			return r
		},
		"an undocumented command type": func(r *http.Request) *http.Request {
			if r.Body == nil {
				return r
			}
			body, _ := io.ReadAll(r.Body)
			r = r.Clone(r.Context())
			body = bytes.Replace(body, []byte(`"LOCK"`), []byte(`"LOKC"`), 1)
			r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
			return r
		},
	}
	for name, rewrite := range rewrites {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, chk := newClient(t, staticPrism, "", rewrite)
			for _, call := range calls {
				_ = call(context.Background(), c)
			}
			assert.NotEmpty(t, chk.reported(), "Prism's report of %s must be caught", name)
		})
	}
}

// isSuccessEnvelope tells, from the raw members, whether body is a success
// envelope: status true, no error, data an object.
func isSuccessEnvelope(body []byte) bool {
	var env struct {
		Status json.RawMessage `json:"status"`
		Data   json.RawMessage `json:"data"`
		Error  json.RawMessage `json:"error"`
	}
	if json.Unmarshal(body, &env) != nil {
		return false
	}
	return string(env.Status) == "true" && bytes.HasPrefix(env.Data, []byte("{")) &&
		(env.Error == nil || string(env.Error) == "null")
}

// rawMember returns the raw JSON at path in body, nil when it is absent.
func rawMember(t *testing.T, body []byte, path ...string) json.RawMessage {
	t.Helper()
	raw := json.RawMessage(body)
	for _, key := range path {
		var m map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(raw, &m))
		if raw = m[key]; raw == nil {
			return nil
		}
	}
	return raw
}

// expectedCommand reads a command record member by member, independently of
// the SDK's decoder, as the SDK documents it: strings as sent, the raw
// _config byte for byte, timestamps zero unless RFC 3339.
func expectedCommand(t *testing.T, raw json.RawMessage) applivery.Command {
	t.Helper()
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(raw, &m))
	config := members(t, m["config"])
	meta := members(t, config["metadata"])
	cmd := applivery.Command{
		ID:            str(m["id"]),
		Organization:  str(m["organization"]),
		EMMEnterprise: str(m["emmEnterprise"]),
		MDMUser:       str(m["mdmUser"]),
		Status:        applivery.CommandStatus(str(m["status"])),
		Config: applivery.CommandConfig{
			Metadata: applivery.CommandMetadata{
				TypeURL:    str(meta["@type"]),
				Type:       applivery.CommandType(str(meta["type"])),
				CreateTime: str(meta["createTime"]),
				Duration:   str(meta["duration"]),
				UserName:   str(meta["userName"]),
			},
			Done: string(config["done"]) == "true",
		},
		RawConfig: m["_config"],
	}
	if ts, err := time.Parse(time.RFC3339Nano, str(m["updatedAt"])); err == nil {
		cmd.UpdatedAt = ts
	}
	if ts, err := time.Parse(time.RFC3339Nano, str(m["createdAt"])); err == nil {
		cmd.CreatedAt = ts
	}
	return cmd
}

// expectedPage reads a pagination envelope as the SDK documents it: every
// member optional, null page numbers 0.
func expectedPage(t *testing.T, raw json.RawMessage) applivery.CommandPage {
	t.Helper()
	items, p := expectedPaging(t, raw)
	page := applivery.CommandPage{Items: make([]applivery.Command, len(items)), Page: p.page, Limit: p.limit,
		TotalDocs: p.totalDocs, TotalPages: p.totalPages, HasNextPage: p.hasNext, HasPrevPage: p.hasPrev,
		NextPage: p.next, PrevPage: p.prev}
	for i, item := range items {
		page.Items[i] = expectedCommand(t, item)
	}
	return page
}

// paging is the pagination members of a list answer.
type paging struct {
	page, limit, totalDocs, totalPages int
	hasNext, hasPrev                   bool
	next, prev                         int
}

// expectedPaging reads the items and the pagination members of a list
// answer, member by member.
func expectedPaging(t *testing.T, raw json.RawMessage) ([]json.RawMessage, paging) {
	t.Helper()
	m := members(t, raw)
	var items []json.RawMessage
	if m["items"] != nil {
		require.NoError(t, json.Unmarshal(m["items"], &items))
	}
	return items, paging{
		page: integer(m["page"]), limit: integer(m["limit"]),
		totalDocs: integer(m["totalDocs"]), totalPages: integer(m["totalPages"]),
		hasNext: string(m["hasNextPage"]) == "true", hasPrev: string(m["hasPrevPage"]) == "true",
		next: integer(m["nextPage"]), prev: integer(m["prevPage"]),
	}
}

func members(t *testing.T, raw json.RawMessage) map[string]json.RawMessage {
	t.Helper()
	m := map[string]json.RawMessage{}
	if raw != nil {
		require.NoError(t, json.Unmarshal(raw, &m))
	}
	return m
}

func str(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}

func integer(raw json.RawMessage) int {
	var n int
	if json.Unmarshal(raw, &n) != nil {
		return 0
	}
	return n
}

// expectedPageOf reads a list answer as expectedPaging does into a page of
// type P (a UserPage, an EnrollmentTokenPage, …: the SDK's pages share
// their fields' names), each item read by item.
func expectedPageOf[P, T any](t *testing.T, raw json.RawMessage, item func(*testing.T, json.RawMessage) T) P {
	t.Helper()
	items, p := expectedPaging(t, raw)
	list := make([]T, len(items))
	for i, it := range items {
		list[i] = item(t, it)
	}
	var page P
	v := reflect.ValueOf(&page).Elem()
	v.FieldByName("Items").Set(reflect.ValueOf(list))
	for name, n := range map[string]int{"Page": p.page, "Limit": p.limit, "TotalDocs": p.totalDocs,
		"TotalPages": p.totalPages, "NextPage": p.next, "PrevPage": p.prev} {
		v.FieldByName(name).SetInt(int64(n))
	}
	v.FieldByName("HasNextPage").SetBool(p.hasNext)
	v.FieldByName("HasPrevPage").SetBool(p.hasPrev)
	return page
}

// requireRandomBodiesSayWhatTheyDecodeTo makes call, a method of a client
// of dynamic Prism whose checker is chk, meet dynamicRounds random bodies:
// each must decode without error, to what want reads from the body's data,
// and most must differ.
func requireRandomBodiesSayWhatTheyDecodeTo[T any](t *testing.T, chk *checker, call func() (*T, error), want func(*testing.T, json.RawMessage) T) {
	t.Helper()
	distinct := map[string]bool{}
	for range dynamicRounds {
		got, err := call()
		body := chk.lastBody()
		distinct[string(body)] = true
		require.NoError(t, err, "body %s", body)
		require.Equal(t, want(t, rawMember(t, body, "data")), *got, "body %s", body)
	}
	if seed == "" {
		assert.Greater(t, len(distinct), dynamicRounds/2, "Prism must send random bodies, not one")
	}
	chk.requireConforms(t)
}

// documentedError is an error answer the spec documents for a method,
// asked of static Prism by prefer, and what the SDK must make of it.
type documentedError struct {
	call        string // a key of the calls checkDocumentedErrors is given
	prefer      string
	wantStatus  int
	wantCode    applivery.ErrorCode
	wantMessage string
	wantIs      error
}

// checkDocumentedErrors runs each documented error as a subtest, of the
// method of drive it names: the call fails with an *APIError of its status, code and message, after one
// attempt, matching its sentinel and not ErrOutcomeUnknown (a documented
// refusal did nothing).
func checkDocumentedErrors(t *testing.T, drive map[string]func(context.Context, *applivery.Client) error, tests []documentedError) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.call+" "+tt.prefer, func(t *testing.T) {
			t.Parallel()
			c, chk := newClient(t, staticPrism, tt.prefer, nil)
			err := drive[tt.call](context.Background(), c)
			var apiErr *applivery.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tt.wantStatus, apiErr.StatusCode)
			assert.Equal(t, tt.wantCode, apiErr.Code)
			assert.Equal(t, tt.wantMessage, apiErr.Message)
			assert.Equal(t, 1, apiErr.Attempts, "a documented refusal is not retried")
			assert.ErrorIs(t, err, tt.wantIs)
			assert.NotErrorIs(t, err, applivery.ErrOutcomeUnknown, "a documented refusal did nothing")
			chk.requireConforms(t)
		})
	}
}

// resultless adapts a method that answers a result to the signature of
// calls, which keep only the error.
func resultless[T any](f func(context.Context, *applivery.Client) (T, error)) func(context.Context, *applivery.Client) error {
	return func(ctx context.Context, c *applivery.Client) error {
		_, err := f(ctx, c)
		return err
	}
}

// answersOf401And404 are the two refusals every method's page documents
// alike (or the spec infers for it), for the method call: no key, and an
// organization or record that does not exist.
func answersOf401And404(call string) []documentedError {
	return []documentedError{
		{call, "code=401", 401, 4002, "No auth token", applivery.ErrUnauthorized},
		{call, "code=404", 404, 3001, "Entity not found", applivery.ErrNotFound},
	}
}

// refusedForThePlan is the 400 of a method whose page shows the billing
// plan's refusal (or whose spec infers it, the shared BadRequest).
func refusedForThePlan(call string) documentedError {
	return documentedError{call, "code=400", 400, 5050, "Feature not allowed for you billing plan", applivery.ErrFeatureNotAllowed}
}

// drainWithin ranges over seq to its end, or to its max-th item when max is
// not 0, and fails the test if that takes 30 s: a ListAll must end whatever
// the server's paging says. It returns the count of the items, each
// non-nil, and the errors yielded.
func drainWithin[T any](t *testing.T, seq iter.Seq2[*T, error], max int) (items int, errs []error) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for item, err := range seq {
			if err != nil {
				errs = append(errs, err)
				continue
			}
			assert.NotNil(t, item)
			if items++; items == max {
				break
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("ListAll still running after 30 s")
	}
	return items, errs
}
