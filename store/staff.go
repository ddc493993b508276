package store

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/svcportal/svcportal"
)

var _ svcportal.StaffStore = (*Store)(nil)

// staffTable is named explicitly: bun would pluralise Staff to "staffs".
const staffTable = "staff AS staff"

// CreateStaff implements svcportal.StaffStore.
func (s *Store) CreateStaff(ctx context.Context, st *svcportal.Staff) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	st.TenantID = tid
	return insertStaff(ctx, s.w, st, s.now().UTC())
}

func insertStaff(ctx context.Context, db bun.IDB, st *svcportal.Staff, now time.Time) error {
	st.CreatedAt, st.UpdatedAt = now, now
	if _, err := db.NewInsert().Model(st).ModelTableExpr("staff").Exec(ctx); err != nil {
		if isUniqueViolation(err) {
			return conflict("email", "error.email_taken", err)
		}
		return fmt.Errorf("insert staff: %w", err)
	}
	return nil
}

// StaffByEmail implements svcportal.StaffStore.
func (s *Store) StaffByEmail(ctx context.Context, email string) (*svcportal.Staff, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	st := new(svcportal.Staff)
	err = s.db.NewSelect().Model(st).ModelTableExpr(staffTable).
		Where("tenant_id = ? AND email = ?", tid, svcportal.NormalizeEmail(email)).Scan(ctx)
	return st, notFound(err)
}

// StaffMember implements svcportal.StaffStore.
func (s *Store) StaffMember(ctx context.Context, id int64) (*svcportal.Staff, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	st := new(svcportal.Staff)
	err = s.db.NewSelect().Model(st).ModelTableExpr(staffTable).
		Where("tenant_id = ? AND id = ?", tid, id).Scan(ctx)
	return st, notFound(err)
}

// ListStaff implements svcportal.StaffStore.
func (s *Store) ListStaff(ctx context.Context) ([]svcportal.Staff, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	var list []svcportal.Staff
	err = s.db.NewSelect().Model(&list).ModelTableExpr(staffTable).Where("tenant_id = ?", tid).
		OrderExpr("CASE role WHEN ? THEN 0 ELSE 1 END, email", svcportal.StaffAdmin).Scan(ctx)
	return list, err
}

// UpdateStaff implements svcportal.StaffStore.
func (s *Store) UpdateStaff(ctx context.Context, st *svcportal.Staff) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	st.UpdatedAt = s.now().UTC()
	return s.w.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model(st).ModelTableExpr("staff").
			Column("name", "role", "locale", "disabled", "must_change_password", "mute_ticket_emails", "updated_at").
			Where("id = ? AND tenant_id = ?", st.ID, tid).Exec(ctx)
		if err != nil {
			return fmt.Errorf("update staff %d: %w", st.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return svcportal.ErrNotFound()
		}
		if st.Disabled {
			return deleteSessionsOf(ctx, tx, tid, svcportal.PrincipalStaff, st.ID, "")
		}
		return nil
	})
}
