package store_test

import (
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/migrations"
	"github.com/svcportal/svcportal/store"
	"github.com/svcportal/svcportal/testkit"
)

// TestTicketStore_WordSearch: words are found through the full-text index,
// kept in step by the writing transactions (creation, replies, notes, a
// changed title); every word must match, as a word or the start of one;
// a contact's search never matches an internal note, and only ever
// answers tickets they may see.
func TestTicketStore_WordSearch(t *testing.T) {
	w := newTicketWorld(t)
	printer := w.create(t, w.peter, w.initech, "Printer jams", func(tk *svcportal.Ticket) { tk.Description = "Paper stuck in tray 2" })
	vpn := w.create(t, w.milton, w.initech, "VPN down", nil)
	other := w.create(t, w.alice, w.umbrella, "Printer on fire", nil)
	say := func(tk *svcportal.Ticket, body string, internal bool) {
		t.Helper()
		m := &svcportal.TicketMessage{AuthorKind: svcportal.PrincipalStaff, AuthorID: 1, Body: body, Internal: internal}
		if err := w.st.UpdateTicket(w.ctx, tk, svcportal.TicketChange{Message: m}); err != nil {
			t.Fatal(err)
		}
	}
	say(printer, "The toner cartridge was replaced.", false)
	say(vpn, "Secret printer budget for next year.", true)
	// Later messages add their words and keep the earlier ones.
	say(printer, "The fuser too.", false)
	say(vpn, "Ask about an invoice.", true)

	contact := func(c *svcportal.Contact, q string) []int64 {
		t.Helper()
		ts, _, err := w.st.ContactTickets(w.ctx, svcportal.ViewerOf(c), svcportal.TicketFilter{Query: q})
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		return numbers(ts)
	}
	staff := func(q string) []int64 {
		t.Helper()
		ts, _, err := w.st.StaffTickets(w.ctx, 0, svcportal.TicketFilter{Query: q})
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		return numbers(ts)
	}
	n := sortedNumbers
	for _, tc := range []struct {
		q            string
		bill, staffs []int64
	}{
		{"printer", n(printer), n(printer, vpn, other)}, // vpn's "printer" is in a note
		{"PRINTER", n(printer), n(printer, vpn, other)},
		{"print", n(printer), n(printer, vpn, other)}, // the start of a word
		{"rinter", n(), n()},                          // not the middle of one
		{"toner", n(printer), n(printer)},             // a public reply
		{"cartridge toner", n(printer), n(printer)},   // every word, in any order
		{"budget", n(), n(vpn)},                       // a note: staff only
		{"fuser toner", n(printer), n(printer)},       // two replies
		{"invoice budget", n(), n(vpn)},               // two notes
		{"printer vpn", n(), n(vpn)},                  // title and note together
		{"tray", n(printer), n(printer)},              // the description
		{"!!!", n(), n()},                             // no word at all
		{"s", n(printer), n(printer, vpn)},            // "stuck", "secret": never the scope of a document
		{"t", n(printer), n(printer)},                 // "tray", "toner"
	} {
		if got := contact(w.bill, tc.q); !slices.Equal(got, tc.bill) {
			t.Errorf("site manager, %q: got %v, want %v", tc.q, got, tc.bill)
		}
		if got := staff(tc.q); !slices.Equal(got, tc.staffs) {
			t.Errorf("staff, %q: got %v, want %v", tc.q, got, tc.staffs)
		}
	}
	if got := contact(w.alice, "printer"); !slices.Equal(got, n(other)) {
		t.Errorf("another site's member: got %v, want only their own ticket", got)
	}
	if got := contact(w.peter, "vpn"); !slices.Equal(got, n()) {
		t.Errorf("a member, another member's ticket: got %v", got)
	}

	t.Run("a ticket moved to another site is found there", func(t *testing.T) {
		// The product moves no ticket; plain SQL may, and the index follows.
		say(other, "Extinguisher ordered.", true)
		inSite := func(site *svcportal.Site, q string) []int64 {
			t.Helper()
			ts, _, err := w.st.StaffTickets(w.ctx, 0, svcportal.TicketFilter{Query: q, Sites: []int64{site.ID}})
			if err != nil {
				t.Fatalf("%q: %v", q, err)
			}
			return numbers(ts)
		}
		if got := contact(w.bill, "fire"); !slices.Equal(got, n()) {
			t.Errorf("before the move, the other site's manager: got %v", got)
		}
		if _, err := w.st.DB().ExecContext(w.ctx, "UPDATE tickets SET site_id = ? WHERE id = ?", w.initech.ID, other.ID); err != nil {
			t.Fatal(err)
		}
		if got := contact(w.bill, "fire"); !slices.Equal(got, n(other)) {
			t.Errorf("the new site's manager: got %v", got)
		}
		for _, q := range []string{"fire", "extinguisher"} { // its words and its notes moved
			if got := inSite(w.initech, q); !slices.Equal(got, n(other)) {
				t.Errorf("staff, %q in the new site: got %v", q, got)
			}
			if got := inSite(w.umbrella, q); !slices.Equal(got, n()) {
				t.Errorf("staff, %q in the old site: got %v", q, got)
			}
		}
		say(other, "Extinguisher delivered.", false) // and takes new words there
		if got := contact(w.bill, "delivered"); !slices.Equal(got, n(other)) {
			t.Errorf("a reply after the move: got %v", got)
		}
	})
	t.Run("a changed title is found by its new words only", func(t *testing.T) {
		vpn.Title = "Remote access broken"
		if err := w.st.UpdateTicket(w.ctx, vpn, svcportal.TicketChange{}); err != nil {
			t.Fatal(err)
		}
		if got := staff("remote"); !slices.Equal(got, n(vpn)) {
			t.Errorf("new title: got %v", got)
		}
		if got := staff("vpn"); !slices.Equal(got, n()) {
			t.Errorf("old title: got %v", got)
		}
		if got := staff("budget"); !slices.Equal(got, n(vpn)) {
			t.Errorf("the note after the title changed: got %v", got)
		}
	})
}

