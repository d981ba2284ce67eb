package applivery

import "time"

// AndroidEnrollmentTokensService creates the enrollment tokens of Android
// Enterprise devices. Reach it as Client.AndroidEnrollmentTokens.
type AndroidEnrollmentTokensService struct {
	core *core
}

// AOSPEnrollmentTokensService creates the enrollment tokens of AOSP
// (non-GMS Android) devices. Reach it as Client.AOSPEnrollmentTokens.
type AOSPEnrollmentTokensService struct {
	core *core
}

// AppleEnrollmentTokensService lists and creates the enrollment tokens of
// Apple devices. Reach it as Client.AppleEnrollmentTokens.
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
type CreateAndroidEnrollmentTokenRequest struct {
	ManagementMode    ManagementMode     // "managementMode", required: one of the four ManagementMode constants
	SendEmail         bool               // "sendEmail", always sent: whether the MDM user is e-mailed the instructions and QR code
	PolicyID          string             // "policyId", 24 hex digits, optional
	PolicyAssignments []PolicyAssignment // "emmPolicyAssignments"
	DisplayName       string             // "displayName", at most 128 characters
	Tags              []string           // "tags", each non-empty and at most 128 characters
	Duration          time.Duration      // "duration", sent as whole seconds, 1 minute to 30 days; 0: not sent
}

// CreateAOSPEnrollmentTokenRequest is the AOSP (non-GMS Android) token a
// Create makes. ManagementMode is required, and so is Duration unless the
// token is Perpetual.
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
// leaves the choice to the server.
type ListEnrollmentTokensOptions struct {
	Page        int    // "page"; 0: the server's default
	Limit       int    // "limit"; 0: the server's default
	Sort        string // "sort"; SortPattern
	ShowDeleted bool   // "show-deleted"; sent only when true
}

// CreateAppleEnrollmentTokenRequest is the Apple token a Create makes.
// SendEmail is always sent; the other fields only when set.
type CreateAppleEnrollmentTokenRequest struct {
	DisplayName       string             // "displayName", at most 128 characters
	Tags              []string           // "tags", each non-empty and at most 128 characters
	MDMUserID         string             // "mdmUserId", 24 hex digits
	PolicyAssignments []PolicyAssignment // "admPolicyAssignments"
	SendEmail         bool               // "sendEmail", always sent
	Language          string             // "language" of the e-mail: as CreateUserRequest.Language
}
