package appliverytest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/applivery/applivery-go"
	"github.com/applivery/applivery-go/appliverytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The paths of the enrollment tokens of org, and IDs of policies.
const (
	androidTokens = "/organizations/" + org + "/mdm/android/enterprise/enrollment-tokens"
	aospTokens    = "/organizations/" + org + "/mdm/aosp/enterprise/enrollment-tokens"
	appleTokens   = "/organizations/" + org + "/mdm/apple/enterprise/enrollment-tokens"
	policyA       = "63d2e3f4a5b6c7d8e9f0a1b2"
	policyB       = "63d2e3f4a5b6c7d8e9f0a1b3"
)

// tokenServer is a server whose org holds Ana, a user.
func tokenServer(t *testing.T) *appliverytest.Server {
	t.Helper()
	srv, _ := newServer(t)
	srv.AddUser(org, applivery.User{ID: userAna, Email: "ana@acme.example"})
	return srv
}

// createToken creates a token and returns it as the server answered it.
func createToken(t *testing.T, srv *appliverytest.Server, path, body string) map[string]any {
	t.Helper()
	status, env := apiCall(t, srv, http.MethodPost, path, body)
	require.Equal(t, http.StatusOK, status, "%s %s: %d %s", path, body, env.Error.Code, env.Error.Message)
	return env.object(t)
}

// expiresIn returns how long from now the token's summary says it expires.
func expiresIn(t *testing.T, tok map[string]any) time.Duration {
	t.Helper()
	at, err := time.Parse(time.RFC3339, tok["summary"].(map[string]any)["expirationTimestamp"].(string))
	require.NoError(t, err)
	return time.Until(at)
}

func TestAndroidEnrollmentTokenCreate(t *testing.T) {
	t.Parallel()
	srv := tokenServer(t)
	tok := createToken(t, srv, androidTokens, `{"managementMode":"DEVICE_OWNER","sendEmail":false,"duration":3600,
		"displayName":"Warehouse","tags":["kiosk"],"policyId":"`+policyA+`","mdmUserId":"`+userAna+`",
		"emmPolicyAssignments":[{"emmPolicyId":"`+policyB+`","priority":10000}]}`)
	assert.Regexp(t, `^[0-9a-f]{24}$`, tok["id"])
	for name, want := range map[string]any{
		"organizationId": org, "type": "android", "subType": "enrollment", "status": "PENDING", "state": "PENDING",
		"managementMode": "DEVICE_OWNER", "displayName": "Warehouse", "tags": []any{"kiosk"}, "mdmUserId": userAna,
		"mdmUser":              map[string]any{"id": userAna, "email": "ana@acme.example"},
		"emmPolicyAssignments": []any{map[string]any{"emmPolicyId": policyB, "priority": float64(10000)}},
	} {
		assert.Equal(t, want, tok[name], name)
	}
	for _, name := range []string{"sendEmail", "duration"} {
		assert.NotContains(t, tok, name, "what only the request says is not a member of the token")
	}
	assert.Equal(t, "DEVICE_OWNER", tok["summary"].(map[string]any)["managementMode"])
	assert.InDelta(t, time.Hour.Seconds(), expiresIn(t, tok).Seconds(), 60)

	config := tok["config"].(map[string]any)
	code, _ := config["oneTimeToken"].(string)
	assert.Regexp(t, `^[A-Z0-9]{20}$`, code)
	assert.Equal(t, "https://enterprise.google.com/android/enroll?et="+code, config["enrollmentLink"])
	qr := config["qrCode"].(map[string]any)
	assert.Equal(t, "com.google.android.apps.work.clouddpc/.receivers.CloudDeviceAdminReceiver",
		qr["android.app.extra.PROVISIONING_DEVICE_ADMIN_COMPONENT_NAME"])
	assert.Equal(t, map[string]any{"com.google.android.apps.work.clouddpc.EXTRA_ENROLLMENT_TOKEN": code},
		qr["android.app.extra.PROVISIONING_ADMIN_EXTRAS_BUNDLE"])

	stored := srv.EnrollmentTokens(org)
	require.Len(t, stored, 1)
	assert.Equal(t, tok["id"], stored[0].ID)
	var raw map[string]any
	require.NoError(t, json.Unmarshal(stored[0].Raw, &raw))
	assert.Equal(t, tok, raw, "stored as served")
}

