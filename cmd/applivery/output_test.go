package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestOneLineEscapesEveryControlCharacter(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"plain: ünïcode, \"quotes\", back\\slash": "plain: ünïcode, \"quotes\", back\\slash",
		"a\nb\rc\td":                   `a\nb\rc\td`,
		"esc\x1b[31mred\x00nul\x7fdel": `esc\x1b[31mred\x00nul\x7fdel`,
		"c1\u0085next\u009bcsi":        `c1\u0085next\u009bcsi`,
		"ls\u2028ps\u2029":             `ls\u2028ps\u2029`,
	} {
		assert.Equal(t, want, oneLine(in), "%q", in)
	}
}
