package applivery

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"

	"github.com/applivery/applivery-go/internal/transport"
)

// Response body limits: a success body larger than maxSuccessBody is an
// error (a page of 100 large devices is a few MiB; tests lower the limit
// through core.maxBody); an APIError keeps the first maxErrorBody bytes of an
// error body.
const (
	maxSuccessBody = 16 << 20
	maxErrorBody   = 64 << 10
)

// Reading a body: the first buffer is sized from Content-Length, but never
// larger than trustedLength, since a header can promise bytes that never
// come. Then buffers are added as the bytes arrive, each as large as all the
// ones before (at most maxChunk), so a body of n bytes costs about 2n: the
// buffers and one copy that joins them.
const (
	trustedLength = 64 << 10
	firstChunk    = 512 // when there is no Content-Length
	maxChunk      = 1 << 20
)

// decode reads and closes resp, the answer to r, and returns the data of its
// success envelope or the *APIError it amounts to.
func decode[T any](ctx context.Context, c *core, resp *http.Response, r request, out transport.Outcome) (*T, error) {
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		secrets := c.secretsOf(r)
		body, _, _ := readAtMost(resp.Body, maxErrorBody+secrets.longest(), resp.ContentLength)
		transport.CloseBody(resp.Body, false)
		return nil, c.apiError(resp, r, secrets, body, parseErrorBody(body), "", out)
	}
	body, tooLarge, err := readAtMost(resp.Body, c.maxBody, resp.ContentLength)
	transport.CloseBody(resp.Body, err == nil && !tooLarge)
	switch {
	case err != nil && ctx.Err() != nil:
		return nil, &requestError{method: r.method, path: c.pathOf(r), attempts: out.Attempts, err: ctx.Err()}
	case err != nil:
		return nil, c.apiError(resp, r, c.secretsOf(r), body, nil, "reading the response body: "+err.Error(), out)
	case tooLarge:
		return nil, c.apiError(resp, r, c.secretsOf(r), body, nil,
			"response body larger than "+byteSize(c.maxBody), out)
	}
	var env envelope[T]
	err = json.Unmarshal(body, &env)
	if err != nil && !isTypeError(err) {
		return nil, c.apiError(resp, r, c.secretsOf(r), body, nil, "malformed response body: "+err.Error(), out)
	}
	success := env.Status && env.Error == nil && env.Data != nil
	if success && err != nil {
		// A value of the wrong type is tolerated inside data, but encoding/json
		// reports only the first one, and it sets Data even when data is not an
		// object: check the envelope itself. Real responses never take this path.
		success = isSuccessEnvelope(body)
	}
	if !success {
		return nil, c.apiError(resp, r, c.secretsOf(r), body, env.Error, "response is not a success envelope", out)
	}
	return env.Data, nil
}

// isSuccessEnvelope reports whether body, well-formed JSON, is a success
// envelope: "status" is true, "error" is absent or null, and "data" is an
// object.
func isSuccessEnvelope(body []byte) bool {
	var shape struct {
		Status json.RawMessage `json:"status"`
		Data   json.RawMessage `json:"data"`
		Error  json.RawMessage `json:"error"`
	}
	if json.Unmarshal(body, &shape) != nil {
		return false
	}
	return string(shape.Status) == "true" &&
		len(shape.Data) > 0 && shape.Data[0] == '{' &&
		(len(shape.Error) == 0 || string(shape.Error) == "null")
}

// secretsOf returns the forms of the secrets of r: the key's, and those of
// a secret of the request, such as a new password.
func (c *core) secretsOf(r request) secretForms {
	if r.secret == "" {
		return c.secret.forms
	}
	return c.secret.forms.with(r.secret)
}

func (c *core) apiError(resp *http.Response, r request, secrets secretForms, body []byte, eb *errorBody, message string, out transport.Outcome) *APIError {
	return newAPIError(resp, r.method, c.pathOf(r), body, eb, message, out, secrets)
}

// readAtMost reads r to its end, or to limit bytes. tooLarge reports that r
// had more than limit bytes; b then holds the first limit. sizeHint, the
// Content-Length when known, sizes the first buffer, up to trustedLength.
func readAtMost(r io.Reader, limit int, sizeHint int64) (b []byte, tooLarge bool, err error) {
	size := firstChunk
	if sizeHint >= 0 {
		size = int(min(sizeHint, trustedLength)) + 1 // +1: room to see io.EOF
	}
	buf := make([]byte, 0, min(size, limit+1))
	var (
		full  [][]byte // the buffers filled before buf
		total int      // the bytes in full
		probe []byte
	)
	for {
		var n int
		if len(buf) < cap(buf) {
			n, err = r.Read(buf[len(buf):cap(buf)])
			buf = buf[:len(buf)+n]
		} else {
			// buf is full. Whether more is coming is read into a small
			// buffer, so that a body that ends here costs no new buffer.
			if probe == nil {
				probe = make([]byte, firstChunk)
			}
			n, err = r.Read(probe[:min(len(probe), limit+1-total-len(buf))])
			if n > 0 {
				full = append(full, buf)
				total += len(buf)
				buf = make([]byte, 0, min(max(total, firstChunk), maxChunk, limit+1-total))
				buf = append(buf, probe[:n]...)
			}
		}
		switch {
		case total+len(buf) > limit:
			return join(full, buf)[:limit], true, nil
		case err == io.EOF:
			return join(full, buf), false, nil
		case err != nil:
			return join(full, buf), false, err
		}
	}
}

// join returns the bytes of full and then last, as one slice.
func join(full [][]byte, last []byte) []byte {
	if len(full) == 0 {
		return last
	}
	n := len(last)
	for _, b := range full {
		n += len(b)
	}
	out := make([]byte, 0, n)
	for _, b := range full {
		out = append(out, b...)
	}
	return append(out, last...)
}

// byteSize writes n bytes as "16 MiB", "64 KiB" or "100 bytes".
func byteSize(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.Itoa(n>>20) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.Itoa(n>>10) + " KiB"
	}
	return strconv.Itoa(n) + " bytes"
}
