package store

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/svcportal/svcportal"
)

var _ svcportal.TenantOIDCStore = (*Store)(nil)

// TenantOIDC implements svcportal.TenantOIDCStore.
func (s *Store) TenantOIDC(ctx context.Context) (*svcportal.TenantOIDC, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	o := new(svcportal.TenantOIDC)
	err = s.db.NewSelect().Model(o).ModelTableExpr("tenant_oidc AS tenant_oidc").Where("tenant_id = ?", tid).Scan(ctx)
	if err != nil {
		return nil, notFound(err)
	}
	if o.ClientSecret, err = s.seal.Open(o.ClientSecret, oidcAAD(tid)); err != nil {
		return nil, fmt.Errorf("tenant %d oidc client secret: %w", tid, err)
	}
	return o, nil
}

// oidcAAD binds a sealed client secret to its tenant.
func oidcAAD(tid int64) string {
	return fmt.Sprintf("oidc-client-secret\x00%d", tid)
}

// PutTenantOIDC implements svcportal.TenantOIDCStore.
func (s *Store) PutTenantOIDC(ctx context.Context, o *svcportal.TenantOIDC) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	o.TenantID, o.UpdatedAt = tid, s.now().UTC()
	return s.w.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if o.CreateSiteID != 0 {
			n, err := tx.NewSelect().Model((*svcportal.Site)(nil)).
				Where("id = ? AND tenant_id = ?", o.CreateSiteID, tid).Count(ctx)
			if err != nil {
				return err
			}
			if n == 0 {
				return svcportal.FieldErr(svcportal.KindNotFound, "create_site_id", "error.site_not_found", nil)
			}
		}
		// The client secret is stored sealed; the caller keeps its copy.
		row := *o
		row.ClientSecret = s.seal.Seal(o.ClientSecret, oidcAAD(tid))
		_, err := tx.NewInsert().Model(&row).ModelTableExpr("tenant_oidc").
			On("CONFLICT (tenant_id) DO UPDATE").
			Set("issuer = EXCLUDED.issuer, client_id = EXCLUDED.client_id, client_secret = EXCLUDED.client_secret").
			Set("label = EXCLUDED.label, allow_create = EXCLUDED.allow_create").
			Set("create_site_id = EXCLUDED.create_site_id, updated_at = EXCLUDED.updated_at").
			Exec(ctx)
		if err != nil {
			return fmt.Errorf("put tenant oidc: %w", err)
		}
		return nil
	})
}

// DeleteTenantOIDC implements svcportal.TenantOIDCStore.
func (s *Store) DeleteTenantOIDC(ctx context.Context) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	_, err = s.w.NewDelete().TableExpr("tenant_oidc").Where("tenant_id = ?", tid).Exec(ctx)
	return err
}
