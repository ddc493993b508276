package testkit

import (
	"context"
	"sync"

	"github.com/uptrace/bun"
)

// QueryLog records every statement a store runs, as a bun query hook on
// all of its connections (store.Store.AddQueryHook).
type QueryLog struct {
	mu      sync.Mutex
	queries []string
}

// BeforeQuery implements bun.QueryHook.
func (l *QueryLog) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }

// AfterQuery implements bun.QueryHook.
func (l *QueryLog) AfterQuery(_ context.Context, e *bun.QueryEvent) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.queries = append(l.queries, e.Query)
}

// During runs fn and answers the statements it ran.
func (l *QueryLog) During(fn func()) []string {
	l.mu.Lock()
	l.queries = nil
	l.mu.Unlock()
	fn()
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.queries
}
