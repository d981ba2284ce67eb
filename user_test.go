package applivery

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// documentedUserData is the data of the create page's 200 example,
// verbatim (its e-mail obfuscation artefact included).
const documentedUserData = `{
        "id": "string",
        "email": "[email protected]",
        "name": "string",
        "tags": [
            "string"
        ],
        "android": {
            "devices": {
                "MANAGEMENT_MODE_UNSPECIFIED": 0,
                "DEVICE_OWNER": 0,
                "PROFILE_OWNER": 0
            },
            "enrollmentTokens": {
                "DONE": 0,
                "PENDING": 0,
                "EXPIRED": 0,
                "DELETED": 0
            }
        },
        "apple": {
            "devices": 0,
            "enrollmentTokens": 0
        },
        "windows": {
            "devices": 0,
            "enrollmentTokens": 0
        },
        "language": "es",
        "managedAppleId": "[email protected]",
        "metadata": {},
        "inferredSegmentIds": [
            0
        ],
        "createdAt": "string",
        "updatedAt": "string"
    }`

func TestUserDecodesTheDocumentedExample(t *testing.T) {
	t.Parallel()
	var u User
	require.NoError(t, json.Unmarshal([]byte(documentedUserData), &u))
	assert.Equal(t, User{
		ID: "string", Email: "[email protected]", Name: "string", Tags: []string{"string"}, Language: "es",
		Raw: json.RawMessage(documentedUserData),
	}, u)
}

func TestUserDecodeIsLenient(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		give string
		want User
	}{
		{"wrong types leave zero fields", `{"id":7,"email":["x"],"name":null,"tags":"a","language":{}}`, User{}},
		{"tags not all strings", `{"id":"u1","tags":["a",1]}`, User{ID: "u1"}},
		{"unknown fields ignored", `{"id":"u1","whatever":{"deep":[1,2]}}`, User{ID: "u1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var u User
			require.NoError(t, json.Unmarshal([]byte(tt.give), &u))
			tt.want.Raw = json.RawMessage(tt.give)
			assert.Equal(t, tt.want, u)
		})
	}
	var u User
	assert.Error(t, json.Unmarshal([]byte(`[1]`), &u), "not an object")
	require.NoError(t, json.Unmarshal([]byte(`null`), &u))
	assert.Equal(t, User{}, u)
}

func TestUserMarshalJSON(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(User{Raw: json.RawMessage(`{"id":"u1","x":1}`)})
	require.NoError(t, err)
	assert.JSONEq(t, `{"id":"u1","x":1}`, string(b))
	b, err = json.Marshal(User{ID: "u1", Email: "a@b.example"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"id":"u1","email":"a@b.example"}`, string(b))
}

func TestUserListKey(t *testing.T) {
	t.Parallel()
	a, b := User{ID: "u1"}, User{Raw: json.RawMessage(`{"email":"a@b.example"}`)}
	c := User{Raw: json.RawMessage(`{"email":"c@b.example"}`)}
	assert.Equal(t, "u1", a.listKey())
	assert.NotEqual(t, b.listKey(), c.listKey())
	assert.NotEqual(t, "", b.listKey())
}
