package appliverytest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/applivery/applivery-go"
	"github.com/applivery/applivery-go/appliverytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAddCommandDefaults(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t)
	before := time.Now().Add(-time.Second)
	got := srv.AddCommand(org, device, applivery.Command{Config: applivery.CommandConfig{Metadata: applivery.CommandMetadata{Type: applivery.CommandTypeLock}}})
	assert.Regexp(t, applivery.CommandIDPattern, got.ID)
	assert.Equal(t, applivery.CommandStatusPending, got.Status)
	assert.True(t, got.CreatedAt.After(before))
	assert.Equal(t, got.CreatedAt, got.UpdatedAt)
	assert.Equal(t, applivery.CommandTypeLock, got.Config.Metadata.Type)

	stored, ok := srv.Command(org, device, got.ID)
	require.True(t, ok)
	assert.Equal(t, got, stored)

	other := srv.AddCommand(org, device, applivery.Command{})
	assert.NotEqual(t, got.ID, other.ID)
}

func TestAddCommandKeepsWhatIsGiven(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t)
	at := time.Date(2026, 2, 10, 12, 0, 0, 0, time.UTC)
	raw := json.RawMessage(`{"name":"op"}`)
	in := applivery.Command{ID: "507f1f77bcf86cd799439011", Status: applivery.CommandStatusDone, RawConfig: raw, CreatedAt: at, UpdatedAt: at}
	got := srv.AddCommand(org, device, in)
	assert.Equal(t, in, got)
	raw[2] = 'X' // the server keeps its own copy
	stored, _ := srv.Command(org, device, in.ID)
	assert.JSONEq(t, `{"name":"op"}`, string(stored.RawConfig))
}

func TestAddCommandRejectsInvalidRawConfig(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t)
	assert.PanicsWithValue(t, "appliverytest: AddCommand: RawConfig is not valid JSON", func() {
		srv.AddCommand(org, device, applivery.Command{RawConfig: json.RawMessage(`{`)})
	})
}

func TestAddCommandRejectsWhatTheAPICouldNotHold(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t)
	tests := []struct {
		name                  string
		org, device, id, want string
	}{
		{"command ID", org, device, "nothex", `appliverytest: AddCommand: command ID "nothex" does not match ` + applivery.CommandIDPattern},
		{"device ID", org, "pixel 8", "", `appliverytest: AddCommand: device ID "pixel 8" does not match ` + applivery.DeviceIDPattern},
		{"organization ID", "ac", device, "", `appliverytest: AddCommand: organization ID "ac" does not match ` + applivery.OrganizationIDPattern},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.PanicsWithValue(t, tt.want+": the API could not hold it", func() {
				srv.AddCommand(tt.org, tt.device, applivery.Command{ID: tt.id})
			})
		})
	}
}

func TestCancelPendingCommand(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t)
	seeded := srv.AddCommand(org, device, applivery.Command{Config: applivery.CommandConfig{Metadata: applivery.CommandMetadata{Type: applivery.CommandTypeReboot}}})

	cmd, err := c.AndroidCommands.Cancel(context.Background(), org, device, seeded.ID)
	require.NoError(t, err)
	assert.Equal(t, seeded.ID, cmd.ID)
	assert.Equal(t, applivery.CommandStatusCanceled, cmd.Status)
	assert.Equal(t, applivery.CommandTypeReboot, cmd.Config.Metadata.Type)
	assert.False(t, cmd.UpdatedAt.Before(seeded.UpdatedAt))

	stored, _ := srv.Command(org, device, seeded.ID)
	assert.Equal(t, applivery.CommandStatusCanceled, stored.Status)

	_, err = c.AndroidCommands.Cancel(context.Background(), org, device, seeded.ID)
	assert.ErrorIs(t, err, applivery.ErrCommandNotPending, "a second cancel finds it canceled")
	var apiErr *applivery.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusBadRequest, apiErr.StatusCode)
	assert.Equal(t, "EmmCommand status not Pending", apiErr.Message)
}

