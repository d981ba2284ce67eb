package applivery

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// referenceSHA256 is the SHA-256 of the API's OpenAPI transcription,
// shared/reference/openapi.yaml, which testdata/openapi.yaml copies for the
// contract tests (contract/). Update both together.
const referenceSHA256 = "75d7417330469a308f0a27713ad927b397ffc6725c31d7cb2df943c9d2ef1dd7"

func TestOpenAPISpecIsTheReference(t *testing.T) {
	t.Parallel()
	spec, err := os.ReadFile("testdata/openapi.yaml")
	require.NoError(t, err)
	sum := sha256.Sum256(spec)
	assert.Equal(t, referenceSHA256, hex.EncodeToString(sum[:]), "testdata/openapi.yaml differs from the reference it copies")

	// Beside a checkout of the workspace, compare with the reference itself.
	reference, err := os.ReadFile("../shared/reference/openapi.yaml")
	if errors.Is(err, fs.ErrNotExist) {
		t.Log("shared/reference/openapi.yaml is not beside this checkout; compared with its recorded SHA-256 only")
		return
	}
	require.NoError(t, err)
	assert.Equal(t, string(reference), string(spec), "copy shared/reference/openapi.yaml to testdata/ and update referenceSHA256")
}
