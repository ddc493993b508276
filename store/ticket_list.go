package store

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/uptrace/bun"

	"github.com/svcportal/svcportal"
)

// Ticket lists cost the same at a thousand tickets and at a million: a page
// is read from indexes in its order and the reading stops once the page is
// full (docs/benchmarks.md has the figures, migrations 0080 the indexes).
//
// The visibility rule of SPEC.md ("Who sees which ticket on the portal")
// is an OR of four cases, and one OR cannot be read from one index in
// order: the database would gather every visible ticket, then sort. So a
// contact's list is a UNION ALL of disjoint branches, each of one site and
// one case — a managed site, their own tickets in a site, the tickets
// shared with a site, their CC — each an ordered scan of an index that
// stops at the page's end, merged by the sort key. Pages deeper than the
// first few use a cursor (keyset pagination: "after this ticket"), so
// page 400 costs what page 1 costs.
//
// Totals are counted up to svcportal.TicketCountCap and no further, each
// branch stopping at the cap: a list of a hundred thousand tickets says
// "1,000+" for the price of a thousand index entries. A branch that is
// every ticket of its sites, filtered by status at most (a site manager's
// site, the desk's), is counted from the dashboard's backlog counters
// instead (tickets per site and status, which every ticket write keeps
// already: countWalks); under words alone, from the word index's count
// of the matches in its sites (ticket_search.go). Counters cannot serve
// the other filters (unread, fields are per request, words with them), so
// those branches walk.

// ticketColumns selects every column of the Ticket model from "tickets AS
// t" (not t.*: the table has columns, like the generated
// contact_activity_at, that the model does not).
func (s *Store) ticketColumns() string {
	return s.modelColumns(reflect.TypeFor[svcportal.Ticket](), "t")
}

// modelColumns selects every column of the model of type typ from the
// table as alias. On SQLite a time column is read as the text it holds
// ("+", a no-op, makes it an expression, which has no declared type), for
// bun to parse: modernc's driver parses a column declared TIMESTAMP itself,
// trying time.Time.String()'s layout before ours each time, and building
// the error of the failed try cost a tenth of a ticket list's time.
func (s *Store) modelColumns(typ reflect.Type, alias string) string {
	key := modelColumnsKey{s.dialect, typ, alias}
	if cols, ok := modelColumnLists.Load(key); ok {
		return cols.(string)
	}
	var cols []string
	for _, f := range s.db.Dialect().Tables().Get(typ).Fields {
		if f.IndirectType == reflect.TypeFor[time.Time]() {
			cols = append(cols, s.timeText(alias+"."+f.Name)+" AS "+f.Name)
			continue
		}
		cols = append(cols, alias+"."+f.Name)
	}
	list := strings.Join(cols, ", ")
	modelColumnLists.Store(key, list)
	return list
}

// timeText is column, a time, as bun should read it: on SQLite its text,
// for bun to parse (see modelColumns).
func (s *Store) timeText(column string) string {
	if s.dialect == SQLite {
		return "+" + column
	}
	return column
}

type modelColumnsKey struct {
	dialect string
	typ     reflect.Type
	alias   string
}

// modelColumnLists are modelColumns by modelColumnsKey.
var modelColumnLists sync.Map

// listQuery is one list request: the filter, the reader, and the order.
type listQuery struct {
	s            *Store
	tid          int64
	f            svcportal.TicketFilter
	readerKind   string
	readerID     int64
	withInternal bool
	text         textSearch // f.Query, read (run)
	// matched is, for a word search, the number of matches in the
	// sites of each branch that reads tickets (by scopeKey), up to the
	// cap and one (run): a branch whose sites hold no more than the cap
	// is read from its matches (sparse).
	matched map[string]int
	order   string // "updated", "number" or "priority"
	desc    bool
}

// branch is one part of a list: a condition on "tickets AS t" and the
// sort key of its rows. Branches of one list are disjoint.
type branch struct {
	where string
	args  []any
	key   string
	sites []int64 // the sites its tickets may be in; nil: any of the tenant's
	// whole: the branch is every ticket of its sites (of the tenant for
	// none), so that its total is the backlog's counters (countWalks).
	whole bool
	// from is what the branch reads ("tickets AS t" when empty): a
	// branch of few tickets found elsewhere (a contact's CC) names the
	// table that finds them first.
	from string
}