func TestCancelAnswers(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t)
	done := srv.AddCommand(org, device, applivery.Command{Status: applivery.CommandStatusDone})
	pending := srv.AddCommand(org, device, applivery.Command{})
	tests := []struct {
		name        string
		org, device string
		id          string
		wantStatus  int
		wantCode    applivery.ErrorCode
		wantIs      error
	}{
		{"done command", org, device, done.ID, 400, applivery.CodeCommandNotPending, applivery.ErrCommandNotPending},
		{"unknown command", org, device, "0123456789abcdef01234567", 404, applivery.CodeEntityNotFound, applivery.ErrNotFound},
		{"command of another device", org, "other_device", pending.ID, 404, applivery.CodeEntityNotFound, applivery.ErrNotFound},
		{"command of another organization", "other-org", device, pending.ID, 404, applivery.CodeEntityNotFound, applivery.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := c.AndroidCommands.Cancel(context.Background(), tt.org, tt.device, tt.id)
			var apiErr *applivery.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tt.wantStatus, apiErr.StatusCode)
			assert.Equal(t, tt.wantCode, apiErr.Code)
			assert.ErrorIs(t, err, tt.wantIs)
		})
	}
	stored, _ := srv.Command(org, device, pending.ID)
	assert.Equal(t, applivery.CommandStatusPending, stored.Status, "failed cancels change nothing")
}

func TestConcurrentCancelsCancelOnce(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t)
	cmd := srv.AddCommand(org, device, applivery.Command{})
	const callers = 32
	var wg sync.WaitGroup
	results := make(chan error, callers)
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.AndroidCommands.Cancel(context.Background(), org, device, cmd.ID)
			results <- err
		}()
	}
	wg.Wait()
	close(results)
	var ok, notPending int
	for err := range results {
		switch {
		case err == nil:
			ok++
		case assert.ErrorIs(t, err, applivery.ErrCommandNotPending):
			notPending++
		}
	}
	assert.Equal(t, 1, ok, "exactly one cancel succeeds")
	assert.Equal(t, callers-1, notPending)
}

func TestGet(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t)
	seeded := srv.AddCommand(org, device, applivery.Command{Status: applivery.CommandStatusDone, RawConfig: json.RawMessage(`{"name":"op"}`)})
	got, err := c.AndroidCommands.Get(context.Background(), org, device, seeded.ID)
	require.NoError(t, err)
	assert.Equal(t, seeded, *got)

	_, err = c.AndroidCommands.Get(context.Background(), org, "other_device", seeded.ID)
	assert.ErrorIs(t, err, applivery.ErrNotFound)
}

func TestListPages(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t)
	var ids []string
	for range 7 {
		ids = append(ids, srv.AddCommand(org, device, applivery.Command{}).ID)
	}
	srv.AddCommand(org, "other_device", applivery.Command{})

	first, err := c.AndroidCommands.List(context.Background(), org, device, &applivery.ListCommandsOptions{Limit: 3})
	require.NoError(t, err)
	assert.Equal(t, ids[:3], commandIDs(first.Items))
	assert.Equal(t, applivery.CommandPage{Page: 1, Limit: 3, TotalDocs: 7, TotalPages: 3, HasNextPage: true, NextPage: 2},
		withoutItems(first))

	last, err := c.AndroidCommands.List(context.Background(), org, device, &applivery.ListCommandsOptions{Page: 3, Limit: 3})
	require.NoError(t, err)
	assert.Equal(t, ids[6:], commandIDs(last.Items))
	assert.Equal(t, applivery.CommandPage{Page: 3, Limit: 3, TotalDocs: 7, TotalPages: 3, HasPrevPage: true, PrevPage: 2},
		withoutItems(last))

	beyond, err := c.AndroidCommands.List(context.Background(), org, device, &applivery.ListCommandsOptions{Page: 9, Limit: 3})
	require.NoError(t, err)
	assert.Empty(t, beyond.Items)
	assert.False(t, beyond.HasNextPage)

	all, err := c.AndroidCommands.List(context.Background(), org, device, nil)
	require.NoError(t, err)
	assert.Equal(t, ids, commandIDs(all.Items), "the default limit holds them all")
	assert.Equal(t, appliverytest.DefaultLimit, all.Limit)

	srv.AddDevice(org, applivery.Device{}, "no_commands")
	none, err := c.AndroidCommands.List(context.Background(), org, "no_commands", nil)
	require.NoError(t, err)
	assert.Empty(t, none.Items)
	assert.Zero(t, none.TotalPages)
}

