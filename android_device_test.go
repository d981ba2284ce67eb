package applivery

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/applivery/applivery-go/internal/jsonscan"
	"github.com/jarcoal/httpmock"
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
	if u := m["mdmUser"]; jsonscan.IsObject(u) {
		var um map[string]json.RawMessage
		_ = json.Unmarshal(u, &um)
		d.MDMUser = &DeviceUser{ID: str(um["id"]), Email: str(um["email"])}
	}
	if p := m["deviceEmmPolicy"]; jsonscan.IsObject(p) {
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
		// Malformed inside a nested value, which the walker once only
		// counted brackets through.
		`{"deviceEmmPolicy":{"config":{"a" 1}}}`, `{"x":[1,]}`, `{"x":[1 2]}`, `{"x":{"b":tru}}`, `{"x":{]}`, `{"x":[}`,
		`{"x":{"a":1,}}`, `{"x":["\q"]}`, `{"x":"\q"}`, `{"x":{"\u12":1}}`, `{"x":[01]}`, `{"x":[-]}`, `{"x":[1.]}`,
		`{"x":[1e+]}`, `{"x":[nul]}`, `{"x":{1:2}}`, `{"mdmUser":{"id":"a","email":}}`,
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
		default:
			require.ErrorIs(t, err, jsonscan.ErrMalformed, "not well formed: %q", b)
		}
		if err == nil {
			_, merr := json.Marshal(got)
			require.NoError(t, merr, "a decoded device always encodes: %q", b)
		}
	})
}

func TestDeviceUnmarshalJSONRefusesWhatJSONDoesNot(t *testing.T) {
	t.Parallel()
	deep := func(levels int) string { // an object holding arrays nested levels deep in all
		return `{"x":` + strings.Repeat("[", levels-1) + strings.Repeat("]", levels-1) + `}`
	}
	tests := []struct {
		name string
		give string
		ok   bool
	}{
		{name: "a nested object without its colon", give: `{"deviceEmmPolicy":{"config":{"a" 1}}}`},
		{name: "a trailing comma in an array", give: `{"x":[1,]}`},
		{name: "a missing comma in an array", give: `{"x":[1 2]}`},
		{name: "a trailing comma in an object", give: `{"x":{"a":1,}}`},
		{name: "brackets that do not match", give: `{"x":{]}`},
		{name: "brackets that do not match, the other way", give: `{"x":[}`},
		{name: "a bad literal inside", give: `{"x":{"b":tru}}`},
		{name: "a number with a leading zero", give: `{"x":[01]}`},
		{name: "a minus alone", give: `{"x":[-]}`},
		{name: "a fraction without digits", give: `{"x":[1.]}`},
		{name: "an exponent without digits", give: `{"x":[1e+]}`},
		{name: "an unknown escape", give: `{"x":"\q"}`},
		{name: "an unknown escape inside", give: `{"x":["\q"]}`},
		{name: "a short unicode escape in a name", give: `{"x":{"\u12":1}}`},
		{name: "a name that is not a string", give: `{"x":{1:2}}`},
		{name: "a member without a value", give: `{"mdmUser":{"id":"a","email":}}`},
		{name: "a control character inside", give: "{\"x\":[\"\t\"]}"},
		{name: "nested as deep as encoding/json allows", give: deep(jsonscan.MaxDepth), ok: true},
		{name: "nested one level deeper", give: deep(jsonscan.MaxDepth + 1)},
		{name: "every kind of value, well formed", ok: true,
			give: `{"x":{"a":[1,-0.5e+3,2E-1,0,true,false,null,"\u00e9\n\"",{},[],{"b":[{}]}]},"id":"a"}`},
		{name: "white space everywhere", give: " { \"x\" : [ 1 , { \"a\" : null } ] , \"y\" : { } } ", ok: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.ok, json.Valid([]byte(tt.give)), "the case agrees with json.Valid")
			var d Device
			err := d.UnmarshalJSON([]byte(tt.give))
			if !tt.ok {
				assert.ErrorIs(t, err, jsonscan.ErrMalformed)
				assert.Empty(t, d.Raw, "nothing kept")
				return
			}
			require.NoError(t, err)
			out, err := json.Marshal(d)
			require.NoError(t, err, "what was accepted encodes")
			assert.JSONEq(t, tt.give, string(out))
		})
	}
}

