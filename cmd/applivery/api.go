package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"

	"github.com/applivery/applivery-go"
)

// apiCommand sends a raw call to any endpoint, for those that have no
// command yet: the gh api of this tool.
var apiCommand = &cmdSpec{
	words:      "api",
	positional: []string{"METHOD", "PATH"},
	untargeted: true,
	args:       "METHOD PATH [--data JSON|@FILE|-] [--query KEY=VALUE]... [--idempotent]",
	short:      "call any endpoint of the API, with every rule of the SDK",
	long: `Api sends one call to any endpoint under the API's base URL, for those that
have no command yet, and prints the answer's data as JSON. METHOD is GET,
POST, PUT, PATCH or DELETE; PATH is the path under the base URL, escaped,
such as /organizations/acme-fleet/mdm/devices. The call goes through the
SDK's pipeline: the key from APPLIVERY_API_KEY, the rate limit, retries and
their rules, bounded bodies, redaction and typed errors. A GET, PUT or
DELETE is retried like a read; a POST or PATCH is never sent twice, and one
that fails after the server may have acted says so, unless --idempotent
says the endpoint is safe to repeat.`,
	setup: func(c *cli, flags *flag.FlagSet) (runFunc, *bulkFlags) {
		var (
			data       string
			query      stringList
			idempotent bool
		)
		flags.StringVar(&data, "data", "", "the request body: `JSON`, @FILE for a file's, or - for stdin's")
		flags.Var(&query, "query", "a query parameter, `KEY=VALUE`; repeatable")
		flags.BoolVar(&idempotent, "idempotent", false, "a POST or PATCH the endpoint makes safe to repeat: retry it like a PUT")
		return func(ctx context.Context, client *applivery.Client) error {
			req, err := rawRequest(c, data, query, idempotent)
			if err != nil {
				return err
			}
			var out json.RawMessage
			if err := client.Do(ctx, req, &out); err != nil {
				return err
			}
			if out == nil {
				out = json.RawMessage("null")
			}
			_, err = fmt.Fprintf(c.stdout, "%s\n", out)
			return err
		}, nil
	},
}

// rawRequest is the request that api's arguments and flags describe.
func rawRequest(c *cli, data string, query stringList, idempotent bool) (*applivery.Request, error) {
	req := &applivery.Request{Method: strings.ToUpper(c.positional[0]), Path: c.positional[1], Idempotent: idempotent}
	if len(query) > 0 {
		req.Query = url.Values{}
		for _, kv := range query {
			k, v, ok := strings.Cut(kv, "=")
			if !ok || k == "" {
				return nil, flagValueError("--query", kv, "want KEY=VALUE")
			}
			req.Query.Add(k, v)
		}
	}
	body, err := readData(c, data)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Body = json.RawMessage(body)
	}
	return req, nil
}

// readData reads --data: the JSON itself, @FILE for a file's, or - for
// stdin's; nil when none was given.
func readData(c *cli, data string) ([]byte, error) {
	var (
		body []byte
		err  error
	)
	switch {
	case data == "":
		return nil, nil
	case data == "-":
		body, err = io.ReadAll(io.LimitReader(c.stdin, maxData+1))
	case strings.HasPrefix(data, "@"):
		var f *os.File
		if f, err = os.Open(data[1:]); err == nil {
			body, err = io.ReadAll(io.LimitReader(f, maxData+1))
			f.Close()
		}
	default:
		body = []byte(data)
	}
	switch {
	case err != nil:
		return nil, &usageError{"--data: " + err.Error()}
	case len(body) > maxData:
		return nil, &usageError{fmt.Sprintf("--data: more than %d bytes", maxData)}
	case !json.Valid(body):
		return nil, &usageError{"--data: not valid JSON"}
	}
	return body, nil
}

// maxData bounds a request body that --data reads.
const maxData = 1 << 20