func TestListEnvelopeOnTheWire(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t)
	srv.AddCommand(org, device, applivery.Command{})
	body := rawGet(t, srv, "/organizations/"+org+"/mdm/android/enterprise/devices/"+device+"/commands?limit=5", 200)
	var env struct {
		Status bool                       `json:"status"`
		Data   map[string]json.RawMessage `json:"data"`
	}
	require.NoError(t, json.Unmarshal(body, &env))
	assert.True(t, env.Status)
	for field, want := range map[string]string{
		"totalDocs": "1", "limit": "5", "page": "1", "totalPages": "1", "pagingCounter": "1",
		"hasPrevPage": "false", "hasNextPage": "false", "prevPage": "null", "nextPage": "null",
	} {
		assert.Equal(t, want, string(env.Data[field]), field)
	}
	assert.True(t, strings.HasPrefix(string(env.Data["items"]), "[{"))
}

func TestListSort(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t)
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a := srv.AddCommand(org, device, applivery.Command{ID: "cccccccccccccccccccccccc", CreatedAt: base.Add(2 * time.Hour), Status: applivery.CommandStatusDone})
	b := srv.AddCommand(org, device, applivery.Command{ID: "aaaaaaaaaaaaaaaaaaaaaaaa", CreatedAt: base, Status: applivery.CommandStatusPending})
	d := srv.AddCommand(org, device, applivery.Command{ID: "bbbbbbbbbbbbbbbbbbbbbbbb", CreatedAt: base.Add(time.Hour), Status: applivery.CommandStatusCanceled})
	tests := map[string][]string{
		"":               {b.ID, d.ID, a.ID},
		"createdAt":      {b.ID, d.ID, a.ID},
		"createdAt:desc": {a.ID, d.ID, b.ID},
		"id:asc":         {b.ID, d.ID, a.ID},
		"status":         {d.ID, a.ID, b.ID},
		"unknown.field":  {b.ID, d.ID, a.ID},
	}
	for sort, want := range tests {
		page, err := c.AndroidCommands.List(context.Background(), org, device, &applivery.ListCommandsOptions{Sort: sort})
		require.NoError(t, err, sort)
		assert.Equal(t, want, commandIDs(page.Items), "sort %q", sort)
	}
}

func TestListRejectsInvalidQueries(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t)
	for _, q := range []string{"page=0", "page=-1", "page=x", "limit=0", "limit=1.5", "sort=name:up", "sort=a%20b"} {
		body := rawGet(t, srv, "/organizations/"+org+"/mdm/android/enterprise/devices/"+device+"/commands?"+q, 400)
		assert.JSONEq(t, `{"status":false,"error":{"code":5209,"message":"Invalid input"}}`, string(body), q)
	}
}

func TestListAllOverTheServer(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t)
	var want []string
	for range 23 {
		want = append(want, srv.AddCommand(org, device, applivery.Command{}).ID)
	}
	var got []string
	for cmd, err := range c.AndroidCommands.ListAll(context.Background(), org, device, &applivery.ListCommandsOptions{Limit: 5}) {
		require.NoError(t, err)
		got = append(got, cmd.ID)
	}
	assert.Equal(t, want, got)
}

