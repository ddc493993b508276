package accounts

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net/url"
	"strings"
	"time"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/password"
)

// Option configures a Service.
type Option func(*Service)

// WithSecret sets the server's secret key, with which reset codes are
// hashed (HMAC-SHA256): without the key, a copy of the reset_codes table
// cannot be searched for the 10^8 possible codes.
func WithSecret(key []byte) Option {
	return func(s *Service) { s.secret = append([]byte(nil), key...) }
}

// WithLogger sends what the service notes beside its answers (throttled
// resets, refused single sign-ons, audit-log failures) to l; without it,
// those notes are discarded.
func WithLogger(l *slog.Logger) Option {
	return func(s *Service) { s.log = l }
}

// WithHashPool makes every password hash of the service run in p instead
// of password.Shared.
func WithHashPool(p *password.Pool) Option {
	return func(s *Service) { s.hashing = p }
}

// WithMailer makes the service send reset codes and welcome emails:
// renderer writes the messages, url gives a tenant's portal address for
// the set-password links.
func WithMailer(renderer svcportal.EmailRenderer, url func(*svcportal.Tenant) string) Option {
	return func(s *Service) { s.mailer, s.url = renderer, url }
}

// The reset limits. Every request counts, found or not, so the limits say
// nothing about which emails exist. Per email keeps a mailbox from being
// flooded; per address stops one client from spraying many emails; wrong
// codes per address stop guessing across many accounts.
var (
	limitResetEmail     = limit{5, time.Hour}
	limitResetIP        = limit{20, time.Hour}
	limitResetConfirmIP = limit{50, 15 * time.Minute}
)

// errNotConfigured is the bug of a service wired without its secret or mailer.
var errNotConfigured = errors.New("accounts: password resets and welcome emails need WithSecret and WithMailer")

// RequestPasswordReset implements svcportal.AccountService.
func (s *Service) RequestPasswordReset(ctx context.Context, email, ip string) error {
	return s.requestReset(ctx, email, ip, resetFlow{
		key: "reset", kind: svcportal.EmailResetCode, actor: svcportal.PrincipalContact,
		find: func(ctx context.Context, email string) (*resetAccount, error) {
			c, err := s.st.ContactByEmail(ctx, email)
			if err != nil {
				return nil, err
			}
			return &resetAccount{id: c.ID, name: c.DisplayName(), locale: c.Locale, disabled: c.Disabled}, nil
		},
		sso:  s.ssoRequiredFor,
		hash: s.codeHash,
		save: func(ctx context.Context, id int64, hash string, expires time.Time, msg *svcportal.OutboundEmail) error {
			return s.st.CreateResetCode(ctx, &svcportal.ResetCode{ContactID: id, CodeHash: hash, ExpiresAt: expires}, msg)
		},
	})
}

// resetAccount is the account a reset request names, when there is one.
type resetAccount struct {
	id           int64
	name, locale string
	disabled     bool
}

// resetFlow is what differs between the password resets of contacts and
// of staff; requestReset is the one flow they share.
type resetFlow struct {
	key   string // throttle key prefix per email: "reset", "staff-reset"
	kind  string // the email with the code
	staff bool   // the email is written for staff (console links)
	actor string // principal kind of the account, for the audit log
	audit string // prefix of the audit detail ("staff, " or "")
	find  func(ctx context.Context, email string) (*resetAccount, error)
	// sso, when set, finds the provider that an address's site requires
	// instead of passwords (nil when none does).
	sso  func(ctx context.Context, email string) (*svcportal.SiteOIDC, error)
	hash func(tenantID, accountID int64, code string) string
	// save stores the code of account id (0: none) and its email in one
	// transaction, replacing the account's older codes.
	save func(ctx context.Context, id int64, hash string, expires time.Time, msg *svcportal.OutboundEmail) error
}

