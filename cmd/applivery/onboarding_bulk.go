package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/applivery/applivery-go"
)

var androidTokensCreateCommand = &cmdSpec{
	words: "android enrollment-tokens create",
	args:  "--org ORG --mode MODE [--policy ID] [--duration 24h] [--name N] [--tag T]... [--send-email] ([--user ID] [--qr FILE.png|-] | --for-users FILE.csv --qr-dir DIR [--dry-run])",
	short: "create an Android Enterprise enrollment token and its QR code, or one for each user of a CSV file",
	long: `Create creates an Android Enterprise enrollment token. Its QR code is the
JSON object of Android's provisioning extras, encoded byte for byte as the
API sent it.
` + tokenHelp + `

With --for-users FILE.csv (the file of "users create --from": email,name,
tags,language) it creates a token for each user of the file, found by email
(a user not found is that row's failure: run "users create --from" first),
and writes its QR code to DIR/email.png (--qr-dir, created if missing; an
email that is no plain file name is refused). A line per user gives the
token's ID and the PNG's path, never the one-time token. A user whose PNG is
in DIR already is skipped, so a re-run of the file makes no token twice;
delete the PNG to make a new one. A token create is never sent twice: one
whose outcome is unknown is that user's failure (the console tells). The organization's limit of tokens
(code 5017) stops the run: exit 12, and the last line says after which user.
` + rowsHelp + bulkHelp,
	exits: append([]int{exitLocal}, bulkExits...),
	setup: func(c *cli, flags *flag.FlagSet) (runFunc, *bulkFlags) {
		var (
			t        tokenFlags
			mode     string
			policy   string
			duration secondsFlag
			dir      string
		)
		flags.StringVar(&mode, "mode", "", "the management `MODE` (required): DEVICE_OWNER, PROFILE_OWNER, COPE or USERLESS")
		flags.StringVar(&policy, "policy", "", "the policy the devices get, by `ID` (24 hex digits)")
		flags.Var(&duration, "duration", "how long the token stays valid: seconds (3600) or a Go `DURATION` (24h); 1m to 30 days")
		t.register(flags, false)
		rows := &userRows{}
		b := &bulkFlags{rows: rows.read}
		b.registerRows(flags, "for-users", "create a token for each user of this CSV `FILE` (- for stdin), found by email")
		flags.StringVar(&dir, "qr-dir", "", "with --for-users: write each user's QR code to `DIR`/email.png, the email in lower case")
		c.registerRate(flags)
		return func(ctx context.Context, client *applivery.Client) error {
			d, err := durationOf(&duration)
			if err != nil {
				return err
			}
			req := &applivery.CreateAndroidEnrollmentTokenRequest{ManagementMode: applivery.ManagementMode(strings.ToUpper(mode)),
				SendEmail: t.sendEmail, PolicyID: policy, DisplayName: t.name, Tags: t.tags, Duration: d, MDMUserID: t.user}
			if !b.many(c) {
				if dir != "" {
					return &usageError{"--qr-dir goes with --for-users FILE"}
				}
				return c.createToken(ctx, t.qr, func(ctx context.Context) (*applivery.EnrollmentToken, error) {
					return client.AndroidEnrollmentTokens.Create(ctx, c.org, req)
				})
			}
			o := &onboarding{client: client, org: c.org, req: req, dir: dir, dryRun: b.dryRun}
			if err := o.check(&t); err != nil {
				return err
			}
			return b.forEach(ctx, c, client, func(ctx context.Context, email string) (*bulkLine, error) {
				return o.tokenFor(ctx, email)
			})
		}, b
	},
}

// onboarding is a run of tokens for the users of a file: the token each
// gets, but for its user, and where its QR code goes.
type onboarding struct {
	client *applivery.Client
	org    string
	req    *applivery.CreateAndroidEnrollmentTokenRequest
	dir    string
	dryRun bool
}

// check refuses the flags that a run for many users cannot take, and makes
// --qr-dir (not on a dry run, which changes nothing). A token is checked
// before any is sent, as the SDK checks it, by refusing the flags it
// names.
func (o *onboarding) check(t *tokenFlags) error {
	switch {
	case o.dir == "":
		return &usageError{"--for-users needs --qr-dir DIR: each user's QR code is written there"}
	case t.qr != "":
		return &usageError{"--qr makes one token's QR code: with --for-users they go to --qr-dir"}
	case t.user != "":
		return &usageError{"--user names one user: with --for-users the users come from the file"}
	case o.req.ManagementMode == "":
		return &usageError{"--mode: required"}
	}
	if info, err := os.Stat(o.dir); err == nil && !info.IsDir() {
		return &usageError{fmt.Sprintf("--qr-dir %s: not a directory", o.dir)}
	}
	if o.dryRun {
		return nil
	}
	if err := os.MkdirAll(o.dir, 0o755); err != nil {
		return &usageError{"--qr-dir: " + err.Error()}
	}
	return nil
}

// tokenFor creates the token of one user and writes its QR code.
func (o *onboarding) tokenFor(ctx context.Context, email string) (*bulkLine, error) {
	path, err := qrPath(o.dir, email)
	if err != nil {
		return nil, err
	}
	if _, err := os.Lstat(path); err == nil {
		// A token was made for this user by an earlier run: a re-run of
		// the file makes none twice.
		return &bulkLine{Skipped: "its QR code is there already: delete it to make a new token", QR: path}, nil
	}
	user, err := findUser(ctx, o.client, o.org, email)
	switch {
	case err != nil:
		return nil, err
	case user == nil:
		return nil, fmt.Errorf("applivery: no MDM user has the email %s: create the users first (applivery users create --org %s --from FILE): %w",
			email, o.org, applivery.ErrNotFound)
	case o.dryRun:
		return &bulkLine{DryRun: true, WouldCreate: "token", User: &lineUser{user}, QR: path}, nil
	}
	req := *o.req
	req.MDMUserID = user.ID
	tok, err := o.client.AndroidEnrollmentTokens.Create(ctx, o.org, &req)
	switch {
	case errors.Is(err, applivery.ErrLimitExceeded):
		return nil, &haltError{fmt.Errorf("%w: the organization holds as many enrollment tokens as it may: no more are asked for", err)}
	case errors.Is(err, applivery.ErrOutcomeUnknown):
		return nil, fmt.Errorf("%w: check the organization's enrollment tokens in the Applivery console before running this user again", err)
	case err != nil:
		return nil, flagError(err, tokenFlagNames)
	}
	if err := writeTokenQR(tok, qrFile, path, nil); err != nil {
		return nil, err
	}
	return &bulkLine{Token: &lineToken{ID: tok.ID, ExpiresAt: timestamp(tok.ExpiresAt)}, QR: path}, nil
}

// qrPath is the path of email's QR code in dir, the email in lower case (a
// user's email is one whatever its case, and so is its file on any file
// system), or a usage error for an email that is no plain file name: one
// that would escape dir.
func qrPath(dir, email string) (string, error) {
	name := strings.ToLower(email) + ".png"
	if strings.ContainsAny(email, `/\`+"\x00") || strings.Contains(email, "..") || !filepath.IsLocal(name) {
		return "", &usageError{fmt.Sprintf("email %q: not a plain file name for its QR code in --qr-dir: no separator, no \"..\"", email)}
	}
	return filepath.Join(dir, name), nil
}
