package appliverytest

import (
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/applivery/applivery-go"
)

// The enrollment token endpoints: the creates of each platform, under
// /organizations/{organizationId}/mdm, and the list of the Apple tokens.
//
// A create checks its body as the reference documents it (a mismatch
// answers 400 with code 5209): the Android Enterprise token requires
// managementMode (DEVICE_OWNER, PROFILE_OWNER, COPE or USERLESS) and
// sendEmail (a boolean), and takes a duration of 60 seconds to 30 days, a
// displayName of at most 128 characters, tags, a policyId of 24 hex digits
// and emmPolicyAssignments (each an emmPolicyId of 24 hex digits and a
// priority from 0 to 10000); the AOSP (non-GMS) token requires
// managementMode (DEVICE_OWNER or MANAGEMENT_MODE_UNSPECIFIED) and a
// duration of 0 seconds or more unless perpetual is true, and takes a
// displayName and a dpcBuildTag of at most 256 characters and
// aosPolicyAssignments (an aosPolicyId of 24 hex digits and an integer
// priority); the Apple token requires sendEmail and takes a duration of 60
// seconds to 30 days, a displayName and tags of at most 128 characters, a
// policyId, admPolicyAssignments, profiles and applications of 24-hex-digit
// IDs. Every platform takes an mdmUserId of 24 hex digits, a language (es,
// en, fr, de, it, zh, pt or ru), an emailText and a segmentId (an integer
// of 0 or more). Every string must be non-empty, as the API's validation
// has them; members the reference does not document pass unchecked and are
// not stored. An mdmUserId need not name a user the server holds
// (the reference does not say the API refuses one that does not): when it
// does, the token's mdmUser carries the user's email too.
//
// A create answers 404 (code 3001) for an organization the server does not
// hold, and 400 with code 5017, "Limit Exceeded", when the organization
// holds as many tokens as [Server.SetEnrollmentTokenLimit] allows. It
// stores the token and answers it in the shape of the reference's examples
// for its platform: a generated id, "PENDING", the members sent, a
// generated one-time token of 20 upper-case letters and digits in
// config.oneTimeToken, a QR payload in config.qrCode, and an expiration
// the duration from now (a day without one; none for a perpetual AOSP
// token) in summary.expirationTimestamp. The QR payload of an Android
// Enterprise token is the JSON object of Android's provisioning extras that
// installs Android Device Policy with the token in its admin extras bundle,
// and its config.enrollmentLink Google's enrollment URL with the token; that
// of an AOSP token is an object of the fake's own making with the token and
// config.enrollmentHost (the fake's URL) in its admin extras bundle; that of
// an Apple token is its enrollmentLink, "https://app.applivery.com/enroll/apple/"
// and the token, which is its enrollCode too.
//
// EndpointAppleEnrollmentTokenList serves the Apple tokens created, in the
// order they were created, paged and sorted like the other lists, filtered
// by mdm-user (the token's user) and adm-policy (its policyId or one of its
// admPolicyAssignments), both of 24 hex digits. show-deleted is checked (a
// boolean) but widens nothing: the fake deletes no token.
const (
	EndpointAndroidEnrollmentTokenCreate Endpoint = "android-enrollment-token-create" // POST …/mdm/android/enterprise/enrollment-tokens
	EndpointAOSPEnrollmentTokenCreate    Endpoint = "aosp-enrollment-token-create"    // POST …/mdm/aosp/enterprise/enrollment-tokens
	EndpointAppleEnrollmentTokenList     Endpoint = "apple-enrollment-token-list"     // GET …/mdm/apple/enterprise/enrollment-tokens
	EndpointAppleEnrollmentTokenCreate   Endpoint = "apple-enrollment-token-create"   // POST …/mdm/apple/enterprise/enrollment-tokens
)

// The routes of the enrollment token endpoints, under basePath.
const (
	androidTokensPath = "/organizations/{organizationId}/mdm/android/enterprise/enrollment-tokens"
	aospTokensPath    = "/organizations/{organizationId}/mdm/aosp/enterprise/enrollment-tokens"
	appleTokensPath   = "/organizations/{organizationId}/mdm/apple/enterprise/enrollment-tokens"
)

