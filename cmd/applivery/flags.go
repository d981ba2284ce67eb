package main

import (
	"errors"
	"flag"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/applivery/applivery-go"
)

// secondsFlag is a duration flag that takes a Go duration (90m, 1h30m) or
// plain seconds (3600, 3600s), and sends it as the API writes durations:
// whole seconds, "3600s". It is checked when the command is made, so that
// the error quotes a long value cut short, as every flag's error does.
type secondsFlag struct{ given string }

func (d *secondsFlag) String() string     { return d.given }
func (d *secondsFlag) Set(s string) error { d.given = s; return nil }

// quoted is err, but for the SDK's refusal of the duration: that quotes
// the flag as the user typed it (2678400, 31d…), not as the SDK saw it
// (744h0m0s).
func (d *secondsFlag) quoted(err error) error {
	var ve *applivery.ValidationError
	if errors.As(err, &ve) && ve.Field == "duration" && ve.Reason != "" && d.given != "" {
		return flagValueError("--duration", d.given, ve.Reason)
	}
	return err
}

// seconds returns the duration as the API writes it, or "" when none was
// given.
func (d *secondsFlag) seconds(name string) (string, error) {
	if d.given == "" {
		return "", nil
	}
	var seconds float64
	if n, err := strconv.ParseFloat(d.given, 64); err == nil {
		seconds = n
	} else if dur, err := time.ParseDuration(d.given); err == nil {
		seconds = dur.Seconds()
	} else {
		return "", flagValueError(name, d.given, "not a duration: use seconds (3600) or a Go duration (1h, 90m, 3600s)")
	}
	switch {
	case math.IsNaN(seconds) || seconds <= 0:
		return "", flagValueError(name, d.given, "must be more than 0 seconds")
	case seconds != math.Trunc(seconds):
		return "", flagValueError(name, d.given, "the API takes whole seconds")
	case seconds > math.MaxInt32:
		return "", flagValueError(name, d.given, "longer than the API takes")
	}
	return strconv.FormatInt(int64(seconds), 10) + "s", nil
}

// stringList is a flag that can be given several times.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

// optionalInt is an int flag that tells whether it was given.
type optionalInt struct{ value *int }

func (o *optionalInt) String() string {
	if o.value == nil {
		return ""
	}
	return strconv.Itoa(*o.value)
}

func (o *optionalInt) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil {
		return err
	}
	o.value = &n
	return nil
}

// Get makes refuseNegative check it like the int flags.
func (o *optionalInt) Get() any {
	if o.value == nil {
		return 0
	}
	return *o.value
}

// refuseNegative returns a usage error for the first flag set to a negative
// duration or count: none means anything (a negative --timeout would be no
// timeout at all).
func refuseNegative(flags *flag.FlagSet) error {
	var err error
	flags.Visit(func(f *flag.Flag) {
		if err != nil {
			return
		}
		getter, ok := f.Value.(flag.Getter)
		if !ok {
			return
		}
		switch v := getter.Get().(type) {
		case int:
			if v < 0 {
				err = &usageError{fmt.Sprintf("--%s %d: must be 0 or more", f.Name, v)}
			}
		case time.Duration:
			if v < 0 {
				err = &usageError{fmt.Sprintf("--%s %s: must be 0 or more", f.Name, v)}
			}
		}
	})
	return err
}
