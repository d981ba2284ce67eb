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