func TestCreate(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t)
	srv.AddDevice(org, applivery.Device{}, device)
	cmd, err := c.AndroidCommands.Create(context.Background(), org, device, &applivery.CreateCommandRequest{
		Type: applivery.CommandTypeLock, Duration: "600s",
	})
	require.NoError(t, err)
	assert.Regexp(t, applivery.CommandIDPattern, cmd.ID)
	assert.Equal(t, applivery.CommandStatusPending, cmd.Status)
	assert.Equal(t, applivery.CommandTypeLock, cmd.Config.Metadata.Type)
	assert.Equal(t, "600s", cmd.Config.Metadata.Duration)
	assert.NotEmpty(t, cmd.Config.Metadata.CreateTime)
	assert.JSONEq(t, `{"name":"enterprises/LC04z6vydu/devices/`+device+`/operations/`+cmd.ID+`","metadata":{"type":"LOCK"}}`, string(cmd.RawConfig))

	stored, ok := srv.Command(org, device, cmd.ID)
	require.True(t, ok)
	assert.Equal(t, *cmd, stored)

	canceled, err := c.AndroidCommands.Cancel(context.Background(), org, device, cmd.ID)
	require.NoError(t, err)
	assert.Equal(t, applivery.CommandStatusCanceled, canceled.Status)
}

func TestCreateRejectsInvalidInput(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t)
	srv.AddDevice(org, applivery.Device{}, device)
	for _, req := range []*applivery.CreateCommandRequest{
		{Type: "WIPE"}, // not a documented type
		{Type: "lock"},
	} {
		_, err := c.AndroidCommands.Create(context.Background(), org, device, req)
		var apiErr *applivery.APIError
		require.ErrorAs(t, err, &apiErr, req.Type)
		assert.Equal(t, http.StatusBadRequest, apiErr.StatusCode)
		assert.Equal(t, applivery.ErrorCode(5209), apiErr.Code)
		assert.NotErrorIs(t, err, applivery.ErrOutcomeUnknown, "a 400 says nothing was created")
	}
	for _, body := range []string{`{`, `[]`, `{"type":1}`, `{}`} {
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/organizations/"+org+"/mdm/android/enterprise/devices/"+device+"/commands", strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+srv.APIKey)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode, body)
	}
	page, err := c.AndroidCommands.List(context.Background(), org, device, nil)
	require.NoError(t, err)
	assert.Empty(t, page.Items, "nothing was stored")
}

func commandIDs(cmds []applivery.Command) []string {
	ids := make([]string, len(cmds))
	for i, c := range cmds {
		ids[i] = c.ID
	}
	return ids
}

func withoutItems(p *applivery.CommandPage) applivery.CommandPage {
	q := *p
	q.Items = nil
	return q
}

func TestSetCommandStatus(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t)
	old := time.Now().Add(-time.Hour).UTC().Truncate(time.Millisecond)
	cmd := srv.AddCommand(org, device, applivery.Command{CreatedAt: old, UpdatedAt: old})
	require.True(t, srv.SetCommandStatus(org, device, cmd.ID, applivery.CommandStatusDone))
	got, err := c.AndroidCommands.Get(context.Background(), org, device, cmd.ID)
	require.NoError(t, err)
	assert.Equal(t, applivery.CommandStatusDone, got.Status)
	assert.True(t, got.Config.Done)
	assert.True(t, got.UpdatedAt.After(old), "UpdatedAt is now")
	assert.Equal(t, old, got.CreatedAt)

	require.True(t, srv.SetCommandStatus(org, device, cmd.ID, "EXPIRED"), "any status")
	got, _ = c.AndroidCommands.Get(context.Background(), org, device, cmd.ID)
	assert.Equal(t, applivery.CommandStatus("EXPIRED"), got.Status)
	assert.False(t, got.Config.Done)

	assert.False(t, srv.SetCommandStatus(org, device, "0123456789abcdef01234567", applivery.CommandStatusDone))
	assert.False(t, srv.SetCommandStatus(org, "other_device", cmd.ID, applivery.CommandStatusDone))
}

