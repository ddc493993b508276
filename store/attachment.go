package store

import (
	"context"

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