func (s *Store) newList(tid int64, f svcportal.TicketFilter, readerKind string, readerID int64, withInternal bool) *listQuery {
	l := &listQuery{s: s, tid: tid, f: f, readerKind: readerKind, readerID: readerID, withInternal: withInternal}
	sort := f.Sort
	if sort == "" {
		sort = "-updated"
	}
	l.order, l.desc = strings.TrimPrefix(sort, "-"), strings.HasPrefix(sort, "-")
	switch l.order {
	case "updated", "number", "priority":
	case "created":
		// Numbers are given in creation order: the same order, and an
		// index that ends in the number serves it.
		l.order = "number"
	default:
		l.order, l.desc = "updated", true
	}
	if l.f.PerPage <= 0 {
		l.f.PerPage = 25
	}
	l.f.PerPage = min(l.f.PerPage, 100)
	l.f.Page = max(l.f.Page, 1)
	return l
}

// siteKey is the sort key of tickets of one site for this reader.
func (l *listQuery) siteKey(site int64) string {
	switch l.order {
	case "number":
		return "t.number"
	case "priority":
		return l.mixedKey()
	}
	if l.f.Within == nil {
		return "t.updated_at"
	}
	// A contact's updated_at, as tickets.ContactUpdatedAt has it: the
	// last public message, or the last status change where they see the
	// status; never a change they may not see.
	if slices.Contains(l.f.Within[svcportal.FieldKeyStatus], site) {
		return "t.contact_activity_at"
	}
	return "t.last_public_at"
}

// mixedKey is the sort key of a branch that spans sites.
func (l *listQuery) mixedKey() string {
	switch l.order {
	case "number":
		return "t.number"
	case "priority":
		expr := "CASE t.priority WHEN 'urgent' THEN 4 WHEN 'high' THEN 3 WHEN 'normal' THEN 2 WHEN 'low' THEN 1 ELSE 0 END"
		if l.f.Within != nil {
			// Where the reader does not see the field, every ticket sorts
			// alike (then by number), so the order tells nothing of it.
			expr = "CASE WHEN t.site_id IN (" + siteList(l.f.Within["priority"]) + ") THEN " + expr + " ELSE 0 END"
		}
		return expr
	}
	if l.f.Within == nil {
		return "t.updated_at"
	}
	return "CASE WHEN t.site_id IN (" + siteList(l.f.Within[svcportal.FieldKeyStatus]) + ") THEN t.contact_activity_at ELSE t.last_public_at END"
}

// cursor is the keyset bound of the page, when the filter has one.
func (l *listQuery) cursor() (key any, number int64, before bool, ok bool) {
	c, before := l.f.After, false
	if c == "" {
		c, before = l.f.Before, true
	}
	if c == "" || l.order == "priority" {
		return nil, 0, false, false
	}
	k, n, ok := svcportal.ParseTicketCursor(c)
	if !ok {
		return nil, 0, false, false
	}
	if l.order == "updated" {
		return time.UnixMicro(k).UTC(), n, before, true
	}
	return k, n, before, true
}

// branchQuery selects the id and sort key of b's tickets that pass the
// filter, in the page's order, at most limit (0: all), its values bound
// to p.
func (l *listQuery) branchQuery(p *params, b branch, limit int, ordered bool) (*bun.SelectQuery, error) {
	scope := searchScope{l.tid, b.sites}
	q, text := l.s.db.NewSelect().TableExpr("tickets AS t"), l.text
	switch {
	case l.sparse(b):
		q, text = l.text.words.matchedTickets(p, scope), textSearch{} // the matches are what it reads
	case b.from != "":
		q = l.s.db.NewSelect().TableExpr(b.from)
	}
	q = q.ColumnExpr("t.id AS id").ColumnExpr(b.key+" AS k").ColumnExpr("t.number AS n").
		Where("t.tenant_id = ?", p.v(l.tid)).Where(b.where, p.vs(b.args...)...)
	if len(l.f.Status) > 0 {
		q = q.Where(within(l.f, svcportal.FieldKeyStatus, builtinColumns[svcportal.FieldKeyStatus]+" IN (?)"), bun.In(l.f.Status))
	}
	q, err := l.s.filterTickets(q, p, l.f, l.readerKind, l.readerID, text, scope)
	if err != nil {
		return nil, err
	}
	if !ordered {
		return q.Limit(int64(limit)), nil
	}
	before := false
	if key, number, back, ok := l.cursor(); ok {
		before = back
		q = q.Where(l.after(b.key, before), p.v(key), p.v(number))
	}
	return q.OrderExpr(l.orderBy("k", "n", before)).Limit(int64(limit)), nil
}

