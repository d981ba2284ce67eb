package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/applivery/applivery-go"
)

// The commands of "applivery users": the organization's MDM users, the
// people devices enroll for.

// userFlags are the flags of the users' list and create filters, by the
// API's name for each.
var userFlags = map[string]string{
	"search":         "--search",
	"email":          "--email",
	"name":           "--name",
	"language":       "--language",
	"managedAppleId": "--managed-apple-id",
}

var usersListCommand = &cmdSpec{
	words: "users list",
	args:  "--org ORG [--search Q] [--email E] [--tag TAG]...",
	short: "show an organization's MDM users",
	long: `List shows the organization's MDM users that match the filters, every page,
fetched as the output goes. As text, a line per user: ID, email, name, tags
(comma-separated) and language ("-" when the API sent none); as JSON, the
users as the API sent them.`,
	setup: func(c *cli, flags *flag.FlagSet) (runFunc, *bulkFlags) {
		var (
			opts applivery.ListUsersOptions
			tags stringList
		)
		flags.StringVar(&opts.Search, "search", "", "only users that match the text `Q` (email, name, …)")
		flags.StringVar(&opts.Email, "email", "", "only the user with this `EMAIL`")
		flags.Var(&tags, "tag", "only users with this `TAG`; repeatable")
		return func(ctx context.Context, client *applivery.Client) error {
			opts.Tags = tags
			return flagError(printList(c, client.Users.ListAll(ctx, c.org, &opts), c.printUsers), userFlags)
		}, nil
	},
}

var usersCreateCommand = &cmdSpec{
	words: "users create",
	args:  "--org ORG (--email E [--name N] [--tag T]... [--language L] [--managed-apple-id ID] | --from FILE.csv [--dry-run])",
	short: "create an MDM user, or every user of a CSV file",
	long: `Create creates an MDM user and prints it. An email the organization holds
already is refused (code 5048) with exit status 13.

With --from FILE.csv (- for stdin) it creates every user of the file, a line
each: the file's first line names its columns, email (required), name, tags
(separated by ";") and language, in any order and any case. A user that
exists already is a success, "existing", with the user found by email: a
re-run of the same file creates nothing twice. A create whose outcome is
unknown looks the user up by email: found, it is a success; not found, that
user's failure, and a re-run is safe (the API refuses an email it holds). A row with a bad email or language is that row's failure;
a file that is not CSV stops the run (exit 12).
` + rowsHelp + bulkHelp,
	exits: append([]int{exitExists}, bulkExits...),
	setup: func(c *cli, flags *flag.FlagSet) (runFunc, *bulkFlags) {
		var (
			req  applivery.CreateUserRequest
			tags stringList
		)
		flags.StringVar(&req.Email, "email", "", "the user's `EMAIL` (required without --from)")
		flags.StringVar(&req.Name, "name", "", "the user's `NAME`")
		flags.Var(&tags, "tag", "a `TAG` of the user; repeatable")
		flags.StringVar(&req.Language, "language", "", "the `LANGUAGE` of the user's e-mails: es, en, fr, de, it, zh, pt or ru")
		flags.StringVar(&req.ManagedAppleID, "managed-apple-id", "", "the user's managed Apple `ID`")
		rows := &userRows{}
		b := &bulkFlags{rows: rows.read}
		b.registerRows(flags, "from", "create every user of this CSV `FILE` (- for stdin): email,name,tags,language")
		c.registerRate(flags)
		return func(ctx context.Context, client *applivery.Client) error {
			req.Tags = tags
			if b.many(c) {
				oneUser := req.Email != "" || req.Name != "" || len(tags) > 0 || req.Language != "" || req.ManagedAppleID != ""
				if b.devicesFrom != "" && oneUser {
					return &usageError{"--email, --name, --tag, --language and --managed-apple-id make one user: the users of --from come from its rows"}
				}
				return b.forEach(ctx, c, client, func(ctx context.Context, email string) (*bulkLine, error) {
					return onboardUser(ctx, client, c.org, rows.get(email), b.dryRun)
				})
			}
			return c.createUser(ctx, client, &req)
		}, b
	},
}

// createUser creates one user and prints it.
func (c *cli) createUser(ctx context.Context, client *applivery.Client, req *applivery.CreateUserRequest) error {
	user, err := client.Users.Create(ctx, c.org, req)
	if errors.Is(err, applivery.ErrAlreadyExists) {
		return fmt.Errorf("%w: \"applivery users list --email %s\" shows the user", err, req.Email)
	}
	if err != nil {
		return flagError(err, userFlags)
	}
	return c.printUsers([]*applivery.User{user}, true)
}

// onboardUser creates the user of one row of a run over a file, and
// returns its line: a user that exists already is a success, found by
// email. A dry run looks it up and creates nothing.
func onboardUser(ctx context.Context, client *applivery.Client, org string, row userRow, dryRun bool) (*bulkLine, error) {
	if dryRun {
		user, err := findUser(ctx, client, org, row.email)
		switch {
		case err != nil:
			return nil, err
		case user != nil:
			return &bulkLine{Existing: true, User: &lineUser{user}}, nil
		}
		return &bulkLine{DryRun: true, WouldCreate: "user"}, nil
	}
	user, err := client.Users.Create(ctx, org, row.request())
	if err == nil {
		return &bulkLine{User: &lineUser{user}}, nil
	}
	if !errors.Is(err, applivery.ErrAlreadyExists) && !errors.Is(err, applivery.ErrOutcomeUnknown) {
		return nil, err
	}
	found, ferr := findUser(ctx, client, org, row.email)
	switch {
	case ferr != nil:
		return nil, fmt.Errorf("%w; and looking the user up by email failed: %w", err, ferr)
	case found == nil && errors.Is(err, applivery.ErrAlreadyExists):
		return nil, fmt.Errorf("%w; yet no user with that email is listed", err)
	case found == nil:
		// Not listed may be not created, or not listed yet: no certainty,
		// but a re-run cannot make the user twice.
		return nil, fmt.Errorf("%w; no user with that email is listed after the unknown outcome, so it may not have been created: "+
			"a re-run is safe, as the API refuses an email it holds (code 5048) and the run takes that user as existing", err)
	}
	// A create whose outcome was unknown, and whose user is there, made it.
	return &bulkLine{Existing: errors.Is(err, applivery.ErrAlreadyExists), User: &lineUser{found}}, nil
}

// findUser returns the user whose email is email, whatever its case, or
// nil when the organization has none.
func findUser(ctx context.Context, client *applivery.Client, org, email string) (*applivery.User, error) {
	for user, err := range client.Users.ListAll(ctx, org, &applivery.ListUsersOptions{Email: email}) {
		if err != nil {
			return nil, err
		}
		if strings.EqualFold(user.Email, email) {
			return user, nil
		}
	}
	return nil, nil
}

// printUsers writes users: as text, a line each with the ID, email, name,
// tags and language; as JSON, the users as the API sent them.
func (c *cli) printUsers(users []*applivery.User, one bool) error {
	return printAll(c, users, one, func(u *applivery.User) []string {
		return []string{u.ID, u.Email, u.Name, strings.Join(u.Tags, ","), u.Language}
	})
}
