// Package appliverytest provides an in-process fake of the Applivery API, for
// tests of code that uses the applivery package.
//
// A Server is a real HTTP server on loopback that behaves like the documented
// API for the Android commands resource (cancel, get, list, create) and the
// Android devices resource (get, list, move): it checks the bearer key, keeps
// devices per organization and commands per organization and device, pages
// lists like the API, and answers with the API's envelopes and error codes.
// Its NewClient returns a client pointed at it (applivery.WithBaseURL with
// its URL, and its key):
//
//	srv := appliverytest.NewServer()
//	defer srv.Close()
//	client, err := srv.NewClient() // the server's URL and key
//
// In a test, [Start] and [Server.TestClient] do the same, close the server at
// the end, and shorten the waits between retries.
//
// # What exists
//
// Like the API, the fake refuses what it does not hold: a call that names an
// organization or a device it does not know answers 404 with code 3001
// ("Entity not found"), as a typo would against the API. A device exists when
// [Server.AddDevice] stored it (found by its ID or any of its aliases) or
// [Server.AddCommand] seeded a command on it (found by the name given);
// creating a command on any other device is refused, not stored. An
// organization exists when AddDevice or AddCommand stored something in it, or
// [Server.AddOrganization] named it, for an organization with no devices. The
// device endpoints serve the devices AddDevice stored: a device known only
// from AddCommand has no record to serve, so getting or moving it answers 404
// too. Before the existence check come, in order, the key (401), the IDs'
// documented patterns (400, code 5209) and the billing-plan gate (400, code
// 5050).
//
// For the rest, a test scripts it: [Server.AddCommand] seeds commands in any
// status, [Server.SetCommandStatus] and [Server.ApplyAfter] play the device
// that applies them, [Server.SetOffline] the device that does not, [Server.Script] makes the next calls to an endpoint fail
// (an error status, a dropped connection, a slow answer, or a call carried
// out whose answer is lost or cut), [Server.SetRateLimit] plays the API's
// rate limiter, [Server.SetFeatureAllowed] closes the billing-plan gate, and
// [Server.Requests] tells what the server received.
package appliverytest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/applivery/applivery-go"
)

// Server is a fake Applivery API. Its methods are safe for concurrent use,
// also while requests are being served.
type Server struct {
	URL    string // the base URL, with its /v1 path: pass it to applivery.WithBaseURL
	APIKey string // the key it accepts; any other key gets 401 (code 4004)

	ts       *httptest.Server
	mu       sync.Mutex
	commands map[commandKey]*stored // under the device's ID when it was added, see canonicalDevice
	devices  map[deviceKey]*storedDevice
	// deviceAliases maps a serial number, IMEI or enrollmentSpecificId to
	// the device's ID.
	deviceAliases map[deviceKey]string
	// seeded holds the devices that exist only because AddCommand seeded a
	// command on them, under the name it was given; AddDevice takes them
	// over (see adopt).
	seeded        map[deviceKey]bool
	organizations map[string]bool // those that exist: see AddOrganization
	seq           uint64          // insertion order, the tie-break of every sort
	faults        map[Endpoint][]Fault
	requests      []Request
	notAllowed    map[string]bool // organizations whose plan does not allow the feature
	applyAfter    time.Duration   // see ApplyAfter; 0: commands stay pending
	// offline holds the devices that apply no command (see SetOffline), and
	// online when each device last came back, under their canonical IDs.
	offline map[deviceKey]bool
	online  map[deviceKey]time.Time
	limiter *rateLimit // see SetRateLimit; nil: no limit
}

type commandKey struct{ organization, device, id string }

type stored struct {
	cmd applivery.Command
	seq uint64
}

// The API's routes, under the base path /v1.
const (
	basePath     = "/v1"
	devicesPath  = "/organizations/{organizationId}/mdm/android/enterprise/devices"
	devicePath   = devicesPath + "/{emmDeviceId}"
	commandsPath = devicePath + "/commands"
	commandPath  = commandsPath + "/{emmCommandId}"
)

