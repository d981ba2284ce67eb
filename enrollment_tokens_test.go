package applivery

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	policyA = "62c1d2e3f4a5b6c7d8e9f0a1"
	policyB = "63d2e3f4a5b6c7d8e9f0a1b2"
	userA   = "60b7c8d9e0f1a2b3c4d5e6f7"
	orgURL  = mockBase + "/organizations/" + validOrg + "/mdm"

	androidTokensURL = orgURL + "/android/enterprise/enrollment-tokens"
	aospTokensURL    = orgURL + "/aosp/enterprise/enrollment-tokens"
	appleTokensURL   = orgURL + "/apple/enterprise/enrollment-tokens"
)

// sampleToken is a token answer that holds secretToken.
const sampleToken = `{"id":"t1","state":"PENDING","config":{"oneTimeToken":"OTT-abc123def456","qrCode":{"k":"OTT-abc123def456"}}}`

func TestEnrollmentTokensRequestShapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		call     func(*Client) error
		wantURL  string
		wantBody string
	}{
		{"android, the required fields only: sendEmail false is sent", func(c *Client) error {
			_, err := c.AndroidEnrollmentTokens.Create(context.Background(), validOrg, &CreateAndroidEnrollmentTokenRequest{ManagementMode: ManagementModeDeviceOwner})
			return err
		}, androidTokensURL, `{"managementMode":"DEVICE_OWNER","sendEmail":false}`},
		{"android, every field", func(c *Client) error {
			_, err := c.AndroidEnrollmentTokens.Create(context.Background(), validOrg, &CreateAndroidEnrollmentTokenRequest{
				ManagementMode: ManagementModeProfileOwner, SendEmail: true, PolicyID: policyA,
				PolicyAssignments: []PolicyAssignment{{policyA, 0}, {policyB, 10000}}, DisplayName: "Kiosks", Tags: []string{"berlin"},
				Duration: 24 * time.Hour, MDMUserID: userA,
			})
			return err
		}, androidTokensURL, `{"policyId":"` + policyA + `","emmPolicyAssignments":[{"emmPolicyId":"` + policyA + `","priority":0},` +
			`{"emmPolicyId":"` + policyB + `","priority":10000}],"displayName":"Kiosks","tags":["berlin"],"managementMode":"PROFILE_OWNER",` +
			`"sendEmail":true,"duration":86400,"mdmUserId":"` + userA + `"}`},
		{"aosp, a token of an hour", func(c *Client) error {
			_, err := c.AOSPEnrollmentTokens.Create(context.Background(), validOrg, &CreateAOSPEnrollmentTokenRequest{
				ManagementMode: ManagementModeDeviceOwner, Duration: time.Hour,
			})
			return err
		}, aospTokensURL, `{"managementMode":"DEVICE_OWNER","sendEmail":false,"duration":3600}`},
		{"aosp, perpetual, every field: duration 0 as documented", func(c *Client) error {
			_, err := c.AOSPEnrollmentTokens.Create(context.Background(), validOrg, &CreateAOSPEnrollmentTokenRequest{
				ManagementMode: ManagementModeDeviceOwner, Perpetual: true, SendEmail: true, Language: "fr", DisplayName: "POS",
				Tags: []string{"pos"}, PolicyAssignments: []PolicyAssignment{{policyA, -5}}, MDMUserID: userA,
			})
			return err
		}, aospTokensURL, `{"displayName":"POS","tags":["pos"],"managementMode":"DEVICE_OWNER","sendEmail":true,"language":"fr",` +
			`"perpetual":true,"aosPolicyAssignments":[{"aosPolicyId":"` + policyA + `","priority":-5}],"mdmUserId":"` + userA + `","duration":0}`},
		{"apple, no field: sendEmail is sent", func(c *Client) error {
			_, err := c.AppleEnrollmentTokens.Create(context.Background(), validOrg, &CreateAppleEnrollmentTokenRequest{})
			return err
		}, appleTokensURL, `{"sendEmail":false}`},
		{"apple, every field", func(c *Client) error {
			_, err := c.AppleEnrollmentTokens.Create(context.Background(), validOrg, &CreateAppleEnrollmentTokenRequest{
				DisplayName: "iPhone", Tags: []string{"sales"}, MDMUserID: userA, PolicyAssignments: []PolicyAssignment{{policyB, 10}},
				SendEmail: true, Language: "en",
			})
			return err
		}, appleTokensURL, `{"sendEmail":true,"displayName":"iPhone","tags":["sales"],"language":"en",` +
			`"admPolicyAssignments":[{"admPolicyId":"` + policyB + `","priority":10}],"mdmUserId":"` + userA + `"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockClient(t)
			var got capture
			mt.RegisterNoResponder(got.responder(200, `{"status":true,"data":`+sampleToken+`}`))
			require.NoError(t, tt.call(c))
			require.NotNil(t, got.req)
			assert.Equal(t, strings.TrimPrefix(tt.wantURL, "https://api.example.test"), got.req.URL.Path)
			assert.Equal(t, "POST", got.req.Method)
			assert.Equal(t, tt.wantBody, string(got.body))
			assert.Equal(t, "application/json", got.req.Header.Get("Content-Type"))
		})
	}
}

func TestAppleEnrollmentTokensListRequestShape(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		call      func(*Client) error
		wantQuery url.Values
	}{
		{"apple list, no options", func(c *Client) error {
			_, err := c.AppleEnrollmentTokens.List(context.Background(), validOrg, nil)
			return err
		}, url.Values{}},
		{"apple list, every option", func(c *Client) error {
			_, err := c.AppleEnrollmentTokens.List(context.Background(), validOrg, &ListEnrollmentTokensOptions{Page: 3, Limit: 20, Sort: "createdAt:desc", ShowDeleted: true})
			return err
		}, url.Values{"page": {"3"}, "limit": {"20"}, "sort": {"createdAt:desc"}, "show-deleted": {"true"}}},
		{"apple list, show-deleted false is not sent", func(c *Client) error {
			_, err := c.AppleEnrollmentTokens.List(context.Background(), validOrg, &ListEnrollmentTokensOptions{Limit: 5})
			return err
		}, url.Values{"limit": {"5"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockClient(t)
			var got capture
			mt.RegisterNoResponder(got.responder(200, `{"status":true,"data":{"items":[`+sampleToken+`],"page":1}}`))
			require.NoError(t, tt.call(c))
			require.NotNil(t, got.req)
			assert.Equal(t, "GET", got.req.Method)
			assert.Equal(t, strings.TrimPrefix(appleTokensURL, "https://api.example.test"), got.req.URL.Path)
			assert.Equal(t, tt.wantQuery, got.req.URL.Query())
		})
	}
}

// refusal is a call that must be refused before the wire, and the field
// its ValidationError names.
type refusal struct {
	name      string
	call      func(*Client) error
	wantField string
}

// androidCreate, aospCreate and appleCreate return a Create of r (Android's
// with DEVICE_OWNER unless r names a mode).
func androidCreate(r CreateAndroidEnrollmentTokenRequest) func(*Client) error {
	return func(c *Client) error {
		if r.ManagementMode == "" {
			r.ManagementMode = ManagementModeDeviceOwner
		}
		_, err := c.AndroidEnrollmentTokens.Create(context.Background(), validOrg, &r)
		return err
	}
}

func aospCreate(r CreateAOSPEnrollmentTokenRequest) func(*Client) error {
	return func(c *Client) error {
		_, err := c.AOSPEnrollmentTokens.Create(context.Background(), validOrg, &r)
		return err
	}
}

func appleCreate(r CreateAppleEnrollmentTokenRequest) func(*Client) error {
	return func(c *Client) error {
		_, err := c.AppleEnrollmentTokens.Create(context.Background(), validOrg, &r)
		return err
	}
}

// long128 is 129 characters (and twice as many bytes).
var long128 = strings.Repeat("ü", 129)

// tokenRefusals are the token requests and options refused before the wire.
var tokenRefusals = []refusal{
	{"android, nil request", func(c *Client) error {
		_, err := c.AndroidEnrollmentTokens.Create(context.Background(), validOrg, nil)
		return err
	}, "body"},
	{"android, bad organization", func(c *Client) error {
		_, err := c.AndroidEnrollmentTokens.Create(context.Background(), "no", &CreateAndroidEnrollmentTokenRequest{ManagementMode: ManagementModeCOPE})
		return err
	}, "organizationId"},
	{"android, no management mode", func(c *Client) error {
		_, err := c.AndroidEnrollmentTokens.Create(context.Background(), validOrg, &CreateAndroidEnrollmentTokenRequest{})
		return err
	}, "managementMode"},
	{"android, unknown management mode", androidCreate(CreateAndroidEnrollmentTokenRequest{ManagementMode: "KIOSK"}), "managementMode"},
	{"android, policy not 24 hex", androidCreate(CreateAndroidEnrollmentTokenRequest{PolicyID: "p1"}), "policyId"},
	{"android, assignment's policy not 24 hex", androidCreate(CreateAndroidEnrollmentTokenRequest{PolicyAssignments: []PolicyAssignment{{policyA, 1}, {"x", 1}}}), "emmPolicyAssignments[1].emmPolicyId"},
	{"android, negative priority", androidCreate(CreateAndroidEnrollmentTokenRequest{PolicyAssignments: []PolicyAssignment{{policyA, -1}}}), "emmPolicyAssignments[0].priority"},
	{"android, priority over 10000", androidCreate(CreateAndroidEnrollmentTokenRequest{PolicyAssignments: []PolicyAssignment{{policyA, 10001}}}), "emmPolicyAssignments[0].priority"},
	{"android, display name over 128", androidCreate(CreateAndroidEnrollmentTokenRequest{DisplayName: long128}), "displayName"},
	{"android, tag over 128", androidCreate(CreateAndroidEnrollmentTokenRequest{Tags: []string{long128}}), "tags"},
	{"android, empty tag", androidCreate(CreateAndroidEnrollmentTokenRequest{Tags: []string{""}}), "tags"},
	{"android, duration not whole seconds", androidCreate(CreateAndroidEnrollmentTokenRequest{Duration: 90*time.Second + time.Millisecond}), "duration"},
	{"android, duration under a minute", androidCreate(CreateAndroidEnrollmentTokenRequest{Duration: 59 * time.Second}), "duration"},
	{"android, duration over 30 days", androidCreate(CreateAndroidEnrollmentTokenRequest{Duration: 30*24*time.Hour + time.Second}), "duration"},
	{"android, negative duration", androidCreate(CreateAndroidEnrollmentTokenRequest{Duration: -time.Minute}), "duration"},
	{"aosp, nil request", func(c *Client) error {
		_, err := c.AOSPEnrollmentTokens.Create(context.Background(), validOrg, nil)
		return err
	}, "body"},
	{"android, user not 24 hex", androidCreate(CreateAndroidEnrollmentTokenRequest{ManagementMode: ManagementModeDeviceOwner, MDMUserID: "ana@acme.example"}), "mdmUserId"},
	{"aosp, no management mode", aospCreate(CreateAOSPEnrollmentTokenRequest{Duration: time.Hour}), "managementMode"},
	{"aosp, profile owner is not documented", aospCreate(CreateAOSPEnrollmentTokenRequest{ManagementMode: ManagementModeProfileOwner, Duration: time.Hour}), "managementMode"},
	{"aosp, no duration and not perpetual", aospCreate(CreateAOSPEnrollmentTokenRequest{ManagementMode: ManagementModeDeviceOwner}), "duration"},
	{"aosp, perpetual with a duration contradicts", aospCreate(CreateAOSPEnrollmentTokenRequest{ManagementMode: ManagementModeDeviceOwner, Perpetual: true, Duration: time.Hour}), "duration"},
	{"aosp, negative duration", aospCreate(CreateAOSPEnrollmentTokenRequest{ManagementMode: ManagementModeDeviceOwner, Duration: -time.Hour}), "duration"},
	{"aosp, duration not whole seconds", aospCreate(CreateAOSPEnrollmentTokenRequest{ManagementMode: ManagementModeDeviceOwner, Duration: 1500 * time.Millisecond}), "duration"},
	{"aosp, unknown language", aospCreate(CreateAOSPEnrollmentTokenRequest{ManagementMode: ManagementModeDeviceOwner, Perpetual: true, Language: "nl"}), "language"},
	{"aosp, display name over 256", aospCreate(CreateAOSPEnrollmentTokenRequest{ManagementMode: ManagementModeDeviceOwner, Perpetual: true, DisplayName: strings.Repeat("a", 257)}), "displayName"},
	{"aosp, user not 24 hex", aospCreate(CreateAOSPEnrollmentTokenRequest{ManagementMode: ManagementModeDeviceOwner, Perpetual: true, MDMUserID: "ana"}), "mdmUserId"},
	{"aosp, assignment's policy not 24 hex", aospCreate(CreateAOSPEnrollmentTokenRequest{ManagementMode: ManagementModeDeviceOwner, Perpetual: true, PolicyAssignments: []PolicyAssignment{{"string", 0}}}), "aosPolicyAssignments[0].aosPolicyId"},
	{"apple, nil request", func(c *Client) error {
		_, err := c.AppleEnrollmentTokens.Create(context.Background(), validOrg, nil)
		return err
	}, "body"},
	{"apple, display name over 128", appleCreate(CreateAppleEnrollmentTokenRequest{DisplayName: long128}), "displayName"},
	{"apple, tag over 128", appleCreate(CreateAppleEnrollmentTokenRequest{Tags: []string{"ok", long128}}), "tags"},
	{"apple, user not 24 hex", appleCreate(CreateAppleEnrollmentTokenRequest{MDMUserID: "x"}), "mdmUserId"},
	{"apple, assignment's policy not 24 hex", appleCreate(CreateAppleEnrollmentTokenRequest{PolicyAssignments: []PolicyAssignment{{"x", 1}}}), "admPolicyAssignments[0].admPolicyId"},
	{"apple, unknown language", appleCreate(CreateAppleEnrollmentTokenRequest{Language: "EN"}), "language"},
	{"apple list, bad organization", func(c *Client) error {
		_, err := c.AppleEnrollmentTokens.List(context.Background(), "a/b", nil)
		return err
	}, "organizationId"},
	{"apple list, negative limit", func(c *Client) error {
		_, err := c.AppleEnrollmentTokens.List(context.Background(), validOrg, &ListEnrollmentTokensOptions{Limit: -1})
		return err
	}, "limit"},
	{"apple list, bad sort", func(c *Client) error {
		_, err := c.AppleEnrollmentTokens.List(context.Background(), validOrg, &ListEnrollmentTokensOptions{Sort: "a b"})
		return err
	}, "sort"},
}

func TestEnrollmentTokensValidationBeforeTheWire(t *testing.T) {
	t.Parallel()
	for _, tt := range tokenRefusals {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assertRefusedBeforeTheWire(t, tt.call, tt.wantField)
		})
	}
}

func TestEnrollmentTokensDurationBounds(t *testing.T) {
	t.Parallel()
	for _, d := range []time.Duration{time.Minute, 30 * 24 * time.Hour} {
		c, mt := newMockClient(t)
		var got capture
		mt.RegisterNoResponder(got.responder(200, `{"status":true,"data":`+sampleToken+`}`))
		_, err := c.AndroidEnrollmentTokens.Create(context.Background(), validOrg, &CreateAndroidEnrollmentTokenRequest{ManagementMode: ManagementModeUserless, Duration: d})
		require.NoError(t, err, d)
		assert.Contains(t, string(got.body), `"duration":`+strconv.FormatInt(int64(d/time.Second), 10)+"}")
	}
}

// tokenCreates are the three token creates, each with a valid request.
var tokenCreates = []struct {
	name string
	url  string
	call func(context.Context, *Client, ...CallOption) (*EnrollmentToken, error)
	note string
}{
	{"android", androidTokensURL, func(ctx context.Context, c *Client, opts ...CallOption) (*EnrollmentToken, error) {
		return c.AndroidEnrollmentTokens.Create(ctx, validOrg, &CreateAndroidEnrollmentTokenRequest{ManagementMode: ManagementModeDeviceOwner}, opts...)
	}, "check the organization's Android enrollment tokens"},
	{"aosp", aospTokensURL, func(ctx context.Context, c *Client, opts ...CallOption) (*EnrollmentToken, error) {
		return c.AOSPEnrollmentTokens.Create(ctx, validOrg, &CreateAOSPEnrollmentTokenRequest{ManagementMode: ManagementModeDeviceOwner, Perpetual: true}, opts...)
	}, "check the organization's non-GMS Android enrollment tokens"},
	{"apple", appleTokensURL, func(ctx context.Context, c *Client, opts ...CallOption) (*EnrollmentToken, error) {
		return c.AppleEnrollmentTokens.Create(ctx, validOrg, &CreateAppleEnrollmentTokenRequest{}, opts...)
	}, "list the Apple enrollment tokens"},
}

func TestEnrollmentTokensCreateOutcome(t *testing.T) {
	t.Parallel()
	limit := createOutcomeCase{"5017: the limit", []*http.Response{httpmock.NewStringResponse(400,
		`{"status":false,"error":{"code":5017,"message":"Limit Exceeded"}}`)}, 1, false, ErrLimitExceeded}
	for _, create := range tokenCreates {
		for _, tt := range createOutcomeCases(`{"status":true,"data":`+sampleToken+`}`, limit) {
			t.Run(create.name+", "+tt.name, func(t *testing.T) {
				t.Parallel()
				var tok *EnrollmentToken
				err := checkCreateOutcome(t, tt, create.url, func(c *Client) (err error) {
					tok, err = create.call(context.Background(), c)
					return err
				}, create.note)
				if err == nil {
					assert.Equal(t, "OTT-abc123def456", tok.OneTimeToken)
				}
			})
		}
	}
}

func TestEnrollmentTokenErrorsNeverCarryTheToken(t *testing.T) {
	t.Parallel()
	const ott = "OTT-abc123def456"
	tests := []struct {
		name   string
		status int
		body   string
	}{
		{"a cut 2xx", 200, `{"status":true,"data":{"id":"t1","config":{"oneTimeToken":"` + ott + `","qrCode":{"k":"` + ott[:6]},
		{"a 2xx that is not the envelope", 200, `{"status":true,"data":"{\"config\":{\"oneTimeToken\":\"` + ott + `\"}}"}`},
		{"a 2xx with an error that echoes it", 200, `{"status":false,"error":{"code":9,"message":"token ` + ott + ` refused"},"data":{"config":{"oneTimeToken" : "` + ott + `"}}}`},
		{"a 400 that echoes it", 400, `{"status":false,"error":{"code":5017,"message":"Limit Exceeded for ` + ott + `"},"config":{"oneTimeToken":"` + ott + `"}}`},
		{"a 502 page that echoes it", 502, `<html>upstream said {"oneTimeToken":"` + ott + `"}</html>`},
	}
	for _, create := range tokenCreates {
		for _, tt := range tests {
			t.Run(create.name+", "+tt.name, func(t *testing.T) {
				t.Parallel()
				var logs bytes.Buffer
				obs := &recordingObserver{}
				logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
				c, mt := newMockClient(t, WithLogger(logger), WithObserver(obs), WithMaxRetries(0))
				mt.RegisterResponder(http.MethodPost, create.url, httpmock.NewStringResponder(tt.status, tt.body))
				var resp Response
				_, err := create.call(context.Background(), c, WithResponse(&resp))
				require.Error(t, err)
				apiErr := requireAPIError(t, err)
				assert.Nil(t, apiErr.Body, "a token endpoint's error keeps no body")
				for _, out := range []string{err.Error(), apiErr.Message, logs.String(), fmtAll(err), fmtAll(obs.all()), fmtAll(resp)} {
					assert.NotContains(t, out, ott)
				}
			})
		}
	}
}

func TestRawCallsToTokenEndpointsKeepNoErrorBody(t *testing.T) {
	t.Parallel()
	const ott = "OTT-raw987zyx654"
	cut := `{"status":true,"data":{"id":"t1","config":{"oneTimeToken":"` + ott + `","qrCode":{"k":"` + ott[:6]
	tests := []struct {
		name     string
		path     string
		wantBody bool
	}{
		{"the Android bulk create", "/organizations/" + validOrg + "/mdm/android/enterprise/enrollment-tokens/bulk", false},
		{"one Apple token", "/organizations/" + validOrg + "/mdm/apple/enterprise/enrollment-tokens/" + validCommand, false},
		{"the AOSP creates", "/organizations/" + validOrg + "/mdm/aosp/enterprise/enrollment-tokens", false},
		{"another endpoint keeps its body", "/organizations/" + validOrg + "/mdm/users", true},
		{"a segment that only contains the word", "/organizations/" + validOrg + "/mdm/enrollment-tokens-report", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockClient(t, WithMaxRetries(0))
			mt.RegisterNoResponder(httpmock.NewStringResponder(200, cut))
			err := c.Do(context.Background(), &Request{Method: http.MethodGet, Path: tt.path}, nil)
			apiErr := requireAPIError(t, err)
			if tt.wantBody {
				assert.NotEmpty(t, apiErr.Body)
				return
			}
			assert.Nil(t, apiErr.Body, "a token endpoint's error keeps no body, on a raw call too")
			assert.NotContains(t, fmtAll(err), ott)
		})
	}
}

func TestEnrollmentTokensListAll(t *testing.T) {
	t.Parallel()
	c, mt := newMockClient(t)
	mt.RegisterResponderWithQuery(http.MethodGet, appleTokensURL, "limit=1&show-deleted=true", httpmock.NewStringResponder(200,
		`{"status":true,"data":{"items":[{"id":"t1","state":"PENDING"}],"page":1,"totalPages":2,"hasNextPage":true,"nextPage":2}}`))
	mt.RegisterResponderWithQuery(http.MethodGet, appleTokensURL, "limit=1&page=2&show-deleted=true", httpmock.NewStringResponder(200,
		`{"status":true,"data":{"items":[{"state":"DONE"}],"page":2,"totalPages":2}}`))
	var states []string
	for tok, err := range c.AppleEnrollmentTokens.ListAll(context.Background(), validOrg, &ListEnrollmentTokensOptions{Limit: 1, ShowDeleted: true}) {
		require.NoError(t, err)
		states = append(states, tok.State)
	}
	assert.Equal(t, []string{"PENDING", "DONE"}, states)
}

func TestEnrollmentTokensObserved(t *testing.T) {
	t.Parallel()
	obs := &recordingObserver{}
	c, mt := newMockClient(t, WithObserver(obs))
	mt.RegisterNoResponder(httpmock.NewStringResponder(200, `{"status":true,"data":`+sampleToken+`}`))
	mt.RegisterResponder(http.MethodGet, appleTokensURL, httpmock.NewStringResponder(200, `{"status":true,"data":{"items":[]}}`))
	for _, create := range tokenCreates {
		_, err := create.call(context.Background(), c)
		require.NoError(t, err)
	}
	_, err := c.AppleEnrollmentTokens.List(context.Background(), validOrg, nil)
	require.NoError(t, err)
	const host = "api.example.test"
	assert.Equal(t, []CallInfo{
		{Operation: "android.enrollment_tokens.create", Method: "POST", Route: "/organizations/{organizationId}/mdm/android/enterprise/enrollment-tokens", Host: host},
		{Operation: "aosp.enrollment_tokens.create", Method: "POST", Route: "/organizations/{organizationId}/mdm/aosp/enterprise/enrollment-tokens", Host: host},
		{Operation: "apple.enrollment_tokens.create", Method: "POST", Route: "/organizations/{organizationId}/mdm/apple/enterprise/enrollment-tokens", Host: host},
		{Operation: "apple.enrollment_tokens.list", Method: "GET", Route: "/organizations/{organizationId}/mdm/apple/enterprise/enrollment-tokens", Host: host},
	}, obs.infos())
}

func TestOneTimeTokensIn(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		give string
		want []string
	}{
		{"plain", `{"oneTimeToken":"abc"}`, []string{"abc"}},
		{"spaced", `{"oneTimeToken" : "abc" }`, []string{"abc"}},
		{"escaped inside a string", `"{\"oneTimeToken\":\"abc\"}"`, []string{"abc"}},
		{"twice escaped", `"{\\\"oneTimeToken\\\":\\\"abc\\\"}"`, []string{"abc"}},
		{"several", `[{"oneTimeToken":"a1"},{"oneTimeToken":"b2"}]`, []string{"a1", "b2"}},
		{"cut inside the value: as far as it goes", `{"oneTimeToken":"abc`, []string{"abc"}},
		{"cut inside an escape", `{"oneTimeToken":"abc\u00`, []string{"abc"}},
		{"a \\u escape of a letter", `{"oneTimeToken":"\u0061bc"}`, []string{"abc"}},
		{"an escaped slash", `{"oneTimeToken":"a\/bc"}`, []string{"a/bc"}},
		{"a surrogate pair", `{"oneTimeToken":"a\ud83d\ude00"}`, []string{"a\U0001F600"}},
		{"an escaped name", `{"oneTime\u0054oken":"abc"}`, []string{"abc"}},
		{"named twice, the second empty", `{"oneTimeToken":"abc","oneTimeToken":""}`, []string{"abc"}},
		{"escaped with \\u inside a string", `"{\"oneTimeToken\":\"\\u0061bc\"}"`, []string{"abc"}},
		{"an escaped body without its quotes", `{\"oneTimeToken\":\"abc\"}`, []string{"abc"}},
		{"not a string", `{"oneTimeToken":7}`, nil},
		{"the name alone", `oneTimeToken`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, oneTimeTokensIn([]byte(tt.give)))
		})
	}
}

