//go:build contract

package contract_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/applivery/applivery-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const macSerial = "C02XK0AAJGH5"

// lockMacs is the reference's create example, with a serial number among
// its targets.
var lockMacs = &applivery.CreateAppleCommandRequest{
	RequestType: "DeviceLock",
	Params:      map[string]any{"Message": "Device locked for security"},
	TargetIDs:   []string{"507f1f77bcf86cd799439016", "507f1f77bcf86cd799439017", macSerial},
}

// appleCalls drives every Apple commands method once. Get and Cancel are
// also in calls, whose random bodies TestRandomBodiesDecode checks; Create,
// whose data is an array, is checked by
// TestRandomAppleCommandBodiesDecodeToWhatTheySay.
var appleCalls = map[string]func(ctx context.Context, c *applivery.Client) error{
	"AppleCreate": func(ctx context.Context, c *applivery.Client) error {
		_, err := c.AppleCommands.Create(ctx, org, applivery.AppleTargetDevice, lockMacs)
		return err
	},
	"AppleGet": func(ctx context.Context, c *applivery.Client) error {
		_, err := c.AppleCommands.Get(ctx, org, applivery.AppleTargetDevice, macSerial, command)
		return err
	},
	"AppleCancel": func(ctx context.Context, c *applivery.Client) error {
		return c.AppleCommands.Cancel(ctx, org, applivery.AppleTargetDevice, macSerial, command)
	},
}

func init() {
	calls["AppleGet"] = appleCalls["AppleGet"]
	calls["AppleCancel"] = appleCalls["AppleCancel"]
}

func TestAppleCommandRequestsConform(t *testing.T) {
	t.Parallel()
	c, chk := newClient(t, staticPrism, "", nil)
	ctx := context.Background()
	many := make([]string, applivery.MaxAppleCommandTargets)
	for i := range many {
		many[i] = fmt.Sprintf("%024x", i)
	}
	for _, target := range []applivery.AppleTargetType{applivery.AppleTargetDevice, applivery.AppleTargetDeviceUser} {
		for name, req := range map[string]*applivery.CreateAppleCommandRequest{
			"the documented example": lockMacs,
			"no params, an IMEI":     {RequestType: "DeviceInformation", TargetIDs: []string{"356938035643809"}},
			"nested params":          {RequestType: "DeviceInformation", Params: map[string]any{"Queries": []string{"DeviceName", "OSVersion"}}, TargetIDs: []string{macSerial}},
			"numbers and booleans":   {RequestType: "EraseDevice", Params: map[string]any{"PIN": "123456", "PreserveDataPlan": true, "Retries": 3}, TargetIDs: []string{macSerial}},
			"1,000 targets":          {RequestType: "DeviceLock", TargetIDs: many},
		} {
			_, err := c.AppleCommands.Create(ctx, slug, target, req)
			assert.NoError(t, err, "Create %s %s", target, name)
		}
		_, err := c.AppleCommands.Get(ctx, slug, target, macSerial, command)
		assert.NoError(t, err)
		_, err = c.AppleCommands.Get(ctx, org, target, device, command)
		assert.NoError(t, err)
		assert.NoError(t, c.AppleCommands.Cancel(ctx, slug, target, "356938035643809", command))
	}
	chk.requireConforms(t)
}

func TestAppleCommandDocumentedExamplesDecode(t *testing.T) {
	t.Parallel()
	c, chk := newClient(t, staticPrism, "", nil)
	ctx := context.Background()
	want := applivery.AppleCommand{
		ID:           "507f1f77bcf86cd799439011",
		Organization: "507f1f77bcf86cd799439012",
		TargetType:   applivery.AppleTargetDevice,
		TargetID:     "507f1f77bcf86cd799439014",
		UUID:         "550e8400-e29b-41d4-a716-446655440000",
		Status:       applivery.AppleCommandStatusPending,
		RequestType:  "DeviceInformation",
		GroupName:    "DeviceInformation",
		NumTries:     3,
	}
	cmd, err := c.AppleCommands.Get(ctx, org, applivery.AppleTargetDevice, macSerial, command)
	require.NoError(t, err)
	got := *cmd
	assert.JSONEq(t, `{"RequestType":"DeviceInformation","Queries":["DeviceName","OSVersion"]}`, string(got.Command))
	assert.JSONEq(t, `{"DeviceName":"iPhone 13 Pro","OSVersion":"17.2.1"}`, string(got.Data))
	assert.Equal(t, rawMember(t, chk.lastBody(), "data"), got.Raw)
	got.Command, got.Data, got.Raw = nil, nil, nil
	assert.Equal(t, want, got, "the documented timestamps do not parse, and stay zero")

	cmds, err := c.AppleCommands.Create(ctx, org, applivery.AppleTargetDevice, lockMacs)
	require.NoError(t, err)
	require.Len(t, cmds, 1)
	got = cmds[0]
	got.Command, got.Data, got.Raw = nil, nil, nil
	assert.Equal(t, want, got)

	require.NoError(t, c.AppleCommands.Cancel(ctx, org, applivery.AppleTargetDevice, macSerial, command))
	assert.JSONEq(t, `{"status":true,"data":{"canceled":"OK"}}`, string(chk.lastBody()))
	chk.requireConforms(t)
}

