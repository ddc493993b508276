package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/svcportal/svcportal/store"
)

// Leases of the background jobs that must run in one process of the
// installation at a time. Mail delivery needs none: each message is
// claimed by one process (store.ClaimDueEmails), so every instance
// delivers, and none twice.
const (
	LeaseIndex     = "search-index"
	LeaseAutoClose = "auto-close"
	// leaseTTL is how long a lease lasts unless renewed: how soon another
	// instance takes over the job of one that died.
	leaseTTL = 30 * time.Second
	// leaseEvery is how often a holder renews, and others try to take
	// over.
	leaseEvery = 5 * time.Second
)

// holderID names this process in the leases it holds.
func holderID() string {
	host, _ := os.Hostname()
	b := make([]byte, 4)
	rand.Read(b)
	return fmt.Sprintf("%s:%d:%s", host, os.Getpid(), hex.EncodeToString(b))
}

// indexHolder tracks whether this process holds the search index.
type indexHolder struct {
	mu      sync.Mutex // serialises taking and giving up
	held    atomic.Bool
	renewed time.Time // of the lease, while held
}

// TakeIndex takes the search index if no other process holds it, or
// renews this process's lease: it opens the index and, when it is new (or,
// embedded on PostgreSQL, was not kept by this instance), queues its
// rebuild; the caller applies the queue. It reports whether this process
// holds the index now. An app built with Config.Index always does.
func (a *App) TakeIndex(ctx context.Context) (bool, error) {
	if a.Index == nil {
		return true, nil
	}
	a.index.mu.Lock()
	defer a.index.mu.Unlock()
	if a.index.held.Load() && time.Since(a.index.renewed) < leaseEvery {
		return true, nil // renewed lately: spare the database a write a second
	}
	ok, err := a.Store.AcquireLease(ctx, LeaseIndex, a.holder, leaseTTL)
	if err != nil || !ok {
		a.loseIndex()
		return false, err
	}
	a.index.renewed = time.Now()
	if a.index.held.Load() {
		return true, nil
	}
	created, err := a.Index.Open(ctx)
	if err != nil {
		a.Store.ReleaseLease(context.WithoutCancel(ctx), LeaseIndex, a.holder)
		return false, fmt.Errorf("open search index %s: %w", a.Index.Where(), err)
	}
	// Embedded on PostgreSQL, each instance has its own folder: the one
	// taking over was not kept up to date while another held the lease.
	if created || (a.Index.Embedded() && a.Store.Dialect() == store.Postgres) {
		a.log.Info("building the search index", "index", a.Index.Where())
		if _, err := a.KB.QueueRebuild(ctx); err != nil {
			return false, err
		}
	}
	a.index.held.Store(true)
	return true, nil
}

// loseIndex closes the embedded index after the lease went to another
// process (it was not renewed in time).
func (a *App) loseIndex() {
	if a.index.held.Swap(false) {
		a.log.Warn("search index lease lost", "index", a.Index.Where())
		a.Index.Release()
	}
}

// ReleaseIndex gives the index up, so that another process takes it over
// at once.
func (a *App) ReleaseIndex(ctx context.Context) error {
	if a.Index == nil {
		return nil
	}
	a.index.mu.Lock()
	defer a.index.mu.Unlock()
	if !a.index.held.Swap(false) {
		return nil
	}
	err := a.Index.Release()
	if rerr := a.Store.ReleaseLease(ctx, LeaseIndex, a.holder); err == nil {
		err = rerr
	}
	return err
}

// holdsIndex tells the knowledge base whether to apply its changes at once.
func (a *App) holdsIndex() bool { return a.Index == nil || a.index.held.Load() }

// SyncIndex brings the index up to what the database holds now: this
// process applies the queue itself when it can take the index (no server
// runs), otherwise it waits for the holder to apply it, telling waiting
// how many changes are left. progress follows tenant rebuilds applied
// here; here reports whether this process applied it.
func (a *App) SyncIndex(ctx context.Context, progress func(tenant string, done, total int), waiting func(left int)) (here bool, err error) {
	last, err := a.Store.SearchQueueLast(ctx)
	if err != nil {
		return false, err
	}
	for {
		held, err := a.TakeIndex(ctx)
		if err != nil {
			return false, err
		}
		if held {
			_, err := a.KB.ApplyQueue(ctx, progress)
			return true, err
		}
		left, err := a.Store.SearchQueuedUpTo(ctx, last)
		if err != nil || left == 0 {
			return false, err
		}
		waiting(left)
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// runIndex keeps the index while this process holds its lease (renewing
// it, applying the queue) and tries to take it over otherwise, until ctx
// ends; then it gives it up.
func (a *App) runIndex(ctx context.Context) {
	defer a.ReleaseIndex(context.WithoutCancel(ctx))
	a.every(ctx, time.Second, "search index", func(ctx context.Context) error {
		held, err := a.TakeIndex(ctx)
		if err != nil || !held {
			return err
		}
		_, err = a.KB.ApplyQueue(ctx, nil)
		return err
	})
}

// mergeWordIndex merges the tickets' word index while there is work
// (store.MergeWordIndex), a step at a time with a pause between steps,
// so that the requests that queued for the writer during a step go
// before the next; at most mergeSteps steps a round. Instances may run it
// side by side: each step is one write transaction, and a step with
// nothing to merge does nothing.
func (a *App) mergeWordIndex(ctx context.Context) error {
	for range mergeSteps {
		more, err := a.Store.MergeWordIndex(ctx)
		if err != nil || !more {
			return err
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(mergePause):
		}
	}
	return nil
}

const (
	mergeSteps = 200
	mergePause = 20 * time.Millisecond
)

// runLeased runs job every interval while this process holds the lease
// name, until ctx ends.
func (a *App) runLeased(ctx context.Context, name string, interval time.Duration, job func(ctx context.Context) error) {
	defer a.Store.ReleaseLease(context.WithoutCancel(ctx), name, a.holder)
	var last time.Time
	a.every(ctx, leaseEvery, name, func(ctx context.Context) error {
		ok, err := a.Store.AcquireLease(ctx, name, a.holder, leaseTTL)
		if err != nil || !ok || time.Since(last) < interval {
			return err
		}
		last = time.Now()
		return a.whileLeased(ctx, name, job)
	})
}

// whileLeased runs job, renewing the lease name every leaseEvery while it
// runs (auto-close works through a backlog in paced batches, which may
// outlast leaseTTL); if the lease is lost, job's context ends, so that no
// two processes run it at once for long.
func (a *App) whileLeased(ctx context.Context, name string, job func(ctx context.Context) error) error {
	jctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	defer close(done)
	go func() {
		tick := time.NewTicker(leaseEvery)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-jctx.Done():
				return
			case <-tick.C:
				if ok, err := a.Store.AcquireLease(jctx, name, a.holder, leaseTTL); (err != nil || !ok) && jctx.Err() == nil {
					a.log.Warn("job lease lost while running", "job", name, "err", err)
					cancel()
					return
				}
			}
		}
	}()
	return job(jctx)
}

// every calls round at once and then every interval until ctx ends,
// logging failures and counting runs (metrics).
func (a *App) every(ctx context.Context, interval time.Duration, job string, round func(ctx context.Context) error) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		err := round(ctx)
		a.jobRan(job, err)
		if err != nil && ctx.Err() == nil {
			a.log.Error("job round failed", "job", job, "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
