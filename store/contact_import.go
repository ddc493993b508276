package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/svcportal/svcportal"
)

var _ svcportal.ContactImportStore = (*Store)(nil)

// contactImportTable is named explicitly, the model's name being the
// domain's.
const contactImportTable = "contact_imports AS contact_import"

// StartContactImport implements svcportal.ContactImportStore. The unique
// index on the tenant's running import settles two starts at once.
func (s *Store) StartContactImport(ctx context.Context, imp *svcportal.ContactImport, staleBefore time.Time) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	now := s.now().UTC()
	imp.TenantID, imp.State, imp.CreatedAt, imp.UpdatedAt = tid, svcportal.ImportRunning, now, now
	return s.w.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewUpdate().TableExpr("contact_imports").Set("state = ?, finished_at = ?", svcportal.ImportFailed, now).
			Where("tenant_id = ? AND state = ? AND updated_at < ?", tid, svcportal.ImportRunning, staleBefore.UTC()).Exec(ctx); err != nil {
			return fmt.Errorf("fail stale imports: %w", err)
		}
		if _, err := tx.NewInsert().Model(imp).ModelTableExpr("contact_imports").Exec(ctx); err != nil {
			if isUniqueViolation(err) {
				return svcportal.NewError(svcportal.KindConflict, "error.import_running")
			}
			return fmt.Errorf("insert contact import: %w", err)
		}
		return nil
	})
}

// ContactImportProgress implements svcportal.ContactImportStore.
func (s *Store) ContactImportProgress(ctx context.Context, id int64, done int) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	_, err = s.w.NewUpdate().TableExpr("contact_imports").Set("done = ?, updated_at = ?", done, s.now().UTC()).
		Where("id = ? AND tenant_id = ? AND state = ?", id, tid, svcportal.ImportRunning).Exec(ctx)
	if err != nil {
		return fmt.Errorf("import %d progress: %w", id, err)
	}
	return nil
}

// FinishContactImport implements svcportal.ContactImportStore.
func (s *Store) FinishContactImport(ctx context.Context, id int64, state string, done int, rep *svcportal.ContactImportReport) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	report := ""
	if rep != nil {
		raw, err := json.Marshal(rep)
		if err != nil {
			return err
		}
		report = string(raw)
	}
	now := s.now().UTC()
	_, err = s.w.NewUpdate().TableExpr("contact_imports").
		Set("state = ?, done = ?, report = ?, updated_at = ?, finished_at = ?", state, done, report, now, now).
		Where("id = ? AND tenant_id = ?", id, tid).Exec(ctx)
	if err != nil {
		return fmt.Errorf("finish import %d: %w", id, err)
	}
	return nil
}

// ContactImport implements svcportal.ContactImportStore.
func (s *Store) ContactImport(ctx context.Context, id int64) (*svcportal.ContactImport, error) {
	return s.contactImport(ctx, func(q *bun.SelectQuery) *bun.SelectQuery { return q.Where("contact_import.id = ?", id) })
}

// LatestContactImport implements svcportal.ContactImportStore.
func (s *Store) LatestContactImport(ctx context.Context) (*svcportal.ContactImport, error) {
	return s.contactImport(ctx, func(q *bun.SelectQuery) *bun.SelectQuery { return q.OrderExpr("contact_import.id DESC").Limit(1) })
}

func (s *Store) contactImport(ctx context.Context, pick func(*bun.SelectQuery) *bun.SelectQuery) (*svcportal.ContactImport, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	imp := new(svcportal.ContactImport)
	if err := pick(s.db.NewSelect().Model(imp).ModelTableExpr(contactImportTable).Where("contact_import.tenant_id = ?", tid)).Scan(ctx); err != nil {
		return nil, notFound(err)
	}
	var report string
	if err := s.db.NewSelect().TableExpr("contact_imports").Column("report").Where("id = ?", imp.ID).Scan(ctx, &report); err != nil {
		return nil, fmt.Errorf("import %d report: %w", imp.ID, err)
	}
	if report != "" {
		imp.Report = new(svcportal.ContactImportReport)
		if err := json.Unmarshal([]byte(report), imp.Report); err != nil {
			return nil, fmt.Errorf("import %d report: %w", imp.ID, err)
		}
	}
	return imp, nil
}