// requestReset answers a password-reset request the same way whether or
// not the email is an active account's: every request counts towards the
// limits; a found, active account gets a code, any other address a notice
// without one, and both paths hash a code, render one email, and store one
// code row and that email in one transaction, so neither the answer, the
// writes nor the time taken tell which emails exist. An address whose
// site requires single sign-on (decided by its domain alone) gets, known
// or not, a notice naming the provider instead of a code, by the same
// path.
func (s *Service) requestReset(ctx context.Context, email, ip string, f resetFlow) error {
	t := svcportal.TenantFrom(ctx)
	if t == nil {
		return fmt.Errorf("accounts: no tenant in context")
	}
	if s.secret == nil || s.mailer == nil {
		return errNotConfigured
	}
	email = svcportal.NormalizeEmail(email)
	now := s.now()
	throttled := false
	for _, k := range []struct {
		key string
		lim limit
	}{
		{fmt.Sprintf("%s:%d:%s", f.key, t.ID, email), limitResetEmail},
		{"reset-ip:" + ip, limitResetIP},
	} {
		n, _, err := s.st.Hit(ctx, k.key, k.lim.Window, now)
		if err != nil {
			return err
		}
		throttled = throttled || n > k.lim.Max
	}
	if throttled {
		s.log.WarnContext(ctx, "password reset throttled", "tenant", t.Slug, "email", email, "ip", ip, "staff", f.staff)
		s.audit(ctx, &svcportal.AuditEntry{Action: svcportal.AuditResetRequested, Email: email, IP: ip, Detail: f.audit + "throttled"})
		return nil
	}
	if !svcportal.ValidEmail(email) {
		// Nothing can be sent to it; this is the only path that writes
		// less, and it says nothing about any account.
		s.audit(ctx, &svcportal.AuditEntry{Action: svcportal.AuditResetRequested, Email: email, IP: ip, Detail: f.audit + "not an address"})
		return nil
	}
	acc, err := f.find(ctx, email)
	if err != nil && svcportal.KindOf(err) != svcportal.KindNotFound {
		return err
	}
	var required *svcportal.SiteOIDC
	if f.sso != nil {
		if required, err = f.sso(ctx, email); err != nil {
			return err
		}
	}
	code := newResetCode()
	req := svcportal.EmailRequest{Kind: f.kind, To: email, Staff: f.staff,
		Data: map[string]any{"Code": code, "Minutes": int(svcportal.ResetCodeTTL / time.Minute)}}
	audit := &svcportal.AuditEntry{Action: svcportal.AuditResetRequested, Email: email, IP: ip, Detail: f.audit + "code sent"}
	active := acc != nil && !acc.disabled
	var id int64
	switch {
	case required != nil:
		if s.url == nil {
			return errNotConfigured
		}
		req = svcportal.EmailRequest{Kind: svcportal.EmailResetSSO, To: email,
			Data: map[string]any{"Provider": required.Label, "Link": s.url(t) + "/login"}}
		audit.Detail = fmt.Sprintf("%sno code: site %d requires sso", f.audit, required.SiteID)
		if active {
			req.ToName, req.Locale = acc.name, acc.locale
			audit.ActorKind, audit.ActorID = f.actor, acc.id
		}
	case !active:
		req = svcportal.EmailRequest{Kind: svcportal.EmailResetUnknown, To: email, Data: map[string]any{}}
		audit.Detail = f.audit + "unknown email"
		if acc != nil {
			audit.Detail = f.audit + "account disabled"
		}
	default:
		id, req.ToName, req.Locale = acc.id, acc.name, acc.locale
		audit.ActorKind, audit.ActorID = f.actor, acc.id
	}
	msg, err := s.mailer.RenderEmail(ctx, t, req)
	if err != nil {
		return err
	}
	if err := f.save(ctx, id, f.hash(t.ID, id, code), now.Add(svcportal.ResetCodeTTL), msg); err != nil {
		return err
	}
	s.audit(ctx, audit)
	return nil
}

// ConfirmPasswordReset implements svcportal.AccountService.
func (s *Service) ConfirmPasswordReset(ctx context.Context, req svcportal.ResetConfirm, ip string) error {
	t := svcportal.TenantFrom(ctx)
	if t == nil {
		return fmt.Errorf("accounts: no tenant in context")
	}
	if s.secret == nil {
		return errNotConfigured
	}
	now := s.now()
	ipKey := "reset-confirm-ip:" + ip
	if n, reset, err := s.st.Peek(ctx, ipKey, now); err != nil {
		return err
	} else if n >= limitResetConfirmIP.Max {
		return &svcportal.Error{Kind: svcportal.KindTooManyRequests, MessageID: "error.too_many_requests",
			RetryAfter: reset.Sub(now).Round(time.Second) + time.Second}
	}
	var v svcportal.Validation
	svcportal.CheckPassword(&v, "password", req.Password)
	if err := v.Err(); err != nil {
		return err
	}
	email := svcportal.NormalizeEmail(req.Email)
	code := normalizeCode(req.Code)
	fail := func() error {
		if _, _, err := s.st.Hit(ctx, ipKey, limitResetConfirmIP.Window, now); err != nil {
			return err
		}
		return svcportal.ErrInvalidCode()
	}

	c, err := s.st.ContactByEmail(ctx, email)
	if err != nil && svcportal.KindOf(err) != svcportal.KindNotFound {
		return err
	}
	// A code sent before the site required single sign-on no longer
	// sets a password.
	required, err := s.ssoRequiredFor(ctx, email)
	if err != nil {
		return err
	}
	if c == nil || c.Disabled || required != nil {
		s.codeHash(t.ID, 0, code)
		return fail()
	}
	rc, err := s.st.ClaimResetAttempt(ctx, c.ID, now)
	if svcportal.KindOf(err) == svcportal.KindNotFound {
		return fail()
	} else if err != nil {
		return err
	}
	if subtle.ConstantTimeCompare([]byte(s.codeHash(t.ID, c.ID, code)), []byte(rc.CodeHash)) != 1 {
		return fail()
	}
	hash, err := s.hash(ctx, req.Password)
	if err != nil {
		return err
	}
	if err := s.st.ResetPassword(ctx, rc.ID, c.ID, hash); svcportal.KindOf(err) == svcportal.KindNotFound {
		return fail() // used or expired in the meantime
	} else if err != nil {
		return err
	}
	s.audit(ctx, &svcportal.AuditEntry{ActorKind: svcportal.PrincipalContact, ActorID: c.ID,
		Action: svcportal.AuditResetDone, Email: c.Email, IP: ip, Detail: "reset code"})
	return nil
}

