package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/svcportal/svcportal"
)

// SeedTickets inserts many tickets at once for benchmarks and demos:
// numbers follow the tenant's counter without gaps, in one transaction,
// with the dashboard's counters (a closed ticket without ClosedAt is
// closed when created). No events, emails or read state are written. A ticket's StatusChangedAt,
// when set, is kept (portal seed spreads when tickets fall due); otherwise
// it, like the other times, is its CreatedAt.
//
// On SQLite the rows go through prepared multi-row statements, parsed
// once; the cost left is the rows, their indexes and their full-text
// documents (migrations 0080, 0081). PostgreSQL takes them in multi-row
// statements, a round trip per thousand.
func (s *Store) SeedTickets(ctx context.Context, ts []svcportal.Ticket) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	if len(ts) == 0 {
		return nil
	}
	now := s.now().UTC()
	return s.w.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var last int64
		err := tx.NewRaw(`INSERT INTO ticket_counters (tenant_id, last_number) VALUES (?, ?)
			ON CONFLICT (tenant_id) DO UPDATE SET last_number = ticket_counters.last_number + ?
			RETURNING last_number`, tid, len(ts), len(ts)).Scan(ctx, &last)
		if err != nil {
			return err
		}
		first := last - int64(len(ts)) + 1
		for i := range ts {
			t := &ts[i]
			t.TenantID, t.Number = tid, first+int64(i)
			if t.CreatedAt.IsZero() {
				t.CreatedAt = now
			}
			if t.StatusChangedAt.IsZero() {
				t.StatusChangedAt = t.CreatedAt
			}
			t.UpdatedAt, t.LastPublicAt, t.LastClientAt = t.StatusChangedAt, t.CreatedAt, t.CreatedAt
			if t.Fields == nil {
				t.Fields = map[string]any{}
			}
			if t.Status == svcportal.StatusClosed && t.ClosedAt == nil {
				t.ClosedAt = &t.CreatedAt
			}
		}
		if s.dialect == SQLite {
			if err := seedSQLite(ctx, tx.Tx, ts); err != nil {
				return err
			}
		} else {
			for start := 0; start < len(ts); start += 1000 {
				batch := ts[start:min(start+1000, len(ts))]
				if _, err := tx.NewInsert().Model(&batch).Exec(ctx); err != nil {
					return fmt.Errorf("seed tickets: %w", err)
				}
			}
		}
		return countSeeded(ctx, tx, tid, ts)
	})
}

// seedRows is how many tickets one statement of seedSQLite inserts: FTS5
// writes its pending index at the end of each statement, so one row per
// statement would write a segment per ticket.
const seedRows = 250

// seedSQLite inserts ts with prepared multi-row statements, parsed once
// per size. Times are written as bun writes them, so that they compare as
// text with every other.
func seedSQLite(ctx context.Context, tx *sql.Tx, ts []svcportal.Ticket) error {
	prepared := map[int]*sql.Stmt{}
	defer func() {
		for _, st := range prepared {
			st.Close()
		}
	}()
	for start := 0; start < len(ts); start += seedRows {
		batch := ts[start:min(start+seedRows, len(ts))]
		stmt := prepared[len(batch)]
		if stmt == nil {
			var err error
			row := "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?)"
			if stmt, err = tx.PrepareContext(ctx, `INSERT INTO tickets (tenant_id, number, site_id, requester_id, title,
				description, status, type, priority, impact, product_family, assignee_id, fields, shared_with_site, created_at,
				updated_at, status_changed_at, reminder_sent_at, closed_at, rating_comment, last_public_at, last_client_at, first_response_at)
				VALUES `+strings.Repeat(row+", ", len(batch)-1)+row); err != nil {
				return err
			}
			prepared[len(batch)] = stmt
		}
		// The rows go in by site, so that the word index's keys ascend
		// within the statement (site, then id: migration 0230); FTS5
		// writes its pending index out whenever a key does not.
		bySite := make([]*svcportal.Ticket, len(batch))
		for i := range batch {
			bySite[i] = &batch[i]
		}
		slices.SortStableFunc(bySite, func(a, b *svcportal.Ticket) int { return cmp.Compare(a.SiteID, b.SiteID) })
		args := make([]any, 0, 22*len(batch))
		for _, t := range bySite {
			fields := "{}"
			if len(t.Fields) > 0 {
				raw, err := json.Marshal(t.Fields)
				if err != nil {
					return err
				}
				fields = string(raw)
			}
			args = append(args, t.TenantID, t.Number, t.SiteID, t.RequesterID, t.Title, t.Description,
				t.Status, t.Type, t.Priority, t.Impact, t.ProductFamily, t.AssigneeID, fields, t.SharedWithSite,
				sqliteTime(t.CreatedAt), sqliteTime(t.UpdatedAt), sqliteTime(t.StatusChangedAt), sqliteTimePtr(t.ReminderSentAt),
				sqliteTimePtr(t.ClosedAt), sqliteTime(t.LastPublicAt), sqliteTime(t.LastClientAt), sqliteTimePtr(t.FirstResponseAt))
		}
		if _, err := stmt.ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("seed tickets from %d: %w", batch[0].Number, err)
		}
	}
	return nil
}

// sqliteTime is t as bun's SQLite dialect writes it.
func sqliteTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.999999-07:00") }

func sqliteTimePtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return sqliteTime(*t)
}

// PrepareBulkLoad readies this process's connection to the database for
// a bulk load (portal seed): on SQLite a page cache of 256 MiB for the
// writer, so that the ten indexes of a million tickets stay in memory
// instead of being written out and read back at every batch; commits
// that do not wait for the disk (synchronous NORMAL: in WAL mode the
// database stays consistent after a crash, and only the last batches of
// the seed may be lost); and statement journals in memory (each
// multi-row insert keeps one, for the full-text trigger, and wrote it to
// a temporary file: an eighth of the seed's time in the kernel). It
// changes nothing for other processes, such as a server of the same
// installation. PostgreSQL needs nothing.
func (s *Store) PrepareBulkLoad(ctx context.Context) error {
	if s.dialect != SQLite {
		return nil
	}
	for _, pragma := range []string{"PRAGMA cache_size = -262144", "PRAGMA synchronous = NORMAL", "PRAGMA temp_store = MEMORY"} {
		if _, err := s.w.ExecContext(ctx, pragma); err != nil {
			return err
		}
	}
	return nil
}

// FinishBulkLoad follows a bulk load: on PostgreSQL it vacuums and
// refreshes the planner's statistics of the tables a seed fills, which
// autovacuum would do only some time later — until then the planner
// takes a table of a million tickets for the small one it was, and the
// lists' plans go wrong; and each word search reads the whole of the
// GIN indexes' pending lists, where the seed's documents wait to be
// merged (400 pages, 7 of the search's 25 ms at a million tickets).
// SQLite's planner needs nothing (it works from the shape of the
// indexes, which were designed for it, not from statistics); its word
// index is merged as the server's jobs would merge it (MergeWordIndex),
// so that they find no backlog at the server's start.
func (s *Store) FinishBulkLoad(ctx context.Context) error {
	if s.dialect != Postgres {
		for {
			more, err := s.MergeWordIndex(ctx)
			if err != nil || !more {
				return err
			}
		}
	}
	_, err := s.w.ExecContext(ctx, "VACUUM (ANALYZE) tickets, ticket_search, contacts, contact_sites, kb_articles")
	return err
}
