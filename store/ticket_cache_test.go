package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/store"
	"github.com/svcportal/svcportal/testkit"
)

// twoInstances opens two stores on one database, as two instances of the
// server would be, and a tenant's context: changes go through the first,
// the second reads.
func twoInstances(t *testing.T) (other, reader *store.Store, actx context.Context) {
	t.Helper()
	ctx := context.Background()
	url := testkit.DatabaseURL(t)
	open := func() *store.Store {
		t.Helper()
		st, err := store.Open(ctx, url, store.WithSecretKey([]byte(testkit.SecretKey)))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	other = open()
	if _, err := other.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	actx, _ = testkit.Tenant(t, other, "acme")
	return other, open(), actx
}

// TestTicketCache_SeesEveryChange: tickets are kept in memory by version
// (ticket_cache.go); a ticket read through one store (an instance) and
// changed through another, or by hand in the database, is read as it is
// now by the first, in its lists and on its page. A warm list reads its
// tickets' columns from memory (one statement), and what a caller does to
// the tickets it was given is not kept.
func TestTicketCache_SeesEveryChange(t *testing.T) {
	ctx := context.Background()
	other, reader, actx := twoInstances(t)
	initech := testkit.Site(actx, t, other, "Initech")
	peter := testkit.Contact(actx, t, other, "peter@initech.test", initech, svcportal.RoleMember)
	bill := testkit.Contact(actx, t, other, "bill@initech.test", initech, svcportal.RoleSiteManager)
	var tickets []*svcportal.Ticket
	for i := range 3 {
		tk := &svcportal.Ticket{SiteID: initech.ID, RequesterID: peter.ID, Title: fmt.Sprint("Printer ", i), Status: svcportal.StatusOpen,
			Type: "incident", Priority: "normal", Fields: map[string]any{"asset_tag": "PR-1", "tags": []any{"a", "b"}}, CC: []string{"boss@initech.test"}}
		if err := other.CreateTicket(actx, tk, svcportal.TicketChange{}); err != nil {
			t.Fatal(err)
		}
		tickets = append(tickets, tk)
	}
	tk := tickets[1]

	log := &testkit.QueryLog{}
	reader.AddQueryHook(log)
	manager := svcportal.ViewerOf(bill)
	list := func() svcportal.Ticket {
		t.Helper()
		ts, _, err := reader.ContactTickets(actx, manager, svcportal.TicketFilter{Sort: "number", TicketSites: []int64{}})
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(ts, func(x svcportal.Ticket) bool { return x.Number == tk.Number })
		if len(ts) != 3 || i < 0 {
			t.Fatalf("list: %d tickets, #%d at %d", len(ts), tk.Number, i)
		}
		return ts[i]
	}
	page := func() *svcportal.Ticket {
		t.Helper()
		got, err := reader.TicketByNumber(actx, tk.Number, svcportal.PrincipalContact, bill.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	shown := func(x svcportal.Ticket) string {
		return fmt.Sprintf("title %q, priority %q, fields %v, CC %v, site %q", x.Title, x.Priority, x.Fields, x.CC, x.SiteName)
	}
	seen := func(step string, want func(svcportal.Ticket) bool) {
		t.Helper()
		if got := list(); !want(got) {
			t.Errorf("%s: the list shows %s", step, shown(got))
		}
		if got := page(); !want(*got) {
			t.Errorf("%s: the page shows %s", step, shown(*got))
		}
	}

	seen("first read", func(x svcportal.Ticket) bool { return x.Title == "Printer 1" && x.SiteName == "Initech" })
	// Warm: the list reads its tickets' heads, not their columns; what the
	// caller changes in what it was given is its own.
	statements := log.During(func() {
		got := list()
		got.Fields["asset_tag"] = "changed"
		got.Fields["tags"].([]any)[0] = "changed"
		got.CC[0] = "changed@initech.test"
		got.Title = "changed"
	})
	if len(statements) != 1 {
		t.Errorf("a warm list ran %d statements, want 1:\n%s", len(statements), strings.Join(statements, "\n"))
	}
	seen("after a caller changed its copy", func(x svcportal.Ticket) bool {
		return x.Title == "Printer 1" && x.Fields["asset_tag"] == "PR-1" && x.Fields["tags"].([]any)[0] == "a" && slices.Equal(x.CC, []string{"boss@initech.test"})
	})

	// Through the other instance: the title, then only the CC list.
	changed, err := other.TicketByNumber(actx, tk.Number, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	changed.Title = "Printer on fire"
	if err := other.UpdateTicket(actx, changed, svcportal.TicketChange{}); err != nil {
		t.Fatal(err)
	}
	seen("title changed elsewhere", func(x svcportal.Ticket) bool { return x.Title == "Printer on fire" })
	changed, _ = other.TicketByNumber(actx, tk.Number, "", 0)
	changed.CC = []string{"boss@initech.test", "it@initech.test"}
	if err := other.UpdateTicket(actx, changed, svcportal.TicketChange{}); err != nil {
		t.Fatal(err)
	}
	seen("CC changed elsewhere", func(x svcportal.Ticket) bool {
		return slices.Equal(x.CC, []string{"boss@initech.test", "it@initech.test"})
	})

	// By hand, in the database: the row, then the CC list alone.
	db := other.DB()
	if _, err := db.ExecContext(ctx, "UPDATE tickets SET priority = 'urgent', fields = ? WHERE id = ?", `{"asset_tag":"PR-9"}`, tk.ID); err != nil {
		t.Fatal(err)
	}
	seen("row changed by hand", func(x svcportal.Ticket) bool { return x.Priority == "urgent" && x.Fields["asset_tag"] == "PR-9" })
	if _, err := db.ExecContext(ctx, "INSERT INTO ticket_cc (ticket_id, email) VALUES (?, 'ceo@initech.test')", tk.ID); err != nil {
		t.Fatal(err)
	}
	seen("CC added by hand", func(x svcportal.Ticket) bool { return slices.Contains(x.CC, "ceo@initech.test") })
	if _, err := db.ExecContext(ctx, "UPDATE ticket_cc SET email = 'cfo@initech.test' WHERE ticket_id = ? AND email = 'ceo@initech.test'", tk.ID); err != nil {
		t.Fatal(err)
	}
	seen("CC changed by hand", func(x svcportal.Ticket) bool {
		return slices.Contains(x.CC, "cfo@initech.test") && !slices.Contains(x.CC, "ceo@initech.test")
	})
	if _, err := db.ExecContext(ctx, "DELETE FROM ticket_cc WHERE ticket_id = ?", tk.ID); err != nil {
		t.Fatal(err)
	}
	seen("CC removed by hand", func(x svcportal.Ticket) bool { return len(x.CC) == 0 })

	// The names are read with each list: a renamed site shows at once.
	if _, err := db.ExecContext(ctx, "UPDATE sites SET name = 'Initech Labs' WHERE id = ?", initech.ID); err != nil {
		t.Fatal(err)
	}
	seen("site renamed", func(x svcportal.Ticket) bool { return x.SiteName == "Initech Labs" })

	// A deleted ticket is gone from the page.
	if _, err := db.ExecContext(ctx, "DELETE FROM tickets WHERE id = ?", tickets[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := reader.TicketByNumber(actx, tickets[0].Number, "", 0); svcportal.KindOf(err) != svcportal.KindNotFound {
		t.Errorf("a deleted ticket: %v", err)
	}
}

// TestTicketCache_ThreadSeesEveryChange: a ticket's thread (messages,
// events, files) is kept by the ticket's version; a reply through another
// instance and any change of the thread by hand is read at once, a
// contact never gets the internal notes kept for staff, and a warm thread
// costs no statement.
func TestTicketCache_ThreadSeesEveryChange(t *testing.T) {
	ctx := context.Background()
	other, reader, actx := twoInstances(t)
	initech := testkit.Site(actx, t, other, "Initech")
	peter := testkit.Contact(actx, t, other, "peter@initech.test", initech, svcportal.RoleMember)
	tk := &svcportal.Ticket{SiteID: initech.ID, RequesterID: peter.ID, Title: "Printer", Status: svcportal.StatusOpen, Type: "incident", Priority: "normal"}
	err := other.CreateTicket(actx, tk, svcportal.TicketChange{Events: []svcportal.TicketEvent{{Kind: svcportal.EventCreated}},
		Attachments: []svcportal.Attachment{{Filename: "jam.png", ContentType: "image/png", Size: 3, SHA256: "aa", UploaderKind: svcportal.PrincipalContact, UploaderID: peter.ID}}})
	if err != nil {
		t.Fatal(err)
	}
	note := svcportal.TicketChange{Message: &svcportal.TicketMessage{AuthorKind: svcportal.PrincipalStaff, AuthorID: 1, AuthorName: "Sam", Body: "Toner again?", Internal: true},
		Events:      []svcportal.TicketEvent{{Kind: svcportal.EventNote}},
		Attachments: []svcportal.Attachment{{Filename: "notes.txt", ContentType: "text/plain", Size: 1, SHA256: "bb", UploaderKind: svcportal.PrincipalStaff, UploaderID: 1}}}
	if err := other.UpdateTicket(actx, tk, note); err != nil {
		t.Fatal(err)
	}

	log := &testkit.QueryLog{}
	reader.AddQueryHook(log)
	type shown struct{ messages, events, files []string }
	thread := func(withInternal bool) shown {
		t.Helper()
		got, err := reader.TicketByNumber(actx, tk.Number, "", 0)
		if err != nil {
			t.Fatal(err)
		}
		th, err := reader.TicketThread(actx, got, withInternal)
		if err != nil {
			t.Fatal(err)
		}
		var s shown
		for _, m := range th.Messages {
			s.messages = append(s.messages, m.AuthorName+": "+m.Body)
		}
		for _, e := range th.Events {
			s.events = append(s.events, e.Kind)
		}
		for _, a := range th.Attachments {
			s.files = append(s.files, a.Filename)
		}
		// What the caller does with it is its own.
		if len(th.Messages) > 0 {
			th.Messages[0].Body = "changed"
		}
		return s
	}
	seen := func(step string, staff, contact shown) {
		t.Helper()
		for _, c := range []struct {
			who  string
			with bool
			want shown
		}{{"staff", true, staff}, {"a contact", false, contact}, {"staff again", true, staff}, {"a contact again", false, contact}} {
			if got := thread(c.with); fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("%s: %s reads %v, want %v", step, c.who, got, c.want)
			}
		}
	}
	created := []string{svcportal.EventCreated, svcportal.EventNote}
	seen("first read",
		shown{[]string{"Sam: Toner again?"}, created, []string{"jam.png", "notes.txt"}},
		shown{nil, created, []string{"jam.png"}})
	// Warm: the ticket's head, and nothing of the thread.
	statements := log.During(func() { thread(true) })
	if len(statements) != 1 {
		t.Errorf("a warm ticket and thread ran %d statements, want 1:\n%s", len(statements), strings.Join(statements, "\n"))
	}

	// A reply through the other instance.
	changed, _ := other.TicketByNumber(actx, tk.Number, "", 0)
	reply := svcportal.TicketChange{Message: &svcportal.TicketMessage{AuthorKind: svcportal.PrincipalContact, AuthorID: peter.ID, AuthorName: "Peter", Body: "Still jams."},
		Events: []svcportal.TicketEvent{{Kind: svcportal.EventReplied}}}
	if err := other.UpdateTicket(actx, changed, reply); err != nil {
		t.Fatal(err)
	}
	replied := append(slices.Clone(created), svcportal.EventReplied)
	seen("replied elsewhere",
		shown{[]string{"Sam: Toner again?", "Peter: Still jams."}, replied, []string{"jam.png", "notes.txt"}},
		shown{[]string{"Peter: Still jams."}, replied, []string{"jam.png"}})

	// By hand: a message renamed (as an erasure does), an event added, a
	// file removed, then a reply removed.
	db := other.DB()
	for _, q := range []string{
		"UPDATE ticket_messages SET author_name = '' WHERE author_name = 'Peter'",
		"INSERT INTO ticket_events (tenant_id, ticket_id, actor_kind, actor_id, actor_name, kind, field, from_value, to_value, comment, created_at, actor_erased, action_id) " +
			"SELECT tenant_id, ticket_id, '', 0, '', 'closed', '', '', '', '', created_at, FALSE, 0 FROM ticket_events WHERE kind = 'replied'",
		"DELETE FROM attachments WHERE filename = 'jam.png'",
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	byHand := append(slices.Clone(replied), svcportal.EventClosed)
	seen("changed by hand",
		shown{[]string{"Sam: Toner again?", ": Still jams."}, byHand, []string{"notes.txt"}},
		shown{[]string{": Still jams."}, byHand, nil})
	if _, err := db.ExecContext(ctx, "DELETE FROM ticket_messages WHERE body = 'Still jams.'"); err != nil {
		t.Fatal(err)
	}
	seen("a reply removed by hand",
		shown{[]string{"Sam: Toner again?"}, byHand, []string{"notes.txt"}},
		shown{nil, byHand, nil})
}

// TestTicketCache_ReadsByKey: a ticket not kept, and its thread, are read
// by key on SQLite, whatever the tenant holds: reading the ids of a JSON
// array as "t.id IN (SELECT …)" walked the tenant's index instead, every
// ticket of the tenant for each ticket read (ticket creation, which reads
// its new ticket back, fell from 267 to 43 a second at 100,000 tickets).
func TestTicketCache_ReadsByKey(t *testing.T) {
	w := newTicketWorld(t)
	if w.st.Dialect() == store.Postgres {
		return // PostgreSQL plans from statistics, which a test's few rows do not resemble
	}
	tk := w.create(t, w.peter, w.initech, "printer", nil)
	log := &testkit.QueryLog{}
	w.st.AddQueryHook(log)
	statements := log.During(func() {
		got, err := w.st.TicketByNumber(w.ctx, tk.Number, "", 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.st.TicketThread(w.ctx, got, true); err != nil {
			t.Fatal(err)
		}
	})
	if len(statements) != 6 { // head, ticket, messages, events, files, version
		t.Errorf("%d statements, want 6:\n%s", len(statements), strings.Join(statements, "\n"))
	}
	for _, q := range statements {
		for _, detail := range sqlitePlan(t, w.st, q) {
			byKey := strings.Contains(detail, "PRIMARY KEY") || strings.Contains(detail, "number=?") || strings.Contains(detail, "ticket_id=?")
			if strings.HasPrefix(detail, "SCAN") && !strings.Contains(detail, "VIRTUAL TABLE") || strings.HasPrefix(detail, "SEARCH") && !byKey {
				t.Errorf("%s\nreads %s", q, detail)
			}
		}
	}
}
