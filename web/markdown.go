package web

import (
	"bytes"
	"html"
	"html/template"
	"strings"
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
	rendered.put(src, h, len(src)+len(h))
	return h
}

// rendered keeps Markdown already rendered, source → HTML: a ticket's
// page renders every message of the ticket on every view, and goldmark
// with the sanitizer was 8 % of that page's CPU; articles are read far
// more often than they change. The same source always renders the same,
// so nothing is ever stale. Bounded by size (16 MB of sources and HTML),
// a source and its HTML over 128 KB not kept.
var rendered = newMemo[string](16<<20, 128<<10)

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
