package applivery

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/applivery/applivery-go/internal/jsonscan"
	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// appleDevicesURL is the Apple devices of validOrg under mockBase.
const appleDevicesURL = mockBase + "/organizations/" + validOrg + "/mdm/apple/enterprise/devices"

// sampleAppleDevice is an Apple device with the documented members the SDK
// types, members it does not, and spacing it must keep.
const sampleAppleDevice = `{"id":"65a1f0c2e4b0a1b2c3d4e5f6", "organization":"507f1f77bcf86cd799439012",
  "admEnterprise":"61a0b1c2d3e4f5a6b7c8d9e0","mdmUser":{"id":"60b7c8d9e0f1a2b3c4d5e6f7","email":"ana@acme.example"},
  "displayName":"Front desk iPad","tags":["kiosk","berlin"],"state":"ENROLLED","type":"apple","subType":"device",
  "info":{"SerialNumber":"C02XK0AAJGH5","OSVersion":"17.4"},"profiles":[{"id":"p1"}],
  "updatedAt":"2026-11-20T10:00:00Z","createdAt":"2026-01-02T03:04:05Z"}`

func TestAppleDeviceDecodesTypedFieldsAndKeepsRaw(t *testing.T) {
	t.Parallel()
	c, mt := newMockClient(t)
	mt.RegisterResponder(http.MethodGet, appleDevicesURL+"/65a1f0c2e4b0a1b2c3d4e5f6",
		httpmock.NewStringResponder(200, `{"status":true,"data":`+sampleAppleDevice+`}`))
	d, err := c.AppleDevices.Get(context.Background(), validOrg, "65a1f0c2e4b0a1b2c3d4e5f6")
	require.NoError(t, err)
	assert.Equal(t, "65a1f0c2e4b0a1b2c3d4e5f6", d.ID)
	assert.Equal(t, "507f1f77bcf86cd799439012", d.Organization)
	assert.Equal(t, "Front desk iPad", d.DisplayName)
	assert.Equal(t, []string{"kiosk", "berlin"}, d.Tags)
	assert.Equal(t, "apple", d.Type)
	assert.Equal(t, "device", d.SubType)
	assert.Equal(t, &DeviceUser{ID: "60b7c8d9e0f1a2b3c4d5e6f7", Email: "ana@acme.example"}, d.MDMUser)
	assert.Equal(t, time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC), d.UpdatedAt)
	assert.Equal(t, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), d.CreatedAt)
	assert.Equal(t, sampleAppleDevice, string(d.Raw), "byte for byte, spacing included")
	out, err := d.MarshalJSON()
	require.NoError(t, err)
	assert.Equal(t, sampleAppleDevice, string(out), "MarshalJSON writes Raw")
	out, err = json.Marshal(d)
	require.NoError(t, err)
	var compact bytes.Buffer
	require.NoError(t, json.Compact(&compact, []byte(sampleAppleDevice)))
	assert.Equal(t, compact.String(), string(out), "json.Marshal compacts what MarshalJSON writes")
}

