package applivery

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/applivery/applivery-go/internal/jsonscan"
)

// ManagementMode is the ownership an Android enrollment token gives the
// organization over the devices that enroll with it.
type ManagementMode string

// The management modes the Android Enterprise token create documents. The
// AOSP (non-GMS) token documents DEVICE_OWNER only (and
// MANAGEMENT_MODE_UNSPECIFIED, which the SDK does not send).
const (
	ManagementModeDeviceOwner  ManagementMode = "DEVICE_OWNER"  // a fully managed device
	ManagementModeProfileOwner ManagementMode = "PROFILE_OWNER" // a work profile on a personal device
	ManagementModeCOPE         ManagementMode = "COPE"          // corporate-owned, personally enabled
	ManagementModeUserless     ManagementMode = "USERLESS"      // a device with no user
)

// EnrollmentToken is an enrollment token as the API returns it: what a
// device presents to enroll in the organization, for Android Enterprise,
// AOSP (non-GMS Android) or Apple. The three platforms answer with different
// objects: the fields below are those the SDK reads from any of them, and Raw
// keeps the whole object as it came, byte for byte. The reference shows the
// AOSP create's answer and the Apple list's items; that the Android and
// Apple creates answer with such a token is the SDK's reading. Decoding is
// lenient (see UnmarshalJSON): a member of the wrong type, or a date that
// does not parse, leaves its field zero and never fails a call.
//
// OneTimeToken is a secret: whoever holds it can enroll a device in the
// organization. fmt, with every verb, and log/slog print it as [REDACTED],
// and the token's forms inside the other fields too (see Format and
// LogValue). OneTimeToken, Raw, QRCode and perhaps EnrollmentLink still hold
// it, and so does json.Marshal's output: treat them as secrets. A slice of
// tokens, or a struct of yours that holds a token or a page, has no
// LogValue: slog's JSON handler marshals it, Raw included, so log a token or
// an [EnrollmentTokenPage] itself, not a slice or a struct holding one.
type EnrollmentToken struct {
	ID             string          // "id"
	Type           string          // "type", as sent ("aosp", "user", …)
	SubType        string          // "subType", as sent
	State          string          // "state", else "status" ("PENDING", …)
	ManagementMode ManagementMode  // "managementMode", else "summary"."managementMode"
	DisplayName    string          // "displayName"
	Tags           []string        // "tags"; nil when absent or not an array of strings
	OneTimeToken   string          // "config"."oneTimeToken": a secret, redacted from every fmt and slog output
	EnrollmentLink string          // "enrollmentLink", else "config"."enrollmentLink"; empty when not sent
	QRCode         json.RawMessage // "config"."qrCode", byte for byte (an object or a string); nil when absent
	ExpiresAt      time.Time       // "summary"."expirationTimestamp", else "expirationTimestamp", else "expireAt"; zero when absent or unparsable
	CreatedAt      time.Time       // "createdAt"; zero when absent or unparsable
	Raw            json.RawMessage // the whole token object as the API sent it; it holds the one-time token: a secret
}

// EnrollmentTokenPage is one page of an organization's enrollment tokens.
// Its pagination envelope is read as the other lists': every field is
// optional (one that is absent or null is 0, or false). fmt redacts the
// tokens' secrets as [EnrollmentToken]'s Format does, and log/slog logs the
// tokens as their LogValue does (see LogValue).
type EnrollmentTokenPage struct {
	Items                    []EnrollmentToken
	Page, Limit              int
	TotalDocs, TotalPages    int
	HasNextPage, HasPrevPage bool
	NextPage, PrevPage       int // 0 when null or absent
}

// The objects of an enrollment token that the decoder walks.
var (
	enrollmentTokenObject = jsonscan.For[EnrollmentToken]()
	tokenConfigObject     = jsonscan.For[tokenConfigJSON]()
	tokenSummaryObject    = jsonscan.For[tokenSummaryJSON]()
)

