package store

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/svcportal/svcportal"
)

var _ svcportal.TenantVersions = (*Store)(nil)

// TenantCacheVersion implements svcportal.TenantVersions: one primary-key
// read. Triggers move the version (migrations 0082), so no write path of
// the store has to remember it. On SQLite the read is skipped while no
// transaction was committed since the last one (walstamp.go): the
// wal-index is read before the version, so the version is at least as
// new as the commits it is kept with.
func (s *Store) TenantCacheVersion(ctx context.Context, tenantID int64) (int64, error) {
	var (
		stamp walStamp
		seen  bool
	)
	if s.wal != nil {
		if stamp, seen = s.wal.stamp(); seen {
			if m, ok := s.versions.Load(tenantID); ok && m.(versionMemo).stamp == stamp {
				return m.(versionMemo).version, nil
			}
		}
	}
	var v int64
	p := s.params()
	q := s.db.NewSelect().TableExpr("tenant_cache_versions").Column("version").Where("tenant_id = ?", p.v(tenantID))
	if err := scanBound(ctx, s.db, q.String(), p, &v); err != nil {
		return 0, notFound(err)
	}
	if seen {
		s.versions.Store(tenantID, versionMemo{stamp: stamp, version: v})
	}
	return v, nil
}

// versionMemo is a tenant's cache version as read after the commits of
// stamp.
type versionMemo struct {
	stamp   walStamp
	version int64
}

// AddQueryHook adds a bun query hook to every handle of the store (the
// readers and the writer): tracing, and tests that count queries.
func (s *Store) AddQueryHook(h bun.QueryHook) {
	for _, db := range s.handles() {
		db.AddQueryHook(h)
	}
}
