package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// fifoConnector lends a fixed number of connections to one database in
// the order they are asked for.
//
// database/sql gives a connection that comes free to a random one of the
// requests waiting for it (connRequestSet.TakeRandom), so when requests
// outnumber connections one can lose the draw again and again: with 16
// writers on SQLite's single writer connection, each waited ~15 turns on
// average but one in a hundred waited 60. Here the waiting is first come,
// first served. database/sql is told to open as many connections as it
// likes and to keep none idle: each use opens one of ours, which waits
// here, in order, for a real connection, and closing it hands the real
// connection to the next in line. The real connections stay open (their
// per-connection pragmas with them).
type fifoConnector struct {
	open driver.Connector // of the real connections
	max  int

	// stmts is how many bound statements (bound.go) each connection
	// keeps prepared; 0 for pgx, which keeps its own.
	stmts int

	mu sync.Mutex
	// free are the connections not lent: nil for one not opened yet.
	free []*pooledConn
	// queue are the requests waiting, in the order they came; each gets
	// its connection on its channel.
	queue []chan *pooledConn

	opened, inUse, waits atomic.Int64
	waited               atomic.Int64 // nanoseconds
	opens                atomic.Int64 // real connections opened, ever
}

// pooledConn is a real connection and the bound statements it keeps
// prepared.
type pooledConn struct {
	driver.Conn
	stmts *stmtCache // nil when the driver keeps them
}

// close closes the connection and its statements.
func (pc *pooledConn) close() error {
	if pc.stmts != nil {
		pc.stmts.close()
	}
	return pc.Conn.Close()
}

func newFIFOConnector(open driver.Connector, n, stmts int) *fifoConnector {
	return &fifoConnector{open: open, max: n, stmts: stmts, free: make([]*pooledConn, n)}
}

// boundStmts is how many bound statements a SQLite connection keeps
// prepared: the shapes of the hot statements, with room to spare.
const boundStmts = 64

// openPool opens a database/sql handle over n connections of open, lent
// in order, and keeps the pool's figures under role (Pools).
func (s *Store) openPool(role string, open driver.Connector, n int) *sql.DB {
	stmts := boundStmts
	if s.dialect == Postgres {
		stmts = 0
	}
	f := newFIFOConnector(open, n, stmts)
	if s.pools == nil {
		s.pools = map[string]*fifoConnector{}
	}
	s.pools[role] = f
	db := sql.OpenDB(f)
	db.SetMaxOpenConns(0)
	db.SetMaxIdleConns(0)
	return db
}

// Pools are the store's connection pools by role ("read" and "write"; one
// "pool" on PostgreSQL) and their figures, for /metrics.
func (s *Store) Pools() map[string]func() sql.DBStats {
	out := map[string]func() sql.DBStats{}
	for role, f := range s.pools {
		out[role] = f.Stats
	}
	return out
}

// Connect implements driver.Connector: it waits for a connection, in
// turn. A connection used before is checked as database/sql checks its
// own (ResetSession, which on PostgreSQL pings one idle for a while), and
// replaced when broken.
func (f *fifoConnector) Connect(ctx context.Context) (driver.Conn, error) {
	c, err := f.take(ctx)
	if err != nil {
		return nil, err
	}
	if c != nil {
		if r, ok := c.Conn.(driver.SessionResetter); ok {
			if err := r.ResetSession(ctx); errors.Is(err, driver.ErrBadConn) {
				f.discard(c)
				c = nil
			} else if err != nil {
				f.put(c)
				return nil, err
			}
		}
	}
	if c == nil {
		real, err := f.open.Connect(ctx)
		if err != nil {
			f.put(nil)
			return nil, err
		}
		c = &pooledConn{Conn: real}
		if f.stmts > 0 {
			c.stmts = newStmtCache(f.stmts)
		}
		f.opened.Add(1)
		f.opens.Add(1)
	}
	f.inUse.Add(1)
	return &fifoConn{f: f, c: c}, nil
}

// take waits for a connection, after those who asked before.
func (f *fifoConnector) take(ctx context.Context) (*pooledConn, error) {
	f.mu.Lock()
	if n := len(f.free); n > 0 {
		c := f.free[n-1]
		f.free = f.free[:n-1]
		f.mu.Unlock()
		return c, nil
	}
	turn := make(chan *pooledConn, 1)
	f.queue = append(f.queue, turn)
	f.waits.Add(1)
	f.mu.Unlock()
	start := time.Now()
	defer func() { f.waited.Add(int64(time.Since(start))) }()
	select {
	case c := <-turn:
		return c, nil
	case <-ctx.Done():
	}
	f.mu.Lock()
	if i := slices.Index(f.queue, turn); i >= 0 {
		f.queue = slices.Delete(f.queue, i, i+1)
		f.mu.Unlock()
		return nil, ctx.Err()
	}
	f.mu.Unlock()
	f.put(<-turn) // given meanwhile: to the next
	return nil, ctx.Err()
}

// put gives a connection back: to the first request waiting, if any.
func (f *fifoConnector) put(c *pooledConn) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.queue) > 0 {
		turn := f.queue[0]
		f.queue = f.queue[1:]
		turn <- c
		return
	}
	f.free = append(f.free, c)
}