// CheckPasswordLink implements svcportal.AccountService.
func (s *Service) CheckPasswordLink(ctx context.Context, token string) error {
	_, err := s.passwordLink(ctx, token)
	return err
}

// passwordLink returns the usable link of token, or ErrInvalidLink.
func (s *Service) passwordLink(ctx context.Context, token string) (*svcportal.PasswordLink, error) {
	if token == "" {
		return nil, svcportal.ErrInvalidLink()
	}
	l, err := s.st.PasswordLink(ctx, HashToken(token), s.now())
	if svcportal.KindOf(err) == svcportal.KindNotFound {
		return nil, svcportal.ErrInvalidLink()
	}
	return l, err
}

// SetPasswordWithLink implements svcportal.AccountService.
func (s *Service) SetPasswordWithLink(ctx context.Context, token, pw, ip string) (string, error) {
	l, err := s.passwordLink(ctx, token)
	if err != nil {
		return "", err
	}
	var v svcportal.Validation
	svcportal.CheckPassword(&v, "password", pw)
	if err := v.Err(); err != nil {
		return "", err
	}
	hash, err := s.hash(ctx, pw)
	if err != nil {
		return "", err
	}
	if err := s.st.UsePasswordLink(ctx, l.ID, hash); svcportal.KindOf(err) == svcportal.KindNotFound {
		return "", svcportal.ErrInvalidLink() // used by a concurrent request
	} else if err != nil {
		return "", err
	}
	c, err := s.st.Contact(ctx, l.ContactID)
	if err != nil {
		return "", err
	}
	s.audit(ctx, &svcportal.AuditEntry{ActorKind: svcportal.PrincipalContact, ActorID: c.ID,
		Action: svcportal.AuditResetDone, Email: c.Email, IP: ip, Detail: "set-password link"})
	return c.Email, nil
}

// SendWelcome implements svcportal.ContactAdmin.
func (s *Service) SendWelcome(ctx context.Context, by *svcportal.Principal, id int64) error {
	c, err := s.st.Contact(ctx, id)
	if err != nil {
		return err
	}
	if err := notErased(c); err != nil {
		return err
	}
	l, msg, err := s.welcome(ctx, c)
	if err != nil {
		return err
	}
	l.ContactID = c.ID
	return s.st.CreatePasswordLink(ctx, l, msg)
}

// welcome makes a new set-password link for c and renders its welcome
// email in c's language (the tenant's default when c has none); for an
// address whose site requires single sign-on, an empty link and an email
// that names the provider.
func (s *Service) welcome(ctx context.Context, c *svcportal.Contact) (*svcportal.PasswordLink, *svcportal.OutboundEmail, error) {
	t := svcportal.TenantFrom(ctx)
	if t == nil {
		return nil, nil, fmt.Errorf("accounts: no tenant in context")
	}
	if s.mailer == nil || s.url == nil {
		return nil, nil, errNotConfigured
	}
	token := randomToken(32)
	l := &svcportal.PasswordLink{TokenHash: HashToken(token), ExpiresAt: s.now().Add(svcportal.PasswordLinkTTL)}
	data := map[string]any{"Link": s.url(t) + "/set-password?token=" + url.QueryEscape(token),
		"ExpiresHours": int(svcportal.PasswordLinkTTL / time.Hour)}
	required, err := s.ssoRequiredFor(ctx, c.Email)
	if err != nil {
		return nil, nil, err
	}
	if required != nil {
		// The site signs its people in with its provider: a password could
		// never be used, so the email sends them to the login page and no
		// link is made (saving the empty one voids earlier links).
		l = &svcportal.PasswordLink{}
		data = map[string]any{"Provider": required.Label, "Link": s.url(t) + "/login"}
	}
	msg, err := s.mailer.RenderEmail(ctx, t, svcportal.EmailRequest{Kind: svcportal.EmailWelcome,
		To: c.Email, ToName: c.DisplayName(), Locale: c.Locale, Data: data})
	if err != nil {
		return nil, nil, err
	}
	return l, msg, nil
}

// codeHash is the keyed hash stored for a reset code, bound to the tenant
// and the contact so that a code is worth nothing for anyone else.
func (s *Service) codeHash(tenantID, contactID int64, code string) string {
	m := hmac.New(sha256.New, s.secret)
	fmt.Fprintf(m, "reset-code:%d:%d:%s", tenantID, contactID, code)
	return hex.EncodeToString(m.Sum(nil))
}

// newResetCode returns 8 random decimal digits.
func newResetCode() string {
	n, err := rand.Int(rand.Reader, big.NewInt(100_000_000))
	if err != nil {
		panic(fmt.Sprintf("accounts: no randomness: %v", err)) // the OS is broken; nothing is safe
	}
	return fmt.Sprintf("%08d", n.Int64())
}

// normalizeCode drops the spaces and dashes people type or paste inside a
// code.
func normalizeCode(code string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\t' {
			return -1
		}
		return r
	}, code)
}
