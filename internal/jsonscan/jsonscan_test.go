package jsonscan_test

import (
	"encoding/json"
	"testing"

	"github.com/applivery/applivery-go/internal/jsonscan"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The walker is checked against encoding/json through the objects that use
// it: FuzzDeviceDecode and TestDeviceUnmarshalJSONRefusesWhatJSONDoesNot in
// the applivery package.

type thing struct{}

func TestEachMemberRefusesMalformedObjects(t *testing.T) {
	t.Parallel()
	w := jsonscan.For[thing]()
	for _, b := range []string{``, `{`, `{"a"}`, `{"a":}`, `{"a":1,}`, `{"a" 1}`, `{"a":tru}`, "{\"a\":\"\x01\"}", `{"a":1} x`, `{1:2}`, `x`} {
		err := w.EachMember([]byte(b), func(string, []byte) {})
		assert.ErrorIs(t, err, jsonscan.ErrMalformed, "%q", b)
	}
	err := w.EachMember([]byte(`[1]`), func(string, []byte) {})
	var te *json.UnmarshalTypeError
	assert.ErrorAs(t, err, &te)
}

func TestNotAnObjectIsANewErrorEachTime(t *testing.T) {
	t.Parallel()
	// encoding/json writes the field's context into the error an
	// UnmarshalJSON returns: decodes running at once must not share one.
	w := jsonscan.For[thing]()
	a := w.EachMember([]byte(`"x"`), func(string, []byte) {})
	b := w.EachMember([]byte(`"x"`), func(string, []byte) {})
	assert.NotSame(t, a, b)
	assert.Equal(t, a, b)
}

func TestNotAnObjectNamesTheType(t *testing.T) {
	t.Parallel()
	err := jsonscan.For[thing]().EachMember([]byte(`[1]`), func(string, []byte) {})
	var te *json.UnmarshalTypeError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, "jsonscan_test.thing", te.Type.String())
	assert.Equal(t, "non-object", te.Value)
}

func TestEachMemberInOrderWithEscapedNames(t *testing.T) {
	t.Parallel()
	var names []string
	var values []string
	err := jsonscan.For[thing]().EachMember([]byte(` {"a":1, "b\u0063":{"x":[1]},"a":"z"} `), func(name string, value []byte) {
		names = append(names, name)
		values = append(values, string(value))
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "bc", "a"}, names)
	assert.Equal(t, []string{"1", `{"x":[1]}`, `"z"`}, values)
}

func TestString(t *testing.T) {
	t.Parallel()
	for give, want := range map[string]string{`"abc"`: "abc", `"caf\u00e9"`: "café", `"é"`: "é", `5`: "", `null`: "", `{}`: ""} {
		assert.Equal(t, want, jsonscan.String([]byte(give)), give)
	}
	assert.True(t, jsonscan.IsObject([]byte(`{}`)))
	assert.False(t, jsonscan.IsObject([]byte(`[]`)))
}
