package accounts

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/svcportal/svcportal"
)

// CreateAPIToken makes an admin API token for the staff member with that
// email and returns it; only its hash is kept. It never expires.
func (s *Service) CreateAPIToken(ctx context.Context, email, name string) (string, error) {
	return s.CreateAPITokenUntil(ctx, email, name, nil)
}

// CreateAPITokenUntil is CreateAPIToken with an optional expiry, which
// must be in the future (KindUnprocessable).
func (s *Service) CreateAPITokenUntil(ctx context.Context, email, name string, expires *time.Time) (string, error) {
	m, err := s.st.StaffByEmail(ctx, email)
	if err != nil {
		return "", err
	}
	nt, err := s.issue(ctx, m.ID, svcportal.APITokenCreate{Name: name, ExpiresAt: expires})
	if err != nil {
		return "", err
	}
	return nt.Token, nil
}

// issue validates req and stores a new token of staff member staffID.
func (s *Service) issue(ctx context.Context, staffID int64, req svcportal.APITokenCreate) (*svcportal.NewAPIToken, error) {
	now := s.now()
	name := strings.TrimSpace(req.Name)
	var v svcportal.Validation
	v.Check(name != "", "name", "error.required", nil)
	v.Check(utf8.RuneCountInString(name) <= 100, "name", "error.too_long", map[string]any{"Max": 100})
	v.Check(req.ExpiresAt == nil || req.ExpiresAt.After(now), "expires_at", "error.token_expiry_past", nil)
	if err := v.Err(); err != nil {
		return nil, err
	}
	token := "sp_" + randomToken(32)
	t := svcportal.APIToken{StaffID: staffID, Name: name, TokenHash: HashToken(token)}
	if req.ExpiresAt != nil {
		at := req.ExpiresAt.UTC()
		t.ExpiresAt = &at
	}
	if err := s.st.CreateAPIToken(ctx, &t); err != nil {
		return nil, err
	}
	return &svcportal.NewAPIToken{APIToken: t, Token: token}, nil
}

// APITokens implements svcportal.APITokenAdmin.
func (s *Service) APITokens(ctx context.Context) ([]svcportal.APIToken, error) {
	return s.st.APITokens(ctx)
}

// IssueAPIToken implements svcportal.APITokenAdmin.
func (s *Service) IssueAPIToken(ctx context.Context, by *svcportal.Principal, req svcportal.APITokenCreate) (*svcportal.NewAPIToken, error) {
	if by.Staff == nil {
		return nil, svcportal.NewError(svcportal.KindForbidden, "error.forbidden")
	}
	nt, err := s.issue(ctx, by.Staff.ID, req)
	if err != nil {
		return nil, err
	}
	s.audit(ctx, &svcportal.AuditEntry{ActorKind: by.Kind, ActorID: by.Staff.ID, Action: svcportal.AuditTokenCreated,
		Email: by.Staff.Email, IP: ipOf(by), Detail: fmt.Sprintf("token %d %q", nt.ID, nt.Name)})
	return nt, nil
}

// RevokeAPIToken implements svcportal.APITokenAdmin.
func (s *Service) RevokeAPIToken(ctx context.Context, by *svcportal.Principal, id int64) error {
	if err := s.st.RevokeAPIToken(ctx, id, s.now()); err != nil {
		return err
	}
	s.audit(ctx, &svcportal.AuditEntry{ActorKind: by.Kind, ActorID: subjectID(by), Action: svcportal.AuditTokenRevoked,
		Email: principalEmail(by), IP: ipOf(by), Detail: fmt.Sprintf("token %d", id)})
	return nil
}

// AuthenticateBearer implements svcportal.AccountService. Revoked and
// expired tokens are refused like unknown ones.
func (s *Service) AuthenticateBearer(ctx context.Context, token string) (*svcportal.Principal, error) {
	unauthorized := svcportal.NewError(svcportal.KindUnauthorized, "error.unauthorized")
	if token == "" {
		return nil, unauthorized
	}
	t, err := s.st.APITokenByHash(ctx, HashToken(token))
	if svcportal.KindOf(err) == svcportal.KindNotFound || err == nil && !t.Usable(s.now()) {
		return nil, unauthorized
	} else if err != nil {
		return nil, err
	}
	m, err := s.st.StaffMember(ctx, t.StaffID)
	if svcportal.KindOf(err) == svcportal.KindNotFound || err == nil && m.Disabled {
		return nil, unauthorized
	} else if err != nil {
		return nil, err
	}
	if t.LastUsedAt == nil || s.now().Sub(*t.LastUsedAt) > touchEvery {
		if err := s.st.TouchAPIToken(ctx, t.ID, s.now()); err != nil {
			return nil, err
		}
	}
	return &svcportal.Principal{Kind: svcportal.PrincipalStaff, Staff: m}, nil
}

