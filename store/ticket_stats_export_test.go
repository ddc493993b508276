package store

import (
	"context"
	"io/fs"
	"path"
	"strings"
	"time"

	"github.com/svcportal/svcportal/migrations"
)

// RecountTicketStats empties the dashboard's counters and runs again the
// statements of migration 0060 that fill them from the tickets, so a test
// can compare them with the counters kept by writes.
func (s *Store) RecountTicketStats(ctx context.Context) error {
	body, err := fs.ReadFile(migrations.FS, path.Join(s.dialect, "0060_ticket_stats.sql"))
	if err != nil {
		return err
	}
	_, backfill, _ := strings.Cut(string(body), "-- backfill")
	_, backfill, _ = strings.Cut(backfill, "\n") // the rest of the marker's comment
	for _, q := range []string{"DELETE FROM ticket_stats", "DELETE FROM ticket_first_responses", "DELETE FROM ticket_backlog",
		"UPDATE tickets SET first_response_at = NULL"} {
		if _, err := s.w.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	for _, stmt := range strings.Split(backfill, ";\n") {
		var lines []string
		for _, l := range strings.Split(stmt, "\n") {
			if !strings.HasPrefix(strings.TrimSpace(l), "--") {
				lines = append(lines, l)
			}
		}
		q := strings.TrimSpace(strings.Join(lines, "\n"))
		if strings.HasPrefix(q, "UPDATE") || strings.HasPrefix(q, "INSERT") {
			if _, err := s.w.DB.ExecContext(ctx, q); err != nil {
				return err
			}
		}
	}
	return nil
}

// ScanTicketFigures reads from the tickets themselves what the counters
// hold — opened and closed per day since from, and the backlog by site
// and status — as a page would without counters: the benchmark's
// baseline.
func (s *Store) ScanTicketFigures(ctx context.Context, from time.Time) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	var rows []struct {
		N int64 `bun:"n"`
	}
	if err := s.db.NewRaw("SELECT COUNT(*) AS n FROM tickets WHERE tenant_id = ? AND created_at >= ? GROUP BY site_id", tid, from).Scan(ctx, &rows); err != nil {
		return err
	}
	if err := s.db.NewRaw("SELECT COUNT(*) AS n FROM tickets WHERE tenant_id = ? AND closed_at >= ? GROUP BY site_id", tid, from).Scan(ctx, &rows); err != nil {
		return err
	}
	return s.db.NewRaw("SELECT COUNT(*) AS n FROM tickets WHERE tenant_id = ? GROUP BY site_id, status", tid).Scan(ctx, &rows)
}
