// The onboarding command onboards a few people end to end: it makes each
// one an MDM user of the organization, then creates an Android Enterprise
// enrollment token for them (a fully managed device, DEVICE_OWNER, valid 7
// days by default) and prints, per person, the token's ID, its expiry and
// its enrollment link.
//
// With APPLIVERY_API_KEY set, it works on the Applivery API (or on
// APPLIVERY_BASE_URL, when set), on the people of a CSV file whose columns
// are email and name (a header row and the name are optional):
//
//	go run ./examples/onboarding -org ORG -people people.csv
//
// Without a key, it says so and runs against an in-process demo server
// (appliverytest) on the three people of people.csv, built in, so it runs
// anywhere with no account.
//
// Running it twice is safe: a person who already is a user (the create
// answers ErrAlreadyExists) is looked up by email and gets a new token. A
// user create whose outcome is unknown (ErrOutcomeUnknown) is never
// repeated blindly: the user is looked up by email first, and created again
// only when not there (the API refuses a second user with the same email).
//
// The one-time token of an enrollment token is a secret: whoever holds it
// can enroll a device in the organization. The program never prints it, and
// the enrollment link, which carries it on Android Enterprise, is printed
// with it redacted. -send-email has Applivery e-mail each person the
// instructions and QR code; the applivery command line writes QR code files.
// The program writes nothing to disk.
//
// The exit status is 0 when everyone was onboarded, 1 when a call failed
// (an unknown outcome included), 2 for bad flags or a bad people file, and
// 3 when the organization is at its limit of enrollment tokens
// (ErrLimitExceeded, code 5017).
package main

import (
	"context"
	_ "embed"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"time"

	"github.com/applivery/applivery-go"
	"github.com/applivery/applivery-go/appliverytest"
)

// defaultPeople are the people onboarded without -people.
//
//go:embed people.csv
var defaultPeople string

// The exit statuses.
const (
	exitOK       = 0
	exitFailed   = 1
	exitUsage    = 2
	exitAtLimit  = 3
	maxValidDays = 30 // the longest an Android enrollment token is valid
)

// person is one row of the people file.
type person struct {
	Email, Name string
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("onboarding", flag.ContinueOnError)
	flags.SetOutput(stderr)
	org := flags.String("org", "acme-fleet", "organization ID or slug")
	peopleFile := flags.String("people", "", "CSV file of the people to onboard, columns email,name (default: the three built in)")
	days := flags.Int("days", 7, "days each enrollment token stays valid, 1 to 30")
	sendEmail := flags.Bool("send-email", false, "have Applivery e-mail each person the enrollment instructions and QR code")
	timeout := flags.Duration("timeout", 2*time.Minute, "time allowed for the whole job")
	if err := flags.Parse(args); err != nil {
		return exitUsage
	}
	if *days < 1 || *days > maxValidDays {
		fmt.Fprintf(stderr, "-days is %d: a token is valid 1 to %d days\n", *days, maxValidDays)
		return exitUsage
	}
	people, err := readPeople(*peopleFile)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
	client, closeDemo, err := newClient(getenv, stdout, *org)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitFailed
	}
	defer closeDemo()

	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	fmt.Fprintf(stdout, "Onboarding %d people in organization %s, each with an Android enrollment token valid %d days.\n",
		len(people), *org, *days)
	var last *applivery.EnrollmentToken
	for i, p := range people {
		user, how, err := ensureUser(ctx, client, *org, p)
		if err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", p.Email, err)
			return exitFailed
		}
		fmt.Fprintf(stdout, "%s: %s user %s\n", who(p), how, user.ID)
		tok, err := client.AndroidEnrollmentTokens.Create(ctx, *org, &applivery.CreateAndroidEnrollmentTokenRequest{
			ManagementMode: applivery.ManagementModeDeviceOwner,
			MDMUserID:      user.ID,
			Duration:       time.Duration(*days) * 24 * time.Hour,
			SendEmail:      *sendEmail,
		})
		switch {
		case errors.Is(err, applivery.ErrLimitExceeded):
			fmt.Fprintf(stderr, "Organization %s is at its limit of enrollment tokens: %d of %d people got one.\n"+
				"Delete unused tokens in the Applivery dashboard, or ask Applivery for a higher limit, then onboard the rest: %s.\n%v\n",
				*org, i, len(people), emails(people[i:]), err)
			return exitAtLimit
		case errors.Is(err, applivery.ErrOutcomeUnknown):
			fmt.Fprintf(stderr, "%s: the enrollment token may have been created: look at the organization's Android enrollment tokens before creating another.\n%v\n", p.Email, err)
			return exitFailed
		case err != nil:
			fmt.Fprintf(stderr, "%s: %v\n", p.Email, err)
			return exitFailed
		}
		expires := "no expiry in the answer"
		if !tok.ExpiresAt.IsZero() {
			expires = "expires " + tok.ExpiresAt.UTC().Format(time.RFC3339)
		}
		link := "none in the answer"
		if tok.EnrollmentLink != "" {
			link = redact(tok.EnrollmentLink, tok.OneTimeToken)
		}
		fmt.Fprintf(stdout, "  token %s, %s\n  link  %s\n", tok.ID, expires, link)
		last = tok
	}
	// The token's fields hold the secret, but fmt never prints it: Raw and
	// QRCode (which hold it too) are left out here only to keep the line
	// short, and they would print redacted as well.
	shown := *last
	shown.Raw, shown.QRCode = nil, nil
	fmt.Fprintf(stdout, "Done. The one-time tokens are secrets, never printed: fmt redacts them, as %%+v of the last token shows\n"+
		"(Raw and QRCode, which hold the token too, left out for brevity):\n  %+v\n", shown)
	return exitOK
}