// fmtAll prints v with every verb that shows its fields.
func fmtAll(v any) string {
	return fmt.Sprintf("%v %+v %#v %s", v, v, v, v)
}

// The error of a token create whose 2xx envelope, with status false, echoes
// the one-time token in its message, and writes it in its data with escapes
// (a \u escape of a letter, an escaped slash), or in a body cut inside it,
// has the token redacted from its message as the value decodes.
func TestTokenCreateErrorMessageRedactsAOneTimeTokenWrittenWithEscapes(t *testing.T) {
	t.Parallel()
	const ott = "SECRETOTT7Q2K9X4M1"
	for _, tt := range []struct{ name, body, leak string }{
		{"a \\u escape", `{"status":false,"error":{"code":9,"message":"token \u0053` + ott[1:] + ` refused"},"data":{"config":{"oneTimeToken":"\u0053` + ott[1:] + `"}}}`, ott[1:]},
		{"an escaped slash", `{"status":false,"error":{"code":9,"message":"token SEC\/RETOTT7Q2K9X4M1 refused"},"data":{"config":{"oneTimeToken":"SEC\/RETOTT7Q2K9X4M1"}}}`, "/RETOTT7Q2K9X4M1"},
		{"JSON in the message", `{"status":false,"error":{"code":9,"message":"bad: {\"oneTimeToken\":\"\\u0053` + ott[1:] + `\"}"},"data":{"config":{"oneTimeToken":"` + ott + `"}}}`, ott[1:]},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockClient(t, WithMaxRetries(0))
			mt.RegisterResponder(http.MethodPost, androidTokensURL, httpmock.NewStringResponder(200, tt.body))
			_, err := c.AndroidEnrollmentTokens.Create(context.Background(), validOrg, &CreateAndroidEnrollmentTokenRequest{ManagementMode: ManagementModeDeviceOwner})
			apiErr := requireAPIError(t, err)
			assert.Contains(t, apiErr.Message, redacted)
			assert.NotContains(t, err.Error(), tt.leak)
			assert.NotContains(t, fmtAll(err), tt.leak)
		})
	}
}