// tokenConfigJSON is the "config" of a token on the wire.
type tokenConfigJSON struct {
	OneTimeToken   string          `json:"oneTimeToken,omitempty"`
	EnrollmentLink string          `json:"enrollmentLink,omitempty"`
	QRCode         json.RawMessage `json:"qrCode,omitempty"`
}

// tokenSummaryJSON is the "summary" of a token on the wire.
type tokenSummaryJSON struct {
	ManagementMode      ManagementMode `json:"managementMode,omitempty"`
	ExpirationTimestamp *wireTime      `json:"expirationTimestamp,omitempty"`
}

// enrollmentTokenJSON is the typed part of a token on the wire, as
// MarshalJSON writes a token without Raw.
type enrollmentTokenJSON struct {
	ID             string           `json:"id,omitempty"`
	Type           string           `json:"type,omitempty"`
	SubType        string           `json:"subType,omitempty"`
	State          string           `json:"state,omitempty"`
	ManagementMode ManagementMode   `json:"managementMode,omitempty"`
	DisplayName    string           `json:"displayName,omitempty"`
	Tags           []string         `json:"tags,omitempty"`
	EnrollmentLink string           `json:"enrollmentLink,omitempty"`
	Config         *tokenConfigJSON `json:"config,omitempty"`
	Summary        tokenSummaryJSON `json:"summary"`
	CreatedAt      wireTime         `json:"createdAt"`
}

// tokenFallbacks are the members of a token read only when the member
// preferred to them is absent or unusable.
type tokenFallbacks struct {
	status, link, mode string
	expires            [2]time.Time // "expirationTimestamp", "expireAt"
}

// UnmarshalJSON decodes an enrollment token leniently and keeps b in Raw.
// Only JSON that is not well formed, or is not an object, is an error; null
// leaves t as it is. A member of the wrong type leaves its field zero.
//
// The three platforms answer with different objects: the AOSP create's
// documented answer has "status" and "state", "summary" and a "config" with
// the one-time token and the QR code; the Apple list's has "state",
// "enrollmentLink", "summary" and "expireAt", and an empty "config". Where
// a field can come from two members, the one named first in the field's
// comment wins when it is usable; "expireAt" (the Apple list's) is read last
// for ExpiresAt, as the SDK's reading.
func (t *EnrollmentToken) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var w EnrollmentToken
	var fb tokenFallbacks
	err := enrollmentTokenObject.EachMember(b, func(name string, value []byte) {
		switch name {
		case "id":
			w.ID = jsonscan.String(value)
		case "type":
			w.Type = jsonscan.String(value)
		case "subType":
			w.SubType = jsonscan.String(value)
		case "state":
			w.State = jsonscan.String(value)
		case "status":
			fb.status = jsonscan.String(value)
		case "managementMode":
			w.ManagementMode = ManagementMode(jsonscan.String(value))
		case "displayName":
			w.DisplayName = jsonscan.String(value)
		case "tags":
			w.Tags = jsonscan.Strings(value)
		case "enrollmentLink":
			w.EnrollmentLink = jsonscan.String(value)
		case "config":
			w.decodeConfig(value, &fb)
		case "summary":
			w.decodeSummary(value, &fb)
		case "expirationTimestamp":
			fb.expires[0] = timeOf(value)
		case "expireAt":
			fb.expires[1] = timeOf(value)
		case "createdAt":
			w.CreatedAt = timeOf(value)
		}
	})
	if err != nil {
		return err
	}
	w.State = cmp.Or(w.State, fb.status)
	w.EnrollmentLink = cmp.Or(w.EnrollmentLink, fb.link)
	w.ManagementMode = cmp.Or(w.ManagementMode, ManagementMode(fb.mode))
	for _, e := range fb.expires {
		if w.ExpiresAt.IsZero() {
			w.ExpiresAt = e
		}
	}
	w.Raw = append(json.RawMessage(nil), b...)
	*t = w
	return nil
}

