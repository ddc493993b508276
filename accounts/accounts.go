// Package accounts signs contacts and staff in and out with server-side
// sessions, throttles guessing, and lets contacts manage their profile and
// password. It implements svcportal.AccountService on the store's
// interfaces, and writes every security event to the tenant's audit log.
package accounts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/password"
	"github.com/svcportal/svcportal/tenantcache"
)

// Store is what the service needs from the database.
type Store interface {
	svcportal.ContactStore
	svcportal.SiteStore
	svcportal.StaffStore
	svcportal.StaffCredentialStore
	svcportal.SessionStore
	svcportal.ThrottleStore
	svcportal.AuditStore
	svcportal.APITokenStore
	svcportal.CredentialStore
	svcportal.TenantOIDCStore
	svcportal.EmailChangeStore
	svcportal.ContactRightsStore
	svcportal.SiteOIDCStore
	svcportal.ContactIdentityStore
	svcportal.ContactImportStore
}

// Session lifetimes: a session ends after IdleTimeout without use, and
// after AbsoluteTimeout whatever happens.
const (
	IdleTimeout     = 14 * 24 * time.Hour
	AbsoluteTimeout = 30 * 24 * time.Hour
	touchEvery      = 5 * time.Minute // write last_seen at most this often
)

// A limit allows Max attempts per Window for one key.
type limit struct {
	Max    int
	Window time.Duration
}

// The login limits. Every attempt is counted before its password is
// checked, and a successful one is given back. Per account and client
// address is tight, so a guesser at one address is stopped quickly; per
// account across all addresses is looser and short, so strangers can lock
// the real user out for five minutes at most; per address across accounts
// stops spraying.
var (
	limitAccountIP = limit{5, 15 * time.Minute}
	limitAccount   = limit{20, 5 * time.Minute}
	limitIP        = limit{100, 15 * time.Minute}
)

// Service implements svcportal.AccountService.
type Service struct {
	st  Store
	now func() time.Time

	secret []byte                         // HMAC key of reset codes (WithSecret)
	mailer svcportal.EmailRenderer        // renders reset and welcome emails (WithMailer)
	url    func(*svcportal.Tenant) string // a tenant's portal address, for links

	sso ssoProviders // discovered OpenID providers, per issuer

	hashing *password.Pool // where every argon2id hash runs (WithHashPool)
	log     *slog.Logger   // notes beside the answers (WithLogger)

	sessions  sessionCache                        // signed-in principals, at a tenant cache version
	ssoLogins tenantcache.Map[svcportal.SSOLogin] // what the login page offers beside the password

	imports backgroundImports // contacts imports running in this process
}

var (
	_ svcportal.AccountService = (*Service)(nil)
	_ svcportal.ContactAdmin   = (*Service)(nil)
	_ svcportal.SSOService     = (*Service)(nil)
	_ svcportal.APITokenAdmin  = (*Service)(nil)
	_ svcportal.StaffAccounts  = (*Service)(nil)
	_ svcportal.AuditLog       = (*Service)(nil)
	_ svcportal.ContactImports = (*Service)(nil)
)

// New returns the service; now is the clock. Password resets and welcome
// emails need WithSecret and WithMailer; without them they fail with an
// internal error.
func New(st Store, now func() time.Time, opts ...Option) *Service {
	s := &Service{st: st, now: now, hashing: password.Shared, log: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		o(s)
	}
	return s
}

// HashToken is the session id stored for a cookie token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// randomToken returns n random bytes, URL-safe encoded.
func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("accounts: no randomness: %v", err)) // the OS is broken; nothing is safe
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func throttleKeys(tid int64, cr svcportal.Credentials, email string) []svcportal.ThrottleLimit {
	return []svcportal.ThrottleLimit{
		{Key: fmt.Sprintf("login:%d:%s:%s|%s", tid, cr.Kind, email, cr.IP), Max: limitAccountIP.Max, Window: limitAccountIP.Window},
		{Key: fmt.Sprintf("login:%d:%s:%s", tid, cr.Kind, email), Max: limitAccount.Max, Window: limitAccount.Window},
		{Key: "login-ip:" + cr.IP, Max: limitIP.Max, Window: limitIP.Window},
	}
}

