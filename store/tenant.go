package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/svcportal/svcportal"
)

var _ svcportal.TenantStore = (*Store)(nil)

type tenantDomain struct {
	bun.BaseModel `bun:"table:tenant_domains"`
	Hostname      string `bun:"hostname,pk"`
	TenantID      int64  `bun:"tenant_id"`
}

// CreateTenant implements svcportal.TenantStore.
func (s *Store) CreateTenant(ctx context.Context, t *svcportal.Tenant, admin *svcportal.Staff) error {
	now := s.now().UTC()
	t.CreatedAt, t.UpdatedAt = now, now
	return s.w.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(t).Exec(ctx); err != nil {
			if isUniqueViolation(err) {
				return conflict("slug", "error.slug_taken", err)
			}
			return fmt.Errorf("insert tenant %s: %w", t.Slug, err)
		}
		for _, d := range t.Domains {
			if _, err := tx.NewInsert().Model(&tenantDomain{Hostname: d, TenantID: t.ID}).Exec(ctx); err != nil {
				if isUniqueViolation(err) {
					return conflict("domains", "error.domain_taken", err)
				}
				return fmt.Errorf("insert domain %s: %w", d, err)
			}
		}
		if admin != nil {
			admin.TenantID = t.ID
			return insertStaff(ctx, tx, admin, now)
		}
		return nil
	})
}

// TenantBySlug implements svcportal.TenantStore.
func (s *Store) TenantBySlug(ctx context.Context, slug string) (*svcportal.Tenant, error) {
	t := new(svcportal.Tenant)
	if err := s.db.NewSelect().Model(t).Where("slug = ?", strings.ToLower(slug)).Scan(ctx); err != nil {
		return nil, notFound(err)
	}
	return t, s.loadDomains(ctx, s.db, t)
}

// TenantByDomain implements svcportal.TenantStore.
func (s *Store) TenantByDomain(ctx context.Context, host string) (*svcportal.Tenant, error) {
	t := new(svcportal.Tenant)
	err := s.db.NewSelect().Model(t).
		Where("id = (SELECT tenant_id FROM tenant_domains WHERE hostname = ?)", strings.ToLower(host)).
		Scan(ctx)
	if err != nil {
		return nil, notFound(err)
	}
	return t, s.loadDomains(ctx, s.db, t)
}

func (s *Store) loadDomains(ctx context.Context, db bun.IDB, t *svcportal.Tenant) error {
	t.Domains = []string{}
	return db.NewSelect().Model((*tenantDomain)(nil)).Column("hostname").
		Where("tenant_id = ?", t.ID).Order("hostname").Scan(ctx, &t.Domains)
}

// TenantAsset implements svcportal.TenantStore.
func (s *Store) TenantAsset(ctx context.Context, kind string) (*svcportal.Asset, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	a := new(svcportal.Asset)
	err = s.db.NewSelect().Model(a).ModelTableExpr("tenant_assets AS asset").
		Where("tenant_id = ? AND kind = ?", tid, kind).Scan(ctx)
	return a, notFound(err)
}

// PutTenantAsset implements svcportal.TenantStore.
func (s *Store) PutTenantAsset(ctx context.Context, a *svcportal.Asset) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	a.TenantID, a.UpdatedAt = tid, s.now().UTC()
	return s.w.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(a).ModelTableExpr("tenant_assets").
			On("CONFLICT (tenant_id, kind) DO UPDATE").
			Set("content_type = EXCLUDED.content_type, data = EXCLUDED.data, updated_at = EXCLUDED.updated_at").
			Exec(ctx); err != nil {
			return err
		}
		// The pages' links to the logo and favicon carry the tenant's time
		// of change (browsers keep them a while): a new image is a change of
		// the tenant's, which also moves its cache version (0082's trigger).
		_, err := tx.NewUpdate().TableExpr("tenants").Set("updated_at = ?", a.UpdatedAt).Where("id = ?", tid).Exec(ctx)
		return err
	})
}

// Tenants implements svcportal.TenantStore.
func (s *Store) Tenants(ctx context.Context) ([]svcportal.Tenant, error) {
	ts := []svcportal.Tenant{}
	if err := s.db.NewSelect().Model(&ts).Order("slug").Scan(ctx); err != nil {
		return nil, err
	}
	for i := range ts {
		if err := s.loadDomains(ctx, s.db, &ts[i]); err != nil {
			return nil, err
		}
	}
	return ts, nil
}

// SetTenantDisabled implements svcportal.TenantStore.
func (s *Store) SetTenantDisabled(ctx context.Context, slug string, at *time.Time) error {
	if at != nil {
		utc := at.UTC()
		at = &utc
	}
	res, err := s.w.NewUpdate().Model((*svcportal.Tenant)(nil)).Set("disabled_at = ?", at).
		Where("slug = ?", strings.ToLower(slug)).Exec(ctx)
	if err != nil {
		return fmt.Errorf("disable tenant %s: %w", slug, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return svcportal.ErrNotFound()
	}
	return nil
}

// UpdateTenant implements svcportal.TenantStore.
func (s *Store) UpdateTenant(ctx context.Context, t *svcportal.Tenant) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	if t.WelcomeEmail == nil {
		t.WelcomeEmail = map[string]string{}
	}
	if t.TicketTypeDescriptions == nil {
		t.TicketTypeDescriptions = map[string]map[string]string{}
	}
	t.ID, t.UpdatedAt = tid, s.now().UTC()
	return s.w.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewUpdate().Model(t).
			Column("name", "primary_color", "accent_color", "footer", "default_locale", "enabled_locales",
				"ticket_types", "auto_close_days", "max_upload_mb", "welcome_email", "kb_public", "time_zone",
				"service_hours", "ticket_type_descriptions", "updated_at").
			Where("id = ?", tid).Exec(ctx); err != nil {
			return fmt.Errorf("update tenant: %w", err)
		}
		if _, err := tx.NewDelete().Model((*tenantDomain)(nil)).Where("tenant_id = ?", tid).Exec(ctx); err != nil {
			return err
		}
		for _, d := range t.Domains {
			if _, err := tx.NewInsert().Model(&tenantDomain{Hostname: d, TenantID: tid}).Exec(ctx); err != nil {
				if isUniqueViolation(err) {
					return conflict("domains", "error.domain_taken", err)
				}
				return fmt.Errorf("insert domain %s: %w", d, err)
			}
		}
		return nil
	})
}
