package applivery

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// documentedAOSPToken is the data of the AOSP token create's 200 example,
// verbatim but for its indentation.
const documentedAOSPToken = `{
    "id": "string",
    "organizationId": "string",
    "aosEnterpriseId": "string",
    "segmentId": 0,
    "mdmUserId": "string",
    "mdmUser": {
        "id": "string",
        "email": "string"
    },
    "type": "aosp",
    "subType": "enrollment",
    "status": "PENDING",
    "state": "PENDING",
    "summary": {
        "managementMode": "DEVICE_OWNER",
        "expirationTimestamp": "string"
    },
    "managementMode": "DEVICE_OWNER",
    "perpetual": true,
    "aosDeviceId": "string",
    "aosPolicyAssignments": [
        {
            "aosPolicyId": "string",
            "aosPolicy": {
                "id": "string",
                "name": "string",
                "version": "string"
            },
            "priority": 0
        }
    ],
    "displayName": "string",
    "tags": [
        "string"
    ],
    "dpcBuildTag": "string",
    "pushNotificationProvider": "string",
    "config": {
        "oneTimeToken": "string",
        "enrollmentHost": "string",
        "qrCode": {}
    },
    "updatedAt": "string",
    "createdAt": "string"
}`

// documentedAppleToken is the first item of the Apple token list's 200
// example, whose stored copy is cut inside profiles[0]: closed after its
// last complete field, as testdata/openapi.yaml closes it.
const documentedAppleToken = `{
    "id": "698f3bde457fafa13d088791",
    "organization": "698f3bde457fafa13d088791",
    "admEnterprise": "698f3bde457fafa13d088791",
    "admDevice": "698f3bde457fafa13d088791",
    "mdmUser": {
        "id": "698f3bde457fafa13d088791",
        "email": "[email protected]"
    },
    "displayName": "John Doe - iPhone 15 Pro",
    "tags": [
        "sales",
        "executive",
        "iphone"
    ],
    "state": "PENDING",
    "config": {},
    "enroll": {
        "serverExpirationDate": "2026-03-15T23: 59:59Z",
        "mobileConfigSigned": true
    },
    "type": "user",
    "subType": "standard",
    "updatedAt": "2026-02-10T14: 22:00Z",
    "createdAt": "2026-01-15T10: 30:00Z",
    "expireAt": "2026-02-20T10: 30:00Z",
    "enrollmentLink": "https://app.applivery.com/enroll/apple/ABC123DEF456",
    "enrollCode": "ABC123DEF",
    "admPolicy": null,
    "admPolicyAssignments": [
        {
            "admPolicyId": "698f3bde457fafa13d088791",
            "admPolicy": {},
            "priority": 10
        }
    ],
    "admVppLocation": {
        "id": "698f3bde457fafa13d088791",
        "name": "US Corporate VPP",
        "config": {
            "countryISO2ACode": "US",
            "defaultPlatform": "ios",
            "locationName": "US Corporate Location"
        }
    },
    "summary": {
        "expirationTimestamp": "2026-02-20T10: 30:00Z"
    },
    "profiles": [
        {
            "id": "string",
            "organization": "string",
            "admEnterprise": "string",
            "admPolicy": "string",
            "targetType": "device",
            "name": "string",
            "config": {},
            "certificates": [
                {
                    "mdmAssetId": "string",
                    "format": {
                        "uuid": "uuid",
                        "base64": "base64"
                    },
                    "location": "string",
                    "password": "string",
                    "allowAllAppsAccess": true,
                    "keyIsExtractable": true
                }
            ],
            "type": "attached",
            "UUID": "string",
            "version": 0,
            "updatedAt": "2024-01-01T00: 00:00Z",
            "createdAt": "2024-01-01T00: 00:00Z",
            "assignedTo": {
                "policies": [
                    {
                        "id": "string",
                        "name": "string"
                    }
                ],
                "devices": [
                    {
                        "id": "string",
                        "displayName": "string"
                    }
                ]
            }
        }
    ]
}`

