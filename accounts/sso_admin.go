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
