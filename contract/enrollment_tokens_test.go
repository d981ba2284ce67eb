//go:build contract

package contract_test

import (
	"cmp"
	"context"
	"encoding/json"
	"iter"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/applivery/applivery-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tokenPolicy is a policy's id, as the token creates assign them.
const tokenPolicy = "63d2e3f4a5b6c7d8e9f0a1b3"

// The minimal requests of each platform's token create: what the SDK
// requires, and nothing else.
var (
	minimalAndroidToken = &applivery.CreateAndroidEnrollmentTokenRequest{ManagementMode: applivery.ManagementModeDeviceOwner}
	minimalAOSPToken    = &applivery.CreateAOSPEnrollmentTokenRequest{ManagementMode: applivery.ManagementModeDeviceOwner, Duration: time.Hour}
	minimalAppleToken   = &applivery.CreateAppleEnrollmentTokenRequest{}
)

// The token creates, each with its minimal request, and the Apple list.
var (
	androidTokenCreate = func(ctx context.Context, c *applivery.Client) (*applivery.EnrollmentToken, error) {
		return c.AndroidEnrollmentTokens.Create(ctx, org, minimalAndroidToken)
	}
	aospTokenCreate = func(ctx context.Context, c *applivery.Client) (*applivery.EnrollmentToken, error) {
		return c.AOSPEnrollmentTokens.Create(ctx, org, minimalAOSPToken)
	}
	appleTokenCreate = func(ctx context.Context, c *applivery.Client) (*applivery.EnrollmentToken, error) {
		return c.AppleEnrollmentTokens.Create(ctx, org, minimalAppleToken)
	}
	appleTokenList = func(ctx context.Context, c *applivery.Client) (*applivery.EnrollmentTokenPage, error) {
		return c.AppleEnrollmentTokens.List(ctx, org, &applivery.ListEnrollmentTokensOptions{Page: 2, Limit: 10, ShowDeleted: true})
	}
)

func init() {
	calls["AndroidTokenCreate"] = resultless(androidTokenCreate)
	calls["AOSPTokenCreate"] = resultless(aospTokenCreate)
	calls["AppleTokenCreate"] = resultless(appleTokenCreate)
	calls["AppleTokenList"] = resultless(appleTokenList)
}

// assigned is two policy assignments, the SDK's names for the platforms'.
var assigned = []applivery.PolicyAssignment{{PolicyID: tokenPolicy, Priority: 0}, {PolicyID: admPolicy, Priority: 10}}

func TestEnrollmentTokenRequestsConform(t *testing.T) {
	t.Parallel()
	c, chk := newClient(t, staticPrism, "", nil)
	ctx := context.Background()
	long := strings.Repeat("n", 128)
	wide := strings.Repeat("\U0001F4F1", 128) // the bounds count characters, not bytes or UTF-16 units

	for name, req := range map[string]*applivery.CreateAndroidEnrollmentTokenRequest{
		"minimal": minimalAndroidToken,
		"every field": {ManagementMode: applivery.ManagementModeProfileOwner, SendEmail: true, PolicyID: tokenPolicy,
			PolicyAssignments: []applivery.PolicyAssignment{{PolicyID: tokenPolicy, Priority: 10000}, {PolicyID: policy}},
			DisplayName:       long, Tags: []string{"warehouse", "scanners"}, Duration: 30 * 24 * time.Hour, MDMUserID: mdmUser},
		"COPE, a minute":    {ManagementMode: applivery.ManagementModeCOPE, Duration: time.Minute},
		"USERLESS, a tag":   {ManagementMode: applivery.ManagementModeUserless, Tags: []string{"kiosk"}},
		"for one MDM user":  {ManagementMode: applivery.ManagementModeDeviceOwner, MDMUserID: mdmUser, SendEmail: true},
		"a display name":    {ManagementMode: applivery.ManagementModeDeviceOwner, DisplayName: "Warehouse scanners"},
		"a primary policy":  {ManagementMode: applivery.ManagementModeDeviceOwner, PolicyID: policy},
		"assignments alone": {ManagementMode: applivery.ManagementModeDeviceOwner, PolicyAssignments: assigned},
	} {
		_, err := c.AndroidEnrollmentTokens.Create(ctx, slug, req)
		assert.NoError(t, err, "Android Create %s", name)
	}

	for name, req := range map[string]*applivery.CreateAOSPEnrollmentTokenRequest{
		"minimal":         minimalAOSPToken,
		"perpetual":       {ManagementMode: applivery.ManagementModeDeviceOwner, Perpetual: true},
		"wide characters": {ManagementMode: applivery.ManagementModeDeviceOwner, Perpetual: true, DisplayName: wide + wide},
		"unspecified mode": {ManagementMode: applivery.ManagementMode("MANAGEMENT_MODE_UNSPECIFIED"),
			Duration: 24 * time.Hour},
		"every field": {ManagementMode: applivery.ManagementModeDeviceOwner, Duration: 7 * 24 * time.Hour, SendEmail: true,
			Language: "de", DisplayName: strings.Repeat("n", 256), Tags: []string{"aosp", "kiosk"}, MDMUserID: mdmUser,
			PolicyAssignments: []applivery.PolicyAssignment{{PolicyID: tokenPolicy, Priority: -(1<<53 - 1)}, {PolicyID: policy, Priority: 1<<53 - 1}}},
	} {
		_, err := c.AOSPEnrollmentTokens.Create(ctx, org, req)
		assert.NoError(t, err, "AOSP Create %s", name)
	}

	for _, opts := range []*applivery.ListEnrollmentTokensOptions{
		nil, {Page: 1}, {Limit: 100}, {Sort: "createdAt:desc"}, {ShowDeleted: true},
		{Page: 3, Limit: 25, Sort: "updatedAt", ShowDeleted: true},
	} {
		_, err := c.AppleEnrollmentTokens.List(ctx, slug, opts)
		assert.NoError(t, err, "Apple List %+v", opts)
	}
	for name, req := range map[string]*applivery.CreateAppleEnrollmentTokenRequest{
		"minimal":         minimalAppleToken,
		"an e-mail":       {SendEmail: true, Language: "fr"},
		"for one user":    {MDMUserID: mdmUser, SendEmail: true},
		"wide characters": {DisplayName: wide, Tags: []string{wide}},
		"with policies":   {PolicyAssignments: assigned},
		"every field": {DisplayName: long, Tags: []string{long, "ipad"}, MDMUserID: mdmUser, SendEmail: true, Language: "ru",
			PolicyAssignments: []applivery.PolicyAssignment{{PolicyID: admPolicy, Priority: -3}, {PolicyID: tokenPolicy, Priority: 1 << 40}}},
	} {
		_, err := c.AppleEnrollmentTokens.Create(ctx, org, req)
		assert.NoError(t, err, "Apple Create %s", name)
	}
	chk.requireConforms(t)
}

func TestEnrollmentTokenDocumentedExamplesDecode(t *testing.T) {
	t.Parallel()
	c, chk := newClient(t, staticPrism, "", nil)
	ctx := context.Background()

	// The AOSP create's: the documented timestamps are "string", and stay
	// zero; its qrCode is an empty object, kept byte for byte.
	tok, err := c.AOSPEnrollmentTokens.Create(ctx, org, minimalAOSPToken)
	require.NoError(t, err)
	assert.Equal(t, applivery.EnrollmentToken{
		ID:             "string",
		Type:           "aosp",
		SubType:        "enrollment",
		State:          "PENDING",
		ManagementMode: applivery.ManagementModeDeviceOwner,
		DisplayName:    "string",
		Tags:           []string{"string"},
		OneTimeToken:   "string",
		QRCode:         json.RawMessage(`{}`),
		Raw:            rawMember(t, chk.lastBody(), "data"),
	}, *tok)

	// The Apple list's, cut inside its first token by the reference's
	// copy: no paging members, an empty config (no one-time token), and
	// timestamps with a space in them, which do not parse.
	page, err := c.AppleEnrollmentTokens.List(ctx, org, nil)
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	var items []json.RawMessage
	require.NoError(t, json.Unmarshal(rawMember(t, chk.lastBody(), "data", "items"), &items))
	assert.Equal(t, applivery.EnrollmentToken{
		ID:             "698f3bde457fafa13d088791",
		Type:           "user",
		SubType:        "standard",
		State:          "PENDING",
		DisplayName:    "John Doe - iPhone 15 Pro",
		Tags:           []string{"sales", "executive", "iphone"},
		EnrollmentLink: "https://app.applivery.com/enroll/apple/ABC123DEF456",
		Raw:            items[0],
	}, page.Items[0])
	assert.Equal(t, applivery.EnrollmentTokenPage{Items: page.Items}, *page, "no paging member is documented: all zero")

	// ListAll reads that one page, which does not say there is another.
	var ids []string
	for tok, err := range c.AppleEnrollmentTokens.ListAll(ctx, org, nil) {
		require.NoError(t, err)
		ids = append(ids, tok.ID)
	}
	assert.Equal(t, []string{"698f3bde457fafa13d088791"}, ids)
	chk.requireConforms(t)
}

// TestEnrollmentTokenSchemaBuiltResponsesDecode covers the Android and
// Apple creates, whose answers the reference does not show (x-inferred in
// the spec: the Android data any object, the Apple one the list's token):
// static Prism builds them from the schema.
func TestEnrollmentTokenSchemaBuiltResponsesDecode(t *testing.T) {
	t.Parallel()
	c, chk := newClient(t, staticPrism, "", nil)
	ctx := context.Background()
	tok, err := c.AndroidEnrollmentTokens.Create(ctx, org, minimalAndroidToken)
	require.NoError(t, err)
	assert.Equal(t, expectedToken(t, rawMember(t, chk.lastBody(), "data")), *tok)
	tok, err = c.AppleEnrollmentTokens.Create(ctx, org, minimalAppleToken)
	require.NoError(t, err)
	assert.Equal(t, expectedToken(t, rawMember(t, chk.lastBody(), "data")), *tok)
	assert.NotEmpty(t, tok.ID)
	chk.requireConforms(t)
}

func TestRandomEnrollmentTokenBodiesDecodeToWhatTheySay(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for name, create := range map[string]func(context.Context, *applivery.Client) (*applivery.EnrollmentToken, error){
		"AndroidCreate": androidTokenCreate, "AOSPCreate": aospTokenCreate, "AppleCreate": appleTokenCreate,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, chk := newClient(t, dynamicPrism, "", nil)
			requireRandomBodiesSayWhatTheyDecodeTo(t, chk, func() (*applivery.EnrollmentToken, error) { return create(ctx, c) }, expectedToken)
		})
	}
	t.Run("AppleList", func(t *testing.T) {
		t.Parallel()
		c, chk := newClient(t, dynamicPrism, "", nil)
		requireRandomBodiesSayWhatTheyDecodeTo(t, chk, func() (*applivery.EnrollmentTokenPage, error) { return appleTokenList(ctx, c) },
			func(t *testing.T, raw json.RawMessage) applivery.EnrollmentTokenPage {
				return expectedPageOf[applivery.EnrollmentTokenPage](t, raw, expectedToken)
			})
	})
}

