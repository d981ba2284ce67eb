package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/applivery/applivery-go"
)

// deviceIDRE is the pattern of a device named on the command line.
var deviceIDRE = regexp.MustCompile(applivery.DeviceIDPattern)

// maxDeviceLine bounds a line of a devices file. No device ID, serial
// number or IMEI comes near it; a longer line is one bad line, and the lines
// after it are read as usual.
const maxDeviceLine = 4096

// badLineError is the failure of a line of a devices file that is no device.
type badLineError struct {
	line   string
	reason string // why, when it is not the pattern
}

// Is makes a bad line a usage error, as an invalid --device is.
func (e *badLineError) Is(target error) bool { return target == applivery.ErrInvalidArgument }

func (e *badLineError) Error() string {
	if e.reason != "" {
		return fmt.Sprintf("applivery: %q…: %s", e.line, e.reason)
	}
	return fmt.Sprintf("applivery: %q is not a device ID, serial number or IMEI: it must match %s", e.line, applivery.DeviceIDPattern)
}

// sourceError is a device source that could not be read to its end: the
// device listing failed, or the devices file could not be read. The run
// cannot know which devices it did not see.
type sourceError struct {
	err  error
	exit int // the status of the failure itself
	// halted says that no source broke: a device's failure stopped the run
	// (see haltError).
	halted bool
}

func (e *sourceError) Error() string { return e.err.Error() }
func (e *sourceError) Unwrap() error { return e.err }

// readDevices reads a devices file: one device a line, blank lines and #
// comments skipped, spaces around a device and a UTF-8 byte order mark at the
// start ignored. A line longer than maxDeviceLine is yielded as a
// *badLineError and the next lines are read as usual; a read error is
// yielded as a *sourceError and ends it.
func readDevices(r io.Reader, yield func(string, error) bool) {
	br := bufio.NewReaderSize(r, maxDeviceLine+1)
	for n := 1; ; n++ {
		line, long, err := readBoundedLine(br, maxDeviceLine)
		if n == 1 {
			line = bytes.TrimPrefix(line, []byte("\uFEFF"))
		}
		text := strings.TrimSpace(string(line))
		switch {
		case long:
			if !yield(text[:min(len(text), maxShownValue)], &badLineError{line: text[:min(len(text), maxShownValue)],
				reason: fmt.Sprintf("line %d is longer than %d bytes: no device is that long", n, maxDeviceLine)}) {
				return
			}
		case text == "" || strings.HasPrefix(text, "#"):
		case !deviceIDRE.MatchString(text):
			if !yield(text, &badLineError{line: text}) {
				return
			}
		default:
			if !yield(text, nil) {
				return
			}
		}
		switch {
		case errors.Is(err, io.EOF):
			return
		case err != nil:
			yield("", &sourceError{err: fmt.Errorf("applivery: reading --devices-from after line %d: %w", n-1, err), exit: exitIncomplete})
			return
		}
	}
}

// readBoundedLine reads a line of br without its line ending, and at most
// max bytes of it: long says that it was longer, and the rest of it was
// read and dropped. err is io.EOF at the end of the input, with the last
// line if it had no line ending.
func readBoundedLine(br *bufio.Reader, max int) (line []byte, long bool, err error) {
	for {
		chunk, err := br.ReadSlice('\n')
		if room := max + 2 - len(line); room > 0 { // +2: the line ending
			line = append(line, chunk[:min(len(chunk), room)]...)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) > max {
			return line[:max], true, err
		}
		return line, false, err
	}
}
