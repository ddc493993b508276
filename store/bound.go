package store

import (
	"bytes"
	"container/list"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
	"github.com/uptrace/bun/dialect/feature"
	"github.com/uptrace/bun/extra/bunjson"
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

// execBound runs query, written with p, on db: a statement without rows.
func execBound(ctx context.Context, db bun.IDB, query string, p *params) (sql.Result, error) {
	ctx = context.WithValue(ctx, boundKey{}, &bound{query: query, values: p.values})
	return db.NewRaw(query).Exec(ctx)
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
	cs, err := sc.stmt(ctx, conn, query)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		return conn.(driver.QueryerContext).QueryContext(ctx, query, values)
	}
	rows, err := cs.stmt.(driver.StmtQueryContext).QueryContext(ctx, values)
	if err != nil {
		return nil, err
	}
	cs.busy = true
	return &cachedRows{Rows: rows, cs: cs}, nil
}

// exec runs a bound statement without rows on conn through its prepared
// statement, as query does.
func (sc *stmtCache) exec(ctx context.Context, conn driver.Conn, query string, values []driver.NamedValue) (driver.Result, error) {
	cs, err := sc.stmt(ctx, conn, query)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		return conn.(driver.ExecerContext).ExecContext(ctx, query, values)
	}
	return cs.stmt.(driver.StmtExecContext).ExecContext(ctx, values)
}

// stmt is query's prepared statement on conn, prepared on first use; nil
// when it is busy (its rows are being read).
func (sc *stmtCache) stmt(ctx context.Context, conn driver.Conn, query string) (*cachedStmt, error) {
	if e, ok := sc.byText[query]; ok {
		cs := e.Value.(*cachedStmt)
		if cs.busy {
			return nil, nil
		}
		sc.order.MoveToFront(e)
		return cs, nil
	}
	st, err := conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	cs := &cachedStmt{query: query, stmt: st}
	sc.byText[query] = sc.order.PushFront(cs)
	sc.evict()
	return cs, nil
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

// insertRow inserts model (a pointer to a struct of a table) as
// db.NewInsert().Model(model).Exec would, each of its values bound: one
// text for every row of the same shape, which the connection keeps
// prepared. bun writes the values into the text, so every insert was a
// statement new to the database, which parsed it and compiled the
// table's triggers into it each time (a ticket's: the word index, the
// version, the counters): a sixth of ticket creation's CPU, on the one
// writer (docs/benchmarks.md, "Writes prepared once"). A value bun
// writes itself stays written (NULL or DEFAULT for a zero it leaves to
// the database, and a value of a type it alone knows how to write);
// what the database fills in (the id) is read back into model, as bun
// does. tune adds clauses (ON CONFLICT …).
func (s *Store) insertRow(ctx context.Context, db bun.IDB, model any, tune ...func(*bun.InsertQuery) *bun.InsertQuery) error {
	p := s.params()
	q := db.NewInsert().Model(model)
	strct := reflect.ValueOf(model).Elem()
	identity := db.Dialect().Features().Has(feature.Identity)
	var returning []string
	for _, f := range db.Dialect().Tables().Get(strct.Type()).Fields {
		toDefault := f.IsPtr && f.HasNilValue(strct) || f.HasZeroValue(strct) && (f.NullZero || f.SQLDefault != "")
		switch {
		case identity && f.AutoIncrement, f.NotNull && toDefault:
			returning = append(returning, string(f.SQLName))
		case toDefault:
		default:
			if v, ok := p.fieldValue(f, strct); ok {
				q = q.Value(f.Name, "?", v)
			}
		}
	}
	for _, t := range tune {
		q = t(q)
	}
	if len(returning) == 0 {
		_, err := execBound(ctx, db, q.Returning("").String(), p)
		return err
	}
	err := scanBound(ctx, db, q.Returning(strings.Join(returning, ", ")).String(), p, model)
	if errors.Is(err, sql.ErrNoRows) { // ON CONFLICT DO NOTHING, and a conflict
		return nil
	}
	return err
}

// set sets q's columns cols (q an update of model, a pointer to a
// struct of a table) to model's values, bound as insertRow binds them.
func (p *params) set(q *bun.UpdateQuery, db bun.IDB, model any, cols ...string) *bun.UpdateQuery {
	strct := reflect.ValueOf(model).Elem()
	table := db.Dialect().Tables().Get(strct.Type())
	for _, c := range cols {
		f := table.FieldMap[c]
		v, ok := p.fieldValue(f, strct)
		if !ok {
			v = bun.Safe(f.AppendValue(schema.NewQueryGen(db.Dialect()), nil, strct))
		}
		q = q.Set(string(f.SQLName)+" = ?", v)
	}
	return q
}

// fieldValue is f's value in strct as a bound value (v), false when it is
// left for bun to write: a type that writes itself (driver.Valuer,
// schema.QueryAppender, bytes), or text holding a NUL, which bun refuses.
// A map, a slice or a struct other than a time is JSON, as bun writes it.
func (p *params) fieldValue(f *schema.Field, strct reflect.Value) (any, bool) {
	v := f.Value(strct)
	if !v.CanInterface() {
		return nil, false
	}
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil, false
		}
		v = v.Elem()
	}
	switch v.Interface().(type) {
	case driver.Valuer, schema.QueryAppender, []byte:
		return nil, false
	case time.Time:
		return p.v(v.Interface()), true
	}
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return p.v(v.Int()), true
	case reflect.Uint8, reflect.Uint16, reflect.Uint32:
		return p.v(int64(v.Uint())), true
	case reflect.Bool:
		return p.v(v.Bool()), true
	case reflect.Float32, reflect.Float64:
		return p.v(v.Float()), true
	case reflect.String:
		if strings.IndexByte(v.String(), 0) >= 0 {
			return nil, false
		}
		return p.v(v.String()), true
	case reflect.Map, reflect.Slice, reflect.Struct:
		// bun writes JSON's \u0000 otherwise, for PostgreSQL's sake.
		b, err := bunjson.Marshal(v.Interface())
		if err != nil || bytes.Contains(b, []byte(`\u0000`)) {
			return nil, false
		}
		return p.v(string(bytes.TrimSuffix(b, []byte("\n")))), true
	}
	return nil, false
}

// execArgs runs query on db with args bound (params.v): a statement
// without rows, written by hand, one text whatever its values.
func execArgs(ctx context.Context, db bun.IDB, query string, args ...any) error {
	p := &params{dialect: dialectOf(db)}
	_, err := execBound(ctx, db, db.NewRaw(query, p.vs(args...)...).String(), p)
	return err
}

// scanArgs runs query on db with args bound, as execArgs, and scans its
// rows into dest.
func scanArgs(ctx context.Context, db bun.IDB, query string, args []any, dest ...any) error {
	p := &params{dialect: dialectOf(db)}
	return scanBound(ctx, db, db.NewRaw(query, p.vs(args...)...).String(), p, dest...)
}

// dialectOf is db's dialect as the store names it.
func dialectOf(db bun.IDB) string {
	if db.Dialect().Name() == dialect.PG {
		return Postgres
	}
	return SQLite
}
