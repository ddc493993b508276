package store

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/svcportal/svcportal"
)

// searchChange is a row of search_queue.
type searchChange struct {
	bun.BaseModel `bun:"table:search_queue"`
	ID            int64     `bun:"id,pk,autoincrement"`
	TenantID      int64     `bun:"tenant_id,notnull"`
	ArticleID     int64     `bun:"article_id,notnull"`
	QueuedAt      time.Time `bun:"queued_at,notnull"`
}

var _ svcportal.SearchQueueStore = (*Store)(nil)

// queueSearch adds, inside the transaction of a change, one queue row per
// article whose search document the change may alter.
func (s *Store) queueSearch(ctx context.Context, tx bun.IDB, tid int64, articleIDs ...int64) error {
	if len(articleIDs) == 0 {
		return nil
	}
	now := s.now().UTC()
	rows := make([]searchChange, 0, len(articleIDs))
	for _, id := range articleIDs {
		rows = append(rows, searchChange{TenantID: tid, ArticleID: id, QueuedAt: now})
	}
	if _, err := tx.NewInsert().Model(&rows).Exec(ctx); err != nil {
		return fmt.Errorf("queue search changes: %w", err)
	}
	return nil
}

// queueSearchWhere queues every article of the tenant that where selects
// (the articles of a category or section whose reach changed).
func (s *Store) queueSearchWhere(ctx context.Context, tx bun.IDB, tid int64, where string, args ...any) error {
	var ids []int64
	if err := tx.NewSelect().Model((*svcportal.KBArticle)(nil)).Column("id").Where("tenant_id = ?", tid).
		Where(where, args...).Scan(ctx, &ids); err != nil {
		return err
	}
	return s.queueSearch(ctx, tx, tid, ids...)
}

// SearchQueue implements svcportal.SearchQueueStore.
func (s *Store) SearchQueue(ctx context.Context, limit int) ([]svcportal.SearchChange, error) {
	var rows []searchChange
	if err := s.db.NewSelect().Model(&rows).Order("id").Limit(int64(limit)).Scan(ctx); err != nil {
		return nil, err
	}
	out := make([]svcportal.SearchChange, 0, len(rows))
	for _, r := range rows {
		out = append(out, svcportal.SearchChange{ID: r.ID, TenantID: r.TenantID, ArticleID: r.ArticleID})
	}
	return out, nil
}

// SearchQueueDone implements svcportal.SearchQueueStore.
func (s *Store) SearchQueueDone(ctx context.Context, ids ...int64) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := s.w.NewDelete().Model((*searchChange)(nil)).Where("id IN (?)", bun.In(ids)).Exec(ctx)
	return err
}

// SearchQueueLen implements svcportal.SearchQueueStore.
func (s *Store) SearchQueueLen(ctx context.Context) (int, error) {
	n, err := s.db.NewSelect().Model((*searchChange)(nil)).Count(ctx)
	return int(n), err
}

// QueueTenantRebuild implements svcportal.SearchQueueStore.
func (s *Store) QueueTenantRebuild(ctx context.Context, tenantIDs ...int64) (int64, error) {
	var last int64
	err := s.w.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		tids := tenantIDs
		if len(tids) == 0 {
			if err := tx.NewSelect().Model((*svcportal.Tenant)(nil)).Column("id").Order("id").Scan(ctx, &tids); err != nil {
				return err
			}
		}
		for _, tid := range tids {
			if err := s.queueSearch(ctx, tx, tid, 0); err != nil {
				return err
			}
		}
		return tx.NewSelect().Model((*searchChange)(nil)).ColumnExpr("COALESCE(MAX(id), 0)").Scan(ctx, &last)
	})
	return last, err
}

// SearchQueuedUpTo counts the changes up to id still waiting (`portal
// reindex` waits for its rebuild to be applied by the index's holder).
func (s *Store) SearchQueuedUpTo(ctx context.Context, id int64) (int, error) {
	n, err := s.db.NewSelect().Model((*searchChange)(nil)).Where("id <= ?", id).Count(ctx)
	return int(n), err
}

// lease is a row of leases.
type lease struct {
	bun.BaseModel `bun:"table:leases"`
	Name          string    `bun:"name,pk"`
	Holder        string    `bun:"holder,notnull"`
	Until         time.Time `bun:"until,notnull"`
}

// AcquireLease takes or renews the lease name for holder until now+ttl,
// if it is free, lapsed or already holder's; it reports whether holder has
// it.
func (s *Store) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	now := s.now().UTC()
	// bun names the table by its model's alias, "lease".
	res, err := s.w.NewInsert().Model(&lease{Name: name, Holder: holder, Until: now.Add(ttl)}).
		On("CONFLICT (name) DO UPDATE").
		Set("holder = EXCLUDED.holder, until = EXCLUDED.until").
		Where("lease.holder = ? OR lease.until <= ?", holder, now).
		Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("acquire lease %s: %w", name, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// ReleaseLease gives the lease up if holder has it, so that another
// process takes over without waiting for it to lapse.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	_, err := s.w.NewDelete().Model((*lease)(nil)).Where("name = ? AND holder = ?", name, holder).Exec(ctx)
	return err
}

// LeaseHolder is who holds the lease name now, or "" when nobody does.
func (s *Store) LeaseHolder(ctx context.Context, name string) (string, error) {
	var holders []string
	err := s.db.NewSelect().Model((*lease)(nil)).Column("holder").Where("name = ? AND until > ?", name, s.now().UTC()).
		Scan(ctx, &holders)
	if err != nil || len(holders) == 0 {
		return "", err
	}
	return holders[0], nil
}

// SearchQueueLast is the id of the last change queued (0 for none).
func (s *Store) SearchQueueLast(ctx context.Context) (int64, error) {
	var last int64
	err := s.db.NewSelect().Model((*searchChange)(nil)).ColumnExpr("COALESCE(MAX(id), 0)").Scan(ctx, &last)
	return last, err
}