// Login implements svcportal.AccountService. The attempt is counted on
// every throttle key, atomically and before the password is checked, so
// concurrent guesses cannot get past the limits; a successful attempt is
// given back. The hash runs in the service's bounded pool.
func (s *Service) Login(ctx context.Context, cr svcportal.Credentials) (*svcportal.Principal, string, error) {
	t := svcportal.TenantFrom(ctx)
	if t == nil {
		return nil, "", fmt.Errorf("accounts: no tenant in context")
	}
	email := svcportal.NormalizeEmail(cr.Email)
	if cr.Kind == svcportal.PrincipalContact {
		if err := s.refuseIfSSORequired(ctx, email, cr.IP); err != nil {
			return nil, "", err
		}
	}
	now := s.now()
	limits := throttleKeys(t.ID, cr, email)
	keys := make([]string, len(limits))
	for i, l := range limits {
		keys[i] = l.Key
	}
	ok, retryAt, err := s.st.Take(ctx, limits, now)
	if err != nil {
		return nil, "", err
	}
	if !ok {
		s.audit(ctx, &svcportal.AuditEntry{Action: svcportal.AuditLoginThrottled, Email: email, IP: cr.IP})
		return nil, "", errThrottled(retryAt.Sub(now))
	}

	p, hash, err := s.lookup(ctx, cr.Kind, email)
	if err != nil && svcportal.KindOf(err) != svcportal.KindNotFound {
		return nil, "", err
	}
	// The same argon2 work whether or not the account exists, so timing
	// tells nothing.
	match := false
	if p != nil {
		match, err = s.hashing.Verify(ctx, hash, cr.Password)
	} else {
		err = s.hashing.VerifyDummy(ctx, cr.Password)
	}
	if errors.Is(err, password.ErrBusy) {
		// Not tried: the attempt does not count against anyone.
		if err := s.st.Untake(ctx, keys, now); err != nil {
			return nil, "", err
		}
		return nil, "", errBusy()
	} else if err != nil {
		return nil, "", err
	}
	if !match || p == nil || disabled(p) {
		e := &svcportal.AuditEntry{Action: svcportal.AuditLoginFailed, Email: email, IP: cr.IP}
		if p != nil {
			e.ActorKind, e.ActorID = p.Kind, subjectID(p)
			if match {
				e.Detail = "account disabled"
			}
		}
		s.audit(ctx, e)
		return nil, "", &svcportal.Error{Kind: svcportal.KindUnauthorized, Code: "invalid_credentials", MessageID: "error.login_failed"}
	}
	// A success forgets this address's failures on the account and gives
	// back what it took from the wider counters.
	if err := s.st.Clear(ctx, keys[0]); err != nil {
		return nil, "", err
	}
	if err := s.st.Untake(ctx, keys[1:], now); err != nil {
		return nil, "", err
	}
	token, err := s.openSession(ctx, p, cr.IP, cr.UserAgent, "")
	if err != nil {
		return nil, "", err
	}
	return p, token, nil
}

// errThrottled is the answer to a refused login: it says, in minutes
// rounded up (Count, the message's plural count), when to try again.
// Minutes, the same number, is what tenants' wordings saved before the
// message had plural forms name.
func errThrottled(wait time.Duration) error {
	wait = max(wait, time.Second)
	minutes := int((wait + time.Minute - 1) / time.Minute)
	return &svcportal.Error{Kind: svcportal.KindTooManyRequests, MessageID: "error.login_throttled",
		Data:       map[string]any{"Count": minutes, "Minutes": minutes},
		RetryAfter: wait.Round(time.Second)}
}

// errBusy is the answer when every hashing slot stayed taken.
func errBusy() error {
	return &svcportal.Error{Kind: svcportal.KindTooManyRequests, Code: "busy", MessageID: "error.busy", RetryAfter: 2 * time.Second}
}

// openSession starts a session for p, who has just proved who they are
// (by password, or with the tenant's identity provider), audits the login
// with detail, and returns the token for the cookie.
func (s *Service) openSession(ctx context.Context, p *svcportal.Principal, ip, userAgent, detail string) (string, error) {
	now := s.now()
	token := randomToken(32)
	sess := &svcportal.Session{
		ID: HashToken(token), Kind: p.Kind, SubjectID: subjectID(p), CSRFToken: randomToken(32),
		IP: ip, UserAgent: truncate(userAgent, 300),
		CreatedAt: now.UTC(), LastSeenAt: now.UTC(), ExpiresAt: now.Add(IdleTimeout).UTC(),
	}
	if err := s.st.CreateSession(ctx, sess); err != nil {
		return "", err
	}
	p.Session = sess
	s.audit(ctx, &svcportal.AuditEntry{ActorKind: p.Kind, ActorID: sess.SubjectID, Action: svcportal.AuditLogin,
		Email: principalEmail(p), IP: ip, Detail: detail})
	return token, nil
}

// lookup finds the principal of an email and its password hash.
func (s *Service) lookup(ctx context.Context, kind, email string) (*svcportal.Principal, string, error) {
	switch kind {
	case svcportal.PrincipalContact:
		c, err := s.st.ContactByEmail(ctx, email)
		if err != nil {
			return nil, "", err
		}
		return &svcportal.Principal{Kind: kind, Contact: c}, c.PasswordHash, nil
	case svcportal.PrincipalStaff:
		m, err := s.st.StaffByEmail(ctx, email)
		if err != nil {
			return nil, "", err
		}
		return &svcportal.Principal{Kind: kind, Staff: m}, m.PasswordHash, nil
	}
	return nil, "", fmt.Errorf("accounts: unknown principal kind %q", kind)
}