func TestEnrollmentTokenDocumentedErrorsMap(t *testing.T) {
	t.Parallel()
	// The AOSP create documents its 400, 401 and 404; the Android and Apple
	// pages show no error: theirs are the spec's shared (x-inferred)
	// answers, whose 400 is the billing plan's.
	checkDocumentedErrors(t, calls, slices.Concat([]documentedError{
		{"AOSPTokenCreate", "code=400", 400, 5017, "Limit Exceeded", applivery.ErrLimitExceeded},
		refusedForThePlan("AndroidTokenCreate"),
		refusedForThePlan("AppleTokenCreate"),
	}, answersOf401And404("AOSPTokenCreate"), answersOf401And404("AndroidTokenCreate"),
		answersOf401And404("AppleTokenCreate"), answersOf401And404("AppleTokenList")))
}

// expectedToken reads an enrollment token member by member, independently
// of the SDK's decoder, as EnrollmentToken documents it: strings as sent,
// each field from the first of its members that is usable (a non-empty
// string, an RFC 3339 time), tags only when an array of strings, the
// config's qrCode byte for byte, and the whole object in Raw.
func expectedToken(t *testing.T, raw json.RawMessage) applivery.EnrollmentToken {
	t.Helper()
	m := members(t, raw)
	config, summary := objectMembers(t, m["config"]), objectMembers(t, m["summary"])
	tok := applivery.EnrollmentToken{
		State:          cmp.Or(str(m["state"]), str(m["status"])),
		ManagementMode: applivery.ManagementMode(cmp.Or(str(m["managementMode"]), str(summary["managementMode"]))),
		Tags:           stringsOf(m["tags"]),
		OneTimeToken:   str(config["oneTimeToken"]),
		EnrollmentLink: cmp.Or(str(m["enrollmentLink"]), str(config["enrollmentLink"])),
		QRCode:         config["qrCode"],
		Raw:            raw,
	}
	for name, field := range map[string]*string{"id": &tok.ID, "type": &tok.Type, "subType": &tok.SubType, "displayName": &tok.DisplayName} {
		*field = str(m[name])
	}
	for _, member := range []json.RawMessage{summary["expirationTimestamp"], m["expirationTimestamp"], m["expireAt"]} {
		if ts, err := time.Parse(time.RFC3339Nano, str(member)); err == nil && tok.ExpiresAt.IsZero() {
			tok.ExpiresAt = ts
		}
	}
	if ts, err := time.Parse(time.RFC3339Nano, str(m["createdAt"])); err == nil {
		tok.CreatedAt = ts
	}
	return tok
}

// objectMembers returns the members of raw when it is an object, and none
// otherwise (a member of the wrong type is read as absent).
func objectMembers(t *testing.T, raw json.RawMessage) map[string]json.RawMessage {
	t.Helper()
	if len(raw) == 0 || raw[0] != '{' {
		return nil
	}
	return members(t, raw)
}

func TestRandomAppleEnrollmentTokenPagesEndListAll(t *testing.T) {
	t.Parallel()
	c, chk := newClient(t, dynamicPrism, "", nil)
	requireListAllEnds(t, func() iter.Seq2[*applivery.EnrollmentToken, error] {
		return c.AppleEnrollmentTokens.ListAll(context.Background(), org, &applivery.ListEnrollmentTokensOptions{Limit: 3, ShowDeleted: true})
	})
	chk.requireConforms(t)
}
