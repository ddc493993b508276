package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/svcportal/svcportal"
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
// The index answers the set of matching tickets (an IN list the database
// builds from the index), then the list reads tickets in its order
// (visibility first, see ticket_list.go) and keeps those in the set until
// the page is full. Checking each ticket against the index instead (a
// correlated EXISTS) costs the same for every page but some 30 µs per
// ticket checked in FTS5, so a rare word, or the count, would check every
// visible ticket; the set costs under a microsecond per matching ticket
// of the reader's sites (docs/benchmarks.md, "Word search"). Typed words
// reach FTS5 as the index's words they start (expand). Where the reader
// sees every ticket of the sites searched (a site manager, the desk), the
// total is the index's count of the matches there, up to the cap
// (wordSearch.count): no walk. Otherwise a search's total is counted on
// the page's walk (listQuery.run), so that SQLite builds the set once.

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
// the rest of the installation holds. On SQLite a ticket's document is
// keyed by its site (siteKeys, migration 0230): a site is a range of
// keys, which FTS5 reads alone from each word's list, and a tenant is the
// token "t<tenant>" of the scope column. On PostgreSQL (migration 0230)
// the documents contacts search hold their words qualified by their site
// ('s<site>.<word>'), so that a site's matches are the lists of its own
// words; those staff search, often over a whole tenant, hold them
// qualified by the tenant ('t<tenant>.<word>') with the site's lexeme
// '#s<site>', which a search within sites intersects with.
type searchScope struct {
	tenant int64
	sites  []int64
}

// sitePrefixes are the prefixes of the scope's sites' words in
// PostgreSQL's body documents: "s<site>.".
func (sc searchScope) sitePrefixes() []string {
	out := make([]string, len(sc.sites))
	for i, id := range sc.sites {
		out[i] = "s" + strconv.FormatInt(id, 10) + "."
	}
	return out
}

// siteLexemes is the tsquery of the scope's sites' lexemes in PostgreSQL's
// whole documents: '#s<site>' | ….
func (sc searchScope) siteLexemes() string {
	out := make([]string, len(sc.sites))
	for i, id := range sc.sites {
		out[i] = "'#s" + strconv.FormatInt(id, 10) + "'"
	}
	return strings.Join(out, " | ")
}

// pgArray writes words (of letters, digits and dots) as a PostgreSQL array.
func pgArray(words ...string) string {
	return "{" + strings.Join(words, ",") + "}"
}

// siteKeyShift places a site's documents in SQLite's word index: a
// ticket's document is keyed (site id << siteKeyShift) | ticket id, and
// the ticket id is the key's low bits (ticketOfKey).
const (
	siteKeyShift = 40
	ticketOfKey  = "rowid & 1099511627775" // (1 << siteKeyShift) - 1
)

// siteKeys are the first and last keys of site's documents.
func siteKeys(site int64) (first, last int64) {
	first = site << siteKeyShift
	return first, first | (1<<siteKeyShift - 1)
}

// wordSearch is one request's word search, ready for the index.
type wordSearch struct {
	s            *Store
	words        string // SQLite: FTS5 expression on the columns; PostgreSQL: the typed words
	withInternal bool
}

// maxExpansion is how many words of the index a typed word may start
// before the search leaves the prefix to the index (see expand).
const maxExpansion = 8

// wordSearch prepares the search of term's words; nil when it matches
// nothing: term holds no word (punctuation only), or, on SQLite, a typed
// word starts no word of the index (every word must match: a typo, a
// word nobody wrote), which then costs no read of the index's lists.
func (s *Store) wordSearch(ctx context.Context, term string, withInternal bool) (*wordSearch, error) {
	words := searchTokens(term)
	if len(words) == 0 {
		return nil, nil
	}
	w := &wordSearch{s: s, withInternal: withInternal}
	if s.dialect == Postgres {
		w.words = strings.Join(words, " ") // for ticket_search_query (migrations 0230, 0240)
		return w, nil
	}
	parts, err := s.expand(ctx, words)
	if err != nil || parts == nil {
		return nil, err
	}
	columns := "body"
	if withInternal {
		columns = "{body notes}"
	}
	w.words = columns + " : (" + strings.Join(parts, " AND ") + ")"
	return w, nil
}