func TestEnrollmentTokenDecodesTheDocumentedExamples(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		give string
		want EnrollmentToken
	}{
		{"AOSP create", documentedAOSPToken, EnrollmentToken{
			ID: "string", Type: "aosp", SubType: "enrollment", State: "PENDING", ManagementMode: ManagementModeDeviceOwner,
			DisplayName: "string", Tags: []string{"string"}, OneTimeToken: "string", QRCode: json.RawMessage(`{}`),
		}},
		{"Apple list item: malformed dates are zero", documentedAppleToken, EnrollmentToken{
			ID: "698f3bde457fafa13d088791", Type: "user", SubType: "standard", State: "PENDING",
			DisplayName: "John Doe - iPhone 15 Pro", Tags: []string{"sales", "executive", "iphone"},
			EnrollmentLink: "https://app.applivery.com/enroll/apple/ABC123DEF456",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got EnrollmentToken
			require.NoError(t, json.Unmarshal([]byte(tt.give), &got))
			tt.want.Raw = json.RawMessage(tt.give)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestEnrollmentTokenDecodeChoosesBetweenMembers(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	later := at.Add(time.Hour)
	tests := []struct {
		name string
		give string
		want EnrollmentToken
	}{
		{"state wins over status, whatever the order", `{"status":"EXPIRED","state":"PENDING"}`, EnrollmentToken{State: "PENDING"}},
		{"status when no state", `{"status":"DONE"}`, EnrollmentToken{State: "DONE"}},
		{"a state of the wrong type falls back to status", `{"state":1,"status":"DONE"}`, EnrollmentToken{State: "DONE"}},
		{"top-level link wins over config's", `{"config":{"enrollmentLink":"https://c"},"enrollmentLink":"https://t"}`,
			EnrollmentToken{EnrollmentLink: "https://t"}},
		{"config's link when none at the top", `{"config":{"enrollmentLink":"https://c"}}`, EnrollmentToken{EnrollmentLink: "https://c"}},
		{"summary's expiration wins", `{"expirationTimestamp":"2026-03-01T11:00:00Z","summary":{"expirationTimestamp":"2026-03-01T10:00:00Z"}}`,
			EnrollmentToken{ExpiresAt: at}},
		{"top-level expiration when summary's is malformed", `{"summary":{"expirationTimestamp":"2026-03-01T10: 00:00Z"},"expirationTimestamp":"2026-03-01T11:00:00Z"}`,
			EnrollmentToken{ExpiresAt: later}},
		{"expireAt last", `{"expireAt":"2026-03-01T10:00:00Z"}`, EnrollmentToken{ExpiresAt: at}},
		{"summary's management mode when none at the top", `{"summary":{"managementMode":"COPE"}}`, EnrollmentToken{ManagementMode: ManagementModeCOPE}},
		{"qrCode as a string, byte for byte", `{"config":{"qrCode":"{\"a\":1}"}}`, EnrollmentToken{QRCode: json.RawMessage(`"{\"a\":1}"`)}},
		{"qrCode as an object, byte for byte", `{"config":{"qrCode":{ "b" : [1, 2] }}}`, EnrollmentToken{QRCode: json.RawMessage(`{ "b" : [1, 2] }`)}},
		{"a config that is not an object", `{"config":"x","summary":[1]}`, EnrollmentToken{}},
		{"wrong types leave zero fields", `{"id":1,"tags":"a","createdAt":5,"config":{"oneTimeToken":7}}`, EnrollmentToken{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got EnrollmentToken
			require.NoError(t, json.Unmarshal([]byte(tt.give), &got))
			tt.want.Raw = json.RawMessage(tt.give)
			assert.Equal(t, tt.want, got)
		})
	}
	var tok EnrollmentToken
	assert.Error(t, json.Unmarshal([]byte(`"x"`), &tok), "not an object")
}

func TestEnrollmentTokenMarshalJSON(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(EnrollmentToken{Raw: json.RawMessage(`{"id":"t1","config":{"oneTimeToken":"s"}}`)})
	require.NoError(t, err)
	assert.JSONEq(t, `{"id":"t1","config":{"oneTimeToken":"s"}}`, string(b), "Raw, as sent: marshalling is the caller's choice")
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	b, err = json.Marshal(EnrollmentToken{ID: "t1", State: "PENDING", OneTimeToken: "s", ExpiresAt: at})
	require.NoError(t, err)
	assert.JSONEq(t, `{"id":"t1","state":"PENDING","config":{"oneTimeToken":"s"},"summary":{"expirationTimestamp":"2026-03-01T10:00:00Z"},"createdAt":null}`, string(b))
	var back EnrollmentToken
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, "s", back.OneTimeToken)
	assert.Equal(t, at, back.ExpiresAt)
}

// secretToken is a one-time token that needs escaping in JSON and in URLs,
// so that its escaped forms differ from it.
const secretToken = "OTT-9f8e/7d6c+5b4a<&>é"

// tokenWithSecret is a token as an answer carries one: the secret in its
// config, in its QR code's payload and in its link.
func tokenWithSecret(t *testing.T) EnrollmentToken {
	t.Helper()
	esc, err := json.Marshal(secretToken)
	require.NoError(t, err)
	inner, err := json.Marshal(string(`{"token":`) + string(esc) + "}")
	require.NoError(t, err)
	raw := `{"id":"t1","state":"PENDING","displayName":"Front desk","config":{"oneTimeToken":` + string(esc) +
		`,"qrCode":{"payload":` + string(esc) + `,"nested":` + string(inner) + `}},"enrollmentLink":"https://enroll.example/?t=` +
		url.QueryEscape(secretToken) + `"}`
	var tok EnrollmentToken
	require.NoError(t, json.Unmarshal([]byte(raw), &tok))
	require.Equal(t, secretToken, tok.OneTimeToken)
	return tok
}

// secretFormsOf returns the forms of secretToken that must never be printed.
func secretFormsOf(t *testing.T) []string {
	t.Helper()
	return formsOf(secretToken)
}

func TestEnrollmentTokenNeverPrintsItsSecret(t *testing.T) {
	t.Parallel()
	tok := tokenWithSecret(t)
	page := EnrollmentTokenPage{Items: []EnrollmentToken{tok, tok}, Page: 1}
	type holder struct {
		Token   EnrollmentToken
		Pointer *EnrollmentToken
		Page    *EnrollmentTokenPage
	}
	values := map[string]any{
		"token": tok, "*token": &tok, "page": page, "*page": &page, "slice": []EnrollmentToken{tok},
		"holder": holder{Token: tok, Pointer: &tok, Page: &page}, "*holder": &holder{Token: tok, Pointer: &tok, Page: &page},
		"map": map[string]EnrollmentToken{"k": tok},
	}
	verbs := []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%10v", "%-v"}
	for name, v := range values {
		for _, verb := range verbs {
			out := fmt.Sprintf(verb, v)
			for _, form := range secretFormsOf(t) {
				assert.NotContains(t, out, form, "%s of %s", verb, name)
			}
			assert.NotContains(t, strings.ToLower(out), hex.EncodeToString([]byte(secretToken)), "%s of %s", verb, name)
		}
		for _, out := range []string{fmt.Sprint(v), fmt.Sprintln(v)} {
			assert.NotContains(t, out, secretToken, name)
		}
	}
	assert.Contains(t, fmt.Sprintf("%+v", tok), "OneTimeToken:[REDACTED]")
	assert.Contains(t, fmt.Sprintf("%#v", tok), `applivery.EnrollmentToken{ID:"t1"`)
	assert.Contains(t, fmt.Sprintf("%#v", page), `applivery.EnrollmentTokenPage{Items:[]applivery.EnrollmentToken{applivery.EnrollmentToken{`)
	assert.Contains(t, fmt.Sprintf("%v", tok), "Front desk", "the rest is printed")
	// The fields still hold the secret, byte for byte.
	assert.Equal(t, secretToken, tok.OneTimeToken)
	assert.Contains(t, string(tok.Raw), `"oneTimeToken":"OTT-9f8e/7d6c+5b4a\u003c\u0026\u003eé"`)
	assert.Contains(t, tok.EnrollmentLink, url.QueryEscape(secretToken))
}

func TestEnrollmentTokenLogValueRedacts(t *testing.T) {
	t.Parallel()
	tok := tokenWithSecret(t)
	var b strings.Builder
	for _, h := range []slog.Handler{slog.NewTextHandler(&b, nil), slog.NewJSONHandler(&b, nil)} {
		slog.New(h).Info("created", "token", tok, "pointer", &tok)
	}
	for _, form := range secretFormsOf(t) {
		assert.NotContains(t, b.String(), form)
	}
	assert.Contains(t, b.String(), "token.oneTimeToken=[REDACTED]")
}

func TestEnrollmentTokenListKey(t *testing.T) {
	t.Parallel()
	a := EnrollmentToken{ID: "t1"}
	b := EnrollmentToken{Raw: json.RawMessage(`{"state":"PENDING"}`)}
	c := EnrollmentToken{Raw: json.RawMessage(`{"state":"DONE"}`)}
	assert.Equal(t, "t1", a.listKey())
	assert.NotEqual(t, b.listKey(), c.listKey())
}

// FuzzEnrollmentTokenDecode checks that any well-formed object decodes, and
// that a one-time token it holds is never printed: a token of 8 letters or
// more (shorter ones, or digits, may occur in a time printed from another
// field) that is not part of what every token prints, its field names and
// the marker (a token "imeToken" is in "OneTimeToken:").
func FuzzEnrollmentTokenDecode(f *testing.F) {
	var skeleton strings.Builder
	for _, verb := range []string{"%s", "%q", "%+v"} {
		fmt.Fprintf(&skeleton, verb+"\n", []EnrollmentToken{{}})
	}
	for _, seed := range []string{
		documentedAOSPToken, documentedAppleToken, `{}`, `null`, `[1]`, `{"config":{"oneTimeToken":"abcdefghij"},"id":"abcdefghij"}`,
		`{"config":{"oneTimeToken":"abcdefghij","qrCode":"{\"t\":\"abcdefghij\"}"},"raw":"abcdefghijabcdefghij"}`,
		`{"config":{"oneTimeToken":"abc\u0064efghij"},"x":"abc\\u0064efghij"}`, `{"summary":{"expirationTimestamp":5}}`, `{`,
		`{"config":{"oneTimeToken":"abcdefghij","oneTimeToken":""}}`, `{"a":[{"oneTimeToken":"\u0061bcdefghij"}],"b":"x\u0061bcdefghij"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var got EnrollmentToken
		err := got.UnmarshalJSON(b)
		var m map[string]json.RawMessage
		if json.Unmarshal(b, &m) == nil && m != nil {
			require.NoError(t, err, "a well-formed object: %q", b)
			assert.Equal(t, json.RawMessage(b), got.Raw)
		}
		// Every one-time token of the object, as encoding/json decodes it:
		// the field's, and every value of a "oneTimeToken" member at any
		// depth, a second one of the same object included, however escaped.
		tokens := append(oneTimeTokenValues(b), got.OneTimeToken)
		for _, tok := range tokens {
			if len(tok) < 8 || strings.Contains(redacted, tok) || strings.Contains(skeleton.String(), tok) ||
				strings.IndexFunc(tok, func(r rune) bool { return !unicode.IsLetter(r) || r > unicode.MaxASCII }) >= 0 {
				continue
			}
			for _, verb := range []string{"%s", "%q", "%+v"} {
				assert.NotContains(t, fmt.Sprintf(verb, []EnrollmentToken{got}), tok, "%s of %q", verb, b)
			}
		}
	})
}

// oneTimeTokenValues returns the string values of every "oneTimeToken"
// member of the JSON b, at any depth, as encoding/json's tokenizer decodes
// them; nil when b is not well formed.
func oneTimeTokenValues(b []byte) []string {
	dec := json.NewDecoder(bytes.NewReader(b))
	var values []string
	var inObject []bool // per open container: an object?
	keyNext := false    // the next token of the open object is a key
	member := ""        // the key of the value that comes next
	for {
		tok, err := dec.Token()
		if err != nil {
			return values
		}
		if k, ok := tok.(string); ok && keyNext {
			member, keyNext = k, false
			continue
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{', '[':
				inObject = append(inObject, v == '{')
				keyNext = v == '{'
				continue
			default:
				inObject = inObject[:len(inObject)-1]
			}
		case string:
			if member == oneTimeTokenMember && len(inObject) > 0 && inObject[len(inObject)-1] {
				values = append(values, v)
			}
		}
		member = ""
		keyNext = len(inObject) > 0 && inObject[len(inObject)-1]
	}
}

// fmt never prints a one-time token that a token's Raw holds: not when the
// object names "oneTimeToken" twice and the decoder keeps the last, empty,
// value, nor when Raw writes it with a JSON escape an encoder may choose for
// any character (\u0053 for "S"), in the member's value or elsewhere (a QR
// code's payload written as a string of JSON).
func TestEnrollmentTokenFormatRedactsEveryOneTimeTokenInRaw(t *testing.T) {
	t.Parallel()
	const ott = "SECRETOTT7Q2K9X4M1"
	for _, tt := range []struct{ name, raw, leak string }{
		{"a second, empty oneTimeToken member", `{"id":"t1","config":{"oneTimeToken":"` + ott + `","oneTimeToken":""}}`, ott},
		{"a \\u escape of an ASCII letter", `{"id":"t1","config":{"oneTimeToken":"\u0053` + ott[1:] + `"}}`, ott[1:]},
		{"a \\u escape elsewhere", `{"id":"t1","config":{"oneTimeToken":"` + ott + `"},"link":"x?et=\u0053` + ott[1:] + `"}`, ott[1:]},
		{"escaped JSON in a QR code string", `{"id":"t1","config":{"oneTimeToken":"` + ott + `","qrCode":"{\"t\":\"\\u0053` + ott[1:] + `\"}"}}`, ott[1:]},
		{"only in a QR code string", `{"id":"t1","config":{"qrCode":"{\"oneTimeToken\":\"\\u0053` + ott[1:] + `\"}"}}`, ott[1:]},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var tok EnrollmentToken
			require.NoError(t, json.Unmarshal([]byte(tt.raw), &tok))
			page := EnrollmentTokenPage{Items: []EnrollmentToken{tok}}
			for _, out := range []string{fmtAll(tok), fmtAll(&tok), fmtAll(page), fmtAll(&page)} {
				assert.NotContains(t, out, tt.leak)
			}
			assert.Equal(t, json.RawMessage(tt.raw), tok.Raw, "Raw is unchanged")
		})
	}
}

// A page of tokens logs, through slog's JSON handler too, as its paging
// fields and each token's LogValue: without it the handler marshals the
// page, each token's Raw, one-time token included.
func TestEnrollmentTokenPageLogsItsTokensRedacted(t *testing.T) {
	t.Parallel()
	const ott = "SECRETOTT7Q2K9X4M1"
	var tok EnrollmentToken
	require.NoError(t, json.Unmarshal([]byte(`{"id":"t1","config":{"oneTimeToken":"`+ott+`"}}`), &tok))
	page := EnrollmentTokenPage{Items: []EnrollmentToken{tok}, Page: 2, HasNextPage: true, NextPage: 3}
	for _, v := range []any{page, &page} {
		var logs bytes.Buffer
		slog.New(slog.NewJSONHandler(&logs, nil)).Info("listed", "page", v)
		assert.NotContains(t, logs.String(), ott)
		var rec struct {
			Page struct {
				Items       map[string]map[string]any `json:"items"`
				Page        int                       `json:"page"`
				HasNextPage bool                      `json:"hasNextPage"`
				NextPage    int                       `json:"nextPage"`
			} `json:"page"`
		}
		require.NoError(t, json.Unmarshal(logs.Bytes(), &rec))
		assert.Equal(t, "t1", rec.Page.Items["0"]["id"])
		assert.Equal(t, redacted, rec.Page.Items["0"]["oneTimeToken"])
		assert.Equal(t, 2, rec.Page.Page)
		assert.True(t, rec.Page.HasNextPage)
		assert.Equal(t, 3, rec.Page.NextPage)
	}
}
