package store

import (
	"context"
	"fmt"

	"github.com/svcportal/svcportal"
)

var _ svcportal.SiteStore = (*Store)(nil)

// CreateSite implements svcportal.SiteStore.
func (s *Store) CreateSite(ctx context.Context, site *svcportal.Site) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	site.TenantID, site.CreatedAt = tid, s.now().UTC()
	if _, err := s.w.NewInsert().Model(site).Exec(ctx); err != nil {
		if isUniqueViolation(err) {
			return conflict("name", "error.site_taken", err)
		}
		return fmt.Errorf("insert site: %w", err)
	}
	return nil
}

// Site implements svcportal.SiteStore.
func (s *Store) Site(ctx context.Context, id int64) (*svcportal.Site, error) {
	return s.siteWhere(ctx, "id = ?", id)
}

// SiteByName implements svcportal.SiteStore.
func (s *Store) SiteByName(ctx context.Context, name string) (*svcportal.Site, error) {
	return s.siteWhere(ctx, "name = ?", name)
}

func (s *Store) siteWhere(ctx context.Context, cond string, arg any) (*svcportal.Site, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	site := new(svcportal.Site)
	err = s.db.NewSelect().Model(site).Where("tenant_id = ?", tid).Where(cond, arg).Scan(ctx)
	return site, notFound(err)
}

// Sites implements svcportal.SiteStore.
func (s *Store) Sites(ctx context.Context) ([]svcportal.Site, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	sites := []svcportal.Site{}
	err = s.db.NewSelect().Model(&sites).Where("tenant_id = ?", tid).Order("name").Scan(ctx)
	return sites, err
}

// UpdateSite implements svcportal.SiteStore.
func (s *Store) UpdateSite(ctx context.Context, site *svcportal.Site) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	res, err := s.w.NewUpdate().Model(site).Column("name", "kb_enabled").
		Where("id = ? AND tenant_id = ?", site.ID, tid).Exec(ctx)
	if err != nil {
		if isUniqueViolation(err) {
			return conflict("name", "error.site_taken", err)
		}
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return svcportal.ErrNotFound()
	}
	return nil
}

// DeleteSite implements svcportal.SiteStore.
func (s *Store) DeleteSite(ctx context.Context, id int64) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	res, err := s.w.NewDelete().Model((*svcportal.Site)(nil)).Where("id = ? AND tenant_id = ?", id, tid).Exec(ctx)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return svcportal.ErrNotFound()
	}
	return nil
}
