package applivery

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Review: fmt must never print the one-time token a token's Raw holds, even
// when the object names "oneTimeToken" twice (the decoder keeps the last,
// empty, value and then redacts nothing) or writes it with JSON escapes an
// encoder may choose for any character (\u0053 for "S").
func TestReviewTokenFormatRedactsEveryOneTimeTokenOfRaw(t *testing.T) {
	t.Parallel()
	const ott = "SECRETOTT7Q2K9X4M1"
	for _, tt := range []struct{ name, raw, leak string }{
		{"a second, empty oneTimeToken member", `{"id":"t1","config":{"oneTimeToken":"` + ott + `","oneTimeToken":""}}`, ott},
		{"a \\u escape of an ASCII letter", `{"id":"t1","config":{"oneTimeToken":"\u0053` + ott[1:] + `"}}`, ott[1:]},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var tok EnrollmentToken
			require.NoError(t, json.Unmarshal([]byte(tt.raw), &tok))
			page := EnrollmentTokenPage{Items: []EnrollmentToken{tok}}
			for _, out := range []string{fmtAll(tok), fmtAll(&tok), fmtAll(page), fmtAll(&page)} {
				assert.NotContains(t, out, tt.leak)
			}
		})
	}
}

// Review: an error of a token create must not carry the one-time token when
// a 2xx envelope with status false echoes it in its message and its data
// writes it with a \u escape (or a "\/"): oneTimeTokensIn reads no value, or
// only the part before the first escape, and the message is left as it is.
func TestReviewTokenCreateErrorRedactsAnEscapedOneTimeToken(t *testing.T) {
	t.Parallel()
	const ott = "SECRETOTT7Q2K9X4M1"
	for _, tt := range []struct{ name, wire, leak string }{
		{"a \\u escape", `\u0053` + ott[1:], ott[1:]},
		{"an escaped slash", "SEC\\/RETOTT7Q2K9X4M1", "/RETOTT7Q2K9X4M1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			body := `{"status":false,"error":{"code":9,"message":"token ` + tt.wire + ` refused"},"data":{"config":{"oneTimeToken":"` + tt.wire + `"}}}`
			var logs bytes.Buffer
			c, mt := newMockClient(t, WithMaxRetries(0), WithLogger(slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
			mt.RegisterResponder(http.MethodPost, androidTokensURL, httpmock.NewStringResponder(200, body))
			_, err := c.AndroidEnrollmentTokens.Create(context.Background(), validOrg, &CreateAndroidEnrollmentTokenRequest{ManagementMode: ManagementModeDeviceOwner})
			require.Error(t, err)
			assert.NotContains(t, err.Error(), tt.leak)
			assert.NotContains(t, fmtAll(err), tt.leak)
		})
	}
}

// Review: WithResponse's Header of a successful token create keeps a header
// that carries the one-time token (an enrollment link in Location, say),
// though the SDK has read the token from the answer and could redact it.
func TestReviewTokenCreateResponseHeaderRedactsTheOneTimeToken(t *testing.T) {
	t.Parallel()
	const ott = "SECRETOTT7Q2K9X4M1"
	c, mt := newMockClient(t, WithMaxRetries(0))
	mt.RegisterResponder(http.MethodPost, androidTokensURL, func(*http.Request) (*http.Response, error) {
		resp := httpmock.NewStringResponse(201, `{"status":true,"data":{"id":"t1","config":{"oneTimeToken":"`+ott+`"}}}`)
		resp.Header.Set("Location", "https://enterprise.google.com/android/enroll?et="+ott)
		return resp, nil
	})
	var resp Response
	tok, err := c.AndroidEnrollmentTokens.Create(context.Background(), validOrg,
		&CreateAndroidEnrollmentTokenRequest{ManagementMode: ManagementModeDeviceOwner}, WithResponse(&resp))
	require.NoError(t, err)
	require.Equal(t, ott, tok.OneTimeToken)
	assert.NotContains(t, fmtAll(resp), ott)
}

// Review: a raw call keeps no error body under an enrollment-tokens
// collection only when the segment is spelled exactly so; the API's router
// (Express's, case-insensitive by default) and any server that decodes %2D
// answer the same tokens at other spellings, whose errors then keep a body
// with the one-time token in it.
func TestReviewRawCallToTokenPathSpelledOtherwiseKeepsNoBody(t *testing.T) {
	t.Parallel()
	const ott = "SECRETOTT7Q2K9X4M1"
	cut := `{"status":true,"data":{"id":"t1","config":{"oneTimeToken":"` + ott + `","qrCode":{"k":"x`
	for _, path := range []string{
		"/organizations/" + validOrg + "/mdm/android/enterprise/Enrollment-Tokens",
		"/organizations/" + validOrg + "/mdm/android/enterprise/enrollment%2Dtokens",
	} {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockClient(t, WithMaxRetries(0))
			mt.RegisterNoResponder(httpmock.NewStringResponder(200, cut))
			err := c.Do(context.Background(), &Request{Method: http.MethodGet, Path: path}, nil)
			apiErr := requireAPIError(t, err)
			assert.Nil(t, apiErr.Body)
			assert.NotContains(t, fmtAll(err), ott)
		})
	}
}

// Review: a token logs redacted through its LogValue, but a page of tokens
// has none: slog's JSON handler marshals it, and each token's MarshalJSON
// writes Raw, one-time token included.
func TestReviewTokenPageLogsRedacted(t *testing.T) {
	t.Parallel()
	const ott = "SECRETOTT7Q2K9X4M1"
	var tok EnrollmentToken
	require.NoError(t, json.Unmarshal([]byte(`{"id":"t1","config":{"oneTimeToken":"`+ott+`"}}`), &tok))
	page := &EnrollmentTokenPage{Items: []EnrollmentToken{tok}}
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("listed", "page", page)
	assert.NotContains(t, logs.String(), ott)
}
