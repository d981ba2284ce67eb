package applivery

// Version is the SDK's version, sent in the User-Agent header as
// "applivery-go/<Version>". It changes only in a release, together with
// CHANGELOG.md (docs/releasing.md).
const Version = "0.1.0"
