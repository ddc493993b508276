package accounts

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/svcportal/svcportal"
)

// Single sign-on with the tenant's OpenID Connect provider: the
// authorization code flow with PKCE (S256), a state and a nonce. They live
// in a value the browser keeps in a short-lived cookie, signed with the
// server secret (WithSecret) and bound to the tenant, so nothing is stored
// server-side and another tenant's host cannot use it.

// ssoStateLifetime is how long a browser may take at the provider.
const ssoStateLifetime = 10 * time.Minute

// ssoDiscoveryTTL is how long a discovered provider is reused before its
// configuration is read again.
const ssoDiscoveryTTL = time.Hour

// WithSSOClient sets the HTTP client that talks to identity providers
// (discovery, keys, token and userinfo endpoints); the default has a
// 10-second timeout.
func WithSSOClient(c *http.Client) Option {
	return func(s *Service) { s.sso.client = c }
}

// ssoProviders caches discovered providers per issuer URL.
type ssoProviders struct {
	client   *http.Client
	mu       sync.Mutex
	byIssuer map[string]cachedProvider
}

type cachedProvider struct {
	p  *oidc.Provider
	at time.Time
}

// httpContext makes go-oidc and oauth2 use the SSO client.
func (s *Service) httpContext(ctx context.Context) context.Context {
	c := s.sso.client
	if c == nil {
		c = &http.Client{Timeout: 10 * time.Second}
	}
	return oidc.ClientContext(ctx, c)
}

// provider returns the discovered provider of issuer, from the cache when
// it is fresh. Discovery runs outside the lock: two concurrent first
// logins may both discover, which is harmless.
func (s *Service) provider(ctx context.Context, issuer string) (*oidc.Provider, error) {
	now := time.Now()
	s.sso.mu.Lock()
	c, ok := s.sso.byIssuer[issuer]
	s.sso.mu.Unlock()
	if ok && now.Sub(c.at) < ssoDiscoveryTTL {
		return c.p, nil
	}
	p, err := oidc.NewProvider(s.httpContext(ctx), issuer)
	if err != nil {
		return nil, fmt.Errorf("discover %s: %w", issuer, err)
	}
	s.sso.mu.Lock()
	if s.sso.byIssuer == nil {
		s.sso.byIssuer = map[string]cachedProvider{}
	}
	s.sso.byIssuer[issuer] = cachedProvider{p: p, at: now}
	s.sso.mu.Unlock()
	return p, nil
}

// ssoState is what the browser keeps between the start and the callback.
// It names the provider (SiteID 0 for the tenant's, with its issuer and
// client), so a callback is only ever checked against the provider the
// browser was sent to.
type ssoState struct {
	TenantID    int64  `json:"t"`
	SiteID      int64  `json:"p,omitempty"`
	Issuer      string `json:"i"`
	ClientID    string `json:"c"`
	State       string `json:"s"`
	Nonce       string `json:"n"`
	Verifier    string `json:"v"`
	Next        string `json:"x"`
	RedirectURI string `json:"r"`
	Expires     int64  `json:"e"` // Unix seconds
}

func (s *Service) signState(st ssoState) (string, error) {
	body, err := json.Marshal(st)
	if err != nil {
		return "", err
	}
	payload := base64.RawURLEncoding.EncodeToString(body)
	return payload + "." + base64.RawURLEncoding.EncodeToString(s.stateMAC(payload)), nil
}

func (s *Service) stateMAC(payload string) []byte {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte("sso-state\x00" + payload))
	return m.Sum(nil)
}

// readState checks the signature, the tenant and the expiry of a kept
// state.
func (s *Service) readState(tenantID int64, v string) (*ssoState, error) {
	payload, mac, ok := strings.Cut(v, ".")
	if !ok {
		return nil, errors.New("malformed state cookie")
	}
	got, err := base64.RawURLEncoding.DecodeString(mac)
	if err != nil || !hmac.Equal(got, s.stateMAC(payload)) {
		return nil, errors.New("bad state cookie signature")
	}
	body, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return nil, err
	}
	var st ssoState
	if err := json.Unmarshal(body, &st); err != nil {
		return nil, err
	}
	if st.TenantID != tenantID {
		return nil, fmt.Errorf("state cookie of tenant %d", st.TenantID)
	}
	if s.now().Unix() > st.Expires {
		return nil, errors.New("state cookie expired")
	}
	return &st, nil
}

