package web

import (
	"html/template"
	"sync"
)

// memo keeps HTML computed from keys that always compute the same HTML
// (a Markdown source, a fragment's data), so that nothing it keeps is
// ever stale. It is bounded by size: a value counts its bytes and its
// key's, as its caller weighs them; when what it keeps would pass max it
// starts over, and a value over maxEntry is not kept.
type memo[K comparable] struct {
	max, maxEntry int

	mu   sync.RWMutex
	m    map[K]template.HTML
	size int
}

func newMemo[K comparable](max, maxEntry int) *memo[K] {
	return &memo[K]{max: max, maxEntry: maxEntry, m: map[K]template.HTML{}}
}

func (c *memo[K]) get(k K) (template.HTML, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	h, ok := c.m[k]
	return h, ok
}

// put keeps h for k; n is what they weigh together.
func (c *memo[K]) put(k K, h template.HTML, n int) {
	if n > c.maxEntry {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[k]; ok {
		return
	}
	if c.size+n > c.max {
		clear(c.m)
		c.size = 0
	}
	c.m[k] = h
	c.size += n
}
