package web

import (
	"bytes"
	"html"
	"html/template"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// markdown renders CommonMark with tables, strikethrough, autolinks and
// task lists. Raw HTML in the source is not rendered (goldmark's default),
// and the output goes through bluemonday's UGC policy anyway, so no
// script, style or event handler written by a client or agent survives.
var (
	markdown = goldmark.New(goldmark.WithExtensions(extension.GFM))
	sanitize = func() *bluemonday.Policy {
		p := bluemonday.UGCPolicy()
		p.RequireNoFollowOnLinks(true)
		p.AddTargetBlankToFullyQualifiedLinks(true)
		return p
	}()
)

// Markdown renders src as safe HTML.
func Markdown(src string) template.HTML {
	if h, ok := rendered.get(src); ok {
		return h
	}
	var buf bytes.Buffer
	if err := markdown.Convert([]byte(src), &buf); err != nil {
		return template.HTML(template.HTMLEscapeString(src))
	}
	h := template.HTML(sanitize.SanitizeBytes(buf.Bytes()))
	rendered.put(src, h)
	return h
}

// rendered keeps Markdown already rendered, source → HTML: a ticket's
// page renders every message of the ticket on every view, and goldmark
// with the sanitizer was 8 % of that page's CPU; articles are read far
// more often than they change. The same source always renders the same,
// so nothing is ever stale. Bounded by size: when what it keeps would
// pass markdownCacheBytes it starts over, and a source over
// markdownCachedMax is not kept.
var rendered = &markdownCache{m: map[string]template.HTML{}}

const (
	markdownCacheBytes = 16 << 20
	markdownCachedMax  = 64 << 10
)

type markdownCache struct {
	mu   sync.RWMutex
	m    map[string]template.HTML
	size int
}

func (c *markdownCache) get(src string) (template.HTML, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	h, ok := c.m[src]
	return h, ok
}

func (c *markdownCache) put(src string, h template.HTML) {
	n := len(src) + len(h)
	if len(src) > markdownCachedMax {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[src]; ok {
		return
	}
	if c.size+n > markdownCacheBytes {
		clear(c.m)
		c.size = 0
	}
	c.m[src] = h
	c.size += n
}

// plain strips every tag from rendered Markdown.
var plain = bluemonday.StrictPolicy()

// MarkdownText is src as the plain text it renders to, on one line, cut
// at a word to at most n runes (with an ellipsis): a page's description.
func MarkdownText(src string, n int) string {
	var buf bytes.Buffer
	if err := markdown.Convert([]byte(src), &buf); err != nil {
		return ""
	}
	text := strings.Join(strings.Fields(html.UnescapeString(plain.Sanitize(buf.String()))), " ")
	if utf8.RuneCountInString(text) <= n {
		return text
	}
	r := []rune(text)[:n]
	if i := strings.LastIndexByte(string(r), ' '); i > 0 {
		return string(r)[:i] + "…"
	}
	return string(r) + "…"
}
