package store

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/svcportal/svcportal"
)

var _ svcportal.CredentialStore = (*Store)(nil)

// CreateResetCode implements svcportal.CredentialStore.
func (s *Store) CreateResetCode(ctx context.Context, rc *svcportal.ResetCode, email *svcportal.OutboundEmail) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	now := s.now().UTC()
	rc.ID, rc.TenantID, rc.CreatedAt, rc.ExpiresAt, rc.UsedAt = 0, tid, now, rc.ExpiresAt.UTC(), time.Time{}
	return s.w.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		// The same statements with and without an account, so the two
		// answers cost the same.
		old := tx.NewDelete().Model((*svcportal.ResetCode)(nil)).Where("tenant_id = ?", tid)
		if rc.ContactID != 0 {
			if err := contactExists(ctx, tx, tid, rc.ContactID); err != nil {
				return err
			}
			// A newer request replaces the older codes: only the latest works.
			old = old.Where("contact_id = ?", rc.ContactID)
		} else {
			if err := contactExists(ctx, tx, tid, 0); svcportal.KindOf(err) != svcportal.KindNotFound {
				return fmt.Errorf("reset code without a contact: %v", err)
			}
			old = old.Where("contact_id IS NULL AND expires_at <= ?", now)
		}
		if _, err := old.Exec(ctx); err != nil {
			return fmt.Errorf("delete old reset codes: %w", err)
		}
		if _, err := tx.NewInsert().Model(rc).Exec(ctx); err != nil {
			return fmt.Errorf("insert reset code: %w", err)
		}
		return s.insertEmails(ctx, tx, now, email)
	})
}

// ClaimResetAttempt implements svcportal.CredentialStore.
func (s *Store) ClaimResetAttempt(ctx context.Context, contactID int64, now time.Time) (*svcportal.ResetCode, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	rc := new(svcportal.ResetCode)
	err = s.w.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := tx.NewSelect().Model(rc).
			Where("tenant_id = ? AND contact_id = ?", tid, contactID).
			Where("used_at IS NULL AND expires_at > ? AND attempts < ?", now.UTC(), svcportal.ResetCodeMaxAttempts).
			OrderExpr("id DESC").Limit(1).Scan(ctx); err != nil {
			return notFound(err)
		}
		// The condition repeats the limit so that, on PostgreSQL, a
		// concurrent claim that got there first makes this one fail.
		res, err := tx.NewUpdate().Model((*svcportal.ResetCode)(nil)).Set("attempts = attempts + 1").
			Where("id = ? AND attempts < ?", rc.ID, svcportal.ResetCodeMaxAttempts).Exec(ctx)
		if err != nil {
			return fmt.Errorf("count reset attempt: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return svcportal.ErrNotFound()
		}
		rc.Attempts++
		return nil
	})
	if err != nil {
		return nil, err
	}
	return rc, nil
}

// ResetPassword implements svcportal.CredentialStore.
func (s *Store) ResetPassword(ctx context.Context, codeID, contactID int64, hash string) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	now := s.now().UTC()
	return s.w.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*svcportal.ResetCode)(nil)).Set("used_at = ?", now).
			Where("id = ? AND tenant_id = ? AND contact_id = ?", codeID, tid, contactID).
			Where("used_at IS NULL AND expires_at > ?", now).Exec(ctx)
		if err != nil {
			return fmt.Errorf("use reset code: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return svcportal.ErrNotFound()
		}
		return s.setContactPassword(ctx, tx, tid, contactID, hash, now)
	})
}

// CreatePasswordLink implements svcportal.CredentialStore.
func (s *Store) CreatePasswordLink(ctx context.Context, l *svcportal.PasswordLink, email *svcportal.OutboundEmail) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	return s.w.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := contactExists(ctx, tx, tid, l.ContactID); err != nil {
			return err
		}
		return s.insertPasswordLink(ctx, tx, tid, l, email)
	})
}

// CreateContactWithLink implements svcportal.CredentialStore.
func (s *Store) CreateContactWithLink(ctx context.Context, c *svcportal.Contact, l *svcportal.PasswordLink, email *svcportal.OutboundEmail) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	return s.w.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := s.insertContact(ctx, tx, tid, c); err != nil {
			return err
		}
		l.ContactID = c.ID
		return s.insertPasswordLink(ctx, tx, tid, l, email)
	})
}

