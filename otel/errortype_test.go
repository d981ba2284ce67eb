package appliveryotel

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/applivery/applivery-go"
)

// timeoutError is a net.Error that timed out, as a proxy's client may return.
type timeoutError struct{}

func (timeoutError) Error() string   { return "i/o timeout" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }

func TestErrorType(t *testing.T) {
	reset := &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"API error with a code", &applivery.APIError{StatusCode: 400, Code: applivery.CodeCommandNotPending}, "5052"},
		{"API error without a code", &applivery.APIError{StatusCode: 503}, "503"},
		{"API error wrapped", fmt.Errorf("outcome unknown: %w", &applivery.APIError{StatusCode: 502}), "502"},
		{"API error joined with a timeout", errors.Join(&applivery.APIError{StatusCode: 504}, context.DeadlineExceeded), "504"},
		{"deadline", context.DeadlineExceeded, "timeout"},
		{"deadline wrapped", fmt.Errorf("get: %w", context.DeadlineExceeded), "timeout"},
		{"network timeout", &net.OpError{Op: "dial", Net: "tcp", Err: os.ErrDeadlineExceeded}, "timeout"},
		{"net.Error that timed out", timeoutError{}, "timeout"},
		{"canceled", context.Canceled, "canceled"},
		{"canceled wrapped", &url.Error{Op: "Post", URL: "https://x/devices/pixel8_0042", Err: context.Canceled}, "canceled"},
		{"connection reset", reset, "*net.OpError"},
		{"connection reset under fmt's wrapper", fmt.Errorf("send: %w", reset), "*net.OpError"},
		{"url error", &url.Error{Op: "Get", URL: "https://x/devices/pixel8_0042", Err: io.ErrUnexpectedEOF}, "*url.Error"},
		{"plain error", io.EOF, "*errors.errorString"},
		{"validation error", &applivery.ValidationError{}, "*applivery.ValidationError"},
		{"validation error under fmt's wrapper", fmt.Errorf("check: %w", &applivery.ValidationError{}), "*applivery.ValidationError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, errorType(tt.err))
		})
	}
}
