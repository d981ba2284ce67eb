package applivery

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// The documented patterns of the API's path and query parameters. Every ID is
// checked against its pattern before a request is built, so an invalid one
// never reaches the wire; the check returns a [*ValidationError].
//
// The reference renders the organization pattern as [a-zA-Z0-9\\-]: that is an
// escaping artefact of the documentation generator, and the class intended is
// letters, digits and hyphen, without a backslash.
const (
	OrganizationIDPattern = `^(([a-fA-F0-9]{24})|([a-zA-Z0-9-]{3,}))$`
	DeviceIDPattern       = `^(([a-fA-F0-9]{24})|(\w{1,}))$`
	CommandIDPattern      = `^[a-fA-F0-9]{24}$`
	// ObjectIDPattern is the pattern of the API's other 24-hex-digit ids:
	// a device's id where only that is accepted (Move), an MDM user's, a
	// policy's.
	ObjectIDPattern = `^[a-fA-F0-9]{24}$`
	SortPattern     = `^[\w.]*((:asc)|(:desc))?$`
)

// The API's names of the parameters, as a ValidationError reports them.
const (
	fieldOrganizationID = "organizationId"
	fieldDeviceID       = "emmDeviceId"
	fieldCommandID      = "emmCommandId"
	fieldSort           = "sort"
)

// The validators below are hand-written equivalents of the patterns: they run
// on every call, and a table lookup per byte costs a few nanoseconds and no
// allocation where regexp costs hundreds. FuzzPatterns (patterns_test.go)
// checks that each one accepts exactly what its regular expression accepts.
// Both alternatives of the ID patterns collapse into one class: 24 hex digits
// are also 24 letters and digits, and they are also 24 word characters.

// Character classes, one bit each in charClass.
const (
	classHex  = 1 << iota // [a-fA-F0-9]
	classSlug             // [a-zA-Z0-9-]
	classWord             // \w, which is ASCII-only in RE2: [0-9A-Za-z_]
	classSort             // [\w.]
)

var charClass = func() (t [256]uint8) {
	for c := '0'; c <= '9'; c++ {
		t[c] |= classHex | classSlug | classWord | classSort
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] |= classSlug | classWord | classSort
		t[c-'a'+'A'] |= classSlug | classWord | classSort
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c] |= classHex
		t[c-'a'+'A'] |= classHex
	}
	t['-'] |= classSlug
	t['_'] |= classWord | classSort
	t['.'] |= classSort
	return t
}()

// allIn reports whether every byte of s is in class, a single class bit. It
// ANDs the classes of all the bytes and tests once: without a branch per byte
// the loop runs about twice as fast, and IDs are short.
func allIn(s string, class uint8) bool {
	acc := class
	for i := 0; i < len(s); i++ {
		acc &= charClass[s[i]]
	}
	return acc != 0
}

func isOrganizationID(s string) bool { return len(s) >= 3 && allIn(s, classSlug) }
func isDeviceID(s string) bool       { return len(s) >= 1 && allIn(s, classWord) }
func isObjectID(s string) bool       { return len(s) == 24 && allIn(s, classHex) }

// isSort matches SortPattern: a field path of word characters and dots, with
// an optional ":asc" or ":desc".
func isSort(s string) bool {
	for _, suffix := range [...]string{":asc", ":desc"} {
		if rest, ok := strings.CutSuffix(s, suffix); ok && allIn(rest, classSort) {
			return true
		}
	}
	return allIn(s, classSort)
}

// validateDevice checks the IDs of a path that ends at a device, in path
// order, and reports the first that does not match its pattern.
func validateDevice(organizationID, deviceID string) error {
	if !isOrganizationID(organizationID) {
		return &ValidationError{Field: fieldOrganizationID, Value: organizationID, Pattern: OrganizationIDPattern}
	}
	if !isDeviceID(deviceID) {
		return &ValidationError{Field: fieldDeviceID, Value: deviceID, Pattern: DeviceIDPattern}
	}
	return nil
}

// validateCommand checks the IDs of a path that ends at a command.
func validateCommand(organizationID, deviceID, commandID string) error {
	if err := validateDevice(organizationID, deviceID); err != nil {
		return err
	}
	if !isObjectID(commandID) {
		return &ValidationError{Field: fieldCommandID, Value: commandID, Pattern: CommandIDPattern}
	}
	return nil
}

// maxFilterLength is the documented bound of the users list's text filters
// (search, email, name) and of the Joi schemas' display names and tags.
const maxFilterLength = 128

// languages are the values of "language" the reference documents for the
// invitation e-mails (the AOSP token's enum): a user's, and a token's.
var languages = map[string]bool{"es": true, "en": true, "fr": true, "de": true, "it": true, "zh": true, "pt": true, "ru": true}

// checkLanguage refuses a language the reference does not list; "" is none.
func checkLanguage(language string) error {
	if language != "" && !languages[language] {
		return &ValidationError{Field: "language", Value: language, Reason: "must be one of es, en, fr, de, it, zh, pt, ru"}
	}
	return nil
}

// checkLength refuses a value longer than limit characters.
func checkLength(field, value string, limit int) error {
	if n := utf8.RuneCountInString(value); n > limit {
		return &ValidationError{Field: field, Value: value, Reason: "longer than " + strconv.Itoa(limit) + " characters"}
	}
	return nil
}

// checkTags refuses an empty tag, and one longer than limit characters
// when limit is not 0.
func checkTags(tags []string, limit int) error {
	for i, tag := range tags {
		if tag == "" {
			return &ValidationError{Field: "tags", Reason: "tag " + strconv.Itoa(i) + " is empty"}
		}
		if limit > 0 && utf8.RuneCountInString(tag) > limit {
			return &ValidationError{Field: "tags", Value: tag, Reason: "tag " + strconv.Itoa(i) + " is longer than " + strconv.Itoa(limit) + " characters"}
		}
	}
	return nil
}

// checkObjectIDs refuses the first of fields, each its API name and its
// value, whose value is set and is not 24 hex digits.
func checkObjectIDs(fields ...[2]string) error {
	for _, f := range fields {
		if f[1] != "" && !isObjectID(f[1]) {
			return &ValidationError{Field: f[0], Value: f[1], Pattern: ObjectIDPattern}
		}
	}
	return nil
}
