package applivery

import (
	"context"
	"encoding/json"
	"iter"
	"strconv"
	"time"
)

// AndroidEnrollmentTokensService creates the enrollment tokens of Android
// Enterprise devices. Reach it as Client.AndroidEnrollmentTokens.
//
// A token create checks its request first (a mismatch is a
// [*ValidationError] naming the API's field, and nothing is sent), is never
// sent twice once the server may have acted, and its answer holds a secret,
// the one-time token: see [EnrollmentToken] and docs/security.md. An error of
// a token endpoint never keeps the answer's body ([APIError].Body is nil), as
// it may hold the token, and the headers and request ID that errors,
// [WithResponse] and observers get are redacted of the answer's one-time
// tokens (an enrollment link in Location, say).
type AndroidEnrollmentTokensService struct {
	core *core
}

// AOSPEnrollmentTokensService creates the enrollment tokens of AOSP
// (non-GMS Android) devices. Reach it as Client.AOSPEnrollmentTokens. Its
// Create behaves as AndroidEnrollmentTokensService.Create does.
type AOSPEnrollmentTokensService struct {
	core *core
}

// AppleEnrollmentTokensService lists and creates the enrollment tokens of
// Apple devices. Reach it as Client.AppleEnrollmentTokens. List and ListAll
// are retried after any retryable failure, like the other reads; Create
// behaves as AndroidEnrollmentTokensService.Create does.
type AppleEnrollmentTokensService struct {
	core *core
}

// PolicyAssignment assigns a policy to the devices that enroll with a
// token, in order of priority. Each platform sends it under its own names:
// {"emmPolicyId", "priority"} for Android Enterprise, {"aosPolicyId",
// "priority"} for AOSP, {"admPolicyId", "priority"} for Apple.
type PolicyAssignment struct {
	PolicyID string // the policy's id, 24 hex digits
	Priority int    // the assignment's priority
}

// CreateAndroidEnrollmentTokenRequest is the Android Enterprise token a
// Create makes. ManagementMode is required and SendEmail is always sent;
// the other fields are sent only when set.
//
// Create refuses, as a [*ValidationError]: a ManagementMode other than the
// four constants; a PolicyID, or an assignment's PolicyID, that is not 24
// hex digits ([ObjectIDPattern]); an assignment's Priority outside 0 to
// 10000; a DisplayName or a tag longer than 128 characters (the staging
// copy's schema: the public page types displayName as "any"), or an empty
// tag; an MDMUserID that is not 24 hex digits; a Duration that is not a
// whole number of seconds (it is sent in seconds, and the SDK does not
// truncate it), or outside 1 minute to 30 days (the page's "from sixty seconds to thir…" is cut: the Apple token's
// "between 1m and 30d" is the SDK's reading of its end).
type CreateAndroidEnrollmentTokenRequest struct {
	ManagementMode    ManagementMode     // "managementMode", required: one of the four ManagementMode constants
	SendEmail         bool               // "sendEmail", always sent: whether the MDM user is e-mailed the instructions and QR code
	PolicyID          string             // "policyId", 24 hex digits, optional
	PolicyAssignments []PolicyAssignment // "emmPolicyAssignments"
	DisplayName       string             // "displayName", at most 128 characters
	Tags              []string           // "tags", each non-empty and at most 128 characters
	Duration          time.Duration      // "duration", sent as whole seconds, 1 minute to 30 days; 0: not sent
	// MDMUserID is the MDM user the token is for ("mdmUserId", 24 hex
	// digits; sent only when set): the user a token made for one person
	// enrolls devices for, and who is e-mailed it when SendEmail is set.
	// The reference's copy of the page is cut before the fields that follow
	// duration; the AOSP and Apple tokens document "mdmUserId", and taking
	// it here is the SDK's reading (the schema admits other members).
	MDMUserID string
}