// decodeConfig reads a token's "config": its one-time token and QR code,
// and the enrollment link when the token has none of its own.
func (t *EnrollmentToken) decodeConfig(v []byte, fb *tokenFallbacks) {
	if !jsonscan.IsObject(v) {
		return
	}
	_ = tokenConfigObject.EachMember(v, func(name string, value []byte) {
		switch name {
		case "oneTimeToken":
			t.OneTimeToken = jsonscan.String(value)
		case "qrCode":
			t.QRCode = append(json.RawMessage(nil), value...)
		case "enrollmentLink":
			fb.link = jsonscan.String(value)
		}
	})
}

// decodeSummary reads a token's "summary": its expiration, and the
// management mode when the token has none of its own.
func (t *EnrollmentToken) decodeSummary(v []byte, fb *tokenFallbacks) {
	if !jsonscan.IsObject(v) {
		return
	}
	_ = tokenSummaryObject.EachMember(v, func(name string, value []byte) {
		switch name {
		case "expirationTimestamp":
			t.ExpiresAt = timeOf(value)
		case "managementMode":
			fb.mode = jsonscan.String(value)
		}
	})
}

// MarshalJSON writes t.Raw when it is set, and the typed fields otherwise
// (empty ones left out, zero times null). Either way the output holds the
// one-time token: marshalling a token is the caller's explicit choice (to
// store it, or hand it on), and the output is a secret as the token is.
func (t EnrollmentToken) MarshalJSON() ([]byte, error) {
	if len(t.Raw) > 0 {
		return t.Raw, nil
	}
	w := enrollmentTokenJSON{
		ID: t.ID, Type: t.Type, SubType: t.SubType, State: t.State, ManagementMode: t.ManagementMode,
		DisplayName: t.DisplayName, Tags: t.Tags, EnrollmentLink: t.EnrollmentLink, CreatedAt: wireTime(t.CreatedAt),
	}
	if t.OneTimeToken != "" || len(t.QRCode) > 0 {
		w.Config = &tokenConfigJSON{OneTimeToken: t.OneTimeToken, QRCode: t.QRCode}
	}
	if !t.ExpiresAt.IsZero() {
		e := wireTime(t.ExpiresAt)
		w.Summary.ExpirationTimestamp = &e
	}
	return json.Marshal(w)
}

// listKey identifies the token within a list, for ListAll: by its ID, or by
// all of it when it has none.
func (t *EnrollmentToken) listKey() string { return rawKey(t.ID, t.Raw) }

// tokenView is an EnrollmentToken without its methods, for fmt to print
// field by field once redacted.
type tokenView EnrollmentToken

// redacted returns t with its one-time tokens replaced by [REDACTED]
// wherever they appear. Its one-time tokens are OneTimeToken and every
// value of a "oneTimeToken" member that Raw and QRCode hold, at any depth
// and decoded in full (see oneTimeTokensIn): the decoder keeps the last of
// two members of one name, which may be empty, and Raw keeps both. Each is
// replaced in every form (as sent, JSON-escaped, percent-encoded) in the
// other fields, and Raw and QRCode are walked string by string, so that a
// string that writes one with escapes of any character is redacted as it
// decodes (see redactText): a QR code or a link may well carry the token.
// t is unchanged.
func (t EnrollmentToken) redacted() tokenView {
	tokens := append(oneTimeTokensIn(t.Raw), oneTimeTokensIn(t.QRCode)...)
	forms := formsOf(append(tokens, t.OneTimeToken)...)
	if len(forms) == 0 {
		return tokenView(t)
	}
	v := tokenView(t)
	if v.OneTimeToken != "" {
		v.OneTimeToken = redacted
	}
	for _, s := range []*string{&v.ID, &v.Type, &v.SubType, &v.State, &v.DisplayName, &v.EnrollmentLink} {
		*s = forms.redactString(*s)
	}
	v.ManagementMode = ManagementMode(forms.redactString(string(v.ManagementMode)))
	if len(v.Tags) > 0 {
		v.Tags = append([]string(nil), v.Tags...)
		for i := range v.Tags {
			v.Tags[i] = forms.redactString(v.Tags[i])
		}
	}
	if v.QRCode != nil {
		v.QRCode = forms.redactText(v.QRCode)
	}
	if v.Raw != nil {
		v.Raw = forms.redactText(v.Raw)
	}
	return v
}

