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
	ID           int64  `bun:"id,pk,autoincrement" json:"id"`
	TenantID     int64  `bun:"tenant_id,notnull" json:"-"`
	Email        string `bun:"email,notnull" json:"email"`
	PasswordHash string `bun:"password_hash,notnull" json:"-"`
	Name         string `bun:"name,notnull" json:"name"`
	Role         string `bun:"role,notnull" json:"role"`
	Locale       string `bun:"locale,notnull" json:"locale"`
	Disabled     bool   `bun:"disabled,notnull" json:"disabled"`
	// MustChangePassword keeps the staff member on the password page
	// until they choose their own (a first password set by someone else).
	MustChangePassword bool `bun:"must_change_password,notnull" json:"must_change_password"`
	// MuteTicketEmails turns off the emails about new tickets and client
	// replies (on by default: a new column reads false).
	MuteTicketEmails bool      `bun:"mute_ticket_emails,notnull" json:"mute_ticket_emails"`
	CreatedAt        time.Time `bun:"created_at,notnull" json:"created_at"`
	UpdatedAt        time.Time `bun:"updated_at,notnull" json:"updated_at"`
	// InvitationPending is true for a member invited who has not set a
	// password yet (so never signed in): their invitation may be sent
	// again. Filled by StaffAccounts.ListStaff.
	InvitationPending bool `bun:"-" json:"invitation_pending"`
}

// CheckInvitationPending is nil when s's invitation may be sent again: s
// is enabled and has set no password yet; else KindConflict.
func (s *Staff) CheckInvitationPending() error {
	switch {
	case s.Disabled:
		return NewError(KindConflict, "error.staff_invitation_disabled")
	case s.PasswordHash != "":
		return NewError(KindConflict, "error.staff_invitation_accepted")
	}
	return nil
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
	// ListStaff lists the tenant's staff, admins first, then by email.
	ListStaff(ctx context.Context) ([]Staff, error)
	// UpdateStaff saves s's name, role, locale, disabled, must-change and
	// notification columns; disabling ends every session of s in the same
	// transaction. KindNotFound.
	UpdateStaff(ctx context.Context, s *Staff) error
}

// StaffCredentialStore keeps the context tenant's staff reset codes and
// set-password links, as CredentialStore does for contacts: only hashes
// are stored, and each secret's email is written in the same transaction.
type StaffCredentialStore interface {
	// CreateStaffResetCode replaces the staff member's earlier codes with
	// a new one and enqueues email.
	CreateStaffResetCode(ctx context.Context, staffID int64, codeHash string, expires time.Time, email *OutboundEmail) error
	// ClaimStaffResetAttempt counts one try on the live code of the staff
	// member and returns its id and hash; KindNotFound when there is none.
	ClaimStaffResetAttempt(ctx context.Context, staffID int64, now time.Time) (codeID int64, codeHash string, err error)
	// ResetStaffPassword uses the code (KindNotFound if no longer live),
	// voids the other codes and links, stores the hash, clears
	// must-change-password and ends every session of the staff member.
	ResetStaffPassword(ctx context.Context, codeID, staffID int64, hash string) error
	// CreateStaffWithLink inserts s, then a set-password link for it and
	// the invitation email, in one transaction; KindConflict (email).
	CreateStaffWithLink(ctx context.Context, s *Staff, tokenHash string, expires time.Time, email *OutboundEmail) error
	// StaffPasswordLink returns the live link with that token hash:
	// its id and staff member, or KindNotFound.
	StaffPasswordLink(ctx context.Context, tokenHash string, now time.Time) (linkID, staffID int64, err error)
	// UseStaffPasswordLink uses the link (KindNotFound if no longer live)
	// and sets the password as ResetStaffPassword does.
	UseStaffPasswordLink(ctx context.Context, linkID int64, hash string) error
	// RenewStaffPasswordLink runs check on the staff member (locked until
	// commit), then voids their unused set-password links and stores a new
	// one with its email, in one transaction: KindNotFound, or check's
	// error.
	RenewStaffPasswordLink(ctx context.Context, staffID int64, check func(*Staff) error, tokenHash string, expires time.Time, email *OutboundEmail) error
}

// StaffInvite is what an admin sends to invite a staff member.
type StaffInvite struct {
	Email  string `json:"email"`
	Name   string `json:"name"`
	Role   string `json:"role"`
	Locale string `json:"locale"`
}

// StaffUpdate is what an admin may change on a staff member; nil leaves
// a field as is.
type StaffUpdate struct {
	Name     *string `json:"name"`
	Role     *string `json:"role"`
	Disabled *bool   `json:"disabled"`
}

// StaffProfileUpdate is what staff members change on themselves.
type StaffProfileUpdate struct {
	Name          *string `json:"name"`
	Locale        *string `json:"locale"`
	NotifyTickets *bool   `json:"notify_tickets"`
}

// StaffAccounts is the console's management of staff accounts: admins
// manage the team, each staff member their own profile, and staff reset
// forgotten passwords as contacts do. Every method works within the
// context tenant.
type StaffAccounts interface {
	// ListStaff lists the tenant's staff.
	ListStaff(ctx context.Context) ([]Staff, error)
	// InviteStaff creates the staff member and emails them a single-use
	// set-password link: KindUnprocessable, KindConflict (email taken).
	InviteStaff(ctx context.Context, by *Principal, req StaffInvite) (*Staff, error)
	// UpdateStaff applies u: KindNotFound, KindUnprocessable, KindConflict
	// when an admin would change their own role or disable themselves.
	// Disabling ends the staff member's sessions.
	UpdateStaff(ctx context.Context, by *Principal, id int64, u StaffUpdate) (*Staff, error)
	// ResendStaffInvitation emails the staff member a new set-password
	// link; the earlier links stop working. KindNotFound; KindConflict
	// when they already set a password or are disabled;
	// KindTooManyRequests after a few resends within an hour.
	ResendStaffInvitation(ctx context.Context, by *Principal, id int64) error
	// UpdateStaffProfile applies u to the signed-in staff member:
	// KindUnprocessable for a bad name or an unknown language.
	UpdateStaffProfile(ctx context.Context, p *Principal, u StaffProfileUpdate) (*Staff, error)
	// RequestStaffPasswordReset is RequestPasswordReset for staff.
	RequestStaffPasswordReset(ctx context.Context, email, ip string) error
	// ConfirmStaffPasswordReset is ConfirmPasswordReset for staff.
	ConfirmStaffPasswordReset(ctx context.Context, req ResetConfirm, ip string) error
	// CheckStaffPasswordLink is CheckPasswordLink for staff invitations.
	CheckStaffPasswordLink(ctx context.Context, token string) error
	// SetStaffPasswordWithLink is SetPasswordWithLink for staff.
	SetStaffPasswordWithLink(ctx context.Context, token, password, ip string) (string, error)
}
