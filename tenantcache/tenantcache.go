// Package tenantcache keeps values per tenant in memory, each read at a
// tenant cache version (svcportal.Tenant.CacheVersion): the number that
// moves, in the same transaction, with every change to what is cached
// (migrations 0082 list the tables). A request carries the version its
// tenant had when it began; a value cached at that version is current, any
// other is read again. So a change made through one instance of the
// portal is seen by every instance at its next request, for the price of
// the one version read each request already makes.
package tenantcache

import (
	"context"
	"sync"

	"github.com/svcportal/svcportal"
)

// Map holds one value of type V per tenant. The zero Map is ready.
type Map[V any] struct {
	mu      sync.RWMutex
	tenants map[int64]entry[V]
}

type entry[V any] struct {
	version int64
	value   V
}

// Get answers the context tenant's value: from memory when it was read at
// the request's version, else from load (whose answer is kept when it has
// no error). Without a version (jobs, the CLI) it always loads. Callers
// must not change what they get: it is shared.
func (c *Map[V]) Get(ctx context.Context, load func(context.Context) (V, error)) (V, error) {
	t := svcportal.TenantFrom(ctx)
	if t == nil || t.CacheVersion == 0 {
		return load(ctx)
	}
	c.mu.RLock()
	e, ok := c.tenants[t.ID]
	c.mu.RUnlock()
	if ok && e.version == t.CacheVersion {
		return e.value, nil
	}
	// Read after the request's version was: at least as new as it.
	v, err := load(ctx)
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tenants == nil {
		c.tenants = map[int64]entry[V]{}
	}
	if cur, ok := c.tenants[t.ID]; !ok || cur.version <= t.CacheVersion {
		c.tenants[t.ID] = entry[V]{version: t.CacheVersion, value: v}
	}
	return v, nil
}

// Keyed holds values per tenant and key (a contact, say), all read at one
// tenant cache version: when the version moves, the tenant's values are
// dropped together. The zero Keyed is ready.
type Keyed[K comparable, V any] struct {
	mu      sync.Mutex
	tenants map[int64]*keyedEntries[K, V]
}

type keyedEntries[K comparable, V any] struct {
	version int64
	values  map[K]V
}

// maxKeys bounds the values kept per tenant: past it the tenant's values
// are dropped and read again as they are asked for.
const maxKeys = 10000

// Get answers the value of key for the context tenant, as Map.Get does.
func (c *Keyed[K, V]) Get(ctx context.Context, key K, load func(context.Context) (V, error)) (V, error) {
	return c.GetFresh(ctx, key, nil, load)
}

// GetFresh is Get for values that also age, for what changes without
// moving the version (an article's views): a value kept is answered only
// while fresh (when not nil) says it may still be, else it is read again
// and kept in its place.
func (c *Keyed[K, V]) GetFresh(ctx context.Context, key K, fresh func(V) bool, load func(context.Context) (V, error)) (V, error) {
	t := svcportal.TenantFrom(ctx)
	if t == nil || t.CacheVersion == 0 {
		return load(ctx)
	}
	c.mu.Lock()
	if e := c.tenants[t.ID]; e != nil && e.version == t.CacheVersion {
		if v, ok := e.values[key]; ok && (fresh == nil || fresh(v)) {
			c.mu.Unlock()
			return v, nil
		}
	}
	c.mu.Unlock()
	v, err := load(ctx)
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tenants == nil {
		c.tenants = map[int64]*keyedEntries[K, V]{}
	}
	e := c.tenants[t.ID]
	switch {
	case e == nil || e.version < t.CacheVersion || len(e.values) >= maxKeys:
		e = &keyedEntries[K, V]{version: t.CacheVersion, values: map[K]V{}}
		c.tenants[t.ID] = e
	case e.version > t.CacheVersion:
		return v, nil // a newer request has moved on: keep its values
	}
	e.values[key] = v
	return v, nil
}
