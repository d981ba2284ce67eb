package applivery_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/applivery/applivery-go"
	"github.com/applivery/applivery-go/appliverytest"
	"golang.org/x/time/rate"
)

func ExampleNewClient() {
	client, err := applivery.NewClient(os.Getenv("APPLIVERY_API_KEY"),
		applivery.WithUserAgent("fleet-sync/2.1"),
		applivery.WithMaxRetries(5),
		applivery.WithRetryWait(time.Second, 30*time.Second),
		applivery.WithLogger(slog.Default()),
	)
	if err != nil {
		log.Fatal(err)
	}
	_ = client // share it: one Client serves every goroutine
}

func ExampleNewClientFromEnv() {
	// APPLIVERY_API_KEY holds the key; APPLIVERY_BASE_URL, when set, the base URL.
	client, err := applivery.NewClientFromEnv()
	if err != nil {
		log.Fatal(err)
	}
	_ = client
}

func ExampleAndroidCommandsService_Cancel() {
	// A demo server stands in for the API here; with a real key, use
	// applivery.NewClient(key) and the command's real IDs.
	srv := appliverytest.NewServer()
	defer srv.Close()
	pending := srv.AddCommand("acme-fleet", "pixel8_0042", applivery.Command{
		ID:     "65a1f0c2e4b0a1b2c3d4e5f6",
		Config: applivery.CommandConfig{Metadata: applivery.CommandMetadata{Type: applivery.CommandTypeLock}},
	})

	client, err := applivery.NewClient(srv.APIKey, applivery.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	cmd, err := client.AndroidCommands.Cancel(ctx, "acme-fleet", "pixel8_0042", pending.ID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(cmd.ID, cmd.Config.Metadata.Type, cmd.Status)
	// Output: 65a1f0c2e4b0a1b2c3d4e5f6 LOCK CANCEL
}

func ExampleAPIError() {
	srv := appliverytest.NewServer()
	defer srv.Close()
	done := srv.AddCommand("acme-fleet", "pixel8_0042", applivery.Command{Status: applivery.CommandStatusDone})
	client, err := applivery.NewClient(srv.APIKey, applivery.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}

	_, err = client.AndroidCommands.Cancel(context.Background(), "acme-fleet", "pixel8_0042", done.ID)
	switch {
	case errors.Is(err, applivery.ErrCommandNotPending):
		fmt.Println("too late: the device already has it")
	case errors.Is(err, applivery.ErrNotFound):
		fmt.Println("no such command")
	}
	var apiErr *applivery.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Code, apiErr.Message)
	}
	// Output:
	// too late: the device already has it
	// 400 5052 EmmCommand status not Pending
}

func ExampleValidationError() {
	client, err := applivery.NewClient("sk_example")
	if err != nil {
		log.Fatal(err)
	}
	// Nothing is sent: the command ID does not match its documented pattern.
	_, err = client.AndroidCommands.Cancel(context.Background(), "acme-fleet", "pixel8_0042", "../../admin")
	var ve *applivery.ValidationError
	if errors.As(err, &ve) {
		fmt.Println(ve.Field, errors.Is(err, applivery.ErrInvalidArgument))
	}
	fmt.Println(err)
	// Output:
	// emmCommandId true
	// applivery: invalid emmCommandId "../../admin": must match ^[a-fA-F0-9]{24}$
}

func ExampleAndroidCommandsService_Create() {
	srv := appliverytest.NewServer()
	defer srv.Close()
	srv.AddDevice("acme-fleet", applivery.Device{}, "pixel8_0042") // the fake, as the API, knows its devices
	client, err := applivery.NewClient(srv.APIKey, applivery.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}

	cmd, err := client.AndroidCommands.Create(context.Background(), "acme-fleet", "pixel8_0042", &applivery.CreateCommandRequest{
		Type:          applivery.CommandTypeStartLostMode,
		StartLostMode: &applivery.StartLostModeParams{LostMessage: &applivery.UserFacingMessage{DefaultMessage: "Please call +1-555-0123"}},
	})
	if errors.Is(err, applivery.ErrOutcomeUnknown) {
		// A server error or a lost answer: the command may exist. List the
		// device's commands before creating it again.
		log.Fatalf("the command may have been created: %v", err)
	}
	if err != nil {
		log.Fatal(err) // nothing was created
	}
	fmt.Println(cmd.Config.Metadata.Type, cmd.Status)
	// Output: START_LOST_MODE PENDING
}

