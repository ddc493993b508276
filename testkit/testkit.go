// Package testkit gives tests a real, migrated database and named fixtures.
//
// By default each test gets its own SQLite file. When the test command sets
// PORTAL_TEST_DATABASE_URL to a PostgreSQL server, each test gets a fresh
// schema there instead, dropped when the test ends, so the same tests run on
// both databases.
package testkit

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/svcportal/svcportal/store"
)

// EnvDatabaseURL names the variable that points tests at PostgreSQL.
const EnvDatabaseURL = "PORTAL_TEST_DATABASE_URL"

// DatabaseURL returns a PORTAL_DATABASE_URL for an empty database that lives
// as long as the test: a SQLite file in t.TempDir(), or a new schema on the
// PostgreSQL server of PORTAL_TEST_DATABASE_URL.
func DatabaseURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvDatabaseURL)
	if base == "" {
		return "sqlite:" + filepath.Join(t.TempDir(), "test.db")
	}
	buf := make([]byte, 6)
	rand.Read(buf)
	schema := "t_" + hex.EncodeToString(buf)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("open %s: %v", EnvDatabaseURL, err)
	}
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create test schema: %v", err)
	}
	t.Cleanup(func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", EnvDatabaseURL, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Store opens a migrated store on a fresh database for t.
func Store(t testing.TB, opts ...store.Option) *store.Store {
	t.Helper()
	ctx := context.Background()
	// Secrets at rest are sealed as in production; a later option wins.
	opts = append([]store.Option{store.WithSecretKey([]byte(SecretKey))}, opts...)
	st, err := store.Open(ctx, DatabaseURL(t), opts...)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return st
}

// Clock is a settable clock for code that takes a now func.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock starts a clock at a fixed, readable instant.
func NewClock() *Clock {
	return &Clock{now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
