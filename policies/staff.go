package policies

import (
	_ "embed"
	"encoding/csv"
	"fmt"
	"strings"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
)

// Areas of the admin console, as the staff policy names them. Every
// console page and admin API route belongs to one.
const (
	AreaPublic   = "public" // sign-in, sign-out, password reset: no staff needed
	AreaHome     = "home"
	AreaProfile  = "profile"
	AreaTickets  = "tickets"
	AreaContacts = "contacts"
	AreaSites    = "sites"
	AreaFields   = "fields"
	AreaKB       = "kb"
	AreaSettings = "settings"
	AreaStaff    = "staff"
	AreaTokens   = "tokens" // admin API tokens
	AreaWebhooks = "webhooks"
	AreaAudit    = "audit" // the tenant's audit log
	// AreaAnnouncements are the notices posted to contacts.
	AreaAnnouncements = "announcements"
)

// Actions on an area.
const (
	Read  = "read"
	Write = "write"
)

// Permission is what a route needs: an action on an area.
type Permission struct {
	Area, Action string
}

var (
	//go:embed staff_model.conf
	staffModelText string
	//go:embed staff_policy.csv
	staffPolicyCSV string
)

// StaffRoles decides which staff role may do what in the admin console,
// from staff_model.conf and staff_policy.csv. The rules are the same for
// every tenant and fixed at start, so one enforcer serves all requests.
type StaffRoles struct {
	e *casbin.Enforcer
}

// NewStaffRoles loads the embedded staff model and policy.
func NewStaffRoles() (*StaffRoles, error) {
	m, err := model.NewModelFromString(staffModelText)
	if err != nil {
		return nil, fmt.Errorf("staff model: %w", err)
	}
	e, err := casbin.NewEnforcer(m)
	if err != nil {
		return nil, fmt.Errorf("staff enforcer: %w", err)
	}
	rows, err := csv.NewReader(strings.NewReader(staffPolicyCSV)).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("staff policy: %w", err)
	}
	for _, row := range rows {
		for i := range row {
			row[i] = strings.TrimSpace(row[i])
		}
		if len(row) != 4 || row[0] != "p" {
			return nil, fmt.Errorf("staff policy: bad line %q", strings.Join(row, ","))
		}
		if _, err := e.AddPolicy(row[1], row[2], row[3]); err != nil {
			return nil, fmt.Errorf("staff policy: %w", err)
		}
	}
	return &StaffRoles{e: e}, nil
}

// Allow reports whether staff of role may take perm's action in its area.
// The public area needs no role; an unknown role may do nothing else.
func (r *StaffRoles) Allow(role string, perm Permission) (bool, error) {
	if perm.Area == AreaPublic {
		return true, nil
	}
	if role == "" || perm.Area == "" || perm.Action == "" {
		return false, nil
	}
	return r.e.Enforce(role, perm.Area, perm.Action)
}
