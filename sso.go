package svcportal

import (
	"context"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// TenantOIDC is a tenant's OpenID Connect provider: when it is set, the
// portal's login page offers single sign-on with it. ClientSecret never
// leaves the server (no JSON).
type TenantOIDC struct {
	TenantID     int64  `bun:"tenant_id,pk" json:"-"`
	Issuer       string `bun:"issuer,notnull" json:"issuer"`
	ClientID     string `bun:"client_id,notnull" json:"client_id"`
	ClientSecret string `bun:"client_secret,notnull" json:"-"`
	// Label names the provider on the login button ("Sign in with …").
	Label string `bun:"label,notnull" json:"label"`
	// AllowCreate lets a verified email unknown to the tenant sign in: the
	// contact is created as a member of CreateSiteID.
	AllowCreate  bool      `bun:"allow_create,notnull" json:"allow_create"`
	CreateSiteID int64     `bun:"create_site_id,nullzero" json:"create_site_id"`
	UpdatedAt    time.Time `bun:"updated_at,notnull" json:"updated_at"`
}

// Validate normalises and checks o: the issuer is an https URL (plain http
// only for localhost, 127.0.0.1 and ::1, to test against a local
// provider), the client id and label are set, and creating contacts names
// a site.
func (o *TenantOIDC) Validate() error {
	o.Issuer = strings.TrimRight(strings.TrimSpace(o.Issuer), "/")
	o.ClientID = strings.TrimSpace(o.ClientID)
	o.Label = strings.TrimSpace(o.Label)
	var v Validation
	v.Check(ValidIssuer(o.Issuer), "issuer", "error.sso_issuer_format", nil)
	v.Check(o.ClientID != "", "client_id", "error.required", nil)
	v.Check(utf8.RuneCountInString(o.ClientID) <= 255, "client_id", "error.too_long", map[string]any{"Max": 255})
	v.Check(utf8.RuneCountInString(o.ClientSecret) <= 1000, "client_secret", "error.too_long", map[string]any{"Max": 1000})
	v.Check(o.Label != "", "label", "error.required", nil)
	v.Check(utf8.RuneCountInString(o.Label) <= 60, "label", "error.too_long", map[string]any{"Max": 60})
	v.Check(!o.AllowCreate || o.CreateSiteID > 0, "create_site_id", "error.required", nil)
	return v.Err()
}

// ValidIssuer reports whether s may be an OpenID Connect issuer: an
// absolute https URL without query or fragment, or plain http on the local
// machine.
func ValidIssuer(s string) bool {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || len(s) > 500 {
		return false
	}
	switch u.Scheme {
	case "https":
		return true
	case "http":
		h := u.Hostname()
		return h == "localhost" || h == "127.0.0.1" || h == "::1"
	}
	return false
}

// TenantOIDCStore keeps the context tenant's OpenID Connect settings.
type TenantOIDCStore interface {
	// TenantOIDC returns the settings, or KindNotFound when the tenant has
	// no provider.
	TenantOIDC(ctx context.Context) (*TenantOIDC, error)
	// PutTenantOIDC creates or replaces the settings (TenantID and
	// UpdatedAt are set by the store); KindNotFound if CreateSiteID is not
	// a site of the tenant.
	PutTenantOIDC(ctx context.Context, o *TenantOIDC) error
	// DeleteTenantOIDC removes the provider; removing none is not an error.
	DeleteTenantOIDC(ctx context.Context) error
}

// SSOStart is a request to begin single sign-on.
type SSOStart struct {
	// RedirectURI is this tenant host's callback address, registered with
	// the provider.
	RedirectURI string
	// Next is the local path to go to once signed in.
	Next string
	// Email, when set, is what the login page was given (home-realm
	// discovery): the sign-in goes to the provider of the site that claims
	// its domain, with the address as a login hint. Unset, it goes to the
	// tenant's provider.
	Email string
}

// SSOLogin is what the login page offers beside the password.
type SSOLogin struct {
	// Label names the tenant's provider on its button; "" when it has none.
	Label string
	// HomeRealm is set when a site has its own provider: the page asks
	// for the email first, to send the addresses of its domains there.
	HomeRealm bool
}

// SSORedirect sends the browser to the provider.
type SSORedirect struct {
	URL   string // the provider's authorization address
	Label string // the provider's name, for a link to it
	// State is the opaque, signed value the browser must keep (in a
	// short-lived cookie) and bring back to the callback.
	State string
}

// SSOCallback is what the provider's redirect brings back to the callback.
type SSOCallback struct {
	State       string // the value kept since SSOStart (from the cookie)
	QueryState  string // the state parameter of the callback
	Code        string // the authorization code
	Error       string // the provider's error parameter, if any
	RedirectURI string // the same address as at the start
	Locale      string // the language of a contact created now
	IP          string
	UserAgent   string
}

// SSOService signs contacts in with the context tenant's OpenID Connect
// provider. Every method works within the context tenant.
type SSOService interface {
	// SSOLogin says what the login page offers (read from a per-tenant
	// cache).
	SSOLogin(ctx context.Context) (SSOLogin, error)
	// StartSSO prepares an authorization request with the tenant's
	// provider, or with the provider of the site that claims the domain of
	// req.Email: KindNotFound when req.Email is set and no site claims its
	// domain (the password form applies — that says nothing of accounts);
	// KindInvalid (error.sso_not_configured, error.sso_failed) when there
	// is no provider or it cannot be reached. The state names the
	// provider, so its callback is checked against that one only.
	StartSSO(ctx context.Context, req SSOStart) (*SSORedirect, error)
	// FinishSSO checks the callback against the provider its state names,
	// redeems the code, verifies the ID token (issuer, audience, nonce)
	// and opens a contact session as Login does, returning the principal,
	// the session token and the local path to go to.
	//
	// The contact is the one linked to the provider's account (issuer and
	// subject, or Entra's tid and oid), whatever email it claims now. At
	// an account's first sign-in it is linked to the contact of its email
	// only when the email is verified (email_verified, or Entra's
	// xms_edov) and the provider may vouch for its domain — a site's
	// provider for the site's domains, the tenant's for any domain no
	// site claims; an unknown address becomes a contact when the provider
	// allows it (a member of the site, or of the tenant provider's
	// CreateSiteID), and a site's provider that allows that also makes an
	// existing contact of its domains a member of its site.
	//
	// Every refusal is KindInvalid with a message id (error.sso_failed,
	// error.sso_not_configured, error.sso_email_unverified,
	// error.sso_domain_not_allowed, error.sso_no_account,
	// error.sso_account_disabled) and is audited.
	FinishSSO(ctx context.Context, cb SSOCallback) (p *Principal, token, next string, err error)
}

// OIDCChange is what an admin sends for the tenant's provider: every
// member but the secret replaces the stored one; a nil ClientSecret keeps
// the stored secret, "" removes it.
type OIDCChange struct {
	Issuer       string  `json:"issuer"`
	ClientID     string  `json:"client_id"`
	ClientSecret *string `json:"client_secret"`
	Label        string  `json:"label"`
	AllowCreate  bool    `json:"allow_create"`
	CreateSiteID int64   `json:"create_site_id"`
}

// SSOAdmin is what the admin console does with the tenant's single
// sign-on provider.
type SSOAdmin interface {
	// OIDC is the tenant's provider, or nil when it has none.
	OIDC(ctx context.Context) (*TenantOIDC, error)
	// PutOIDC creates or replaces the provider: KindUnprocessable,
	// KindNotFound (CreateSiteID not a site of the tenant).
	PutOIDC(ctx context.Context, c OIDCChange) (*TenantOIDC, error)
	// DeleteOIDC turns single sign-on off; removing none is not an error.
	DeleteOIDC(ctx context.Context) error
	// The client sites' own providers.
	SiteSSOAdmin
}