// orderBy is the list's order on key k, then number n: ties go by number
// descending whatever the direction (the newer ticket first), so that the
// order tells nothing of a key the reader may not see. A page before a
// cursor is read in the opposite order, then turned.
func (l *listQuery) orderBy(k, n string, backwards bool) string {
	dir, tie := " DESC", " DESC"
	if !l.desc {
		dir = " ASC"
	}
	if backwards {
		dir, tie = map[string]string{" DESC": " ASC", " ASC": " DESC"}[dir], " ASC"
	}
	if l.order == "number" {
		return k + dir // the key is the number
	}
	return k + dir + ", " + n + tie
}

// after is the condition "comes after the cursor (key ?, number ?)" in the
// order of orderBy, or before it when backwards. When key and number run
// the same way it is one row comparison, which an index serves as a
// range.
func (l *listQuery) after(key string, backwards bool) string {
	if l.order == "number" {
		// The key is the number: ?0 and ?1 are the same.
		if l.desc != backwards {
			return "t.number < ?1"
		}
		return "t.number > ?1"
	}
	switch {
	case l.desc && !backwards:
		return "((" + key + ", t.number) < (?0, ?1))"
	case l.desc && backwards:
		return "((" + key + ", t.number) > (?0, ?1))"
	case !backwards:
		return "(" + key + " > ?0 OR (" + key + " = ?0 AND t.number < ?1))"
	}
	return "(" + key + " < ?0 OR (" + key + " = ?0 AND t.number > ?1))"
}

// union writes the branches as one UNION ALL; SQLite refuses ORDER BY and
// LIMIT in a compound member, so each is wrapped.
func union(qs []*bun.SelectQuery) string {
	parts := make([]string, len(qs))
	for i, q := range qs {
		parts[i] = "SELECT * FROM (" + q.String() + ") AS b" + strconv.Itoa(i)
	}
	return strings.Join(parts, " UNION ALL ")
}