// errLimitExceeded is a create's refusal of a token beyond the
// organization's limit, as the reference's non-GMS Android page documents
// it.
var errLimitExceeded = apiError{http.StatusBadRequest, applivery.CodeLimitExceeded, "Limit Exceeded"}

// tokenEndpoints are the rows of the enrollment token endpoints in the
// server's endpoint table.
func (s *tokenStore) tokenEndpoints() []endpoint {
	ids := wildcards{"organizationId": organizationIDRE}
	return []endpoint{
		{EndpointAndroidEnrollmentTokenCreate, http.MethodPost, androidTokensPath, ids, s.createToken(&androidTokens)},
		{EndpointAOSPEnrollmentTokenCreate, http.MethodPost, aospTokensPath, ids, s.createToken(&aospTokens)},
		{EndpointAppleEnrollmentTokenList, http.MethodGet, appleTokensPath, ids, s.listAppleTokens},
		{EndpointAppleEnrollmentTokenCreate, http.MethodPost, appleTokensPath, ids, s.createToken(&appleTokens)},
	}
}

// tokenStore holds the enrollment tokens of the organizations, of every
// platform, under the organizations' lock.
type tokenStore struct {
	tokenMu    *sync.Mutex // the organizations' lock
	tokenOrgs  *organizations
	tokenUsers *userStore
	tokens     map[string][]*storedToken // by organization, in the order created
	tokenSeq   uint64
	tokenLimit map[string]int // by organization; absent for none
}

// initTokens makes the store of the enrollment tokens of the
// organizations, whose users users holds.
func (s *tokenStore) initTokens(orgs *organizations, users *userStore) {
	s.tokenMu = &orgs.mu
	s.tokenOrgs = orgs
	s.tokenUsers = users
	s.tokens = make(map[string][]*storedToken)
	s.tokenLimit = make(map[string]int)
}

// storedToken is an enrollment token the server holds: its platform, the
// record it serves, and what the list filters read of it.
type storedToken struct {
	platform string // "android", "aosp" or "apple"
	raw      json.RawMessage
	user     string   // the id of its mdmUser, if any
	policies []string // the ids of its policies
	seq      uint64
}

// SetEnrollmentTokenLimit makes the enrollment token creates of the
// organization answer 400 with code 5017, "Limit Exceeded", once it holds
// n tokens, of every platform together; 0 or less lifts the limit, which is
// the default. It panics on an organization ID the API could not hold.
func (s *tokenStore) SetEnrollmentTokenLimit(organizationID string, n int) {
	mustMatch("SetEnrollmentTokenLimit", "organization ID", organizationID, organizationIDRE)
	s.tokenMu.Lock()
	defer s.tokenMu.Unlock()
	if n <= 0 {
		delete(s.tokenLimit, organizationID)
		return
	}
	s.tokenLimit[organizationID] = n
}

// EnrollmentTokens returns the enrollment tokens created in the
// organization, of every platform, in the order they were created, as the
// SDK reads them.
func (s *tokenStore) EnrollmentTokens(organizationID string) []applivery.EnrollmentToken {
	s.tokenMu.Lock()
	defer s.tokenMu.Unlock()
	out := make([]applivery.EnrollmentToken, 0, len(s.tokens[organizationID]))
	for _, st := range s.tokens[organizationID] {
		var tok applivery.EnrollmentToken
		_ = json.Unmarshal(st.raw, &tok)
		out = append(out, tok)
	}
	return out
}

// tokenPlatform is what the create of one platform's tokens checks and how
// it makes their record.
type tokenPlatform struct {
	name string
	body object
	// valid checks what body cannot say of its members; nil for nothing.
	valid func(body map[string]json.RawMessage) bool
	// record makes the record of a new token.
	record func(d *tokenDraft) map[string]any
}

