package accounts

import (
	"context"
	"strings"

	"github.com/svcportal/svcportal"
)

// CreateAPIToken makes an admin API token for the staff member with that
// email and returns it; only its hash is kept.
func (s *Service) CreateAPIToken(ctx context.Context, email, name string) (string, error) {
	m, err := s.st.StaffByEmail(ctx, email)
	if err != nil {
		return "", err
	}
	token := "sp_" + randomToken(32)
	if err := s.st.CreateAPIToken(ctx, &svcportal.APIToken{StaffID: m.ID, Name: name, TokenHash: HashToken(token)}); err != nil {
		return "", err
	}
	return token, nil
}

// AuthenticateBearer implements svcportal.AccountService.
func (s *Service) AuthenticateBearer(ctx context.Context, token string) (*svcportal.Principal, error) {
	unauthorized := svcportal.NewError(svcportal.KindUnauthorized, "error.unauthorized")
	if token == "" {
		return nil, unauthorized
	}
	t, err := s.st.APITokenByHash(ctx, HashToken(token))
	if svcportal.KindOf(err) == svcportal.KindNotFound {
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

// UpdateContact implements svcportal.ContactAdmin.
func (s *Service) UpdateContact(ctx context.Context, by *svcportal.Principal, id int64, u svcportal.ContactUpdate) (*svcportal.Contact, error) {
	target, err := s.st.Contact(ctx, id)
	if err != nil {
		return nil, err
	}
	var v svcportal.Validation
	v.Check(u.Sites == nil || len(u.Sites) > 0, "sites", "error.required", nil)
	for _, m := range u.Sites {
		v.Check(m.Role == svcportal.RoleMember || m.Role == svcportal.RoleSiteManager, "sites", "error.role_unknown", nil)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	// Every site must be the tenant's before anything is saved, so a bad
	// request changes nothing.
	for _, m := range u.Sites {
		if _, err := s.st.Site(ctx, m.SiteID); err != nil {
			return nil, err
		}
	}
	c, err := s.updateProfile(ctx, by, target.ID, u.ProfileUpdate)
	if err != nil {
		return nil, err
	}
	if u.Sites != nil {
		if err := s.st.SetMemberships(ctx, id, u.Sites); err != nil {
			return nil, err
		}
	}
	if u.Disabled != nil && *u.Disabled != c.Disabled {
		c.Disabled = *u.Disabled
		if err := s.st.UpdateContact(ctx, c); err != nil {
			return nil, err
		}
		if c.Disabled {
			if err := s.st.DeleteSessionsOf(ctx, svcportal.PrincipalContact, id, ""); err != nil {
				return nil, err
			}
		}
	}
	return s.st.Contact(ctx, id)
}