// Authenticate implements svcportal.AccountService.
func (s *Service) Authenticate(ctx context.Context, kind, token string) (*svcportal.Principal, error) {
	unauthorized := svcportal.NewError(svcportal.KindUnauthorized, "error.unauthorized")
	if token == "" {
		return nil, unauthorized
	}
	now := s.now()
	id := HashToken(token)
	if p := s.cachedPrincipal(ctx, id, kind, now); p != nil {
		return p, s.touch(ctx, p.Session, now)
	}
	sess, err := s.st.Session(ctx, id, now)
	if svcportal.KindOf(err) == svcportal.KindNotFound || err == nil && sess.Kind != kind {
		return nil, unauthorized
	} else if err != nil {
		return nil, err
	}
	p := &svcportal.Principal{Kind: kind, Session: sess}
	switch kind {
	case svcportal.PrincipalContact:
		p.Contact, err = s.st.Contact(ctx, sess.SubjectID)
	case svcportal.PrincipalStaff:
		p.Staff, err = s.st.StaffMember(ctx, sess.SubjectID)
	}
	if svcportal.KindOf(err) == svcportal.KindNotFound || err == nil && disabled(p) {
		// Deleted or disabled since: the session dies with the account.
		if err := s.st.DeleteSession(ctx, sess.ID); err != nil {
			return nil, err
		}
		return nil, unauthorized
	} else if err != nil {
		return nil, err
	}
	if err := s.touch(ctx, sess, now); err != nil {
		return nil, err
	}
	s.cachePrincipal(ctx, p)
	return p, nil
}

// touch extends a session in use, writing at most every touchEvery.
func (s *Service) touch(ctx context.Context, sess *svcportal.Session, now time.Time) error {
	if now.Sub(sess.LastSeenAt) <= touchEvery {
		return nil
	}
	expires := now.Add(IdleTimeout)
	if hard := sess.CreatedAt.Add(AbsoluteTimeout); expires.After(hard) {
		expires = hard
	}
	if err := s.st.TouchSession(ctx, sess.ID, now, expires); err != nil {
		return err
	}
	sess.LastSeenAt, sess.ExpiresAt = now, expires
	s.sessions.touched(sess.ID, now, expires)
	return nil
}

// Logout implements svcportal.AccountService.
func (s *Service) Logout(ctx context.Context, p *svcportal.Principal) error {
	if p.Session == nil {
		return nil // API tokens have no session to end
	}
	if err := s.st.DeleteSession(ctx, p.Session.ID); err != nil {
		return err
	}
	s.audit(ctx, &svcportal.AuditEntry{ActorKind: p.Kind, ActorID: subjectID(p), Action: svcportal.AuditLogout, IP: ipOf(p)})
	return nil
}

// UpdateProfile implements svcportal.AccountService.
func (s *Service) UpdateProfile(ctx context.Context, p *svcportal.Principal, u svcportal.ProfileUpdate) (*svcportal.Contact, error) {
	if p.Contact == nil {
		return nil, svcportal.NewError(svcportal.KindForbidden, "error.forbidden")
	}
	return s.updateProfile(ctx, p, p.Contact.ID, u)
}

