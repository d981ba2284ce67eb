package applivery

import (
	"encoding/json"
	"time"
)

// ManagementMode is the ownership an Android enrollment token gives the
// organization over the devices that enroll with it.
type ManagementMode string

// The management modes the Android Enterprise token create documents. The
// AOSP (non-GMS) token documents DEVICE_OWNER only (and
// MANAGEMENT_MODE_UNSPECIFIED, which the SDK does not send).
const (
	ManagementModeDeviceOwner  ManagementMode = "DEVICE_OWNER"  // a fully managed device
	ManagementModeProfileOwner ManagementMode = "PROFILE_OWNER" // a work profile on a personal device
	ManagementModeCOPE         ManagementMode = "COPE"          // corporate-owned, personally enabled
	ManagementModeUserless     ManagementMode = "USERLESS"      // a device with no user
)

// EnrollmentToken is an enrollment token as the API returns it: what a
// device presents to enroll in the organization, for Android Enterprise,
// AOSP (non-GMS Android) or Apple. The three platforms answer with different
// objects: the fields below are those the SDK reads from any of them, and Raw
// keeps the whole object as it came, byte for byte.
//
// OneTimeToken is a secret: whoever holds it can enroll a device in the
// organization. The fmt verbs print it, and the token's forms inside Raw, as
// [REDACTED] (see Format); Raw and OneTimeToken themselves hold it, and the
// caller must treat them as secrets.
type EnrollmentToken struct {
	ID             string          // "id"
	Type           string          // "type", as sent ("aosp", "user", …)
	SubType        string          // "subType", as sent
	State          string          // "state", else "status" ("PENDING", …)
	ManagementMode ManagementMode  // "managementMode", else "summary"."managementMode"
	DisplayName    string          // "displayName"
	Tags           []string        // "tags"; nil when absent or not an array of strings
	OneTimeToken   string          // "config"."oneTimeToken": a secret, redacted from every fmt output
	EnrollmentLink string          // "enrollmentLink", else "config"."enrollmentLink"; empty when not sent
	QRCode         json.RawMessage // "config"."qrCode", byte for byte (an object or a string); nil when absent
	ExpiresAt      time.Time       // "summary"."expirationTimestamp", else "expirationTimestamp"; zero when absent or unparsable
	CreatedAt      time.Time       // "createdAt"; zero when absent or unparsable
	Raw            json.RawMessage // the whole token object as the API sent it; it holds the one-time token: a secret
}

// EnrollmentTokenPage is one page of an organization's enrollment tokens.
// Its pagination envelope is read as the other lists': every field is
// optional (one that is absent or null is 0, or false). fmt redacts the
// tokens' secrets as [EnrollmentToken]'s Format does.
type EnrollmentTokenPage struct {
	Items                    []EnrollmentToken
	Page, Limit              int
	TotalDocs, TotalPages    int
	HasNextPage, HasPrevPage bool
	NextPage, PrevPage       int // 0 when null or absent
}