func TestRandomAppleCommandBodiesDecodeToWhatTheySay(t *testing.T) {
	t.Parallel()
	c, chk := newClient(t, dynamicPrism, "", nil)
	ctx := context.Background()
	distinct := map[string]bool{}
	for range dynamicRounds {
		cmd, err := c.AppleCommands.Get(ctx, org, applivery.AppleTargetDevice, macSerial, command)
		body := chk.lastBody()
		distinct[string(body)] = true
		require.NoError(t, err, "body %s", body)
		require.Equal(t, expectedAppleCommand(t, rawMember(t, body, "data")), *cmd, "body %s", body)

		cmds, err := c.AppleCommands.Create(ctx, org, applivery.AppleTargetDevice, lockMacs)
		body = chk.lastBody()
		require.NoError(t, err, "body %s", body)
		var items []json.RawMessage
		require.NoError(t, json.Unmarshal(rawMember(t, body, "data"), &items))
		require.Len(t, cmds, len(items), "body %s", body)
		for i, item := range items {
			require.Equal(t, expectedAppleCommand(t, item), cmds[i], "body %s", body)
		}

		require.NoError(t, c.AppleCommands.Cancel(ctx, org, applivery.AppleTargetDevice, macSerial, command), "body %s", chk.lastBody())
	}
	assert.Greater(t, len(distinct), dynamicRounds/2, "Prism must send random bodies, not one")
	chk.requireConforms(t)
}

func TestAppleCommandDocumentedErrorsMap(t *testing.T) {
	t.Parallel()
	checkDocumentedErrors(t, appleCalls, slices.Concat([]documentedError{
		{"AppleCancel", "code=400, example=notPendingOrTried", 400, 5106, "AdmCommand not status pending or tried", applivery.ErrCommandNotPending},
		{"AppleCancel", "code=400, example=billingPlan", 400, 5050, "Feature not allowed for you billing plan", applivery.ErrFeatureNotAllowed},
		refusedForThePlan("AppleCreate"),
	}, answersOf401And404("AppleCancel"), answersOf401And404("AppleGet"), answersOf401And404("AppleCreate")))
}

// expectedAppleCommand reads an Apple command record member by member,
// independently of the SDK's decoder, as the SDK documents it: strings as
// sent, numTries an integer, command and data byte for byte, timestamps zero
// unless RFC 3339, the whole record in Raw.
func expectedAppleCommand(t *testing.T, raw json.RawMessage) applivery.AppleCommand {
	t.Helper()
	m := members(t, raw)
	cmd := applivery.AppleCommand{
		ID:           str(m["id"]),
		Organization: str(m["organization"]),
		TargetType:   applivery.AppleTargetType(str(m["targetType"])),
		TargetID:     str(m["targetId"]),
		UUID:         str(m["UUID"]),
		Status:       applivery.AppleCommandStatus(str(m["status"])),
		GroupName:    str(m["groupName"]),
		NumTries:     integer(m["numTries"]),
		Command:      m["command"],
		Data:         m["data"],
		Raw:          raw,
	}
	if len(m["command"]) > 0 && m["command"][0] == '{' {
		cmd.RequestType = str(members(t, m["command"])["RequestType"])
	}
	for name, dst := range map[string]*time.Time{"sentAt": &cmd.SentAt, "receivedAt": &cmd.ReceivedAt, "triedAt": &cmd.TriedAt,
		"canceledAt": &cmd.CanceledAt, "createdAt": &cmd.CreatedAt, "updatedAt": &cmd.UpdatedAt} {
		if ts, err := time.Parse(time.RFC3339Nano, str(m[name])); err == nil {
			*dst = ts
		}
	}
	return cmd
}