// newClient returns a client of the API when APPLIVERY_API_KEY is set, else
// of an embedded demo server, with the function that closes it.
func newClient(getenv func(string) string, stdout io.Writer, org string) (*applivery.Client, func(), error) {
	if key := getenv("APPLIVERY_API_KEY"); key != "" {
		opts := []applivery.Option{applivery.WithUserAgent("onboarding-example")}
		if base := getenv("APPLIVERY_BASE_URL"); base != "" {
			opts = append(opts, applivery.WithBaseURL(base))
		}
		client, err := applivery.NewClient(key, opts...)
		return client, func() {}, err
	}
	fmt.Fprintln(stdout, "APPLIVERY_API_KEY is not set: running against an embedded demo server.")
	srv := appliverytest.NewServer()
	// An organization the API could not hold is not added: the SDK refuses
	// it below, and nothing is sent.
	if regexp.MustCompile(applivery.OrganizationIDPattern).MatchString(org) {
		srv.AddOrganization(org)
	}
	client, err := srv.NewClient(applivery.WithUserAgent("onboarding-example"))
	return client, srv.Close, err
}

// ensureUser returns the organization's MDM user for p, created unless it
// already exists, and says which.
func ensureUser(ctx context.Context, client *applivery.Client, org string, p person) (*applivery.User, string, error) {
	req := &applivery.CreateUserRequest{Email: p.Email, Name: p.Name}
	for again := false; ; again = true {
		user, err := client.Users.Create(ctx, org, req)
		switch {
		case err == nil:
			return user, "created", nil
		case errors.Is(err, applivery.ErrAlreadyExists):
			user, ferr := findUser(ctx, client, org, p.Email)
			if ferr != nil {
				return nil, "", ferr
			}
			if user == nil {
				return nil, "", fmt.Errorf("the user exists, but no user with this email is listed: %w", err)
			}
			return user, "existing", nil
		case errors.Is(err, applivery.ErrOutcomeUnknown):
			// The user may have been created: look before creating again.
			user, ferr := findUser(ctx, client, org, p.Email)
			if ferr != nil {
				return nil, "", fmt.Errorf("%w; looking the user up by email failed too: %v", err, ferr)
			}
			if user != nil {
				return user, "created (found by email after a lost answer)", nil
			}
			if again {
				return nil, "", err
			}
			// Not created. A second create cannot make a second user: the
			// API refuses an email it holds (ErrAlreadyExists, above).
		default:
			return nil, "", err
		}
	}
}

// findUser returns the organization's MDM user with the email, whatever its
// case, or nil when there is none.
func findUser(ctx context.Context, client *applivery.Client, org, email string) (*applivery.User, error) {
	page, err := client.Users.List(ctx, org, &applivery.ListUsersOptions{Email: email})
	if err != nil {
		return nil, err
	}
	for i := range page.Items {
		if strings.EqualFold(page.Items[i].Email, email) {
			return &page.Items[i], nil
		}
	}
	return nil, nil
}

// readPeople reads the people file at path, or the built-in people when
// path is empty: CSV rows of an email and, optionally, a name, after an
// optional header row; lines starting with # are comments.
func readPeople(path string) ([]person, error) {
	name, text := "people.csv (built in)", defaultPeople
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		name, text = path, string(b)
	}
	r := csv.NewReader(strings.NewReader(text))
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	r.Comment = '#'
	var people []person
	seen := map[string]bool{}
	first := true
	for {
		row, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := r.FieldPos(0)
		if len(row) > 2 {
			return nil, fmt.Errorf("%s:%d: %d columns: want email,name", name, line, len(row))
		}
		p := person{Email: strings.TrimSpace(row[0])}
		if len(row) == 2 {
			p.Name = strings.TrimSpace(row[1])
		}
		header := first && strings.EqualFold(p.Email, "email")
		first = false
		key := strings.ToLower(p.Email)
		switch {
		case header:
			continue
		case p.Email == "":
			return nil, fmt.Errorf("%s:%d: no email", name, line)
		case seen[key]:
			return nil, fmt.Errorf("%s:%d: %s is listed twice", name, line, p.Email)
		}
		seen[key] = true
		people = append(people, p)
	}
	if len(people) == 0 {
		return nil, fmt.Errorf("%s: nobody to onboard", name)
	}
	return people, nil
}

// who names p: the email, and the name in parentheses when there is one.
func who(p person) string {
	if p.Name == "" {
		return p.Email
	}
	return p.Email + " (" + p.Name + ")"
}

// emails lists the people's emails, comma-separated.
func emails(people []person) string {
	list := make([]string, len(people))
	for i, p := range people {
		list[i] = p.Email
	}
	return strings.Join(list, ", ")
}

// redact returns s with the secret, as it is and percent-encoded, replaced
// by [REDACTED]: an Android Enterprise enrollment link carries the token.
func redact(s, secret string) string {
	if secret == "" {
		return s
	}
	for _, form := range []string{secret, url.QueryEscape(secret), url.PathEscape(secret)} {
		s = strings.ReplaceAll(s, form, "[REDACTED]")
	}
	return s
}
