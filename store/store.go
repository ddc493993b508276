// Package store keeps the platform's data with bun, on SQLite (embedded,
// pure Go, the default) or PostgreSQL. Every query is here and runs on both.
//
// Every method that touches tenant data takes the tenant from its context
// (svcportal.WithTenant); without one it fails, so no query can forget it.
// A public method is one transaction; unexported helpers take bun.IDB.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/svcportal/svcportal"
)

// Dialects a Store can speak.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// Store is the database of the platform.
type Store struct {
	db      *bun.DB
	dialect string
	now     func() time.Time
	seal    *sealer // secrets at rest (WithSecretKey); nil stores them in clear
}

// Option configures a Store.
type Option func(*Store)

// WithClock makes the store read the time from now (tests control it).
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// ParseURL splits a PORTAL_DATABASE_URL into dialect and driver DSN, or says
// what is wrong with it.
func ParseURL(raw string) (dialect, dsn string, err error) {
	switch {
	case strings.HasPrefix(raw, "sqlite:"):
		path := strings.TrimPrefix(raw, "sqlite:")
		path = strings.TrimPrefix(path, "//")
		if path == "" {
			return "", "", errors.New("sqlite: URL needs a file path, as in sqlite:data/portal.db")
		}
		if strings.ContainsAny(path, "?#") {
			return "", "", errors.New("sqlite: URL takes a plain file path, without ? or #")
		}
		return SQLite, path, nil
	case strings.HasPrefix(raw, "postgres://"), strings.HasPrefix(raw, "postgresql://"):
		u, err := url.Parse(raw)
		if err != nil {
			return "", "", fmt.Errorf("postgres URL does not parse: %w", err)
		}
		if u.Host == "" {
			return "", "", errors.New("postgres URL needs a host, as in postgres://user:pass@localhost:5432/portal")
		}
		if strings.Trim(u.Path, "/") == "" {
			return "", "", errors.New("postgres URL needs a database name, as in postgres://user:pass@localhost:5432/portal")
		}
		return Postgres, raw, nil
	case raw == "":
		return "", "", errors.New("database URL is empty")
	}
	return "", "", fmt.Errorf("database URL %q must start with sqlite: or postgres://", redact(raw))
}

// redact hides a password in a URL before it is printed.
func redact(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
			return u.String()
		}
	}
	return raw
}

// Open connects to the database named by a PORTAL_DATABASE_URL. It does not
// migrate; call Migrate.
func Open(ctx context.Context, rawURL string, opts ...Option) (*Store, error) {
	dialect, dsn, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	s := &Store{dialect: dialect, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	switch dialect {
	case SQLite:
		if err := prepareSQLiteFiles(dsn); err != nil {
			return nil, err
		}
		// Immediate transactions take the write lock up front, so two
		// writers queue on busy_timeout instead of failing with SQLITE_BUSY
		// when a read lock would have to be upgraded. synchronous=FULL
		// because an acknowledged write must survive a power cut.
		q := "?_txlock=immediate&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)" +
			"&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)"
		sqldb, err := sql.Open("sqlite", "file:"+dsn+q)
		if err != nil {
			return nil, err
		}
		sqldb.SetMaxOpenConns(8)
		s.db = bun.NewDB(sqldb, sqlitedialect.New())
	case Postgres:
		sqldb, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, err
		}
		sqldb.SetMaxOpenConns(20)
		sqldb.SetConnMaxIdleTime(5 * time.Minute)
		s.db = bun.NewDB(sqldb, pgdialect.New())
	}
	pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := s.db.PingContext(pctx); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("connect to %s database: %w", dialect, err)
	}
	if s.seal != nil {
		sealers.Store(s.db, s.seal)
	}
	return s, nil
}

// prepareSQLiteFiles creates the database's folder (0700) and file (0600)
// before SQLite does, so that SQLite, which gives the WAL and shared-memory
// files the mode of the database file, makes them 0600 too; files of an
// earlier version are tightened.
func prepareSQLiteFiles(path string) error {
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("create database folder: %w", err)
		}
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("create database file: %w", err)
	}
	f.Close()
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		if err := os.Chmod(p, 0o600); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("restrict %s: %w", p, err)
		}
	}
	return nil
}

// Dialect is SQLite or Postgres.
func (s *Store) Dialect() string { return s.dialect }

// Close closes the connection pool.
func (s *Store) Close() error {
	sealers.Delete(s.db)
	return s.db.Close()
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// DB is the bun handle, for tests and tools that need raw access.
func (s *Store) DB() *bun.DB { return s.db }

// tenantID returns the id of the context's tenant, or an internal error:
// reaching a tenant query without a tenant is a bug, never a user error.
func tenantID(ctx context.Context) (int64, error) {
	t := svcportal.TenantFrom(ctx)
	if t == nil || t.ID == 0 {
		return 0, errors.New("store: no tenant in context")
	}
	return t.ID, nil
}

// isUniqueViolation reports whether err is a unique-constraint failure on
// either database.
func isUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505"
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		return sqErr.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || sqErr.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// notFound turns sql.ErrNoRows into the domain's not-found error.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return svcportal.ErrNotFound()
	}
	return err
}

// conflict is the error for a taken unique value of field.
func conflict(field, messageID string, cause error) error {
	return &svcportal.Error{
		Kind: svcportal.KindConflict, MessageID: messageID, Cause: cause,
		Fields: map[string]svcportal.FieldError{field: {MessageID: messageID}},
	}
}
