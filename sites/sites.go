// Package sites is the admin side of a tenant's client organisations: it
// validates and saves them (svcportal.SiteAdmin), so the console and the
// admin API only parse and render.
package sites

import (
	"context"

	"github.com/svcportal/svcportal"
)

// Service implements svcportal.SiteAdmin over a store.
type Service struct {
	st svcportal.SiteStore
}

var _ svcportal.SiteAdmin = (*Service)(nil)

// New returns the service.
func New(st svcportal.SiteStore) *Service { return &Service{st: st} }

// Sites implements svcportal.SiteAdmin.
func (s *Service) Sites(ctx context.Context) ([]svcportal.Site, error) { return s.st.Sites(ctx) }

// Site implements svcportal.SiteAdmin.
func (s *Service) Site(ctx context.Context, id int64) (*svcportal.Site, error) {
	return s.st.Site(ctx, id)
}

// CreateSite implements svcportal.SiteAdmin.
func (s *Service) CreateSite(ctx context.Context, c svcportal.SiteChange) (*svcportal.Site, error) {
	site := &svcportal.Site{KBEnabled: true}
	c.Apply(site)
	if err := site.Validate(); err != nil {
		return nil, err
	}
	if err := s.st.CreateSite(ctx, site); err != nil {
		return nil, err
	}
	return site, nil
}

// UpdateSite implements svcportal.SiteAdmin. The name's uniqueness is the
// database's to keep (KindConflict), so the read and the write need no
// transaction of their own.
func (s *Service) UpdateSite(ctx context.Context, id int64, c svcportal.SiteChange) (*svcportal.Site, error) {
	site, err := s.st.Site(ctx, id)
	if err != nil {
		return nil, err
	}
	c.Apply(site)
	if err := site.Validate(); err != nil {
		return nil, err
	}
	if err := s.st.UpdateSite(ctx, site); err != nil {
		return nil, err
	}
	return site, nil
}

// SiteImpact implements svcportal.SiteAdmin.
func (s *Service) SiteImpact(ctx context.Context, id int64) (*svcportal.SiteImpact, error) {
	return s.st.SiteImpact(ctx, id)
}

// DeleteSite implements svcportal.SiteAdmin.
func (s *Service) DeleteSite(ctx context.Context, id int64) error { return s.st.DeleteSite(ctx, id) }