func TestAppleDeviceDecodingIsLenient(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		item  string
		check func(t *testing.T, d AppleDevice)
	}{
		{"null user and tags", `{"id":"a","mdmUser":null,"tags":null}`, func(t *testing.T, d AppleDevice) {
			assert.Nil(t, d.MDMUser)
			assert.Nil(t, d.Tags)
			assert.Equal(t, "a", d.ID)
		}},
		{"only an id", `{"id":"a"}`, func(t *testing.T, d AppleDevice) {
			assert.Equal(t, AppleDevice{ID: "a", Raw: json.RawMessage(`{"id":"a"}`)}, d)
		}},
		{"a user of the wrong type", `{"id":"a","mdmUser":"ana","displayName":"Mac"}`, func(t *testing.T, d AppleDevice) {
			assert.Nil(t, d.MDMUser)
			assert.Equal(t, "Mac", d.DisplayName)
		}},
		{"tags that are not all strings", `{"id":"a","tags":["kiosk",7],"type":"apple"}`, func(t *testing.T, d AppleDevice) {
			assert.Nil(t, d.Tags)
			assert.Equal(t, "apple", d.Type)
		}},
		{"tags of the wrong type", `{"id":"a","tags":"kiosk"}`, func(t *testing.T, d AppleDevice) { assert.Nil(t, d.Tags) }},
		{"no tags is an empty list", `{"id":"a","tags":[]}`, func(t *testing.T, d AppleDevice) {
			assert.NotNil(t, d.Tags)
			assert.Empty(t, d.Tags)
		}},
		{"strings of the wrong type", `{"id":5,"organization":true,"displayName":{},"type":[],"subType":1.5,"createdAt":"2026-01-02T03:04:05Z"}`,
			func(t *testing.T, d AppleDevice) {
				assert.Empty(t, d.ID)
				assert.Empty(t, d.Organization)
				assert.Empty(t, d.DisplayName)
				assert.Empty(t, d.Type)
				assert.Empty(t, d.SubType)
				assert.False(t, d.CreatedAt.IsZero())
			}},
		{"the reference's malformed dates", `{"id":"a","updatedAt":"2026-02-10T12: 01:00Z","createdAt":17}`, func(t *testing.T, d AppleDevice) {
			assert.True(t, d.UpdatedAt.IsZero())
			assert.True(t, d.CreatedAt.IsZero())
			assert.Equal(t, "a", d.ID)
		}},
		{"an unknown type and subType are kept", `{"id":"a","type":"visionos","subType":"enrollment"}`, func(t *testing.T, d AppleDevice) {
			assert.Equal(t, "visionos", d.Type)
			assert.Equal(t, "enrollment", d.SubType)
		}},
		{"a null item", `null`, func(t *testing.T, d AppleDevice) {
			assert.Empty(t, d.ID)
			assert.Empty(t, d.Raw)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockClient(t)
			mt.RegisterResponder(http.MethodGet, appleDevicesURL, httpmock.NewStringResponder(200,
				`{"status":true,"data":{"items":[`+tt.item+`],"page":1,"totalPages":1}}`))
			page, err := c.AppleDevices.List(context.Background(), validOrg, nil)
			require.NoError(t, err, "a device never fails a call")
			require.Len(t, page.Items, 1)
			tt.check(t, page.Items[0])
			if tt.item != "null" {
				assert.Equal(t, tt.item, string(page.Items[0].Raw))
			}
		})
	}
}

