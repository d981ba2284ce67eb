package applivery

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/applivery/applivery-go/internal/jsonscan"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// documentedAppleCommand is the record of the reference's "Retrieve command
// details" example, verbatim, malformed timestamps included.
const documentedAppleCommand = `{
        "id": "507f1f77bcf86cd799439011",
        "organization": "507f1f77bcf86cd799439012",
        "admEnterprise": "507f1f77bcf86cd799439013",
        "targetType": "device",
        "targetId": "507f1f77bcf86cd799439014",
        "mdmUser": "507f1f77bcf86cd799439015",
        "UUID": "550e8400-e29b-41d4-a716-446655440000",
        "status": "Pending",
        "command": {
            "RequestType": "DeviceInformation",
            "Queries": [
                "DeviceName",
                "OSVersion"
            ]
        },
        "from": "configurationChanged",
        "data": {
            "DeviceName": "iPhone 13 Pro",
            "OSVersion": "17.2.1"
        },
        "sentAt": "2026-02-10T12: 01:00Z",
        "receivedAt": "2026-02-10T12: 01:15Z",
        "triedAt": "2026-02-10T12: 01:30Z",
        "canceledAt": "2026-02-10T12: 02:00Z",
        "numTries": 3,
        "groupName": "DeviceInformation",
        "info": {
            "build": "string"
        },
        "createdAt": "2026-02-10T12: 00:00Z",
        "updatedAt": "2026-02-10T14: 30:00Z"
    }`

func TestAppleCommandDecodesTheDocumentedExample(t *testing.T) {
	t.Parallel()
	var c AppleCommand
	require.NoError(t, json.Unmarshal([]byte(documentedAppleCommand), &c))
	assert.Equal(t, "507f1f77bcf86cd799439011", c.ID)
	assert.Equal(t, "507f1f77bcf86cd799439012", c.Organization)
	assert.Equal(t, AppleTargetDevice, c.TargetType)
	assert.Equal(t, "507f1f77bcf86cd799439014", c.TargetID)
	assert.Equal(t, "550e8400-e29b-41d4-a716-446655440000", c.UUID)
	assert.Equal(t, AppleCommandStatusPending, c.Status)
	assert.Equal(t, "DeviceInformation", c.RequestType)
	assert.Equal(t, "DeviceInformation", c.GroupName)
	assert.Equal(t, 3, c.NumTries)
	assert.JSONEq(t, `{"RequestType":"DeviceInformation","Queries":["DeviceName","OSVersion"]}`, string(c.Command))
	assert.JSONEq(t, `{"DeviceName":"iPhone 13 Pro","OSVersion":"17.2.1"}`, string(c.Data))
	for name, ts := range map[string]time.Time{"sentAt": c.SentAt, "receivedAt": c.ReceivedAt, "triedAt": c.TriedAt,
		"canceledAt": c.CanceledAt, "createdAt": c.CreatedAt, "updatedAt": c.UpdatedAt} {
		assert.True(t, ts.IsZero(), "%s: the documented timestamp is malformed and decodes to zero", name)
	}
	assert.Equal(t, documentedAppleCommand, string(c.Raw), "Raw is byte for byte")
}

func TestAppleCommandDecodesLeniently(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
		want func(t *testing.T, c AppleCommand)
	}{
		{"unknown status kept", `{"status":"Idle"}`, func(t *testing.T, c AppleCommand) {
			assert.Equal(t, AppleCommandStatus("Idle"), c.Status)
		}},
		{"wrong types leave zero values", `{"id":12,"status":true,"numTries":"3","command":"DeviceLock","targetType":[]}`, func(t *testing.T, c AppleCommand) {
			assert.Empty(t, c.ID)
			assert.Empty(t, c.Status)
			assert.Zero(t, c.NumTries)
			assert.Empty(t, c.RequestType)
			assert.Equal(t, `"DeviceLock"`, string(c.Command), "command kept byte for byte whatever it is")
		}},
		{"RequestType not a string", `{"command":{"RequestType":7}}`, func(t *testing.T, c AppleCommand) {
			assert.Empty(t, c.RequestType)
		}},
		{"valid timestamps parse", `{"sentAt":"2026-02-10T12:01:00Z","canceledAt":"2026-02-10T12:02:00.5+01:00"}`, func(t *testing.T, c AppleCommand) {
			assert.Equal(t, time.Date(2026, 2, 10, 12, 1, 0, 0, time.UTC), c.SentAt.UTC())
			assert.Equal(t, time.Date(2026, 2, 10, 11, 2, 0, 5e8, time.UTC), c.CanceledAt.UTC())
		}},
		{"null timestamps are zero", `{"sentAt":null,"updatedAt":12}`, func(t *testing.T, c AppleCommand) {
			assert.True(t, c.SentAt.IsZero())
			assert.True(t, c.UpdatedAt.IsZero())
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var c AppleCommand
			require.NoError(t, json.Unmarshal([]byte(tt.body), &c))
			assert.Equal(t, tt.body, string(c.Raw))
			tt.want(t, c)
		})
	}
}

func TestAppleCommandRefusesWhatIsNotAnObject(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]string{"array": `[1]`, "string": `"x"`, "malformed": `{"id":`} {
		t.Run(name, func(t *testing.T) {
			var c AppleCommand
			assert.Error(t, json.Unmarshal([]byte(body), &c))
		})
	}
	c := AppleCommand{ID: "kept"}
	require.NoError(t, json.Unmarshal([]byte(`null`), &c))
	assert.Equal(t, "kept", c.ID, "null leaves the command as it is")
}