// tokenDraft is what the record of a new token is made of.
type tokenDraft struct {
	p       *tokenPlatform
	org     string
	code    string // the one-time token
	host    string // the URL of the fake, scheme and host
	now     time.Time
	body    map[string]json.RawMessage
	mdmUser map[string]string // the id, and email if known, of the body's user; nil without one
	// lifetime is the validity the body asks for: its duration, a day
	// without one; none when perpetual.
	lifetime  time.Duration
	perpetual bool
}

// requestOnly are the members of a create's body that are not members of
// the token, or are made into others.
var requestOnly = []string{"sendEmail", "duration", "language", "emailText", "perpetual", "policyId", "mdmUserId"}

// base returns the members every platform's record has: its id, the body's
// stored members, the times, and the one-time token in config.
func (d *tokenDraft) base(orgMember string) map[string]any {
	rec := map[string]any{"id": randomHex(12), orgMember: d.org, "createdAt": d.now.Format(time.RFC3339Nano),
		"updatedAt": d.now.Format(time.RFC3339Nano)}
	for name := range d.p.body.members {
		if v, ok := d.body[name]; ok && !slices.Contains(requestOnly, name) {
			rec[name] = v
		}
	}
	if d.mdmUser != nil {
		rec["mdmUser"] = d.mdmUser
	}
	return rec
}

// expiration returns the time the token expires, in the API's form, or nil
// for a perpetual token.
func (d *tokenDraft) expiration() any {
	if d.perpetual {
		return nil
	}
	return d.now.Add(d.lifetime).Format(time.RFC3339Nano)
}

// createToken serves the POST of the platform's tokens, as the doc of the
// enrollment token endpoints says.
func (s *tokenStore) createToken(p *tokenPlatform) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		body, ok := p.body.read(b)
		if !ok || (p.valid != nil && !p.valid(body)) {
			writeError(w, errInvalidInput)
			return
		}
		d := &tokenDraft{p: p, org: r.PathValue("organizationId"), code: oneTimeToken(), host: "http://" + r.Host,
			now: stamp(), body: body, lifetime: 24 * time.Hour, perpetual: kind(body["perpetual"]) == 't'}
		if n, ok := intOf(body["duration"]); ok {
			d.lifetime = time.Duration(n) * time.Second
		}
		s.tokenMu.Lock()
		if !s.tokenOrgs.exists(d.org) {
			s.tokenMu.Unlock()
			writeError(w, errNotFound)
			return
		}
		if limit, ok := s.tokenLimit[d.org]; ok && len(s.tokens[d.org]) >= limit {
			s.tokenMu.Unlock()
			writeError(w, errLimitExceeded)
			return
		}
		st := s.store(d)
		s.tokenMu.Unlock()
		writeData(w, st.raw)
	}
}

// store makes the record of the draft's token and stores it. The caller
// holds the lock.
func (s *tokenStore) store(d *tokenDraft) *storedToken {
	st := &storedToken{platform: d.p.name}
	if id, ok := text(d.body["mdmUserId"]); ok {
		d.mdmUser = map[string]string{"id": id}
		if u := s.tokenUsers.findUser(d.org, id); u != nil {
			d.mdmUser["email"] = u.get("email")
		}
		st.user = id
	}
	if id, ok := text(d.body["policyId"]); ok {
		st.policies = append(st.policies, id)
	}
	for _, name := range []string{"emmPolicyAssignments", "aosPolicyAssignments", "admPolicyAssignments"} {
		var assigned []map[string]json.RawMessage
		_ = json.Unmarshal(d.body[name], &assigned)
		for _, a := range assigned {
			for _, key := range []string{"emmPolicyId", "aosPolicyId", "admPolicyId"} {
				if id, ok := text(a[key]); ok {
					st.policies = append(st.policies, id)
				}
			}
		}
	}
	st.raw, _ = json.Marshal(d.p.record(d))
	s.tokenSeq++
	st.seq = s.tokenSeq
	s.tokens[d.org] = append(s.tokens[d.org], st)
	return st
}