// discard closes a broken connection; its place is opened again when
// next lent.
func (f *fifoConnector) discard(c *pooledConn) {
	c.close()
	f.opened.Add(-1)
}

// Driver implements driver.Connector.
func (f *fifoConnector) Driver() driver.Driver { return f.open.Driver() }

// Close closes the connections not lent (sql.DB.Close calls it once its
// own are closed, which gives ours back).
func (f *fifoConnector) Close() error {
	f.mu.Lock()
	free := f.free
	f.free = nil
	f.mu.Unlock()
	var errs []error
	for _, c := range free {
		if c != nil {
			errs = append(errs, c.close())
			f.opened.Add(-1)
		}
	}
	return errors.Join(errs...)
}

// Stats are the pool's figures in database/sql's terms, of the real
// connections: database/sql's own would count the lendings.
func (f *fifoConnector) Stats() sql.DBStats {
	open, inUse := int(f.opened.Load()), int(f.inUse.Load())
	return sql.DBStats{
		MaxOpenConnections: f.max,
		OpenConnections:    open,
		InUse:              inUse,
		Idle:               max(open-inUse, 0),
		WaitCount:          f.waits.Load(),
		WaitDuration:       time.Duration(f.waited.Load()),
	}
}

// fifoConn is a lent connection: every call goes to the real one, and
// Close gives it back, or closes it when it broke (driver.ErrBadConn, or
// the driver's IsValid says so) and leaves its place to a new one.
// database/sql never reuses a fifoConn (it keeps none idle), so the
// checks it makes on reuse (ResetSession, IsValid) are made on the real
// connection here: in Connect and in Close.
type fifoConn struct {
	f   *fifoConnector
	c   *pooledConn
	bad bool
}

func (c *fifoConn) Close() error {
	if c.c == nil {
		return nil
	}
	real := c.c
	c.c = nil
	c.f.inUse.Add(-1)
	if v, ok := real.Conn.(driver.Validator); c.bad || ok && !v.IsValid() {
		c.f.discard(real)
		real = nil
	}
	c.f.put(real)
	return nil
}

// note remembers a broken connection and answers err.
func (c *fifoConn) note(err error) error {
	if errors.Is(err, driver.ErrBadConn) {
		c.bad = true
	}
	return err
}

func (c *fifoConn) Prepare(query string) (driver.Stmt, error) {
	st, err := c.c.Conn.Prepare(query)
	return st, c.note(err)
}

func (c *fifoConn) Begin() (driver.Tx, error) {
	tx, err := c.c.Conn.Begin() //nolint:staticcheck // required by driver.Conn; database/sql calls BeginTx
	return tx, c.note(err)
}

func (c *fifoConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	b, ok := c.c.Conn.(driver.ConnBeginTx)
	if !ok {
		return c.Begin()
	}
	tx, err := b.BeginTx(ctx, opts)
	return tx, c.note(err)
}

func (c *fifoConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	p, ok := c.c.Conn.(driver.ConnPrepareContext)
	if !ok {
		return c.Prepare(query)
	}
	st, err := p.PrepareContext(ctx, query)
	return st, c.note(err)
}

// ExecContext runs a statement on the real connection; a bound statement
// (bound.go) with its values, through the connection's prepared
// statements, or pgx's.
func (c *fifoConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	e, ok := c.c.Conn.(driver.ExecerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	args, prepared, err := c.bind(ctx, query, args)
	if err != nil {
		return nil, err
	}
	if prepared {
		res, err := c.c.stmts.exec(ctx, c.c.Conn, query, args)
		return res, c.note(err)
	}
	res, err := e.ExecContext(ctx, query, args)
	return res, c.note(err)
}

// QueryContext runs a query on the real connection; a bound statement
// (bound.go) with its values, through the connection's prepared
// statements, or pgx's.
func (c *fifoConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	q, ok := c.c.Conn.(driver.QueryerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	args, prepared, err := c.bind(ctx, query, args)
	if err != nil {
		return nil, err
	}
	if prepared {
		rows, err := c.c.stmts.query(ctx, c.c.Conn, query, args)
		return rows, c.note(err)
	}
	rows, err := q.QueryContext(ctx, query, args)
	return rows, c.note(err)
}

// bind is the values to run query with: those bound to it (bound.go),
// for the connection's prepared statement (prepared), or for pgx with its
// statement cache asked for; args for any other statement.
func (c *fifoConn) bind(ctx context.Context, query string, args []driver.NamedValue) (values []driver.NamedValue, prepared bool, err error) {
	if len(args) > 0 {
		return args, false, nil
	}
	b, err := boundFrom(ctx, query)
	if err != nil || b == nil {
		return args, false, err
	}
	if c.c.stmts != nil {
		return b.values, true, nil
	}
	return append([]driver.NamedValue{pgxCached}, b.values...), false, nil
}

func (c *fifoConn) Ping(ctx context.Context) error {
	if p, ok := c.c.Conn.(driver.Pinger); ok {
		return c.note(p.Ping(ctx))
	}
	return nil
}
