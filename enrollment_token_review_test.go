package applivery

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