// TestTicketStore_WordSearchPrefixes: a typed word finds every word it
// starts, whether the search names them one by one from the index's
// vocabulary (a few) or leaves the prefix to the index (many, or letters
// outside ASCII, which the index folds), and accents are folded.
func TestTicketStore_WordSearchPrefixes(t *testing.T) {
	w := newTicketWorld(t)
	one := w.create(t, w.peter, w.initech, "Code zza1", nil)
	ten := w.create(t, w.peter, w.initech, "Code zza10", nil)
	many := w.create(t, w.peter, w.initech, "Codes", func(tk *svcportal.Ticket) {
		tk.Description = "zzb1 zzb2 zzb3 zzb4 zzb5 zzb6 zzb7 zzb8 zzb9 zzb10 zzb11 zzb12"
	})
	last := w.create(t, w.peter, w.initech, "Code zzb13", nil)
	cafe := w.create(t, w.peter, w.initech, "Café fermé", nil)
	cassee := w.create(t, w.peter, w.initech, "Imprimante cassee", nil)
	n := sortedNumbers
	for _, tc := range []struct {
		q    string
		want []int64
	}{
		{"zza1", n(one, ten)},           // two words of the vocabulary
		{"zza10", n(ten)},               // one
		{"zza", n(one, ten)},            // two
		{"zzb", n(many, last)},          // thirteen: the prefix, left to the index
		{"zzb1", n(many, last)},         // zzb1, zzb10 to zzb13: five
		{"zzb13", n(last)},              // the last word of the vocabulary's run
		{"zz", n(one, ten, many, last)}, // fifteen
		{"zzc", n()},                    // no word starts with it
		{"zza1 zzb", n()},               // both, in one ticket: none
		{"code zza", n(one, ten)},
		// Accents are folded on both sides, on both databases.
		{"cafe", n(cafe)},
		{"café", n(cafe)},
		{"CAFÉ", n(cafe)},
		{"ferm", n(cafe)}, // "fermé" starts with it
		{"fermé", n(cafe)},
		{"cassée", n(cassee)},
		{"cass", n(cassee)}, // a word and a prefix
	} {
		// The totals count the same tickets (on PostgreSQL, whole words
		// first: see wordSearch.count).
		ts, total, err := w.st.StaffTickets(w.ctx, 0, svcportal.TicketFilter{Query: tc.q})
		if err != nil {
			t.Fatalf("%q: %v", tc.q, err)
		}
		if got := numbers(ts); !slices.Equal(got, tc.want) || total != len(tc.want) {
			t.Errorf("staff, %q: got %v (total %d), want %v", tc.q, got, total, tc.want)
		}
		cs, total, err := w.st.ContactTickets(w.ctx, svcportal.ViewerOf(w.bill), svcportal.TicketFilter{Query: tc.q})
		if err != nil {
			t.Fatalf("%q: %v", tc.q, err)
		}
		if got := numbers(cs); !slices.Equal(got, tc.want) || total != len(tc.want) {
			t.Errorf("site manager, %q: got %v (total %d), want %v", tc.q, got, total, tc.want)
		}
	}
	if w.st.Dialect() == store.Postgres {
		return // no vocabulary: PostgreSQL's GIN index answers a missing word from its entries
	}
	// A typed word that starts none of the index's words (a typo, a word
	// nobody wrote) matches nothing: SQLite learns it from the vocabulary
	// and reads none of the index's lists, for the page or the total.
	log := &testkit.QueryLog{}
	w.st.AddQueryHook(log)
	for _, q := range []string{"zzc", "code zzc"} {
		statements := log.During(func() {
			cs, total, err := w.st.ContactTickets(w.ctx, svcportal.ViewerOf(w.bill), svcportal.TicketFilter{Query: q})
			if err != nil || len(cs) != 0 || total != 0 {
				t.Errorf("%q: %d tickets, total %d, %v; want none", q, len(cs), total, err)
			}
		})
		for _, st := range statements {
			if strings.Contains(st, "ticket_fts MATCH") {
				t.Errorf("%q: the index's lists were read:\n%s", q, st)
			}
		}
	}
}