func TestEnrollmentTokenDefaultsAndOneTimeTokens(t *testing.T) {
	t.Parallel()
	srv := tokenServer(t)
	a := createToken(t, srv, androidTokens, `{"managementMode":"USERLESS","sendEmail":true}`)
	b := createToken(t, srv, androidTokens, `{"managementMode":"USERLESS","sendEmail":true}`)
	assert.InDelta(t, (24 * time.Hour).Seconds(), expiresIn(t, a).Seconds(), 60, "a day without a duration")
	assert.NotEqual(t, a["id"], b["id"])
	assert.NotEqual(t, a["config"].(map[string]any)["oneTimeToken"], b["config"].(map[string]any)["oneTimeToken"],
		"each token has its own one-time token")
	assert.NotContains(t, a, "mdmUser")

	c := createToken(t, srv, androidTokens, `{"managementMode":"COPE","sendEmail":true,"mdmUserId":"`+userBen+`"}`)
	assert.Equal(t, map[string]any{"id": userBen}, c["mdmUser"], "a user the server does not hold is taken, without an email")
}

func TestAOSPEnrollmentTokenCreate(t *testing.T) {
	t.Parallel()
	srv := tokenServer(t)
	tok := createToken(t, srv, aospTokens, `{"managementMode":"DEVICE_OWNER","duration":600,"sendEmail":true,"language":"en",
		"displayName":"Rugged tablets","dpcBuildTag":"stable","pushNotificationProvider":"fcm","segmentId":3,
		"aosPolicyAssignments":[{"aosPolicyId":"`+policyA+`","priority":-5}],"mdmUserId":"`+userAna+`"}`)
	for name, want := range map[string]any{
		"organizationId": org, "type": "aosp", "subType": "enrollment", "status": "PENDING", "state": "PENDING",
		"managementMode": "DEVICE_OWNER", "perpetual": false, "displayName": "Rugged tablets", "dpcBuildTag": "stable",
		"pushNotificationProvider": "fcm", "segmentId": float64(3), "mdmUserId": userAna,
		"mdmUser": map[string]any{"id": userAna, "email": "ana@acme.example"},
	} {
		assert.Equal(t, want, tok[name], name)
	}
	assert.InDelta(t, (10 * time.Minute).Seconds(), expiresIn(t, tok).Seconds(), 60)
	config := tok["config"].(map[string]any)
	code := config["oneTimeToken"].(string)
	assert.Regexp(t, `^[A-Z0-9]{20}$`, code)
	assert.Equal(t, strings.TrimSuffix(srv.URL, "/v1"), config["enrollmentHost"])
	qr, err := json.Marshal(config["qrCode"])
	require.NoError(t, err)
	assert.Contains(t, string(qr), code, "the QR payload carries the token")

	perpetual := createToken(t, srv, aospTokens, `{"managementMode":"MANAGEMENT_MODE_UNSPECIFIED","perpetual":true}`)
	assert.Equal(t, true, perpetual["perpetual"])
	assert.Nil(t, perpetual["summary"].(map[string]any)["expirationTimestamp"], "a perpetual token does not expire")
	now := createToken(t, srv, aospTokens, `{"managementMode":"DEVICE_OWNER","duration":0}`)
	assert.InDelta(t, 0, expiresIn(t, now).Seconds(), 60, "a duration of 0 is taken")
}