// CreateAOSPEnrollmentTokenRequest is the AOSP (non-GMS Android) token a
// Create makes. ManagementMode is required, and so is Duration unless the
// token is Perpetual. "duration", "managementMode" and "sendEmail" are
// always sent (a Perpetual token's duration as 0, as the documented example
// does); the other fields only when set.
//
// Create refuses, as a [*ValidationError]: a ManagementMode other than
// ManagementModeDeviceOwner or "MANAGEMENT_MODE_UNSPECIFIED" (the
// documented enum); a Duration of 0 without Perpetual, a Duration with
// Perpetual (a perpetual token has none: the two contradict), a negative
// Duration or one that is not a whole number of seconds (the documented
// upper bound is cut from the reference's copy: the server decides it); a
// Language not in the documented enum (es, en, fr, de, it, zh, pt, ru); a
// DisplayName longer than 256 characters; an empty tag; an MDMUserID or an
// assignment's PolicyID that is not 24 hex digits; an assignment's Priority
// beyond ±(2^53−1), the documented bounds.
type CreateAOSPEnrollmentTokenRequest struct {
	ManagementMode    ManagementMode     // "managementMode", required: ManagementModeDeviceOwner
	Duration          time.Duration      // "duration", whole seconds; required unless Perpetual
	Perpetual         bool               // "perpetual": the token stays reusable after an enrollment
	SendEmail         bool               // "sendEmail": whether the invitation e-mail is sent
	Language          string             // "language" of the e-mail: as CreateUserRequest.Language
	DisplayName       string             // "displayName", at most 256 characters
	Tags              []string           // "tags", each non-empty
	PolicyAssignments []PolicyAssignment // "aosPolicyAssignments"
	MDMUserID         string             // "mdmUserId", 24 hex digits
}

// ListEnrollmentTokensOptions selects a page of an organization's
// enrollment tokens. A nil *ListEnrollmentTokensOptions, or a zero field,
// leaves the choice to the server. A negative Page or Limit, or a Sort that
// does not match [SortPattern], is a [*ValidationError].
type ListEnrollmentTokensOptions struct {
	Page        int    // "page"; 0: the server's default
	Limit       int    // "limit"; 0: the server's default
	Sort        string // "sort"; SortPattern
	ShowDeleted bool   // "show-deleted"; sent only when true
}

// CreateAppleEnrollmentTokenRequest is the Apple token a Create makes.
// SendEmail is always sent (the schema marks it required); the other fields
// only when set.
//
// The reference documents this body as a dump of the server's validation
// schema, whose keys are the fields and whose rules give their bounds:
// Create refuses, as a [*ValidationError], a DisplayName or a tag longer
// than 128 characters, an empty tag, an MDMUserID or an assignment's
// PolicyID that is not 24 hex digits (the dump renders the pattern as
// "string": the API's other ids are the SDK's reading), and a Language
// other than es, en, fr, de, it, zh, pt and ru (the dump shows "es" and is
// cut: the AOSP token's enum is the SDK's reading). An assignment's
// Priority has no documented bound and is sent as it is.
type CreateAppleEnrollmentTokenRequest struct {
	DisplayName       string             // "displayName", at most 128 characters
	Tags              []string           // "tags", each non-empty and at most 128 characters
	MDMUserID         string             // "mdmUserId", 24 hex digits
	PolicyAssignments []PolicyAssignment // "admPolicyAssignments"
	SendEmail         bool               // "sendEmail", always sent
	Language          string             // "language" of the e-mail: as CreateUserRequest.Language
}

// The operations of the enrollment tokens, for observers (see CallInfo),
// and their route templates. Their answers hold the one-time token.
const (
	androidTokensRoute = "/organizations/{organizationId}/mdm/android/enterprise/enrollment-tokens"
	aospTokensRoute    = "/organizations/{organizationId}/mdm/aosp/enterprise/enrollment-tokens"
	appleTokensRoute   = "/organizations/{organizationId}/mdm/apple/enterprise/enrollment-tokens"
)

var (
	opAndroidTokensCreate = operation{name: "android.enrollment_tokens.create", route: androidTokensRoute, secretAnswer: true}
	opAOSPTokensCreate    = operation{name: "aosp.enrollment_tokens.create", route: aospTokensRoute, secretAnswer: true}
	opAppleTokensList     = operation{name: "apple.enrollment_tokens.list", route: appleTokensRoute, secretAnswer: true}
	opAppleTokensCreate   = operation{name: "apple.enrollment_tokens.create", route: appleTokensRoute, secretAnswer: true}
)

// The documented bounds of the token fields.
const (
	minTokenDuration   = time.Minute
	maxTokenDuration   = 30 * 24 * time.Hour
	maxAndroidPriority = 10000
	maxAOSPPriority    = 1<<53 - 1 // JavaScript's largest safe integer
	maxAOSPDisplayName = 256
)

