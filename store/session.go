package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/svcportal/svcportal"
)

var (
	_ svcportal.SessionStore  = (*Store)(nil)
	_ svcportal.ThrottleStore = (*Store)(nil)
	_ svcportal.AuditStore    = (*Store)(nil)
)

// CreateSession implements svcportal.SessionStore.
func (s *Store) CreateSession(ctx context.Context, sess *svcportal.Session) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	sess.TenantID = tid
	_, err = s.w.NewInsert().Model(sess).Exec(ctx)
	return err
}

// Session implements svcportal.SessionStore.
func (s *Store) Session(ctx context.Context, id string, now time.Time) (*svcportal.Session, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	sess := new(svcportal.Session)
	err = s.db.NewSelect().Model(sess).
		Where("id = ? AND tenant_id = ? AND expires_at > ?", id, tid, now.UTC()).Scan(ctx)
	return sess, notFound(err)
}

// TouchSession implements svcportal.SessionStore.
func (s *Store) TouchSession(ctx context.Context, id string, lastSeen, expires time.Time) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	_, err = s.w.NewUpdate().Model((*svcportal.Session)(nil)).
		Set("last_seen_at = ?, expires_at = ?", lastSeen.UTC(), expires.UTC()).
		Where("id = ? AND tenant_id = ?", id, tid).Exec(ctx)
	return err
}

// DeleteSession implements svcportal.SessionStore.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	_, err = s.w.NewDelete().Model((*svcportal.Session)(nil)).Where("id = ? AND tenant_id = ?", id, tid).Exec(ctx)
	return err
}

// DeleteSessionsOf implements svcportal.SessionStore.
func (s *Store) DeleteSessionsOf(ctx context.Context, kind string, subjectID int64, keepID string) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	return deleteSessionsOf(ctx, s.w, tid, kind, subjectID, keepID)
}

func deleteSessionsOf(ctx context.Context, db bun.IDB, tid int64, kind string, subjectID int64, keepID string) error {
	_, err := db.NewDelete().Model((*svcportal.Session)(nil)).
		Where("tenant_id = ? AND kind = ? AND subject_id = ? AND id <> ?", tid, kind, subjectID, keepID).Exec(ctx)
	return err
}

// DeleteExpiredSessions removes sessions past their expiry, across tenants.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.w.NewDelete().Model((*svcportal.Session)(nil)).Where("expires_at <= ?", now.UTC()).Exec(ctx)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

type throttleCounter struct {
	bun.BaseModel `bun:"table:throttle_counters"`
	Key           string    `bun:"key,pk"`
	Count         int       `bun:"count"`
	WindowEnd     time.Time `bun:"window_end"`
}

// Hit implements svcportal.ThrottleStore. One upsert: a new window starts
// when the stored one has ended.
func (s *Store) Hit(ctx context.Context, key string, window time.Duration, now time.Time) (int, time.Time, error) {
	now = now.UTC()
	c := &throttleCounter{Key: key, Count: 1, WindowEnd: now.Add(window)}
	err := s.w.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewInsert().Model(c).ModelTableExpr("throttle_counters").
			On("CONFLICT (key) DO UPDATE").
			Set("count = CASE WHEN throttle_counters.window_end <= ? THEN 1 ELSE throttle_counters.count + 1 END", now).
			Set("window_end = CASE WHEN throttle_counters.window_end <= ? THEN EXCLUDED.window_end ELSE throttle_counters.window_end END", now).
			Exec(ctx)
		if err != nil {
			return err
		}
		return tx.NewSelect().Model(c).Where("key = ?", key).Scan(ctx)
	})
	return c.Count, c.WindowEnd, err
}

