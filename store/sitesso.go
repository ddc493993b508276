package store

import (
	"context"
	"fmt"
	"slices"

	"github.com/uptrace/bun"

	"github.com/svcportal/svcportal"
)

var _ svcportal.SiteOIDCStore = (*Store)(nil)

// siteOIDCAAD binds a sealed client secret to its tenant and site.
func siteOIDCAAD(tid, siteID int64) string {
	return fmt.Sprintf("site-oidc-client-secret\x00%d\x00%d", tid, siteID)
}

// SiteOIDC implements svcportal.SiteOIDCStore.
func (s *Store) SiteOIDC(ctx context.Context, siteID int64) (*svcportal.SiteOIDC, error) {
	return s.siteOIDCWhere(ctx, "site_id = ?", siteID)
}

// SiteOIDCByDomain implements svcportal.SiteOIDCStore. The domains of a
// tenant's sites are few: they are matched here rather than in SQL, the
// same way on both databases.
func (s *Store) SiteOIDCByDomain(ctx context.Context, domain string) (*svcportal.SiteOIDC, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	var all []svcportal.SiteOIDC
	if err := s.db.NewSelect().Model(&all).ModelTableExpr("site_oidc AS site_oidc").Where("tenant_id = ?", tid).Scan(ctx); err != nil {
		return nil, err
	}
	for i := range all {
		if slices.Contains(all[i].Domains, domain) {
			return s.openSiteOIDC(&all[i])
		}
	}
	return nil, svcportal.ErrNotFound()
}

// HasSiteOIDC implements svcportal.SiteOIDCStore.
func (s *Store) HasSiteOIDC(ctx context.Context) (bool, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return false, err
	}
	return s.db.NewSelect().TableExpr("site_oidc").Where("tenant_id = ?", tid).Exists(ctx)
}

func (s *Store) siteOIDCWhere(ctx context.Context, cond string, arg any) (*svcportal.SiteOIDC, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	o := new(svcportal.SiteOIDC)
	if err := s.db.NewSelect().Model(o).ModelTableExpr("site_oidc AS site_oidc").Where("tenant_id = ?", tid).Where(cond, arg).Scan(ctx); err != nil {
		return nil, notFound(err)
	}
	return s.openSiteOIDC(o)
}

func (s *Store) openSiteOIDC(o *svcportal.SiteOIDC) (*svcportal.SiteOIDC, error) {
	var err error
	if o.ClientSecret, err = s.seal.Open(o.ClientSecret, siteOIDCAAD(o.TenantID, o.SiteID)); err != nil {
		return nil, fmt.Errorf("site %d oidc client secret: %w", o.SiteID, err)
	}
	return o, nil
}

// PutSiteOIDC implements svcportal.SiteOIDCStore.
func (s *Store) PutSiteOIDC(ctx context.Context, o *svcportal.SiteOIDC) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	o.TenantID, o.UpdatedAt = tid, s.now().UTC()
	return s.w.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := siteOfTenant(ctx, tx, tid, o.SiteID); err != nil {
			return err
		}
		var others []svcportal.SiteOIDC
		if err := tx.NewSelect().Model(&others).ModelTableExpr("site_oidc AS site_oidc").
			Where("tenant_id = ? AND site_id <> ?", tid, o.SiteID).Scan(ctx); err != nil {
			return err
		}
		for _, other := range others {
			for _, d := range o.Domains {
				if slices.Contains(other.Domains, d) {
					return svcportal.FieldErr(svcportal.KindConflict, "domains", "error.sso_domain_taken", map[string]any{"Domain": d})
				}
			}
		}
		row := *o
		row.ClientSecret = s.seal.Seal(o.ClientSecret, siteOIDCAAD(tid, o.SiteID))
		_, err := tx.NewInsert().Model(&row).ModelTableExpr("site_oidc").
			On("CONFLICT (site_id) DO UPDATE").
			Set("issuer = EXCLUDED.issuer, client_id = EXCLUDED.client_id, client_secret = EXCLUDED.client_secret").
			Set("label = EXCLUDED.label, domains = EXCLUDED.domains, allow_create = EXCLUDED.allow_create").
			Set("require_sso = EXCLUDED.require_sso").
			Set("updated_at = EXCLUDED.updated_at").Exec(ctx)
		if err != nil {
			return fmt.Errorf("put site %d oidc: %w", o.SiteID, err)
		}
		return nil
	})
}

// DeleteSiteOIDC implements svcportal.SiteOIDCStore.
func (s *Store) DeleteSiteOIDC(ctx context.Context, siteID int64) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	return s.w.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := siteOfTenant(ctx, tx, tid, siteID); err != nil {
			return err
		}
		_, err := tx.NewDelete().TableExpr("site_oidc").Where("tenant_id = ? AND site_id = ?", tid, siteID).Exec(ctx)
		return err
	})
}

// siteOfTenant is KindNotFound unless site id is one of tenant tid's.
func siteOfTenant(ctx context.Context, db bun.IDB, tid, id int64) error {
	n, err := db.NewSelect().Model((*svcportal.Site)(nil)).Where("id = ? AND tenant_id = ?", id, tid).Count(ctx)
	if err != nil {
		return err
	}
	if n == 0 {
		return svcportal.FieldErr(svcportal.KindNotFound, "site_id", "error.site_not_found", nil)
	}
	return nil
}
