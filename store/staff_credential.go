package store

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/svcportal/svcportal"
)

var _ svcportal.StaffCredentialStore = (*Store)(nil)

// staffResetCode and staffPasswordLink are the staff twins of
// svcportal.ResetCode and svcportal.PasswordLink: their rows point at
// staff, whom the contacts' tables cannot reference.
type staffResetCode struct {
	bun.BaseModel `bun:"table:staff_reset_codes"`
	ID            int64     `bun:"id,pk,autoincrement"`
	TenantID      int64     `bun:"tenant_id,notnull"`
	StaffID       int64     `bun:"staff_id,nullzero"` // 0 (NULL): a request for no active staff member
	CodeHash      string    `bun:"code_hash,notnull"`
	Attempts      int       `bun:"attempts,notnull"`
	CreatedAt     time.Time `bun:"created_at,notnull"`
	ExpiresAt     time.Time `bun:"expires_at,notnull"`
	UsedAt        time.Time `bun:"used_at,nullzero"`
}

type staffPasswordLink struct {
	bun.BaseModel `bun:"table:staff_password_links"`
	ID            int64     `bun:"id,pk,autoincrement"`
	TenantID      int64     `bun:"tenant_id,notnull"`
	StaffID       int64     `bun:"staff_id,nullzero"` // 0 (NULL): a request for no active staff member
	TokenHash     string    `bun:"token_hash,notnull"`
	CreatedAt     time.Time `bun:"created_at,notnull"`
	ExpiresAt     time.Time `bun:"expires_at,notnull"`
	UsedAt        time.Time `bun:"used_at,nullzero"`
}

// staffExists is nil when the staff member is the tenant's, else KindNotFound.
func staffExists(ctx context.Context, db bun.IDB, tid, staffID int64) error {
	n, err := db.NewSelect().TableExpr("staff").Where("id = ? AND tenant_id = ?", staffID, tid).Count(ctx)
	if err != nil {
		return err
	}
	if n == 0 {
		return svcportal.ErrNotFound()
	}
	return nil
}

// CreateStaffResetCode implements svcportal.StaffCredentialStore.
func (s *Store) CreateStaffResetCode(ctx context.Context, staffID int64, codeHash string, expires time.Time, email *svcportal.OutboundEmail) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	now := s.now().UTC()
	rc := &staffResetCode{TenantID: tid, StaffID: staffID, CodeHash: codeHash, CreatedAt: now, ExpiresAt: expires.UTC()}
	return s.w.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		// The same statements with and without a staff member, so the two
		// answers cost the same (see accounts.requestReset).
		old := tx.NewDelete().Model((*staffResetCode)(nil)).Where("tenant_id = ?", tid)
		if staffID != 0 {
			if err := staffExists(ctx, tx, tid, staffID); err != nil {
				return err
			}
			// A newer request replaces the older codes: only the latest works.
			old = old.Where("staff_id = ?", staffID)
		} else {
			if err := staffExists(ctx, tx, tid, 0); svcportal.KindOf(err) != svcportal.KindNotFound {
				return fmt.Errorf("staff reset code without a staff member: %v", err)
			}
			old = old.Where("staff_id IS NULL AND expires_at <= ?", now)
		}
		if _, err := old.Exec(ctx); err != nil {
			return fmt.Errorf("delete old staff reset codes: %w", err)
		}
		if _, err := tx.NewInsert().Model(rc).Exec(ctx); err != nil {
			return fmt.Errorf("insert staff reset code: %w", err)
		}
		return s.insertEmails(ctx, tx, now, email)
	})
}

// ClaimStaffResetAttempt implements svcportal.StaffCredentialStore.
func (s *Store) ClaimStaffResetAttempt(ctx context.Context, staffID int64, now time.Time) (int64, string, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return 0, "", err
	}
	rc := new(staffResetCode)
	err = s.w.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := tx.NewSelect().Model(rc).
			Where("tenant_id = ? AND staff_id = ?", tid, staffID).
			Where("used_at IS NULL AND expires_at > ? AND attempts < ?", now.UTC(), svcportal.ResetCodeMaxAttempts).
			OrderExpr("id DESC").Limit(1).Scan(ctx); err != nil {
			return notFound(err)
		}
		// The limit is repeated so that a concurrent claim that got there
		// first makes this one fail (as for contacts' codes).
		res, err := tx.NewUpdate().Model((*staffResetCode)(nil)).Set("attempts = attempts + 1").
			Where("id = ? AND attempts < ?", rc.ID, svcportal.ResetCodeMaxAttempts).Exec(ctx)
		if err != nil {
			return fmt.Errorf("count staff reset attempt: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return svcportal.ErrNotFound()
		}
		return nil
	})
	if err != nil {
		return 0, "", err
	}
	return rc.ID, rc.CodeHash, nil
}