// expand writes each typed word as the FTS5 query of the words it
// starts. FTS5 answers a prefix ("printer"*) by merging, in full, the
// lists of every document of the installation that holds a word with
// that start, before the scope narrows them to the reader's sites: 5 ms
// for "printer" at 1,000,000 tickets, whatever the site holds. The same
// words named one by one ("printer" OR "printers") are read only where
// the scope asks. The index's vocabulary (ticket_fts_words, migration
// 0180) names them, one seek per word found, all typed words in one
// statement, as long as a typed word starts at most maxExpansion; beyond,
// or for a word with letters outside ASCII (which the index folds, "café"
// to "cafe", and Go does not here), the prefix is left to the index. nil
// when a typed word starts none of the index's words: no document holds
// it.
func (s *Store) expand(ctx context.Context, words []string) ([]string, error) {
	parts := make([]string, len(words))
	var typed []string
	for i, word := range words {
		parts[i] = `"` + word + `"*` // tokens hold no quote: letters, digits, marks
		if !slices.ContainsFunc([]rune(word), func(r rune) bool { return r >= utf8.RuneSelf }) {
			typed = append(typed, word)
		}
	}
	if len(typed) == 0 {
		return parts, nil
	}
	// The vocabulary lists the index's words in order: from a word, the
	// next one is the first at or after it followed by char(1), which no
	// word holds (letters, digits and marks only).
	var found []struct {
		Word string `bun:"word"`
		Term string `bun:"term"`
	}
	p := s.params()
	query := s.db.NewRaw(`WITH RECURSIVE typed (word) AS (SELECT value FROM json_each(?)),
		found (word, term, n) AS (
			SELECT word, (SELECT v.term FROM ticket_fts_words AS v WHERE v.term >= typed.word LIMIT 1), 1 FROM typed
			UNION ALL
			SELECT word, (SELECT v.term FROM ticket_fts_words AS v WHERE v.term >= found.term || char(1) LIMIT 1), n + 1
			FROM found WHERE substr(found.term, 1, length(found.word)) = found.word AND n <= ?)
		SELECT word, term FROM found WHERE substr(term, 1, length(word)) = word`, p.v(jsonList(typed)), p.v(maxExpansion)).String()
	if err := scanBound(ctx, s.db, query, p, &found); err != nil {
		return nil, fmt.Errorf("words of the index: %w", err)
	}
	for i, word := range words {
		if !slices.Contains(typed, word) {
			continue
		}
		var named []string
		for _, f := range found {
			if f.Word == word {
				named = append(named, `"`+f.Term+`"`)
			}
		}
		switch {
		case len(named) > maxExpansion: // the prefix, as written
		case len(named) == 0:
			return nil, nil
		default:
			parts[i] = "(" + strings.Join(named, " OR ") + ")"
		}
	}
	return parts, nil
}

// jsonList writes words as a JSON array, for json_each.
func jsonList(words []string) string {
	b, _ := json.Marshal(words)
	return string(b)
}

// where limits q (on "tickets AS t", in scope) to the tickets that hold
// every word; w may be nil, for no word: then it matches nothing.
func (w *wordSearch) where(q *bun.SelectQuery, p *params, scope searchScope) *bun.SelectQuery {
	if w == nil {
		return q.Where("1 = 0")
	}
	query, args := w.matches(p, scope, true)
	return q.Where("t.id IN ("+query+")", args...)
}

// matchedTickets selects, as t, the tickets in scope that hold every
// word, read from the index's matches, not from a walk of the tickets
// (see listQuery.sparse); its values are bound to p. SQLite keeps the
// written order of a CROSS JOIN. PostgreSQL's planner, which cannot tell
// a rare word from a common one (the words' query is a subquery's
// value), walked the branch's index in the list's order, checking each
// ticket's document, to spare the sort; an array of the matches' ids,
// computed once, has it read them by primary key instead.
func (w *wordSearch) matchedTickets(p *params, scope searchScope) *bun.SelectQuery {
	query, args := w.matches(p, scope, true)
	if w.s.dialect == Postgres {
		return w.s.db.NewSelect().TableExpr("tickets AS t").Where("t.id = ANY(ARRAY("+query+"))", args...)
	}
	return w.s.db.NewSelect().TableExpr("("+query+") AS m CROSS JOIN tickets AS t", args...).Where("t.id = m.id")
}

// counts counts the tickets of each scope that hold every word, up to
// the cap and one (svcportal.TicketCountCap+1), from the index alone:
// one statement, one count per scope.
func (w *wordSearch) counts(ctx context.Context, scopes []searchScope) ([]int, error) {
	out := make([]int, len(scopes))
	if len(scopes) == 0 {
		return out, nil
	}
	p := w.s.params()
	parts := make([]string, len(scopes))
	for i, scope := range scopes {
		parts[i] = "SELECT " + strconv.Itoa(i) + " AS i, " + w.count(p, scope, svcportal.TicketCountCap+1) + " AS n"
	}
	var rows []struct {
		I int `bun:"i"`
		N int `bun:"n"`
	}
	if err := scanBound(ctx, w.s.db, strings.Join(parts, " UNION ALL "), p, &rows); err != nil {
		return nil, fmt.Errorf("count matches: %w", err)
	}
	for _, r := range rows {
		out[r.I] = r.N
	}
	return out, nil
}