// ssoError is the refusal shown on the login page.
func ssoError(messageID string, data map[string]any) *svcportal.Error {
	return &svcportal.Error{Kind: svcportal.KindInvalid, Code: "sso_failed", MessageID: messageID, Data: data}
}

// SSOLogin implements svcportal.SSOService.
func (s *Service) SSOLogin(ctx context.Context) (svcportal.SSOLogin, error) {
	// Every login page asks: the answer is cached per tenant (tenantcache;
	// tenant_oidc and site_oidc move the version), so the page does not
	// read it each time.
	return s.ssoLogins.Get(ctx, func(ctx context.Context) (svcportal.SSOLogin, error) {
		var l svcportal.SSOLogin
		o, err := s.st.TenantOIDC(ctx)
		switch {
		case err == nil:
			l.Label = o.Label
		case svcportal.KindOf(err) != svcportal.KindNotFound:
			return l, err
		}
		l.HomeRealm, err = s.st.HasSiteOIDC(ctx)
		return l, err
	})
}

// ssoRequiredFor returns the provider of the site that claims the domain
// of email when it requires single sign-on, or nil. The tenant's
// configuration alone decides, never account data; a tenant without
// site providers (the login page's cached answer) costs no read.
func (s *Service) ssoRequiredFor(ctx context.Context, email string) (*svcportal.SiteOIDC, error) {
	l, err := s.SSOLogin(ctx)
	if err != nil || !l.HomeRealm {
		return nil, err
	}
	o, err := s.st.SiteOIDCByDomain(ctx, svcportal.EmailDomain(email))
	switch {
	case svcportal.KindOf(err) == svcportal.KindNotFound:
		return nil, nil
	case err != nil:
		return nil, err
	case !o.RequireSSO:
		return nil, nil
	}
	return o, nil
}

// refuseIfSSORequired refuses a contact's password sign-in with the
// address email when its site requires single sign-on, and audits the
// refusal as a failed sign-in. The password is not looked at: there is
// nothing to guess, so the attempt counts towards no limit.
func (s *Service) refuseIfSSORequired(ctx context.Context, email, ip string) error {
	o, err := s.ssoRequiredFor(ctx, email)
	if err != nil || o == nil {
		return err
	}
	e := &svcportal.AuditEntry{Action: svcportal.AuditLoginFailed, Email: email, IP: ip,
		Detail: fmt.Sprintf("password refused: site %d requires sso", o.SiteID)}
	if c, err := s.st.ContactByEmail(ctx, email); err == nil {
		e.ActorKind, e.ActorID = svcportal.PrincipalContact, c.ID
	}
	s.audit(ctx, e)
	return svcportal.ErrSSORequired(o.Label)
}

// ssoProvider is the provider of a sign-in — the tenant's (SiteID 0) or
// a site's — and what it may do with an address it vouches for the
// first time.
type ssoProvider struct {
	SiteID                                int64
	Issuer, ClientID, ClientSecret, Label string
	// Domains are the only email domains a site's provider may link or
	// create; nil for the tenant's, which may vouch for any domain no site
	// claims.
	Domains []string
	// AllowCreate lets an unknown verified address become a contact, a
	// member of CreateSiteID.
	AllowCreate  bool
	CreateSiteID int64
}

func tenantProvider(o *svcportal.TenantOIDC) *ssoProvider {
	return &ssoProvider{Issuer: o.Issuer, ClientID: o.ClientID, ClientSecret: o.ClientSecret, Label: o.Label,
		AllowCreate: o.AllowCreate && o.CreateSiteID != 0, CreateSiteID: o.CreateSiteID}
}

func siteProvider(o *svcportal.SiteOIDC) *ssoProvider {
	return &ssoProvider{SiteID: o.SiteID, Issuer: o.Issuer, ClientID: o.ClientID, ClientSecret: o.ClientSecret, Label: o.Label,
		Domains: o.Domains, AllowCreate: o.AllowCreate, CreateSiteID: o.SiteID}
}