func ExampleAndroidCommandsService_ListAll() {
	srv := appliverytest.NewServer()
	defer srv.Close()
	for _, status := range []applivery.CommandStatus{applivery.CommandStatusDone, applivery.CommandStatusPending, applivery.CommandStatusCanceled} {
		srv.AddCommand("acme-fleet", "pixel8_0042", applivery.Command{Status: status})
	}
	client, err := applivery.NewClient(srv.APIKey, applivery.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}

	// Two to a page: the second page is fetched when the loop gets there.
	for cmd, err := range client.AndroidCommands.ListAll(context.Background(), "acme-fleet", "pixel8_0042", &applivery.ListCommandsOptions{Limit: 2}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(cmd.Status)
	}
	// Output:
	// DONE
	// PENDING
	// CANCEL
}

func ExampleAndroidCommandsService_List() {
	srv := appliverytest.NewServer()
	defer srv.Close()
	for range 5 {
		srv.AddCommand("acme-fleet", "pixel8_0042", applivery.Command{})
	}
	client, err := applivery.NewClient(srv.APIKey, applivery.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}

	page, err := client.AndroidCommands.List(context.Background(), "acme-fleet", "pixel8_0042",
		&applivery.ListCommandsOptions{Page: 2, Limit: 2, Sort: "createdAt:desc"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("page %d of %d: %d of %d commands, next page %d\n", page.Page, page.TotalPages, len(page.Items), page.TotalDocs, page.NextPage)
	// Output: page 2 of 3: 2 of 5 commands, next page 3
}

func ExampleAndroidCommandsService_Get() {
	srv := appliverytest.NewServer()
	defer srv.Close()
	seeded := srv.AddCommand("acme-fleet", "pixel8_0042", applivery.Command{
		Config: applivery.CommandConfig{Metadata: applivery.CommandMetadata{Type: applivery.CommandTypeReboot}},
	})
	client, err := applivery.NewClient(srv.APIKey, applivery.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}

	cmd, err := client.AndroidCommands.Get(context.Background(), "acme-fleet", "pixel8_0042", seeded.ID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(cmd.Config.Metadata.Type, cmd.Status)
	// Output: REBOOT PENDING
}

func ExampleAndroidCommandsService_Wait() {
	srv := appliverytest.NewServer()
	defer srv.Close()
	srv.AddDevice("acme-fleet", applivery.Device{}, "pixel8_0042")
	srv.ApplyAfter(20 * time.Millisecond) // the device applies each command 20 ms after it is created
	client, err := srv.NewClient()
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	cmd, err := client.AndroidCommands.Create(ctx, "acme-fleet", "pixel8_0042", &applivery.CreateCommandRequest{Type: applivery.CommandTypeLock})
	if err != nil {
		log.Fatal(err)
	}
	// Against the real API, leave the intervals to their defaults (2 s to 1 min).
	cmd, err = client.AndroidCommands.Wait(ctx, "acme-fleet", "pixel8_0042", cmd.ID,
		&applivery.WaitOptions{MinInterval: 5 * time.Millisecond})
	switch {
	case errors.Is(err, applivery.ErrStillPending):
		fmt.Println("still pending: the device has not applied it yet")
	case err != nil:
		log.Fatal(err)
	case cmd.Status == applivery.CommandStatusDone:
		fmt.Println("applied:", cmd.Type())
	case cmd.Status == applivery.CommandStatusCanceled:
		fmt.Println("canceled before the device applied it")
	default:
		fmt.Println("ended as", cmd.Status)
	}
	// Output: applied: LOCK
}

func ExampleAndroidDevicesService_Get() {
	srv := appliverytest.NewServer()
	defer srv.Close()
	srv.AddDevice("acme-fleet", applivery.Device{
		ID:      "5f1e0c2a9b8d7e6f5a4b3c2d",
		MDMUser: &applivery.DeviceUser{Email: "ana@acme.example"},
		Raw:     json.RawMessage(`{"serialNumber":"R58M123","tags":["kiosk"]}`),
	}, "R58M123")
	client, err := srv.NewClient()
	if err != nil {
		log.Fatal(err)
	}

	// By serial number, IMEI or id alike.
	dev, err := client.AndroidDevices.Get(context.Background(), "acme-fleet", "R58M123")
	if errors.Is(err, applivery.ErrNotFound) {
		log.Fatal("no such device")
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(dev.ID, dev.MDMUser.Email)
	// What the SDK does not type is in Raw.
	var extra struct {
		Tags []string `json:"tags"`
	}
	if err := json.Unmarshal(dev.Raw, &extra); err != nil {
		log.Fatal(err)
	}
	fmt.Println(extra.Tags)
	// Output:
	// 5f1e0c2a9b8d7e6f5a4b3c2d ana@acme.example
	// [kiosk]
}

func ExampleAndroidDevicesService_ListAll() {
	srv := appliverytest.NewServer()
	defer srv.Close()
	for _, tags := range []string{`["kiosk"]`, `["office"]`, `["kiosk","berlin"]`} {
		srv.AddDevice("acme-fleet", applivery.Device{Raw: json.RawMessage(`{"tags":` + tags + `}`)})
	}
	client, err := srv.NewClient()
	if err != nil {
		log.Fatal(err)
	}

	kiosks := 0
	opts := &applivery.ListDevicesOptions{Tags: []string{"kiosk"}}
	for _, err := range client.AndroidDevices.ListAll(context.Background(), "acme-fleet", opts) {
		if err != nil {
			log.Fatal(err)
		}
		kiosks++
	}
	fmt.Println(kiosks, "kiosks")
	// Output: 2 kiosks
}

func ExampleDevicesService_ListAll() {
	// Find a device by its serial number, whatever its platform. A demo
	// server stands in for the API here.
	srv := appliverytest.NewServer()
	defer srv.Close()
	srv.AddDevice("acme-fleet", applivery.Device{ID: "5f1e0c2a9b8d7e6f5a4b3c2d", Raw: json.RawMessage(`{"serialNumber":"R58M123","state":"ACTIVE"}`)})
	srv.AddDevice("acme-fleet", applivery.Device{Raw: json.RawMessage(`{"serialNumber":"R58M999"}`)})
	client, err := srv.NewClient()
	if err != nil {
		log.Fatal(err)
	}

	opts := &applivery.ListMDMDevicesOptions{SerialNumber: "R58M123"}
	for dev, err := range client.Devices.ListAll(context.Background(), "acme-fleet", opts) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(dev.Type, dev.ID, dev.State) // the platform tells which service acts on it
	}
	// Output: android 5f1e0c2a9b8d7e6f5a4b3c2d ACTIVE
}

func ExampleAndroidDevicesService_Move() {
	srv := appliverytest.NewServer()
	defer srv.Close()
	dev := srv.AddDevice("acme-fleet", applivery.Device{}, "R58M123")
	client, err := srv.NewClient()
	if err != nil {
		log.Fatal(err)
	}

	// Move takes the device's id, not its serial number.
	_, err = client.AndroidDevices.Move(context.Background(), "acme-fleet", "R58M123", 4)
	fmt.Println(errors.Is(err, applivery.ErrInvalidArgument))
	moved, err := client.AndroidDevices.Move(context.Background(), "acme-fleet", dev.ID, 4)
	if errors.Is(err, applivery.ErrOutcomeUnknown) {
		log.Fatal("the device may have been moved: moving it again is harmless")
	}
	if err != nil {
		log.Fatal(err)
	}
	var segment struct {
		SegmentID int `json:"segmentId"`
	}
	if err := json.Unmarshal(moved.Raw, &segment); err != nil {
		log.Fatal(err)
	}
	fmt.Println("segment", segment.SegmentID)
	// Output:
	// true
	// segment 4
}

func ExampleWithRateLimit() {
	srv := appliverytest.NewServer()
	defer srv.Close()
	for range 3 {
		srv.AddDevice("acme-fleet", applivery.Device{})
	}
	// One client for the whole fleet job: 50 requests a second at most, all
	// goroutines together, retries included.
	client, err := srv.NewClient(applivery.WithRateLimit(50, 5))
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	page, err := client.AndroidDevices.List(ctx, "acme-fleet", nil)
	if errors.Is(err, context.DeadlineExceeded) {
		log.Fatal("the rate limit, or the server, would outlast the deadline")
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(page.Items), "devices")
	// Output: 3 devices
}

func ExampleClient_Do() {
	// A stand-in for the API's users endpoint, which the SDK has no method
	// for yet; with a real key, use applivery.NewClient(key).
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println(r.Method, r.URL.Path)
		fmt.Fprint(w, `{"status":true,"data":{"id":"66b0c1d2e3f4a5b6c7d8e9f0","email":"ana@acme.example"}}`)
	}))
	defer api.Close()
	client, err := applivery.NewClient("sk_demo", applivery.WithBaseURL(api.URL))
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	var user struct {
		ID    string `json:"id"`
		Email string `json:"email"`
	}
	err = client.Do(ctx, &applivery.Request{
		Method:    http.MethodPost,
		Path:      applivery.Path("organizations", "acme-fleet", "mdm", "users"),
		Body:      map[string]string{"email": "ana@acme.example", "name": "Ana"},
		Operation: "users.create",
		Route:     "/organizations/{organizationId}/mdm/users",
	}, &user)
	switch {
	case errors.Is(err, applivery.ErrOutcomeUnknown):
		log.Fatal("the user may have been created: list the users before creating it again")
	case err != nil:
		log.Fatal(err)
	}
	fmt.Println(user.ID, user.Email)
	// Output:
	// POST /organizations/acme-fleet/mdm/users
	// 66b0c1d2e3f4a5b6c7d8e9f0 ana@acme.example
}

