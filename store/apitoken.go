package store

import (
	"context"
	"time"

	"github.com/svcportal/svcportal"
)

var _ svcportal.APITokenStore = (*Store)(nil)

// CreateAPIToken implements svcportal.APITokenStore.
func (s *Store) CreateAPIToken(ctx context.Context, t *svcportal.APIToken) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	n, err := s.db.NewSelect().Model((*svcportal.Staff)(nil)).ModelTableExpr(staffTable).
		Where("id = ? AND tenant_id = ?", t.StaffID, tid).Count(ctx)
	if err != nil {
		return err
	}
	if n == 0 {
		return svcportal.ErrNotFound()
	}
	t.TenantID, t.CreatedAt = tid, s.now().UTC()
	_, err = s.w.NewInsert().Model(t).Exec(ctx)
	return err
}

// APITokenByHash implements svcportal.APITokenStore.
func (s *Store) APITokenByHash(ctx context.Context, hash string) (*svcportal.APIToken, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	t := new(svcportal.APIToken)
	err = s.db.NewSelect().Model(t).Where("token_hash = ? AND tenant_id = ?", hash, tid).Scan(ctx)
	return t, notFound(err)
}

// TouchAPIToken implements svcportal.APITokenStore.
func (s *Store) TouchAPIToken(ctx context.Context, id int64, at time.Time) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	_, err = s.w.NewUpdate().Model((*svcportal.APIToken)(nil)).Set("last_used_at = ?", at.UTC()).
		Where("id = ? AND tenant_id = ?", id, tid).Exec(ctx)
	return err
}

// APITokens implements svcportal.APITokenStore.
func (s *Store) APITokens(ctx context.Context) ([]svcportal.APIToken, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	tokens := []svcportal.APIToken{}
	err = s.db.NewSelect().Model(&tokens).Where("tenant_id = ?", tid).OrderExpr("created_at DESC, id DESC").Scan(ctx)
	return tokens, err
}

// RevokeAPIToken implements svcportal.APITokenStore.
func (s *Store) RevokeAPIToken(ctx context.Context, id int64, at time.Time) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	res, err := s.w.NewUpdate().Model((*svcportal.APIToken)(nil)).
		Set("revoked_at = COALESCE(revoked_at, ?)", at.UTC()).
		Where("id = ? AND tenant_id = ?", id, tid).Exec(ctx)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return svcportal.ErrNotFound()
	}
	return nil
}