// run reads the page and the capped total of the branches.
func (l *listQuery) run(ctx context.Context, bs []branch) ([]svcportal.Ticket, int, error) {
	ts := []svcportal.Ticket{}
	if len(bs) == 0 {
		return ts, 0, nil
	}
	_, _, before, keyed := l.cursor()
	offset := 0
	if !keyed {
		offset = (l.f.Page - 1) * l.f.PerPage
		if offset > svcportal.MaxListOffset { // every branch would read offset+page rows
			return nil, 0, svcportal.NewError(svcportal.KindInvalid, "error.page_too_deep")
		}
	}
	limit := offset + l.f.PerPage
	var err error
	if l.text, err = l.s.textSearch(ctx, l.f, l.withInternal); err != nil {
		return nil, 0, err
	}
	if err := l.countMatches(ctx, bs); err != nil {
		return nil, 0, err
	}
	// The total is counted by a walk of each branch that stops at the
	// cap, apart from the page's ordered walk, which stops at the page's
	// end. A word search on SQLite counts from the page's walk instead,
	// read up to the cap: each walk of a branch checks its tickets
	// against the list of the index's matches, which SQLite builds anew
	// for each walk (10,000 matches for "printer" in a site of 100,000),
	// and building it is most of a search's cost. Without words, or on
	// PostgreSQL, the count's walk is the cheaper (an unordered index
	// scan, or the GIN index's bitmap).
	// A branch that is every ticket of its sites is counted from the index
	// alone (fromIndex), which needs no walk.
	counted := l.text.words != nil && l.s.dialect == SQLite && !keyed && !l.f.NoTotal && // a cursor's walk starts past the total's start
		slices.ContainsFunc(bs, func(b branch) bool { return !l.fromIndex(b) })
	if counted {
		limit = max(limit, svcportal.TicketCountCap+1)
	}
	// One statement reads the page, the names and read state of its
	// tickets, and the capped total (an uncorrelated subquery, computed
	// once), its values bound (bound.go): one text per shape of list.
	p := l.s.params()
	with, count, err := l.statements(p, bs, limit, counted)
	if err != nil {
		return nil, 0, err
	}
	query := with + "SELECT " + l.s.headColumns() + `, ` + l.s.timeText("xr.read_at") + ` AS x_read_at,
			(` + count + `) AS x_total
		FROM (SELECT * FROM b ORDER BY ` + l.orderBy("k", "n", keyed && before) + " LIMIT " + strconv.Itoa(l.f.PerPage) + " OFFSET " + strconv.Itoa(offset) + `) AS u
		JOIN tickets AS t ON t.id = u.id ` + ticketNameJoins + `
		` + l.s.readsJoin(p, l.readerKind, l.readerID) + `
		ORDER BY ` + l.orderBy("u.k", "u.n", keyed && before)
	rows := make([]ticketHead, 0, l.f.PerPage) // bun fills it in place
	if err := scanBound(ctx, l.s.db, query, p, &rows); err != nil {
		return nil, 0, fmt.Errorf("list tickets: %w", err)
	}
	if keyed && before {
		slices.Reverse(rows)
	}
	total := 0
	if len(rows) > 0 {
		total = rows[0].Total
	}
	if ts, err = l.s.ticketsOf(ctx, l.tid, rows, l.readerKind); err != nil {
		return nil, 0, err
	}
	if len(rows) == 0 && (offset > 0 || keyed) && !l.f.NoTotal {
		// Past the end, or before the start: the total still counts.
		p := l.s.params()
		var count string
		if counted {
			with, err := l.pageWalks(p, bs, limit)
			if err != nil {
				return nil, 0, err
			}
			count = with + "SELECT COUNT(*) FROM b"
		} else if count, err = l.countWalks(p, bs); err != nil {
			return nil, 0, err
		}
		if err := scanBound(ctx, l.s.db, count, p, &total); err != nil {
			return nil, 0, fmt.Errorf("count tickets: %w", err)
		}
	}
	return ts, min(total, svcportal.TicketCountCap+1), nil
}

// statements writes, with p, the branches' page walks (limit each) as
// "WITH b AS (…)", and the capped total's statement: counted from b when
// counted, from walks of its own otherwise. (A walk is written only where
// it is used: each of p's values must be in the statement.)
func (l *listQuery) statements(p *params, bs []branch, limit int, counted bool) (with, count string, err error) {
	if with, err = l.pageWalks(p, bs, limit); err != nil {
		return "", "", err
	}
	switch {
	case l.f.NoTotal:
		return with, "SELECT 0", nil
	case counted:
		return with, "SELECT COUNT(*) FROM b", nil
	}
	count, err = l.countWalks(p, bs)
	return with, count, err
}

// pageWalks is "WITH b AS (…)": each branch read in the page's order, up
// to limit.
func (l *listQuery) pageWalks(p *params, bs []branch, limit int) (string, error) {
	pages := make([]*bun.SelectQuery, len(bs))
	for i, b := range bs {
		var err error
		if pages[i], err = l.branchQuery(p, b, limit, true); err != nil {
			return "", err
		}
	}
	return "WITH b AS (" + union(pages) + ") ", nil
}

// countWalks counts the branches' tickets up to the cap. A branch that
// is every ticket of its sites, under no filter but the status, is
// counted from the dashboard's backlog counters (tickets per site and
// status, kept by every ticket write: ticket_stats.go), one row per
// status: walking its index up to the cap read a thousand entries for a
// page of 25, a seventh of a site manager's list.
func (l *listQuery) countWalks(p *params, bs []branch) (string, error) {
	var walks []*bun.SelectQuery
	var terms []string
	for _, b := range bs {
		switch {
		case l.fromBacklog(b):
			terms = append(terms, l.backlogCount(p, b))
			continue
		case l.fromIndex(b):
			terms = append(terms, l.s.db.NewRaw("CAST(? AS BIGINT)", p.v(l.matched[scopeKey(b.sites)])).String())
			continue
		}
		q, err := l.branchQuery(p, b, svcportal.TicketCountCap+1, false)
		if err != nil {
			return "", err
		}
		walks = append(walks, q)
	}
	if len(walks) > 0 {
		terms = append(terms, "(SELECT COUNT(*) FROM ("+union(walks)+") AS cnt)")
	}
	return "SELECT " + strings.Join(terms, " + "), nil
}