// insertPasswordLink voids the contact's unused links, then inserts l and
// its email.
func (s *Store) insertPasswordLink(ctx context.Context, tx bun.IDB, tid int64, l *svcportal.PasswordLink, email *svcportal.OutboundEmail) error {
	now := s.now().UTC()
	if _, err := tx.NewUpdate().Model((*svcportal.PasswordLink)(nil)).Set("used_at = ?", now).
		Where("tenant_id = ? AND contact_id = ? AND used_at IS NULL", tid, l.ContactID).Exec(ctx); err != nil {
		return fmt.Errorf("void old password links: %w", err)
	}
	if l.TokenHash == "" { // no link: only the email (svcportal.PasswordLink)
		return s.insertEmails(ctx, tx, now, email)
	}
	l.ID, l.TenantID, l.CreatedAt, l.ExpiresAt, l.UsedAt = 0, tid, now, l.ExpiresAt.UTC(), time.Time{}
	if _, err := tx.NewInsert().Model(l).Exec(ctx); err != nil {
		return fmt.Errorf("insert password link: %w", err)
	}
	return s.insertEmails(ctx, tx, now, email)
}

// PasswordLink implements svcportal.CredentialStore.
func (s *Store) PasswordLink(ctx context.Context, tokenHash string, now time.Time) (*svcportal.PasswordLink, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	l := new(svcportal.PasswordLink)
	err = s.db.NewSelect().Model(l).
		Where("tenant_id = ? AND token_hash = ? AND used_at IS NULL AND expires_at > ?", tid, tokenHash, now.UTC()).
		Scan(ctx)
	if err != nil {
		return nil, notFound(err)
	}
	return l, nil
}

// UsePasswordLink implements svcportal.CredentialStore.
func (s *Store) UsePasswordLink(ctx context.Context, id int64, hash string) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	now := s.now().UTC()
	return s.w.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		l := new(svcportal.PasswordLink)
		if err := tx.NewSelect().Model(l).Where("id = ? AND tenant_id = ?", id, tid).Scan(ctx); err != nil {
			return notFound(err)
		}
		res, err := tx.NewUpdate().Model((*svcportal.PasswordLink)(nil)).Set("used_at = ?", now).
			Where("id = ? AND used_at IS NULL AND expires_at > ?", id, now).Exec(ctx)
		if err != nil {
			return fmt.Errorf("use password link: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return svcportal.ErrNotFound()
		}
		return s.setContactPassword(ctx, tx, tid, l.ContactID, hash, now)
	})
}

// setContactPassword stores a contact's new password after a reset code
// or a link proved who they are: it voids their remaining codes and links
// (one proof, one use) and ends every session of theirs.
func (s *Store) setContactPassword(ctx context.Context, tx bun.IDB, tid, contactID int64, hash string, now time.Time) error {
	if _, err := tx.NewUpdate().Model((*svcportal.ResetCode)(nil)).Set("used_at = ?", now).
		Where("tenant_id = ? AND contact_id = ? AND used_at IS NULL", tid, contactID).Exec(ctx); err != nil {
		return fmt.Errorf("void reset codes: %w", err)
	}
	if _, err := tx.NewUpdate().Model((*svcportal.PasswordLink)(nil)).Set("used_at = ?", now).
		Where("tenant_id = ? AND contact_id = ? AND used_at IS NULL", tid, contactID).Exec(ctx); err != nil {
		return fmt.Errorf("void password links: %w", err)
	}
	// The code or link reached the contact's address: it is verified.
	if _, err := tx.NewUpdate().Model((*svcportal.Contact)(nil)).Set("email_verified_at = COALESCE(email_verified_at, ?)", now).
		Where("id = ? AND tenant_id = ?", contactID, tid).Exec(ctx); err != nil {
		return fmt.Errorf("verify email: %w", err)
	}
	return setPassword(ctx, tx, tid, svcportal.PrincipalContact, contactID, hash, "", now)
}

// contactExists is nil when the contact is the tenant's, else KindNotFound.
func contactExists(ctx context.Context, db bun.IDB, tid, contactID int64) error {
	n, err := db.NewSelect().Model((*svcportal.Contact)(nil)).Where("id = ? AND tenant_id = ?", contactID, tid).Count(ctx)
	if err != nil {
		return err
	}
	if n == 0 {
		return svcportal.ErrNotFound()
	}
	return nil
}
