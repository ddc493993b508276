package svcportal

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// SiteOIDC is a client site's own OpenID Connect provider, beside the
// tenant's: a contact whose email is of one of Domains signs in with it.
// ClientSecret never leaves the server (no JSON).
type SiteOIDC struct {
	SiteID       int64    `bun:"site_id,pk" json:"site_id"`
	TenantID     int64    `bun:"tenant_id,notnull" json:"-"`
	Issuer       string   `bun:"issuer,notnull" json:"issuer"`
	ClientID     string   `bun:"client_id,notnull" json:"client_id"`
	ClientSecret string   `bun:"client_secret,notnull" json:"-"`
	Label        string   `bun:"label,notnull" json:"label"`
	Domains      []string `bun:"domains,notnull,type:text" json:"domains"`
	// AllowCreate lets a verified address of Domains unknown to the tenant
	// sign in: the contact is created as a member of the site.
	AllowCreate bool `bun:"allow_create,notnull" json:"allow_create"`
	// RequireSSO makes the provider the only way in for the addresses of
	// Domains: their password sign-in is refused and a password reset
	// sends them here instead of a code. Staff are not concerned.
	RequireSSO bool      `bun:"require_sso,notnull" json:"require_sso"`
	UpdatedAt  time.Time `bun:"updated_at,notnull" json:"updated_at"`
}

// Validate normalises and checks o: the provider as TenantOIDC.Validate
// says, and one to 50 email domains (lower case, with a dot, no @).
func (o *SiteOIDC) Validate() error {
	t := TenantOIDC{Issuer: o.Issuer, ClientID: o.ClientID, ClientSecret: o.ClientSecret, Label: o.Label}
	err := t.Validate()
	o.Issuer, o.ClientID, o.Label = t.Issuer, t.ClientID, t.Label
	var v Validation
	if e, ok := err.(*Error); ok {
		for f, fe := range e.Fields {
			v.Add(f, fe.MessageID, fe.Data)
		}
	} else if err != nil {
		return err
	}
	domains := []string{}
	for _, d := range o.Domains {
		d = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(d), "@")))
		if !ValidEmail("x@" + d) {
			v.Add("domains", "error.sso_domain", map[string]any{"Domain": truncateText(d, 80)})
			break
		}
		if !slices.Contains(domains, d) {
			domains = append(domains, d)
		}
	}
	v.Check(len(domains) > 0, "domains", "error.required", nil)
	v.Check(len(domains) <= 50, "domains", "error.too_many", map[string]any{"Max": 50})
	o.Domains = domains
	return v.Err()
}

func truncateText(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// EmailDomain is the domain of a normalised email, "" without one.
func EmailDomain(email string) string {
	if i := strings.LastIndexByte(email, '@'); i >= 0 {
		return email[i+1:]
	}
	return ""
}

// SiteOIDCChange is what an admin sends for a site's provider; a nil
// ClientSecret keeps the stored secret, "" removes it.
type SiteOIDCChange struct {
	Issuer       string   `json:"issuer"`
	ClientID     string   `json:"client_id"`
	ClientSecret *string  `json:"client_secret"`
	Label        string   `json:"label"`
	Domains      []string `json:"domains"`
	AllowCreate  bool     `json:"allow_create"`
	RequireSSO   bool     `json:"require_sso"`
}

// SiteOIDCStore keeps the sites' providers of the context tenant.
type SiteOIDCStore interface {
	// SiteOIDC returns the site's provider: KindNotFound when the site is
	// not the tenant's or has none.
	SiteOIDC(ctx context.Context, siteID int64) (*SiteOIDC, error)
	// SiteOIDCByDomain returns the provider of the site that claims the
	// email domain, or KindNotFound.
	SiteOIDCByDomain(ctx context.Context, domain string) (*SiteOIDC, error)
	// HasSiteOIDC reports whether any site of the tenant has a provider.
	HasSiteOIDC(ctx context.Context) (bool, error)
	// PutSiteOIDC creates or replaces the site's provider (TenantID and
	// UpdatedAt are set by the store): KindNotFound when the site is not
	// the tenant's, KindConflict when another site claims one of the
	// domains — checked in the same transaction.
	PutSiteOIDC(ctx context.Context, o *SiteOIDC) error
	// DeleteSiteOIDC removes the site's provider: KindNotFound when the
	// site is not the tenant's.
	DeleteSiteOIDC(ctx context.Context, siteID int64) error
}

// SiteSSOAdmin is what the admin console does with the sites' providers.
type SiteSSOAdmin interface {
	// SiteOIDC is the site's provider, or nil when it has none:
	// KindNotFound when the site is not the tenant's.
	SiteOIDC(ctx context.Context, siteID int64) (*SiteOIDC, error)
	// PutSiteOIDC creates or replaces it: KindUnprocessable,
	// KindNotFound, KindConflict (a domain of another site).
	PutSiteOIDC(ctx context.Context, siteID int64, c SiteOIDCChange) (*SiteOIDC, error)
	// DeleteSiteOIDC removes it; removing none is not an error.
	DeleteSiteOIDC(ctx context.Context, siteID int64) error
}

// ErrSSORequired refuses a password to an address of the domains of a
// site whose provider, named label, requires single sign-on.
func ErrSSORequired(label string) *Error {
	return &Error{Kind: KindForbidden, Code: "sso_required", MessageID: "error.sso_required", Data: map[string]any{"Label": label}}
}

// IsSSORequired reports whether err is ErrSSORequired's refusal.
func IsSSORequired(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == "sso_required"
}