// count is the number of tickets in scope that hold every word, up to
// limit, written with p: read from the index alone, which lists a
// scope's matches without a walk of the tickets (see counts).
//
// On PostgreSQL the words are counted whole first, and as the starts of
// words (what a search matches) only when the whole words stay under
// limit: GIN reads a word whole from its one list, a start by gathering
// the lists of every word with it, and checks again each ticket so found
// (migration 0240). The whole words' tickets are among the starts', so
// past limit the count is the same. PostgreSQL runs the second count
// only when the CASE reaches it.
func (w *wordSearch) count(p *params, scope searchScope, limit int) string {
	n := strconv.Itoa(limit)
	starts, args := w.matches(p, scope, true)
	if w.s.dialect != Postgres {
		return w.s.db.NewRaw("(SELECT COUNT(*) FROM ("+starts+" LIMIT "+n+") AS wc)", args...).String()
	}
	whole, wholeArgs := w.matches(p, scope, false)
	return w.s.db.NewRaw("(SELECT CASE WHEN ww.n >= "+n+" THEN ww.n ELSE (SELECT COUNT(*) FROM ("+starts+" LIMIT "+n+") AS wc) END "+
		"FROM (SELECT COUNT(*) AS n FROM ("+whole+" LIMIT "+n+") AS wl) AS ww)", append(args, wholeArgs...)...).String()
}

// matches selects the ids ("id") of the tickets in scope that hold every word:
// as the start of a word (what a search matches), or, on PostgreSQL
// when starts is false, whole (see count). On SQLite, each site of the
// scope is a range of the index's keys.
func (w *wordSearch) matches(p *params, scope searchScope, starts bool) (string, []any) {
	if w.s.dialect == Postgres {
		// The query is computed once (a subquery), not for each row checked.
		if w.withInternal {
			query := "SELECT ts.ticket_id AS id FROM ticket_search AS ts WHERE ts.whole @@ (SELECT ticket_search_query(?, ?::text[], ?))"
			args := []any{p.v(w.words), p.v(pgArray("t" + strconv.FormatInt(scope.tenant, 10) + ".")), p.v(starts)}
			if len(scope.sites) > 0 {
				query += " AND ts.whole @@ ?::tsquery"
				args = append(args, p.v(scope.siteLexemes()))
			}
			return query, args
		}
		prefixes := "?::text[]"
		args := []any{p.v(w.words), p.v(pgArray(scope.sitePrefixes()...))}
		if len(scope.sites) == 0 { // no contact's branch spans the tenant today
			prefixes, args = "ARRAY(SELECT 's' || s.id || '.' FROM sites AS s WHERE s.tenant_id = ?)", []any{p.v(w.words), p.v(scope.tenant)}
		}
		return "SELECT ts.ticket_id AS id FROM ticket_search AS ts WHERE ts.body @@ (SELECT ticket_search_query(?, " + prefixes + ", ?))", append(args, p.v(starts))
	}
	if len(scope.sites) == 0 {
		return "SELECT " + ticketOfKey + " AS id FROM ticket_fts WHERE ticket_fts MATCH ?",
			[]any{p.v(`scope : "t` + strconv.FormatInt(scope.tenant, 10) + `" AND ` + w.words)}
	}
	parts := make([]string, len(scope.sites))
	args := make([]any, 0, 3*len(scope.sites))
	for i, site := range scope.sites {
		first, last := siteKeys(site)
		parts[i] = "SELECT " + ticketOfKey + " AS id FROM ticket_fts WHERE ticket_fts MATCH ? AND rowid BETWEEN ? AND ?"
		args = append(args, p.v(w.words), p.v(first), p.v(last))
	}
	return strings.Join(parts, " UNION ALL "), args
}

// mergeStepPages is the work of one MergeWordIndex step, in index pages
// written: a few milliseconds on the writer, so that writes queued
// behind a step wait no longer than that.
const mergeStepPages = 100

// MergeWordIndex does one step of merging the word index's segments
// (FTS5's 'merge' command) and reports whether it found work to do.
// Ticket writes leave the merging to it (migration 0210): each write adds
// a small segment, and a write that merged large ones in its own
// transaction held every other writer back. PostgreSQL's index needs
// nothing of the kind: false at once.
func (s *Store) MergeWordIndex(ctx context.Context) (bool, error) {
	if s.dialect != SQLite {
		return false, nil
	}
	var worked bool
	err := s.w.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		// FTS5 tells whether a merge did anything only through the
		// connection's count of changes (two or more: it did).
		var before, after int64
		if err := tx.NewRaw("SELECT total_changes()").Scan(ctx, &before); err != nil {
			return err
		}
		if _, err := tx.NewRaw("INSERT INTO ticket_fts (ticket_fts, rank) VALUES ('merge', ?)", mergeStepPages).Exec(ctx); err != nil {
			return fmt.Errorf("merge the word index: %w", err)
		}
		if err := tx.NewRaw("SELECT total_changes()").Scan(ctx, &after); err != nil {
			return err
		}
		worked = after-before >= 2
		return nil
	})
	return worked, err
}
