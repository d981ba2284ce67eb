package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSecondsFlag(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, give, want, wantErr string
	}{
		{name: "plain seconds", give: "3600", want: "3600s"},
		{name: "seconds with their unit", give: "3600s", want: "3600s"},
		{name: "a Go duration", give: "1h", want: "3600s"},
		{name: "a Go duration of parts", give: "1h30m", want: "5400s"},
		{name: "none", give: "", want: ""},
		{name: "a fraction of a second", give: "1.5s", wantErr: `--duration "1.5s": the API takes whole seconds`},
		{name: "zero", give: "0", wantErr: `--duration "0": must be more than 0 seconds`},
		{name: "negative", give: "-5m", wantErr: `--duration "-5m": must be more than 0 seconds`},
		{name: "NaN", give: "NaN", wantErr: `--duration "NaN": must be more than 0 seconds`},
		{name: "words", give: "an hour", wantErr: `--duration "an hour": not a duration: use seconds (3600) or a Go duration`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var f secondsFlag
			require.NoError(t, f.Set(tt.give))
			got, err := f.seconds("--duration")
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}