// loadProvider reads the provider a state names: KindNotFound when it is
// gone.
func (s *Service) loadProvider(ctx context.Context, siteID int64) (*ssoProvider, error) {
	if siteID == 0 {
		o, err := s.st.TenantOIDC(ctx)
		if err != nil {
			return nil, err
		}
		return tenantProvider(o), nil
	}
	o, err := s.st.SiteOIDC(ctx, siteID)
	if err != nil {
		return nil, err
	}
	return siteProvider(o), nil
}

// where names the provider in the audit log.
func (p *ssoProvider) where() string {
	if p.SiteID == 0 {
		return "sso"
	}
	return fmt.Sprintf("sso site %d", p.SiteID)
}

func oauthConfig(p *ssoProvider, d *oidc.Provider, redirectURI string) *oauth2.Config {
	return &oauth2.Config{
		ClientID: p.ClientID, ClientSecret: p.ClientSecret, Endpoint: d.Endpoint(),
		RedirectURL: redirectURI, Scopes: []string{oidc.ScopeOpenID, "email", "profile"},
	}
}

// StartSSO implements svcportal.SSOService.
func (s *Service) StartSSO(ctx context.Context, req svcportal.SSOStart) (*svcportal.SSORedirect, error) {
	t := svcportal.TenantFrom(ctx)
	if t == nil {
		return nil, fmt.Errorf("accounts: no tenant in context")
	}
	if s.secret == nil {
		return nil, errNotConfigured
	}
	var p *ssoProvider
	hint := ""
	if req.Email != "" {
		// Home-realm discovery: the domain alone decides, from the
		// tenant's configuration; no account is looked at.
		hint = svcportal.NormalizeEmail(req.Email)
		if !svcportal.ValidEmail(hint) {
			return nil, svcportal.ErrNotFound()
		}
		o, err := s.st.SiteOIDCByDomain(ctx, svcportal.EmailDomain(hint))
		if err != nil {
			return nil, err
		}
		p = siteProvider(o)
	} else {
		o, err := s.st.TenantOIDC(ctx)
		if svcportal.KindOf(err) == svcportal.KindNotFound {
			return nil, ssoError("error.sso_not_configured", nil)
		} else if err != nil {
			return nil, err
		}
		p = tenantProvider(o)
	}
	d, err := s.provider(ctx, p.Issuer)
	if err != nil {
		s.log.WarnContext(ctx, "sso: provider unavailable", "tenant", t.Slug, "site", p.SiteID, "err", err)
		return nil, ssoError("error.sso_failed", nil)
	}
	st := ssoState{
		TenantID: t.ID, SiteID: p.SiteID, Issuer: p.Issuer, ClientID: p.ClientID,
		State: randomToken(24), Nonce: randomToken(24), Verifier: oauth2.GenerateVerifier(),
		Next: req.Next, RedirectURI: req.RedirectURI, Expires: s.now().Add(ssoStateLifetime).Unix(),
	}
	signed, err := s.signState(st)
	if err != nil {
		return nil, err
	}
	opts := []oauth2.AuthCodeOption{oidc.Nonce(st.Nonce), oauth2.S256ChallengeOption(st.Verifier)}
	if hint != "" {
		opts = append(opts, oauth2.SetAuthURLParam("login_hint", hint))
	}
	return &svcportal.SSORedirect{URL: oauthConfig(p, d, req.RedirectURI).AuthCodeURL(st.State, opts...), Label: p.Label, State: signed}, nil
}

// ssoClaims are the claims read from the ID token (and, when it carries
// no email, from the userinfo endpoint).
type ssoClaims struct {
	Email         string   `json:"email"`
	EmailVerified flexBool `json:"email_verified"`
	// DomainVerified is Entra's xms_edov: the email's domain is one the
	// directory's owner has verified (Entra sends no email_verified).
	DomainVerified flexBool `json:"xms_edov"`
	GivenName      string   `json:"given_name"`
	FamilyName     string   `json:"family_name"`
	// TID and OID are Entra's directory and object ids.
	TID string `json:"tid"`
	OID string `json:"oid"`
}

