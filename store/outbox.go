package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/svcportal/svcportal"
)

var _ svcportal.OutboxStore = (*Store)(nil)

// insertEmails writes emails as pending messages of the context tenant, due
// at now, through db. Store methods whose change causes an email call it
// inside their own transaction, so the message exists exactly when the
// change does.
func (s *Store) insertEmails(ctx context.Context, db bun.IDB, now time.Time, emails ...*svcportal.OutboundEmail) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	now = now.UTC()
	sl := s.seal
	for _, e := range emails {
		if err := e.Validate(); err != nil {
			return err
		}
		e.ID, e.TenantID, e.Status, e.Attempts = 0, tid, svcportal.EmailPending, 0
		e.MessageID = newMessageID()
		e.NextAttemptAt, e.CreatedAt = now, now
		e.LeaseUntil, e.SentAt, e.LastError = time.Time{}, time.Time{}, ""
		// The bodies carry reset codes and set-password links: they are
		// stored sealed, and the caller keeps its plain copy.
		row := *e
		row.TextBody, row.HTMLBody = sl.Seal(e.TextBody, bodyAAD(e, "text")), sl.Seal(e.HTMLBody, bodyAAD(e, "html"))
		if err := s.insertRow(ctx, db, &row); err != nil {
			return fmt.Errorf("insert %s email: %w", e.Kind, err)
		}
		e.ID = row.ID
	}
	return nil
}

// bodyAAD binds a sealed body to its message and part.
func bodyAAD(e *svcportal.OutboundEmail, part string) string {
	return fmt.Sprintf("outbox\x00%d\x00%s\x00%s", e.TenantID, e.MessageID, part)
}

// openBodies unseals the bodies of e in place.
func (s *Store) openBodies(e *svcportal.OutboundEmail) error {
	text, err := s.seal.Open(e.TextBody, bodyAAD(e, "text"))
	if err != nil {
		return err
	}
	html, err := s.seal.Open(e.HTMLBody, bodyAAD(e, "html"))
	if err != nil {
		return err
	}
	e.TextBody, e.HTMLBody = text, html
	return nil
}

// newMessageID returns a random Message-ID local part for an outbox row.
func newMessageID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("store: no randomness: %v", err)) // the OS is broken
	}
	return "outbox." + hex.EncodeToString(b)
}

// EnqueueEmail implements svcportal.OutboxStore.
func (s *Store) EnqueueEmail(ctx context.Context, e *svcportal.OutboundEmail) error {
	return s.w.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		return s.insertEmails(ctx, tx, s.now(), e)
	})
}

// ClaimDueEmails implements svcportal.OutboxStore. On PostgreSQL the rows
// are chosen with FOR UPDATE SKIP LOCKED, so concurrent claimers take
// different rows without waiting; on SQLite the immediate transaction holds
// the write lock, so claims run one after the other and each sees the
// leases of the previous ones.
func (s *Store) ClaimDueEmails(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]svcportal.OutboundEmail, error) {
	if limit <= 0 {
		return []svcportal.OutboundEmail{}, nil
	}
	now = now.UTC()
	claimed := []svcportal.OutboundEmail{}
	err := s.w.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		claimed = claimed[:0]
		var ids []int64
		q := tx.NewSelect().Model((*svcportal.OutboundEmail)(nil)).Column("id").
			Where("status = ?", svcportal.EmailPending).
			Where("next_attempt_at <= ?", now).
			Where("(lease_until IS NULL OR lease_until <= ?)", now).
			// A disabled tenant's mail waits until it is enabled again.
			Where("tenant_id NOT IN (SELECT id FROM tenants WHERE disabled_at IS NOT NULL)").
			Order("next_attempt_at", "id").
			Limit(int64(limit))
		if s.dialect == Postgres {
			q = q.For("UPDATE SKIP LOCKED")
		}
		if err := q.Scan(ctx, &ids); err != nil {
			return fmt.Errorf("select due emails: %w", err)
		}
		if len(ids) == 0 {
			return nil
		}
		if _, err := tx.NewUpdate().Model((*svcportal.OutboundEmail)(nil)).
			Set("lease_until = ?", now.Add(lease)).
			Set("attempts = attempts + 1").
			Where("id IN (?)", bun.In(ids)).
			Exec(ctx); err != nil {
			return fmt.Errorf("lease due emails: %w", err)
		}
		if err := tx.NewSelect().Model(&claimed).Where("id IN (?)", bun.In(ids)).
			Order("next_attempt_at", "id").Scan(ctx); err != nil {
			return err
		}
		// A body that does not open (the server key changed) can never be
		// sent: the message fails now rather than at every claim.
		open := claimed[:0]
		for _, e := range claimed {
			if err := s.openBodies(&e); err != nil {
				if _, err := tx.NewUpdate().Model((*svcportal.OutboundEmail)(nil)).
					Set("status = ?, last_error = ?, lease_until = NULL, text_body = '', html_body = ''", svcportal.EmailFailed, err.Error()).
					Where("id = ?", e.ID).Exec(ctx); err != nil {
					return err
				}
				continue
			}
			open = append(open, e)
		}
		claimed = open
		return nil
	})
	if err != nil {
		return nil, err
	}
	return claimed, nil
}

