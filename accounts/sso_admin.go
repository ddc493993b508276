package accounts

import (
	"context"

	"github.com/svcportal/svcportal"
)

var _ svcportal.SSOAdmin = (*Service)(nil)

// OIDC implements svcportal.SSOAdmin.
func (s *Service) OIDC(ctx context.Context) (*svcportal.TenantOIDC, error) {
	o, err := s.st.TenantOIDC(ctx)
	if svcportal.KindOf(err) == svcportal.KindNotFound {
		return nil, nil
	}
	return o, err
}

// PutOIDC implements svcportal.SSOAdmin.
func (s *Service) PutOIDC(ctx context.Context, c svcportal.OIDCChange) (*svcportal.TenantOIDC, error) {
	o := &svcportal.TenantOIDC{Issuer: c.Issuer, ClientID: c.ClientID, Label: c.Label,
		AllowCreate: c.AllowCreate, CreateSiteID: c.CreateSiteID}
	if c.ClientSecret != nil {
		o.ClientSecret = *c.ClientSecret
	} else {
		old, err := s.OIDC(ctx)
		if err != nil {
			return nil, err
		}
		if old != nil {
			o.ClientSecret = old.ClientSecret
		}
	}
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if err := s.st.PutTenantOIDC(ctx, o); err != nil {
		return nil, err
	}
	return o, nil
}

// DeleteOIDC implements svcportal.SSOAdmin.
func (s *Service) DeleteOIDC(ctx context.Context) error { return s.st.DeleteTenantOIDC(ctx) }

var _ svcportal.SiteSSOAdmin = (*Service)(nil)

// SiteOIDC implements svcportal.SiteSSOAdmin.
func (s *Service) SiteOIDC(ctx context.Context, siteID int64) (*svcportal.SiteOIDC, error) {
	if _, err := s.st.Site(ctx, siteID); err != nil {
		return nil, err
	}
	o, err := s.st.SiteOIDC(ctx, siteID)
	if svcportal.KindOf(err) == svcportal.KindNotFound {
		return nil, nil
	}
	return o, err
}

// PutSiteOIDC implements svcportal.SiteSSOAdmin. The site and the other
// sites' domains are checked by the store in the write's transaction.
func (s *Service) PutSiteOIDC(ctx context.Context, siteID int64, c svcportal.SiteOIDCChange) (*svcportal.SiteOIDC, error) {
	o := &svcportal.SiteOIDC{SiteID: siteID, Issuer: c.Issuer, ClientID: c.ClientID, Label: c.Label,
		Domains: c.Domains, AllowCreate: c.AllowCreate, RequireSSO: c.RequireSSO}
	if c.ClientSecret != nil {
		o.ClientSecret = *c.ClientSecret
	} else {
		old, err := s.SiteOIDC(ctx, siteID)
		if err != nil {
			return nil, err
		}
		if old != nil {
			o.ClientSecret = old.ClientSecret
		}
	}
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if err := s.st.PutSiteOIDC(ctx, o); err != nil {
		return nil, err
	}
	return o, nil
}

// DeleteSiteOIDC implements svcportal.SiteSSOAdmin.
func (s *Service) DeleteSiteOIDC(ctx context.Context, siteID int64) error {
	return s.st.DeleteSiteOIDC(ctx, siteID)
}
