package store

import (
	"context"
	"reflect"

	"github.com/svcportal/svcportal"
)

// Attachments: the files of tickets (of the description or of a message)
// and of knowledge-base articles, one table for both.

var _ svcportal.AttachmentStore = (*Store)(nil)

// Attachment implements svcportal.AttachmentStore.
func (s *Store) Attachment(ctx context.Context, id int64) (*svcportal.Attachment, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	a := new(svcportal.Attachment)
	if err := s.db.NewSelect().Model(a).Where("id = ? AND tenant_id = ?", id, tid).Scan(ctx); err != nil {
		return nil, notFound(err)
	}
	if a.MessageID != 0 {
		n, err := s.db.NewSelect().Model((*svcportal.TicketMessage)(nil)).Where("id = ? AND internal = ?", a.MessageID, true).Count(ctx)
		if err != nil {
			return nil, err
		}
		a.Internal = n > 0
	}
	return a, nil
}

// TicketAttachments implements svcportal.AttachmentStore.
func (s *Store) TicketAttachments(ctx context.Context, ticketID int64) ([]svcportal.Attachment, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	as := []svcportal.Attachment{}
	p := s.params()
	q := s.db.NewSelect().Model(&as).ColumnExpr(s.modelColumns(reflect.TypeFor[svcportal.Attachment](), "attachment")).
		Where("tenant_id = ? AND ticket_id = ?", p.v(tid), p.v(ticketID)).Order("id")
	if err := scanBound(ctx, s.db, q.String(), p, &as); err != nil {
		return nil, err
	}
	if len(as) == 0 {
		return as, nil
	}
	var internal []int64
	p = s.params()
	q = s.db.NewSelect().Model((*svcportal.TicketMessage)(nil)).Column("id").Where("ticket_id = ? AND internal = ?", p.v(ticketID), true)
	if err := scanBound(ctx, s.db, q.String(), p, &internal); err != nil {
		return nil, err
	}
	for i := range as {
		for _, id := range internal {
			if as[i].MessageID == id {
				as[i].Internal = true
			}
		}
	}
	return as, nil
}

// AddArticleAttachment implements svcportal.AttachmentStore.
func (s *Store) AddArticleAttachment(ctx context.Context, articleID int64, a *svcportal.Attachment) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	n, err := s.db.NewSelect().TableExpr("kb_articles").Where("id = ? AND tenant_id = ?", articleID, tid).Count(ctx)
	if err != nil {
		return err
	}
	if n == 0 {
		return svcportal.ErrNotFound()
	}
	a.ID, a.TenantID, a.TicketID, a.ArticleID, a.MessageID, a.CreatedAt = 0, tid, 0, articleID, 0, s.now().UTC()
	_, err = s.w.NewInsert().Model(a).Exec(ctx)
	return err
}

// ArticleAttachments implements svcportal.AttachmentStore.
func (s *Store) ArticleAttachments(ctx context.Context, articleID int64) ([]svcportal.Attachment, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	as := []svcportal.Attachment{}
	return as, s.db.NewSelect().Model(&as).Where("tenant_id = ? AND article_id = ?", tid, articleID).Order("id").Scan(ctx)
}

// DeleteArticleAttachment implements svcportal.AttachmentStore.
func (s *Store) DeleteArticleAttachment(ctx context.Context, articleID, id int64) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	res, err := s.w.NewDelete().Model((*svcportal.Attachment)(nil)).
		Where("id = ? AND tenant_id = ? AND article_id = ?", id, tid, articleID).Exec(ctx)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return svcportal.ErrNotFound()
	}
	return nil
}
