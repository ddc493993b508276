package svcportal

import (
	"context"
	"time"
)

// APIToken lets a staff member call the admin API with
// "Authorization: Bearer <token>". Only the token's SHA-256 is stored. A
// token works until it expires (when it has an expiry) or is revoked.
type APIToken struct {
	ID         int64      `bun:"id,pk,autoincrement" json:"id"`
	TenantID   int64      `bun:"tenant_id,notnull" json:"-"`
	StaffID    int64      `bun:"staff_id,notnull" json:"staff_id"`
	Name       string     `bun:"name,notnull" json:"name"`
	TokenHash  string     `bun:"token_hash,notnull" json:"-"`
	CreatedAt  time.Time  `bun:"created_at,notnull" json:"created_at"`
	LastUsedAt *time.Time `bun:"last_used_at" json:"last_used_at"`
	ExpiresAt  *time.Time `bun:"expires_at" json:"expires_at"`
	RevokedAt  *time.Time `bun:"revoked_at" json:"revoked_at"`
}

// Usable reports whether the token may authenticate at now: not revoked
// and not expired.
func (t *APIToken) Usable(now time.Time) bool {
	return t.RevokedAt == nil && (t.ExpiresAt == nil || now.Before(*t.ExpiresAt))
}

// APITokenStore keeps the context tenant's API tokens.
type APITokenStore interface {
	// CreateAPIToken inserts t; KindNotFound if its staff member is not
	// the tenant's.
	CreateAPIToken(ctx context.Context, t *APIToken) error
	// APITokenByHash returns the token with that hash, revoked and expired
	// ones included, or KindNotFound.
	APITokenByHash(ctx context.Context, hash string) (*APIToken, error)
	// TouchAPIToken records a use of the token.
	TouchAPIToken(ctx context.Context, id int64, at time.Time) error
	// APITokens lists the tenant's tokens, newest first.
	APITokens(ctx context.Context) ([]APIToken, error)
	// RevokeAPIToken marks the token revoked at at (a revoked one keeps
	// its first date); KindNotFound if it is not the tenant's.
	RevokeAPIToken(ctx context.Context, id int64, at time.Time) error
}

// APITokenCreate is what an admin sends to make a token: a name, and an
// optional expiry in the future.
type APITokenCreate struct {
	Name      string     `json:"name"`
	ExpiresAt *time.Time `json:"expires_at"`
}

// NewAPIToken is a token just made: its record and, once, the secret.
type NewAPIToken struct {
	APIToken
	Token string `json:"token"`
}

// APITokenAdmin is the admin API's management of tokens. Every method works
// within the context tenant.
type APITokenAdmin interface {
	// APITokens lists the tenant's tokens, never their secrets.
	APITokens(ctx context.Context) ([]APIToken, error)
	// IssueAPIToken makes a token that acts as by:
	// KindUnprocessable for a missing or long name or a past expiry.
	IssueAPIToken(ctx context.Context, by *Principal, req APITokenCreate) (*NewAPIToken, error)
	// RevokeAPIToken ends a token of the tenant at once: KindNotFound.
	RevokeAPIToken(ctx context.Context, by *Principal, id int64) error
}

// ContactFilter selects contacts in the admin console.
type ContactFilter struct {
	SiteID  int64  // 0: every site
	Query   string // part of the email or name
	Page    int    // from 1
	PerPage int
}
