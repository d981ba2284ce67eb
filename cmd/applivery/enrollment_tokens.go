package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/applivery/applivery-go"
)

// The commands of the enrollment tokens: what a device presents to enroll,
// and the QR code a person scans to present it.
//
// The one-time token printed on stdout is the command's product, as "gh
// auth token" prints a token: stderr, --verbose's log included, never
// carries it. With --qr the QR code is the product, and the output leaves
// the one-time token out (and the enrollment link when it holds the
// token).

// tokenFlagNames are the flags that give each field of a token create, by
// the API's name for it.
var tokenFlagNames = map[string]string{
	"managementMode": "--mode",
	"policyId":       "--policy",
	"mdmUserId":      "--user",
	"displayName":    "--name",
	"duration":       "--duration",
	"tags":           "--tag",
	"language":       "--language",
}

// tokenHelp is the help every token create shares.
const tokenHelp = `
Without --qr it prints the token: as text its ID, state, expiry, enrollment
link and one-time token; as JSON the token as the API sent it. The one-time
token is a secret that enrolls devices in the organization: stdout is the
only place it goes, never stderr nor --verbose's log. --qr FILE.png writes
the token's QR code, the provisioning payload a device's setup scans, and
prints the token's ID, state, expiry and the PNG's path instead (and the
enrollment link when it holds the one-time token in no form, raw or
escaped); --qr - draws the QR code on stdout, when it is a terminal.`

// tokenFlags are the flags of a token create that every platform takes.
type tokenFlags struct {
	name, user, language, qr string
	tags                     stringList
	sendEmail                bool
}

// register adds them, those of what a platform lacks left out.
func (t *tokenFlags) register(flags *flag.FlagSet, language bool) {
	flags.StringVar(&t.name, "name", "", "the token's display `NAME`")
	flags.Var(&t.tags, "tag", "a `TAG` of the token; repeatable")
	flags.StringVar(&t.user, "user", "", "the MDM user the token is for, by `ID` (24 hex digits)")
	flags.BoolVar(&t.sendEmail, "send-email", false, "e-mail the user the enrollment instructions")
	if language {
		flags.StringVar(&t.language, "language", "", "the `LANGUAGE` of the e-mail: es, en, fr, de, it, zh, pt or ru")
	}
	flags.StringVar(&t.qr, "qr", "", "write the token's QR code to this PNG `FILE`, or draw it on the terminal with -")
}

// durationOf is the value of a --duration flag as a time.Duration, 0 when
// not given.
func durationOf(d *secondsFlag) (time.Duration, error) {
	s, err := d.seconds("--duration")
	if err != nil || s == "" {
		return 0, err
	}
	return time.ParseDuration(s)
}

// createToken checks --qr before anything is sent, creates the token and
// prints it as --qr and --output say.
func (c *cli) createToken(ctx context.Context, qr string, create func(ctx context.Context) (*applivery.EnrollmentToken, error)) error {
	kind, err := qrTarget(qr, c.stdoutTerminal)
	if err != nil {
		return err
	}
	if kind == qrTerminal && c.output == "json" {
		return &usageError{"--qr - draws the QR code on the terminal: with --output json, write it to a file with --qr FILE.png"}
	}
	if kind == qrFile {
		if err := checkQRFile(qr); err != nil {
			return err
		}
	}
	tok, err := create(ctx)
	if err != nil {
		if errors.Is(err, applivery.ErrLimitExceeded) {
			return fmt.Errorf("%w: the organization holds as many enrollment tokens as it may", err)
		}
		return flagError(err, tokenFlagNames)
	}
	if kind != qrNone {
		if err := writeTokenQR(tok, kind, qr, c.stdout); err != nil {
			return err
		}
	}
	return c.printToken(tok, kind, qr)
}

// checkQRFile refuses, before the token is created, a --qr FILE that could
// not be written: its directory missing, or a directory in its place.
func checkQRFile(path string) error {
	if info, err := os.Stat(filepath.Dir(path)); err != nil || !info.IsDir() {
		return &usageError{fmt.Sprintf("--qr %s: no directory %s to write it in", path, filepath.Dir(path))}
	}
	if info, err := os.Stat(path); err == nil && info.IsDir() {
		return &usageError{fmt.Sprintf("--qr %s: is a directory, not a PNG file", path)}
	}
	return nil
}