// Format prints t for every fmt verb as fmt prints a struct, with the
// one-time token redacted (see redacted): fmt.Println(token), %+v, %s and
// %q never show it. It has a value receiver, so that a token, a pointer to
// one, a page and a slice of them print redacted alike, and so does a
// caller's struct that holds one in an exported field. (fmt cannot call the
// methods of a value in an unexported field: it prints such a token as it
// is. Keep tokens in exported fields, or out of printed structs.)
func (t EnrollmentToken) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = io.WriteString(f, t.GoString())
		return
	}
	_, _ = fmt.Fprintf(f, fmt.FormatString(f, verb), t.redacted())
}

// GoString prints t as %#v does, with the one-time token redacted.
func (t EnrollmentToken) GoString() string {
	return strings.Replace(fmt.Sprintf("%#v", t.redacted()), "applivery.tokenView{", "applivery.EnrollmentToken{", 1)
}

// LogValue logs t, for log/slog, as a group of its typed fields with the
// one-time token redacted, and without Raw and QRCode.
func (t EnrollmentToken) LogValue() slog.Value {
	v := t.redacted()
	return slog.GroupValue(
		slog.String("id", v.ID), slog.String("type", v.Type), slog.String("subType", v.SubType),
		slog.String("state", v.State), slog.String("managementMode", string(v.ManagementMode)),
		slog.String("displayName", v.DisplayName), slog.String("oneTimeToken", v.OneTimeToken),
		slog.Time("expiresAt", v.ExpiresAt), slog.Time("createdAt", v.CreatedAt),
	)
}

// pageView is an EnrollmentTokenPage without its methods.
type pageView EnrollmentTokenPage

// Format prints p for every fmt verb as fmt prints a struct, each token
// redacted by its own Format.
func (p EnrollmentTokenPage) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = io.WriteString(f, p.GoString())
		return
	}
	_, _ = fmt.Fprintf(f, fmt.FormatString(f, verb), pageView(p))
}

// LogValue logs p, for log/slog, as a group of its paging fields and its
// tokens, "items", a group of each token's LogValue keyed by its index:
// without it slog's JSON handler would marshal the page, each token's Raw,
// one-time token included. (A bare []EnrollmentToken has no LogValue: the
// JSON handler marshals it, Raw and all, and the text handler prints it
// with fmt, redacted. Log a page, or each token, rather than a slice.)
func (p EnrollmentTokenPage) LogValue() slog.Value {
	items := make([]slog.Attr, len(p.Items))
	for i, t := range p.Items {
		items[i] = slog.Any(strconv.Itoa(i), t.LogValue())
	}
	return slog.GroupValue(
		slog.Attr{Key: "items", Value: slog.GroupValue(items...)},
		slog.Int("page", p.Page), slog.Int("limit", p.Limit),
		slog.Int("totalDocs", p.TotalDocs), slog.Int("totalPages", p.TotalPages),
		slog.Bool("hasNextPage", p.HasNextPage), slog.Bool("hasPrevPage", p.HasPrevPage),
		slog.Int("nextPage", p.NextPage), slog.Int("prevPage", p.PrevPage),
	)
}

// GoString prints p as %#v does, each token redacted.
func (p EnrollmentTokenPage) GoString() string {
	return strings.Replace(fmt.Sprintf("%#v", pageView(p)), "applivery.pageView{", "applivery.EnrollmentTokenPage{", 1)
}
