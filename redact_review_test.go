package applivery

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// Review: redactString cuts its result to the length of its input, so a
// secret shorter than "[REDACTED]" (a short Request.Secrets value such as a
// PIN, or a short one-time token) makes the message lose its end: "PIN 1234
// rejected for the device" comes back as "PIN [REDACTED] rejected for th".
func TestReviewRedactStringKeepsTheRestOfTheMessage(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "PIN [REDACTED] rejected for the device", formsOf("1234").redactString("PIN 1234 rejected for the device"))
}
