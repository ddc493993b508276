package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/svcportal/svcportal"
)

var _ svcportal.PolicyStore = (*Store)(nil)

// policyRulesTable is where svcportal.PolicyRule rows live; the root
// package cannot name its table (that takes bun.BaseModel). Selects need
// the alias bun gives the model's columns.
const (
	policyRulesTable  = "field_policy_rules"
	policyRulesSelect = policyRulesTable + " AS policy_rule"
)

// PolicyRules implements svcportal.PolicyStore.
func (s *Store) PolicyRules(ctx context.Context) ([]svcportal.PolicyRule, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	return policyRules(ctx, s.db, tid)
}

func policyRules(ctx context.Context, db bun.IDB, tid int64) ([]svcportal.PolicyRule, error) {
	rules := []svcportal.PolicyRule{}
	if err := db.NewSelect().Model(&rules).ModelTableExpr(policyRulesSelect).
		Where("tenant_id = ?", tid).Order("field", "role", "site_id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("list policy rules: %w", err)
	}
	return rules, nil
}

// ReplacePolicyRule implements svcportal.PolicyStore.
func (s *Store) ReplacePolicyRule(ctx context.Context, r svcportal.PolicyRule) error {
	return s.ChangeFieldConfig(ctx, svcportal.FieldConfigChange{PutRule: &r}, nil)
}

// DeletePolicyRule implements svcportal.PolicyStore.
func (s *Store) DeletePolicyRule(ctx context.Context, role string, siteID int64, field string) error {
	return s.ChangeFieldConfig(ctx, svcportal.FieldConfigChange{
		DeleteRule: &svcportal.PolicyRule{Role: role, SiteID: siteID, Field: field}}, nil)
}

func putPolicyRule(ctx context.Context, tx bun.IDB, tid int64, r svcportal.PolicyRule) error {
	r.TenantID = tid
	if r.SiteID != 0 {
		// site_id has no foreign key (0 means every site), and one would
		// accept another tenant's site anyway.
		n, err := tx.NewSelect().Model((*svcportal.Site)(nil)).
			Where("id = ? AND tenant_id = ?", r.SiteID, tid).Count(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			return svcportal.FieldErr(svcportal.KindNotFound, "site_id", "error.site_not_found", nil)
		}
	}
	if _, err := tx.NewInsert().Model(&r).ModelTableExpr(policyRulesTable).
		On("CONFLICT (tenant_id, role, site_id, field) DO UPDATE").
		Set("mode = EXCLUDED.mode").
		Exec(ctx); err != nil {
		return fmt.Errorf("save policy rule %s/%d/%s: %w", r.Role, r.SiteID, r.Field, err)
	}
	return nil
}

func deletePolicyRule(ctx context.Context, tx bun.IDB, tid int64, role string, siteID int64, field string) error {
	res, err := tx.NewDelete().TableExpr(policyRulesTable).
		Where("tenant_id = ? AND role = ? AND site_id = ? AND field = ?", tid, role, siteID, field).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("delete policy rule %s/%d/%s: %w", role, siteID, field, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return svcportal.ErrNotFound()
	}
	return nil
}

// PolicyVersion implements svcportal.PolicyStore.
func (s *Store) PolicyVersion(ctx context.Context) (int64, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return 0, err
	}
	var v int64
	err = s.db.NewSelect().TableExpr("tenant_policy_versions").Column("version").
		Where("tenant_id = ?", tid).Scan(ctx, &v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read policy version: %w", err)
	}
	return v, nil
}

// SeedPolicyRules implements svcportal.PolicyStore.
func (s *Store) SeedPolicyRules(ctx context.Context, rules []svcportal.PolicyRule) (bool, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return false, err
	}
	if len(rules) == 0 {
		return false, nil
	}
	rows := make([]svcportal.PolicyRule, len(rules))
	for i, r := range rules {
		r.TenantID = tid
		rows[i] = r
	}
	err = s.w.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		n, err := tx.NewSelect().TableExpr(policyRulesTable).Where("tenant_id = ?", tid).Count(ctx)
		if err != nil {
			return err
		}
		if n > 0 {
			return errAlreadySeeded
		}
		if _, err := tx.NewInsert().Model(&rows).ModelTableExpr(policyRulesTable).Exec(ctx); err != nil {
			return err
		}
		return bumpPolicyVersion(ctx, tx, tid)
	})
	switch {
	case errors.Is(err, errAlreadySeeded):
		return false, nil
	case isUniqueViolation(err):
		// Another instance seeded between our count and our insert
		// (PostgreSQL; SQLite's immediate transactions serialise).
		return false, nil
	case err != nil:
		return false, fmt.Errorf("seed policy rules: %w", err)
	}
	return true, nil
}

// errAlreadySeeded rolls back a seeding transaction that found rules.
var errAlreadySeeded = errors.New("tenant already has policy rules")

// bumpPolicyVersion moves the tenant's policy version forward; it runs in
// the transaction of the change so no instance sees the one without the
// other.
func bumpPolicyVersion(ctx context.Context, tx bun.Tx, tid int64) error {
	if _, err := tx.NewRaw(`INSERT INTO tenant_policy_versions (tenant_id, version) VALUES (?, 1)
		ON CONFLICT (tenant_id) DO UPDATE SET version = tenant_policy_versions.version + 1`, tid).
		Exec(ctx); err != nil {
		return fmt.Errorf("bump policy version: %w", err)
	}
	return nil
}
