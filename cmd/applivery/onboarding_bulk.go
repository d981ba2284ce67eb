package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
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

With --for-users FILE.csv (that of "users create --from") it creates a token
for each user of the file, found by email (not found: that row's failure),
and writes its QR code to DIR/email.png, the email in lower case (--qr-dir). A line per user gives the token's ID and the
PNG's path, never the one-time token. A user whose PNG is in DIR is skipped
(delete the PNG for a new token). DIR/email.pending is made before a create
is sent, and goes once the PNG is written or the API refused the create: a
create whose outcome is unknown, or a PNG not written, leaves it, and a
re-run sends no create for that user but says to check the console (the
token may exist) and delete the file to retry. The organization's limit of
tokens (code 5017) stops the run: exit 12, the last line after which user.
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
		flags.StringVar(&dir, "qr-dir", "", "with --for-users: write each user's QR code to `DIR`/email.png (made if missing)")
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
					tok, err := client.AndroidEnrollmentTokens.Create(ctx, c.org, req)
					return tok, duration.quoted(err)
				})
			}
			o := &tokensForUsers{client: client, org: c.org, req: req, dir: dir, dryRun: b.dryRun, duration: &duration}
			if err := o.check(&t); err != nil {
				return err
			}
			return b.forEach(ctx, c, client, func(ctx context.Context, email string) (*bulkLine, error) {
				return o.tokenFor(ctx, email)
			})
		}, b
	},
}

// tokensForUsers is a run of tokens for the users of a file: the token each
// gets, but for its user, and where its QR code goes.
type tokensForUsers struct {
	client *applivery.Client
	org    string
	req    *applivery.CreateAndroidEnrollmentTokenRequest
	dir    string
	dryRun bool
	// duration is --duration as given, which a refusal of it quotes.
	duration *secondsFlag
}

// check refuses the flags that a run for many users cannot take, and makes
// --qr-dir (not on a dry run, which changes nothing). A token is checked
// before any is sent, as the SDK checks it, by refusing the flags it
// names.
func (o *tokensForUsers) check(t *tokenFlags) error {
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

// tokenFor creates the token of one user and writes its QR code. A marker
// file, DIR/email.pending, is made before the create is sent and removed
// once the PNG is written, or once the API answered that it made no token:
// a create whose outcome is unknown, or a token whose PNG could not be
// written, leaves it, and a re-run sends no create for the user while it is
// there (the token may exist).
func (o *tokensForUsers) tokenFor(ctx context.Context, email string) (*bulkLine, error) {
	path, err := qrPath(o.dir, email)
	if err != nil {
		return nil, err
	}
	if _, err := os.Lstat(path); err == nil {
		// A token was made for this user by an earlier run: a re-run of
		// the file makes none twice.
		return &bulkLine{Skipped: "its QR code is there already: delete it to make a new token", QR: path}, nil
	}
	marker := strings.TrimSuffix(path, ".png") + ".pending"
	if _, err := os.Lstat(marker); err == nil {
		return nil, pendingError(marker)
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
	tok, err := o.makeToken(ctx, user.ID, marker)
	if err != nil {
		return nil, err
	}
	if err := writeTokenQR(tok, qrFile, path, nil); err != nil {
		return nil, fmt.Errorf("%w; %s stays, so that a re-run makes no second token for the user: delete it to make a new one", err, marker)
	}
	_ = os.Remove(marker) // the PNG, there now, keeps a re-run from the user
	return &bulkLine{Token: &lineToken{ID: tok.ID, ExpiresAt: timestamp(tok.ExpiresAt)}, QR: path}, nil
}

// makeToken makes the marker file, exclusively, and creates the token of the
// user userID. The marker is removed when the API answered that no token
// was made, and stays when the outcome is unknown.
func (o *tokensForUsers) makeToken(ctx context.Context, userID, marker string) (*applivery.EnrollmentToken, error) {
	f, err := os.OpenFile(marker, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return nil, pendingError(marker)
	}
	if err != nil {
		return nil, &localError{fmt.Errorf("applivery: no token was asked for: its marker file could not be made: %w", err)}
	}
	if err := f.Close(); err != nil {
		_ = os.Remove(marker)
		return nil, &localError{fmt.Errorf("applivery: no token was asked for: its marker file could not be made: %w", err)}
	}
	req := *o.req
	req.MDMUserID = userID
	tok, err := o.client.AndroidEnrollmentTokens.Create(ctx, o.org, &req)
	if err != nil && !errors.Is(err, applivery.ErrOutcomeUnknown) {
		_ = os.Remove(marker) // the API answered: no token was made
	}
	switch {
	case errors.Is(err, applivery.ErrLimitExceeded):
		return nil, &haltError{fmt.Errorf("%w: the organization holds as many enrollment tokens as it may: no more are asked for", err)}
	case errors.Is(err, applivery.ErrOutcomeUnknown):
		return nil, fmt.Errorf("%w: check the organization's enrollment tokens in the Applivery console; %s stays, so that a re-run makes no second token for the user: delete it to make one", err, marker)
	case err != nil:
		return nil, flagError(o.duration.quoted(err), tokenFlagNames)
	}
	return tok, nil
}

// pendingError is the failure of a user whose marker file an earlier run
// (or a row of this one) left: a token create was sent and its outcome is
// not known.
func pendingError(marker string) error {
	return &localError{fmt.Errorf("applivery: %s is there: a token create for this user was sent and its outcome is not known, "+
		"so none is sent again: check the organization's enrollment tokens in the Applivery console (the token may exist), "+
		"then delete the file to make a new one", marker)}
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
