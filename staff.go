package svcportal

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// Staff roles in the admin console.
const (
	StaffAdmin = "admin"
	StaffAgent = "agent"
)

// Staff is a user of a tenant's admin console.
type Staff struct {
	ID           int64     `bun:"id,pk,autoincrement" json:"id"`
	TenantID     int64     `bun:"tenant_id,notnull" json:"-"`
	Email        string    `bun:"email,notnull" json:"email"`
	PasswordHash string    `bun:"password_hash,notnull" json:"-"`
	Name         string    `bun:"name,notnull" json:"name"`
	Role         string    `bun:"role,notnull" json:"role"`
	Locale       string    `bun:"locale,notnull" json:"locale"`
	Disabled     bool      `bun:"disabled,notnull" json:"disabled"`
	CreatedAt    time.Time `bun:"created_at,notnull" json:"created_at"`
	UpdatedAt    time.Time `bun:"updated_at,notnull" json:"updated_at"`
}

// Validate normalises and checks s.
func (s *Staff) Validate() error {
	s.Email = NormalizeEmail(s.Email)
	s.Name = strings.TrimSpace(s.Name)
	var v Validation
	v.Check(ValidEmail(s.Email), "email", "error.email_format", nil)
	v.Check(utf8.RuneCountInString(s.Name) <= 100, "name", "error.too_long", map[string]any{"Max": 100})
	v.Check(s.Role == StaffAdmin || s.Role == StaffAgent, "role", "error.role_unknown", nil)
	v.Check(s.Locale == "" || IsLocale(s.Locale), "locale", "error.locale_unknown", map[string]any{"Locale": s.Locale})
	return v.Err()
}

// StaffStore keeps the staff of the context tenant.
type StaffStore interface {
	// CreateStaff inserts s; KindConflict if the email is taken in the tenant.
	CreateStaff(ctx context.Context, s *Staff) error
	// StaffByEmail matches case-insensitively, or returns KindNotFound.
	StaffByEmail(ctx context.Context, email string) (*Staff, error)
	// StaffMember returns the staff member with that id, or KindNotFound.
	StaffMember(ctx context.Context, id int64) (*Staff, error)
}