func ExamplePath() {
	fmt.Println(applivery.Path("organizations", "acme-fleet", "mdm", "users"))
	fmt.Println(applivery.Path("users", "a/b?c=d"))
	fmt.Println(applivery.Path("users", ".."))
	// Output:
	// /organizations/acme-fleet/mdm/users
	// /users/a%2Fb%3Fc=d
	// /users/%2E%2E
}

func ExampleWithResponse() {
	srv := appliverytest.NewServer()
	defer srv.Close()
	cmd := srv.AddCommand("acme-fleet", "pixel8_0042", applivery.Command{})
	client, err := srv.NewClient()
	if err != nil {
		log.Fatal(err)
	}

	var resp applivery.Response
	_, err = client.AndroidCommands.Get(context.Background(), "acme-fleet", "pixel8_0042", cmd.ID,
		applivery.WithResponse(&resp), applivery.WithRequestHeader("X-Correlation-Id", "job-42"))
	if err != nil {
		// resp describes a failed call's last answer too: quote
		// resp.RequestID in a support ticket.
		log.Fatal(err)
	}
	fmt.Println(resp.StatusCode, resp.Attempts, resp.RequestID != "", resp.Header.Get("Content-Type"))
	// Output: 200 1 true application/json
}

// attemptQuota is a RateLimiter of a job's own: it allows so many HTTP
// attempts, then refuses.
type attemptQuota struct{ left atomic.Int32 }