// Create creates an Android Enterprise enrollment token and returns it as
// the API answers, one-time token and QR code included. req is checked
// first (see [CreateAndroidEnrollmentTokenRequest]): a mismatch is a
// [*ValidationError] and nothing is sent.
//
// An organization at its limit of tokens is an [*APIError] matching
// [ErrLimitExceeded] (code 5017, documented for the AOSP token and read here
// as the same). Create is not idempotent: it is retried only when the server
// surely did not act on it (a 429, or no connection made). Once an attempt
// may have reached the server, every failure of the call matches
// [ErrOutcomeUnknown] unless the answer says no token was created (a 4xx,
// 501 or 505): check the organization's Android enrollment tokens in the
// Applivery dashboard before creating another. The reference shows no
// answer for this endpoint: the token, in the success envelope, is the
// SDK's reading. The API key needs the mdm.android.enrollmentToken.create
// permission.
//
// Applivery API docs: https://docs.applivery.com/en/api/android/enrollmenttokens/post-organizations-organizationid-mdm-android-enterprise-enrollment-tokens
//
//	POST /organizations/{organizationId}/mdm/android/enterprise/enrollment-tokens {"managementMode": …, "sendEmail": …, "policyId": …, "emmPolicyAssignments": […], "displayName": …, "tags": […], "duration": seconds}
func (s *AndroidEnrollmentTokensService) Create(ctx context.Context, organizationID string, req *CreateAndroidEnrollmentTokenRequest, opts ...CallOption) (*EnrollmentToken, error) {
	return create[EnrollmentToken](ctx, s.core, createCall{
		op: opAndroidTokensCreate, organizationID: organizationID, at: "/mdm/android/enterprise/enrollment-tokens", body: req.body,
		note: "the enrollment token may have been created: check the organization's Android enrollment tokens in the Applivery dashboard before creating another",
	}, opts)
}

// Create creates an AOSP (non-GMS Android) enrollment token and returns it
// as the API answers, one-time token and QR code included. req is checked
// first (see [CreateAOSPEnrollmentTokenRequest]): a mismatch is a
// [*ValidationError] and nothing is sent.
//
// An organization at its limit of tokens is an [*APIError] matching
// [ErrLimitExceeded] (code 5017, "Limit Exceeded"). Create is never sent
// twice once the server may have acted, as AndroidEnrollmentTokensService.Create:
// a failure after an attempt may have acted matches [ErrOutcomeUnknown];
// check the organization's non-GMS Android enrollment tokens in the
// Applivery dashboard before creating another. The API key needs the
// mdm.aosp.enrollmentToken.create permission.
//
// Applivery API docs: https://docs.applivery.com/en/api/aosp/android-non-gms-enrollment-tokens/post-organizations-organizationid-mdm-aosp-enterprise-enrollment-tokens
//
//	POST /organizations/{organizationId}/mdm/aosp/enterprise/enrollment-tokens {"managementMode": …, "duration": seconds, "perpetual": …, "sendEmail": …, "aosPolicyAssignments": […], …}
func (s *AOSPEnrollmentTokensService) Create(ctx context.Context, organizationID string, req *CreateAOSPEnrollmentTokenRequest, opts ...CallOption) (*EnrollmentToken, error) {
	return create[EnrollmentToken](ctx, s.core, createCall{
		op: opAOSPTokensCreate, organizationID: organizationID, at: "/mdm/aosp/enterprise/enrollment-tokens", body: req.body,
		note: "the enrollment token may have been created: check the organization's non-GMS Android enrollment tokens in the Applivery dashboard before creating another",
	}, opts)
}

// List returns one page of the organization's Apple enrollment tokens. o
// selects the page; nil leaves everything to the server. Invalid options
// (see [ListEnrollmentTokensOptions]) are a [*ValidationError] and nothing
// is sent. The tokens hold their one-time tokens: see [EnrollmentToken].
// The reference's copy of the answer is cut inside its first token: the
// paging fields are read as the other lists', the SDK's reading. The API key
// needs the mdm.apple.enrollmentToken.list permission.
//
// Applivery API docs: https://docs.applivery.com/en/api/apple/apple-enrollment-tokens/get-organizations-organizationid-mdm-apple-enterprise-enrollment-tokens
//
//	GET /organizations/{organizationId}/mdm/apple/enterprise/enrollment-tokens?page=&limit=&sort=&show-deleted=
func (s *AppleEnrollmentTokensService) List(ctx context.Context, organizationID string, o *ListEnrollmentTokensOptions, opts ...CallOption) (*EnrollmentTokenPage, error) {
	return listPage[EnrollmentToken, EnrollmentTokenPage](ctx, s.core, opAppleTokensList, organizationID, o.query, func(query string) string {
		return s.core.orgURL(organizationID, "/mdm/apple/enterprise/enrollment-tokens") + query
	}, opts)
}

