package applivery

import (
	"context"
	"net/http"
	"net/url"

	"github.com/applivery/applivery-go/internal/transport"
)

// orgURL returns the URL of rest (which starts with "/") under an
// organization: organizations/{organizationId}{rest} under the base URL.
func (c *core) orgURL(organizationID, rest string) string {
	return c.baseURL + "organizations/" + url.PathEscape(organizationID) + rest
}

// createCall is a Create: what create sends, where, and what to tell the
// caller when its outcome is unknown.
type createCall struct {
	op             operation
	organizationID string
	at             string                 // the path under the organization, from "/"
	body           func() ([]byte, error) // checks the request and encodes it, or refuses it
	note           string                 // what may have happened and what to check, for ErrOutcomeUnknown
}

// create is the Create method of every resource made by a POST to a path
// under an organization that must not run twice: it checks the call options,
// the organization and then the request (k.body), sends the body to k.at,
// retried only while the server surely did not act, and returns the
// answer's data. Once an attempt may have acted (transport.Outcome's
// MayHaveActed: its answer was lost, or was a 2xx or a 5xx other than 501
// and 505), a failure matches ErrOutcomeUnknown, with k.note telling the
// caller what to check.
func create[T any](ctx context.Context, c *core, k createCall, opts []CallOption) (*T, error) {
	cc, err := callOptions(opts)
	if err != nil {
		return nil, err
	}
	if !isOrganizationID(k.organizationID) {
		return nil, &ValidationError{Field: fieldOrganizationID, Value: k.organizationID, Pattern: OrganizationIDPattern}
	}
	body, err := k.body()
	if err != nil {
		return nil, err
	}
	r := request{
		op:     k.op,
		method: http.MethodPost,
		url:    c.orgURL(k.organizationID, k.at),
		body:   body,
		policy: transport.NotIdempotent,
		call:   cc,
	}
	ctx, st := c.start(ctx, &r)
	v, out, err := do[T](ctx, c, r)
	if err != nil {
		if out.MayHaveActed {
			err = &outcomeUnknownError{err: err, note: k.note}
		}
		return nil, c.end(&st, &r, out, err)
	}
	return v, c.end(&st, &r, out, nil)
}
