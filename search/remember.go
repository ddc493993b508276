package search

import (
	"strconv"
	"strings"
	"sync"

	"github.com/svcportal/svcportal"
)

// remembered keeps the hits of recent searches of one embedded index, so
// that the same keystrokes typed again ("pas", "pass", "passw" by every
// reader looking for their password) are answered without scoring the
// index's matches again. A search's hits depend on nothing but its query
// and what the index holds, and every change of the index starts the
// memory over (forget), so nothing it answers is ever staler than the
// index itself. It is bounded by size; when full it starts over.
//
// Only the embedded index remembers: it alone knows each change of what
// it holds (the process holding it is its only writer). A Typesense
// server or PostgreSQL's documents are written by every instance.
type remembered struct {
	mu   sync.RWMutex
	gen  uint64 // changes of the index seen; a search started before one is not kept
	m    map[string][]svcportal.ArticleHit
	size int
}

// Bounds of what an index remembers: 4 MB in all (about a thousand
// searches of eight hits with their excerpts).
const (
	rememberMax   = 4 << 20
	rememberEntry = 64 << 10
)

// queryKey is q written out whole: two queries with the same key find
// the same hits.
func queryKey(q svcportal.ArticleQuery) string {
	var b strings.Builder
	b.Grow(48 + len(q.Text) + 8*len(q.SiteIDs))
	b.WriteString(strconv.FormatInt(q.TenantID, 10))
	b.WriteByte('/')
	b.WriteString(q.Lang)
	b.WriteByte('/')
	b.WriteString(q.Fallback)
	b.WriteByte('/')
	b.WriteString(strconv.FormatBool(q.Public))
	b.WriteByte('/')
	b.WriteString(strconv.Itoa(q.Limit))
	for _, s := range q.SiteIDs {
		b.WriteByte(',')
		b.WriteString(strconv.FormatInt(s, 10))
	}
	b.WriteByte('/')
	b.WriteString(q.Text)
	return b.String()
}

// get returns a copy of the hits kept for key, and the generation a
// search started now belongs to.
func (r *remembered) get(key string) ([]svcportal.ArticleHit, uint64, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	hits, ok := r.m[key]
	if ok {
		hits = append([]svcportal.ArticleHit{}, hits...)
	}
	return hits, r.gen, ok
}

// put keeps hits for key when no change of the index came since the
// search began (gen, from get).
func (r *remembered) put(gen uint64, key string, hits []svcportal.ArticleHit) {
	n := len(key) + 64
	for _, h := range hits {
		n += 96 + len(h.Title) + len(h.Excerpt) + len(h.Slug) + len(h.Locale)
	}
	if n > rememberEntry {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if gen != r.gen {
		return
	}
	if r.m == nil || r.size+n > rememberMax {
		r.m, r.size = map[string][]svcportal.ArticleHit{}, 0
	}
	r.m[key] = append([]svcportal.ArticleHit{}, hits...)
	r.size += n
}

// forget starts over after a change of the index.
func (r *remembered) forget() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.gen++
	r.m, r.size = nil, 0
}