// Take implements svcportal.ThrottleStore. Each key is one conditional
// upsert: its WHERE lets the update through only when the window has ended
// or the count is under the limit, so the check and the count are one
// statement that PostgreSQL's row lock and SQLite's write lock keep
// atomic. A refused key rolls the whole transaction back.
func (s *Store) Take(ctx context.Context, limits []svcportal.ThrottleLimit, now time.Time) (bool, time.Time, error) {
	now = now.UTC()
	var retryAt time.Time
	errFull := errors.New("throttle window full")
	err := s.w.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		for _, l := range limits {
			res, err := tx.ExecContext(ctx, `INSERT INTO throttle_counters (key, count, window_end) VALUES (?, 1, ?)
				ON CONFLICT (key) DO UPDATE SET
					count = CASE WHEN throttle_counters.window_end <= ? THEN 1 ELSE throttle_counters.count + 1 END,
					window_end = CASE WHEN throttle_counters.window_end <= ? THEN EXCLUDED.window_end ELSE throttle_counters.window_end END
				WHERE throttle_counters.window_end <= ? OR throttle_counters.count < ?`,
				l.Key, now.Add(l.Window), now, now, now, l.Max)
			if err != nil {
				return fmt.Errorf("take %s: %w", l.Key, err)
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 0 {
				c := &throttleCounter{}
				if err := tx.NewSelect().Model(c).Where("key = ?", l.Key).Scan(ctx); err != nil {
					return err
				}
				retryAt = c.WindowEnd
				return errFull
			}
		}
		return nil
	})
	if errors.Is(err, errFull) {
		return false, retryAt, nil
	}
	return err == nil, time.Time{}, err
}

// Untake implements svcportal.ThrottleStore.
func (s *Store) Untake(ctx context.Context, keys []string, now time.Time) error {
	if len(keys) == 0 {
		return nil
	}
	_, err := s.w.NewUpdate().Model((*throttleCounter)(nil)).Set("count = count - 1").
		Where("key IN (?) AND count > 0 AND window_end > ?", bun.In(keys), now.UTC()).Exec(ctx)
	return err
}

// Peek implements svcportal.ThrottleStore.
func (s *Store) Peek(ctx context.Context, key string, now time.Time) (int, time.Time, error) {
	c := &throttleCounter{Key: key}
	err := s.db.NewSelect().Model(c).Where("key = ? AND window_end > ?", key, now.UTC()).Scan(ctx)
	if svcportal.KindOf(notFound(err)) == svcportal.KindNotFound {
		return 0, time.Time{}, nil
	}
	return c.Count, c.WindowEnd, err
}

// Clear implements svcportal.ThrottleStore.
func (s *Store) Clear(ctx context.Context, key string) error {
	_, err := s.w.NewDelete().Model((*throttleCounter)(nil)).Where("key = ?", key).Exec(ctx)
	return err
}

// Audit implements svcportal.AuditStore.
func (s *Store) Audit(ctx context.Context, e *svcportal.AuditEntry) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	return insertAudit(ctx, s.w, tid, s.now(), e)
}

func insertAudit(ctx context.Context, db bun.IDB, tid int64, now time.Time, e *svcportal.AuditEntry) error {
	e.TenantID = tid
	if e.At.IsZero() {
		e.At = now.UTC()
	}
	_, err := db.NewInsert().Model(e).ModelTableExpr("audit_log").Exec(ctx)
	return err
}

// AuditLog implements svcportal.AuditStore.
func (s *Store) AuditLog(ctx context.Context, limit int) ([]svcportal.AuditEntry, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	entries := []svcportal.AuditEntry{}
	err = s.db.NewSelect().Model(&entries).ModelTableExpr("audit_log AS audit_entry").
		Where("tenant_id = ?", tid).OrderExpr("at DESC, id DESC").Limit(int64(limit)).Scan(ctx)
	return entries, err
}

// AuditEntries implements svcportal.AuditStore.
func (s *Store) AuditEntries(ctx context.Context, f svcportal.AuditFilter) ([]svcportal.AuditEntry, int, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, 0, err
	}
	if f.PerPage <= 0 || f.PerPage > 200 {
		f.PerPage = 50
	}
	f.Page = max(f.Page, 1)
	entries := []svcportal.AuditEntry{}
	q := s.db.NewSelect().Model(&entries).ModelTableExpr("audit_log AS audit_entry").Where("tenant_id = ?", tid)
	if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	if term := strings.ToLower(strings.TrimSpace(f.Email)); term != "" {
		q = q.Where("LOWER(email) LIKE ? ESCAPE '\\'", "%"+escapeLike(term)+"%")
	}
	if f.From != nil {
		q = q.Where("at >= ?", f.From.UTC())
	}
	if f.To != nil {
		q = q.Where("at < ?", f.To.UTC())
	}
	total, err := q.OrderExpr("at DESC, id DESC").Limit(int64(f.PerPage)).Offset(int64((f.Page - 1) * f.PerPage)).ScanAndCount(ctx)
	return entries, int(total), err
}
