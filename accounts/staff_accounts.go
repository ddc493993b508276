package accounts

import (
	"context"
	"crypto/subtle"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/password"
)

// ListStaff implements svcportal.StaffAccounts.
func (s *Service) ListStaff(ctx context.Context) ([]svcportal.Staff, error) {
	list, err := s.st.ListStaff(ctx)
	for i := range list {
		list[i].InvitationPending = list[i].CheckInvitationPending() == nil
	}
	return list, err
}

// InviteStaff implements svcportal.StaffAccounts. The staff member, their
// set-password link and the invitation are saved together.
func (s *Service) InviteStaff(ctx context.Context, by *svcportal.Principal, req svcportal.StaffInvite) (*svcportal.Staff, error) {
	t := svcportal.TenantFrom(ctx)
	if t == nil {
		return nil, fmt.Errorf("accounts: no tenant in context")
	}
	if s.mailer == nil || s.url == nil {
		return nil, errNotConfigured
	}
	m := &svcportal.Staff{Email: req.Email, Name: req.Name, Role: req.Role, Locale: req.Locale}
	var v svcportal.Validation
	v.Check(strings.TrimSpace(req.Email) != "", "email", "error.required", nil)
	if err := m.Validate(); err != nil {
		v.Merge(err, "")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	tokenHash, msg, err := s.invitation(ctx, t, m)
	if err != nil {
		return nil, err
	}
	if err := s.st.CreateStaffWithLink(ctx, m, tokenHash, s.now().Add(svcportal.PasswordLinkTTL), msg); err != nil {
		return nil, err
	}
	s.audit(ctx, &svcportal.AuditEntry{ActorKind: by.Kind, ActorID: subjectID(by), Action: svcportal.AuditStaffInvited,
		Email: m.Email, IP: ipOf(by), Detail: m.Role})
	m.InvitationPending = true
	return m, nil
}

// invitation makes a new set-password link for m and renders the
// invitation that carries it; it returns the hash of the link's token.
func (s *Service) invitation(ctx context.Context, t *svcportal.Tenant, m *svcportal.Staff) (string, *svcportal.OutboundEmail, error) {
	token := randomToken(32)
	link := s.url(t) + "/admin/set-password?token=" + url.QueryEscape(token)
	msg, err := s.mailer.RenderEmail(ctx, t, svcportal.EmailRequest{Kind: svcportal.EmailStaffWelcome, Staff: true,
		To: m.Email, ToName: m.Name, Locale: m.Locale,
		Data: map[string]any{"Link": link, "ExpiresHours": int(svcportal.PasswordLinkTTL / time.Hour), "Role": m.Role}})
	return HashToken(token), msg, err
}

// limitReinvite bounds the invitations sent again to one staff member.
var limitReinvite = limit{3, time.Hour}

// ResendStaffInvitation implements svcportal.StaffAccounts: a new link
// and invitation replace the earlier links, in one transaction that
// checks the member has still set no password.
func (s *Service) ResendStaffInvitation(ctx context.Context, by *svcportal.Principal, id int64) error {
	t := svcportal.TenantFrom(ctx)
	if t == nil {
		return fmt.Errorf("accounts: no tenant in context")
	}
	if s.mailer == nil || s.url == nil {
		return errNotConfigured
	}
	m, err := s.st.StaffMember(ctx, id)
	if err != nil {
		return err
	}
	// Checked before counting, so a refused resend spends no try.
	if err := m.CheckInvitationPending(); err != nil {
		return err
	}
	now := s.now()
	ok, retryAt, err := s.st.Take(ctx, []svcportal.ThrottleLimit{{Key: fmt.Sprintf("staff-reinvite:%d:%d", t.ID, m.ID),
		Max: limitReinvite.Max, Window: limitReinvite.Window}}, now)
	if err != nil {
		return err
	}
	if !ok {
		return &svcportal.Error{Kind: svcportal.KindTooManyRequests, MessageID: "error.too_many_requests",
			RetryAfter: retryAt.Sub(now).Round(time.Second)}
	}
	tokenHash, msg, err := s.invitation(ctx, t, m)
	if err != nil {
		return err
	}
	if err := s.st.RenewStaffPasswordLink(ctx, m.ID, (*svcportal.Staff).CheckInvitationPending, tokenHash, now.Add(svcportal.PasswordLinkTTL), msg); err != nil {
		return err
	}
	s.audit(ctx, &svcportal.AuditEntry{ActorKind: by.Kind, ActorID: subjectID(by), Action: svcportal.AuditStaffReinvited,
		Email: m.Email, IP: ipOf(by)})
	return nil
}

// UpdateStaff implements svcportal.StaffAccounts.
func (s *Service) UpdateStaff(ctx context.Context, by *svcportal.Principal, id int64, u svcportal.StaffUpdate) (*svcportal.Staff, error) {
	m, err := s.st.StaffMember(ctx, id)
	if err != nil {
		return nil, err
	}
	self := by.Staff != nil && by.Staff.ID == id
	var changed []string
	if u.Name != nil && strings.TrimSpace(*u.Name) != m.Name {
		m.Name = strings.TrimSpace(*u.Name)
		changed = append(changed, "name")
	}
	if u.Role != nil && *u.Role != m.Role {
		if self {
			// An admin who demoted themselves could lock the tenant out.
			return nil, svcportal.FieldErr(svcportal.KindConflict, "role", "error.staff_self_role", nil)
		}
		m.Role = *u.Role
		changed = append(changed, "role")
	}
	if u.Disabled != nil && *u.Disabled != m.Disabled {
		if self {
			return nil, svcportal.FieldErr(svcportal.KindConflict, "disabled", "error.staff_self_disable", nil)
		}
		m.Disabled = *u.Disabled
		changed = append(changed, "disabled")
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	if len(changed) == 0 {
		return m, nil
	}
	if err := s.st.UpdateStaff(ctx, m); err != nil {
		return nil, err
	}
	s.audit(ctx, &svcportal.AuditEntry{ActorKind: by.Kind, ActorID: subjectID(by), Action: svcportal.AuditStaffChanged,
		Email: m.Email, IP: ipOf(by), Detail: strings.Join(changed, ",")})
	return m, nil
}

// UpdateStaffProfile implements svcportal.StaffAccounts.
func (s *Service) UpdateStaffProfile(ctx context.Context, p *svcportal.Principal, u svcportal.StaffProfileUpdate) (*svcportal.Staff, error) {
	if p.Staff == nil {
		return nil, svcportal.NewError(svcportal.KindForbidden, "error.forbidden")
	}
	m, err := s.st.StaffMember(ctx, p.Staff.ID)
	if err != nil {
		return nil, err
	}
	if u.Name != nil {
		m.Name = strings.TrimSpace(*u.Name)
	}
	if u.Locale != nil {
		m.Locale = strings.TrimSpace(*u.Locale)
	}
	if u.NotifyTickets != nil {
		m.MuteTicketEmails = !*u.NotifyTickets
	}
	var v svcportal.Validation
	v.Check(utf8.RuneCountInString(m.Name) <= 100, "name", "error.too_long", map[string]any{"Max": 100})
	v.Check(m.Locale == "" || svcportal.IsLocale(m.Locale), "locale", "error.locale_unknown", map[string]any{"Locale": m.Locale})
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := s.st.UpdateStaff(ctx, m); err != nil {
		return nil, err
	}
	s.audit(ctx, &svcportal.AuditEntry{ActorKind: p.Kind, ActorID: m.ID, Action: svcportal.AuditProfileChanged, Email: m.Email, IP: ipOf(p)})
	return m, nil
}

// RequestStaffPasswordReset implements svcportal.StaffAccounts, with the
// rules of contacts' resets (requestReset): the same answer and the same
// work whether or not the email is an active staff member's.
func (s *Service) RequestStaffPasswordReset(ctx context.Context, email, ip string) error {
	return s.requestReset(ctx, email, ip, resetFlow{
		key: "staff-reset", kind: svcportal.EmailStaffResetCode, staff: true, actor: svcportal.PrincipalStaff, audit: "staff, ",
		find: func(ctx context.Context, email string) (*resetAccount, error) {
			m, err := s.st.StaffByEmail(ctx, email)
			if err != nil {
				return nil, err
			}
			return &resetAccount{id: m.ID, name: m.Name, locale: m.Locale, disabled: m.Disabled}, nil
		},
		hash: s.staffCodeHash,
		save: s.st.CreateStaffResetCode,
	})
}

// ConfirmStaffPasswordReset implements svcportal.StaffAccounts.
func (s *Service) ConfirmStaffPasswordReset(ctx context.Context, req svcportal.ResetConfirm, ip string) error {
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
	code := normalizeCode(req.Code)
	fail := func() error {
		if _, _, err := s.st.Hit(ctx, ipKey, limitResetConfirmIP.Window, now); err != nil {
			return err
		}
		return svcportal.ErrInvalidCode()
	}
	m, err := s.st.StaffByEmail(ctx, req.Email)
	if err != nil && svcportal.KindOf(err) != svcportal.KindNotFound {
		return err
	}
	if err != nil || m.Disabled {
		s.staffCodeHash(t.ID, 0, code)
		return fail()
	}
	codeID, hash, err := s.st.ClaimStaffResetAttempt(ctx, m.ID, now)
	if svcportal.KindOf(err) == svcportal.KindNotFound {
		return fail()
	} else if err != nil {
		return err
	}
	if subtle.ConstantTimeCompare([]byte(s.staffCodeHash(t.ID, m.ID, code)), []byte(hash)) != 1 {
		return fail()
	}
	pwHash, err := password.Hash(req.Password)
	if err != nil {
		return err
	}
	if err := s.st.ResetStaffPassword(ctx, codeID, m.ID, pwHash); svcportal.KindOf(err) == svcportal.KindNotFound {
		return fail()
	} else if err != nil {
		return err
	}
	s.audit(ctx, &svcportal.AuditEntry{ActorKind: svcportal.PrincipalStaff, ActorID: m.ID,
		Action: svcportal.AuditResetDone, Email: m.Email, IP: ip, Detail: "reset code"})
	return nil
}

// CheckStaffPasswordLink implements svcportal.StaffAccounts.
func (s *Service) CheckStaffPasswordLink(ctx context.Context, token string) error {
	_, _, err := s.staffPasswordLink(ctx, token)
	return err
}

func (s *Service) staffPasswordLink(ctx context.Context, token string) (int64, int64, error) {
	if token == "" {
		return 0, 0, svcportal.ErrInvalidLink()
	}
	id, staffID, err := s.st.StaffPasswordLink(ctx, HashToken(token), s.now())
	if svcportal.KindOf(err) == svcportal.KindNotFound {
		return 0, 0, svcportal.ErrInvalidLink()
	}
	return id, staffID, err
}

// SetStaffPasswordWithLink implements svcportal.StaffAccounts.
func (s *Service) SetStaffPasswordWithLink(ctx context.Context, token, pw, ip string) (string, error) {
	id, staffID, err := s.staffPasswordLink(ctx, token)
	if err != nil {
		return "", err
	}
	var v svcportal.Validation
	svcportal.CheckPassword(&v, "password", pw)
	if err := v.Err(); err != nil {
		return "", err
	}
	hash, err := password.Hash(pw)
	if err != nil {
		return "", err
	}
	if err := s.st.UseStaffPasswordLink(ctx, id, hash); svcportal.KindOf(err) == svcportal.KindNotFound {
		return "", svcportal.ErrInvalidLink()
	} else if err != nil {
		return "", err
	}
	m, err := s.st.StaffMember(ctx, staffID)
	if err != nil {
		return "", err
	}
	s.audit(ctx, &svcportal.AuditEntry{ActorKind: svcportal.PrincipalStaff, ActorID: m.ID,
		Action: svcportal.AuditResetDone, Email: m.Email, IP: ip, Detail: "set-password link"})
	return m.Email, nil
}

// staffCodeHash is codeHash for staff codes: bound to the tenant and the
// staff member, and apart from contacts' codes of the same id.
func (s *Service) staffCodeHash(tenantID, staffID int64, code string) string {
	return s.codeHash(tenantID, -staffID-1, code)
}
