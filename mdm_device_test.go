package applivery

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/applivery/applivery-go/internal/jsonscan"
	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMDMDeviceDecodesTypedFieldsAndKeepsRaw(t *testing.T) {
	t.Parallel()
	c, mt := newMockClient(t)
	mt.RegisterResponder(http.MethodGet, mdmDevicesURL, httpmock.NewStringResponder(200,
		`{"status":true,"data":{"items":[`+sampleMDMDevice+`],"page":1,"limit":10,"totalDocs":11,"totalPages":2,"hasNextPage":true,"hasPrevPage":false,"nextPage":2,"prevPage":null}}`))
	page, err := c.Devices.List(context.Background(), validOrg, nil)
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	d := page.Items[0]
	assert.Equal(t, "65a1f0c2e4b0a1b2c3d4e5f6", d.ID)
	assert.Equal(t, "apple", d.Type)
	assert.Equal(t, "device", d.SubType)
	assert.Equal(t, "ENROLLED", d.State)
	assert.Equal(t, validOrg, d.Organization)
	assert.Equal(t, sampleMDMDevice, string(d.Raw), "Raw byte for byte")
	page.Items = nil
	assert.Equal(t, &MDMDevicePage{Page: 1, Limit: 10, TotalDocs: 11, TotalPages: 2, HasNextPage: true, NextPage: 2}, page)
}

func TestMDMDeviceDecodingIsLenient(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		item string
		want MDMDevice
	}{
		{"unknown fields are ignored", `{"id":"a1","type":"android","hardwareInfo":{"brand":"Google"},"tags":["x"]}`,
			MDMDevice{ID: "a1", Type: "android"}},
		{"a type the reference does not list is kept", `{"id":"a1","type":"chromeos","subType":"kiosk","state":"WEIRD"}`,
			MDMDevice{ID: "a1", Type: "chromeos", SubType: "kiosk", State: "WEIRD"}},
		{"fields of the wrong type are left zero", `{"id":7,"type":null,"subType":["device"],"state":{"a":1},"organization":true}`,
			MDMDevice{}},
		{"an empty object", `{}`, MDMDevice{}},
		{"the last of a repeated member wins", `{"id":"a1","id":"a2"}`, MDMDevice{ID: "a2"}},
		{"escapes are decoded", `{"state":"ENROLLED\u00e9"}`, MDMDevice{State: "ENROLLEDé"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockClient(t)
			mt.RegisterResponder(http.MethodGet, mdmDevicesURL, httpmock.NewStringResponder(200,
				`{"status":true,"data":{"items":[`+tt.item+`]}}`))
			page, err := c.Devices.List(context.Background(), validOrg, nil)
			require.NoError(t, err, "a field the SDK did not expect never fails the call")
			require.Len(t, page.Items, 1)
			want := tt.want
			want.Raw = json.RawMessage(tt.item)
			assert.Equal(t, want, page.Items[0])
		})
	}
}

func TestMDMDevicePageWithoutItems(t *testing.T) {
	t.Parallel()
	for name, data := range map[string]string{
		"no items member": `{}`,
		"null items":      `{"items":null}`,
		"empty items":     `{"items":[]}`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockClient(t)
			mt.RegisterResponder(http.MethodGet, mdmDevicesURL, httpmock.NewStringResponder(200, `{"status":true,"data":`+data+`}`))
			page, err := c.Devices.List(context.Background(), validOrg, nil)
			require.NoError(t, err)
			assert.NotNil(t, page.Items)
			assert.Empty(t, page.Items)
		})
	}
}

func TestMDMDeviceUnmarshalJSONRefusesWhatJSONDoesNot(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		wantErr bool
	}{
		{"malformed", `{"id":`, true},
		{"an array", `["id"]`, true},
		{"a string", `"id"`, true},
		{"null leaves it as it is", `null`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := MDMDevice{ID: "kept"}
			err := d.UnmarshalJSON([]byte(tt.in))
			if tt.wantErr {
				assert.Error(t, err)
				var std MDMDevice
				assert.Error(t, json.Unmarshal([]byte(tt.in), &std), "encoding/json refuses it too")
			} else {
				assert.NoError(t, err)
			}
			assert.Equal(t, MDMDevice{ID: "kept"}, d, "a refused or null value changes nothing")
		})
	}
}

func TestMDMDeviceMarshalJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		d    MDMDevice
		want string
	}{
		{"Raw when set", MDMDevice{ID: "ignored", Raw: json.RawMessage(sampleMDMDevice)}, sampleMDMDevice},
		{"the typed fields otherwise", MDMDevice{ID: "a1", Type: "apple", SubType: "device", State: "ENROLLED", Organization: "acme"},
			`{"id":"a1","type":"apple","subType":"device","state":"ENROLLED","organization":"acme"}`},
		{"empty ones left out", MDMDevice{ID: "a1"}, `{"id":"a1"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, err := tt.d.MarshalJSON() // json.Marshal would compact it
			require.NoError(t, err)
			if tt.d.Raw != nil {
				assert.Equal(t, tt.want, string(b))
			} else {
				assert.JSONEq(t, tt.want, string(b))
			}
		})
	}
}

func TestMDMDeviceListKey(t *testing.T) {
	t.Parallel()
	a := MDMDevice{ID: "a1"}
	assert.Equal(t, "a1", a.listKey())
	x, y := MDMDevice{Raw: json.RawMessage(`{"type":"apple"}`)}, MDMDevice{Raw: json.RawMessage(`{"type":"android"}`)}
	assert.NotEqual(t, x.listKey(), y.listKey(), "without an ID, by all of it")
	assert.NotEqual(t, "a1", x.listKey())
}

// FuzzMDMDeviceDecode checks MDMDevice's decoding against encoding/json's
// map decoding: on any well-formed object the typed fields are its string
// members (the last of duplicate names, "" for any other type) and Raw the
// bytes; on any other value it fails without a panic, with a type error for
// a value that is not an object.
func FuzzMDMDeviceDecode(f *testing.F) {
	for _, seed := range []string{
		sampleMDMDevice, `{}`, `null`, `[1]`, `5`, `"x"`, `{"id":5}`, `{"id":"a","id":"b"}`, `{"typ\u0065":"apple"}`,
		`{"Type":"apple"}`, `{"state":{"a":[1,"}"]}}`, `{"subType":"caf\u00e9\ud83d\ude00"}`, ` { "id" : "a" , "x" : [ ] } `,
		`{"a":1,}`, `{"a" 1}`, `{"x":[1,]}`, `{`, `{"id":"a"} x`, `{"organization":"\q"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var got MDMDevice
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
		switch {
		case string(b) == "null":
			require.NoError(t, err)
		case isObj:
			require.NoError(t, err, "a well-formed object: %q", b)
			want := MDMDevice{ID: str(m["id"]), Type: str(m["type"]), SubType: str(m["subType"]), State: str(m["state"]),
				Organization: str(m["organization"]), Raw: b}
			assert.Equal(t, want, got)
		case json.Valid(b):
			var te *json.UnmarshalTypeError
			require.ErrorAs(t, err, &te, "a value that is not an object: %q", b)
		default:
			require.ErrorIs(t, err, jsonscan.ErrMalformed, "not well formed: %q", b)
		}
	})
}
