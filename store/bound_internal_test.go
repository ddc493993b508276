package store

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"modernc.org/sqlite"
)

// TestStmtCache: bound statements are prepared once per connection and
// kept, at most the cache's size (the least recently used closed first);
// a statement whose rows are still open is not reused by a query run
// meanwhile, which gets its own; and values are bound for one statement
// only, the one they were written with.
func TestStmtCache(t *testing.T) {
	conn, err := sqlite.NewConnector("file:" + filepath.Join(t.TempDir(), "db.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	s := &Store{dialect: SQLite}
	db := bun.NewDB(s.openPool("read", conn, 1), sqlitedialect.New())
	defer db.Close()
	s.pools["read"].stmts = 2
	ctx := t.Context()
	if _, err := db.ExecContext(ctx, "CREATE TABLE n (v INTEGER); INSERT INTO n VALUES (1), (2), (3)"); err != nil {
		t.Fatal(err)
	}
	above := func(ctx context.Context, db bun.IDB, min int64) []int64 {
		t.Helper()
		p := s.params()
		query := db.NewRaw("SELECT v FROM n WHERE v > ? ORDER BY v", p.v(min)).String()
		var got []int64
		if err := scanBound(ctx, db, query, p, &got); err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got := above(ctx, db, 1); !slices.Equal(got, []int64{2, 3}) {
		t.Fatalf("v > 1: %v", got)
	}
	if got := above(ctx, db, 2); !slices.Equal(got, []int64{3}) {
		t.Fatalf("v > 2, the statement kept: %v", got)
	}
	if texts := BoundTexts(s); len(texts) != 1 {
		t.Fatalf("%d statements kept after two runs of one text, want 1: %q", len(texts), texts)
	}

	// Rows of the kept statement open, the same statement runs again on
	// the same connection.
	c, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p := s.params()
	query := db.NewRaw("SELECT v FROM n WHERE v > ? ORDER BY v", p.v(int64(0))).String()
	rows, err := c.QueryContext(context.WithValue(ctx, boundKey{}, &bound{query: query, values: p.values}), query)
	if err != nil {
		t.Fatal(err)
	}
	var first []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		if len(first) == 0 {
			if got := above(ctx, c, 2); !slices.Equal(got, []int64{3}) {
				t.Fatalf("v > 2 while the statement's rows are open: %v", got)
			}
		}
		first = append(first, v)
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(first, []int64{1, 2, 3}) {
		t.Fatalf("rows read around another run of their statement: %v", first)
	}
	c.Close()

	// A third and fourth text: the cache keeps two.
	for _, q := range []string{"SELECT v FROM n WHERE v < ? ORDER BY v", "SELECT v FROM n WHERE v = ?"} {
		p := s.params()
		query := db.NewRaw(q, p.v(int64(3))).String()
		var got []int64
		if err := scanBound(ctx, db, query, p, &got); err != nil || len(got) == 0 {
			t.Fatalf("%s: %v, %v", q, got, err)
		}
	}
	if texts := BoundTexts(s); len(texts) != 2 || slices.Contains(texts, "SELECT v FROM n WHERE v > $1 ORDER BY v") {
		t.Fatalf("statements kept: %q, want the two last used", texts)
	}

	// Values bound for one text do not go with another.
	p = s.params()
	query = db.NewRaw("SELECT v FROM n WHERE v > ?", p.v(int64(0))).String()
	ctx = context.WithValue(ctx, boundKey{}, &bound{query: query, values: p.values})
	var got []int64
	if err := db.NewRaw(query+" ORDER BY v").Scan(ctx, &got); err == nil {
		t.Fatalf("a statement other than the one its values were bound for ran: %v", got)
	}
}
