package store

import (
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/uptrace/bun"
)

// Word search on tickets goes through a full-text index kept by triggers
// in the writing transaction (migrations 0081): FTS5 on SQLite, a
// tsvector with GIN indexes on PostgreSQL. A ticket's document has two
// parts: what a contact may read (title, description, public messages)
// and the internal notes; a contact's search looks in the first only, so
// it never tells that a note holds a word. Each word of the query must be
// in the ticket, as a word or the start of one ("print" finds "printer").
//
// The index answers the set of matching tickets once per statement (an
// IN list the database builds from the index), then the list reads
// tickets in its order (visibility first, see ticket_list.go) and keeps
// those in the set until the page is full. Checking each ticket against
// the index instead (a correlated EXISTS) costs the same for every page
// but some 30 µs per ticket checked in FTS5, so a rare word, or the
// count, would check every visible ticket; the set costs about 0.15 µs
// per matching ticket (docs/benchmarks.md).

// searchTokens splits text into the words the full-text index holds:
// runs of letters, digits and marks, lower-cased, as FTS5's unicode61
// tokenizer and PostgreSQL's parser cut them.
func searchTokens(text string) []string {
	fields := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r)
	})
	out := fields[:0]
	for _, f := range fields {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// searchScope says where a word search looks: the tickets of sites, or
// of the tenant for none. The index answers only the tickets of the
// scope, so the set it builds is as large as the matches there, whatever
// the rest of the installation holds: on SQLite the scope column of a
// ticket's document holds "t<tenant> s<site>"; on PostgreSQL its
// documents hold the lexemes '#t<tenant>' and '#s<site>' (migration
// 0160), which no typed word matches, even as a prefix, since the words
// are letters and digits.
type searchScope struct {
	tenant int64
	sites  []int64
}

// ids are the scope's tokens: "t<tenant>", or "s<site>" for each site.
func (sc searchScope) ids() []string {
	if len(sc.sites) == 0 {
		return []string{"t" + strconv.FormatInt(sc.tenant, 10)}
	}
	out := make([]string, len(sc.sites))
	for i, id := range sc.sites {
		out[i] = "s" + strconv.FormatInt(id, 10)
	}
	return out
}

// fts5 is the scope as an FTS5 query on the scope column.
func (sc searchScope) fts5() string {
	ids := sc.ids()
	for i, id := range ids {
		ids[i] = `"` + id + `"`
	}
	return "scope : (" + strings.Join(ids, " OR ") + ")"
}

// tsquery is the scope as a PostgreSQL tsquery.
func (sc searchScope) tsquery() string {
	ids := sc.ids()
	for i, id := range ids {
		ids[i] = "'#" + id + "'"
	}
	return strings.Join(ids, " | ")
}

// matchWords limits q (on "tickets AS t") to tickets that hold every word
// of term; internal notes count only when withInternal. scope is the
// searchScope of q's tickets.
func (s *Store) matchWords(q *bun.SelectQuery, term string, withInternal bool, scope searchScope) *bun.SelectQuery {
	words := searchTokens(term)
	if len(words) == 0 {
		return q.Where("1 = 0") // punctuation only: no word to find
	}
	if s.dialect == Postgres {
		parts := make([]string, len(words))
		for i, w := range words {
			parts[i] = w + ":*"
		}
		column := "body"
		if withInternal {
			column = "whole"
		}
		return q.Where("t.id IN (SELECT ts.ticket_id FROM ticket_search AS ts WHERE ts."+column+
			" @@ (to_tsquery('simple', ?) && ?::tsquery))", strings.Join(parts, " & "), scope.tsquery())
	}
	parts := make([]string, len(words))
	for i, w := range words {
		parts[i] = `"` + w + `"*` // tokens hold no quote: letters, digits, marks
	}
	expr := "{body notes} : (" + strings.Join(parts, " AND ") + ")"
	if !withInternal {
		expr = "body : (" + strings.Join(parts, " AND ") + ")"
	}
	return q.Where("t.id IN (SELECT rowid FROM ticket_fts WHERE ticket_fts MATCH ?)", scope.fts5()+" AND "+expr)
}
