package store

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/uptrace/bun"

	"github.com/svcportal/svcportal/migrations"
)

// Migrate applies the migrations that are not applied yet and returns their
// names. It is safe to run twice and from several processes at once: the
// whole run holds a lock (an advisory lock on PostgreSQL, the write lock of
// an immediate transaction on SQLite) and re-reads what is applied under it.
func (s *Store) Migrate(ctx context.Context) ([]string, error) {
	files, err := migrationFiles(s.dialect)
	if err != nil {
		return nil, err
	}
	var applied []string
	err = s.w.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		applied = nil // RunInTx does not retry, but keep the result honest
		done, err := s.lockAndListApplied(ctx, tx)
		if err != nil {
			return err
		}
		for _, name := range files {
			version := strings.TrimSuffix(name, ".sql")
			if done[version] {
				continue
			}
			body, err := fs.ReadFile(migrations.FS, path.Join(s.dialect, name))
			if err != nil {
				return err
			}
			// Straight to database/sql: bun would read '?' in the SQL as a
			// placeholder.
			if _, err := tx.Tx.ExecContext(ctx, string(body)); err != nil {
				return fmt.Errorf("migration %s/%s: %w", s.dialect, name, err)
			}
			if _, err := tx.NewInsert().Model(&map[string]any{"version": version, "applied_at": s.now().UTC()}).
				TableExpr("schema_migrations").Exec(ctx); err != nil {
				return fmt.Errorf("record migration %s: %w", version, err)
			}
			applied = append(applied, version)
		}
		return nil
	})
	return applied, err
}

// Pending lists the migrations that are not applied yet.
func (s *Store) Pending(ctx context.Context) ([]string, error) {
	files, err := migrationFiles(s.dialect)
	if err != nil {
		return nil, err
	}
	var done []string
	if err := s.db.NewSelect().TableExpr("schema_migrations").Column("version").Scan(ctx, &done); err != nil {
		return nil, fmt.Errorf("read applied migrations: %w", err)
	}
	have := map[string]bool{}
	for _, v := range done {
		have[v] = true
	}
	var pending []string
	for _, f := range files {
		if v := strings.TrimSuffix(f, ".sql"); !have[v] {
			pending = append(pending, v)
		}
	}
	return pending, nil
}

func (s *Store) lockAndListApplied(ctx context.Context, tx bun.Tx) (map[string]bool, error) {
	ts := "TIMESTAMP"
	if s.dialect == Postgres {
		// One lock per schema, so test schemas do not queue on each other.
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(hashtext('svcportal.migrate.' || current_schema()))"); err != nil {
			return nil, fmt.Errorf("take migration lock: %w", err)
		}
		ts = "TIMESTAMPTZ"
	}
	if _, err := tx.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, applied_at "+ts+" NOT NULL)"); err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	var versions []string
	if err := tx.NewSelect().TableExpr("schema_migrations").Column("version").Scan(ctx, &versions); err != nil {
		return nil, fmt.Errorf("read applied migrations: %w", err)
	}
	done := make(map[string]bool, len(versions))
	for _, v := range versions {
		done[v] = true
	}
	return done, nil
}

// migrationFiles lists a dialect's migration files in order.
func migrationFiles(dialect string) ([]string, error) {
	entries, err := fs.ReadDir(migrations.FS, dialect)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".sql") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names, nil
}