// fromBacklog reports whether b's total is its sites' backlog: b is every
// ticket of its sites and the filter narrows it by status alone.
func (l *listQuery) fromBacklog(b branch) bool {
	return !l.text.ok && l.whole(b)
}

// fromIndex reports whether b's total is the word index's count of the
// matches in its sites: b is every ticket of its sites and the filter
// narrows it by words alone.
func (l *listQuery) fromIndex(b branch) bool {
	return l.text.words != nil && len(l.f.Status) == 0 && l.whole(b)
}

// A word search's branch reads its tickets one of two ways. Walking the
// branch's index in the list's order, each ticket checked against the
// index's matches, stops at the page's end: quick where matches are
// many, but where they are few the walk reads every ticket of the sites
// to fill the page or count the total — a word nobody wrote ("zebra")
// took PostgreSQL 2.3 s in a site of 100,000 tickets, each ticket
// checked by its document. Reading the matches and sorting them costs
// what they are: at most the cap, a thousand. So each branch's sites'
// matches are counted first (countMatches, from the index alone, up to
// the cap and one), and a branch whose sites hold no more than the cap
// reads them (sparse). A branch that finds its tickets otherwise (a
// contact's CC entries) reads as it does.

// countMatches counts, for a word search, the matches in the sites of
// each branch of bs that reads tickets, up to the cap and one.
func (l *listQuery) countMatches(ctx context.Context, bs []branch) error {
	if l.text.words == nil {
		return nil
	}
	var keys []string
	var scopes []searchScope
	for _, b := range bs {
		if key := scopeKey(b.sites); b.from == "" && !slices.Contains(keys, key) {
			keys, scopes = append(keys, key), append(scopes, searchScope{l.tid, b.sites})
		}
	}
	counts, err := l.text.words.counts(ctx, scopes)
	if err != nil {
		return err
	}
	l.matched = map[string]int{}
	for i, key := range keys {
		l.matched[key] = counts[i]
	}
	return nil
}

// sparse reports whether b reads a word search's matches in its sites
// instead of walking its tickets (see countMatches).
func (l *listQuery) sparse(b branch) bool {
	if l.text.words == nil || b.from != "" {
		return false
	}
	n, ok := l.matched[scopeKey(b.sites)]
	return ok && n <= svcportal.TicketCountCap
}

// scopeKey names a branch's sites in listQuery.matched.
func scopeKey(sites []int64) string {
	if sites == nil {
		return "tenant"
	}
	return fmt.Sprint(sites)
}

// whole reports whether b, under the filter's sites, fields and unread
// mark (which no counter or index count follows), is every ticket of its
// sites.
func (l *listQuery) whole(b branch) bool {
	f := l.f
	if !b.whole || len(f.Fields) > 0 || f.Unread != nil {
		return false
	}
	if len(f.Sites) == 0 {
		return true
	}
	// A filter on sites keeps b whole only when b lies within them.
	return b.sites != nil && !slices.ContainsFunc(b.sites, func(site int64) bool { return !slices.Contains(f.Sites, site) })
}

// backlogCount is b's total from the backlog: its sites' tickets (the
// tenant's, for none) in the filter's statuses, where the reader sees
// the status (branchQuery's condition).
func (l *listQuery) backlogCount(p *params, b branch) string {
	q := l.s.db.NewSelect().TableExpr("ticket_backlog AS bl").ColumnExpr("COALESCE(SUM(bl.tickets), 0)").
		Where("bl.tenant_id = ?", p.v(l.tid))
	if b.sites != nil {
		q = q.Where("bl.site_id IN (?)", bun.In(p.vs(int64sToAny(b.sites)...)))
	}
	if len(l.f.Status) > 0 {
		q = q.Where("bl.status IN (?)", bun.In(l.f.Status))
		if l.f.Within != nil {
			// Where the reader does not see the status, the status filter
			// keeps nothing (within).
			q = q.Where("bl.site_id IN (" + siteList(l.f.Within[svcportal.FieldKeyStatus]) + ")")
		}
	}
	return "(" + q.String() + ")"
}

