package applivery

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// deviceOracle reads a device as the SDK documents it, with encoding/json's
// map decoding rather than the SDK's member walker: strings as sent (the
// last of duplicate names), a user or policy only when it is an object,
// times only when RFC 3339.
func deviceOracle(b []byte) (Device, bool) {
	var m map[string]json.RawMessage
	if json.Unmarshal(b, &m) != nil || m == nil {
		return Device{}, false
	}
	str := func(raw json.RawMessage) string {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return ""
		}
		return s
	}
	d := Device{ID: str(m["id"]), Organization: str(m["organization"]), EMMEnterprise: str(m["emmEnterprise"]), Raw: b}
	if u := m["mdmUser"]; isObject(u) {
		var um map[string]json.RawMessage
		_ = json.Unmarshal(u, &um)
		d.MDMUser = &DeviceUser{ID: str(um["id"]), Email: str(um["email"])}
	}
	if p := m["deviceEmmPolicy"]; isObject(p) {
		var pm map[string]json.RawMessage
		_ = json.Unmarshal(p, &pm)
		d.Policy = &DevicePolicy{ID: str(pm["id"]), Name: str(pm["name"]), Description: str(pm["description"]), Version: str(pm["version"])}
	}
	if ts, err := time.Parse(time.RFC3339Nano, str(m["updatedAt"])); err == nil {
		d.UpdatedAt = ts
	}
	if ts, err := time.Parse(time.RFC3339Nano, str(m["createdAt"])); err == nil {
		d.CreatedAt = ts
	}
	return d, true
}

// FuzzDeviceDecode checks the SDK's member walker against encoding/json: on
// any well-formed object it decodes what the oracle reads and keeps the
// bytes in Raw; on any other value it fails without a panic, and a value
// that is not an object is a type error, which a page tolerates.
func FuzzDeviceDecode(f *testing.F) {
	for _, seed := range []string{
		sampleDevice,
		`{}`, `null`, `[1]`, `5`, `"x"`, `{"id":5}`, `{"id":"a","id":"b"}`, `{"i\u0064":"a"}`, `{"ID":"a"}`,
		`{"mdmUser":"ana"}`, `{"mdmUser":{"email":"a\"b"}}`, `{"deviceEmmPolicy":{"config":{"a":[1,{"b":"}"}]},"name":"K"}}`,
		`{"updatedAt":"2026-02-10T14: 30:00Z","createdAt":"2026-01-02T03:04:05.5+01:00"}`, `{"id":"caf\u00e9\ud83d\ude00"}`,
		` { "id" : "a" , "x" : [ ] } `, `{"a":1,}`, `{"a" 1}`, `{"a":tru}`, `{"a":"\x01"}`, `{`, `{"id":"a"} x`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var got Device
		err := got.UnmarshalJSON(b)
		want, isObj := deviceOracle(b)
		switch {
		case string(b) == "null":
			require.NoError(t, err)
		case isObj:
			require.NoError(t, err, "a well-formed object: %q", b)
			assert.Equal(t, want.ID, got.ID)
			assert.Equal(t, want.Organization, got.Organization)
			assert.Equal(t, want.EMMEnterprise, got.EMMEnterprise)
			assert.Equal(t, want.MDMUser, got.MDMUser)
			assert.Equal(t, want.Policy, got.Policy)
			assert.True(t, want.UpdatedAt.Equal(got.UpdatedAt), "updatedAt of %q", b)
			assert.True(t, want.CreatedAt.Equal(got.CreatedAt), "createdAt of %q", b)
			assert.Equal(t, string(b), string(got.Raw))
		case json.Valid(b):
			var te *json.UnmarshalTypeError
			require.ErrorAs(t, err, &te, "a value that is not an object: %q", b)
		}
	})
}

func TestEachMemberRefusesMalformedObjects(t *testing.T) {
	t.Parallel()
	for _, b := range []string{``, `{`, `{"a"}`, `{"a":}`, `{"a":1,}`, `{"a" 1}`, `{"a":tru}`, "{\"a\":\"\x01\"}", `{"a":1} x`, `{1:2}`, `x`} {
		err := eachMember([]byte(b), func(string, []byte) {})
		assert.ErrorIs(t, err, errMalformed, "%q", b)
	}
	err := eachMember([]byte(`[1]`), func(string, []byte) {})
	assert.ErrorIs(t, err, errNotObject)
}
