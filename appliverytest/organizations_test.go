package appliverytest_test

import (
	"testing"

	"github.com/applivery/applivery-go"
	"github.com/stretchr/testify/assert"
)

func TestAddOrganizationRefusesWhatTheAPICouldNotHold(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t)
	assert.PanicsWithValue(t,
		`appliverytest: AddOrganization: organization ID "a/b" does not match `+applivery.OrganizationIDPattern+`: the API could not hold it`,
		func() { srv.AddOrganization("a/b") })
}
