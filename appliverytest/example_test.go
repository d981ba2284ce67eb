package appliverytest_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"slices"
	"strings"
	"time"

	"github.com/applivery/applivery-go"
	"github.com/applivery/applivery-go/appliverytest"
)

func ExampleNewServer() {
	srv := appliverytest.NewServer()
	defer srv.Close()
	// The devices the test uses: any other answers 404, as the API does.
	srv.AddDevice("acme-fleet", applivery.Device{}, "pixel8_0042")
	client, err := srv.NewClient()
	if err != nil {
		log.Fatal(err)
	}

	cmd, err := client.AndroidCommands.Create(context.Background(), "acme-fleet", "pixel8_0042",
		&applivery.CreateCommandRequest{Type: applivery.CommandTypeLock})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(cmd.Config.Metadata.Type, cmd.Status)
	// Output: LOCK PENDING
}

func ExampleServer_AddCommand() {
	srv := appliverytest.NewServer()
	defer srv.Close()
	// Seed a command the device has already applied.
	done := srv.AddCommand("acme-fleet", "pixel8_0042", applivery.Command{Status: applivery.CommandStatusDone})
	client, _ := srv.NewClient()

	_, err := client.AndroidCommands.Cancel(context.Background(), "acme-fleet", "pixel8_0042", done.ID)
	fmt.Println(errors.Is(err, applivery.ErrCommandNotPending))
	// Output: true
}

func ExampleServer_Script() {
	srv := appliverytest.NewServer()
	defer srv.Close()
	cmd := srv.AddCommand("acme-fleet", "pixel8_0042", applivery.Command{})
	// The next two cancels meet an outage: a 503, then an HTML 502 from the
	// load balancer. The SDK retries both.
	srv.Script(appliverytest.EndpointCancel,
		appliverytest.Fault{Status: 503},
		appliverytest.Fault{Status: 502, HTML: true})
	// In tests, shorten the waits between retries.
	client, _ := srv.NewClient(applivery.WithRetryWait(time.Millisecond, 10*time.Millisecond))

	got, err := client.AndroidCommands.Cancel(context.Background(), "acme-fleet", "pixel8_0042", cmd.ID)
	fmt.Println(got.Status, err, len(srv.Requests()))
	// Output: CANCEL <nil> 3
}

func ExampleServer_Script_lostResponse() {
	srv := appliverytest.NewServer()
	defer srv.Close()
	// The next create is carried out, but its connection breaks before the
	// answer arrives: the command exists, and the client cannot know.
	srv.AddDevice("acme-fleet", applivery.Device{}, "pixel8_0042")
	srv.Script(appliverytest.EndpointCreate, appliverytest.Fault{Drop: true, Applied: true})
	client, _ := srv.NewClient()

	_, err := client.AndroidCommands.Create(context.Background(), "acme-fleet", "pixel8_0042",
		&applivery.CreateCommandRequest{Type: applivery.CommandTypeLock})
	fmt.Println(errors.Is(err, applivery.ErrOutcomeUnknown))

	page, _ := client.AndroidCommands.List(context.Background(), "acme-fleet", "pixel8_0042", nil)
	fmt.Println(len(page.Items), page.Items[0].Status)
	// Output:
	// true
	// 1 PENDING
}

func ExampleServer_Script_times() {
	srv := appliverytest.NewServer()
	defer srv.Close()
	// Rate-limit the next five lists.
	srv.Script(appliverytest.EndpointList, slices.Repeat([]appliverytest.Fault{{Status: 429, RetryAfter: "3600"}}, 5)...)
	client, _ := srv.NewClient()

	_, err := client.AndroidCommands.List(context.Background(), "acme-fleet", "pixel8_0042", nil)
	var apiErr *applivery.APIError
	if errors.As(err, &apiErr) {
		// An hour is beyond the SDK's longest wait: it returns at once.
		fmt.Println(apiErr.StatusCode, apiErr.RetryAfter, apiErr.Attempts)
	}
	// Output: 429 1h0m0s 1
}

func ExampleServer_Requests() {
	srv := appliverytest.NewServer()
	defer srv.Close()
	srv.AddDevice("acme-fleet", applivery.Device{}, "pixel8_0042")
	client, _ := srv.NewClient()
	_, _ = client.AndroidCommands.Create(context.Background(), "acme-fleet", "pixel8_0042",
		&applivery.CreateCommandRequest{Type: applivery.CommandTypeReboot, Duration: "600s"})

	for _, r := range srv.Requests() {
		fmt.Println(r.Endpoint, r.Method, r.Authorized, string(r.Body))
	}
	// Output: create POST true {"type":"REBOOT","duration":"600s"}
}

