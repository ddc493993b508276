package svcportal

import (
	"context"
	"time"
)

// EmailChangeTTL is how long the link that confirms a new email address
// works.
const EmailChangeTTL = 24 * time.Hour

// Kinds of email about a contact's change of address.
const (
	EmailChangeConfirm = "email_change_confirm" // to the new address; Data: Link, ExpiresHours
	EmailChangeNotice  = "email_change_notice"  // to the current address; Data: NewEmail
	EmailChangeTaken   = "email_change_taken"   // to a new address another contact uses; Data: none
)

// EmailChange is a contact's request to use a new email address. The
// address changes only when the link sent to it is followed: the random
// token of that link is single-use, expires after EmailChangeTTL, and only
// its SHA-256 is stored.
type EmailChange struct {
	ID        int64     `bun:"id,pk,autoincrement"`
	TenantID  int64     `bun:"tenant_id,notnull"`
	ContactID int64     `bun:"contact_id,notnull"`
	NewEmail  string    `bun:"new_email,notnull"`
	TokenHash string    `bun:"token_hash,notnull"`
	CreatedAt time.Time `bun:"created_at,notnull"`
	ExpiresAt time.Time `bun:"expires_at,notnull"`
	UsedAt    time.Time `bun:"used_at,nullzero"`
}

// EmailChangeStore keeps the context tenant's email-change requests.
type EmailChangeStore interface {
	// CreateEmailChange voids the contact's earlier unused requests,
	// inserts ec and enqueues emails, in one transaction.
	CreateEmailChange(ctx context.Context, ec *EmailChange, emails ...*OutboundEmail) error
	// ConfirmEmailChange uses the unused, unexpired request with that token
	// hash and gives its contact the new address, verified now, in one
	// transaction: KindNotFound for no such request, KindConflict when
	// another contact has taken the address since.
	ConfirmEmailChange(ctx context.Context, tokenHash string, now time.Time) (*Contact, error)
	// EmailChangeByToken returns the unused, unexpired request with that
	// token hash, or KindNotFound.
	EmailChangeByToken(ctx context.Context, tokenHash string, now time.Time) (*EmailChange, error)
}

// ErrInvalidEmailLink is the answer for a wrong, expired or used link of
// an email change.
func ErrInvalidEmailLink() *Error {
	return &Error{Kind: KindInvalid, Code: "invalid_link", MessageID: "error.email_link_invalid"}
}
