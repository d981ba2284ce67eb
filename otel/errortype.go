package appliveryotel

import (
	"context"
	"errors"
	"fmt"
	"net"
	"reflect"
	"strconv"
	"strings"

	"github.com/applivery/applivery-go"
)

// sdkModule is the import path of the core module: its error types mostly
// wrap a cause, whose type error.type names rather than theirs.
const sdkModule = "github.com/applivery/applivery-go"

// errorType is the error.type of a failed call: a low-cardinality name of
// what went wrong, never made from a message, which could name an ID.
//
//   - an [*applivery.APIError]: its Applivery code ("5052"), else its HTTP
//     status ("503");
//   - the context's deadline, or a network timeout: "timeout";
//   - the context canceled: "canceled";
//   - anything else: the Go type of the first error in the chain that is
//     not the SDK's own or fmt's wrapper ("*net.OpError"), else of the
//     first of the SDK's own ("*applivery.ValidationError").
func errorType(err error) string {
	var apiErr *applivery.APIError
	if errors.As(err, &apiErr) {
		if apiErr.Code != 0 {
			return strconv.Itoa(int(apiErr.Code))
		}
		if apiErr.StatusCode != 0 {
			return strconv.Itoa(apiErr.StatusCode)
		}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timeout"
	}
	if errors.Is(err, context.Canceled) {
		return "canceled"
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return "timeout"
	}
	var own error // the first of the SDK's own errors in the chain
	for e := err; e != nil; e = unwrapFirst(e) {
		switch origin(e) {
		case fromElsewhere:
			return fmt.Sprintf("%T", e)
		case fromSDK:
			if own == nil {
				own = e
			}
		}
	}
	if own != nil {
		return fmt.Sprintf("%T", own)
	}
	return fmt.Sprintf("%T", err)
}

// unwrapFirst is the error err wraps: the first of them for an error that
// joins several.
func unwrapFirst(err error) error {
	switch e := err.(type) {
	case interface{ Unwrap() error }:
		return e.Unwrap()
	case interface{ Unwrap() []error }:
		if errs := e.Unwrap(); len(errs) > 0 {
			return errs[0]
		}
	}
	return nil
}

// Where an error's type is declared.
const (
	fromElsewhere = iota
	fromSDK       // the core module, its root package or an internal one
	fromFmt       // fmt's wrappers of a %w
)

func origin(err error) int {
	t := reflect.TypeOf(err)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch path := t.PkgPath(); {
	case path == sdkModule || strings.HasPrefix(path, sdkModule+"/"):
		return fromSDK
	case path == "fmt":
		return fromFmt
	}
	return fromElsewhere
}
