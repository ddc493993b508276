package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/store"
	"github.com/svcportal/svcportal/testkit"
)

// TestTicketStore_Cursors: walking a list page by page with cursors, after
// and back before, gives the list's own order, in every sort that pages by
// cursor; ties on the time go by number.
func TestTicketStore_Cursors(t *testing.T) {
	w := newTicketWorld(t)
	base := w.clock.Now().Add(-24 * time.Hour)
	var ts []svcportal.Ticket
	for i := range 70 {
		ts = append(ts, svcportal.Ticket{SiteID: w.initech.ID, RequesterID: w.peter.ID, Title: fmt.Sprint("t", i, " printer"),
			Status: svcportal.StatusOpen, Type: "incident", SharedWithSite: i%3 == 0,
			CreatedAt: base.Add(time.Duration(i/2) * time.Minute)}) // pairs share a time
	}
	if err := w.st.SeedTickets(w.ctx, ts); err != nil {
		t.Fatal(err)
	}
	viewer := svcportal.ViewerOf(w.bill)
	list := func(f svcportal.TicketFilter) ([]svcportal.Ticket, int) {
		t.Helper()
		got, total, err := w.st.ContactTickets(w.ctx, viewer, f)
		if err != nil {
			t.Fatal(err)
		}
		return got, total
	}
	view := func(tk svcportal.Ticket) svcportal.TicketView {
		return svcportal.TicketView{Number: tk.Number, UpdatedAt: tk.LastPublicAt} // status hidden: no Within
	}
	// A word search that every ticket passes walks the same way, and
	// counts the whole list on every page.
	for _, sort := range []string{"-updated", "updated", "-number", "number", "-created", "created", "-updated q", "number q"} {
		sort, words, _ := strings.Cut(sort, " ")
		if words != "" {
			words = "printer"
		}
		t.Run(sort+" "+words, func(t *testing.T) {
			all, total := list(svcportal.TicketFilter{Sort: sort, PerPage: 100, Query: words})
			if len(all) != 70 || total != 70 {
				t.Fatalf("whole list: %d tickets, total %d", len(all), total)
			}
			var walked []int64
			f := svcportal.TicketFilter{Sort: sort, PerPage: 25, Query: words}
			for {
				page, total := list(f)
				if total != 70 {
					t.Errorf("page after %q: total %d, want 70", f.After, total)
				}
				for _, tk := range page {
					walked = append(walked, tk.Number)
				}
				if len(page) < 25 {
					break
				}
				f.After = svcportal.TicketCursor(ptr(view(page[len(page)-1])), sort)
			}
			want := []int64{}
			for _, tk := range all {
				want = append(want, tk.Number)
			}
			if !slices.Equal(walked, want) {
				t.Errorf("after after after: %v\nwant %v", walked, want)
			}
			back, total := list(svcportal.TicketFilter{Sort: sort, PerPage: 25, Query: words, Before: svcportal.TicketCursor(ptr(view(all[50])), sort)})
			if got := numbersInOrder(back); !slices.Equal(got, want[25:50]) || total != 70 {
				t.Errorf("before #%d: %v (total %d), want %v (70)", all[50].Number, got, total, want[25:50])
			}
			if page, total := list(svcportal.TicketFilter{Sort: sort, PerPage: 25, Page: 4, Query: words}); len(page) != 0 || total != 70 {
				t.Errorf("past the end: %d tickets, total %d, want none of 70", len(page), total)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func numbersInOrder(ts []svcportal.Ticket) []int64 {
	out := []int64{}
	for _, tk := range ts {
		out = append(out, tk.Number)
	}
	return out
}

// TestTicketStore_CappedTotal: a list counts its tickets up to
// svcportal.TicketCountCap and says "more" past it; a page by number
// deeper than svcportal.MaxListOffset is refused (cursors go there).
// A word search counts every word its words start: "printer" holds for
// half of the tickets as a whole word, for all of them as a start (on
// PostgreSQL the whole words are counted first, then the starts below
// the cap), "toner" for all of them as a whole word.
func TestTicketStore_CappedTotal(t *testing.T) {
	w := newTicketWorld(t)
	var ts []svcportal.Ticket
	for i := range svcportal.TicketCountCap + 5 {
		title := fmt.Sprint("t", i, " printer toner")
		if i%2 == 1 {
			title = fmt.Sprint("t", i, " printers toner")
		}
		ts = append(ts, svcportal.Ticket{SiteID: w.initech.ID, RequesterID: w.peter.ID, Title: title, Status: svcportal.StatusOpen, Type: "incident"})
	}
	if err := w.st.SeedTickets(w.ctx, ts); err != nil {
		t.Fatal(err)
	}
	for _, f := range []svcportal.TicketFilter{{}, {Query: "printer"}, {Query: "printer", Page: 3}, {Query: "printer", Page: 40}, {Query: "print"}, {Query: "toner"}, {Query: "printer ton"}} {
		page, total, err := w.st.ContactTickets(w.ctx, svcportal.ViewerOf(w.bill), f)
		if err != nil || total != svcportal.TicketCountCap+1 || len(page) != 25 {
			t.Errorf("site manager, %+v: %d tickets, total %d, %v; want 25, %d (more than the cap)", f, len(page), total, err, svcportal.TicketCountCap+1)
		}
	}
	// Without a total, the page alone: nothing is counted.
	for _, f := range []svcportal.TicketFilter{{NoTotal: true}, {NoTotal: true, Query: "printer"}, {NoTotal: true, Page: 41}} {
		page, total, err := w.st.ContactTickets(w.ctx, svcportal.ViewerOf(w.bill), f)
		if want := min(25, max(0, svcportal.TicketCountCap+5-(f.Page-1)*25)); err != nil || total != 0 || len(page) != want {
			t.Errorf("site manager, %+v: %d tickets, total %d, %v; want %d, no total", f, len(page), total, err, want)
		}
	}
	for _, q := range []string{"printer", "print", "toner"} {
		page, total, err := w.st.StaffTickets(w.ctx, 0, svcportal.TicketFilter{Query: q})
		if err != nil || total != svcportal.TicketCountCap+1 || len(page) != 25 {
			t.Errorf("staff, %q: %d tickets, total %d, %v; want 25, %d (more than the cap)", q, len(page), total, err, svcportal.TicketCountCap+1)
		}
	}
	_, total, err := w.st.StaffTickets(w.ctx, 0, svcportal.TicketFilter{Query: "#3"})
	if err != nil || total != 1 {
		t.Errorf("one ticket: total %d, %v", total, err)
	}
	for _, q := range []string{"", "toner"} { // "toner": every ticket, counted from the matches up to the cap
		counts, err := w.st.StaffTicketCounts(w.ctx, 0, svcportal.TicketFilter{Query: q})
		if err != nil || counts[svcportal.StatusOpen] != svcportal.TicketCountCap+1 || counts[svcportal.StatusClosed] != 0 {
			t.Errorf("%q: counts %v, %v", q, counts, err)
		}
	}
	_, _, err = w.st.StaffTickets(w.ctx, 0, svcportal.TicketFilter{Page: svcportal.MaxListOffset/25 + 2, PerPage: 25})
	if svcportal.KindOf(err) != svcportal.KindInvalid {
		t.Errorf("a page past the offset limit: %v, want KindInvalid", err)
	}
}

// TestTicketStore_ListStatementBound: two readers' lists of the same shape
// (each its own site, reader and cursor) are one statement text, prepared
// once and kept: SQLite does not parse it again, PostgreSQL does not plan
// it again (bound.go). With the values written into the text, as bun
// writes them, each reader had a statement of their own.
func TestTicketStore_ListStatementBound(t *testing.T) {
	w := newTicketWorld(t)
	mine := w.create(t, w.peter, w.initech, "printer", nil)
	w.create(t, w.alice, w.umbrella, "scanner", nil)
	for i, r := range []struct {
		site *svcportal.Site
		want string
	}{{w.initech, "printer"}, {w.umbrella, "scanner"}} {
		staff := int64(i + 1)
		f := svcportal.TicketFilter{Sites: []int64{r.site.ID}}
		ts, total, err := w.st.StaffTickets(w.ctx, staff, f)
		if err != nil {
			t.Fatal(err)
		}
		if total != 1 || len(ts) != 1 || ts[0].Title != r.want {
			t.Fatalf("%s's list: %d tickets (total %d), want the %s", r.site.Name, len(ts), total, r.want)
		}
		// A cursor's bound is a time: bound as text on SQLite, it must
		// compare as the stored times do.
		key := ts[0].UpdatedAt.UnixMicro()
		f.After = fmt.Sprintf("%d_%d", key, ts[0].Number)
		if ts, _, err := w.st.StaffTickets(w.ctx, staff, f); err != nil || len(ts) != 0 {
			t.Fatalf("%s's list after its last ticket: %d tickets, %v", r.site.Name, len(ts), err)
		}
		f.After = fmt.Sprintf("%d_%d", key+1, ts[0].Number)
		if ts, _, err := w.st.StaffTickets(w.ctx, staff, f); err != nil || len(ts) != 1 {
			t.Fatalf("%s's list after a later cursor: %d tickets, %v", r.site.Name, len(ts), err)
		}
	}
	if ts, _, err := w.st.ContactTickets(w.ctx, svcportal.ViewerOf(w.peter), svcportal.TicketFilter{Query: "print"}); err != nil || len(ts) != 1 || ts[0].ID != mine.ID {
		t.Fatalf("word search: %d tickets, %v", len(ts), err)
	}
	var texts []string
	if w.st.Dialect() == store.Postgres {
		// The pool lends its last freed connection first: the one that ran
		// the lists.
		if err := w.st.DB().NewRaw("SELECT statement FROM pg_prepared_statements").Scan(w.ctx, &texts); err != nil {
			t.Fatal(err)
		}
	} else {
		texts = store.BoundTexts(w.st)
	}
	lists := 0
	for _, text := range texts {
		if strings.Contains(text, "WITH b AS") && !strings.Contains(text, "MATCH") && !strings.Contains(text, "@@") && !strings.Contains(text, "<") {
			lists++
		}
	}
	if lists != 1 {
		t.Errorf("%d prepared list statements of the first shape, want 1 (texts: %q)", lists, texts)
	}
}

// TestTicketStore_TotalFromBacklog: the total of a list that is every
// ticket of its sites (a site manager's site, the desk's sites or
// tenant), under no filter but the status, comes from the backlog's
// counters instead of a walk of the tickets, and is the same number:
// with and without a status filter, after a ticket changes status, and
// not counting another site's tickets. Under words alone it comes from
// the word index's matches in those sites. Other lists (own tickets,
// words with a status) still walk.
func TestTicketStore_TotalFromBacklog(t *testing.T) {
	w := newTicketWorld(t)
	log := &testkit.QueryLog{}
	w.st.AddQueryHook(log)
	for _, st := range []string{svcportal.StatusOpen, svcportal.StatusOpen, svcportal.StatusInProgress, svcportal.StatusClosed} {
		w.create(t, w.peter, w.initech, "printer "+st, func(tk *svcportal.Ticket) { tk.Status = st })
	}
	moved := w.create(t, w.milton, w.initech, "scanner", nil)
	w.create(t, w.alice, w.umbrella, "printer elsewhere", nil)
	moved.Status = svcportal.StatusClosed
	if err := w.st.UpdateTicket(w.ctx, moved, svcportal.TicketChange{}); err != nil {
		t.Fatal(err)
	}
	open := []string{svcportal.StatusOpen, svcportal.StatusInProgress}
	bill := svcportal.ViewerOf(w.bill)
	// The desk's counts by status under words: read from the index's
	// matches.
	counts, err := w.st.StaffTicketCounts(w.ctx, 1, svcportal.TicketFilter{Query: "printer"})
	if want := map[string]int{svcportal.StatusOpen: 3, svcportal.StatusInProgress: 1, svcportal.StatusClosed: 1}; err != nil ||
		counts[svcportal.StatusOpen] != 3 || counts[svcportal.StatusInProgress] != 1 || counts[svcportal.StatusClosed] != 1 {
		t.Errorf("counts under words: %v, %v; want %v", counts, err, want)
	}
	for _, c := range []struct {
		name string
		list func() (int, error)
		want int
		from string // "backlog", "index" (of words) or "walk"
	}{
		{"site manager", func() (int, error) {
			_, n, err := w.st.ContactTickets(w.ctx, bill, svcportal.TicketFilter{})
			return n, err
		}, 5, "backlog"},
		{"site manager, open", func() (int, error) {
			_, n, err := w.st.ContactTickets(w.ctx, bill, svcportal.TicketFilter{Status: open})
			return n, err
		}, 3, "backlog"},
		{"site manager, open, where the status is seen", func() (int, error) {
			f := svcportal.TicketFilter{Status: open, Within: map[string][]int64{svcportal.FieldKeyStatus: {w.initech.ID}}}
			_, n, err := w.st.ContactTickets(w.ctx, bill, f)
			return n, err
		}, 3, "backlog"},
		{"two sites, open, the status seen in one", func() (int, error) {
			// The status filter keeps nothing where the status is not seen
			// (within): Umbrella's open ticket is not counted.
			f := svcportal.TicketFilter{Sites: []int64{w.initech.ID, w.umbrella.ID}, Status: open,
				Within: map[string][]int64{svcportal.FieldKeyStatus: {w.initech.ID}}}
			_, n, err := w.st.StaffTickets(w.ctx, 1, f)
			return n, err
		}, 3, "backlog"},
		{"site manager, closed", func() (int, error) {
			_, n, err := w.st.ContactTickets(w.ctx, bill, svcportal.TicketFilter{Status: []string{svcportal.StatusClosed}})
			return n, err
		}, 2, "backlog"},
		{"desk, one site", func() (int, error) {
			_, n, err := w.st.StaffTickets(w.ctx, 1, svcportal.TicketFilter{Sites: []int64{w.initech.ID}, Status: open})
			return n, err
		}, 3, "backlog"},
		{"desk, the tenant", func() (int, error) { _, n, err := w.st.StaffTickets(w.ctx, 1, svcportal.TicketFilter{}); return n, err }, 6, "backlog"},
		{"site manager, words", func() (int, error) {
			_, n, err := w.st.ContactTickets(w.ctx, bill, svcportal.TicketFilter{Query: "printer", Page: 2})
			return n, err
		}, 4, "index"},
		{"site manager, words and a status", func() (int, error) {
			_, n, err := w.st.ContactTickets(w.ctx, bill, svcportal.TicketFilter{Query: "printer", Status: open})
			return n, err
		}, 3, "walk"},
		{"desk, words, the tenant", func() (int, error) {
			_, n, err := w.st.StaffTickets(w.ctx, 1, svcportal.TicketFilter{Query: "printer"})
			return n, err
		}, 5, "index"},
		{"desk, words, one site", func() (int, error) {
			_, n, err := w.st.StaffTickets(w.ctx, 1, svcportal.TicketFilter{Query: "printer", Sites: []int64{w.umbrella.ID}})
			return n, err
		}, 1, "index"},
		{"member, own tickets", func() (int, error) {
			_, n, err := w.st.ContactTickets(w.ctx, svcportal.ViewerOf(w.milton), svcportal.TicketFilter{Scope: "mine"})
			return n, err
		}, 1, "walk"},
		{"member, own tickets, words", func() (int, error) {
			_, n, err := w.st.ContactTickets(w.ctx, svcportal.ViewerOf(w.peter), svcportal.TicketFilter{Scope: "mine", Query: "printer"})
			return n, err
		}, 4, "walk"},
	} {
		var total int
		var err error
		qs := log.During(func() { total, err = c.list() })
		if err != nil || total != c.want {
			t.Errorf("%s: total %d, %v; want %d", c.name, total, err, c.want)
		}
		// A word search counts the index's matches first (countMatches);
		// the list's total is that count unless it walks.
		from := "walk"
		walks := func(q string) bool {
			return strings.Contains(q, "AS cnt)") || strings.Contains(q, "SELECT COUNT(*) FROM b")
		}
		switch {
		case slices.ContainsFunc(qs, func(q string) bool { return strings.Contains(q, "ticket_backlog") }):
			from = "backlog"
		case slices.ContainsFunc(qs, walks):
		case slices.ContainsFunc(qs, func(q string) bool { return strings.Contains(q, ") AS wc)") }):
			from = "index"
		}
		if from != c.from {
			t.Errorf("%s: counted from the %s, want the %s:\n%s", c.name, from, c.from, strings.Join(qs, "\n"))
		}
	}
}

// TestTicketStore_MemberListPlans: a member's list reads each of its
// branches from the index made for it — their own tickets by requester,
// the site's shared tickets from the shared tickets' index, the tickets
// they are in CC of from their CC entries — and never walks the whole
// site or tenant. Under words that the site's tickets hold more often
// than the cap, the same walks stop at the page's end; under rarer words
// the branches read the index's matches instead (countMatches). SQLite
// plans from the shape of the indexes alone (no statistics), so the
// plans of a small database are those of a large one: a CC branch that
// SQLite read through the site's index cost a member of a site of
// 100,000 tickets 280 ms a page (docs/benchmarks.md, "A member's list").
// sqlitePlan is SQLite's plan of statement q, a line per step, without
// values (nil in each $N, which plan the same).
func sqlitePlan(t *testing.T, st *store.Store, q string) []string {
	t.Helper()
	rows, err := st.DB().DB.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+q, make([]any, strings.Count(q, "$"))...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	return plan
}

func TestTicketStore_MemberListPlans(t *testing.T) {
	w := newTicketWorld(t)
	if w.st.Dialect() == store.Postgres {
		return // PostgreSQL plans from statistics, which a test's few rows do not resemble
	}
	w.create(t, w.peter, w.initech, "printer mine zebra", nil)
	w.create(t, w.milton, w.initech, "printer shared zebra", func(tk *svcportal.Ticket) { tk.SharedWithSite = true })
	w.create(t, w.milton, w.initech, "printer cc zebra", func(tk *svcportal.Ticket) { tk.CC = []string{"peter@initech.test"} })
	var many []svcportal.Ticket // "printer" in more of the site's tickets than the cap
	for i := range svcportal.TicketCountCap {
		many = append(many, svcportal.Ticket{SiteID: w.initech.ID, RequesterID: w.bill.ID, Title: fmt.Sprint("printer ", i), Status: svcportal.StatusOpen, Type: "incident"})
	}
	if err := w.st.SeedTickets(w.ctx, many); err != nil {
		t.Fatal(err)
	}
	log := &testkit.QueryLog{}
	w.st.AddQueryHook(log)
	walks := []string{
		"SEARCH t USING INDEX tickets_requester_activity (tenant_id=? AND requester_id=? AND site_id=?)",
		"SEARCH t USING INDEX tickets_site_shared (tenant_id=? AND site_id=? AND shared_with_site=?)",
		"SEARCH cc USING INDEX ticket_cc_email (email=?)",
	}
	// As the portal lists them: the status seen in the site, so that
	// "updated" is the contact's activity (see siteKey).
	within := map[string][]int64{svcportal.FieldKeyStatus: {w.initech.ID}}
	for _, c := range []struct {
		f    svcportal.TicketFilter
		want []string
	}{
		{svcportal.TicketFilter{Within: within}, walks},
		{svcportal.TicketFilter{Query: "printer", Within: within}, walks},
		{svcportal.TicketFilter{Query: "zebra", Within: within}, []string{
			"SCAN ticket_fts VIRTUAL TABLE INDEX 0:M3><",   // the site's matches…
			"SEARCH t USING INTEGER PRIMARY KEY (rowid=?)", // …and their tickets
			"SEARCH cc USING INDEX ticket_cc_email (email=?)",
		}},
	} {
		var n int
		statements := log.During(func() {
			_, total, err := w.st.ContactTickets(w.ctx, svcportal.ViewerOf(w.peter), c.f)
			if err != nil || total != 3 {
				t.Fatalf("%q: total %d, %v; want 3", c.f.Query, total, err)
			}
		})
		var plan []string
		for _, q := range statements {
			if !strings.Contains(q, "WITH b AS") {
				continue
			}
			n++
			plan = append(plan, sqlitePlan(t, w.st, q)...)
		}
		if n == 0 {
			t.Fatalf("%q: no list statement ran", c.f.Query)
		}
		text := strings.Join(plan, "\n")
		for _, want := range c.want {
			if !strings.Contains(text, want) {
				t.Errorf("%q: no %q in the plan:\n%s", c.f.Query, want, text)
			}
		}
		for _, line := range plan {
			if line == "SCAN t" || strings.HasPrefix(line, "SCAN t ") || strings.Contains(line, "tickets_site_activity") ||
				strings.Contains(line, "tickets_site_updated") || strings.Contains(line, "tickets_status") {
				t.Errorf("%q: the plan walks a whole site or tenant: %q in\n%s", c.f.Query, line, text)
			}
		}
	}
}
