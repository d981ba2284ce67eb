package applivery_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"testing"

	"github.com/applivery/applivery-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// docs/security.md's table promises the one-time token kept out of the
// "fmt and log/slog output of a token, a page of them, a slice or any
// struct that holds one in an exported field". slog's JSON handler
// marshals a struct (it has no LogValue), and a token marshals as its Raw:
// the token is logged whole, for a struct holding a token or a page. (The
// bare slice, which the table names too, is a gap the paragraph below it
// admits; a struct is not.)
func TestReview2SlogJSONOfAStructHoldingATokenIsRedacted(t *testing.T) {
	t.Parallel()
	const secret = "OTT-review2-5b1e0f"
	var tok applivery.EnrollmentToken
	require.NoError(t, json.Unmarshal([]byte(`{"id":"65a1f0c2e4b0a1b2c3d4e5f6","config":{"oneTimeToken":"`+secret+`"}}`), &tok))
	require.Equal(t, secret, tok.OneTimeToken)
	page := applivery.EnrollmentTokenPage{Items: []applivery.EnrollmentToken{tok}, Page: 1}

	type created struct {
		User  string
		Token applivery.EnrollmentToken
	}
	type listed struct {
		Page *applivery.EnrollmentTokenPage
	}
	for name, v := range map[string]any{
		"a struct holding a token": created{User: "ana", Token: tok},
		"a struct holding a page":  listed{Page: &page},
	} {
		var out bytes.Buffer
		slog.New(slog.NewJSONHandler(&out, nil)).Info("onboarded", "what", v)
		assert.NotContains(t, out.String(), secret, "%s: %s", name, out.String())
	}
}
