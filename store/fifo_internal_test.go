package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"runtime"
	"testing"
)

// fakeConn is a driver connection that breaks when told to.
type fakeConn struct {
	id             int
	broken, closed bool
}

func (c *fakeConn) Prepare(string) (driver.Stmt, error) { return nil, errors.New("not supported") }
func (c *fakeConn) Close() error                        { c.closed = true; return nil }
func (c *fakeConn) Begin() (driver.Tx, error)           { return nil, errors.New("not supported") }
func (c *fakeConn) ExecContext(context.Context, string, []driver.NamedValue) (driver.Result, error) {
	if c.broken {
		return nil, driver.ErrBadConn
	}
	return driver.RowsAffected(0), nil
}
func (c *fakeConn) ResetSession(context.Context) error {
	if c.broken {
		return driver.ErrBadConn
	}
	return nil
}

type fakeConnector struct{ conns []*fakeConn }

func (f *fakeConnector) Connect(context.Context) (driver.Conn, error) {
	c := &fakeConn{id: len(f.conns) + 1}
	f.conns = append(f.conns, c)
	return c, nil
}
func (f *fakeConnector) Driver() driver.Driver { return nil }

// TestFIFOConnector_ReplacesBrokenConnections: a connection that breaks
// is closed and its place opened anew, found either by the query that
// met the break (driver.ErrBadConn) or by the check before lending it
// again (ResetSession), so no query gets it twice.
func TestFIFOConnector_ReplacesBrokenConnections(t *testing.T) {
	fake := &fakeConnector{}
	s := &Store{}
	db := s.openPool("write", fake, 1)
	defer db.Close()
	ctx := t.Context()
	if _, err := db.ExecContext(ctx, "x"); err != nil {
		t.Fatal(err)
	}
	fake.conns[0].broken = true // found by the check before lending
	if _, err := db.ExecContext(ctx, "x"); err != nil {
		t.Fatalf("after a connection broke while idle: %v", err)
	}
	if len(fake.conns) != 2 || !fake.conns[0].closed {
		t.Fatalf("%d connections opened, first closed %v: want the broken one closed and a second", len(fake.conns), fake.conns[0].closed)
	}
	// Broken after the check, found by the query: database/sql retries on
	// another connection, which must be a new one.
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fake.conns[1].broken = true
	err = conn.Raw(func(dc any) error {
		_, err := dc.(driver.ExecerContext).ExecContext(ctx, "x", nil)
		return err
	})
	if !errors.Is(err, driver.ErrBadConn) {
		t.Fatalf("query on a broken connection: %v", err)
	}
	conn.Close()
	if _, err := db.ExecContext(ctx, "x"); err != nil {
		t.Fatal(err)
	}
	if len(fake.conns) != 3 || !fake.conns[1].closed {
		t.Fatalf("%d connections opened, second closed %v: want it closed and a third", len(fake.conns), fake.conns[1].closed)
	}
	if st := s.pools["write"].Stats(); st.OpenConnections != 1 || st.InUse != 0 {
		t.Errorf("stats %+v, want 1 open, none in use", st)
	}
}

var _ driver.Connector = (*fifoConnector)(nil)

// TestFIFOConnector_GivingUpLeavesTheTurn: a request that stops waiting
// (its context ends) leaves the queue; the connection goes to the next,
// and none is lost.
func TestFIFOConnector_GivingUpLeavesTheTurn(t *testing.T) {
	fake := &fakeConnector{}
	s := &Store{}
	db := s.openPool("write", fake, 1)
	defer db.Close()
	ctx := t.Context()
	held, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	gaveUp, cancel := context.WithCancel(ctx)
	done := make(chan error)
	go func() { _, err := db.ExecContext(gaveUp, "x"); done <- err }()
	for s.pools["write"].Stats().WaitCount == 0 {
		runtime.Gosched()
	}
	next := make(chan error)
	go func() { _, err := db.ExecContext(ctx, "x"); next <- err }()
	for s.pools["write"].Stats().WaitCount == 1 {
		runtime.Gosched()
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("the request that gave up: %v", err)
	}
	held.Close()
	if err := <-next; err != nil {
		t.Fatalf("the next request: %v", err)
	}
	if st := s.pools["write"].Stats(); st.InUse != 0 || st.OpenConnections != 1 || len(fake.conns) != 1 {
		t.Errorf("stats %+v, %d opened: want the one connection back, idle", st, len(fake.conns))
	}
	if _, err := db.ExecContext(ctx, "x"); err != nil {
		t.Fatal(err)
	}
}