// writeTokenQR writes the QR code of tok to the PNG file path, or draws it
// on the terminal w. A failure says that the token was created.
func writeTokenQR(tok *applivery.EnrollmentToken, kind qrKind, path string, w io.Writer) error {
	payload, err := qrPayload(tok.QRCode)
	switch {
	case err != nil:
	case kind == qrFile:
		err = writeQRFile(path, payload)
	default:
		err = printQRTerminal(w, payload)
	}
	if err != nil {
		return &localError{fmt.Errorf("applivery: token %s was created, but its QR code could not be written: %w", tok.ID, err)}
	}
	return nil
}

// qrPayload is what a token's QR code encodes: the provisioning payload as
// the API sent it in config.qrCode. An object (Android's provisioning
// extras) is encoded byte for byte as its JSON; a string (Apple's link) as
// the string's value, which is what a scanner expects, not its quoted JSON.
func qrPayload(raw json.RawMessage) ([]byte, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, errors.New("the API sent no QR code (config.qrCode) for the token")
	}
	if raw[0] != '"' {
		return raw, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("the token's QR code (config.qrCode): %w", err)
	}
	if s == "" {
		return nil, errors.New("the API sent an empty QR code (config.qrCode) for the token")
	}
	return []byte(s), nil
}

// printToken prints a created token: whole, one-time token included,
// without --qr; its summary and the QR code's path with it.
func (c *cli) printToken(tok *applivery.EnrollmentToken, kind qrKind, path string) error {
	if kind == qrNone {
		return printAll(c, []*applivery.EnrollmentToken{tok}, true, func(t *applivery.EnrollmentToken) []string {
			return []string{t.ID, t.State, timestamp(t.ExpiresAt), t.EnrollmentLink, t.OneTimeToken}
		})
	}
	// A field that holds the one-time token, in any spelling, is as secret
	// as the token: the link (which carries it in most APIs) is left out,
	// and so would be an ID or a state that did.
	hide := func(s string) string {
		if holdsSecret(s, tok.OneTimeToken) {
			return ""
		}
		return s
	}
	id, state, link := hide(tok.ID), hide(tok.State), hide(tok.EnrollmentLink)
	if kind == qrTerminal {
		path = "-"
	}
	if c.output == "json" {
		return json.NewEncoder(c.stdout).Encode(tokenSummary{id, state, timestamp(tok.ExpiresAt), link, path})
	}
	return printAll(c, []*applivery.EnrollmentToken{tok}, true, func(t *applivery.EnrollmentToken) []string {
		return []string{id, state, timestamp(t.ExpiresAt), link, "qr " + path}
	})
}

// holdsSecret tells whether s holds secret in any spelling a link or a
// JSON text gives it: as it is, query- or path-escaped (with upper- or
// lower-case hex digits, or every character escaped), or JSON-escaped
// ("\u003c", "\/"). Letter case is not looked at, so any mix of hex
// digits is found: a false match only leaves a link out.
func holdsSecret(s, secret string) bool {
	if secret == "" {
		return false
	}
	j, _ := json.Marshal(secret) // escapes <, > and & too, as \u003c
	var plain bytes.Buffer
	enc := json.NewEncoder(&plain)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(secret)
	p := bytes.TrimSpace(plain.Bytes())
	forms := []string{secret, url.QueryEscape(secret), url.PathEscape(secret),
		strings.ReplaceAll(url.QueryEscape(secret), "+", "%20"),
		string(j[1 : len(j)-1]), string(p[1 : len(p)-1]),
		strings.ReplaceAll(secret, "/", `\/`)}
	lower := strings.ToLower(s)
	for _, form := range forms {
		if strings.Contains(lower, strings.ToLower(form)) {
			return true
		}
	}
	// A spelling of its own (every character escaped, escaped twice): s
	// unescaped, once and twice, holds the secret as it is.
	for range 2 {
		u, err := url.QueryUnescape(s)
		if err != nil {
			u, err = url.PathUnescape(s)
		}
		if err != nil || u == s {
			break
		}
		if s = u; strings.Contains(s, secret) {
			return true
		}
	}
	return false
}

// tokenSummary is a token without its secrets, as --qr prints it with
// --output json.
type tokenSummary struct {
	ID             string `json:"id"`
	State          string `json:"state,omitempty"`
	ExpiresAt      string `json:"expiresAt,omitempty"`
	EnrollmentLink string `json:"enrollmentLink,omitempty"`
	QR             string `json:"qr"`
}

