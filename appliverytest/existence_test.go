package appliverytest_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/applivery/applivery-go"
	"github.com/applivery/applivery-go/appliverytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWhatWasNeverRegisteredIsNotFound: a device or an organization the
// server does not hold answers 404 with code 3001 on every endpoint, as the
// API does, instead of an empty list or a new command.
func TestWhatWasNeverRegisteredIsNotFound(t *testing.T) {
	t.Parallel()
	const (
		typoOrg    = "acme-flet"
		typoSerial = "R58M124"
		cmdID      = "0123456789abcdef01234567"
	)
	ctx := context.Background()
	tests := []struct {
		name string
		call func(*applivery.Client) error
	}{
		{"list commands of an unknown device", func(c *applivery.Client) error {
			_, err := c.AndroidCommands.List(ctx, org, typoSerial, nil)
			return err
		}},
		{"list commands in an unknown organization", func(c *applivery.Client) error {
			_, err := c.AndroidCommands.List(ctx, typoOrg, serialA, nil)
			return err
		}},
		{"create on an unknown device", func(c *applivery.Client) error {
			_, err := c.AndroidCommands.Create(ctx, org, typoSerial, &applivery.CreateCommandRequest{Type: applivery.CommandTypeLock})
			return err
		}},
		{"create in an unknown organization", func(c *applivery.Client) error {
			_, err := c.AndroidCommands.Create(ctx, typoOrg, serialA, &applivery.CreateCommandRequest{Type: applivery.CommandTypeLock})
			return err
		}},
		{"get a command of an unknown device", func(c *applivery.Client) error {
			_, err := c.AndroidCommands.Get(ctx, org, typoSerial, cmdID)
			return err
		}},
		{"cancel a command of an unknown device", func(c *applivery.Client) error {
			_, err := c.AndroidCommands.Cancel(ctx, org, typoSerial, cmdID)
			return err
		}},
		{"get an unknown device", func(c *applivery.Client) error {
			_, err := c.AndroidDevices.Get(ctx, org, typoSerial)
			return err
		}},
		{"get a device in an unknown organization", func(c *applivery.Client) error {
			_, err := c.AndroidDevices.Get(ctx, typoOrg, serialA)
			return err
		}},
		{"move an unknown device", func(c *applivery.Client) error {
			_, err := c.AndroidDevices.Move(ctx, org, "5f1e0c2a9b8d7e6f5a4b3c2e", 1)
			return err
		}},
		{"list the devices of an unknown organization", func(c *applivery.Client) error {
			_, err := c.AndroidDevices.List(ctx, typoOrg, nil)
			return err
		}},
		{"get a device that only has commands", func(c *applivery.Client) error {
			_, err := c.AndroidDevices.Get(ctx, org, device) // seeded by AddCommand: no record to serve
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, c := newServer(t)
			srv.AddDevice(org, applivery.Device{ID: deviceIDa}, serialA)
			srv.AddCommand(org, device, applivery.Command{})
			before := len(srv.Requests())

			err := tt.call(c)
			assert.ErrorIs(t, err, applivery.ErrNotFound)
			var apiErr *applivery.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, http.StatusNotFound, apiErr.StatusCode)
			assert.Equal(t, applivery.CodeEntityNotFound, apiErr.Code)
			assert.JSONEq(t, `{"status":false,"error":{"code":3001,"message":"Entity not found"}}`, string(apiErr.Body),
				"the API's error envelope")
			assert.Len(t, srv.Requests(), before+1, "one call, not retried")

			for _, name := range []string{typoSerial, device, serialA} {
				_, ok := srv.Device(typoOrg, name)
				assert.False(t, ok, "nothing was made in %s", typoOrg)
			}
			_, ok := srv.Device(org, typoSerial)
			assert.False(t, ok, "nor a device %s", typoSerial)
		})
	}
}

// TestCreateOnAnUnknownDeviceStoresNothing: the refused create leaves no
// command behind, and does not make the device exist.
func TestCreateOnAnUnknownDeviceStoresNothing(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t)
	srv.AddDevice(org, applivery.Device{}, serialA)
	ctx := context.Background()
	_, err := c.AndroidCommands.Create(ctx, org, "R58M124", &applivery.CreateCommandRequest{Type: applivery.CommandTypeLock})
	require.ErrorIs(t, err, applivery.ErrNotFound)
	assert.NotErrorIs(t, err, applivery.ErrOutcomeUnknown, "a 404 says nothing was created")
	_, err = c.AndroidCommands.List(ctx, org, "R58M124", nil)
	assert.ErrorIs(t, err, applivery.ErrNotFound, "the refused create made no device")
}

// TestWhatWasRegisteredExists: every way of registering a device or an
// organization makes it answer.
func TestWhatWasRegisteredExists(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name     string
		register func(*appliverytest.Server)
		org      string
		device   string // the name the calls use; "" for the device list only
	}{
		{"a device by its ID", func(s *appliverytest.Server) { s.AddDevice(org, applivery.Device{ID: deviceIDa}) }, org, deviceIDa},
		{"a device by its serial", func(s *appliverytest.Server) { s.AddDevice(org, applivery.Device{}, serialA, imeiA) }, org, serialA},
		{"a device by its IMEI", func(s *appliverytest.Server) { s.AddDevice(org, applivery.Device{}, serialA, imeiA) }, org, imeiA},
		{"a device seeded with a command", func(s *appliverytest.Server) { s.AddCommand(org, device, applivery.Command{}) }, org, device},
		{"an organization with a device", func(s *appliverytest.Server) { s.AddDevice(otherOrgID, applivery.Device{}) }, otherOrgID, ""},
		{"an organization with a command", func(s *appliverytest.Server) { s.AddCommand(otherOrgID, device, applivery.Command{}) }, otherOrgID, ""},
		{"an organization named", func(s *appliverytest.Server) { s.AddOrganization(otherOrgID) }, otherOrgID, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, c := newServer(t)
			tt.register(srv)
			_, err := c.AndroidDevices.List(ctx, tt.org, nil)
			require.NoError(t, err, "the organization's device list")
			if tt.device == "" {
				return
			}
			_, err = c.AndroidCommands.List(ctx, tt.org, tt.device, nil)
			require.NoError(t, err)
			cmd, err := c.AndroidCommands.Create(ctx, tt.org, tt.device, &applivery.CreateCommandRequest{Type: applivery.CommandTypeLock})
			require.NoError(t, err)
			_, err = c.AndroidCommands.Get(ctx, tt.org, tt.device, cmd.ID)
			require.NoError(t, err)
			_, err = c.AndroidCommands.Cancel(ctx, tt.org, tt.device, cmd.ID)
			require.NoError(t, err)
		})
	}
}

// TestTheGateAndTheKeyComeBeforeTheLookup: an unknown organization whose
// plan is closed answers 5050, and a wrong key 401, not 404.
func TestTheGateAndTheKeyComeBeforeTheLookup(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t)
	srv.SetFeatureAllowed("acme-flet", false)
	_, err := c.AndroidDevices.List(context.Background(), "acme-flet", nil)
	assert.ErrorIs(t, err, applivery.ErrFeatureNotAllowed)

	stranger, err := applivery.NewClient("wrong-key", applivery.WithBaseURL(srv.URL), applivery.WithMaxRetries(0))
	require.NoError(t, err)
	_, err = stranger.AndroidCommands.List(context.Background(), org, "R58M124", nil)
	assert.ErrorIs(t, err, applivery.ErrUnauthorized)
}
