package applivery

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"testing"

	"github.com/applivery/applivery-go/internal/transport"
)

// FuzzDecode feeds any status and body to the response decoder. It must never
// panic, must turn everything that is not a success into an *APIError, and
// must accept exactly the 2xx bodies that are success envelopes: status true,
// error absent or null, data an object. Wrong types inside data are tolerated.
func FuzzDecode(f *testing.F) {
	seeds := []struct {
		status int
		body   string
	}{
		{200, documentedCancelResponse},
		{200, `{"status":true,"data":{}}`},
		{200, `{"status":true,"data":{"id":1,"config":[],"_config":"x"}}`},
		{200, `{"status":true,"data":[]}`},
		{200, `{"status":true,"data":{"id":1},"data":null}`},
		{200, `{"status":true,"data":{"id":1},"error":0}`},
		{200, `{"status":false,"error":{"code":5052,"message":"EmmCommand status not Pending"}}`},
		{200, ``},
		{200, `null`},
		{201, `{"status":true,"data":{"updatedAt":"2026-02-10T14: 30:00Z"}}`},
		{400, `{"status":false,"error":{"code":5050,"message":"Feature not allowed for you billing plan"}}`},
		{401, `{"status":false,"error":{"code":"4004","message":"Invalid Token"}}`},
		{404, `{"status":false,"error":{"code":3001.0,"message":"Entity not found"}}`},
		{502, `<html>Bad Gateway</html>`},
		{302, ``},
		{429, `{"status":true,"data":{}}`},
		{200, `{"status":true,"data":{"items":[{"id":"a"},3,null],"page":"2","nextPage":null,"hasNextPage":1}}`},
		{200, `{"status":true,"data":{"items":{},"totalDocs":1e400}}`},
	}
	for _, s := range seeds {
		f.Add(s.status, []byte(s.body))
	}
	c := &core{baseURL: "https://api.test/v1/", basePath: "/v1/", secret: &secret{forms: formsOf(testKey)}, maxBody: maxSuccessBody}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 100 || status > 999 {
			status = 200 + (status%100+100)%100
		}
		wantSuccess := status >= 200 && status <= 299 && successOracle(body)
		cmd, err := decode[commandJSON](context.Background(), c, response(status, body), request{method: http.MethodPost, url: "https://api.test/v1/p"}, transport.Outcome{Attempts: 1})
		checkDecoded(t, status, body, wantSuccess, cmd != nil, err)
		page, err := decode[pageJSON[commandJSON]](context.Background(), c, response(status, body), request{method: http.MethodGet, url: "https://api.test/v1/p"}, transport.Outcome{Attempts: 1})
		checkDecoded(t, status, body, wantSuccess, page != nil, err)
		if page != nil {
			_ = commandPage(page) // converting never panics either
		}
	})
}

func response(status int, body []byte) *http.Response {
	return &http.Response{
		StatusCode:    status,
		Header:        http.Header{},
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
	}
}

func checkDecoded(t *testing.T, status int, body []byte, wantSuccess, gotData bool, err error) {
	t.Helper()
	if err == nil {
		if !wantSuccess {
			t.Fatalf("decode(%d, %q) accepted a response that is not a success", status, body)
		}
		if !gotData {
			t.Fatal("nil data without an error")
		}
		return
	}
	if wantSuccess {
		t.Fatalf("decode(%d, %q) = %v, want success", status, body, err)
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("decode(%d, %q) = %T %v, want *APIError", status, body, err, err)
	}
	if apiErr.StatusCode != status || apiErr.Attempts != 1 || len(apiErr.Body) > maxErrorBody {
		t.Fatalf("decode(%d, %q) = %+v", status, body, apiErr)
	}
}

// successOracle says whether body is a success envelope, by decoding its
// members as raw JSON: no typed decoding is involved.
func successOracle(body []byte) bool {
	var shape struct {
		Status json.RawMessage
		Data   json.RawMessage
		Error  json.RawMessage
	}
	if err := json.Unmarshal(body, &shape); err != nil {
		return false
	}
	errorAbsent := shape.Error == nil || bytes.Equal(shape.Error, []byte("null"))
	return bytes.Equal(shape.Status, []byte("true")) && bytes.HasPrefix(shape.Data, []byte("{")) && errorAbsent
}
