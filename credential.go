package svcportal

import (
	"context"
	"time"
)

// Lifetimes and limits of the one-time secrets that let a contact choose a
// password without knowing the current one.
const (
	ResetCodeTTL         = 15 * time.Minute // a reset code is void after this
	ResetCodeMaxAttempts = 5                // …or after this many tries
	PasswordLinkTTL      = 72 * time.Hour   // a welcome set-password link is void after this
)

// ResetCode is a one-time password-reset code of 8 digits, emailed to a
// contact. Only a keyed hash (HMAC with the server's secret key) is stored,
// so a copy of the table does not reveal the codes. A request for an
// address without an active account stores a code row too, without a
// contact (ContactID 0), which no confirmation can ever use: both answers
// do the same work.
type ResetCode struct {
	ID        int64     `bun:"id,pk,autoincrement"`
	TenantID  int64     `bun:"tenant_id,notnull"`
	ContactID int64     `bun:"contact_id,nullzero"`
	CodeHash  string    `bun:"code_hash,notnull"`
	Attempts  int       `bun:"attempts,notnull"` // tries made, the right one included
	CreatedAt time.Time `bun:"created_at,notnull"`
	ExpiresAt time.Time `bun:"expires_at,notnull"`
	UsedAt    time.Time `bun:"used_at,nullzero"`
}

// PasswordLink is a single-use set-password link of a welcome email. The
// contact holds a random token; only its SHA-256 is stored. One without
// TokenHash is no link: saving it voids the contact's earlier links and
// queues its email only (a welcome to an address whose site requires
// single sign-on).
type PasswordLink struct {
	ID        int64     `bun:"id,pk,autoincrement"`
	TenantID  int64     `bun:"tenant_id,notnull"`
	ContactID int64     `bun:"contact_id,notnull"`
	TokenHash string    `bun:"token_hash,notnull"`
	CreatedAt time.Time `bun:"created_at,notnull"`
	ExpiresAt time.Time `bun:"expires_at,notnull"`
	UsedAt    time.Time `bun:"used_at,nullzero"`
}

// CredentialStore keeps the context tenant's reset codes and set-password
// links. Each method that hands out a secret writes its email in the same
// transaction, so the message exists exactly when the secret does.
type CredentialStore interface {
	// CreateResetCode replaces every earlier code of rc's contact with rc
	// and enqueues email, in one transaction. TenantID and CreatedAt are
	// set by the store. With ContactID 0 (no account) it stores the row
	// without a contact and removes such rows that have expired instead.
	CreateResetCode(ctx context.Context, rc *ResetCode, email *OutboundEmail) error
	// ClaimResetAttempt counts one try on the contact's live code (unused,
	// unexpired, fewer than ResetCodeMaxAttempts tries) and returns it;
	// KindNotFound when there is none. Counting before comparing means
	// concurrent guesses cannot exceed the limit.
	ClaimResetAttempt(ctx context.Context, contactID int64, now time.Time) (*ResetCode, error)
	// ResetPassword uses the code codeID of the contact (KindNotFound if it
	// is no longer unused and unexpired), voids the contact's other codes
	// and links, stores the new password hash, clears must-change-password
	// and ends every session of the contact, in one transaction.
	ResetPassword(ctx context.Context, codeID, contactID int64, hash string) error
	// CreatePasswordLink voids the earlier unused links of l's contact,
	// inserts l and enqueues email, in one transaction.
	CreatePasswordLink(ctx context.Context, l *PasswordLink, email *OutboundEmail) error
	// CreateContactWithLink inserts c as CreateContact does, then l for it
	// (its ContactID is set) and email, in one transaction.
	CreateContactWithLink(ctx context.Context, c *Contact, l *PasswordLink, email *OutboundEmail) error
	// PasswordLink returns the unused, unexpired link with that token hash,
	// or KindNotFound.
	PasswordLink(ctx context.Context, tokenHash string, now time.Time) (*PasswordLink, error)
	// UsePasswordLink uses the link id (KindNotFound if it is no longer
	// unused and unexpired) and sets the password of its contact as
	// ResetPassword does, in one transaction.
	UsePasswordLink(ctx context.Context, id int64, hash string) error
}

// ResetConfirm is what a contact sends to finish a password reset.
type ResetConfirm struct {
	Email    string `json:"email"`
	Code     string `json:"code"`
	Password string `json:"password"`
}

// ErrInvalidCode is the one answer for a wrong, expired, used or voided
// reset code and for an unknown email, so the answer tells nothing more.
func ErrInvalidCode() *Error {
	e := FieldErr(KindInvalid, "code", "error.reset_code_invalid", nil)
	e.Code = "invalid_code"
	return e
}

// ErrInvalidLink is the answer for a wrong, expired or used set-password
// link.
func ErrInvalidLink() *Error {
	return &Error{Kind: KindInvalid, Code: "invalid_link", MessageID: "error.password_link_invalid"}
}