var aospTokensCreateCommand = &cmdSpec{
	words: "aosp enrollment-tokens create",
	args:  "--org ORG [--mode DEVICE_OWNER] (--duration D | --perpetual) [--user ID] [--language L] [--name N] [--tag T]... [--send-email] [--qr FILE.png|-]",
	short: "create an AOSP (non-GMS Android) enrollment token, and its QR code",
	long: `Create creates an enrollment token for AOSP (non-GMS) Android devices:
for --duration (seconds, or a Go duration such as 24h), or --perpetual,
reusable after an enrollment.
` + tokenHelp,
	exits: []int{exitLocal},
	setup: func(c *cli, flags *flag.FlagSet) (runFunc, *bulkFlags) {
		var (
			t         tokenFlags
			mode      string
			duration  secondsFlag
			perpetual bool
		)
		flags.StringVar(&mode, "mode", string(applivery.ManagementModeDeviceOwner), "the management `MODE`: DEVICE_OWNER")
		flags.Var(&duration, "duration", "how long the token stays valid: seconds (3600) or a Go `DURATION` (24h)")
		flags.BoolVar(&perpetual, "perpetual", false, "a token with no expiry, reusable after an enrollment")
		t.register(flags, true)
		return func(ctx context.Context, client *applivery.Client) error {
			d, err := durationOf(&duration)
			if err != nil {
				return err
			}
			if (d == 0) == !perpetual {
				return &usageError{"give --duration D or --perpetual, one of them"}
			}
			req := &applivery.CreateAOSPEnrollmentTokenRequest{ManagementMode: applivery.ManagementMode(strings.ToUpper(mode)),
				Duration: d, Perpetual: perpetual, SendEmail: t.sendEmail, Language: t.language,
				DisplayName: t.name, Tags: t.tags, MDMUserID: t.user}
			return c.createToken(ctx, t.qr, func(ctx context.Context) (*applivery.EnrollmentToken, error) {
				tok, err := client.AOSPEnrollmentTokens.Create(ctx, c.org, req)
				return tok, duration.quoted(err)
			})
		}, nil
	},
}

var appleTokensCreateCommand = &cmdSpec{
	words: "apple enrollment-tokens create",
	args:  "--org ORG [--user ID] [--name N] [--tag T]... [--language L] [--send-email] [--qr FILE.png|-]",
	short: "create an Apple enrollment token, and its QR code",
	long: `Create creates an enrollment token for Apple devices. Its QR code encodes
the token's enrollment link.
` + tokenHelp,
	exits: []int{exitLocal},
	setup: func(c *cli, flags *flag.FlagSet) (runFunc, *bulkFlags) {
		var t tokenFlags
		t.register(flags, true)
		return func(ctx context.Context, client *applivery.Client) error {
			req := &applivery.CreateAppleEnrollmentTokenRequest{DisplayName: t.name, Tags: t.tags,
				MDMUserID: t.user, SendEmail: t.sendEmail, Language: t.language}
			return c.createToken(ctx, t.qr, func(ctx context.Context) (*applivery.EnrollmentToken, error) {
				return client.AppleEnrollmentTokens.Create(ctx, c.org, req)
			})
		}, nil
	},
}

var appleTokensListCommand = &cmdSpec{
	words: "apple enrollment-tokens list",
	args:  "--org ORG [--show-deleted]",
	short: "show an organization's Apple enrollment tokens",
	long: `List shows the organization's Apple enrollment tokens, every page. As text,
a line per token: ID, state, expiry and display name, never its one-time
token; as JSON, the tokens as the API sent them, one-time tokens included:
a secret, as create's output is.`,
	setup: func(c *cli, flags *flag.FlagSet) (runFunc, *bulkFlags) {
		var opts applivery.ListEnrollmentTokensOptions
		flags.BoolVar(&opts.ShowDeleted, "show-deleted", false, "the deleted tokens too")
		return func(ctx context.Context, client *applivery.Client) error {
			return printList(c, client.AppleEnrollmentTokens.ListAll(ctx, c.org, &opts), func(toks []*applivery.EnrollmentToken, one bool) error {
				return printAll(c, toks, one, func(t *applivery.EnrollmentToken) []string {
					return []string{t.ID, t.State, timestamp(t.ExpiresAt), t.DisplayName}
				})
			})
		}, nil
	},
}