// CreateContact implements svcportal.ContactAdmin.
func (s *Service) CreateContact(ctx context.Context, by *svcportal.Principal, req svcportal.ContactCreate) (*svcportal.Contact, error) {
	c := &svcportal.Contact{Email: req.Email, FirstName: req.FirstName, LastName: req.LastName, JobTitle: req.JobTitle,
		Phone: strings.TrimSpace(req.Phone), Locale: req.Locale}
	var v svcportal.Validation
	v.Merge(c.Validate(), "")
	v.Check(req.SiteID != 0, "site_id", "error.required", nil)
	v.Check(req.Role == svcportal.RoleMember || req.Role == svcportal.RoleSiteManager, "role", "error.role_unknown", nil)
	if t := svcportal.TenantFrom(ctx); c.Locale != "" && svcportal.IsLocale(c.Locale) && !t.LocaleEnabled(c.Locale) {
		v.Add("locale", "error.locale_not_offered", nil)
	}
	if req.Password != "" {
		svcportal.CheckPassword(&v, "password", req.Password)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	c.Memberships = []svcportal.Membership{{SiteID: req.SiteID, Role: req.Role}}
	if req.Password != "" {
		hash, err := s.hash(ctx, req.Password)
		if err != nil {
			return nil, err
		}
		c.PasswordHash, c.MustChangePassword = hash, true
	}
	if !req.SendWelcome {
		if err := s.st.CreateContact(ctx, c); err != nil {
			return nil, err
		}
		return c, nil
	}
	// The link, its email and the contact are saved together: a contact
	// never exists with a welcome email half sent.
	l, msg, err := s.welcome(ctx, c)
	if err != nil {
		return nil, err
	}
	if err := s.st.CreateContactWithLink(ctx, c, l, msg); err != nil {
		return nil, err
	}
	return c, nil
}

// UpdateContact implements svcportal.ContactAdmin. The profile, the
// memberships, the disabled flag and the end of the sessions of a
// disabled contact are saved in one transaction (SaveContact): a refused
// or failed change leaves the contact as it was.
func (s *Service) UpdateContact(ctx context.Context, by *svcportal.Principal, id int64, u svcportal.ContactUpdate) (*svcportal.Contact, error) {
	c, err := s.st.Contact(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := notErased(c); err != nil {
		return nil, err
	}
	changed, _, err := s.applyProfile(ctx, by, c, u.ProfileUpdate)
	var v svcportal.Validation
	v.Merge(err, "")
	v.Check(u.Sites == nil || len(u.Sites) > 0, "sites", "error.required", nil)
	seen := map[int64]bool{}
	for _, m := range u.Sites {
		v.Check(m.Role == svcportal.RoleMember || m.Role == svcportal.RoleSiteManager, "sites", "error.role_unknown", nil)
		v.Check(!seen[m.SiteID], "sites", "error.membership_twice", nil)
		seen[m.SiteID] = true
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	endSessions := false
	if u.Disabled != nil && *u.Disabled != c.Disabled {
		c.Disabled = *u.Disabled
		endSessions = c.Disabled
		changed = append(changed, "disabled")
	}
	if u.Sites != nil {
		changed = append(changed, "sites")
	}
	// SaveContact checks in its transaction that every site is the
	// tenant's, so a bad request changes nothing.
	if err := s.st.SaveContact(ctx, c, u.Sites, endSessions); err != nil {
		return nil, err
	}
	if len(changed) > 0 {
		s.audit(ctx, &svcportal.AuditEntry{ActorKind: by.Kind, ActorID: subjectID(by), Action: svcportal.AuditProfileChanged,
			Email: c.Email, IP: ipOf(by), Detail: strings.Join(changed, ",")})
	}
	return s.st.Contact(ctx, id)
}

// ContactImpact implements svcportal.ContactAdmin.
func (s *Service) ContactImpact(ctx context.Context, id int64) (*svcportal.ContactImpact, error) {
	return s.st.ContactImpact(ctx, id)
}

// Contacts implements svcportal.ContactAdmin.
func (s *Service) Contacts(ctx context.Context, f svcportal.ContactFilter) ([]svcportal.Contact, int, error) {
	return s.st.Contacts(ctx, f)
}

// Contact implements svcportal.ContactAdmin.
func (s *Service) Contact(ctx context.Context, id int64) (*svcportal.Contact, error) {
	return s.st.Contact(ctx, id)
}

// DeleteContact implements svcportal.ContactAdmin.
func (s *Service) DeleteContact(ctx context.Context, by *svcportal.Principal, id int64) error {
	c, err := s.st.Contact(ctx, id)
	if err != nil {
		return err
	}
	if err := s.st.DeleteContact(ctx, id); err != nil {
		return err
	}
	s.audit(ctx, &svcportal.AuditEntry{ActorKind: by.Kind, ActorID: subjectID(by), Action: svcportal.AuditContactDeleted,
		Email: c.Email, IP: ipOf(by), Detail: fmt.Sprintf("contact %d", id)})
	return nil
}
