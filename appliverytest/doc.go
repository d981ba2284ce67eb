// Package appliverytest provides an in-process fake of the Applivery API, for
// tests of code that uses the applivery package.
//
// A Server is a real HTTP server on loopback that behaves like the documented
// API for the devices and their commands, the MDM users and the enrollment
// tokens: it checks the bearer key, keeps devices, users and tokens per
// organization and commands per organization and device, pages lists like
// the API, and answers with the API's envelopes and error codes. Its
// NewClient returns a client pointed at it (applivery.WithBaseURL with its
// URL, and its key):
//
//	srv := appliverytest.NewServer()
//	defer srv.Close()
//	client, err := srv.NewClient() // the server's URL and key
//
// In a test, [Start] and [Server.TestClient] do the same, close the server at
// the end, and shorten the waits between retries.
//
// # Endpoints
//
// The server serves these endpoints, under its URL (the base path /v1) and
// /organizations/{organizationId}/mdm/android/enterprise; each is named by
// the [Endpoint] that [Server.Script] and [Request] use:
//
//	EndpointDeviceList  GET  /devices
//	EndpointDeviceGet   GET  /devices/{emmDeviceId}
//	EndpointDeviceMove  PUT  /devices/{emmDeviceId}/move
//	EndpointList        GET  /devices/{emmDeviceId}/commands
//	EndpointCreate      POST /devices/{emmDeviceId}/commands
//	EndpointGet         GET  /devices/{emmDeviceId}/commands/{emmCommandId}
//	EndpointCancel      POST /devices/{emmDeviceId}/commands/{emmCommandId}/cancel
//
// and, under /organizations/{organizationId}/mdm, the list of every platform:
//
//	EndpointDevicesList GET  /devices
//
// and, under /organizations/{organizationId}/mdm/apple/enterprise/commands,
// the Apple commands ([EndpointAppleCommandCreate] says what they check):
//
//	EndpointAppleCommandCreate POST /{targetType}
//	EndpointAppleCommandGet    GET  /{targetType}/{targetId}/{admCommandId}
//	EndpointAppleCommandCancel POST /{targetType}/{targetId}/{admCommandId}/cancel
//
// and, under /organizations/{organizationId}/mdm/apple/enterprise, the Apple
// devices that [Server.AddAppleDevice] stored, named in a path by their ID or
// any alias it gave them (a serial number, say); the update changes only the
// members its body holds, and the list filters by user, policy, tags,
// segment and deletion:
//
//	EndpointAppleDeviceList   GET  /devices
//	EndpointAppleDeviceGet    GET  /devices/{admDeviceId}
//	EndpointAppleDeviceUpdate PUT  /devices/{admDeviceId}
//
// and, under /organizations/{organizationId}/mdm, the MDM users that
// [Server.AddUser] stored or the create made ([EndpointUserList] says what
// the list filters and the create checks; an email the organization holds
// answers 400 with code 5048):
//
//	EndpointUserList   GET  /users
//	EndpointUserCreate POST /users
//
// and, under /organizations/{organizationId}/mdm, the enrollment tokens of
// every platform, each created with a generated one-time token, a QR
// payload and an expiration, and held to [Server.SetEnrollmentTokenLimit]
// (400, code 5017); [EndpointAndroidEnrollmentTokenCreate] says what the
// creates check and answer:
//
//	EndpointAndroidEnrollmentTokenCreate POST /android/enterprise/enrollment-tokens
//	EndpointAOSPEnrollmentTokenCreate    POST /aosp/enterprise/enrollment-tokens
//	EndpointAppleEnrollmentTokenList     GET  /apple/enterprise/enrollment-tokens
//	EndpointAppleEnrollmentTokenCreate   POST /apple/enterprise/enrollment-tokens
//
// The lists page like the API ([DefaultLimit] a page, at most [MaxLimit]) and
// take its sort parameter; the device list also filters by user, policy,
// tags, segment and deletion. The list of every platform holds the devices
// AddDevice stored, as type "android", and those AddAppleDevice stored, as
// type "apple", and filters by serial number, IMEI, type, tags, search and
// more ([EndpointDevicesList] says which). A device
// is named in a path by its ID or by any alias (serial number, IMEI, enrollmentSpecificId) that
// [Server.AddDevice] gave it; moving a device takes its ID only. Any other
// path is recorded with the Endpoint "" and, past the key, answers 404 with
// code 3001.
//
// Every call meets, in order: the rate limit ([Server.SetRateLimit]: 429),
// the next fault scripted for its endpoint ([Server.Script]), the key (401,
// code 4002 without one, 4004 for another), the documented patterns of the
// IDs in its path (400, code 5209), the billing-plan gate
// ([Server.SetFeatureAllowed]: 400, code 5050), and only then the endpoint,
// which checks that what the call names exists. [Server.Requests] holds
// every call, whatever its answer.
//
// # What exists
//
// Like the API, the fake refuses what it does not hold: a call that names an
// organization or a device it does not know answers 404 with code 3001
// ("Entity not found"), as a typo would against the API. A device exists when
// [Server.AddDevice] stored it (found by its ID or any of its aliases) or
// [Server.AddCommand] seeded a command on it (found by the name given);
// creating a command on any other device is refused, not stored. An
// organization exists when AddDevice, AddCommand or [Server.AddUser] stored
// something in it, or [Server.AddOrganization] named it, for an organization
// with no devices; creating a user in any other organization answers 404. The
// device endpoints serve the devices AddDevice stored: a device known only
// from AddCommand has no record to serve, so getting or moving it answers 404
// too.
//
// # What a test plays
//
// For the rest, a test scripts it. [Server.AddCommand] seeds commands in any
// status, [Server.AddUser] MDM users, and [Server.Command], [Server.Device],
// [Server.Users] and [Server.EnrollmentTokens] read back what the server
// holds. [Server.SetCommandStatus] and [Server.ApplyAfter] play the device
// that applies commands, [Server.SetOffline] the device that does not.
// [Server.Script] makes the next calls to an endpoint fail (an error status,
// a dropped connection, a slow answer, or a call carried out whose answer is
// lost or cut), [Server.SetRateLimit] plays the API's rate limiter,
// [Server.SetEnrollmentTokenLimit] an organization's limit of enrollment
// tokens, [Server.SetFeatureAllowed] closes the billing-plan gate, and
// [Server.Requests] tells what the server received.
package appliverytest