// ListAll iterates over all of the organization's Apple enrollment tokens
// that o selects, page after page, from the page o names (the first when it
// names none). Each page is a List call, and opts apply to each. It behaves
// as AppleDevicesService.ListAll does: a page is fetched only when the loop
// reaches it; each token is yielded once (by its ID); an error is yielded
// once, with a nil token, and ends the iteration; and a server whose paging
// does not advance ends it with an error. The API key needs the
// mdm.apple.enrollmentToken.list permission.
//
// Applivery API docs: https://docs.applivery.com/en/api/apple/apple-enrollment-tokens/get-organizations-organizationid-mdm-apple-enterprise-enrollment-tokens
func (s *AppleEnrollmentTokensService) ListAll(ctx context.Context, organizationID string, o *ListEnrollmentTokensOptions, opts ...CallOption) iter.Seq2[*EnrollmentToken, error] {
	lo := optionsOf(o)
	return allPages("Apple enrollment tokens", lo.Page, func(page int) (*EnrollmentTokenPage, error) {
		q := lo
		q.Page = page
		return s.List(ctx, organizationID, &q, opts...)
	}, (*EnrollmentToken).listKey)
}

// Create creates an Apple enrollment token and returns it as the API
// answers. req is checked first (see [CreateAppleEnrollmentTokenRequest]):
// a mismatch is a [*ValidationError] and nothing is sent. The reference
// shows no answer for this endpoint: the token, as the list's items are,
// in the success envelope, is the SDK's reading.
//
// Create is never sent twice once the server may have acted, as
// AndroidEnrollmentTokensService.Create: a failure after an attempt may
// have acted matches [ErrOutcomeUnknown]; List the tokens to find out
// before creating another. The API key needs the
// mdm.apple.enrollmentToken.create permission.
//
// Applivery API docs: https://docs.applivery.com/en/api/apple/apple-enrollment-tokens/post-organizations-organizationid-mdm-apple-enterprise-enrollment-tokens
//
//	POST /organizations/{organizationId}/mdm/apple/enterprise/enrollment-tokens {"sendEmail": …, "displayName": …, "tags": […], "mdmUserId": …, "admPolicyAssignments": […], "language": …}
func (s *AppleEnrollmentTokensService) Create(ctx context.Context, organizationID string, req *CreateAppleEnrollmentTokenRequest, opts ...CallOption) (*EnrollmentToken, error) {
	return create[EnrollmentToken](ctx, s.core, createCall{
		op: opAppleTokensCreate, organizationID: organizationID, at: "/mdm/apple/enterprise/enrollment-tokens", body: req.body,
		note: "the enrollment token may have been created: list the Apple enrollment tokens to find out before creating another",
	}, opts)
}

// query encodes o as the query of a List request, or refuses it.
func (o *ListEnrollmentTokensOptions) query() (string, error) {
	if o == nil {
		return "", nil
	}
	if err := checkPaging(o.Page, o.Limit, o.Sort); err != nil {
		return "", err
	}
	q := pagingQuery(o.Page, o.Limit, o.Sort)
	if o.ShowDeleted {
		q.Set("show-deleted", "true")
	}
	return encodeQuery(q), nil
}

// policyAssignmentsJSON is a list of PolicyAssignments on the wire, each
// {"<key>": id, "priority": n}: key is the platform's name of the policy id.
type policyAssignmentsJSON struct {
	key   string
	items []PolicyAssignment
}

// MarshalJSON writes the assignments as an array.
func (p policyAssignmentsJSON) MarshalJSON() ([]byte, error) {
	b := []byte{'['}
	for i, a := range p.items {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"`...)
		b = append(b, p.key...)
		b = append(b, `":`...)
		b = strconv.AppendQuote(b, a.PolicyID)
		b = append(b, `,"priority":`...)
		b = strconv.AppendInt(b, int64(a.Priority), 10)
		b = append(b, '}')
	}
	return append(b, ']'), nil
}

