package search_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/search"
	"github.com/svcportal/svcportal/search/searchtest"
	"github.com/svcportal/svcportal/store"
	"github.com/svcportal/svcportal/testkit"
)

// TestPostgres_Suite runs the shared suite on the index inside
// PostgreSQL, each subtest in a schema of its own. On SQLite the backend
// is refused with a message that says why.
func TestPostgres_Suite(t *testing.T) {
	if dialect, _, _ := store.ParseURL(testkit.DatabaseURL(t)); dialect != store.Postgres {
		_, err := search.FromURL("postgres", t.TempDir(), nil)
		if !errors.Is(err, search.ErrNotPostgres) {
			t.Errorf("postgres search without PostgreSQL: got %v, want ErrNotPostgres", err)
		}
		return
	}
	searchtest.Run(t, func(t *testing.T) svcportal.ArticleIndex {
		_, dsn, _ := store.ParseURL(testkit.DatabaseURL(t))
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		idx := search.NewPostgres(db)
		created, err := idx.Prepare(context.Background())
		if err != nil || !created {
			t.Fatalf("prepare: created %v, %v", created, err)
		}
		if created, err := idx.Prepare(context.Background()); err != nil || created {
			t.Fatalf("prepare again: created %v, %v", created, err)
		}
		return idx
	})
}
