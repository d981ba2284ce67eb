package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"iter"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/applivery/applivery-go"
)

// print writes commands in the chosen format: text, one line per command
// (ID, type, status, last update), or JSON. one says whether the output is a
// single command rather than a list.
func (c *cli) print(cmds []*applivery.Command, one bool) error {
	return printAll(c, cmds, one, func(cmd *applivery.Command) []string {
		return []string{cmd.ID, string(cmd.Type()), string(cmd.Status), timestamp(cmd.UpdatedAt)}
	})
}

// printDevices writes devices in the chosen format: text, one line per
// device (ID, MDM user's email, policy name, last update), or JSON, the
// devices as the API sent them.
func (c *cli) printDevices(devices []*applivery.Device, one bool) error {
	return printAll(c, devices, one, func(d *applivery.Device) []string {
		email, policy := "", ""
		if d.MDMUser != nil {
			email = d.MDMUser.Email
		}
		if d.Policy != nil {
			policy = d.Policy.Name
		}
		return []string{d.ID, email, policy, timestamp(d.UpdatedAt)}
	})
}

// printAll writes items in the chosen format: JSON (the item, or an array
// of them), or text, one tab-separated line per item, with "-" for an empty
// field, every field oneLine.
func printAll[T any](c *cli, items []*T, one bool, fields func(*T) []string) error {
	if c.output == "json" {
		enc := json.NewEncoder(c.stdout)
		if one {
			return enc.Encode(items[0])
		}
		if items == nil {
			items = []*T{}
		}
		return enc.Encode(items)
	}
	for _, item := range items {
		fs := fields(item)
		for i, f := range fs {
			fs[i] = oneLine(cmp.Or(f, "-"))
		}
		if _, err := fmt.Fprintln(c.stdout, strings.Join(fs, "\t")); err != nil {
			return err
		}
	}
	return nil
}

// printList prints a list: text lines as the items come, or JSON, one array
// of them all.
func printList[T any](c *cli, items iter.Seq2[*T, error], print func([]*T, bool) error) error {
	var all []*T
	for item, err := range items {
		if err != nil {
			return err
		}
		if c.output == "text" {
			if err := print([]*T{item}, false); err != nil {
				return err
			}
			continue
		}
		all = append(all, item)
	}
	if c.output == "json" {
		return print(all, false)
	}
	return nil
}

// itemsOf iterates over the items of one page.
func itemsOf[T any](items []T) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) {
		for i := range items {
			if !yield(&items[i], nil) {
				return
			}
		}
	}
}

// timestamp is t in RFC 3339, or "" when it is zero.
func timestamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// oneLine is s as one field of a text line: every control character (C0,
// DEL, C1) and the Unicode line and paragraph separators, which a message
// from the API or a name from a file may hold, is written as an escape
// (\n, \r, \t, \x1b, \u2028), so that a line of the text output is one
// line, its fields split by tabs, whatever it quotes. JSON needs none of
// it: the encoder escapes them.
func oneLine(s string) string {
	if !strings.ContainsFunc(s, needsEscape) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if !needsEscape(r) {
			b.WriteRune(r)
			continue
		}
		switch r {
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			q := strconv.QuoteRune(r) // '\x1b', '\u2028'
			b.WriteString(q[1 : len(q)-1])
		}
	}
	return b.String()
}

// needsEscape reports whether r would break a text line or its fields.
func needsEscape(r rune) bool {
	return unicode.IsControl(r) || r == '\u2028' || r == '\u2029'
}
