package applivery

import (
	"context"
	"net/http"
	"net/url"
)

// AndroidCommandsService manages the commands of Android Enterprise devices:
// the actions (LOCK, REBOOT, RESET_PASSWORD, lost mode, eSIM, …) queued for a
// device until it applies them. Reach it as Client.AndroidCommands.
type AndroidCommandsService struct {
	client *Client
}

// Cancel cancels a pending command before the device applies it, and returns
// the command as the API answers.
//
// The three IDs are checked against [OrganizationIDPattern],
// [DeviceIDPattern] and [CommandIDPattern] first; a mismatch is a
// [*ValidationError] and nothing is sent. A command that is no longer pending
// is an [*APIError] matching [ErrCommandNotPending], an unknown one matches
// [ErrNotFound]. The API key needs the mdm.android.command.cancel permission.
//
// Applivery API docs: https://docs.applivery.com/en/api/android/commands/post-organizations-organizationid-mdm-android-enterprise-devices-emmdeviceid-commands-emmcommandid-cancel/
//
//	POST /organizations/{organizationId}/mdm/android/enterprise/devices/{emmDeviceId}/commands/{emmCommandId}/cancel
func (s *AndroidCommandsService) Cancel(ctx context.Context, organizationID, deviceID, commandID string) (*Command, error) {
	if err := validateCommand(organizationID, deviceID, commandID); err != nil {
		return nil, err
	}
	w, err := do[commandJSON](ctx, s.client.core, http.MethodPost, commandPath(organizationID, deviceID, commandID)+"/cancel")
	if err != nil {
		return nil, err
	}
	return w.command(), nil
}

// devicePath is the path, relative to the base URL, of a device's commands.
// Validated IDs hold only unreserved characters, so escaping them changes
// nothing; it is there so that no path could ever be built from an unescaped
// segment.
func devicePath(organizationID, deviceID string) string {
	return "organizations/" + url.PathEscape(organizationID) +
		"/mdm/android/enterprise/devices/" + url.PathEscape(deviceID) + "/commands"
}

// commandPath is the path, relative to the base URL, of one command.
func commandPath(organizationID, deviceID, commandID string) string {
	return devicePath(organizationID, deviceID) + "/" + url.PathEscape(commandID)
}
