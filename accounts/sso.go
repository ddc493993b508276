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
type ssoState struct {
	TenantID    int64  `json:"t"`
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

// SSOLabel implements svcportal.SSOService.
func (s *Service) SSOLabel(ctx context.Context) (string, error) {
	// Every login page asks: the answer is cached per tenant (tenantcache),
	// not found included, so the page does not read it each time.
	label, err := s.ssoLabels.Get(ctx, func(ctx context.Context) (ssoLabel, error) {
		o, err := s.st.TenantOIDC(ctx)
		if svcportal.KindOf(err) == svcportal.KindNotFound {
			return ssoLabel{none: true}, nil
		}
		if err != nil {
			return ssoLabel{}, err
		}
		return ssoLabel{label: o.Label}, nil
	})
	if err == nil && label.none {
		return "", svcportal.ErrNotFound()
	}
	return label.label, err
}

// ssoLabel is the cached answer of SSOLabel: a label, or none.
type ssoLabel struct {
	label string
	none  bool
}

func oauthConfig(o *svcportal.TenantOIDC, p *oidc.Provider, redirectURI string) *oauth2.Config {
	return &oauth2.Config{
		ClientID: o.ClientID, ClientSecret: o.ClientSecret, Endpoint: p.Endpoint(),
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
	o, err := s.st.TenantOIDC(ctx)
	if svcportal.KindOf(err) == svcportal.KindNotFound {
		return nil, ssoError("error.sso_not_configured", nil)
	} else if err != nil {
		return nil, err
	}
	p, err := s.provider(ctx, o.Issuer)
	if err != nil {
		s.log.WarnContext(ctx, "sso: provider unavailable", "tenant", t.Slug, "err", err)
		return nil, ssoError("error.sso_failed", nil)
	}
	st := ssoState{
		TenantID: t.ID, State: randomToken(24), Nonce: randomToken(24), Verifier: oauth2.GenerateVerifier(),
		Next: req.Next, RedirectURI: req.RedirectURI, Expires: s.now().Add(ssoStateLifetime).Unix(),
	}
	signed, err := s.signState(st)
	if err != nil {
		return nil, err
	}
	u := oauthConfig(o, p, req.RedirectURI).AuthCodeURL(st.State, oidc.Nonce(st.Nonce), oauth2.S256ChallengeOption(st.Verifier))
	return &svcportal.SSORedirect{URL: u, State: signed}, nil
}

// ssoClaims are the claims read from the ID token (or, when it carries no
// email, from the userinfo endpoint).
type ssoClaims struct {
	Email         string   `json:"email"`
	EmailVerified flexBool `json:"email_verified"`
	GivenName     string   `json:"given_name"`
	FamilyName    string   `json:"family_name"`
}

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
	refuse := func(email, messageID, why string, data map[string]any) (*svcportal.Principal, string, string, error) {
		s.log.InfoContext(ctx, "sso: sign-in refused", "tenant", t.Slug, "email", email, "why", why)
		s.audit(ctx, &svcportal.AuditEntry{Action: svcportal.AuditLoginFailed, Email: email, IP: cb.IP, Detail: truncate("sso: "+why, 300)})
		return nil, "", "", ssoError(messageID, data)
	}

	st, why := s.checkCallback(t.ID, cb)
	if why != "" {
		return refuse("", "error.sso_failed", why, nil)
	}
	o, err := s.st.TenantOIDC(ctx)
	if svcportal.KindOf(err) == svcportal.KindNotFound {
		return refuse("", "error.sso_not_configured", "no provider", nil)
	} else if err != nil {
		return nil, "", "", err
	}
	claims, why := s.identity(ctx, o, st, cb.Code)
	if why != "" {
		return refuse("", "error.sso_failed", why, nil)
	}
	email := svcportal.NormalizeEmail(claims.Email)
	if !svcportal.ValidEmail(email) {
		return refuse(email, "error.sso_failed", "no usable email claim", nil)
	}
	if !claims.EmailVerified {
		return refuse(email, "error.sso_email_unverified", "email not verified", nil)
	}

	c, err := s.st.ContactByEmail(ctx, email)
	if svcportal.KindOf(err) == svcportal.KindNotFound {
		if !o.AllowCreate || o.CreateSiteID == 0 {
			return refuse(email, "error.sso_no_account", "unknown email", map[string]any{"Email": email})
		}
		c, err = s.createSSOContact(ctx, t, o, email, claims, cb.Locale)
	}
	if err != nil {
		return nil, "", "", err
	}
	pr := &svcportal.Principal{Kind: svcportal.PrincipalContact, Contact: c}
	if c.Disabled {
		s.audit(ctx, &svcportal.AuditEntry{ActorKind: pr.Kind, ActorID: c.ID, Action: svcportal.AuditLoginFailed,
			Email: email, IP: cb.IP, Detail: "sso: account disabled"})
		return nil, "", "", ssoError("error.sso_account_disabled", nil)
	}
	token, err := s.openSession(ctx, pr, cb.IP, cb.UserAgent, "sso")
	if err != nil {
		return nil, "", "", err
	}
	return pr, token, st.Next, nil
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
// verified claims about the person: the id token's, or the userinfo
// answer's when the token carries no email. why says what failed, ""
// when nothing did.
func (s *Service) identity(ctx context.Context, o *svcportal.TenantOIDC, st *ssoState, code string) (claims ssoClaims, why string) {
	p, err := s.provider(ctx, o.Issuer)
	if err != nil {
		return claims, err.Error()
	}
	hctx := s.httpContext(ctx)
	tok, err := oauthConfig(o, p, st.RedirectURI).Exchange(hctx, code, oauth2.VerifierOption(st.Verifier))
	if err != nil {
		return claims, "code exchange: " + err.Error()
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return claims, "no id_token in token response"
	}
	// The token's times come from the provider's clock, the real one, not
	// the service's injected clock.
	idt, err := p.Verifier(&oidc.Config{ClientID: o.ClientID}).Verify(hctx, raw)
	if err != nil {
		return claims, "id token: " + err.Error()
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(st.Nonce)) != 1 {
		return claims, "nonce mismatch"
	}
	if idt.AccessTokenHash != "" {
		if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
			return claims, "at_hash: " + err.Error()
		}
	}
	if err := idt.Claims(&claims); err != nil {
		return claims, "id token claims: " + err.Error()
	}
	if claims.Email == "" {
		// Some providers (ZITADEL among them) put profile claims only in
		// the userinfo answer; it must be about the same subject.
		ui, err := p.UserInfo(hctx, oauth2.StaticTokenSource(tok))
		if err != nil {
			return claims, "userinfo: " + err.Error()
		}
		if ui.Subject != idt.Subject {
			return claims, "userinfo subject differs from the id token's"
		}
		if err := ui.Claims(&claims); err != nil {
			return claims, "userinfo claims: " + err.Error()
		}
	}
	return claims, ""
}

// createSSOContact creates the contact of a verified email unknown to the
// tenant, as a member of the provider's site, without a password.
func (s *Service) createSSOContact(ctx context.Context, t *svcportal.Tenant, o *svcportal.TenantOIDC, email string,
	claims ssoClaims, locale string) (*svcportal.Contact, error) {
	if !t.LocaleEnabled(locale) {
		locale = t.DefaultLocale
	}
	c := &svcportal.Contact{
		Email: email, FirstName: truncateRunes(claims.GivenName, 100), LastName: truncateRunes(claims.FamilyName, 100),
		Locale: locale, Memberships: []svcportal.Membership{{SiteID: o.CreateSiteID, Role: svcportal.RoleMember}},
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	err := s.st.CreateContact(ctx, c)
	if svcportal.KindOf(err) == svcportal.KindConflict {
		// Created meanwhile by a concurrent sign-in: use that one.
		return s.st.ContactByEmail(ctx, email)
	}
	if err != nil {
		return nil, fmt.Errorf("create sso contact: %w", err)
	}
	s.audit(ctx, &svcportal.AuditEntry{ActorKind: svcportal.PrincipalContact, ActorID: c.ID, Action: svcportal.AuditContactCreated,
		Email: email, IP: "", Detail: "sso"})
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
