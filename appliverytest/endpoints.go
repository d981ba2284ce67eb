package appliverytest

import (
	"net/http"
	"regexp"
)

// Endpoint names one endpoint of the API, for Script and in a Request. The
// file of each resource declares the names of its endpoints.
type Endpoint string

// basePath is the path of the API's base URL, under which its routes are.
const basePath = "/v1"

// endpoint is one row of the server's endpoint table (see Server.endpoints),
// from which the server builds its router and Script learns the names it
// takes. The file of each resource declares the rows of its endpoints.
type endpoint struct {
	name   Endpoint
	method string    // "GET", "POST", "PUT"
	route  string    // under basePath, with the reference's wildcards: "/organizations/{organizationId}/…"
	ids    wildcards // the documented patterns of the route's wildcards
	handle http.HandlerFunc
}

// wildcards maps the wildcards of a route to their documented patterns: a
// call whose value does not match answers 400 with code 5209, as the API's
// own validation does, before the billing-plan gate and the handler.
type wildcards map[string]*regexp.Regexp