// verified reports whether the provider vouches for the email.
func (c *ssoClaims) verified() bool { return bool(c.EmailVerified) || bool(c.DomainVerified) }

// flexBool reads a JSON boolean, also as the string "true" or "false"
// that some providers send.
type flexBool bool

// UnmarshalJSON implements json.Unmarshaler.
func (b *flexBool) UnmarshalJSON(d []byte) error {
	switch string(d) {
	case "true", `"true"`:
		*b = true
	case "false", `"false"`, "null":
		*b = false
	default:
		return fmt.Errorf("email_verified: not a boolean: %s", d)
	}
	return nil
}

// ssoRefusal is why a sign-in is refused: the message shown, its data,
// and the reason written to the audit log.
type ssoRefusal struct {
	messageID, why string
	data           map[string]any
}

func ssoRefuse(messageID, why string, data map[string]any) *ssoRefusal {
	return &ssoRefusal{messageID: messageID, why: why, data: data}
}

// FinishSSO implements svcportal.SSOService.
func (s *Service) FinishSSO(ctx context.Context, cb svcportal.SSOCallback) (*svcportal.Principal, string, string, error) {
	t := svcportal.TenantFrom(ctx)
	if t == nil {
		return nil, "", "", fmt.Errorf("accounts: no tenant in context")
	}
	if s.secret == nil {
		return nil, "", "", errNotConfigured
	}
	// refuse audits a failed sign-in and returns the message to show.
	refuse := func(email string, r *ssoRefusal) (*svcportal.Principal, string, string, error) {
		s.log.InfoContext(ctx, "sso: sign-in refused", "tenant", t.Slug, "email", email, "why", r.why)
		s.audit(ctx, &svcportal.AuditEntry{Action: svcportal.AuditLoginFailed, Email: email, IP: cb.IP, Detail: truncate("sso: "+r.why, 300)})
		return nil, "", "", ssoError(r.messageID, r.data)
	}

	st, why := s.checkCallback(t.ID, cb)
	if why != "" {
		return refuse("", ssoRefuse("error.sso_failed", why, nil))
	}
	p, err := s.loadProvider(ctx, st.SiteID)
	if svcportal.KindOf(err) == svcportal.KindNotFound {
		return refuse("", ssoRefuse("error.sso_not_configured", "no provider", nil))
	} else if err != nil {
		return nil, "", "", err
	}
	if p.Issuer != st.Issuer || p.ClientID != st.ClientID {
		return refuse("", ssoRefuse("error.sso_failed", "provider changed since the start", nil))
	}
	key, claims, why := s.identity(ctx, p, st, cb.Code)
	if why != "" {
		return refuse("", ssoRefuse("error.sso_failed", why, nil))
	}
	c, r, err := s.ssoContact(ctx, t, p, key, claims, cb.Locale, cb.IP)
	if err != nil {
		return nil, "", "", err
	}
	if r != nil {
		return refuse(svcportal.NormalizeEmail(claims.Email), r)
	}
	pr := &svcportal.Principal{Kind: svcportal.PrincipalContact, Contact: c}
	if c.Disabled {
		s.audit(ctx, &svcportal.AuditEntry{ActorKind: pr.Kind, ActorID: c.ID, Action: svcportal.AuditLoginFailed,
			Email: c.Email, IP: cb.IP, Detail: "sso: account disabled"})
		return nil, "", "", ssoError("error.sso_account_disabled", nil)
	}
	token, err := s.openSession(ctx, pr, cb.IP, cb.UserAgent, p.where())
	if err != nil {
		return nil, "", "", err
	}
	return pr, token, st.Next, nil
}