// policyAssignments checks assignments, sent as field with each id under
// key, and returns them on the wire, or nil when there are none. A
// priority outside lo to hi is refused; lo > hi checks none.
func policyAssignments(field, key string, assignments []PolicyAssignment, lo, hi int64) (*policyAssignmentsJSON, error) {
	if len(assignments) == 0 {
		return nil, nil
	}
	for i, a := range assignments {
		at := field + "[" + strconv.Itoa(i) + "]."
		if !isObjectID(a.PolicyID) {
			return nil, &ValidationError{Field: at + key, Value: a.PolicyID, Pattern: ObjectIDPattern}
		}
		if p := int64(a.Priority); lo <= hi && (p < lo || p > hi) {
			return nil, &ValidationError{Field: at + "priority", Value: strconv.Itoa(a.Priority),
				Reason: "must be " + strconv.FormatInt(lo, 10) + " to " + strconv.FormatInt(hi, 10)}
		}
	}
	return &policyAssignmentsJSON{key: key, items: assignments}, nil
}

// seconds returns d as the whole seconds the API takes, or refuses a d that
// is not a whole number of seconds (the SDK does not truncate it).
func seconds(field string, d time.Duration) (int64, error) {
	if d%time.Second != 0 {
		return 0, &ValidationError{Field: field, Value: d.String(), Reason: "must be a whole number of seconds"}
	}
	return int64(d / time.Second), nil
}

// createAndroidTokenJSON is a CreateAndroidEnrollmentTokenRequest on the
// wire.
type createAndroidTokenJSON struct {
	PolicyID          string                 `json:"policyId,omitempty"`
	PolicyAssignments *policyAssignmentsJSON `json:"emmPolicyAssignments,omitempty"`
	DisplayName       string                 `json:"displayName,omitempty"`
	Tags              []string               `json:"tags,omitempty"`
	ManagementMode    ManagementMode         `json:"managementMode"`
	SendEmail         bool                   `json:"sendEmail"`
	Duration          int64                  `json:"duration,omitempty"`
	MDMUserID         string                 `json:"mdmUserId,omitempty"`
}

// body checks req and encodes it as a Create's body, or refuses it.
func (req *CreateAndroidEnrollmentTokenRequest) body() ([]byte, error) {
	if req == nil {
		return nil, &ValidationError{Field: "body", Reason: "the request is nil"}
	}
	switch req.ManagementMode {
	case ManagementModeDeviceOwner, ManagementModeProfileOwner, ManagementModeCOPE, ManagementModeUserless:
	case "":
		return nil, &ValidationError{Field: "managementMode", Reason: "required"}
	default:
		return nil, &ValidationError{Field: "managementMode", Value: string(req.ManagementMode),
			Reason: "must be DEVICE_OWNER, PROFILE_OWNER, COPE or USERLESS"}
	}
	if err := checkObjectIDs([2]string{"policyId", req.PolicyID}, [2]string{"mdmUserId", req.MDMUserID}); err != nil {
		return nil, err
	}
	if err := checkLength("displayName", req.DisplayName, maxFilterLength); err != nil {
		return nil, err
	}
	if err := checkTags(req.Tags, maxFilterLength); err != nil {
		return nil, err
	}
	assignments, err := policyAssignments("emmPolicyAssignments", "emmPolicyId", req.PolicyAssignments, 0, maxAndroidPriority)
	if err != nil {
		return nil, err
	}
	duration, err := seconds("duration", req.Duration)
	if err != nil {
		return nil, err
	}
	if req.Duration != 0 && (req.Duration < minTokenDuration || req.Duration > maxTokenDuration) {
		return nil, &ValidationError{Field: "duration", Value: req.Duration.String(), Reason: "must be 1 minute to 30 days"}
	}
	return json.Marshal(createAndroidTokenJSON{
		PolicyID: req.PolicyID, PolicyAssignments: assignments, DisplayName: req.DisplayName, Tags: req.Tags,
		ManagementMode: req.ManagementMode, SendEmail: req.SendEmail, Duration: duration, MDMUserID: req.MDMUserID,
	})
}

// createAOSPTokenJSON is a CreateAOSPEnrollmentTokenRequest on the wire.
type createAOSPTokenJSON struct {
	DisplayName       string                 `json:"displayName,omitempty"`
	Tags              []string               `json:"tags,omitempty"`
	ManagementMode    ManagementMode         `json:"managementMode"`
	SendEmail         bool                   `json:"sendEmail"`
	Language          string                 `json:"language,omitempty"`
	Perpetual         bool                   `json:"perpetual,omitempty"`
	PolicyAssignments *policyAssignmentsJSON `json:"aosPolicyAssignments,omitempty"`
	MDMUserID         string                 `json:"mdmUserId,omitempty"`
	Duration          int64                  `json:"duration"`
}

