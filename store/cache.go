package store

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/svcportal/svcportal"
)

var _ svcportal.TenantVersions = (*Store)(nil)

// TenantCacheVersion implements svcportal.TenantVersions: one primary-key
// read. Triggers move the version (migrations 0082), so no write path of
// the store has to remember it.
func (s *Store) TenantCacheVersion(ctx context.Context, tenantID int64) (int64, error) {
	var v int64
	p := s.params()
	q := s.db.NewSelect().TableExpr("tenant_cache_versions").Column("version").Where("tenant_id = ?", p.v(tenantID))
	return v, notFound(scanBound(ctx, s.db, q.String(), p, &v))
}

// AddQueryHook adds a bun query hook to every handle of the store (the
// readers and the writer): tracing, and tests that count queries.
func (s *Store) AddQueryHook(h bun.QueryHook) {
	for _, db := range s.handles() {
		db.AddQueryHook(h)
	}
}