// ResetStaffPassword implements svcportal.StaffCredentialStore.
func (s *Store) ResetStaffPassword(ctx context.Context, codeID, staffID int64, hash string) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	now := s.now().UTC()
	return s.w.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*staffResetCode)(nil)).Set("used_at = ?", now).
			Where("id = ? AND tenant_id = ? AND staff_id = ?", codeID, tid, staffID).
			Where("used_at IS NULL AND expires_at > ?", now).Exec(ctx)
		if err != nil {
			return fmt.Errorf("use staff reset code: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return svcportal.ErrNotFound()
		}
		return setStaffPassword(ctx, tx, tid, staffID, hash, now)
	})
}

// CreateStaffWithLink implements svcportal.StaffCredentialStore.
func (s *Store) CreateStaffWithLink(ctx context.Context, st *svcportal.Staff, tokenHash string, expires time.Time, email *svcportal.OutboundEmail) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	now := s.now().UTC()
	st.TenantID = tid
	return s.w.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := insertStaff(ctx, tx, st, now); err != nil {
			return err
		}
		l := &staffPasswordLink{TenantID: tid, StaffID: st.ID, TokenHash: tokenHash, CreatedAt: now, ExpiresAt: expires.UTC()}
		if _, err := tx.NewInsert().Model(l).Exec(ctx); err != nil {
			return fmt.Errorf("insert staff password link: %w", err)
		}
		return s.insertEmails(ctx, tx, now, email)
	})
}

// RenewStaffPasswordLink implements svcportal.StaffCredentialStore.
func (s *Store) RenewStaffPasswordLink(ctx context.Context, staffID int64, check func(*svcportal.Staff) error, tokenHash string, expires time.Time, email *svcportal.OutboundEmail) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	now := s.now().UTC()
	return s.w.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		m := new(svcportal.Staff)
		q := tx.NewSelect().Model(m).ModelTableExpr(staffTable).Where("id = ? AND tenant_id = ?", staffID, tid)
		if s.dialect == Postgres {
			q = q.For("UPDATE") // a password set meanwhile waits for this link, and voids it
		}
		if err := q.Scan(ctx); err != nil {
			return notFound(err)
		}
		if err := check(m); err != nil {
			return err
		}
		if _, err := tx.NewUpdate().Model((*staffPasswordLink)(nil)).Set("used_at = ?", now).
			Where("tenant_id = ? AND staff_id = ? AND used_at IS NULL", tid, staffID).Exec(ctx); err != nil {
			return fmt.Errorf("void staff password links: %w", err)
		}
		l := &staffPasswordLink{TenantID: tid, StaffID: staffID, TokenHash: tokenHash, CreatedAt: now, ExpiresAt: expires.UTC()}
		if _, err := tx.NewInsert().Model(l).Exec(ctx); err != nil {
			return fmt.Errorf("insert staff password link: %w", err)
		}
		return s.insertEmails(ctx, tx, now, email)
	})
}

// StaffPasswordLink implements svcportal.StaffCredentialStore.
func (s *Store) StaffPasswordLink(ctx context.Context, tokenHash string, now time.Time) (int64, int64, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return 0, 0, err
	}
	l := new(staffPasswordLink)
	err = s.db.NewSelect().Model(l).
		Where("tenant_id = ? AND token_hash = ? AND used_at IS NULL AND expires_at > ?", tid, tokenHash, now.UTC()).
		Scan(ctx)
	if err != nil {
		return 0, 0, notFound(err)
	}
	return l.ID, l.StaffID, nil
}

// UseStaffPasswordLink implements svcportal.StaffCredentialStore.
func (s *Store) UseStaffPasswordLink(ctx context.Context, id int64, hash string) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	now := s.now().UTC()
	return s.w.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		l := new(staffPasswordLink)
		if err := tx.NewSelect().Model(l).Where("id = ? AND tenant_id = ?", id, tid).Scan(ctx); err != nil {
			return notFound(err)
		}
		res, err := tx.NewUpdate().Model((*staffPasswordLink)(nil)).Set("used_at = ?", now).
			Where("id = ? AND used_at IS NULL AND expires_at > ?", id, now).Exec(ctx)
		if err != nil {
			return fmt.Errorf("use staff password link: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return svcportal.ErrNotFound()
		}
		return setStaffPassword(ctx, tx, tid, l.StaffID, hash, now)
	})
}

// setStaffPassword stores a staff member's new password after a code or a
// link proved who they are: their remaining codes and links are voided and
// every session of theirs ends.
func setStaffPassword(ctx context.Context, tx bun.IDB, tid, staffID int64, hash string, now time.Time) error {
	if _, err := tx.NewUpdate().Model((*staffResetCode)(nil)).Set("used_at = ?", now).
		Where("tenant_id = ? AND staff_id = ? AND used_at IS NULL", tid, staffID).Exec(ctx); err != nil {
		return fmt.Errorf("void staff reset codes: %w", err)
	}
	if _, err := tx.NewUpdate().Model((*staffPasswordLink)(nil)).Set("used_at = ?", now).
		Where("tenant_id = ? AND staff_id = ? AND used_at IS NULL", tid, staffID).Exec(ctx); err != nil {
		return fmt.Errorf("void staff password links: %w", err)
	}
	return setPassword(ctx, tx, tid, svcportal.PrincipalStaff, staffID, hash, "", now)
}
