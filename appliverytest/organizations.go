package appliverytest

import (
	"net/http"
	"sync"
)

// organizations are the organizations the server holds, and the lock over
// everything it holds in them: their devices, and the devices' commands.
type organizations struct {
	mu    sync.Mutex
	known map[string]bool // those that exist: see AddOrganization
}

// initOrganizations makes the server hold no organization.
func (s *organizations) initOrganizations() {
	s.known = make(map[string]bool)
}

// AddOrganization makes an organization exist without any device, so that
// its device list answers an empty page rather than 404 (code 3001), as the
// API answers for an organization it does not know. The other Add methods
// (AddDevice, AddCommand, AddUser, …) make the organization they name exist
// too. It panics on an ID that does not match
// [applivery.OrganizationIDPattern].
func (s *organizations) AddOrganization(organizationID string) {
	mustMatch("AddOrganization", "organization ID", organizationID, organizationIDRE)
	s.mu.Lock()
	s.add(organizationID)
	s.mu.Unlock()
}

// add makes the organization exist. The caller holds s.mu.
func (s *organizations) add(organizationID string) { s.known[organizationID] = true }

// exists reports whether the organization exists. The caller holds s.mu.
func (s *organizations) exists(organizationID string) bool { return s.known[organizationID] }

// servePage answers a list of the organization that r names: 404 (code
// 3001) when the server does not hold it, and otherwise the page that page
// makes of it under the lock.
func (s *organizations) servePage(w http.ResponseWriter, r *http.Request, page func(organizationID string) map[string]any) {
	org := r.PathValue("organizationId")
	data, ok := func() (map[string]any, bool) {
		s.mu.Lock()
		defer s.mu.Unlock() // also when page panics: the server goes on serving
		if !s.exists(org) {
			return nil, false
		}
		return page(org), true
	}()
	if !ok {
		writeError(w, errNotFound)
		return
	}
	writeData(w, data)
}
