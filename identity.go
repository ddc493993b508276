package svcportal

import (
	"context"
	"time"
)

// ContactIdentity links a contact to their account at an OpenID provider
// (the tenant's or a site's). Once linked, a sign-in with that provider
// finds the contact by the account's stable key — never again by the
// email the provider claims.
type ContactIdentity struct {
	ID        int64 `bun:"id,pk,autoincrement" json:"id"`
	TenantID  int64 `bun:"tenant_id,notnull" json:"-"`
	ContactID int64 `bun:"contact_id,notnull" json:"contact_id"`
	// SiteID is the site whose provider linked it; 0 for the tenant's.
	SiteID int64 `bun:"site_id,nullzero" json:"site_id,omitempty"`
	IdentityKey
	// Email is the address the provider gave last.
	Email      string    `bun:"email,notnull" json:"email"`
	CreatedAt  time.Time `bun:"created_at,notnull" json:"created_at"`
	LastUsedAt time.Time `bun:"last_used_at,notnull" json:"last_used_at"`
	// Provider is the label of the provider that linked the identity
	// while it is still configured with the identity's issuer, "" once
	// it is gone or moved (ContactAdmin.ContactIdentities fills it).
	Provider string `bun:"-" json:"provider,omitempty"`
}

// IdentityKey names an account at a provider: its issuer and subject
// (iss and sub), and for Microsoft Entra the directory (tid) and object
// (oid) ids. When TID and OID are both set they are the key under the
// issuer (Entra's sub differs per app registration, oid does not);
// otherwise the subject is.
type IdentityKey struct {
	Issuer  string `bun:"issuer,notnull" json:"issuer"`
	Subject string `bun:"subject,notnull" json:"subject"`
	TID     string `bun:"tid,notnull" json:"tid,omitempty"`
	OID     string `bun:"oid,notnull" json:"oid,omitempty"`
}

// Entra reports whether the key is Entra's tid and oid.
func (k IdentityKey) Entra() bool { return k.TID != "" && k.OID != "" }

// IdentityLink is a first sign-in with a provider account: the identity
// to record, for the contact ContactID or, when Create is set, for the
// contact created with it; Join, when set, is a membership the contact is
// given if it has none in that site.
type IdentityLink struct {
	Identity  ContactIdentity
	ContactID int64
	Create    *Contact
	Join      *Membership
}

// ContactIdentityStore keeps the context tenant's contact identities.
type ContactIdentityStore interface {
	// ContactIdentity finds the identity of key (by issuer, tid and oid
	// when key.Entra(), else by issuer and subject): KindNotFound.
	ContactIdentity(ctx context.Context, key IdentityKey) (*ContactIdentity, error)
	// LinkIdentity records l in one transaction — the contact created or
	// joined to the site, and the identity — and returns the contact:
	// KindNotFound (no such contact or site), KindConflict when the email
	// of Create or the identity's key is taken meanwhile.
	LinkIdentity(ctx context.Context, l *IdentityLink) (*Contact, error)
	// TouchIdentity records a sign-in with identity id: its subject (which
	// an Entra key outlives) and email as the provider gave them now.
	TouchIdentity(ctx context.Context, id int64, subject, email string) error
	// ContactIdentities lists the identities linked to a contact, oldest
	// first.
	ContactIdentities(ctx context.Context, contactID int64) ([]ContactIdentity, error)
	// UnlinkIdentity removes the identity id of contact contactID, ends
	// the contact's sessions and appends e (its Email set to the
	// contact's), in one transaction: KindNotFound when the contact has
	// no such identity.
	UnlinkIdentity(ctx context.Context, contactID, id int64, e *AuditEntry) error
}

// ContactIdentityAdmin is what the admin console does with the sign-in
// identities linked to contacts.
type ContactIdentityAdmin interface {
	// ContactIdentities lists the identities linked to the contact, oldest
	// first, with the label of the provider that linked each:
	// KindNotFound when the contact is not the tenant's.
	ContactIdentities(ctx context.Context, contactID int64) ([]ContactIdentity, error)
	// UnlinkIdentity removes one, so that the provider's account no longer
	// signs in as the contact: the contact's sessions end, the unlinking
	// is audited (AuditSSOUnlinked), and the account's next sign-in is a
	// first one again, linked only under its rules. KindNotFound.
	UnlinkIdentity(ctx context.Context, by *Principal, contactID, id int64) error
}