// NewServer starts a Server with no commands and a random API key. Close it
// when done.
func NewServer() *Server {
	s := &Server{
		APIKey:        "test_" + randomHex(16),
		commands:      make(map[commandKey]*stored),
		devices:       make(map[deviceKey]*storedDevice),
		deviceAliases: make(map[deviceKey]string),
		seeded:        make(map[deviceKey]bool),
		organizations: make(map[string]bool),
		faults:        make(map[Endpoint][]Fault),
		notAllowed:    make(map[string]bool),
		offline:       make(map[deviceKey]bool),
		online:        make(map[deviceKey]time.Time),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+basePath+commandPath+"/cancel", s.endpoint(EndpointCancel, s.cancel))
	mux.HandleFunc("GET "+basePath+commandPath, s.endpoint(EndpointGet, s.get))
	mux.HandleFunc("GET "+basePath+commandsPath, s.endpoint(EndpointList, s.list))
	mux.HandleFunc("POST "+basePath+commandsPath, s.endpoint(EndpointCreate, s.create))
	mux.HandleFunc("GET "+basePath+devicesPath, s.endpoint(EndpointDeviceList, s.listDevices))
	mux.HandleFunc("GET "+basePath+devicePath, s.endpoint(EndpointDeviceGet, s.getDevice))
	mux.HandleFunc("PUT "+basePath+devicePath+"/move", s.endpoint(EndpointDeviceMove, s.moveDevice))
	mux.HandleFunc("/", s.endpoint("", func(w http.ResponseWriter, _ *http.Request) { writeError(w, errNotFound) }))
	s.ts = httptest.NewServer(mux)
	s.URL = s.ts.URL + basePath
	return s
}

// Close shuts the server down and waits for the requests in flight.
func (s *Server) Close() { s.ts.Close() }

// NewClient returns a client of the server: its key and its URL, then opts,
// which can override them. In tests, shorten the waits between retries:
//
//	client, err := srv.NewClient(applivery.WithRetryWait(time.Millisecond, 10*time.Millisecond))
func (s *Server) NewClient(opts ...applivery.Option) (*applivery.Client, error) {
	return applivery.NewClient(s.APIKey, append([]applivery.Option{applivery.WithBaseURL(s.URL)}, opts...)...)
}

// AddCommand stores cmd as a command of the device and returns what was
// stored: with a generated 24-hex-digit ID when cmd.ID is empty, status
// PENDING when cmd.Status is empty, and the current time (UTC, to the
// millisecond) in CreatedAt and UpdatedAt when they are zero. A command with
// the same ID on the same device is replaced.
//
// deviceID is the ID or an alias of a device that AddDevice stored, whose
// command it then is; any other name makes a device of its own, which the
// commands endpoints then know by that name (and a later AddDevice that
// names it as its ID or an alias takes over its commands). The organization
// and the device exist from then on: see the package documentation.
//
// It panics, naming the documented pattern, on what the API could not hold:
// an organization, device or command ID that does not match
// [applivery.OrganizationIDPattern], [applivery.DeviceIDPattern] or
// [applivery.CommandIDPattern], or a RawConfig that is set but is not valid
// JSON.
func (s *Server) AddCommand(organizationID, deviceID string, cmd applivery.Command) applivery.Command {
	mustMatch("AddCommand", "organization ID", organizationID, organizationIDRE)
	mustMatch("AddCommand", "device ID", deviceID, deviceIDRE)
	if cmd.ID != "" {
		mustMatch("AddCommand", "command ID", cmd.ID, commandIDRE)
	}
	if len(cmd.RawConfig) > 0 && !json.Valid(cmd.RawConfig) {
		panic("appliverytest: AddCommand: RawConfig is not valid JSON")
	}
	if cmd.ID == "" {
		cmd.ID = randomHex(12)
	}
	if cmd.Status == "" {
		cmd.Status = applivery.CommandStatusPending
	}
	now := stamp()
	if cmd.CreatedAt.IsZero() {
		cmd.CreatedAt = now
	}
	if cmd.UpdatedAt.IsZero() {
		cmd.UpdatedAt = now
	}
	s.mu.Lock()
	s.storeCommand(organizationID, deviceID, cmd)
	s.mu.Unlock()
	return clone(cmd)
}

// storeCommand stores a copy of cmd, complete, as a command of the device
// that deviceID names, and makes the device exist if it did not. The caller
// holds s.mu.
func (s *Server) storeCommand(organizationID, deviceID string, cmd applivery.Command) {
	s.organizations[organizationID] = true
	if s.findDevice(organizationID, deviceID) == nil {
		s.seeded[deviceKey{organizationID, deviceID}] = true
	}
	s.seq++
	s.commands[commandKey{organizationID, s.canonicalDevice(organizationID, deviceID), cmd.ID}] = &stored{cmd: clone(cmd), seq: s.seq}
}