var errQuotaSpent = errors.New("the job's quota of requests is spent")

func (q *attemptQuota) Wait(ctx context.Context) error {
	if q.left.Add(-1) < 0 {
		return errQuotaSpent
	}
	return ctx.Err()
}

func ExampleWithRateLimiter() {
	srv := appliverytest.NewServer()
	defer srv.Close()
	srv.AddDevice("acme-fleet", applivery.Device{}, "R58M123")

	// Any RateLimiter paces every attempt, retries included: a
	// *rate.Limiter (here 50 a second, 5 at once), one that several
	// processes share (the redislimit module), or one of your own.
	_ = applivery.WithRateLimiter(rate.NewLimiter(50, 5))
	quota := &attemptQuota{}
	quota.left.Store(2)
	client, err := srv.NewClient(applivery.WithRateLimiter(quota))
	if err != nil {
		log.Fatal(err)
	}
	for range 3 {
		_, err := client.AndroidDevices.Get(context.Background(), "acme-fleet", "R58M123")
		switch {
		case errors.Is(err, errQuotaSpent):
			fmt.Println("not sent:", errQuotaSpent)
		case err != nil:
			log.Fatal(err)
		default:
			fmt.Println("found")
		}
	}
	fmt.Println(len(srv.Requests()), "requests reached the server")
	// Output:
	// found
	// found
	// not sent: the job's quota of requests is spent
	// 2 requests reached the server
}

