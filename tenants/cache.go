package tenants

import (
	"context"
	"maps"
	"slices"
	"sync"

	"github.com/svcportal/svcportal"
)

// WithCache keeps resolved tenants in memory: a request then costs one
// primary-key read of the tenant's cache version (versions) instead of
// reading the tenant and its hosts. A change to the tenant, through any
// instance, moves the version in its own transaction, so the next request
// of every instance reads the tenant again. The version read is also the
// request's (Tenant.CacheVersion), which the other caches check.
func WithCache(versions svcportal.TenantVersions) Option {
	return func(s *Service) { s.cache = &hostCache{versions: versions, hosts: map[string]*svcportal.Tenant{}} }
}

// maxCachedHosts bounds the cache; only hosts that did resolve to a
// tenant are kept, so it grows with the platform's tenants, not with what
// clients send.
const maxCachedHosts = 10000

// hostCache maps a host to its tenant as read at a cache version.
type hostCache struct {
	versions svcportal.TenantVersions
	mu       sync.RWMutex
	hosts    map[string]*svcportal.Tenant
}

// resolve answers the tenant of host from the cache, or load's answer,
// stamped with the tenant's current cache version.
func (c *hostCache) resolve(ctx context.Context, host string, load func() (*svcportal.Tenant, error)) (*svcportal.Tenant, error) {
	c.mu.RLock()
	t := c.hosts[host]
	c.mu.RUnlock()
	if t != nil {
		v, err := c.versions.TenantCacheVersion(ctx, t.ID)
		switch {
		case err == nil && v == t.CacheVersion:
			return cloneTenant(t), nil
		case err != nil && svcportal.KindOf(err) != svcportal.KindNotFound:
			return nil, err
		}
	}
	t, err := load()
	if err != nil {
		c.forget(host)
		return nil, err
	}
	v, err := c.versions.TenantCacheVersion(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	// Read once more after the version: what is cached is at least as
	// new as the version it is cached under, never older (a change that
	// landed between the first read and the version would otherwise be
	// lost until the next one).
	if t, err = load(); err != nil {
		return nil, err
	}
	t.CacheVersion = v
	c.mu.Lock()
	if len(c.hosts) >= maxCachedHosts {
		clear(c.hosts)
	}
	c.hosts[host] = t
	c.mu.Unlock()
	return cloneTenant(t), nil
}

func (c *hostCache) forget(host string) {
	c.mu.Lock()
	delete(c.hosts, host)
	c.mu.Unlock()
}

// cloneTenant copies t so that a request may change its copy (a settings
// form does) without touching the cached one.
func cloneTenant(t *svcportal.Tenant) *svcportal.Tenant {
	c := *t
	c.EnabledLocales = slices.Clone(t.EnabledLocales)
	c.TicketTypes = slices.Clone(t.TicketTypes)
	c.Domains = slices.Clone(t.Domains)
	c.WelcomeEmail = maps.Clone(t.WelcomeEmail)
	if t.DisabledAt != nil {
		at := *t.DisabledAt
		c.DisabledAt = &at
	}
	c.ServiceHours.Week = maps.Clone(t.ServiceHours.Week)
	for day, spans := range c.ServiceHours.Week {
		c.ServiceHours.Week[day] = slices.Clone(spans)
	}
	c.ServiceHours.Holidays = slices.Clone(t.ServiceHours.Holidays)
	c.ServiceHours.FirstResponse = maps.Clone(t.ServiceHours.FirstResponse)
	c.TicketTypeDescriptions = maps.Clone(t.TicketTypeDescriptions)
	for typ, texts := range c.TicketTypeDescriptions {
		c.TicketTypeDescriptions[typ] = maps.Clone(texts)
	}
	return &c
}
