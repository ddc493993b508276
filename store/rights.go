package store

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/svcportal/svcportal"
)

var _ svcportal.ContactRightsStore = (*Store)(nil)

// ContactExport implements svcportal.ContactRightsStore.
func (s *Store) ContactExport(ctx context.Context, id int64) (*svcportal.ContactExport, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	c, err := s.Contact(ctx, id)
	if err != nil {
		return nil, err
	}
	e := &svcportal.ContactExport{ExportedAt: s.now().UTC(), Profile: c, Memberships: c.Memberships,
		Tickets: []svcportal.ExportedTicket{}, Messages: []svcportal.ExportedMessage{},
		Votes: []svcportal.ExportedVote{}, Audit: []svcportal.AuditEntry{}}
	err = s.db.NewSelect().TableExpr("tickets AS t").
		ColumnExpr("t.number, s.name AS site_name, t.title, t.description, t.status, t.type, t.priority, t.impact").
		ColumnExpr("t.product_family, t.shared_with_site, t.created_at, t.updated_at, t.closed_at").
		ColumnExpr("t.rating_satisfied, t.rating_comment").
		Join("JOIN sites AS s ON s.id = t.site_id").
		Where("t.tenant_id = ? AND t.requester_id = ?", tid, id).OrderExpr("t.number").Scan(ctx, &e.Tickets)
	if err != nil {
		return nil, fmt.Errorf("export tickets of contact %d: %w", id, err)
	}
	err = s.db.NewSelect().TableExpr("ticket_messages AS m").
		ColumnExpr("t.number AS ticket_number, m.body, m.created_at").
		Join("JOIN tickets AS t ON t.id = m.ticket_id").
		Where("m.tenant_id = ? AND m.author_kind = ? AND m.author_id = ?", tid, svcportal.PrincipalContact, id).
		OrderExpr("m.created_at, m.id").Scan(ctx, &e.Messages)
	if err != nil {
		return nil, fmt.Errorf("export messages of contact %d: %w", id, err)
	}
	// kb_votes has no tenant column: the contact is the tenant's, checked above.
	err = s.db.NewSelect().TableExpr("kb_votes").ColumnExpr("article_id, helpful, voted_at").
		Where("contact_id = ?", id).OrderExpr("voted_at, article_id").Scan(ctx, &e.Votes)
	if err != nil {
		return nil, fmt.Errorf("export votes of contact %d: %w", id, err)
	}
	if e.Identities, err = s.ContactIdentities(ctx, id); err != nil {
		return nil, fmt.Errorf("export identities of contact %d: %w", id, err)
	}
	err = s.db.NewSelect().Model(&e.Audit).ModelTableExpr("audit_log AS audit_entry").
		Where("tenant_id = ?", tid).
		Where("(actor_kind = ? AND actor_id = ?) OR email = ?", svcportal.PrincipalContact, id, c.Email).
		Order("at", "id").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("export audit of contact %d: %w", id, err)
	}
	return e, nil
}

// EraseContact implements svcportal.ContactRightsStore.
func (s *Store) EraseContact(ctx context.Context, id int64, e *svcportal.AuditEntry) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	now := s.now().UTC()
	placeholder := svcportal.ErasedEmail(id)
	return s.w.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var email string
		err := tx.NewSelect().Table("contacts").Column("email").Where("id = ? AND tenant_id = ?", id, tid).Scan(ctx, &email)
		if err != nil {
			return notFound(err)
		}
		_, err = tx.NewUpdate().Table("contacts").
			Set("email = ?, first_name = '', last_name = '', job_title = '', phone = '', locale = ''", placeholder).
			Set("password_hash = '', must_change_password = ?, disabled = ?, email_verified_at = NULL", false, true).
			Set("erased_at = ?, updated_at = ?", now, now).
			Where("id = ? AND tenant_id = ?", id, tid).Exec(ctx)
		if err != nil {
			return fmt.Errorf("erase contact %d: %w", id, err)
		}
		if err := eraseTraces(ctx, tx, tid, id, email, placeholder); err != nil {
			return fmt.Errorf("erase contact %d: %w", id, err)
		}
		e.Email = placeholder
		return insertAudit(ctx, tx, tid, now, e)
	})
}

// eraseTraces removes what points to contact id (whose address was
// email) beyond its row, and anonymises what must stay.
func eraseTraces(ctx context.Context, tx bun.IDB, tid, id int64, email, placeholder string) error {
	deletes := []struct{ table, where string }{
		{"contact_sites", "contact_id = ?"},
		{"password_links", "tenant_id = ? AND contact_id = ?"},
		{"reset_codes", "tenant_id = ? AND contact_id = ?"},
		{"email_changes", "tenant_id = ? AND contact_id = ?"},
		{"contact_identities", "tenant_id = ? AND contact_id = ?"},
	}
	for _, d := range deletes {
		args := []any{tid, id}
		if d.table == "contact_sites" {
			args = []any{id}
		}
		if _, err := tx.NewDelete().TableExpr(d.table).Where(d.where, args...).Exec(ctx); err != nil {
			return fmt.Errorf("%s: %w", d.table, err)
		}
	}
	if err := deleteSessionsOf(ctx, tx, tid, svcportal.PrincipalContact, id, ""); err != nil {
		return err
	}
	if _, err := tx.NewDelete().TableExpr("ticket_cc").
		Where("email = ? AND ticket_id IN (SELECT id FROM tickets WHERE tenant_id = ?)", email, tid).Exec(ctx); err != nil {
		return fmt.Errorf("cc lists: %w", err)
	}
	if _, err := tx.NewDelete().TableExpr("outbound_emails").Where("tenant_id = ? AND to_address = ?", tid, email).Exec(ctx); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	updates := []struct {
		q    string
		args []any
	}{
		{"UPDATE ticket_messages SET author_name = '', author_erased = ? WHERE tenant_id = ? AND author_kind = ? AND author_id = ?",
			[]any{true, tid, svcportal.PrincipalContact, id}},
		{"UPDATE ticket_events SET actor_name = '', actor_erased = ? WHERE tenant_id = ? AND actor_kind = ? AND actor_id = ?",
			[]any{true, tid, svcportal.PrincipalContact, id}},
		{"UPDATE audit_log SET email = ?, ip = '' WHERE tenant_id = ? AND ((actor_kind = ? AND actor_id = ?) OR email = ?)",
			[]any{placeholder, tid, svcportal.PrincipalContact, id, email}},
		{"UPDATE inbound_messages SET sender = ? WHERE tenant_id = ? AND sender = ?", []any{placeholder, tid, email}},
	}
	for _, u := range updates {
		if _, err := tx.ExecContext(ctx, u.q, u.args...); err != nil {
			return err
		}
	}
	return nil
}