func TestAppleEnrollmentTokenCreate(t *testing.T) {
	t.Parallel()
	srv := tokenServer(t)
	tok := createToken(t, srv, appleTokens, `{"sendEmail":true,"displayName":"John Doe - iPhone 15 Pro","tags":["sales"],
		"duration":120,"policyId":"`+policyA+`","mdmUserId":"`+userAna+`","profiles":["`+policyB+`"],
		"admPolicyAssignments":[{"admPolicyId":"`+policyB+`","priority":10}],"applications":[{"admApplication":"`+policyA+`","managed":true}]}`)
	for name, want := range map[string]any{
		"organization": org, "type": "user", "subType": "standard", "state": "PENDING",
		"displayName": "John Doe - iPhone 15 Pro", "tags": []any{"sales"},
		"mdmUser":   map[string]any{"id": userAna, "email": "ana@acme.example"},
		"admPolicy": map[string]any{"id": policyA},
	} {
		assert.Equal(t, want, tok[name], name)
	}
	assert.NotContains(t, tok, "status")
	code := tok["config"].(map[string]any)["oneTimeToken"].(string)
	assert.Regexp(t, `^[A-Z0-9]{20}$`, code)
	link := "https://app.applivery.com/enroll/apple/" + code
	assert.Equal(t, link, tok["enrollmentLink"])
	assert.Equal(t, link, tok["config"].(map[string]any)["qrCode"], "the QR payload is the enrollment link")
	assert.Equal(t, code, tok["enrollCode"])
	assert.InDelta(t, 120, expiresIn(t, tok).Seconds(), 60)
	assert.Equal(t, tok["summary"].(map[string]any)["expirationTimestamp"], tok["expireAt"])

	plain := createToken(t, srv, appleTokens, `{"sendEmail":false}`)
	assert.Nil(t, plain["admPolicy"], "null without a policy, as in the reference's example")
	assert.InDelta(t, (24 * time.Hour).Seconds(), expiresIn(t, plain).Seconds(), 60)
}