// managementModeUnspecified is the AOSP token's other documented mode.
const managementModeUnspecified ManagementMode = "MANAGEMENT_MODE_UNSPECIFIED"

// body checks req and encodes it as a Create's body, or refuses it.
func (req *CreateAOSPEnrollmentTokenRequest) body() ([]byte, error) {
	if req == nil {
		return nil, &ValidationError{Field: "body", Reason: "the request is nil"}
	}
	switch req.ManagementMode {
	case ManagementModeDeviceOwner, managementModeUnspecified:
	case "":
		return nil, &ValidationError{Field: "managementMode", Reason: "required"}
	default:
		return nil, &ValidationError{Field: "managementMode", Value: string(req.ManagementMode),
			Reason: "must be DEVICE_OWNER or MANAGEMENT_MODE_UNSPECIFIED"}
	}
	duration, err := seconds("duration", req.Duration)
	switch {
	case err != nil:
		return nil, err
	case req.Perpetual && req.Duration != 0:
		return nil, &ValidationError{Field: "duration", Value: req.Duration.String(), Reason: "a perpetual token has no duration"}
	case !req.Perpetual && req.Duration == 0:
		return nil, &ValidationError{Field: "duration", Reason: "required unless the token is perpetual"}
	case req.Duration < 0:
		return nil, &ValidationError{Field: "duration", Value: req.Duration.String(), Reason: "must be positive"}
	}
	if err := checkLanguage(req.Language); err != nil {
		return nil, err
	}
	if err := checkLength("displayName", req.DisplayName, maxAOSPDisplayName); err != nil {
		return nil, err
	}
	if err := checkTags(req.Tags, 0); err != nil {
		return nil, err
	}
	if err := checkObjectIDs([2]string{"mdmUserId", req.MDMUserID}); err != nil {
		return nil, err
	}
	assignments, err := policyAssignments("aosPolicyAssignments", "aosPolicyId", req.PolicyAssignments, -maxAOSPPriority, maxAOSPPriority)
	if err != nil {
		return nil, err
	}
	return json.Marshal(createAOSPTokenJSON{
		DisplayName: req.DisplayName, Tags: req.Tags, ManagementMode: req.ManagementMode, SendEmail: req.SendEmail,
		Language: req.Language, Perpetual: req.Perpetual, PolicyAssignments: assignments, MDMUserID: req.MDMUserID, Duration: duration,
	})
}

// createAppleTokenJSON is a CreateAppleEnrollmentTokenRequest on the wire.
type createAppleTokenJSON struct {
	SendEmail         bool                   `json:"sendEmail"`
	DisplayName       string                 `json:"displayName,omitempty"`
	Tags              []string               `json:"tags,omitempty"`
	Language          string                 `json:"language,omitempty"`
	PolicyAssignments *policyAssignmentsJSON `json:"admPolicyAssignments,omitempty"`
	MDMUserID         string                 `json:"mdmUserId,omitempty"`
}

// body checks req and encodes it as a Create's body, or refuses it.
func (req *CreateAppleEnrollmentTokenRequest) body() ([]byte, error) {
	if req == nil {
		return nil, &ValidationError{Field: "body", Reason: "the request is nil"}
	}
	if err := checkLength("displayName", req.DisplayName, maxFilterLength); err != nil {
		return nil, err
	}
	if err := checkTags(req.Tags, maxFilterLength); err != nil {
		return nil, err
	}
	if err := checkObjectIDs([2]string{"mdmUserId", req.MDMUserID}); err != nil {
		return nil, err
	}
	if err := checkLanguage(req.Language); err != nil {
		return nil, err
	}
	assignments, err := policyAssignments("admPolicyAssignments", "admPolicyId", req.PolicyAssignments, 1, 0)
	if err != nil {
		return nil, err
	}
	return json.Marshal(createAppleTokenJSON{
		SendEmail: req.SendEmail, DisplayName: req.DisplayName, Tags: req.Tags, Language: req.Language,
		PolicyAssignments: assignments, MDMUserID: req.MDMUserID,
	})
}
