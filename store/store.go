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
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
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
//
// It keeps two handles. db serves reads; w serves every write and every
// transaction. On PostgreSQL both are the same pool. On SQLite, which
// allows one writer at a time, w is a single connection, so writers queue
// in Go (bounded by their context) instead of spinning on SQLITE_BUSY, and
// db is a pool of read-only connections that WAL lets read beside it. A
// transaction never reads through db: it would wait for a connection while
// holding the writer (see TicketChange.Notify).
type Store struct {
	db      *bun.DB // reads
	w       *bun.DB // writes and transactions
	dialect string
	now     func() time.Time
	seal    *sealer // secrets at rest (WithSecretKey); nil stores them in clear
	// pools are the connections of db and w by role ("read" and "write";
	// one "pool" on PostgreSQL), lent first come, first served.
	pools map[string]*fifoConnector
	// wal watches a SQLite database's commits (walstamp.go); nil on
	// PostgreSQL. versions keeps, by tenant id, the cache version last
	// read and the commits it was read after (cache.go).
	wal      *walWatch
	versions sync.Map
	// tickets and threads keep tickets and their threads as read, by
	// ticket id and version (ticket_cache.go).
	tickets *versionCache[svcportal.Ticket]
	threads *versionCache[svcportal.TicketThread]
	// group queues SQLite's writes for the next commit (group_commit.go).
	group groupCommit
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
	s := &Store{dialect: dialect, now: time.Now,
		tickets: newVersionCache(ticketCacheSize, copyTicket, ticketWeight),
		threads: newVersionCache(ticketCacheSize, copyThread, threadWeight)}
	for _, o := range opts {
		o(s)
	}
	switch dialect {
	case SQLite:
		if err := s.openSQLite(dsn); err != nil {
			return nil, err
		}
	case Postgres:
		pc, err := stdlib.GetDefaultDriver().(driver.DriverContext).OpenConnector(execMode(dsn))
		if err != nil {
			return nil, err
		}
		// The pool's connections stay open once opened: before, database/sql
		// kept two idle by default, so that under 16 concurrent requests most
		// queries opened a new connection (a new PostgreSQL backend) and
		// closed it after use — a p99 of 160 ms for a page whose median is
		// 2 ms. One idle for over a second is pinged before it is lent.
		sqldb := s.openPool("pool", pc, postgresConns)
		s.db = bun.NewDB(sqldb, pgdialect.New())
		s.w = s.db
	}
	pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	for _, db := range s.handles() {
		if err := db.PingContext(pctx); err != nil {
			s.Close()
			return nil, fmt.Errorf("connect to %s database: %w", dialect, err)
		}
	}
	return s, nil
}

// execMode sets pgx's default_query_exec_mode to "exec", and its
// statement cache to boundStmts statements per connection, unless the URL
// chooses. pgx's own default prepares, names and caches a statement per
// distinct SQL text (512 per connection), which pays when texts repeat;
// bun writes every argument into the text, so they rarely do: with the
// pool's connections kept, texts used once — message bodies, times, ids —
// held 40 MB of the server's heap after four minutes of the soak, and as
// many prepared statements in each PostgreSQL backend. In exec mode a
// statement goes in one round trip and nothing is kept. Bound statements
// (bound.go), one text per shape, still use the cache, by name.
func execMode(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	q := u.Query()
	if !q.Has("default_query_exec_mode") {
		q.Set("default_query_exec_mode", "exec")
	}
	if !q.Has("statement_cache_capacity") {
		q.Set("statement_cache_capacity", strconv.Itoa(boundStmts))
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// postgresConns is how many connections an instance opens to PostgreSQL
// at most.
const postgresConns = 20

// sqliteReaders is how many connections read a SQLite database at once.
const sqliteReaders = 8

// openSQLite opens the single writer connection first (it switches the
// file to WAL), then the read-only pool.
func (s *Store) openSQLite(path string) error {
	if err := prepareSQLiteFiles(path); err != nil {
		return err
	}
	// Immediate transactions take the write lock up front. In one process
	// they never wait (there is one writer connection); busy_timeout covers
	// another process of the installation (portal seed, a second command).
	// synchronous=FULL because an acknowledged write must survive a power
	// cut.
	common := "&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)"
	// Both pools lend their connections first come, first served
	// (fifoConnector): the writer's one, and the readers'.
	// temp_store=MEMORY keeps the journal of a batch's savepoints
	// (group_commit.go) in memory: it went to a temporary file past
	// 64 KB, a write to the disk for each page a savepoint changed.
	wc, err := sqlite.NewConnector("file:" + path + "?_txlock=immediate" + common +
		"&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=temp_store(2)")
	if err != nil {
		return err
	}
	writer := s.openPool("write", wc, 1)
	s.w = bun.NewDB(writer, sqlitedialect.New())
	if err := s.w.Ping(); err != nil {
		s.w.Close()
		return fmt.Errorf("connect to sqlite database: %w", err)
	}
	// query_only makes a write through the read pool fail loudly instead
	// of competing with the writer.
	rc, err := sqlite.NewConnector("file:" + path + "?_pragma=query_only(1)" + common)
	if err != nil {
		s.w.Close()
		return err
	}
	readers := s.openPool("read", rc, sqliteReaders)
	s.db = bun.NewDB(readers, sqlitedialect.New())
	s.wal = &walWatch{path: path + "-shm"}
	return nil
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

// handles lists the distinct pools of the store.
func (s *Store) handles() []*bun.DB {
	if s.w == s.db || s.w == nil {
		return []*bun.DB{s.db}
	}
	return []*bun.DB{s.w, s.db}
}

// Dialect is SQLite or Postgres.
func (s *Store) Dialect() string { return s.dialect }

// Close closes the connection pools.
func (s *Store) Close() error {
	var errs []error
	if s.wal != nil {
		s.wal.close()
	}
	for _, db := range s.handles() {
		if db != nil {
			errs = append(errs, db.Close())
		}
	}
	return errors.Join(errs...)
}

// Ping checks that the database answers, for reads and for writes.
func (s *Store) Ping(ctx context.Context) error {
	for _, db := range s.handles() {
		if err := db.PingContext(ctx); err != nil {
			return err
		}
	}
	return nil
}

// DB is the bun handle that writes, for tests and tools that need raw
// access (it reads too).
func (s *Store) DB() *bun.DB { return s.w }

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
	e := svcportal.FieldErr(svcportal.KindConflict, field, messageID, nil)
	e.Cause = cause
	return e
}