// tokenAlphabet are the characters of a one-time token.
const tokenAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// oneTimeToken returns a new random one-time token: 20 upper-case letters
// and digits.
func oneTimeToken() string {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		panic("appliverytest: no randomness: " + err.Error())
	}
	for i, c := range b {
		b[i] = tokenAlphabet[int(c)%len(tokenAlphabet)]
	}
	return string(b)
}

// The platforms' creates.
var (
	androidTokens = tokenPlatform{name: "android", body: object{
		members: withCommonTokenMembers(map[string]member{
			"policyId": hexID, "emmPolicyAssignments": assignments("emmPolicyId", true, 0, 10000),
			"displayName": str(128), "tags": arrayOf(str(128)),
			"managementMode": oneOf("DEVICE_OWNER", "PROFILE_OWNER", "COPE", "USERLESS"),
			"sendEmail":      boolean, "duration": integer(60, maxDuration),
		}),
		required: []string{"managementMode", "sendEmail"},
	}, record: androidRecord}
	aospTokens = tokenPlatform{name: "aosp", body: object{
		members: withCommonTokenMembers(map[string]member{
			"displayName": str(256), "tags": arrayOf(str(0)),
			"managementMode": oneOf("DEVICE_OWNER", "MANAGEMENT_MODE_UNSPECIFIED"),
			"sendEmail":      boolean, "perpetual": boolean, "duration": integer(0, maxSafeInteger),
			"aosPolicyAssignments": assignments("aosPolicyId", true, -maxSafeInteger, maxSafeInteger),
			"dpcBuildTag":          str(256), "pushNotificationProvider": str(0),
		}),
		required: []string{"managementMode"},
	}, valid: func(body map[string]json.RawMessage) bool {
		_, timed := body["duration"]
		return timed || kind(body["perpetual"]) == 't'
	}, record: aospRecord}
	appleTokens = tokenPlatform{name: "apple", body: object{
		members: withCommonTokenMembers(map[string]member{
			"sendEmail": boolean, "displayName": str(128), "tags": arrayOf(str(128)), "duration": integer(60, maxDuration),
			"policyId": hexID, "admPolicyAssignments": assignments("admPolicyId", false, -maxSafeInteger, maxSafeInteger),
			"profiles": arrayOf(hexID), "admVppLocationId": str(0),
			"applications": arrayOf(objectOf(object{
				members:  map[string]member{"admApplication": hexID, "managed": boolean},
				required: []string{"admApplication"},
			})),
		}),
		required: []string{"sendEmail"},
	}, record: appleRecord}
)

// The bounds of the numbers of the creates' bodies: 30 days, the longest
// token, and the largest integer the API's validation takes.
const (
	maxDuration    = 30 * 24 * 60 * 60
	maxSafeInteger = 1<<53 - 1
)

// withCommonTokenMembers adds to members those that every platform's create
// takes, checked as the reference documents them where it does (the
// Android Enterprise page is cut short before them).
func withCommonTokenMembers(members map[string]member) map[string]member {
	members["mdmUserId"] = hexID
	members["language"] = languages
	members["emailText"] = str(0)
	members["segmentId"] = integer(0, maxSafeInteger)
	return members
}

// assignments is an array of policy assignments: each an object with the
// policy's ID of 24 hex digits in idName (required if idRequired) and a
// priority from lo to hi (required).
func assignments(idName string, idRequired bool, lo, hi int64) member {
	required := []string{"priority"}
	if idRequired {
		required = append(required, idName)
	}
	return arrayOf(objectOf(object{members: map[string]member{idName: hexID, "priority": integer(lo, hi)}, required: required}))
}

// pending returns the record of a new Android Enterprise or AOSP token: the
// members every platform has, its type, subType "enrollment", status and
// state "PENDING", its management mode and expiration in summary, and
// config, with the one-time token added.
func (d *tokenDraft) pending(config map[string]any) map[string]any {
	rec := d.base("organizationId")
	rec["type"], rec["subType"], rec["status"], rec["state"] = d.p.name, "enrollment", "PENDING", "PENDING"
	rec["summary"] = map[string]any{"managementMode": d.body["managementMode"], "expirationTimestamp": d.expiration()}
	if d.mdmUser != nil {
		rec["mdmUserId"] = d.mdmUser["id"]
	}
	config["oneTimeToken"] = d.code
	rec["config"] = config
	return rec
}