// printingObserver prints each call as an Observer sees it: names of low
// cardinality, no IDs.
type printingObserver struct{}

func (printingObserver) ObserveCall(ctx context.Context, call applivery.CallInfo) (context.Context, func(applivery.CallResult)) {
	fmt.Println(call.Operation, call.Method, call.Route)
	return ctx, func(r applivery.CallResult) {
		fmt.Println("  status", r.StatusCode, "attempts", r.Attempts, "error", r.Err != nil)
	}
}

func ExampleObserver() {
	srv := appliverytest.NewServer()
	defer srv.Close()
	cmd := srv.AddCommand("acme-fleet", "pixel8_0042", applivery.Command{})
	client, err := srv.NewClient(applivery.WithObserver(printingObserver{}))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	if _, err := client.AndroidCommands.Cancel(ctx, "acme-fleet", "pixel8_0042", cmd.ID); err != nil {
		log.Fatal(err)
	}
	_, err = client.AndroidCommands.Cancel(ctx, "acme-fleet", "pixel8_0042", cmd.ID)
	fmt.Println(errors.Is(err, applivery.ErrCommandNotPending))
	// Output:
	// android.commands.cancel POST /organizations/{organizationId}/mdm/android/enterprise/devices/{emmDeviceId}/commands/{emmCommandId}/cancel
	//   status 200 attempts 1 error false
	// android.commands.cancel POST /organizations/{organizationId}/mdm/android/enterprise/devices/{emmDeviceId}/commands/{emmCommandId}/cancel
	//   status 400 attempts 1 error true
	// true
}

// Lock two Macs with one Create, wait until the first has applied the lock,
// and see that the lock can then no longer be canceled.
func ExampleAppleCommandsService() {
	srv := appliverytest.NewServer()
	defer srv.Close()
	// Two Apple targets the fake knows, each with a command of its own.
	for _, serial := range []string{"C02XK0AAJGH5", "C02YL1BBKHJ6"} {
		srv.AddAppleCommand("acme-fleet", applivery.AppleCommand{TargetID: serial, RequestType: "DeviceInformation"})
	}
	srv.ApplyAfter(20 * time.Millisecond) // the devices apply each command after 20 ms
	client, err := srv.NewClient()
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmds, err := client.AppleCommands.Create(ctx, "acme-fleet", applivery.AppleTargetDevice, &applivery.CreateAppleCommandRequest{
		RequestType: "DeviceLock",
		Params:      map[string]any{"Message": "Locked by IT"},
		TargetIDs:   []string{"C02XK0AAJGH5", "C02YL1BBKHJ6"},
	})
	if err != nil {
		log.Fatal(err) // errors.Is(err, applivery.ErrOutcomeUnknown): check the targets it names
	}
	for _, c := range cmds {
		fmt.Println(c.TargetID, c.RequestType, c.Status)
	}
	first := cmds[0]
	done, err := client.AppleCommands.Wait(ctx, "acme-fleet", first.TargetType, first.TargetID, first.ID,
		&applivery.AppleWaitOptions{MinInterval: 10 * time.Millisecond})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(done.TargetID, done.Status)
	err = client.AppleCommands.Cancel(ctx, "acme-fleet", first.TargetType, first.TargetID, first.ID)
	fmt.Println(errors.Is(err, applivery.ErrCommandNotPending))
	// Output:
	// C02XK0AAJGH5 DeviceLock Pending
	// C02YL1BBKHJ6 DeviceLock Pending
	// C02XK0AAJGH5 Acknowledged
	// true
}