func TestEnrollmentTokenCreateRefusals(t *testing.T) {
	t.Parallel()
	long := func(n int) string { return strings.Repeat("x", n) }
	tests := []struct {
		name, path, body string
	}{
		{"android: no body", androidTokens, ``},
		{"android: not an object", androidTokens, `[]`},
		{"android: no managementMode", androidTokens, `{"sendEmail":true}`},
		{"android: no sendEmail", androidTokens, `{"managementMode":"DEVICE_OWNER"}`},
		{"android: a managementMode out of the enumeration", androidTokens, `{"managementMode":"KIOSK","sendEmail":true}`},
		{"android: AOSP's unspecified mode", androidTokens, `{"managementMode":"MANAGEMENT_MODE_UNSPECIFIED","sendEmail":true}`},
		{"android: sendEmail that is no boolean", androidTokens, `{"managementMode":"COPE","sendEmail":"yes"}`},
		{"android: a duration under a minute", androidTokens, `{"managementMode":"COPE","sendEmail":true,"duration":59}`},
		{"android: a duration over 30 days", androidTokens, `{"managementMode":"COPE","sendEmail":true,"duration":2592001}`},
		{"android: a duration that is not whole", androidTokens, `{"managementMode":"COPE","sendEmail":true,"duration":60.5}`},
		{"android: a displayName over 128", androidTokens, `{"managementMode":"COPE","sendEmail":true,"displayName":"` + long(129) + `"}`},
		{"android: a tag over 128", androidTokens, `{"managementMode":"COPE","sendEmail":true,"tags":["` + long(129) + `"]}`},
		{"android: a policyId that is no ID", androidTokens, `{"managementMode":"COPE","sendEmail":true,"policyId":"kiosk"}`},
		{"android: a priority over 10000", androidTokens,
			`{"managementMode":"COPE","sendEmail":true,"emmPolicyAssignments":[{"emmPolicyId":"` + policyA + `","priority":10001}]}`},
		{"android: a negative priority", androidTokens,
			`{"managementMode":"COPE","sendEmail":true,"emmPolicyAssignments":[{"emmPolicyId":"` + policyA + `","priority":-1}]}`},
		{"android: an assignment without a policy", androidTokens,
			`{"managementMode":"COPE","sendEmail":true,"emmPolicyAssignments":[{"priority":1}]}`},
		{"android: an mdmUserId that is no ID", androidTokens, `{"managementMode":"COPE","sendEmail":true,"mdmUserId":"ana"}`},
		{"aosp: no managementMode", aospTokens, `{"duration":60}`},
		{"aosp: Android Enterprise's work profile", aospTokens, `{"managementMode":"PROFILE_OWNER","duration":60}`},
		{"aosp: no duration, not perpetual", aospTokens, `{"managementMode":"DEVICE_OWNER"}`},
		{"aosp: no duration, perpetual false", aospTokens, `{"managementMode":"DEVICE_OWNER","perpetual":false}`},
		{"aosp: a negative duration", aospTokens, `{"managementMode":"DEVICE_OWNER","duration":-1}`},
		{"aosp: a displayName over 256", aospTokens, `{"managementMode":"DEVICE_OWNER","duration":60,"displayName":"` + long(257) + `"}`},
		{"aosp: a dpcBuildTag over 256", aospTokens, `{"managementMode":"DEVICE_OWNER","duration":60,"dpcBuildTag":"` + long(257) + `"}`},
		{"aosp: a language out of the enumeration", aospTokens, `{"managementMode":"DEVICE_OWNER","duration":60,"language":"ca"}`},
		{"aosp: a policy that is no ID", aospTokens,
			`{"managementMode":"DEVICE_OWNER","duration":60,"aosPolicyAssignments":[{"aosPolicyId":"string","priority":0}]}`},
		{"aosp: an assignment without a priority", aospTokens,
			`{"managementMode":"DEVICE_OWNER","duration":60,"aosPolicyAssignments":[{"aosPolicyId":"` + policyA + `"}]}`},
		{"aosp: a segmentId that is negative", aospTokens, `{"managementMode":"DEVICE_OWNER","duration":60,"segmentId":-1}`},
		{"apple: no sendEmail", appleTokens, `{"displayName":"iPhone"}`},
		{"apple: a null sendEmail", appleTokens, `{"sendEmail":null}`},
		{"apple: a duration under a minute", appleTokens, `{"sendEmail":true,"duration":30}`},
		{"apple: a displayName over 128", appleTokens, `{"sendEmail":true,"displayName":"` + long(129) + `"}`},
		{"apple: an empty tag", appleTokens, `{"sendEmail":true,"tags":[""]}`},
		{"apple: a profile that is no ID", appleTokens, `{"sendEmail":true,"profiles":["wifi"]}`},
		{"apple: an application without its ID", appleTokens, `{"sendEmail":true,"applications":[{"managed":true}]}`},
		{"apple: an assignment without a priority", appleTokens, `{"sendEmail":true,"admPolicyAssignments":[{"admPolicyId":"` + policyA + `"}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := tokenServer(t)
			status, env := apiCall(t, srv, http.MethodPost, tt.path, tt.body)
			assert.Equal(t, http.StatusBadRequest, status)
			assert.Equal(t, 5209, env.Error.Code)
			assert.Empty(t, srv.EnrollmentTokens(org), "nothing is stored")
		})
	}
}

func TestEnrollmentTokenCreateInAnUnknownOrganization(t *testing.T) {
	t.Parallel()
	srv := tokenServer(t)
	for path, body := range map[string]string{
		androidTokens: `{"managementMode":"COPE","sendEmail":true}`,
		aospTokens:    `{"managementMode":"DEVICE_OWNER","duration":60}`,
		appleTokens:   `{"sendEmail":true}`,
	} {
		status, env := apiCall(t, srv, http.MethodPost, strings.Replace(path, org, "acme-flet", 1), body)
		assert.Equal(t, http.StatusNotFound, status, path)
		assert.Equal(t, 3001, env.Error.Code, path)
	}
	assert.Empty(t, srv.EnrollmentTokens("acme-flet"))
}

func TestSetEnrollmentTokenLimit(t *testing.T) {
	t.Parallel()
	srv := tokenServer(t)
	srv.AddOrganization(otherOrgID)
	srv.SetEnrollmentTokenLimit(org, 2)
	createToken(t, srv, androidTokens, `{"managementMode":"COPE","sendEmail":true}`)
	createToken(t, srv, appleTokens, `{"sendEmail":true}`)
	for path, body := range map[string]string{
		androidTokens: `{"managementMode":"COPE","sendEmail":true}`,
		aospTokens:    `{"managementMode":"DEVICE_OWNER","duration":60}`,
		appleTokens:   `{"sendEmail":true}`,
	} {
		status, env := apiCall(t, srv, http.MethodPost, path, body)
		assert.Equal(t, http.StatusBadRequest, status, "every platform counts towards the limit: %s", path)
		assert.Equal(t, 5017, env.Error.Code)
		assert.Equal(t, "Limit Exceeded", env.Error.Message)
	}
	assert.Len(t, srv.EnrollmentTokens(org), 2, "nothing is stored beyond the limit")
	status, env := apiCall(t, srv, http.MethodPost, androidTokens, `{"managementMode":"COPE"}`)
	assert.Equal(t, 5209, env.Error.Code, "the body is checked first: %d", status)

	createToken(t, srv, strings.Replace(androidTokens, org, otherOrgID, 1), `{"managementMode":"COPE","sendEmail":true}`)
	srv.SetEnrollmentTokenLimit(org, 3)
	createToken(t, srv, aospTokens, `{"managementMode":"DEVICE_OWNER","duration":60}`)
	srv.SetEnrollmentTokenLimit(org, 0)
	createToken(t, srv, aospTokens, `{"managementMode":"DEVICE_OWNER","duration":60}`)
	assert.Len(t, srv.EnrollmentTokens(org), 4)
	assert.Panics(t, func() { srv.SetEnrollmentTokenLimit("a/b", 1) })
}

func TestAppleEnrollmentTokenList(t *testing.T) {
	t.Parallel()
	srv := tokenServer(t)
	first := createToken(t, srv, appleTokens, `{"sendEmail":true,"mdmUserId":"`+userAna+`","policyId":"`+policyA+`"}`)
	second := createToken(t, srv, appleTokens, `{"sendEmail":true,"admPolicyAssignments":[{"admPolicyId":"`+policyB+`","priority":1}]}`)
	third := createToken(t, srv, appleTokens, `{"sendEmail":true,"mdmUserId":"`+userBen+`"}`)
	createToken(t, srv, androidTokens, `{"managementMode":"COPE","sendEmail":true,"mdmUserId":"`+userAna+`"}`)
	tests := []struct {
		name  string
		query url.Values
		want  []map[string]any
	}{
		{"Apple's only, in the order created", nil, []map[string]any{first, second, third}},
		{"sorted descending", url.Values{"sort": {"createdAt:desc"}}, []map[string]any{third, second, first}},
		{"a page", url.Values{"limit": {"2"}, "page": {"2"}}, []map[string]any{third}},
		{"by user", url.Values{"mdm-user": {userAna}}, []map[string]any{first}},
		{"by policy", url.Values{"adm-policy": {policyA}}, []map[string]any{first}},
		{"by assigned policy", url.Values{"adm-policy": {policyB}}, []map[string]any{second}},
		{"show-deleted widens nothing", url.Values{"show-deleted": {"true"}}, []map[string]any{first, second, third}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			status, env := apiCall(t, srv, http.MethodGet, appleTokens+"?"+tt.query.Encode(), "")
			require.Equal(t, http.StatusOK, status)
			items, paging := env.page(t)
			assert.Equal(t, tt.want, items)
			if tt.query.Get("limit") == "" {
				assert.Equal(t, float64(len(tt.want)), paging["totalDocs"])
			}
		})
	}
}

func TestAppleEnrollmentTokenListRefusals(t *testing.T) {
	t.Parallel()
	srv := tokenServer(t)
	tests := []struct {
		name, path   string
		status, code int
	}{
		{"an mdm-user that is no ID", appleTokens + "?mdm-user=ana", 400, 5209},
		{"an adm-policy that is no ID", appleTokens + "?adm-policy=kiosk", 400, 5209},
		{"a show-deleted that is no boolean", appleTokens + "?show-deleted=yes", 400, 5209},
		{"a bad sort", appleTokens + "?sort=-createdAt", 400, 5209},
		{"an unknown organization", strings.Replace(appleTokens, org, "acme-flet", 1), 404, 3001},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			status, env := apiCall(t, srv, http.MethodGet, tt.path, "")
			assert.Equal(t, tt.status, status)
			assert.Equal(t, tt.code, env.Error.Code)
		})
	}
	status, env := apiCall(t, srv, http.MethodGet, appleTokens, "")
	require.Equal(t, http.StatusOK, status)
	items, _ := env.page(t)
	assert.Empty(t, items, "an organization without tokens answers an empty page")
}

// TestOnboardingEndpointsTakeScriptedFaults: Script reaches every endpoint
// of the users and enrollment tokens, and a fault is its endpoint's only.
func TestOnboardingEndpointsTakeScriptedFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		endpoint     appliverytest.Endpoint
		method, path string
		body         string
	}{
		{appliverytest.EndpointUserList, http.MethodGet, usersPath(org), ``},
		{appliverytest.EndpointUserCreate, http.MethodPost, usersPath(org), `{"email":"ben@acme.example"}`},
		{appliverytest.EndpointAndroidEnrollmentTokenCreate, http.MethodPost, androidTokens, `{"managementMode":"COPE","sendEmail":true}`},
		{appliverytest.EndpointAOSPEnrollmentTokenCreate, http.MethodPost, aospTokens, `{"managementMode":"DEVICE_OWNER","perpetual":true}`},
		{appliverytest.EndpointAppleEnrollmentTokenList, http.MethodGet, appleTokens, ``},
		{appliverytest.EndpointAppleEnrollmentTokenCreate, http.MethodPost, appleTokens, `{"sendEmail":true}`},
	}
	for _, tt := range tests {
		t.Run(string(tt.endpoint), func(t *testing.T) {
			t.Parallel()
			srv := tokenServer(t)
			srv.Script(tt.endpoint, appliverytest.Fault{Status: 503}, appliverytest.Fault{Code: applivery.CodeLimitExceeded, Message: "Limit Exceeded"})
			status, _ := apiCall(t, srv, tt.method, tt.path, tt.body)
			assert.Equal(t, http.StatusServiceUnavailable, status)
			status, env := apiCall(t, srv, tt.method, tt.path, tt.body)
			assert.Equal(t, http.StatusBadRequest, status, "a documented code gets its documented status")
			assert.Equal(t, 5017, env.Error.Code)
			status, _ = apiCall(t, srv, tt.method, tt.path, tt.body)
			assert.Equal(t, http.StatusOK, status, "then the endpoint answers")
			requests := srv.Requests()
			assert.Equal(t, tt.endpoint, requests[len(requests)-1].Endpoint)
			assert.True(t, slices.ContainsFunc(requests, func(r appliverytest.Request) bool { return r.Endpoint == tt.endpoint }))
		})
	}
}

func TestEnrollmentTokensThroughTheClient(t *testing.T) {
	t.Parallel()
	srv := tokenServer(t)
	c := srv.TestClient(t, applivery.WithMaxRetries(0))
	ctx := context.Background()
	android, err := c.AndroidEnrollmentTokens.Create(ctx, org, &applivery.CreateAndroidEnrollmentTokenRequest{
		ManagementMode: applivery.ManagementModeDeviceOwner, Duration: time.Hour, DisplayName: "Warehouse", Tags: []string{"kiosk"},
		PolicyAssignments: []applivery.PolicyAssignment{{PolicyID: policyA, Priority: 5}},
	})
	require.NoError(t, err)
	assert.Regexp(t, `^[A-Z0-9]{20}$`, android.OneTimeToken)
	assert.Contains(t, string(android.QRCode), android.OneTimeToken, "the QR payload carries the token")
	assert.Equal(t, applivery.ManagementModeDeviceOwner, android.ManagementMode)
	assert.Equal(t, "PENDING", android.State)
	assert.Equal(t, "Warehouse", android.DisplayName)
	assert.Equal(t, []string{"kiosk"}, android.Tags)
	assert.WithinDuration(t, time.Now().Add(time.Hour), android.ExpiresAt, time.Minute)

	aosp, err := c.AOSPEnrollmentTokens.Create(ctx, org, &applivery.CreateAOSPEnrollmentTokenRequest{
		ManagementMode: applivery.ManagementModeDeviceOwner, Perpetual: true, MDMUserID: userAna, Language: "en",
	})
	require.NoError(t, err)
	assert.Equal(t, "aosp", aosp.Type)
	assert.Contains(t, string(aosp.QRCode), aosp.OneTimeToken)
	assert.True(t, aosp.ExpiresAt.IsZero(), "a perpetual token does not expire")

	apple, err := c.AppleEnrollmentTokens.Create(ctx, org, &applivery.CreateAppleEnrollmentTokenRequest{
		SendEmail: true, MDMUserID: userAna, DisplayName: "Ana's iPhone",
		PolicyAssignments: []applivery.PolicyAssignment{{PolicyID: policyB, Priority: 1}},
	})
	require.NoError(t, err)
	assert.Equal(t, "https://app.applivery.com/enroll/apple/"+apple.OneTimeToken, apple.EnrollmentLink)
	var qr string
	require.NoError(t, json.Unmarshal(apple.QRCode, &qr))
	assert.Equal(t, apple.EnrollmentLink, qr)
	assert.WithinDuration(t, time.Now().Add(24*time.Hour), apple.ExpiresAt, time.Minute)

	page, err := c.AppleEnrollmentTokens.List(ctx, org, &applivery.ListEnrollmentTokensOptions{ShowDeleted: true})
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	assert.Equal(t, apple.ID, page.Items[0].ID)
	assert.Equal(t, apple.OneTimeToken, page.Items[0].OneTimeToken)

	var ids []string
	for _, tok := range srv.EnrollmentTokens(org) {
		ids = append(ids, tok.ID)
	}
	assert.Equal(t, []string{android.ID, aosp.ID, apple.ID}, ids, "the server holds every platform's, in the order created")
}

func TestEnrollmentTokenLimitThroughTheClient(t *testing.T) {
	t.Parallel()
	srv := tokenServer(t)
	c := srv.TestClient(t)
	ctx := context.Background()
	srv.SetEnrollmentTokenLimit(org, 1)
	req := &applivery.CreateAndroidEnrollmentTokenRequest{ManagementMode: applivery.ManagementModeCOPE}
	_, err := c.AndroidEnrollmentTokens.Create(ctx, org, req)
	require.NoError(t, err, "not before the limit")
	_, err = c.AndroidEnrollmentTokens.Create(ctx, org, req)
	assert.ErrorIs(t, err, applivery.ErrLimitExceeded)
	assert.NotErrorIs(t, err, applivery.ErrOutcomeUnknown, "a 400 says nothing was created")
	_, err = c.AppleEnrollmentTokens.Create(ctx, org, &applivery.CreateAppleEnrollmentTokenRequest{})
	assert.ErrorIs(t, err, applivery.ErrLimitExceeded, "the limit counts every platform's tokens")
	assert.Len(t, srv.EnrollmentTokens(org), 1)
}