// WithResponse's headers and request ID, and the observer's request ID, of a
// token create have the one-time tokens of the answer redacted, in every
// form: a header may carry one (an enrollment link in Location), and so may
// a request ID that a server makes of the request.
func TestTokenCreateResponseHeadersAndRequestIDAreRedactedOfTheOneTimeToken(t *testing.T) {
	t.Parallel()
	const ott = "SECRETOTT7Q2K9X4M1"
	for _, status := range []int{201, 400} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			t.Parallel()
			obs := &recordingObserver{}
			c, mt := newMockClient(t, WithMaxRetries(0), WithObserver(obs))
			mt.RegisterResponder(http.MethodPost, androidTokensURL, func(*http.Request) (*http.Response, error) {
				resp := httpmock.NewStringResponse(status, `{"status":true,"data":{"id":"t1","config":{"oneTimeToken":"\u0053`+ott[1:]+`"}}}`)
				resp.Header.Set("Location", "https://enterprise.google.com/android/enroll?et="+ott)
				resp.Header.Set("X-Request-Id", "req-"+url.QueryEscape(ott))
				resp.Header.Set("X-Other", "kept")
				return resp, nil
			})
			var resp Response
			_, err := c.AndroidEnrollmentTokens.Create(context.Background(), validOrg,
				&CreateAndroidEnrollmentTokenRequest{ManagementMode: ManagementModeDeviceOwner}, WithResponse(&resp))
			if status == 201 {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
				assert.NotContains(t, fmtAll(err), ott)
			}
			assert.NotContains(t, fmtAll(resp), ott)
			assert.Equal(t, "kept", resp.Header.Get("X-Other"))
			assert.Equal(t, "req-"+redacted, resp.RequestID)
			calls := obs.all()
			require.Len(t, calls, 1)
			assert.Equal(t, "req-"+redacted, calls[0].result.RequestID)
		})
	}
}