func ExampleAppleDevicesService_Update() {
	srv := appliverytest.NewServer()
	defer srv.Close()
	srv.AddAppleDevice("acme-fleet", applivery.AppleDevice{
		ID:          "65a1f0c2e4b0a1b2c3d4e5f6",
		DisplayName: "MacBook-7",
		Tags:        []string{"kiosk", "berlin"},
	}, "C02XK0AAJGH5")
	client, err := srv.NewClient()
	if err != nil {
		log.Fatal(err)
	}

	// Only the fields set are sent: the rename keeps the tags.
	name := "Front desk Mac"
	dev, err := client.AppleDevices.Update(context.Background(), "acme-fleet", "65a1f0c2e4b0a1b2c3d4e5f6",
		&applivery.UpdateAppleDeviceRequest{DisplayName: &name})
	if errors.Is(err, applivery.ErrOutcomeUnknown) {
		log.Fatal("the device may have been renamed: update it again, it is harmless") // or Get it
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(dev.DisplayName, dev.Tags)

	// A pointer to an empty list clears the tags.
	dev, err = client.AppleDevices.Update(context.Background(), "acme-fleet", "65a1f0c2e4b0a1b2c3d4e5f6",
		&applivery.UpdateAppleDeviceRequest{Tags: &[]string{}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(dev.DisplayName, dev.Tags)
	// Output:
	// Front desk Mac [kiosk berlin]
	// Front desk Mac []
}

func ExampleAppleDevicesService_ListAll() {
	srv := appliverytest.NewServer()
	defer srv.Close()
	for _, name := range []string{"Front desk Mac", "Warehouse iPad", "Lobby iPad"} {
		srv.AddAppleDevice("acme-fleet", applivery.AppleDevice{DisplayName: name, Tags: []string{"berlin"}})
	}
	client, err := srv.NewClient()
	if err != nil {
		log.Fatal(err)
	}

	opts := &applivery.ListAppleDevicesOptions{Tags: []string{"berlin"}, Limit: 2} // two a page
	for dev, err := range client.AppleDevices.ListAll(context.Background(), "acme-fleet", opts) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(dev.DisplayName)
	}
	// Output:
	// Front desk Mac
	// Warehouse iPad
	// Lobby iPad
}

func ExampleUsersService_Create() {
	srv := appliverytest.NewServer()
	defer srv.Close()
	srv.AddOrganization("acme-fleet")
	client, err := srv.NewClient()
	if err != nil {
		log.Fatal(err)
	}

	// The second create of the same email is refused (code 5048), as the
	// API refuses it.
	req := &applivery.CreateUserRequest{Email: "ana@acme.example", Name: "Ana", Language: "es"}
	for range 2 {
		user, err := client.Users.Create(context.Background(), "acme-fleet", req)
		switch {
		case errors.Is(err, applivery.ErrAlreadyExists):
			fmt.Println("already there: list the users by email to find her")
		case errors.Is(err, applivery.ErrOutcomeUnknown):
			fmt.Println("may have been created: list the users by email before trying again")
		case err != nil:
			log.Fatal(err)
		default:
			fmt.Println(user.Email, user.Name, user.Language)
		}
	}
	// Output:
	// ana@acme.example Ana es
	// already there: list the users by email to find her
}

func ExampleAndroidEnrollmentTokensService_Create() {
	srv := appliverytest.NewServer()
	defer srv.Close()
	srv.AddOrganization("acme-fleet")
	client, err := srv.NewClient()
	if err != nil {
		log.Fatal(err)
	}

	token, err := client.AndroidEnrollmentTokens.Create(context.Background(), "acme-fleet", &applivery.CreateAndroidEnrollmentTokenRequest{
		ManagementMode: applivery.ManagementModeDeviceOwner,
		DisplayName:    "Warehouse scanners",
		Duration:       24 * time.Hour, // sent as 86400 seconds
	})
	if errors.Is(err, applivery.ErrOutcomeUnknown) {
		log.Fatal("the token may have been created: check the console before creating another")
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(token.DisplayName, token.State, time.Until(token.ExpiresAt).Round(time.Hour))
	// fmt and log/slog never print the one-time token; the field holds it,
	// for the device: treat it as a secret.
	printed := fmt.Sprintf("%+v", token)
	fmt.Println(strings.Contains(printed, "OneTimeToken:[REDACTED]"), strings.Contains(printed, token.OneTimeToken))
	fmt.Println(token.OneTimeToken != "")
	// Output:
	// Warehouse scanners PENDING 24h0m0s
	// true false
	// true
}
