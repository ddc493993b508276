package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/uptrace/bun"
)

// Group commit. On SQLite every commit waits for the disk
// (synchronous=FULL: an acknowledged write survives a power cut), and
// there is one writer: sixteen people creating tickets at once queued
// for sixteen syncs one after the other, and the writer's time was more
// the disk's than the CPU's (docs/benchmarks.md, "Writes prepared once,
// and one sync for the writes that queued"). Writes that queue while one commits now go into
// the next transaction together, each in a savepoint of its own, and
// are made durable by one commit: a write that fails is rolled back to
// its savepoint and answers its own error, leaving the others as they
// were; none is answered before the commit that holds it. PostgreSQL,
// with its many connections and its own grouping of commits, runs each
// transaction as it is.

// groupCommit is the queue of writes waiting for the next commit.
type groupCommit struct {
	mu sync.Mutex
	// queue are the writes waiting, in the order they came; leading says
	// a writer is committing a batch, or about to.
	queue   []*groupWrite
	leading bool
}

// groupWrite is one write of a batch: its function and the context of
// its request, and where it hears its fate — its error, or that it
// leads the next batch.
type groupWrite struct {
	ctx  context.Context
	fn   func(ctx context.Context, tx bun.Tx) error
	done chan groupResult
}

type groupResult struct {
	err  error
	lead bool
}

// maxGroup is how many writes one commit holds at most: a batch holds
// the writer for as long as its writes take.
const maxGroup = 32

// inTx runs fn in a transaction of the writer, as s.w.RunInTx does; on
// SQLite with the writes that queued beside it (see the top of the file).
// fn must not keep state between calls that a rollback of its savepoint
// would contradict: it runs once, and its error, or the commit's, is the
// answer.
func (s *Store) inTx(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	if s.dialect != SQLite {
		return s.w.RunInTx(ctx, nil, fn)
	}
	g := &s.group
	w := &groupWrite{ctx: ctx, fn: fn, done: make(chan groupResult, 1)}
	g.mu.Lock()
	g.queue = append(g.queue, w)
	if !g.leading {
		g.leading = true
		w.done <- groupResult{lead: true}
	}
	g.mu.Unlock()
	for {
		var r groupResult
		select {
		case r = <-w.done:
		case <-ctx.Done():
			// Gone before its batch: out of the queue, unanswered. Taken
			// into a batch already: its answer comes after the commit.
			if g.withdraw(w) {
				return ctx.Err()
			}
			r = <-w.done
		}
		if !r.lead {
			return r.err
		}
		s.commitGroup()
	}
}

// withdraw takes w out of the queue, if it is still there, passing on
// the lead it may have been given.
func (g *groupCommit) withdraw(w *groupWrite) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	i := slices.Index(g.queue, w)
	if i < 0 {
		return false
	}
	g.queue = slices.Delete(g.queue, i, i+1)
	select {
	case r := <-w.done: // only a lead is sent to a write still queued
		if r.lead {
			g.passLead()
		}
	default:
	}
	return true
}

// passLead gives the lead to the first write waiting, or leaves none
// leading; g.mu is held.
func (g *groupCommit) passLead() {
	if len(g.queue) > 0 {
		g.queue[0].done <- groupResult{lead: true}
	} else {
		g.leading = false
	}
}

// commitGroup runs the queued writes (up to maxGroup) in one transaction
// and answers each, then hands the lead to the first write still
// waiting, if any.
func (s *Store) commitGroup() {
	g := &s.group
	g.mu.Lock()
	n := min(len(g.queue), maxGroup)
	batch := g.queue[:n:n]
	g.queue = g.queue[n:]
	g.mu.Unlock()

	errs := s.runGroup(batch)
	for i, w := range batch {
		w.done <- groupResult{err: errs[i]}
	}

	g.mu.Lock()
	g.passLead()
	g.mu.Unlock()
}

// errGroupRolledBack answers the writes of a batch whose transaction
// SQLite rolled back whole (a disk full, an I/O error): none of them was
// committed.
var errGroupRolledBack = errors.New("store: the transaction was rolled back")

// runGroup runs batch in one transaction, each write in a savepoint, and
// returns each write's error. A write whose request is gone by its turn
// is not run. A write's statements run without its request's
// cancellation: SQLite, interrupted in the middle of a statement, rolls
// back the whole transaction, the other writes' too.
func (s *Store) runGroup(batch []*groupWrite) []error {
	errs := make([]error, len(batch))
	// The writer is waited for as long as a write of the batch still
	// wants it; the transaction, once begun, is the batch's, not one
	// request's: it is committed whatever becomes of the requests.
	wanted, stop := batchContext(batch)
	defer stop()
	conn, err := s.w.Conn(wanted)
	if err != nil {
		for i, w := range batch {
			errs[i] = cmp.Or(w.ctx.Err(), err)
		}
		return errs
	}
	defer conn.Close()
	err = conn.RunInTx(context.Background(), nil, func(_ context.Context, tx bun.Tx) error {
		for i, w := range batch {
			if errs[i] = w.ctx.Err(); errs[i] != nil {
				continue
			}
			ctx := context.WithoutCancel(w.ctx)
			sp := "w" + strconv.Itoa(i)
			if _, err := tx.ExecContext(ctx, "SAVEPOINT "+sp); err != nil {
				return err
			}
			errs[i] = runWrite(ctx, tx, w.fn)
			if errs[i] != nil {
				if _, err := tx.ExecContext(ctx, "ROLLBACK TO "+sp); err != nil {
					// No savepoint left: SQLite rolled the transaction
					// back, the batch's earlier writes with it.
					return fmt.Errorf("%w: %w", errGroupRolledBack, err)
				}
			}
			if _, err := tx.ExecContext(ctx, "RELEASE "+sp); err != nil {
				return fmt.Errorf("%w: %w", errGroupRolledBack, err)
			}
		}
		return nil
	})
	if err != nil {
		// Nothing of the batch was committed: a write that succeeded in
		// its savepoint answers the transaction's error.
		for i := range errs {
			if errs[i] == nil {
				errs[i] = err
			}
		}
	}
	return errs
}

// runWrite runs fn, a panic in it made its error: it runs on another
// request's goroutine, which must go on to answer the batch.
func runWrite(ctx context.Context, tx bun.Tx, fn func(ctx context.Context, tx bun.Tx) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("store: a write panicked: %v\n%s", r, debug.Stack())
		}
	}()
	return fn(ctx, tx)
}

// batchContext is done once every write of batch is gone.
func batchContext(batch []*groupWrite) (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	var left atomic.Int64
	left.Store(int64(len(batch)))
	stops := make([]func() bool, len(batch))
	for i, w := range batch {
		stops[i] = context.AfterFunc(w.ctx, func() {
			if left.Add(-1) == 0 {
				cancel()
			}
		})
	}
	return ctx, func() {
		for _, stop := range stops {
			stop()
		}
		cancel()
	}
}