// sortedNumbers are the numbers of ts, in order.
func sortedNumbers(ts ...*svcportal.Ticket) []int64 {
	out := []int64{}
	for _, tk := range ts {
		out = append(out, tk.Number)
	}
	slices.Sort(out)
	return out
}

// TestTicketStore_MergeWordIndex: ticket writes leave the word index's
// merging to MergeWordIndex (on SQLite, FTS5's automerge is off); a
// merge finds the segments the writes left, works through them in steps
// until none is left to merge, and the index answers the same after.
func TestTicketStore_MergeWordIndex(t *testing.T) {
	w := newTicketWorld(t)
	var want []int64
	for i := range 40 {
		want = append(want, w.create(t, w.peter, w.initech, fmt.Sprintf("Scanner zzq%d", i), nil).Number)
	}
	search := func() []int64 {
		t.Helper()
		got, total, err := w.st.ContactTickets(w.ctx, svcportal.ViewerOf(w.peter), svcportal.TicketFilter{Query: "scanner zzq", PerPage: 100, Sort: "number"})
		if err != nil {
			t.Fatal(err)
		}
		if total != len(got) {
			t.Errorf("total %d for %d tickets", total, len(got))
		}
		return numbers(got)
	}
	if got := search(); !slices.Equal(got, want) {
		t.Fatalf("before merging: %v", got)
	}
	steps := 0
	for {
		more, err := w.st.MergeWordIndex(w.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !more {
			break
		}
		if steps++; steps > 100 {
			t.Fatal("still merging after 100 steps")
		}
	}
	if w.st.Dialect() == store.SQLite {
		var automerge int
		if err := w.st.DB().NewRaw("SELECT v FROM ticket_fts_config WHERE k = 'automerge'").Scan(w.ctx, &automerge); err != nil || automerge != 0 {
			t.Errorf("automerge %d (%v), want 0: writes would merge the index themselves", automerge, err)
		}
		if steps == 0 {
			t.Error("40 writes left nothing to merge")
		}
	}
	if got := search(); !slices.Equal(got, want) {
		t.Errorf("after merging: %v", got)
	}
	if more, err := w.st.MergeWordIndex(w.ctx); more || err != nil {
		t.Errorf("a merge after the last: %v %v, want nothing to do", more, err)
	}
}

// TestTicketStore_WordIndexBySite: migration 0230 files each document of
// the word index under its ticket's site — on SQLite keyed by site, on
// PostgreSQL with its words qualified by site (contacts' documents) or by
// tenant with the site's lexeme (staff's). Run on an index of the old
// shape (SQLite: keyed by ticket id alone; PostgreSQL: emptied, since it
// rebuilds every document from the tickets), it moves every document,
// words and notes, and searches answer as before.
func TestTicketStore_WordIndexBySite(t *testing.T) {
	w := newTicketWorld(t)
	jam := w.create(t, w.peter, w.initech, "Printer jams", nil)
	fire := w.create(t, w.alice, w.umbrella, "Printer on fire", nil)
	for _, tk := range []*svcportal.Ticket{jam, fire} {
		m := &svcportal.TicketMessage{AuthorKind: svcportal.PrincipalStaff, AuthorID: 1, Body: "Toner ordered", Internal: tk == fire}
		if err := w.st.UpdateTicket(w.ctx, tk, svcportal.TicketChange{Message: m}); err != nil {
			t.Fatal(err)
		}
	}
	searches := func() map[string][]int64 {
		t.Helper()
		out := map[string][]int64{}
		for _, q := range []string{"printer", "toner", "fire"} {
			for _, site := range []*svcportal.Site{nil, w.initech, w.umbrella} {
				f := svcportal.TicketFilter{Query: q}
				key := q
				if site != nil {
					f.Sites, key = []int64{site.ID}, q+" in "+site.Name
				}
				ts, _, err := w.st.StaffTickets(w.ctx, 0, f)
				if err != nil {
					t.Fatal(err)
				}
				out[key] = numbers(ts)
			}
			cs, _, err := w.st.ContactTickets(w.ctx, svcportal.ViewerOf(w.bill), svcportal.TicketFilter{Query: q})
			if err != nil {
				t.Fatal(err)
			}
			out[q+", site manager"] = numbers(cs)
		}
		return out
	}
	want := searches()
	if !slices.Equal(want["toner in Umbrella"], sortedNumbers(fire)) || !slices.Equal(want["toner, site manager"], sortedNumbers(jam)) {
		t.Fatalf("before the migration: %v", want)
	}
	old := "UPDATE ticket_fts SET rowid = rowid & 1099511627775" // the keys before 0230
	if w.st.Dialect() == store.Postgres {
		old = "UPDATE ticket_search SET body = ''::tsvector, whole = ''::tsvector"
	}
	if _, err := w.st.DB().ExecContext(w.ctx, old); err != nil {
		t.Fatal(err)
	}
	body, err := fs.ReadFile(migrations.FS, w.st.Dialect()+"/0230_ticket_search_by_site.sql")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.st.DB().ExecContext(w.ctx, string(body)); err != nil {
		t.Fatal(err)
	}
	if got := searches(); !maps.EqualFunc(got, want, slices.Equal) {
		t.Errorf("after the migration: %v, want %v", got, want)
	}
	if w.st.Dialect() == store.Postgres {
		var strays int
		if err := w.st.DB().NewRaw(`SELECT COUNT(*) FROM ticket_search AS ts JOIN tickets AS t ON t.id = ts.ticket_id
			WHERE EXISTS (SELECT 1 FROM unnest(tsvector_to_array(ts.body)) AS w WHERE w NOT LIKE 's' || t.site_id || '.%')
			OR EXISTS (SELECT 1 FROM unnest(tsvector_to_array(ts.whole)) AS w WHERE w NOT LIKE 't' || t.tenant_id || '.%' AND w <> '#s' || t.site_id)
			OR NOT ts.whole @@ ('#s' || t.site_id)::tsquery`).Scan(w.ctx, &strays); err != nil {
			t.Fatal(err)
		}
		if strays != 0 {
			t.Errorf("%d documents hold words not qualified by their site (body) or tenant (whole), or lack their site (whole)", strays)
		}
	}
	if w.st.Dialect() == store.SQLite {
		var keyed, tickets int
		if err := w.st.DB().NewRaw(`SELECT (SELECT COUNT(*) FROM ticket_fts AS f JOIN tickets AS t ON f.rowid = (t.site_id << 40) | t.id),
			(SELECT COUNT(*) FROM tickets)`).Scan(w.ctx, &keyed, &tickets); err != nil {
			t.Fatal(err)
		}
		if keyed != tickets || tickets != 2 {
			t.Errorf("%d documents keyed by site for %d tickets", keyed, tickets)
		}
		// A site id beyond the keys' room is refused, not mixed with another's.
		far := int64(1 << 23)
		if _, err := w.st.DB().ExecContext(w.ctx, "INSERT INTO sites (id, tenant_id, name, created_at) VALUES (?, ?, 'Far', ?)", far, w.initech.TenantID, time.Now()); err != nil {
			t.Fatal(err)
		}
		_, err := w.st.DB().ExecContext(w.ctx, "UPDATE tickets SET site_id = ? WHERE id = ?", far, jam.ID)
		if err == nil || !strings.Contains(err.Error(), "too large for the word index") {
			t.Errorf("a ticket moved to site %d: %v", far, err)
		}
	}
}
