package main

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/applivery/applivery-go"
)

// The onboarding file of "users create --from" and "android
// enrollment-tokens create --for-users": a CSV file of people, one a row.
//
// Its first line names the columns, in any order and in any case: email
// (required), name, tags and language. A row's tags are separated by ";"
// (a "," would need quoting in a CSV file; "|" stays a character of a
// tag). Lines that start with "#" are comments. A row whose email or
// language the API would refuse is that row's failure line; a file that is
// not CSV (a row of another number of fields, a stray quote) stops the
// intake as a broken devices file does.

// rowsHelp tells how the fleet runs' help reads for a run over a file.
const rowsHelp = `
In a run over a file, a row is what a device is below: --after takes an
email, and a line names the row by its email ("line N" without one). An
email is one whatever its case: a later row of it is skipped, a duplicate.`

// csvColumns are the columns an onboarding file may have.
var csvColumns = []string{"email", "name", "tags", "language"}

// csvLanguages are the languages the API takes for a user.
var csvLanguages = []string{"es", "en", "fr", "de", "it", "zh", "pt", "ru"}

// userRow is a row of an onboarding file.
type userRow struct {
	email, name, language string
	tags                  []string
}

// request is the user the row describes.
func (r userRow) request() *applivery.CreateUserRequest {
	return &applivery.CreateUserRequest{Email: r.email, Name: r.name, Tags: r.tags, Language: r.language}
}

// userRows are the rows of an onboarding file, by email in lower case, as
// the run reads them: the source yields the email as the row writes it, and
// the job finds the row by it. Emails are one whatever their letter case,
// as the API's lookup by email takes them: the first row of an email is
// done, and a later one is reported as its duplicate.
type userRows struct {
	mu   sync.Mutex
	rows map[string]userRow
	// lines are the line of each email's first row, by email in lower case.
	lines map[string]int
}

// get returns the row of email, whatever its letter case.
func (u *userRows) get(email string) userRow {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.rows[strings.ToLower(email)]
}

// add keeps the row of a line, and returns the line of the email's first
// row when the row is not its first: one of an email already read,
// whatever its letter case.
func (u *userRows) add(row userRow, line int) (first int, dup bool) {
	key := strings.ToLower(row.email)
	u.mu.Lock()
	defer u.mu.Unlock()
	if first, ok := u.lines[key]; ok {
		return first, true
	}
	u.rows[key], u.lines[key] = row, line
	return 0, false
}

// duplicateRow is a row whose email an earlier row has, whatever its letter
// case: the run reports it as skipped, done once.
type duplicateRow struct{ first int }

func (e *duplicateRow) Error() string {
	return fmt.Sprintf("duplicates line %d (the same email, letter case aside): done once", e.first)
}

// rowError is a row of an onboarding file that is no user: a usage error,
// as an invalid --email is.
type rowError struct {
	line int
	msg  string
}

func (e *rowError) Error() string        { return fmt.Sprintf("applivery: line %d: %s", e.line, e.msg) }
func (e *rowError) Is(target error) bool { return target == applivery.ErrInvalidArgument }

// read reads an onboarding file from r, yielding each row's email (or
// "line N" for a row without one) with its failure, if any. A file that
// cannot be read to its end yields a *sourceError and ends.
func (u *userRows) read(r io.Reader, yield func(string, error) bool) {
	u.mu.Lock()
	u.rows, u.lines = map[string]userRow{}, map[string]int{}
	u.mu.Unlock()
	cr := csv.NewReader(withoutBOM(r))
	cr.Comment, cr.TrimLeadingSpace, cr.ReuseRecord = '#', true, false
	header, err := cr.Read()
	if err == nil {
		err = checkHeader(header)
	}
	var usage *usageError
	switch {
	case errors.As(err, &usage):
		yield("", usage)
		return
	case errors.Is(err, io.EOF):
		err = errors.New("no header line: the first line names the columns (email,name,tags,language)")
	}
	if err != nil {
		yield("", &sourceError{err: fmt.Errorf("applivery: reading the CSV file: %w", err), exit: exitIncomplete})
		return
	}
	for {
		record, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			yield("", &sourceError{err: fmt.Errorf("applivery: reading the CSV file: %w", err), exit: exitIncomplete})
			return
		}
		line, _ := cr.FieldPos(0)
		row, err := parseRow(header, record, line)
		key := row.email
		if key == "" {
			key = fmt.Sprintf("line %d", line)
		}
		if err == nil {
			if first, dup := u.add(row, line); dup {
				err = &duplicateRow{first}
			}
		}
		if !yield(key, err) {
			return
		}
	}
}

// withoutBOM is r without the UTF-8 byte order mark it may start with (an
// Excel export, pandas' utf-8-sig), taken off before the CSV reader sees the
// header, which may be quoted.
func withoutBOM(r io.Reader) io.Reader {
	br := bufio.NewReader(r)
	if bom, err := br.Peek(3); err == nil && string(bom) == "\uFEFF" {
		_, _ = br.Discard(3)
	}
	return br
}

// checkHeader refuses, as a usage error (the file is no onboarding file,
// and nothing was done), a header line without an email column, or with a
// column the file cannot have (a typo would drop a column silently) or
// names twice.
func checkHeader(header []string) error {
	for i, name := range header {
		header[i] = strings.ToLower(strings.TrimSpace(name))
		if !slices.Contains(csvColumns, header[i]) {
			return &usageError{fmt.Sprintf("unknown column %q in the header line: the columns are %s", name, strings.Join(csvColumns, ", "))}
		}
		if slices.Contains(header[:i], header[i]) {
			return &usageError{fmt.Sprintf("column %q twice in the header line", name)}
		}
	}
	if !slices.Contains(header, "email") {
		return &usageError{"the file has no email column: its first line names the columns, email (required), name, tags and language"}
	}
	return nil
}

// parseRow reads a record by its header, and refuses a row whose email or
// language the API would refuse.
func parseRow(header, record []string, line int) (userRow, error) {
	var row userRow
	for i, name := range header {
		value := strings.TrimSpace(record[i])
		switch name {
		case "email":
			row.email = value
		case "name":
			row.name = value
		case "language":
			row.language = strings.ToLower(value)
		case "tags":
			for _, tag := range strings.Split(value, ";") {
				if tag = strings.TrimSpace(tag); tag != "" {
					row.tags = append(row.tags, tag)
				}
			}
		}
	}
	if err := checkEmail(row.email); err != nil {
		return row, &rowError{line: line, msg: err.Error()}
	}
	if row.language != "" && !slices.Contains(csvLanguages, row.language) {
		return row, &rowError{line: line, msg: fmt.Sprintf("language %q: must be one of %s", row.language, strings.Join(csvLanguages, ", "))}
	}
	return row, nil
}

// checkEmail refuses what is no email address, as the SDK does.
func checkEmail(email string) error {
	at := strings.LastIndexByte(email, '@')
	switch {
	case email == "":
		return errors.New("no email")
	case len(email) > 254:
		return fmt.Errorf("email %q…: longer than 254 bytes", email[:maxShownValue])
	case strings.IndexFunc(email, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		return fmt.Errorf("email %q: holds a space or a control character", email)
	case at <= 0 || at == len(email)-1:
		return fmt.Errorf("email %q: must be an address, local@domain", email)
	}
	return nil
}
