package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/testkit"
)

// BenchmarkContactTickets lists the first and deep pages of a site
// manager's tickets, and a word search, in a site of 100,000 tickets: the
// list must stay fast at that size (docs/benchmarks.md).
func BenchmarkContactTickets(b *testing.B) {
	st := testkit.Store(b)
	ctx, _ := testkit.Tenant(b, st, "acme")
	site := testkit.Site(ctx, b, st, "Big")
	manager := testkit.Contact(ctx, b, st, "manager@big.test", site, svcportal.RoleSiteManager)
	member := testkit.Contact(ctx, b, st, "member@big.test", site, svcportal.RoleMember)
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	const total = 100_000
	for done := 0; done < total; done += 5000 {
		batch := make([]svcportal.Ticket, 5000)
		for i := range batch {
			req := member.ID
			if i%3 == 0 {
				req = manager.ID
			}
			batch[i] = svcportal.Ticket{SiteID: site.ID, RequesterID: req, Title: fmt.Sprintf("issue %d with the printer", done+i),
				Status: svcportal.StatusOpen, Priority: "normal", Type: "incident", CreatedAt: start.Add(time.Duration(done+i) * time.Minute)}
		}
		if err := st.SeedTickets(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	if err := st.FinishBulkLoad(ctx); err != nil { // the planner's statistics, as portal seed leaves them
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		v    *svcportal.Contact
		f    svcportal.TicketFilter
	}{
		{"manager/first page", manager, svcportal.TicketFilter{}},
		{"manager/page 40", manager, svcportal.TicketFilter{Page: 40}},
		{"manager/after ticket 50000", manager, svcportal.TicketFilter{After: fmt.Sprintf("%d_%d", start.Add(50000*time.Minute).UnixMicro(), 50001)}},
		{"member/mine", member, svcportal.TicketFilter{Scope: "mine"}},
		{"manager/search", manager, svcportal.TicketFilter{Query: "issue 99999"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			v := svcportal.ViewerOf(bc.v)
			for b.Loop() {
				if _, n, err := st.ContactTickets(ctx, v, bc.f); err != nil || n == 0 {
					b.Fatalf("%d, %v", n, err)
				}
			}
		})
	}
}

// BenchmarkSeedTickets inserts tickets as portal seed does, 2,000 per
// transaction (the figure per ticket is what a million costs).
func BenchmarkSeedTickets(b *testing.B) {
	st := testkit.Store(b)
	ctx, _ := testkit.Tenant(b, st, "acme")
	site := testkit.Site(ctx, b, st, "Big")
	member := testkit.Contact(ctx, b, st, "member@big.test", site, svcportal.RoleMember)
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	batch := make([]svcportal.Ticket, 2000)
	n := 0
	for b.Loop() {
		for i := range batch {
			n++
			batch[i] = svcportal.Ticket{SiteID: site.ID, RequesterID: member.ID, Title: fmt.Sprintf("printer issue %d", n),
				Description: "Seeded ticket.", Status: svcportal.StatusOpen, Priority: "normal", Type: "incident",
				CreatedAt: start.Add(time.Duration(n) * time.Minute)}
		}
		if err := st.SeedTickets(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(n), "µs/ticket")
}

// BenchmarkReply: one public reply, on a ticket that has no message yet
// and on one that has two hundred. The second should cost what the first
// does: a reply adds its words to the ticket's search document instead of
// rebuilding it from the conversation (PostgreSQL migration 0170).
func BenchmarkReply(b *testing.B) {
	st := testkit.Store(b)
	ctx, _ := testkit.Tenant(b, st, "acme")
	site := testkit.Site(ctx, b, st, "Big")
	member := testkit.Contact(ctx, b, st, "member@big.test", site, svcportal.RoleMember)
	reply := func(tk *svcportal.Ticket, i int) {
		m := &svcportal.TicketMessage{AuthorKind: svcportal.PrincipalContact, AuthorID: member.ID,
			Body: fmt.Sprintf("Reply %d: the printer on floor %d still prints blank pages after the toner change.", i, i%9)}
		if err := st.UpdateTicket(ctx, tk, svcportal.TicketChange{Message: m}); err != nil {
			b.Fatal(err)
		}
	}
	for _, prior := range []int{0, 200} {
		b.Run(fmt.Sprintf("after %d messages", prior), func(b *testing.B) {
			tk := &svcportal.Ticket{SiteID: site.ID, RequesterID: member.ID, Title: "Printer", Status: svcportal.StatusOpen,
				Priority: "normal", Type: "incident"}
			if err := st.CreateTicket(ctx, tk, svcportal.TicketChange{}); err != nil {
				b.Fatal(err)
			}
			for i := range prior {
				reply(tk, i)
			}
			i := 0
			for b.Loop() {
				reply(tk, prior+i)
				i++
			}
		})
	}
}

// BenchmarkCreateTicket: one ticket created as the service creates it,
// with its "created" event and a CC entry, in a site of 100,000; by one
// writer at a time, and by sixteen at once.
func BenchmarkCreateTicket(b *testing.B) {
	st := testkit.Store(b)
	ctx, _ := testkit.Tenant(b, st, "acme")
	site := testkit.Site(ctx, b, st, "Big")
	member := testkit.Contact(ctx, b, st, "member@big.test", site, svcportal.RoleMember)
	batch := make([]svcportal.Ticket, 2000)
	for range 50 {
		for i := range batch {
			batch[i] = svcportal.Ticket{SiteID: site.ID, RequesterID: member.ID, Title: fmt.Sprintf("printer issue %d", i),
				Description: "Seeded ticket.", Status: svcportal.StatusOpen, Priority: "normal", Type: "incident"}
		}
		if err := st.SeedTickets(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	create := func() {
		tk := &svcportal.Ticket{SiteID: site.ID, RequesterID: member.ID, Title: "Printer jams", Description: "On page two, every time.",
			Status: svcportal.StatusOpen, Priority: "normal", Type: "incident", CC: []string{"boss@big.test"}}
		change := svcportal.TicketChange{Events: []svcportal.TicketEvent{{ActorKind: svcportal.PrincipalContact, ActorID: member.ID, Kind: svcportal.EventCreated}}}
		if err := st.CreateTicket(ctx, tk, change); err != nil {
			b.Error(err)
		}
	}
	b.Run("one writer", func(b *testing.B) {
		for b.Loop() {
			create()
		}
	})
	// Sixteen writers, as the benchmark's (bench/) creation has them.
	b.Run("16 writers", func(b *testing.B) {
		b.SetParallelism(8) // × GOMAXPROCS (2)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				create()
			}
		})
	})
}