func TestDeviceDecodesTypedFieldsAndKeepsRaw(t *testing.T) {
	t.Parallel()
	c, mt := newMockClient(t)
	mt.RegisterResponder(http.MethodGet, devicesURLT+"/R58M123", httpmock.NewStringResponder(200, `{"status":true,"data":`+sampleDevice+`}`))
	d, err := c.AndroidDevices.Get(context.Background(), validOrg, "R58M123")
	require.NoError(t, err)
	assert.Equal(t, "5f1e0c2a9b8d7e6f5a4b3c2d", d.ID)
	assert.Equal(t, "507f1f77bcf86cd799439012", d.Organization)
	assert.Equal(t, "61a0b1c2d3e4f5a6b7c8d9e0", d.EMMEnterprise)
	assert.Equal(t, &DeviceUser{ID: "60b7c8d9e0f1a2b3c4d5e6f7", Email: "ana@acme.example"}, d.MDMUser)
	assert.Equal(t, &DevicePolicy{ID: "62c1d2e3f4a5b6c7d8e9f0a1", Name: "Kiosk", Description: "Locked down", Version: "7"}, d.Policy)
	assert.Equal(t, time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC), d.UpdatedAt)
	assert.Equal(t, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), d.CreatedAt)
	assert.Equal(t, sampleDevice, string(d.Raw), "byte for byte, spacing included")
	out, err := d.MarshalJSON()
	require.NoError(t, err)
	assert.Equal(t, sampleDevice, string(out), "MarshalJSON writes Raw")
	out, err = json.Marshal(d)
	require.NoError(t, err)
	var compact bytes.Buffer
	require.NoError(t, json.Compact(&compact, []byte(sampleDevice)))
	assert.Equal(t, compact.String(), string(out), "json.Marshal compacts what MarshalJSON writes")
}

func TestDeviceDecodingIsLenient(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		item  string
		check func(t *testing.T, d Device)
	}{
		{"null user and policy", `{"id":"a","mdmUser":null,"deviceEmmPolicy":null}`, func(t *testing.T, d Device) {
			assert.Nil(t, d.MDMUser)
			assert.Nil(t, d.Policy)
			assert.Equal(t, "a", d.ID)
		}},
		{"absent user and policy", `{"id":"a"}`, func(t *testing.T, d Device) {
			assert.Nil(t, d.MDMUser)
			assert.Nil(t, d.Policy)
		}},
		{"a user of the wrong type", `{"id":"a","mdmUser":"ana","deviceEmmPolicy":{"id":"p","name":"Kiosk"}}`, func(t *testing.T, d Device) {
			assert.Nil(t, d.MDMUser)
			assert.Equal(t, &DevicePolicy{ID: "p", Name: "Kiosk"}, d.Policy)
			assert.Equal(t, "a", d.ID)
		}},
		{"a policy of the wrong type", `{"id":"a","deviceEmmPolicy":[1],"mdmUser":{"id":"u"}}`, func(t *testing.T, d Device) {
			assert.Nil(t, d.Policy)
			assert.Equal(t, &DeviceUser{ID: "u"}, d.MDMUser)
		}},
		{"an id of the wrong type", `{"id":5,"organization":"o","createdAt":"2026-01-02T03:04:05Z"}`, func(t *testing.T, d Device) {
			assert.Empty(t, d.ID)
			assert.Equal(t, "o", d.Organization)
			assert.False(t, d.CreatedAt.IsZero())
		}},
		{"an unparsable date", `{"id":"a","updatedAt":"2026-02-10T14: 30:00Z","createdAt":17}`, func(t *testing.T, d Device) {
			assert.True(t, d.UpdatedAt.IsZero())
			assert.True(t, d.CreatedAt.IsZero())
			assert.Equal(t, "a", d.ID)
		}},
		{"a null item", `null`, func(t *testing.T, d Device) {
			assert.Empty(t, d.ID)
			assert.Empty(t, d.Raw)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockClient(t)
			mt.RegisterResponder(http.MethodGet, devicesURLT, httpmock.NewStringResponder(200,
				`{"status":true,"data":{"items":[`+tt.item+`],"page":1,"totalPages":1}}`))
			page, err := c.AndroidDevices.List(context.Background(), validOrg, nil)
			require.NoError(t, err, "a device never fails a call")
			require.Len(t, page.Items, 1)
			tt.check(t, page.Items[0])
			if tt.item != "null" {
				assert.Equal(t, tt.item, string(page.Items[0].Raw))
			}
		})
	}
}

func TestDeviceMarshalWithoutRaw(t *testing.T) {
	t.Parallel()
	d := Device{ID: "a", MDMUser: &DeviceUser{Email: "ana@acme.example"}, CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	out, err := json.Marshal(d)
	require.NoError(t, err)
	assert.JSONEq(t, `{"id":"a","mdmUser":{"email":"ana@acme.example"},"updatedAt":null,"createdAt":"2026-01-02T03:04:05Z"}`, string(out))
	var back Device
	require.NoError(t, json.Unmarshal(out, &back))
	assert.Equal(t, d.ID, back.ID)
	assert.Equal(t, d.MDMUser, back.MDMUser)
	assert.Equal(t, d.CreatedAt, back.CreatedAt)
}
