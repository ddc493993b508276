package svcportal

import (
	"context"
	"time"
)

// Kinds of signed-in principal.
const (
	PrincipalContact = "contact"
	PrincipalStaff   = "staff"
)

// Session is a server-side login. The browser holds a random token; the
// database holds only its SHA-256 (ID), so a copy of the table opens no
// session.
type Session struct {
	ID         string    `bun:"id,pk"`
	TenantID   int64     `bun:"tenant_id,notnull"`
	Kind       string    `bun:"kind,notnull"` // PrincipalContact or PrincipalStaff
	SubjectID  int64     `bun:"subject_id,notnull"`
	CSRFToken  string    `bun:"csrf_token,notnull"`
	IP         string    `bun:"ip,notnull"`
	UserAgent  string    `bun:"user_agent,notnull"`
	CreatedAt  time.Time `bun:"created_at,notnull"`
	LastSeenAt time.Time `bun:"last_seen_at,notnull"`
	ExpiresAt  time.Time `bun:"expires_at,notnull"`
}

// SessionStore keeps the context tenant's sessions.
type SessionStore interface {
	// CreateSession inserts s (its TenantID is set from the context).
	CreateSession(ctx context.Context, s *Session) error
	// Session returns an unexpired session of the tenant, or KindNotFound.
	Session(ctx context.Context, id string, now time.Time) (*Session, error)
	// TouchSession records activity and moves the idle expiry.
	TouchSession(ctx context.Context, id string, lastSeen, expires time.Time) error
	// DeleteSession ends one session; ending an absent one is not an error.
	DeleteSession(ctx context.Context, id string) error
	// DeleteSessionsOf ends every session of a principal but keepID.
	DeleteSessionsOf(ctx context.Context, kind string, subjectID int64, keepID string) error
}

// ThrottleStore counts events per key in fixed windows, shared by every
// instance through the database.
type ThrottleStore interface {
	// Hit counts one event for key and returns the count in the current
	// window and when that window ends.
	Hit(ctx context.Context, key string, window time.Duration, now time.Time) (count int, resetAt time.Time, err error)
	// Peek returns the count of the current window without counting.
	Peek(ctx context.Context, key string, now time.Time) (count int, resetAt time.Time, err error)
	// Clear forgets key.
	Clear(ctx context.Context, key string) error
	// Take counts one event on every limit's key, but only when each of
	// them is still under its Max in its current window, all in one
	// transaction: it reports whether the event was counted and, when it
	// was not, when the first full window ends. Concurrent takes, from any
	// instance, never count more than Max events in a window.
	Take(ctx context.Context, limits []ThrottleLimit, now time.Time) (ok bool, retryAt time.Time, err error)
	// Untake gives back one event taken on each key in its current window
	// (an attempt that turned out not to count).
	Untake(ctx context.Context, keys []string, now time.Time) error
}

// ThrottleLimit allows Max events per Window for one key.
type ThrottleLimit struct {
	Key    string
	Max    int
	Window time.Duration
}

// AuditEntry records a security-relevant event of a tenant.
type AuditEntry struct {
	ID        int64     `bun:"id,pk,autoincrement" json:"id"`
	TenantID  int64     `bun:"tenant_id,notnull" json:"-"`
	At        time.Time `bun:"at,notnull" json:"at"`
	ActorKind string    `bun:"actor_kind,notnull" json:"actor_kind"` // PrincipalContact, PrincipalStaff or "" when unknown
	ActorID   int64     `bun:"actor_id,notnull" json:"actor_id"`
	Action    string    `bun:"action,notnull" json:"action"` // one of the Audit* constants
	Email     string    `bun:"email,notnull" json:"email"`
	IP        string    `bun:"ip,notnull" json:"ip"`
	Detail    string    `bun:"detail,notnull" json:"detail"`
}

// Audited actions.
const (
	AuditLogin            = "login"
	AuditLoginFailed      = "login_failed"
	AuditLoginThrottled   = "login_throttled"
	AuditLogout           = "logout"
	AuditPasswordChanged  = "password_changed"
	AuditProfileChanged   = "profile_changed"
	AuditResetRequested   = "password_reset_requested"
	AuditResetDone        = "password_reset"
	AuditContactCreated   = "contact_created" // by single sign-on, for an unknown verified email
	AuditContactDeleted   = "contact_deleted"
	AuditEmailChangeAsked = "email_change_requested"
	AuditEmailChanged     = "email_changed"
	AuditTokenCreated     = "api_token_created"
	AuditTokenRevoked     = "api_token_revoked"
	AuditStaffInvited     = "staff_invited"
	AuditStaffChanged     = "staff_changed"
	AuditStaffReinvited   = "staff_reinvited"
	AuditContactsImported = "contacts_imported"
	AuditContactExported  = "contact_exported"
	AuditContactErased    = "contact_erased"
	AuditSSOLinked        = "sso_linked"   // a provider's account linked to a contact at its first sign-in
	AuditSSOUnlinked      = "sso_unlinked" // an admin unlinked a provider's account from a contact
)

// AuditStore appends to and reads the context tenant's audit log.
type AuditStore interface {
	// Audit appends e (TenantID and At are set by the store when zero).
	Audit(ctx context.Context, e *AuditEntry) error
	// AuditLog returns the newest entries first, at most limit.
	AuditLog(ctx context.Context, limit int) ([]AuditEntry, error)
	// AuditEntries pages through the entries matching f, newest first,
	// with the count of all that match.
	AuditEntries(ctx context.Context, f AuditFilter) ([]AuditEntry, int, error)
}

// AuditActions lists every audited action, for filters.
var AuditActions = []string{AuditLogin, AuditLoginFailed, AuditLoginThrottled, AuditLogout, AuditPasswordChanged,
	AuditProfileChanged, AuditResetRequested, AuditResetDone, AuditContactCreated, AuditContactDeleted,
	AuditEmailChangeAsked, AuditEmailChanged, AuditTokenCreated, AuditTokenRevoked, AuditStaffInvited, AuditStaffReinvited, AuditStaffChanged,
	AuditContactsImported, AuditContactExported, AuditContactErased, AuditSSOLinked, AuditSSOUnlinked}

// AuditFilter selects audit entries: an action ("" any), part of the
// email ("" any), a time range [From, To) (nil: open), and a page.
type AuditFilter struct {
	Action   string
	Email    string
	From, To *time.Time
	Page     int // from 1
	PerPage  int // at most 200; 0 is 50
}

// AuditLog is the admin console's reading of the tenant's audit log.
type AuditLog interface {
	// AuditEntries pages through the entries matching f, newest first,
	// with their total: KindUnprocessable for an unknown action or a
	// range that ends before it starts.
	AuditEntries(ctx context.Context, f AuditFilter) ([]AuditEntry, int, error)
}