// ssoContact finds the contact of a verified provider account: the one
// its identity is linked to or, at the account's first sign-in, the one
// of an email the provider may vouch for, linking the two (and creating
// the contact when the provider allows it). A refusal says why not.
func (s *Service) ssoContact(ctx context.Context, t *svcportal.Tenant, p *ssoProvider, key svcportal.IdentityKey, claims ssoClaims,
	locale, ip string) (*svcportal.Contact, *ssoRefusal, error) {
	claimed := truncate(svcportal.NormalizeEmail(claims.Email), 254)
	for attempt := 0; ; attempt++ {
		id, err := s.st.ContactIdentity(ctx, key)
		if err == nil {
			if err := s.st.TouchIdentity(ctx, id.ID, key.Subject, claimed); err != nil {
				s.log.WarnContext(ctx, "sso: identity not touched", "identity", id.ID, "err", err)
			}
			c, err := s.st.Contact(ctx, id.ContactID)
			return c, nil, err
		} else if svcportal.KindOf(err) != svcportal.KindNotFound {
			return nil, nil, err
		}

		email, r, err := s.mayVouch(ctx, p, claims)
		if r != nil || err != nil {
			return nil, r, err
		}
		l := &svcportal.IdentityLink{Identity: svcportal.ContactIdentity{SiteID: p.SiteID, IdentityKey: key, Email: email}}
		c, err := s.st.ContactByEmail(ctx, email)
		switch {
		case err == nil && c.Disabled:
			return c, nil, nil // refused by the caller; nothing linked
		case err == nil:
			l.ContactID = c.ID
			if p.SiteID != 0 && p.AllowCreate {
				// The site's provider may make any verified address of its
				// domains a member: an existing contact too.
				l.Join = &svcportal.Membership{SiteID: p.SiteID, Role: svcportal.RoleMember}
			}
		case svcportal.KindOf(err) != svcportal.KindNotFound:
			return nil, nil, err
		case !p.AllowCreate:
			return nil, ssoRefuse("error.sso_no_account", "unknown email", map[string]any{"Email": email}), nil
		default:
			if l.Create, err = newSSOContact(t, p, email, claims, locale); err != nil {
				return nil, nil, err
			}
		}
		c, err = s.st.LinkIdentity(ctx, l)
		if svcportal.KindOf(err) == svcportal.KindConflict && attempt == 0 {
			// A concurrent first sign-in linked the account or created the
			// contact meanwhile: look again.
			continue
		}
		if err != nil {
			return nil, nil, fmt.Errorf("link sso identity: %w", err)
		}
		if l.Create != nil {
			s.audit(ctx, &svcportal.AuditEntry{ActorKind: svcportal.PrincipalContact, ActorID: c.ID, Action: svcportal.AuditContactCreated,
				Email: email, IP: ip, Detail: p.where()})
		}
		detail := p.where() + ": " + key.Issuer
		if l.Join != nil && l.Create == nil {
			detail += fmt.Sprintf(" (member of site %d)", p.SiteID)
		}
		s.audit(ctx, &svcportal.AuditEntry{ActorKind: svcportal.PrincipalContact, ActorID: c.ID, Action: svcportal.AuditSSOLinked,
			Email: email, IP: ip, Detail: truncate(detail, 300)})
		return c, nil, nil
	}
}

// mayVouch checks that the provider may link its account to the contact
// of the email it claims: a usable, verified address of a domain it is
// trusted for — a site's provider for the site's domains only, the
// tenant's for any domain no site's provider claims.
func (s *Service) mayVouch(ctx context.Context, p *ssoProvider, claims ssoClaims) (string, *ssoRefusal, error) {
	email := svcportal.NormalizeEmail(claims.Email)
	if !svcportal.ValidEmail(email) {
		return "", ssoRefuse("error.sso_failed", "no usable email claim", nil), nil
	}
	if !claims.verified() {
		return "", ssoRefuse("error.sso_email_unverified", "email not verified", nil), nil
	}
	domain := svcportal.EmailDomain(email)
	denied := ssoRefuse("error.sso_domain_not_allowed", "domain not vouched for by this provider", map[string]any{"Email": email})
	if p.SiteID != 0 {
		if !slices.Contains(p.Domains, domain) {
			return "", denied, nil
		}
		return email, nil, nil
	}
	switch _, err := s.st.SiteOIDCByDomain(ctx, domain); svcportal.KindOf(err) {
	case svcportal.KindNotFound:
		return email, nil, nil
	case svcportal.KindNone:
		return "", denied, nil
	default:
		return "", nil, err
	}
}

