package store

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/svcportal/svcportal"
)

var _ svcportal.EmailChangeStore = (*Store)(nil)

// CreateEmailChange implements svcportal.EmailChangeStore.
func (s *Store) CreateEmailChange(ctx context.Context, ec *svcportal.EmailChange, emails ...*svcportal.OutboundEmail) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	now := s.now().UTC()
	ec.ID, ec.TenantID, ec.CreatedAt, ec.ExpiresAt, ec.UsedAt = 0, tid, now, ec.ExpiresAt.UTC(), time.Time{}
	return s.w.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := contactExists(ctx, tx, tid, ec.ContactID); err != nil {
			return err
		}
		// Only the latest request's link works.
		if _, err := tx.NewDelete().Model((*svcportal.EmailChange)(nil)).
			Where("tenant_id = ? AND contact_id = ? AND used_at IS NULL", tid, ec.ContactID).Exec(ctx); err != nil {
			return fmt.Errorf("void earlier email changes: %w", err)
		}
		if _, err := tx.NewInsert().Model(ec).Exec(ctx); err != nil {
			return fmt.Errorf("insert email change: %w", err)
		}
		return s.insertEmails(ctx, tx, now, emails...)
	})
}

// EmailChangeByToken implements svcportal.EmailChangeStore.
func (s *Store) EmailChangeByToken(ctx context.Context, tokenHash string, now time.Time) (*svcportal.EmailChange, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	ec := new(svcportal.EmailChange)
	err = s.db.NewSelect().Model(ec).
		Where("tenant_id = ? AND token_hash = ? AND used_at IS NULL AND expires_at > ?", tid, tokenHash, now.UTC()).Scan(ctx)
	return ec, notFound(err)
}

// ConfirmEmailChange implements svcportal.EmailChangeStore.
func (s *Store) ConfirmEmailChange(ctx context.Context, tokenHash string, now time.Time) (*svcportal.Contact, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	now = now.UTC()
	var contactID int64
	err = s.w.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		ec := new(svcportal.EmailChange)
		if err := tx.NewSelect().Model(ec).
			Where("tenant_id = ? AND token_hash = ? AND used_at IS NULL AND expires_at > ?", tid, tokenHash, now).
			Scan(ctx); err != nil {
			return notFound(err)
		}
		// The condition repeats "unused", so that of two concurrent uses
		// only one changes a row.
		res, err := tx.NewUpdate().Model((*svcportal.EmailChange)(nil)).Set("used_at = ?", now).
			Where("id = ? AND used_at IS NULL", ec.ID).Exec(ctx)
		if err != nil {
			return fmt.Errorf("use email change: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return svcportal.ErrNotFound()
		}
		if _, err := tx.NewUpdate().Model((*svcportal.Contact)(nil)).
			Set("email = ?, email_verified_at = ?, updated_at = ?", ec.NewEmail, now, now).
			Where("id = ? AND tenant_id = ?", ec.ContactID, tid).Exec(ctx); err != nil {
			if isUniqueViolation(err) {
				return conflict("email", "error.email_change_taken", err)
			}
			return fmt.Errorf("change contact email: %w", err)
		}
		contactID = ec.ContactID
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.Contact(ctx, contactID)
}