// androidRecord makes the record of an Android Enterprise token. Its QR
// payload is Android's provisioning extras for Android Device Policy, as
// Google documents them, with the token in the admin extras bundle.
func androidRecord(d *tokenDraft) map[string]any {
	return d.pending(map[string]any{
		"enrollmentLink": "https://enterprise.google.com/android/enroll?et=" + d.code,
		"qrCode": map[string]any{
			"android.app.extra.PROVISIONING_DEVICE_ADMIN_COMPONENT_NAME":            "com.google.android.apps.work.clouddpc/.receivers.CloudDeviceAdminReceiver",
			"android.app.extra.PROVISIONING_DEVICE_ADMIN_SIGNATURE_CHECKSUM":        "I5YvS0O5hXY46mb01BlRjq4oJJGs2kuUcHvVkAPEXlg",
			"android.app.extra.PROVISIONING_DEVICE_ADMIN_PACKAGE_DOWNLOAD_LOCATION": "https://play.google.com/managed/downloadManagingApp?identifier=setup",
			"android.app.extra.PROVISIONING_ADMIN_EXTRAS_BUNDLE": map[string]string{
				"com.google.android.apps.work.clouddpc.EXTRA_ENROLLMENT_TOKEN": d.code,
			},
		},
	})
}

// aospRecord makes the record of an AOSP token. The reference shows its
// QR payload as an object without members: the fake's carries the token
// and the enrollment host in the admin extras bundle.
func aospRecord(d *tokenDraft) map[string]any {
	rec := d.pending(map[string]any{
		"enrollmentHost": d.host,
		"qrCode": map[string]any{
			"android.app.extra.PROVISIONING_ADMIN_EXTRAS_BUNDLE": map[string]string{"enrollmentToken": d.code, "enrollmentHost": d.host},
		},
	})
	rec["perpetual"] = d.perpetual
	return rec
}

// appleRecord makes the record of an Apple token, in the shape of the
// reference's list example: type "user", subType "standard", state
// "PENDING", an enrollmentLink (the QR payload too) and enrollCode made of
// the one-time token, and admPolicy the body's policyId, or null.
func appleRecord(d *tokenDraft) map[string]any {
	rec := d.base("organization")
	link, expires := "https://app.applivery.com/enroll/apple/"+d.code, d.expiration()
	rec["type"], rec["subType"], rec["state"] = "user", "standard", "PENDING"
	rec["enrollmentLink"], rec["enrollCode"], rec["expireAt"] = link, d.code, expires
	rec["summary"] = map[string]any{"expirationTimestamp": expires}
	rec["config"] = map[string]any{"oneTimeToken": d.code, "qrCode": link}
	rec["admPolicy"] = nil
	if id, ok := text(d.body["policyId"]); ok {
		rec["admPolicy"] = map[string]string{"id": id}
	}
	return rec
}

// listAppleTokens serves GET …/mdm/apple/enterprise/enrollment-tokens, as
// EndpointAppleEnrollmentTokenList says.
func (s *tokenStore) listAppleTokens(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	lq, ok := readListQuery(q)
	user, policy := q.Get("mdm-user"), q.Get("adm-policy")
	if !ok || !emptyOr(user, objectIDRE.MatchString) || !emptyOr(policy, objectIDRE.MatchString) ||
		!emptyOr(q.Get("show-deleted"), func(v string) bool { return v == "true" || v == "false" }) {
		writeError(w, errInvalidInput)
		return
	}
	s.tokenOrgs.servePage(w, r, func(org string) map[string]any {
		var all []*storedToken
		for _, st := range s.tokens[org] {
			if st.platform == "apple" && (user == "" || st.user == user) && (policy == "" || slices.Contains(st.policies, policy)) {
				all = append(all, st)
			}
		}
		return pageOf(all, lq, func(st *storedToken) uint64 { return st.seq }, func(st *storedToken) json.RawMessage { return st.raw })
	})
}