// checkCallback checks that a callback answers the sign-in this browser
// started (its state cookie, the state and address the provider echoes)
// and carries a code; why says what is wrong, "" when nothing is.
func (s *Service) checkCallback(tenantID int64, cb svcportal.SSOCallback) (st *ssoState, why string) {
	st, err := s.readState(tenantID, cb.State)
	switch {
	case err != nil:
		return nil, err.Error()
	case cb.QueryState == "" || subtle.ConstantTimeCompare([]byte(cb.QueryState), []byte(st.State)) != 1:
		return nil, "state mismatch"
	case cb.RedirectURI != st.RedirectURI:
		return nil, "callback on another address"
	case cb.Error != "":
		return nil, "provider error: " + cb.Error
	case cb.Code == "":
		return nil, "no code"
	}
	return st, ""
}

// identity trades the code of a checked callback for the provider's
// verified account key and claims about the person: the id token's, or
// the userinfo answer's when the token carries no email. why says what
// failed, "" when nothing did.
func (s *Service) identity(ctx context.Context, o *ssoProvider, st *ssoState, code string) (key svcportal.IdentityKey, claims ssoClaims, why string) {
	p, err := s.provider(ctx, o.Issuer)
	if err != nil {
		return key, claims, err.Error()
	}
	hctx := s.httpContext(ctx)
	tok, err := oauthConfig(o, p, st.RedirectURI).Exchange(hctx, code, oauth2.VerifierOption(st.Verifier))
	if err != nil {
		return key, claims, "code exchange: " + err.Error()
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return key, claims, "no id_token in token response"
	}
	// The token's times come from the provider's clock, the real one, not
	// the service's injected clock.
	idt, err := p.Verifier(&oidc.Config{ClientID: o.ClientID}).Verify(hctx, raw)
	if err != nil {
		return key, claims, "id token: " + err.Error()
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(st.Nonce)) != 1 {
		return key, claims, "nonce mismatch"
	}
	if idt.AccessTokenHash != "" {
		if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
			return key, claims, "at_hash: " + err.Error()
		}
	}
	if err := idt.Claims(&claims); err != nil {
		return key, claims, "id token claims: " + err.Error()
	}
	// The account's key comes from the signed ID token alone.
	key = svcportal.IdentityKey{Issuer: idt.Issuer, Subject: idt.Subject, TID: claims.TID, OID: claims.OID}
	if key.Subject == "" || len(key.Subject) > 255 || len(key.TID) > 255 || len(key.OID) > 255 {
		return key, claims, "unusable subject, tid or oid"
	}
	if claims.Email == "" {
		// Some providers (ZITADEL among them) put profile claims only in
		// the userinfo answer; it must be about the same subject.
		ui, err := p.UserInfo(hctx, oauth2.StaticTokenSource(tok))
		if err != nil {
			return key, claims, "userinfo: " + err.Error()
		}
		if ui.Subject != idt.Subject {
			return key, claims, "userinfo subject differs from the id token's"
		}
		if err := ui.Claims(&claims); err != nil {
			return key, claims, "userinfo claims: " + err.Error()
		}
	}
	return key, claims, ""
}

// newSSOContact is the contact of a verified email unknown to the
// tenant, a member of the provider's site, without a password.
func newSSOContact(t *svcportal.Tenant, p *ssoProvider, email string, claims ssoClaims, locale string) (*svcportal.Contact, error) {
	if !t.LocaleEnabled(locale) {
		locale = t.DefaultLocale
	}
	c := &svcportal.Contact{
		Email: email, FirstName: truncateRunes(claims.GivenName, 100), LastName: truncateRunes(claims.FamilyName, 100),
		Locale: locale, Memberships: []svcportal.Membership{{SiteID: p.CreateSiteID, Role: svcportal.RoleMember}},
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// truncateRunes cuts s to at most n characters.
func truncateRunes(s string, n int) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) <= n {
		return string(r)
	}
	return string(r[:n])
}
