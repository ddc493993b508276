package policies_test

import (
	"testing"

	"github.com/svcportal/svcportal/policies"
)

// TestStaffRoles_Allow checks the default staff policy against SPEC.md:
// agents reach the tickets, contacts (read), the knowledge base (read)
// and their profile; admins reach everything.
func TestStaffRoles_Allow(t *testing.T) {
	r, err := policies.NewStaffRoles()
	if err != nil {
		t.Fatal(err)
	}
	areas := []string{policies.AreaHome, policies.AreaProfile, policies.AreaTickets, policies.AreaContacts, policies.AreaSites,
		policies.AreaFields, policies.AreaKB, policies.AreaSettings, policies.AreaStaff, policies.AreaAnnouncements}
	agentMay := map[policies.Permission]bool{
		{Area: policies.AreaHome, Action: policies.Read}:     true,
		{Area: policies.AreaProfile, Action: policies.Read}:  true,
		{Area: policies.AreaProfile, Action: policies.Write}: true,
		{Area: policies.AreaTickets, Action: policies.Read}:  true,
		{Area: policies.AreaTickets, Action: policies.Write}: true,
		{Area: policies.AreaContacts, Action: policies.Read}: true,
		{Area: policies.AreaSites, Action: policies.Read}:    true,
		{Area: policies.AreaFields, Action: policies.Read}:   true,
		{Area: policies.AreaKB, Action: policies.Read}:       true,
	}
	for _, area := range areas {
		for _, action := range []string{policies.Read, policies.Write} {
			perm := policies.Permission{Area: area, Action: action}
			for role, want := range map[string]bool{"admin": true, "agent": agentMay[perm], "member": false, "": false} {
				got, err := r.Allow(role, perm)
				if err != nil {
					t.Fatal(err)
				}
				if got != want {
					t.Errorf("%q may %s %s: got %v, want %v", role, action, area, got, want)
				}
			}
		}
	}
	if ok, _ := r.Allow("", policies.Permission{Area: policies.AreaPublic}); !ok {
		t.Error("the public area needs no role")
	}
	if ok, _ := r.Allow("admin", policies.Permission{}); ok {
		t.Error("a route without a declared permission is allowed")
	}
}
