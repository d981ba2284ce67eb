package applivery

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCommandUnmarshalDocumentedExample(t *testing.T) {
	t.Parallel()
	var env struct {
		Data Command `json:"data"`
	}
	require.NoError(t, json.Unmarshal([]byte(documentedCancelResponse), &env))
	assert.Equal(t, Command{
		ID:            "507f1f77bcf86cd799439011",
		Organization:  "507f1f77bcf86cd799439012",
		EMMEnterprise: "507f1f77bcf86cd799439013",
		MDMUser:       "507f1f77bcf86cd799439014",
		Status:        CommandStatusPending,
		Config: CommandConfig{
			Metadata: CommandMetadata{
				TypeURL:    "type.googleapis.com/google.apps.gmm.v1.Command",
				Type:       CommandTypeLock,
				CreateTime: "2026-02-10T12: 00:00Z",
				Duration:   "3600s",
				UserName:   "[email protected]",
			},
			Done: true,
		},
		RawConfig: json.RawMessage(documentedRawConfig),
	}, env.Data)
}

func TestCommandUnmarshalLenient(t *testing.T) {
	t.Parallel()
	ts := time.Date(2026, 2, 10, 14, 30, 0, 0, time.UTC)
	tests := []struct {
		name  string
		give  string
		check func(t *testing.T, c Command)
	}{
		{
			name: "valid timestamps",
			give: `{"updatedAt":"2026-02-10T14:30:00Z","createdAt":"2026-02-10T14:30:00.123+01:00"}`,
			check: func(t *testing.T, c Command) {
				assert.True(t, ts.Equal(c.UpdatedAt))
				assert.True(t, time.Date(2026, 2, 10, 13, 30, 0, 123e6, time.UTC).Equal(c.CreatedAt))
			},
		},
		{
			name: "timestamps of the wrong type",
			give: `{"id":"a","updatedAt":1700000000,"createdAt":{"$date":"x"}}`,
			check: func(t *testing.T, c Command) {
				assert.Equal(t, "a", c.ID)
				assert.True(t, c.UpdatedAt.IsZero())
				assert.True(t, c.CreatedAt.IsZero())
			},
		},
		{
			name: "unknown fields ignored",
			give: `{"id":"a","lean":true,"extra":{"deep":[1,2]},"config":{"metadata":{"type":"LOCK","newField":1}}}`,
			check: func(t *testing.T, c Command) {
				assert.Equal(t, "a", c.ID)
				assert.Equal(t, CommandTypeLock, c.Config.Metadata.Type)
			},
		},
		{
			name: "unknown enum strings kept",
			give: `{"status":"EXPIRED","config":{"metadata":{"type":"WIPE"}}}`,
			check: func(t *testing.T, c Command) {
				assert.Equal(t, CommandStatus("EXPIRED"), c.Status)
				assert.Equal(t, CommandType("WIPE"), c.Config.Metadata.Type)
			},
		},
		{
			name: "field of the wrong type leaves zero, the rest decodes",
			give: `{"id":12,"organization":"o","config":"nope","status":"DONE","mdmUser":null}`,
			check: func(t *testing.T, c Command) {
				assert.Empty(t, c.ID)
				assert.Equal(t, "o", c.Organization)
				assert.Equal(t, CommandConfig{}, c.Config)
				assert.Equal(t, CommandStatusDone, c.Status)
			},
		},
		{
			name: "done of the wrong type",
			give: `{"config":{"done":"yes","metadata":{"duration":"60s"}}}`,
			check: func(t *testing.T, c Command) {
				assert.False(t, c.Config.Done)
				assert.Equal(t, "60s", c.Config.Metadata.Duration)
			},
		},
		{
			name: "_config kept byte for byte",
			give: `{"_config" : [ 1 ,"\u00e9", {"a" :null} ] }`,
			check: func(t *testing.T, c Command) {
				assert.Equal(t, `[ 1 ,"\u00e9", {"a" :null} ]`, string(c.RawConfig))
			},
		},
		{
			name: "_config absent",
			give: `{}`,
			check: func(t *testing.T, c Command) {
				assert.Nil(t, c.RawConfig)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var c Command
			require.NoError(t, json.Unmarshal([]byte(tt.give), &c))
			tt.check(t, c)
		})
	}
}

func TestCommandUnmarshalErrors(t *testing.T) {
	t.Parallel()
	for _, give := range []string{`"a string"`, `[1]`, `42`, `{"id":`, `{"id":"a"`} {
		var c Command
		assert.Error(t, json.Unmarshal([]byte(give), &c), give)
	}
	c := Command{ID: "kept"}
	require.NoError(t, json.Unmarshal([]byte(`null`), &c))
	assert.Equal(t, "kept", c.ID, "null leaves the command as it was")
}

func TestCommandJSONRoundTrip(t *testing.T) {
	t.Parallel()
	want := Command{
		ID:           validCommand,
		Organization: validOrg,
		Status:       CommandStatusCanceled,
		Config: CommandConfig{
			Metadata: CommandMetadata{TypeURL: "u", Type: CommandTypeReboot, Duration: "60s"},
			Done:     true,
		},
		RawConfig: json.RawMessage(`{"name":"op"}`),
		UpdatedAt: time.Date(2026, 2, 10, 14, 30, 0, 5e6, time.UTC),
		CreatedAt: time.Date(2026, 2, 10, 12, 0, 0, 0, time.UTC),
	}
	b, err := json.Marshal(want)
	require.NoError(t, err)
	assert.JSONEq(t, `{
		"id": "507f1f77bcf86cd799439011",
		"organization": "507f1f77bcf86cd799439012",
		"status": "CANCEL",
		"config": {"metadata": {"@type": "u", "type": "REBOOT", "duration": "60s"}, "done": true},
		"_config": {"name": "op"},
		"updatedAt": "2026-02-10T14:30:00.005Z",
		"createdAt": "2026-02-10T12:00:00Z"
	}`, string(b))

	var got Command
	require.NoError(t, json.Unmarshal(b, &got))
	assert.Equal(t, want, got)

	b, err = json.Marshal(Command{ID: "x"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"id":"x","config":{"metadata":{},"done":false},"updatedAt":null,"createdAt":null}`, string(b))
}

func TestCommandType(t *testing.T) {
	t.Parallel()
	cmd := &Command{Config: CommandConfig{Metadata: CommandMetadata{Type: CommandTypeReboot}}}
	assert.Equal(t, CommandTypeReboot, cmd.Type())
	assert.Empty(t, (&Command{}).Type())
}
