package store

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

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

// SiteImpact implements svcportal.SiteStore.
func (s *Store) SiteImpact(ctx context.Context, id int64) (*svcportal.SiteImpact, error) {
	if _, err := s.Site(ctx, id); err != nil {
		return nil, err
	}
	tid, _ := tenantID(ctx)
	im := new(svcportal.SiteImpact)
	var err error
	if im.Tickets, err = siteTickets(ctx, s.db, tid, id); err != nil {
		return nil, err
	}
	n, err := s.db.NewSelect().Model((*contactSite)(nil)).Where("site_id = ?", id).Count(ctx)
	im.Contacts = int(n)
	return im, err
}

// siteTickets counts the tickets of a site.
func siteTickets(ctx context.Context, db bun.IDB, tid, siteID int64) (int, error) {
	n, err := db.NewSelect().TableExpr("tickets").Where("tenant_id = ? AND site_id = ?", tid, siteID).Count(ctx)
	return int(n), err
}

// DeleteSite implements svcportal.SiteStore.
func (s *Store) DeleteSite(ctx context.Context, id int64) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	return s.w.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		n, err := siteTickets(ctx, tx, tid, id)
		if err != nil {
			return err
		}
		if n > 0 {
			return &svcportal.Error{Kind: svcportal.KindConflict, MessageID: "error.site_has_tickets", Data: map[string]any{"Count": n}}
		}
		res, err := tx.NewDelete().Model((*svcportal.Site)(nil)).Where("id = ? AND tenant_id = ?", id, tid).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return svcportal.ErrNotFound()
		}
		return nil
	})
}
