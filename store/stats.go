package store

import (
	"context"
	"time"

	"github.com/svcportal/svcportal"
)

// OutboxStats are the pending messages of every tenant, and the time the
// oldest of them was queued (zero when none waits), for /metrics.
func (s *Store) OutboxStats(ctx context.Context) (pending int, oldest time.Time, err error) {
	q := s.db.NewSelect().Model((*svcportal.OutboundEmail)(nil)).Where("status = ?", svcportal.EmailPending)
	n, err := q.Count(ctx)
	if err != nil || n == 0 {
		return int(n), time.Time{}, err
	}
	var first []svcportal.OutboundEmail
	err = s.db.NewSelect().Model(&first).Column("id", "created_at").Where("status = ?", svcportal.EmailPending).
		Order("created_at").Limit(1).Scan(ctx)
	if err != nil || len(first) == 0 {
		return int(n), time.Time{}, err
	}
	return int(n), first[0].CreatedAt, nil
}
