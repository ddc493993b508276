package store

import (
	"container/list"
	"context"
	"database/sql/driver"
	"errors"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/schema"
)

// Bound statements. bun writes every argument into the SQL text, so no two
// readers' statements are the same text: SQLite parses each anew (a sixth
// of the ticket list's CPU) and PostgreSQL, in exec mode (see execMode),
// plans each anew. A statement written with params instead holds $1, $2…
// where the values go, the same text for every reader of the same shape,
// and its values travel beside it to the driver: SQLite keeps each
// connection's bound statements prepared (stmtCache), PostgreSQL through
// pgx's statement cache (a named statement per text and connection, whose
// plan it reuses).
//
// The values reach the driver through the context of the one call that
// runs the statement (scanBound), so the statement still goes through bun:
// its hooks (tracing, the tests that count queries) and its scanning.

// params collects a statement's values as bun writes it: each value given
// to a query through v becomes the next placeholder. A query written
// with params must be written (formatted) once, and run with scanBound.
type params struct {
	dialect string
	values  []driver.NamedValue
}

func (s *Store) params() *params { return &params{dialect: s.dialect} }

// v is x as a placeholder of the statement being written: a number, a
// string, a boolean or a time (nil for NULL). What bun writes itself (a
// schema.QueryAppender: bun.In, say) stays written; so does every value
// when p is nil, for a statement that is not bound.
func (p *params) v(x any) any {
	if _, written := x.(schema.QueryAppender); p == nil || written {
		return x
	}
	return boundValue{p, x}
}

// vs is v of each of xs.
func (p *params) vs(xs ...any) []any {
	if len(xs) == 0 {
		return nil
	}
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = p.v(x)
	}
	return out
}

type boundValue struct {
	p *params
	v any
}

// AppendQuery implements schema.QueryAppender: it appends the next
// placeholder, $n (SQLite reads "$n" as the parameter of ordinal n too).
func (b boundValue) AppendQuery(_ schema.QueryGen, dst []byte) ([]byte, error) {
	v, err := b.p.driverValue(b.v)
	if err != nil {
		return dst, err
	}
	n := len(b.p.values) + 1
	b.p.values = append(b.p.values, driver.NamedValue{Ordinal: n, Value: v})
	return strconv.AppendInt(append(dst, '$'), int64(n), 10), nil
}

// driverValue is v as the driver takes it. Times on SQLite are text, as bun
// writes them (sqliteTime), so that they compare as text with those stored.
func (p *params) driverValue(v any) (driver.Value, error) {
	switch x := v.(type) {
	case nil, int64, string, bool, float64:
		return x, nil
	case int:
		return int64(x), nil
	case time.Time:
		if p.dialect == SQLite {
			return sqliteTime(x), nil
		}
		return x.UTC(), nil
	}
	return nil, errors.New("store: a bound value of an unsupported type")
}

type boundKey struct{}

// bound is a statement's text and the values of its placeholders, for the
// driver (fifoConn.QueryContext).
type bound struct {
	query  string
	values []driver.NamedValue
}

// scanBound runs query, written with p, on db and scans its rows into dest
// as bun's Scan does.
func scanBound(ctx context.Context, db bun.IDB, query string, p *params, dest ...any) error {
	ctx = context.WithValue(ctx, boundKey{}, &bound{query: query, values: p.values})
	return db.NewRaw(query).Scan(ctx, dest...)
}

// boundFrom is the values bound to query by scanBound, if any. bun writes
// a query without arguments as it is; a text that differs is not the
// statement the values were bound for.
func boundFrom(ctx context.Context, query string) (*bound, error) {
	b, ok := ctx.Value(boundKey{}).(*bound)
	if !ok {
		return nil, nil
	}
	if b.query != query {
		return nil, errors.New("store: a bound statement was rewritten before it ran")
	}
	return b, nil
}

// pgxCached has pgx prepare a bound statement once per connection and
// keep it (its "cache_statement" mode), whatever the connection's default
// mode: bound texts are few, one per shape.
var pgxCached = driver.NamedValue{Value: pgx.QueryExecModeCacheStatement}

// stmtCache keeps a connection's bound statements prepared, the most
// recently used first, at most max.
type stmtCache struct {
	max    int
	order  *list.List // of *cachedStmt, most recent first
	byText map[string]*list.Element
}

type cachedStmt struct {
	query string
	stmt  driver.Stmt
	busy  bool // its rows are being read
}

func newStmtCache(max int) *stmtCache {
	return &stmtCache{max: max, order: list.New(), byText: map[string]*list.Element{}}
}

// query runs a bound statement on conn through its prepared statement,
// preparing it on first use. A statement whose rows are still being read
// (a query run while another's rows are open) is not shared: the query
// then goes to the connection as any other.
func (sc *stmtCache) query(ctx context.Context, conn driver.Conn, query string, values []driver.NamedValue) (driver.Rows, error) {
	var cs *cachedStmt
	if e, ok := sc.byText[query]; ok {
		cs = e.Value.(*cachedStmt)
		if cs.busy {
			return conn.(driver.QueryerContext).QueryContext(ctx, query, values)
		}
		sc.order.MoveToFront(e)
	} else {
		st, err := conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
		if err != nil {
			return nil, err
		}
		cs = &cachedStmt{query: query, stmt: st}
		sc.byText[query] = sc.order.PushFront(cs)
		sc.evict()
	}
	rows, err := cs.stmt.(driver.StmtQueryContext).QueryContext(ctx, values)
	if err != nil {
		return nil, err
	}
	cs.busy = true
	return &cachedRows{Rows: rows, cs: cs}, nil
}

// evict closes the least recently used statements beyond max that are
// not being read.
func (sc *stmtCache) evict() {
	for e := sc.order.Back(); e != nil && sc.order.Len() > sc.max; {
		prev := e.Prev()
		if cs := e.Value.(*cachedStmt); !cs.busy {
			cs.stmt.Close()
			sc.order.Remove(e)
			delete(sc.byText, cs.query)
		}
		e = prev
	}
}

// close closes every statement, before their connection closes.
func (sc *stmtCache) close() {
	for e := sc.order.Front(); e != nil; e = e.Next() {
		e.Value.(*cachedStmt).stmt.Close()
	}
	sc.order.Init()
	clear(sc.byText)
}

// cachedRows are the rows of a cached statement, which closing frees for
// the next query.
type cachedRows struct {
	driver.Rows
	cs *cachedStmt
}

func (r *cachedRows) Close() error {
	r.cs.busy = false
	return r.Rows.Close()
}