func int64sToAny(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

// noSites stands in for an empty IN list, which SQL does not allow.
var noSites = []int64{-1}

func orNone(ids []int64) []int64 {
	if len(ids) == 0 {
		return noSites
	}
	return ids
}

// ContactTickets implements svcportal.TicketStore.
func (s *Store) ContactTickets(ctx context.Context, v svcportal.Viewer, f svcportal.TicketFilter) ([]svcportal.Ticket, int, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, 0, err
	}
	l := s.newList(tid, f, svcportal.PrincipalContact, v.ContactID, false)
	// The sites of their own tickets: a branch each. The service passes
	// them, with their memberships' sites, which only adds empty branches.
	own := f.TicketSites
	if own == nil {
		if own, err = s.requesterSites(ctx, tid, v.ContactID); err != nil {
			return nil, 0, err
		}
	}
	wanted := func(site int64) bool { return len(f.Sites) == 0 || slices.Contains(f.Sites, site) }
	managed := v.SitesWithRole(svcportal.RoleSiteManager)
	var bs []branch
	// SPEC.md, "Who sees which ticket on the portal", one disjoint branch
	// per site and case.
	for _, site := range own {
		if wanted(site) && (f.Scope == "mine" || !slices.Contains(managed, site)) {
			bs = append(bs, branch{where: "t.requester_id = ? AND t.site_id = ?", args: []any{v.ContactID, site}, key: l.siteKey(site), sites: []int64{site}})
		}
	}
	if f.Scope != "mine" {
		var others []int64
		for _, site := range v.SitesWithRole("") {
			switch {
			case !wanted(site):
			case slices.Contains(managed, site):
				bs = append(bs, branch{where: "t.site_id = ?", args: []any{site}, key: l.siteKey(site), sites: []int64{site}, whole: true})
			default:
				others = append(others, site)
				bs = append(bs, branch{where: "t.site_id = ? AND t.shared_with_site = TRUE AND t.requester_id <> ?",
					args: []any{site, v.ContactID}, key: l.siteKey(site), sites: []int64{site}})
			}
		}
		if len(others) > 0 && v.Email != "" {
			// The tickets they are in CC of are read from their CC
			// entries, then sorted: few, where their sites may hold a
			// hundred thousand tickets. SQLite, without statistics,
			// preferred the sites' index (reading every ticket of the
			// sites for a page, 9 ms at 100,000, twice a request: the
			// page and the total), or the tenant's, which is worse;
			// CROSS JOIN keeps its loops in the written order, and
			// "+cc.ticket_id" keeps a word search's set of tickets
			// (t.id IN …) from passing to cc, which SQLite would then
			// probe for each ticket of the set instead of reading the
			// contact's entries by email.
			bs = append(bs, branch{where: `cc.email = ? AND t.id = +cc.ticket_id
				AND t.site_id IN (?) AND t.shared_with_site = FALSE AND t.requester_id <> ?`,
				args: []any{v.Email, bun.In(others), v.ContactID}, key: l.mixedKey(), sites: others,
				from: "ticket_cc AS cc CROSS JOIN tickets AS t"})
		}
	}
	return l.run(ctx, bs)
}

// requesterSites lists the sites of the tickets a contact requested, one
// index seek per site (a loose index scan), not one row per ticket.
func (s *Store) requesterSites(ctx context.Context, tid, contactID int64) ([]int64, error) {
	var ids []int64
	err := s.db.NewRaw(`WITH RECURSIVE sites (id) AS (
			SELECT MIN(site_id) FROM tickets WHERE tenant_id = ? AND requester_id = ?
			UNION ALL
			SELECT (SELECT MIN(t.site_id) FROM tickets AS t WHERE t.tenant_id = ? AND t.requester_id = ? AND t.site_id > sites.id)
			FROM sites WHERE sites.id IS NOT NULL)
		SELECT id FROM sites WHERE id IS NOT NULL`, tid, contactID, tid, contactID).Scan(ctx, &ids)
	return ids, err
}

