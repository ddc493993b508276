package store

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/svcportal/svcportal"
)

var _ svcportal.ContactIdentityStore = (*Store)(nil)

// ContactIdentity implements svcportal.ContactIdentityStore.
func (s *Store) ContactIdentity(ctx context.Context, key svcportal.IdentityKey) (*svcportal.ContactIdentity, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	id := new(svcportal.ContactIdentity)
	q := s.db.NewSelect().Model(id).ModelTableExpr("contact_identities AS contact_identity").
		Where("tenant_id = ? AND issuer = ?", tid, key.Issuer)
	if key.Entra() {
		q = q.Where("tid = ? AND oid = ?", key.TID, key.OID)
	} else {
		q = q.Where("subject = ?", key.Subject)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, notFound(err)
	}
	return id, nil
}

// LinkIdentity implements svcportal.ContactIdentityStore.
func (s *Store) LinkIdentity(ctx context.Context, l *svcportal.IdentityLink) (*svcportal.Contact, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	var c *svcportal.Contact
	err = s.w.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if l.Create != nil {
			c = l.Create
			if err := s.insertContact(ctx, tx, tid, c); err != nil {
				return err
			}
		} else {
			c = new(svcportal.Contact)
			if err := tx.NewSelect().Model(c).Where("id = ? AND tenant_id = ?", l.ContactID, tid).Scan(ctx); err != nil {
				return notFound(err)
			}
			if err := s.loadMemberships(ctx, tx, c); err != nil {
				return err
			}
		}
		if l.Join != nil && !c.MemberOf(l.Join.SiteID) {
			if err := insertMemberships(ctx, tx, tid, c.ID, []svcportal.Membership{*l.Join}); err != nil {
				return err
			}
			if err := s.loadMemberships(ctx, tx, c); err != nil {
				return err
			}
		}
		id := &l.Identity
		id.TenantID, id.ContactID, id.CreatedAt, id.LastUsedAt = tid, c.ID, now, now
		if _, err := tx.NewInsert().Model(id).ModelTableExpr("contact_identities").Exec(ctx); err != nil {
			if isUniqueViolation(err) {
				return conflict("subject", "error.sso_failed", err)
			}
			return fmt.Errorf("insert contact identity: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// TouchIdentity implements svcportal.ContactIdentityStore.
func (s *Store) TouchIdentity(ctx context.Context, id int64, subject, email string) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	_, err = s.w.NewUpdate().TableExpr("contact_identities").
		Set("subject = ?, email = ?, last_used_at = ?", subject, email, s.now().UTC()).
		Where("id = ? AND tenant_id = ?", id, tid).Exec(ctx)
	if err != nil {
		return fmt.Errorf("touch contact identity %d: %w", id, err)
	}
	return nil
}

// ContactIdentities implements svcportal.ContactIdentityStore.
func (s *Store) ContactIdentities(ctx context.Context, contactID int64) ([]svcportal.ContactIdentity, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	list := []svcportal.ContactIdentity{}
	err = s.db.NewSelect().Model(&list).ModelTableExpr("contact_identities AS contact_identity").
		Where("tenant_id = ? AND contact_id = ?", tid, contactID).Order("created_at", "id").Scan(ctx)
	return list, err
}

// UnlinkIdentity implements svcportal.ContactIdentityStore.
func (s *Store) UnlinkIdentity(ctx context.Context, contactID, id int64, e *svcportal.AuditEntry) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	return s.w.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewDelete().TableExpr("contact_identities").
			Where("id = ? AND tenant_id = ? AND contact_id = ?", id, tid, contactID).Exec(ctx)
		if err != nil {
			return fmt.Errorf("unlink contact identity %d: %w", id, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return svcportal.ErrNotFound()
		}
		// A session opened with the account must not outlive the link.
		if err := deleteSessionsOf(ctx, tx, tid, svcportal.PrincipalContact, contactID, ""); err != nil {
			return err
		}
		if err := tx.NewSelect().Table("contacts").Column("email").Where("id = ? AND tenant_id = ?", contactID, tid).Scan(ctx, &e.Email); err != nil {
			return notFound(err)
		}
		return insertAudit(ctx, tx, tid, s.now(), e)
	})
}
