package applivery

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestValidateCommand(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name              string
		org, dev, cmd     string
		wantField         string // "" when valid
		wantPatternInText string
	}{
		{name: "hex ids", org: validOrg, dev: validDevice, cmd: validCommand},
		{name: "org slug", org: "acme-fleet", dev: validDevice, cmd: validCommand},
		{name: "org slug of three", org: "a-b", dev: validDevice, cmd: validCommand},
		{name: "device serial", org: validOrg, dev: "R58M123ABC", cmd: validCommand},
		{name: "device with underscore", org: validOrg, dev: "pixel_8", cmd: validCommand},
		{name: "device of one char", org: validOrg, dev: "x", cmd: validCommand},
		{name: "uppercase hex command", org: validOrg, dev: validDevice, cmd: strings.ToUpper(validCommand)},

		{name: "empty org", org: "", dev: validDevice, cmd: validCommand, wantField: "organizationId"},
		{name: "org too short", org: "ab", dev: validDevice, cmd: validCommand, wantField: "organizationId"},
		{name: "org path traversal", org: "../admin", dev: validDevice, cmd: validCommand, wantField: "organizationId"},
		{name: "org with slash", org: "acme/fleet", dev: validDevice, cmd: validCommand, wantField: "organizationId"},
		{name: "org with backslash", org: `acme\fleet`, dev: validDevice, cmd: validCommand, wantField: "organizationId"},
		{name: "org with percent", org: "acme%2Ffleet", dev: validDevice, cmd: validCommand, wantField: "organizationId"},
		{name: "org with underscore", org: "acme_fleet", dev: validDevice, cmd: validCommand, wantField: "organizationId"},
		{name: "org with space", org: "acme fleet", dev: validDevice, cmd: validCommand, wantField: "organizationId"},
		{name: "org with trailing newline", org: "acme\n", dev: validDevice, cmd: validCommand, wantField: "organizationId"},
		{name: "org non-ascii", org: "acmé", dev: validDevice, cmd: validCommand, wantField: "organizationId"},
		{name: "empty device", org: validOrg, dev: "", cmd: validCommand, wantField: "emmDeviceId"},
		{name: "device with hyphen", org: validOrg, dev: "R58M-123", cmd: validCommand, wantField: "emmDeviceId"},
		{name: "device dot dot", org: validOrg, dev: "..", cmd: validCommand, wantField: "emmDeviceId"},
		{name: "device with tab", org: validOrg, dev: "a\tb", cmd: validCommand, wantField: "emmDeviceId"},
		{name: "device with query", org: validOrg, dev: "a?b=c", cmd: validCommand, wantField: "emmDeviceId"},
		{name: "device non-ascii letter", org: validOrg, dev: "ü", cmd: validCommand, wantField: "emmDeviceId"},
		{name: "empty command", org: validOrg, dev: validDevice, cmd: "", wantField: "emmCommandId"},
		{name: "command 23 hex", org: validOrg, dev: validDevice, cmd: validCommand[:23], wantField: "emmCommandId"},
		{name: "command 25 hex", org: validOrg, dev: validDevice, cmd: validCommand + "0", wantField: "emmCommandId"},
		{name: "command not hex", org: validOrg, dev: validDevice, cmd: "507f1f77bcf86cd79943901g", wantField: "emmCommandId"},
		{name: "command with cancel suffix", org: validOrg, dev: validDevice, cmd: validCommand + "/cancel", wantField: "emmCommandId"},
		{name: "first bad field is reported", org: "x", dev: "", cmd: "", wantField: "organizationId"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := validateCommand(tt.org, tt.dev, tt.cmd)
			if tt.wantField == "" {
				assert.NoError(t, err)
				return
			}
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tt.wantField, ve.Field)
			assert.True(t, errors.Is(err, ErrInvalidArgument))
			assert.NotEmpty(t, ve.Pattern)
			assert.Contains(t, err.Error(), ve.Pattern)
		})
	}
}

// FuzzPatterns proves the hand-written matchers equal to the documented
// regular expressions, on any input.
func FuzzPatterns(f *testing.F) {
	for _, s := range []string{
		"", "a", "ab", "abc", "a-b", "a_b", "---", validOrg, validCommand, strings.ToUpper(validCommand),
		validCommand[:23], validCommand + "0", "507f1f77bcf86cd79943901g", "../x", "a\n", "é", "\x00", "a b",
		"createdAt:desc", "config.metadata.type", ":asc", "a:asc:desc", "name:up", "a.b:desc\n", ":desc:desc",
	} {
		f.Add(s)
	}
	matchers := []struct {
		name  string
		re    *regexp.Regexp
		match func(string) bool
	}{
		{"organizationId", regexp.MustCompile(OrganizationIDPattern), isOrganizationID},
		{"emmDeviceId", regexp.MustCompile(DeviceIDPattern), isDeviceID},
		{"emmCommandId", regexp.MustCompile(CommandIDPattern), isObjectID},
		{"object id", regexp.MustCompile(ObjectIDPattern), isObjectID},
		{"sort", regexp.MustCompile(SortPattern), isSort},
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, m := range matchers {
			if got, want := m.match(s), m.re.MatchString(s); got != want {
				t.Errorf("%s matcher(%q) = %v, regexp %s says %v", m.name, s, got, m.re, want)
			}
		}
	})
}

func TestPatternsCompile(t *testing.T) {
	t.Parallel()
	for _, p := range []string{OrganizationIDPattern, DeviceIDPattern, CommandIDPattern, SortPattern} {
		_, err := regexp.Compile(p)
		assert.NoError(t, err, p)
	}
	// The documented rendering [a-zA-Z0-9\\-] would admit a backslash; the
	// intended class does not.
	assert.False(t, regexp.MustCompile(OrganizationIDPattern).MatchString(`a\b-c`))
}