// ContactTicketSites implements svcportal.TicketStore.
func (s *Store) ContactTicketSites(ctx context.Context, v svcportal.Viewer) ([]int64, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	ids, err := s.requesterSites(ctx, tid, v.ContactID)
	if err != nil {
		return nil, err
	}
	for _, id := range v.SitesWithRole("") {
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids, nil
}

// StaffTickets implements svcportal.TicketStore.
func (s *Store) StaffTickets(ctx context.Context, staffID int64, f svcportal.TicketFilter) ([]svcportal.Ticket, int, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, 0, err
	}
	l := s.newList(tid, f, svcportal.PrincipalStaff, staffID, true)
	where, args, whole := "1 = 1", []any(nil), true
	if f.Scope == "mine" {
		where, args, whole = "t.assignee_id = ?", []any{staffID}, false
	}
	if len(f.Sites) == 0 {
		return l.run(ctx, []branch{{where: where, args: args, key: l.mixedKey(), whole: whole}})
	}
	// A branch per site: each is read from the site's index in order.
	var bs []branch
	for _, site := range slices.Compact(slices.Sorted(slices.Values(f.Sites))) {
		bs = append(bs, branch{where: where + " AND t.site_id = ?", args: append(slices.Clone(args), site), key: l.siteKey(site), sites: []int64{site}, whole: whole})
	}
	l.f.Sites = nil
	return l.run(ctx, bs)
}

// builtinColumns maps each built-in field key to its column of "tickets AS t".
var builtinColumns = func() map[string]string {
	m := make(map[string]string, len(svcportal.BuiltinFieldTable))
	for _, f := range svcportal.BuiltinFieldTable {
		m[f.Key] = "t." + f.Column
	}
	return m
}()

var numberRE = regexp.MustCompile(`^#?(\d{1,12})$`)

// textSearch is what f.Query asks: a ticket number (number > 0), words
// (words, or nil for punctuation only), or nothing (ok false).
type textSearch struct {
	ok     bool
	number int64
	words  *wordSearch
}

// textSearch reads f.Query.
func (s *Store) textSearch(ctx context.Context, f svcportal.TicketFilter, withInternal bool) (textSearch, error) {
	term := strings.TrimSpace(f.Query)
	if term == "" {
		return textSearch{}, nil
	}
	if m := numberRE.FindStringSubmatch(term); m != nil {
		n, _ := strconv.ParseInt(m[1], 10, 64)
		return textSearch{ok: true, number: n}, nil
	}
	w, err := s.wordSearch(ctx, term, withInternal)
	return textSearch{ok: true, words: w}, err
}

// filterTickets applies every condition of f but the status to q (on
// "tickets AS t", whose tickets a word search finds in scope, see
// searchScope), joining the reader's read state as rd when the filter
// asks for it. text is f.Query, read.
func (s *Store) filterTickets(q *bun.SelectQuery, p *params, f svcportal.TicketFilter, readerKind string, readerID int64, text textSearch, scope searchScope) (*bun.SelectQuery, error) {
	if len(f.Sites) > 0 {
		q = q.Where("t.site_id IN (?)", bun.In(f.Sites))
	}
	switch {
	case !text.ok:
	case text.number > 0:
		q = q.Where("t.number = ?", p.v(text.number))
	default:
		q = text.words.where(q, p, scope)
	}
	for key, val := range f.Fields {
		if col, ok := builtinColumns[key]; ok {
			q = q.Where(within(f, key, col+" = ?"), p.v(val))
			continue
		}
		if !svcportal.ValidFieldKey(key) {
			return nil, svcportal.NewError(svcportal.KindInvalid, "error.unknown_field")
		}
		raw, err := json.Marshal(val)
		if err != nil {
			return nil, err
		}
		q = q.Where(within(f, key, s.jsonFieldMatch()), p.v(key), p.v(string(raw)))
	}
	if f.Unread != nil {
		q = q.Join("LEFT JOIN ticket_reads AS rd ON rd.ticket_id = t.id AND rd.reader_kind = ? AND rd.reader_id = ?", p.v(readerKind), p.v(readerID))
		cond := "(rd.read_at IS NULL OR rd.read_at < t.last_public_at)"
		if readerKind == svcportal.PrincipalStaff {
			cond = "(rd.read_at IS NULL OR rd.read_at < t.last_client_at)"
		}
		if !*f.Unread {
			cond = "NOT " + cond
		}
		q = q.Where(cond)
	}
	return q, nil
}