func ExampleServer_SetFeatureAllowed() {
	srv := appliverytest.NewServer()
	defer srv.Close()
	srv.SetFeatureAllowed("acme-fleet", false) // a plan without Android management
	client, _ := srv.NewClient()

	_, err := client.AndroidCommands.List(context.Background(), "acme-fleet", "pixel8_0042", nil)
	fmt.Println(errors.Is(err, applivery.ErrFeatureNotAllowed))
	fmt.Println(err)
	// Output:
	// true
	// applivery: GET /v1/organizations/acme-fleet/mdm/android/enterprise/devices/pixel8_0042/commands: 400 Feature not allowed for you billing plan (code 5050)
}

func ExampleServer_ApplyAfter() {
	srv := appliverytest.NewServer()
	defer srv.Close()
	srv.AddDevice("acme-fleet", applivery.Device{}, "pixel8_0042")
	srv.ApplyAfter(10 * time.Millisecond) // the device applies each command 10 ms after its creation
	client, err := srv.NewClient()
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	cmd, err := client.AndroidCommands.Create(ctx, "acme-fleet", "pixel8_0042", &applivery.CreateCommandRequest{Type: applivery.CommandTypeReboot})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(cmd.Status)
	cmd, err = client.AndroidCommands.Wait(ctx, "acme-fleet", "pixel8_0042", cmd.ID, &applivery.WaitOptions{MinInterval: 5 * time.Millisecond})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(cmd.Status)
	// Output:
	// PENDING
	// DONE
}

func ExampleServer_AddDevice() {
	srv := appliverytest.NewServer()
	defer srv.Close()
	// A device, found by its ID and by its serial number.
	dev := srv.AddDevice("acme-fleet", applivery.Device{}, "R58M123")
	client, _ := srv.NewClient()
	ctx := context.Background()

	byID, _ := client.AndroidDevices.Get(ctx, "acme-fleet", dev.ID)
	bySerial, _ := client.AndroidDevices.Get(ctx, "acme-fleet", "R58M123")
	fmt.Println(byID.ID == dev.ID, bySerial.ID == dev.ID)

	// A typo is refused, as the API refuses it: nothing is created.
	_, err := client.AndroidCommands.Create(ctx, "acme-fleet", "R58M124", &applivery.CreateCommandRequest{Type: applivery.CommandTypeLock})
	fmt.Println(errors.Is(err, applivery.ErrNotFound))
	_, err = client.AndroidDevices.List(ctx, "acme-flet", nil)
	fmt.Println(err)
	// Output:
	// true true
	// true
	// applivery: GET /v1/organizations/acme-flet/mdm/android/enterprise/devices: 404 Entity not found (code 3001)
}

func ExampleServer_AddOrganization() {
	srv := appliverytest.NewServer()
	defer srv.Close()
	srv.AddOrganization("acme-fleet") // an organization with no devices yet
	client, _ := srv.NewClient()

	page, err := client.AndroidDevices.List(context.Background(), "acme-fleet", nil)
	fmt.Println(page.TotalDocs, err)
	// Output: 0 <nil>
}

func ExampleServer_AddUser() {
	srv := appliverytest.NewServer()
	defer srv.Close()
	// Ana is already an MDM user of the organization.
	srv.AddUser("acme-fleet", applivery.User{Email: "ana@acme.example", Name: "Ana"})
	client, _ := srv.NewClient()
	ctx := context.Background()

	_, err := client.Users.Create(ctx, "acme-fleet", &applivery.CreateUserRequest{Email: "ANA@acme.example"})
	fmt.Println(errors.Is(err, applivery.ErrAlreadyExists))
	page, _ := client.Users.List(ctx, "acme-fleet", &applivery.ListUsersOptions{Email: "ana@acme.example"})
	fmt.Println(len(page.Items), page.Items[0].Name)
	// Output:
	// true
	// 1 Ana
}

func ExampleServer_SetEnrollmentTokenLimit() {
	srv := appliverytest.NewServer()
	defer srv.Close()
	srv.AddOrganization("acme-fleet")
	srv.SetEnrollmentTokenLimit("acme-fleet", 1)
	client, _ := srv.NewClient()
	req := &applivery.CreateAndroidEnrollmentTokenRequest{ManagementMode: applivery.ManagementModeDeviceOwner}

	tok, err := client.AndroidEnrollmentTokens.Create(context.Background(), "acme-fleet", req)
	fmt.Println(err, len(tok.OneTimeToken), strings.Contains(string(tok.QRCode), tok.OneTimeToken))
	_, err = client.AndroidEnrollmentTokens.Create(context.Background(), "acme-fleet", req)
	fmt.Println(errors.Is(err, applivery.ErrLimitExceeded))
	// Output:
	// <nil> 20 true
	// true
}
