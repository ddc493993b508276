package accounts

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/svcportal/svcportal"
)

// sessionCache keeps signed-in principals (session, contact or staff
// member with memberships) by session id, each read at a tenant cache
// version (svcportal.Tenant.CacheVersion). Ending a session, and any
// change to a contact, a membership or a staff member, moves the tenant's
// version in its own transaction (migrations 0082), so every instance
// stops trusting what it cached at the next request; expiry is checked
// against the cached time, and a session that looks expired is read
// again (another instance may have extended it).
type sessionCache struct {
	mu      sync.Mutex
	entries map[string]*cachedSession
}

type cachedSession struct {
	version int64
	p       svcportal.Principal
}

// maxCachedSessions bounds the cache; when full it starts over, which
// costs one read per signed-in reader.
const maxCachedSessions = 20000

func (c *sessionCache) get(id string, version int64, now time.Time) *svcportal.Principal {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entries[id]
	if e == nil || e.version != version || !e.p.Session.ExpiresAt.After(now) {
		return nil
	}
	return clonePrincipal(&e.p)
}

func (c *sessionCache) put(version int64, p *svcportal.Principal) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) >= maxCachedSessions {
		c.entries = map[string]*cachedSession{}
	}
	if cur := c.entries[p.Session.ID]; cur != nil && cur.version > version {
		return
	}
	c.entries[p.Session.ID] = &cachedSession{version: version, p: *clonePrincipal(p)}
}

// touched records a session's new last use and expiry.
func (c *sessionCache) touched(id string, lastSeen, expires time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.entries[id]; e != nil {
		s := *e.p.Session
		s.LastSeenAt, s.ExpiresAt = lastSeen, expires
		e.p.Session = &s
	}
}

// clonePrincipal copies p deeply enough that a request may change its
// copy without touching the cached one.
func clonePrincipal(p *svcportal.Principal) *svcportal.Principal {
	c := *p
	if p.Session != nil {
		s := *p.Session
		c.Session = &s
	}
	if p.Contact != nil {
		ct := *p.Contact
		ct.Memberships = slices.Clone(p.Contact.Memberships)
		c.Contact = &ct
	}
	if p.Staff != nil {
		st := *p.Staff
		c.Staff = &st
	}
	return &c
}

// cachedPrincipal answers the principal of session id from the cache
// when it holds it at the request's tenant version.
func (s *Service) cachedPrincipal(ctx context.Context, id, kind string, now time.Time) *svcportal.Principal {
	t := svcportal.TenantFrom(ctx)
	if t == nil || t.CacheVersion == 0 {
		return nil
	}
	p := s.sessions.get(id, t.CacheVersion, now)
	if p == nil || p.Kind != kind || p.Session.TenantID != t.ID {
		return nil
	}
	return p
}

// cachePrincipal keeps p, read during a request at the tenant's version.
func (s *Service) cachePrincipal(ctx context.Context, p *svcportal.Principal) {
	if t := svcportal.TenantFrom(ctx); t != nil && t.CacheVersion != 0 && p.Session != nil {
		s.sessions.put(t.CacheVersion, p)
	}
}
