package svcportal

import (
	"context"
	"time"
)

// APIToken lets a staff member call the admin API with
// "Authorization: Bearer <token>". Only the token's SHA-256 is stored.
type APIToken struct {
	ID         int64      `bun:"id,pk,autoincrement" json:"id"`
	TenantID   int64      `bun:"tenant_id,notnull" json:"-"`
	StaffID    int64      `bun:"staff_id,notnull" json:"staff_id"`
	Name       string     `bun:"name,notnull" json:"name"`
	TokenHash  string     `bun:"token_hash,notnull" json:"-"`
	CreatedAt  time.Time  `bun:"created_at,notnull" json:"created_at"`
	LastUsedAt *time.Time `bun:"last_used_at" json:"last_used_at"`
}

// APITokenStore keeps the context tenant's API tokens.
type APITokenStore interface {
	// CreateAPIToken inserts t.
	CreateAPIToken(ctx context.Context, t *APIToken) error
	// APITokenByHash returns the token with that hash, or KindNotFound.
	APITokenByHash(ctx context.Context, hash string) (*APIToken, error)
	// TouchAPIToken records a use of the token.
	TouchAPIToken(ctx context.Context, id int64, at time.Time) error
}

// ContactFilter selects contacts in the admin console.
type ContactFilter struct {
	SiteID  int64  // 0: every site
	Query   string // part of the email or name
	Page    int    // from 1
	PerPage int
}