func TestAppleCommandMarshalJSON(t *testing.T) {
	t.Parallel()
	var c AppleCommand
	require.NoError(t, json.Unmarshal([]byte(documentedAppleCommand), &c))
	b, err := json.Marshal(c)
	require.NoError(t, err)
	assert.JSONEq(t, documentedAppleCommand, string(b), "Raw is written back")

	typed := AppleCommand{ID: "507f1f77bcf86cd799439011", Status: AppleCommandStatusAcknowledged, RequestType: "DeviceLock",
		TargetType: AppleTargetDevice, TargetID: "C02XK0AAJGH5", NumTries: 1, CreatedAt: time.Date(2026, 2, 10, 12, 0, 0, 0, time.UTC)}
	b, err = json.Marshal(typed)
	require.NoError(t, err)
	assert.JSONEq(t, `{"id":"507f1f77bcf86cd799439011","status":"Acknowledged","command":{"RequestType":"DeviceLock"},
		"targetType":"device","targetId":"C02XK0AAJGH5","numTries":1,"createdAt":"2026-02-10T12:00:00Z",
		"sentAt":null,"receivedAt":null,"triedAt":null,"canceledAt":null,"updatedAt":null}`, string(b))
	var back AppleCommand
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, typed.ID, back.ID)
	assert.Equal(t, typed.RequestType, back.RequestType)
	assert.Equal(t, typed.CreatedAt, back.CreatedAt.UTC())
}

func TestAppleCommandStatusPending(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status AppleCommandStatus
		want   bool
	}{
		{AppleCommandStatusPending, true},
		{AppleCommandStatusTried, true},
		{AppleCommandStatusNotNow, true},
		{AppleCommandStatusAcknowledged, false},
		{AppleCommandStatusError, false},
		{AppleCommandStatusCommandFormatError, false},
		{AppleCommandStatusCanceled, false},
		{"pending", false},
		{"", false},
	}
	for _, tt := range tests {
		t.Run(string(tt.status), func(t *testing.T) {
			assert.Equal(t, tt.want, tt.status.pending())
		})
	}
}

func TestAppleCommandCanceled(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 2, 10, 12, 2, 0, 0, time.UTC)
	updated := at.Add(time.Hour)
	tests := []struct {
		name     string
		cmd      AppleCommand
		want     bool
		wantTime time.Time
	}{
		{"pending", AppleCommand{Status: AppleCommandStatusPending, UpdatedAt: updated}, false, time.Time{}},
		{"canceledAt set", AppleCommand{Status: "Whatever", CanceledAt: at, UpdatedAt: updated}, true, at},
		{"status Canceled, time from updatedAt", AppleCommand{Status: AppleCommandStatusCanceled, UpdatedAt: updated}, true, updated},
		{"status Canceled, no time", AppleCommand{Status: AppleCommandStatusCanceled}, true, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, when := tt.cmd.canceled()
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.wantTime, when)
		})
	}
}

func FuzzAppleCommandDecode(f *testing.F) {
	for _, seed := range []string{
		documentedAppleCommand, `{}`, `null`, `[1]`, `5`, `"x"`, `{"id":5}`, `{"id":"a","id":"b"}`, `{"st\u0061tus":"Tried"}`,
		`{"Status":"Pending"}`, `{"command":{"requesttype":"X","RequestType":"Y"}}`, `{"command":{"RequestType":"A","RequestType":"B"}}`,
		`{"numTries":1e2}`, `{"numTries":-0}`, `{"numTries":99999999999999999999}`, `{"sentAt":"2026-02-10T12:01:00Z"}`,
		`{"data": [1, {"a":"}"}] }`, ` { "command" : { } } `, `{"a":1,}`, `{`, `{"id":"a"} x`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var got AppleCommand
		err := got.UnmarshalJSON(b)
		var m map[string]json.RawMessage
		isObj := json.Unmarshal(b, &m) == nil && m != nil
		str := func(raw json.RawMessage) string {
			var s string
			if json.Unmarshal(raw, &s) != nil {
				return ""
			}
			return s
		}
		timeOf := func(raw json.RawMessage) time.Time {
			ts, err := time.Parse(time.RFC3339Nano, str(raw))
			if err != nil {
				return time.Time{}
			}
			return ts
		}
		switch {
		case string(b) == "null":
			require.NoError(t, err)
		case isObj:
			require.NoError(t, err, "a well-formed object: %q", b)
			var n int
			if json.Unmarshal(m["numTries"], &n) != nil {
				n = 0
			}
			var cm map[string]json.RawMessage
			_ = json.Unmarshal(m["command"], &cm)
			raw := func(name string) json.RawMessage {
				if v, ok := m[name]; ok {
					return v
				}
				return nil
			}
			want := AppleCommand{ID: str(m["id"]), Organization: str(m["organization"]), TargetType: AppleTargetType(str(m["targetType"])),
				TargetID: str(m["targetId"]), UUID: str(m["UUID"]), Status: AppleCommandStatus(str(m["status"])),
				RequestType: str(cm["RequestType"]), GroupName: str(m["groupName"]), NumTries: n,
				SentAt: timeOf(m["sentAt"]), ReceivedAt: timeOf(m["receivedAt"]), TriedAt: timeOf(m["triedAt"]),
				CanceledAt: timeOf(m["canceledAt"]), CreatedAt: timeOf(m["createdAt"]), UpdatedAt: timeOf(m["updatedAt"]),
				Command: raw("command"), Data: raw("data"), Raw: b}
			assert.Equal(t, want, got)
		case json.Valid(b):
			var te *json.UnmarshalTypeError
			require.ErrorAs(t, err, &te, "a value that is not an object: %q", b)
		default:
			require.ErrorIs(t, err, jsonscan.ErrMalformed, "not well formed: %q", b)
		}
	})
}