// updateProfile applies u to contact id on behalf of the contact itself
// (a new email waits for its link), and audits it.
func (s *Service) updateProfile(ctx context.Context, actor *svcportal.Principal, id int64, u svcportal.ProfileUpdate) (*svcportal.Contact, error) {
	c, err := s.st.Contact(ctx, id)
	if err != nil {
		return nil, err
	}
	changed, newEmail, err := s.applyProfile(ctx, actor, c, u)
	if err != nil {
		return nil, err
	}
	if newEmail != "" {
		if err := s.takeEmailChange(ctx, c.ID); err != nil {
			return nil, err
		}
	}
	if len(changed) > 0 {
		if err := s.st.UpdateContact(ctx, c); err != nil {
			return nil, err
		}
		s.audit(ctx, &svcportal.AuditEntry{ActorKind: actor.Kind, ActorID: subjectID(actor), Action: svcportal.AuditProfileChanged,
			Email: c.Email, IP: ipOf(actor), Detail: strings.Join(changed, ",")})
	}
	if newEmail != "" {
		if err := s.requestEmailChange(ctx, actor, c, newEmail); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// applyProfile applies u to c on behalf of actor (the contact itself, or
// an admin) and validates the result, saving nothing. It returns the
// fields it changed and, when the contact asked for a new address (which
// waits for a link sent to it), that address. An admin's new address is
// applied at once, the admin vouching for it.
func (s *Service) applyProfile(ctx context.Context, actor *svcportal.Principal, c *svcportal.Contact, u svcportal.ProfileUpdate) ([]string, string, error) {
	var changed []string
	set := func(name string, dst *string, v *string) {
		if v != nil && strings.TrimSpace(*v) != *dst {
			*dst = strings.TrimSpace(*v)
			changed = append(changed, name)
		}
	}
	set("first_name", &c.FirstName, u.FirstName)
	set("last_name", &c.LastName, u.LastName)
	set("job_title", &c.JobTitle, u.JobTitle)
	set("phone", &c.Phone, u.Phone)
	set("locale", &c.Locale, u.Locale)
	set("time_zone", &c.TimeZone, u.TimeZone)
	self := actor.Contact != nil && actor.Contact.ID == c.ID
	newEmail := ""
	if u.Email != nil {
		e := svcportal.NormalizeEmail(*u.Email)
		if self && e != c.Email {
			newEmail = e
		} else if !self {
			set("email", &c.Email, &e)
			if len(changed) > 0 && changed[len(changed)-1] == "email" {
				now := s.now().UTC()
				c.EmailVerifiedAt = &now
			}
		}
	}
	var v svcportal.Validation
	v.Merge(c.Validate(), "")
	if !slices.Contains(changed, "phone") {
		// A number saved before phones were checked is judged when it
		// is changed, not on every other change.
		v.Drop("phone")
	}
	if self && u.FirstName != nil && strings.TrimSpace(*u.FirstName) == "" {
		v.Add("first_name", "error.required", nil)
	}
	if u.Email != nil && strings.TrimSpace(*u.Email) == "" {
		v.Add("email", "error.required", nil)
	}
	v.Check(newEmail == "" || svcportal.ValidEmail(newEmail), "email", "error.email_format", nil)
	if t := svcportal.TenantFrom(ctx); c.Locale != "" && svcportal.IsLocale(c.Locale) && !t.LocaleEnabled(c.Locale) {
		v.Add("locale", "error.locale_not_offered", nil)
	}
	return changed, newEmail, v.Err()
}

// ChangePassword implements svcportal.AccountService.
func (s *Service) ChangePassword(ctx context.Context, p *svcportal.Principal, current, next string) error {
	fresh, hash, err := s.lookup(ctx, p.Kind, principalEmail(p))
	if err != nil {
		return err
	}
	match, err := s.hashing.Verify(ctx, hash, current)
	if errors.Is(err, password.ErrBusy) {
		return errBusy()
	} else if err != nil {
		return err
	}
	var v svcportal.Validation
	v.Check(match, "current_password", "error.password_wrong", nil)
	svcportal.CheckPassword(&v, "password", next)
	v.Check(next != current, "password", "error.password_same", nil)
	if err := v.Err(); err != nil {
		return err
	}
	newHash, err := s.hash(ctx, next)
	if err != nil {
		return err
	}
	keep := ""
	if p.Session != nil {
		keep = p.Session.ID
	}
	if err := s.st.SetPassword(ctx, p.Kind, subjectID(fresh), newHash, keep); err != nil {
		return err
	}
	s.audit(ctx, &svcportal.AuditEntry{ActorKind: p.Kind, ActorID: subjectID(fresh), Action: svcportal.AuditPasswordChanged,
		Email: principalEmail(p), IP: ipOf(p)})
	return nil
}

// hash hashes pw in the service's pool; a full pool is errBusy.
func (s *Service) hash(ctx context.Context, pw string) (string, error) {
	h, err := s.hashing.Hash(ctx, pw)
	if errors.Is(err, password.ErrBusy) {
		return "", errBusy()
	}
	return h, err
}

// audit records e. It runs after the change it records has been saved, so
// a failure here must not undo or fail that change: it is logged loudly.
func (s *Service) audit(ctx context.Context, e *svcportal.AuditEntry) {
	if err := s.st.Audit(ctx, e); err != nil {
		s.log.ErrorContext(ctx, "audit log write failed", "action", e.Action, "email", e.Email, "err", err)
	}
}

// ipOf is the client address of the principal's session ("" for API tokens).
func ipOf(p *svcportal.Principal) string {
	if p.Session == nil {
		return ""
	}
	return p.Session.IP
}

func subjectID(p *svcportal.Principal) int64 {
	if p.Contact != nil {
		return p.Contact.ID
	}
	return p.Staff.ID
}

func principalEmail(p *svcportal.Principal) string {
	if p.Contact != nil {
		return p.Contact.Email
	}
	return p.Staff.Email
}

func disabled(p *svcportal.Principal) bool {
	if p.Contact != nil {
		return p.Contact.Disabled
	}
	return p.Staff.Disabled
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
