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

// TestTicketCache_SeesEveryChange: tickets are kept in memory by version
// (ticket_cache.go); a ticket read through one store (an instance) and
// changed through another, or by hand in the database, is read as it is
// now by the first, in its lists and on its page. A warm list reads its
// tickets' columns from memory (one statement), and what a caller does to
// the tickets it was given is not kept.
func TestTicketCache_SeesEveryChange(t *testing.T) {
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
	other := open()
	if _, err := other.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	actx, _ := testkit.Tenant(t, other, "acme")
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

	reader := open()
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