func TestApplyAfter(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t)
	ctx := context.Background()
	long := time.Now().Add(-2 * time.Hour).UTC().Truncate(time.Millisecond)
	due := srv.AddCommand(org, device, applivery.Command{CreatedAt: long})
	canceled := srv.AddCommand(org, device, applivery.Command{CreatedAt: long, Status: applivery.CommandStatusCanceled})
	fresh := srv.AddCommand(org, device, applivery.Command{})

	srv.ApplyAfter(time.Hour) // also applies to the commands stored before
	got, _ := srv.Command(org, device, due.ID)
	assert.Equal(t, applivery.CommandStatusDone, got.Status, "created two hours ago: applied")
	assert.Equal(t, long.Add(time.Hour), got.UpdatedAt, "an hour after its creation")
	assert.True(t, got.Config.Done)
	got, _ = srv.Command(org, device, canceled.ID)
	assert.Equal(t, applivery.CommandStatusCanceled, got.Status, "a canceled command stays canceled")
	got, _ = srv.Command(org, device, fresh.ID)
	assert.Equal(t, applivery.CommandStatusPending, got.Status, "not yet")

	// The API sees the same: list, get and cancel.
	page, err := c.AndroidCommands.List(ctx, org, device, &applivery.ListCommandsOptions{Sort: "id"})
	require.NoError(t, err)
	statuses := map[string]applivery.CommandStatus{}
	for _, cmd := range page.Items {
		statuses[cmd.ID] = cmd.Status
	}
	assert.Equal(t, map[string]applivery.CommandStatus{due.ID: "DONE", canceled.ID: "CANCEL", fresh.ID: "PENDING"}, statuses)
	_, err = c.AndroidCommands.Cancel(ctx, org, device, due.ID)
	assert.ErrorIs(t, err, applivery.ErrCommandNotPending, "the device applied it first")

	// A command created through the API, with a delay that has passed by
	// the time it is read.
	srv.ApplyAfter(time.Nanosecond)
	created, err := c.AndroidCommands.Create(ctx, org, device, &applivery.CreateCommandRequest{Type: applivery.CommandTypeReboot})
	require.NoError(t, err)
	got, _ = srv.Command(org, device, created.ID)
	assert.Equal(t, applivery.CommandStatusDone, got.Status)

	srv.ApplyAfter(0) // off
	off := srv.AddCommand(org, device, applivery.Command{CreatedAt: long})
	got, _ = srv.Command(org, device, off.ID)
	assert.Equal(t, applivery.CommandStatusPending, got.Status)

	assert.PanicsWithValue(t, "appliverytest: ApplyAfter: negative duration -1s", func() { srv.ApplyAfter(-time.Second) })
}

func TestSetOffline(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t)
	ctx := context.Background()
	srv.AddDevice(org, applivery.Device{}, "lost_phone")
	long := time.Now().Add(-2 * time.Hour).UTC().Truncate(time.Millisecond)
	srv.ApplyAfter(time.Hour)
	srv.SetOffline(org, "lost_phone", true)
	seeded := srv.AddCommand(org, "lost_phone", applivery.Command{CreatedAt: long})
	online := srv.AddCommand(org, device, applivery.Command{CreatedAt: long})

	got, _ := srv.Command(org, "lost_phone", seeded.ID)
	assert.Equal(t, applivery.CommandStatusPending, got.Status, "an offline device applies nothing, however old the command")
	page, err := c.AndroidCommands.List(ctx, org, "lost_phone", nil)
	require.NoError(t, err)
	assert.Equal(t, applivery.CommandStatusPending, page.Items[0].Status, "the API sees the same")
	_, err = c.AndroidCommands.Cancel(ctx, org, "lost_phone", seeded.ID)
	require.NoError(t, err, "still pending, so it can be canceled")
	got, _ = srv.Command(org, device, online.ID)
	assert.Equal(t, applivery.CommandStatusDone, got.Status, "other devices apply theirs")

	again := srv.AddCommand(org, "lost_phone", applivery.Command{CreatedAt: long})
	before := time.Now().UTC().Truncate(time.Millisecond)
	srv.SetOffline(org, "lost_phone", false)
	got, _ = srv.Command(org, "lost_phone", again.ID)
	assert.Equal(t, applivery.CommandStatusDone, got.Status, "back online: applied")
	assert.False(t, got.UpdatedAt.Before(before), "when it came back, not while it was away: %v", got.UpdatedAt)

	assert.PanicsWithValue(t, `appliverytest: SetOffline: no device "lost_phon" in organization "`+org+`": add it first`,
		func() { srv.SetOffline(org, "lost_phon", true) })
}