// StaffTicketCounts implements svcportal.TicketStore. Each status is
// counted up to svcportal.TicketCountCap (see the top of this file), from
// the (tenant, status) index. Under words, from the index's matches, read
// once for every status: each status's walk built the set of the
// matches anew and checked its tickets against it, to the end of the
// status where the words are rare (the console's queue under "zebra" at
// a million tickets: 246 ms; 2.4 ms from the matches), and seven sets of
// 100,000 matches where they are common.
func (s *Store) StaffTicketCounts(ctx context.Context, staffID int64, f svcportal.TicketFilter) (map[string]int, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	text, err := s.textSearch(ctx, f, true)
	if err != nil {
		return nil, err
	}
	scope := searchScope{tid, f.Sites}
	filtered := func(q *bun.SelectQuery, text textSearch) (*bun.SelectQuery, error) {
		if f.Scope == "mine" {
			q = q.Where("t.assignee_id = ?", staffID)
		}
		return s.filterTickets(q, nil, f, svcportal.PrincipalStaff, staffID, text, scope)
	}
	var query string
	if text.words != nil {
		q := text.words.matchedTickets(nil, scope).ColumnExpr("t.status AS status").ColumnExpr("COUNT(*) AS n").
			Where("t.tenant_id = ?", tid)
		if q, err = filtered(q, textSearch{}); err != nil {
			return nil, err
		}
		query = q.GroupExpr("t.status").String()
	} else {
		qs := make([]*bun.SelectQuery, 0, len(svcportal.Statuses))
		for _, st := range svcportal.Statuses {
			q := s.db.NewSelect().TableExpr("tickets AS t").ColumnExpr("t.status AS status").
				Where("t.tenant_id = ? AND t.status = ?", tid, st)
			if q, err = filtered(q, text); err != nil {
				return nil, err
			}
			qs = append(qs, q.Limit(svcportal.TicketCountCap+1))
		}
		query = "SELECT status, COUNT(*) AS n FROM (" + union(qs) + ") AS c GROUP BY status"
	}
	var rows []struct {
		Status string `bun:"status"`
		N      int    `bun:"n"`
	}
	if err := s.db.NewRaw(query).Scan(ctx, &rows); err != nil {
		return nil, err
	}
	out := make(map[string]int, len(svcportal.Statuses))
	for _, st := range svcportal.Statuses {
		out[st] = 0
	}
	for _, r := range rows {
		out[r.Status] = min(r.N, svcportal.TicketCountCap+1)
	}
	return out, nil
}

// within limits cond, a condition on field key, to the sites where the
// reader of f sees that field; for staff (no Within) it is cond itself.
func within(f svcportal.TicketFilter, key, cond string) string {
	if f.Within == nil {
		return cond
	}
	return "(" + cond + " AND t.site_id IN (" + siteList(f.Within[key]) + "))"
}

// siteList writes site ids as an SQL list; ids are numbers, so this is
// safe, and an empty list becomes one that matches nothing.
func siteList(ids []int64) string {
	parts := make([]string, 0, len(ids))
	for _, id := range orNone(ids) {
		parts = append(parts, strconv.FormatInt(id, 10))
	}
	return strings.Join(parts, ", ")
}

// jsonFieldMatch is the condition "custom field ? of the ticket equals the
// JSON value ?", or contains it when the stored value is a list
// (multi-select), in the store's dialect.
func (s *Store) jsonFieldMatch() string {
	if s.dialect == Postgres {
		return "(t.fields::jsonb -> ?0 = ?1::jsonb OR (jsonb_typeof(t.fields::jsonb -> ?0) = 'array' AND t.fields::jsonb -> ?0 @> jsonb_build_array(?1::jsonb)))"
	}
	return "(t.fields -> ('$.' || ?0) = json(?1) OR EXISTS (SELECT 1 FROM json_each(t.fields, '$.' || ?0) AS je WHERE je.type <> 'object' AND json_quote(je.value) = json(?1) AND json_type(t.fields, '$.' || ?0) = 'array'))"
}
