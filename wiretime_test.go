package applivery

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// FuzzWireTime checks that the shape check before time.Parse never refuses a
// timestamp time.Parse accepts: the leniency saves allocations, not data.
func FuzzWireTime(f *testing.F) {
	for _, s := range []string{
		"2026-02-10T14:30:00Z", "2026-02-10T14: 30:00Z", "2026-02-10t14:30:00.123456789+01:00", "2026-02-10T14:30:00z",
		"2026-02-10T14:30:00.Z", "2026-02-10T14:30:00-23:59", "2026-13-10T14:30:00Z", "2026-02-10 14:30:00Z", "", "x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := time.Parse(time.RFC3339Nano, s)
		var got wireTime
		b, _ := json.Marshal(s)
		if uerr := got.UnmarshalJSON(b); uerr != nil {
			t.Fatal(uerr)
		}
		if err == nil && !time.Time(got).Equal(want) {
			t.Fatalf("%q: time.Parse gives %v, the decoder %v", s, want, time.Time(got))
		}
		if err != nil && !time.Time(got).IsZero() {
			t.Fatalf("%q: time.Parse refuses it (%v), the decoder gives %v", s, err, time.Time(got))
		}
	})
}

func TestWireTimeSkipsWhatCannotParseWithoutAllocating(t *testing.T) {
	var w wireTime
	b := []byte(`"2026-02-10T14: 30:00Z"`)
	allocs := testing.AllocsPerRun(100, func() { _ = w.UnmarshalJSON(b) })
	assert.Zero(t, allocs)
	assert.True(t, time.Time(w).IsZero())
}