func TestAppleDeviceUnmarshalJSONRefusesWhatIsNotAnObject(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, give string
	}{
		{"an array", `[1]`},
		{"a string", `"a"`},
		{"a nested object without its colon", `{"info":{"a" 1}}`},
		{"a trailing comma", `{"id":"a",}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var d AppleDevice
			require.Error(t, d.UnmarshalJSON([]byte(tt.give)))
			assert.Empty(t, d.Raw, "nothing kept")
		})
	}
	var d AppleDevice
	assert.ErrorIs(t, d.UnmarshalJSON([]byte(`{"x":[1,]}`)), jsonscan.ErrMalformed)
}

func TestAppleDeviceMarshalWithoutRaw(t *testing.T) {
	t.Parallel()
	d := AppleDevice{ID: "a", DisplayName: "Mac", Tags: []string{"kiosk"}, MDMUser: &DeviceUser{Email: "ana@acme.example"},
		CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	out, err := json.Marshal(d)
	require.NoError(t, err)
	assert.JSONEq(t, `{"id":"a","displayName":"Mac","tags":["kiosk"],"mdmUser":{"email":"ana@acme.example"},"updatedAt":null,"createdAt":"2026-01-02T03:04:05Z"}`, string(out))
	var back AppleDevice
	require.NoError(t, json.Unmarshal(out, &back))
	assert.Equal(t, d.ID, back.ID)
	assert.Equal(t, d.Tags, back.Tags)
	assert.Equal(t, d.MDMUser, back.MDMUser)
	assert.Equal(t, d.CreatedAt, back.CreatedAt)
}

func TestAppleDevicePage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		data string
		want AppleDevicePage
	}{
		{"every paging field", `{"items":[{"id":"a"}],"page":2,"limit":1,"totalDocs":3,"totalPages":3,"hasNextPage":true,"hasPrevPage":true,"nextPage":3,"prevPage":1}`,
			AppleDevicePage{Items: []AppleDevice{{ID: "a", Raw: json.RawMessage(`{"id":"a"}`)}}, Page: 2, Limit: 1, TotalDocs: 3, TotalPages: 3,
				HasNextPage: true, HasPrevPage: true, NextPage: 3, PrevPage: 1}},
		{"no items is an empty page", `{"page":1,"nextPage":null}`, AppleDevicePage{Items: []AppleDevice{}, Page: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockClient(t)
			mt.RegisterResponder(http.MethodGet, appleDevicesURL, httpmock.NewStringResponder(200, `{"status":true,"data":`+tt.data+`}`))
			page, err := c.AppleDevices.List(context.Background(), validOrg, nil)
			require.NoError(t, err)
			assert.Equal(t, tt.want, *page)
		})
	}
}

// FuzzAppleDeviceDecode checks AppleDevice's member walker against
// encoding/json's map decoding, as deviceOracle does for Device: on any
// well-formed object the typed fields are what the map holds (the last of
// duplicate names; strings as sent, tags only when an array of strings, a
// user only when an object, times only when RFC 3339) and Raw the bytes; on
// any other value it fails without a panic, with a type error for a value
// that is not an object.
func FuzzAppleDeviceDecode(f *testing.F) {
	for _, seed := range []string{
		sampleAppleDevice, `{}`, `null`, `[1]`, `5`, `"x"`, `{"id":5}`, `{"id":"a","id":"b"}`, `{"displayN\u0061me":"Mac"}`,
		`{"tags":["a",null]}`, `{"tags":["a",1]}`, `{"tags":"a"}`, `{"tags":[],"tags":["b"]}`, `{"mdmUser":"ana"}`,
		`{"mdmUser":{"email":"a\"b"}}`, `{"updatedAt":"2026-02-10T12: 01:00Z","createdAt":"2026-01-02T03:04:05.5+01:00"}`,
		` { "id" : "a" , "tags" : [ "x" ] } `, `{"a":1,}`, `{"a" 1}`, `{"x":[1,]}`, `{`, `{"id":"a"} x`, `{"type":"\q"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var got AppleDevice
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
			want := AppleDevice{ID: str(m["id"]), Organization: str(m["organization"]), DisplayName: str(m["displayName"]),
				Type: str(m["type"]), SubType: str(m["subType"]), Raw: b}
			if v := m["tags"]; len(v) > 0 && v[0] == '[' {
				var tags []string
				if json.Unmarshal(v, &tags) == nil {
					want.Tags = tags
				}
			}
			if u := m["mdmUser"]; jsonscan.IsObject(u) {
				var um map[string]json.RawMessage
				_ = json.Unmarshal(u, &um)
				want.MDMUser = &DeviceUser{ID: str(um["id"]), Email: str(um["email"])}
			}
			if ts, err := time.Parse(time.RFC3339Nano, str(m["updatedAt"])); err == nil {
				want.UpdatedAt = ts
			}
			if ts, err := time.Parse(time.RFC3339Nano, str(m["createdAt"])); err == nil {
				want.CreatedAt = ts
			}
			assert.True(t, want.UpdatedAt.Equal(got.UpdatedAt), "updatedAt of %q", b)
			assert.True(t, want.CreatedAt.Equal(got.CreatedAt), "createdAt of %q", b)
			want.UpdatedAt, want.CreatedAt = got.UpdatedAt, got.CreatedAt
			assert.Equal(t, want, got)
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