// AddOrganization makes an organization exist without any device, so that
// its device list answers an empty page rather than 404 (code 3001), as the
// API answers for an organization it does not know. AddDevice and AddCommand
// make the organization they name exist too. It panics on an ID that does
// not match [applivery.OrganizationIDPattern].
func (s *Server) AddOrganization(organizationID string) {
	mustMatch("AddOrganization", "organization ID", organizationID, organizationIDRE)
	s.mu.Lock()
	s.organizations[organizationID] = true
	s.mu.Unlock()
}

// deviceExists reports whether deviceID names a device of the organization:
// one AddDevice stored (by its ID or an alias) or one AddCommand seeded. The
// caller holds s.mu.
func (s *Server) deviceExists(organizationID, deviceID string) bool {
	return s.findDevice(organizationID, deviceID) != nil || s.seeded[deviceKey{organizationID, deviceID}]
}

// Command returns the command of the device with the given ID, as the server
// holds it now.
func (s *Server) Command(organizationID, deviceID, commandID string) (applivery.Command, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := commandKey{organizationID, s.canonicalDevice(organizationID, deviceID), commandID}
	st, ok := s.commands[key]
	if !ok {
		return applivery.Command{}, false
	}
	s.settle(key, st)
	return clone(st.cmd), true
}

// SetCommandStatus sets the status of a stored command, as a device that
// applies it (DONE) or an operator who cancels it (CANCEL) would, with its
// UpdatedAt to now and Config.Done to whether the status is DONE. It
// reports false if there is no such command. Any status can be set, also
// one the API does not document.
func (s *Server) SetCommandStatus(organizationID, deviceID, commandID string, status applivery.CommandStatus) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.commands[commandKey{organizationID, s.canonicalDevice(organizationID, deviceID), commandID}]
	if !ok {
		return false
	}
	st.cmd.Status = status
	st.cmd.UpdatedAt = stamp()
	st.cmd.Config.Done = status == applivery.CommandStatusDone
	return true
}

// ApplyAfter makes every PENDING command become DONE d after its creation
// (its CreatedAt), as a device applies it: its UpdatedAt is then its
// CreatedAt plus d, and Config.Done is true. It applies to commands stored
// before and after the call, however they were stored (AddCommand, or
// created through the API); a command canceled before d has passed stays
// canceled. 0, the default, turns it off; a negative d panics.
func (s *Server) ApplyAfter(d time.Duration) {
	if d < 0 {
		panic("appliverytest: ApplyAfter: negative duration " + d.String())
	}
	s.mu.Lock()
	s.applyAfter = d
	s.mu.Unlock()
}

// SetOffline takes a device offline, or brings it back: an offline device
// applies no command, so ApplyAfter leaves its commands PENDING, as the
// commands of a switched-off or lost device stay. Back online, it applies
// them at once if their time has come, and at their time otherwise. The
// device is named by its ID or any alias; it panics on a device the server
// does not hold, as a typo in a test would otherwise go unnoticed.
func (s *Server) SetOffline(organizationID, deviceID string, offline bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.deviceExists(organizationID, deviceID) {
		panic(fmt.Sprintf("appliverytest: SetOffline: no device %q in organization %q: add it first", deviceID, organizationID))
	}
	key := deviceKey{organizationID, s.canonicalDevice(organizationID, deviceID)}
	if offline {
		s.offline[key] = true
		return
	}
	if s.offline[key] {
		delete(s.offline, key)
		s.online[key] = time.Now()
	}
}

// settle applies the command st, stored under key, if ApplyAfter says its
// time has come and its device is online. The caller holds s.mu.
func (s *Server) settle(key commandKey, st *stored) {
	if s.applyAfter <= 0 || st.cmd.Status != applivery.CommandStatusPending {
		return
	}
	device := deviceKey{key.organization, key.device}
	if s.offline[device] {
		return
	}
	if at := st.cmd.CreatedAt.Add(s.applyAfter); !time.Now().Before(at) {
		if back := s.online[device]; back.After(at) {
			at = back // applied when the device came back
		}
		st.cmd.Status = applivery.CommandStatusDone
		st.cmd.UpdatedAt = at.UTC().Truncate(time.Millisecond)
		st.cmd.Config.Done = true
	}
}

// clone returns a copy of cmd that shares no memory with it.
func clone(cmd applivery.Command) applivery.Command {
	if cmd.RawConfig != nil {
		cmd.RawConfig = append(json.RawMessage(nil), cmd.RawConfig...)
	}
	return cmd
}