// MarkEmailSent implements svcportal.OutboxStore.
func (s *Store) MarkEmailSent(ctx context.Context, id int64, at time.Time) error {
	return s.markEmail(ctx, id, func(q *bun.UpdateQuery) *bun.UpdateQuery {
		return q.Set("status = ?", svcportal.EmailSent).Set("sent_at = ?", at.UTC()).Set("last_error = ''").
			Set("text_body = '', html_body = ''")
	})
}

// MarkEmailRetry implements svcportal.OutboxStore.
func (s *Store) MarkEmailRetry(ctx context.Context, id int64, errText string, next time.Time) error {
	return s.markEmail(ctx, id, func(q *bun.UpdateQuery) *bun.UpdateQuery {
		return q.Set("last_error = ?", errText).Set("next_attempt_at = ?", next.UTC())
	})
}

// MarkEmailFailed implements svcportal.OutboxStore.
func (s *Store) MarkEmailFailed(ctx context.Context, id int64, errText string) error {
	return s.markEmail(ctx, id, func(q *bun.UpdateQuery) *bun.UpdateQuery {
		return q.Set("status = ?", svcportal.EmailFailed).Set("last_error = ?", errText).
			Set("text_body = '', html_body = ''")
	})
}

// markEmail applies set to a pending message and releases its lease.
func (s *Store) markEmail(ctx context.Context, id int64, set func(*bun.UpdateQuery) *bun.UpdateQuery) error {
	q := s.w.NewUpdate().Model((*svcportal.OutboundEmail)(nil)).
		Set("lease_until = NULL").
		Where("id = ? AND status = ?", id, svcportal.EmailPending)
	res, err := set(q).Exec(ctx)
	if err != nil {
		return fmt.Errorf("update email %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return svcportal.ErrNotFound()
	}
	return nil
}

// Emails implements svcportal.OutboxStore.
func (s *Store) Emails(ctx context.Context, f svcportal.EmailFilter) ([]svcportal.OutboundEmail, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	emails := []svcportal.OutboundEmail{}
	q := s.db.NewSelect().Model(&emails).Where("tenant_id = ?", tid)
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.Kind != "" {
		q = q.Where("kind = ?", f.Kind)
	}
	if f.ToAddress != "" {
		q = q.Where("to_address = ?", f.ToAddress)
	}
	if err := q.OrderExpr("created_at DESC, id DESC").Limit(int64(f.Limit)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("list emails: %w", err)
	}
	for i := range emails {
		if err := s.openBodies(&emails[i]); err != nil {
			emails[i].TextBody, emails[i].HTMLBody = "", ""
		}
	}
	return emails, nil
}
