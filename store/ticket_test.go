package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/store"
	"github.com/svcportal/svcportal/testkit"
)

type ticketWorld struct {
	st                         *store.Store
	clock                      *testkit.Clock
	ctx                        context.Context
	initech, umbrella          *svcportal.Site
	peter, milton, bill, alice *svcportal.Contact
}

func newTicketWorld(t *testing.T) *ticketWorld {
	t.Helper()
	clock := testkit.NewClock()
	st := testkit.Store(t, store.WithClock(clock.Now))
	ctx, _ := testkit.Tenant(t, st, "acme")
	w := &ticketWorld{st: st, clock: clock, ctx: ctx}
	w.initech = testkit.Site(ctx, t, st, "Initech")
	w.umbrella = testkit.Site(ctx, t, st, "Umbrella")
	w.peter = testkit.Contact(ctx, t, st, "peter@initech.test", w.initech, svcportal.RoleMember)
	w.milton = testkit.Contact(ctx, t, st, "milton@initech.test", w.initech, svcportal.RoleMember)
	w.bill = testkit.Contact(ctx, t, st, "bill@initech.test", w.initech, svcportal.RoleSiteManager)
	w.alice = testkit.Contact(ctx, t, st, "alice@umbrella.test", w.umbrella, svcportal.RoleMember)
	return w
}

func (w *ticketWorld) create(t *testing.T, by *svcportal.Contact, site *svcportal.Site, title string, edit func(*svcportal.Ticket)) *svcportal.Ticket {
	t.Helper()
	tk := &svcportal.Ticket{SiteID: site.ID, RequesterID: by.ID, Title: title, Status: svcportal.StatusOpen, Type: "incident", Priority: "normal"}
	if edit != nil {
		edit(tk)
	}
	if err := w.st.CreateTicket(w.ctx, tk, svcportal.TicketChange{Events: []svcportal.TicketEvent{{Kind: svcportal.EventCreated}}}); err != nil {
		t.Fatal(err)
	}
	w.clock.Advance(time.Minute)
	return tk
}

func numbers(ts []svcportal.Ticket) []int64 {
	out := []int64{}
	for _, t := range ts {
		out = append(out, t.Number)
	}
	slices.Sort(out)
	return out
}

func TestTicketStore_NumbersWithoutGapsUnderConcurrency(t *testing.T) {
	w := newTicketWorld(t)
	const n = 16
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tk := &svcportal.Ticket{SiteID: w.initech.ID, RequesterID: w.peter.ID, Title: fmt.Sprint("t", i), Status: svcportal.StatusOpen}
			errs <- w.st.CreateTicket(w.ctx, tk, svcportal.TicketChange{})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	got, total, err := w.st.StaffTickets(w.ctx, 0, svcportal.TicketFilter{PerPage: 100})
	if err != nil || total != n {
		t.Fatalf("got %d tickets, %v", total, err)
	}
	for i, num := range numbers(got) {
		if num != int64(i+1) {
			t.Fatalf("numbers %v, want 1..%d", numbers(got), n)
		}
	}
	octx, _ := testkit.Tenant(t, w.st, "globex")
	hooli := testkit.Site(octx, t, w.st, "Hooli")
	gavin := testkit.Contact(octx, t, w.st, "gavin@hooli.test", hooli, svcportal.RoleMember)
	other := &svcportal.Ticket{SiteID: hooli.ID, RequesterID: gavin.ID, Title: "x", Status: svcportal.StatusOpen}
	if err := w.st.CreateTicket(octx, other, svcportal.TicketChange{}); err != nil || other.Number != 1 {
		t.Errorf("another tenant's first ticket: number %d, %v", other.Number, err)
	}
	if _, err := w.st.TicketByNumber(octx, 2, "", 0); svcportal.KindOf(err) != svcportal.KindNotFound {
		t.Errorf("globex reads acme's ticket 2: %v", err)
	}
}

// TestTicketStore_Visibility checks every row of SPEC.md's rule, and that
// the list query agrees with Viewer.CanSee.
func TestTicketStore_Visibility(t *testing.T) {
	w := newTicketWorld(t)
	private := w.create(t, w.peter, w.initech, "private", nil)
	shared := w.create(t, w.peter, w.initech, "shared", func(tk *svcportal.Ticket) { tk.SharedWithSite = true })
	ccd := w.create(t, w.peter, w.initech, "cc", func(tk *svcportal.Ticket) { tk.CC = []string{"milton@initech.test", "alice@umbrella.test"} })
	umbrella := w.create(t, w.alice, w.umbrella, "umbrella", nil)

	want := map[string][]int64{
		"peter":  {private.Number, shared.Number, ccd.Number},
		"milton": {shared.Number, ccd.Number},                 // shared with the site, and CC'd
		"bill":   {private.Number, shared.Number, ccd.Number}, // site manager sees all of Initech
		"alice":  {umbrella.Number},                           // CC'd but not of Initech: no
	}
	contacts := map[string]*svcportal.Contact{"peter": w.peter, "milton": w.milton, "bill": w.bill, "alice": w.alice}
	all, _, _ := w.st.StaffTickets(w.ctx, 0, svcportal.TicketFilter{PerPage: 100})
	for name, c := range contacts {
		t.Run(name, func(t *testing.T) {
			v := svcportal.ViewerOf(c)
			got, total, err := w.st.ContactTickets(w.ctx, v, svcportal.TicketFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(numbers(got), want[name]) || total != len(want[name]) {
				t.Errorf("list: got %v (total %d), want %v", numbers(got), total, want[name])
			}
			for _, tk := range all {
				full, _ := w.st.TicketByNumber(w.ctx, tk.Number, "", 0)
				if v.CanSee(full) != slices.Contains(want[name], tk.Number) {
					t.Errorf("CanSee(#%d) = %v, disagrees with the list", tk.Number, v.CanSee(full))
				}
				// Each branch of the list (their own, the site's
				// shared, their CC) under a word search: the ticket's
				// title finds it when visible, nothing otherwise.
				found, total, err := w.st.ContactTickets(w.ctx, v, svcportal.TicketFilter{Query: tk.Title})
				if err != nil {
					t.Fatal(err)
				}
				wantFound := []int64{}
				if slices.Contains(want[name], tk.Number) {
					wantFound = []int64{tk.Number}
				}
				if !slices.Equal(numbers(found), wantFound) || total != len(wantFound) {
					t.Errorf("search %q: got %v (total %d), want %v", tk.Title, numbers(found), total, wantFound)
				}
			}
		})
	}
	t.Run("scope mine", func(t *testing.T) {
		got, _, _ := w.st.ContactTickets(w.ctx, svcportal.ViewerOf(w.bill), svcportal.TicketFilter{Scope: "mine"})
		if len(got) != 0 {
			t.Errorf("bill requested none, got %v", numbers(got))
		}
	})
}

func TestTicketStore_FiltersAndReadState(t *testing.T) {
	w := newTicketWorld(t)
	printer := w.create(t, w.peter, w.initech, "Printer jams on floor 3", func(tk *svcportal.Ticket) {
		tk.Priority = "high"
		tk.Fields = map[string]any{"asset_tag": "PR-100", "os": []any{"linux", "windows"}, "urgent": true, "cost": 12.5}
	})
	vpn := w.create(t, w.peter, w.initech, "VPN drops", func(tk *svcportal.Ticket) {
		tk.Status = svcportal.StatusAwaitingReply
		tk.Fields = map[string]any{"asset_tag": "LT-7", "os": []any{"macos"}, "urgent": false}
	})
	staffReply := svcportal.TicketChange{Message: &svcportal.TicketMessage{AuthorKind: svcportal.PrincipalStaff, AuthorID: 1, Body: "Please reboot the tunnel appliance"}}
	if err := w.st.UpdateTicket(w.ctx, vpn, staffReply); err != nil {
		t.Fatal(err)
	}
	note := svcportal.TicketChange{Message: &svcportal.TicketMessage{AuthorKind: svcportal.PrincipalStaff, AuthorID: 1, Body: "Secret vendor escalation", Internal: true}}
	if err := w.st.UpdateTicket(w.ctx, printer, note); err != nil {
		t.Fatal(err)
	}
	peter := svcportal.ViewerOf(w.peter)
	yes, no := true, false
	tests := []struct {
		name string
		f    svcportal.TicketFilter
		want []int64
	}{
		{"status", svcportal.TicketFilter{Status: []string{svcportal.StatusAwaitingReply}}, []int64{vpn.Number}},
		{"words in the title", svcportal.TicketFilter{Query: "printer FLOOR"}, []int64{printer.Number}},
		{"words in a public reply", svcportal.TicketFilter{Query: "tunnel"}, []int64{vpn.Number}},
		{"words only in an internal note", svcportal.TicketFilter{Query: "vendor"}, []int64{}},
		{"number", svcportal.TicketFilter{Query: fmt.Sprintf("#%d", vpn.Number)}, []int64{vpn.Number}},
		{"like wildcards are literal", svcportal.TicketFilter{Query: "%"}, []int64{}},
		{"unread: the staff reply", svcportal.TicketFilter{Unread: &yes}, []int64{vpn.Number}},
		{"read", svcportal.TicketFilter{Unread: &no}, []int64{printer.Number}},
		{"built-in field", svcportal.TicketFilter{Fields: map[string]any{"priority": "high"}}, []int64{printer.Number}},
		{"text field", svcportal.TicketFilter{Fields: map[string]any{"asset_tag": "LT-7"}}, []int64{vpn.Number}},
		{"multi-select contains", svcportal.TicketFilter{Fields: map[string]any{"os": "windows"}}, []int64{printer.Number}},
		{"checkbox", svcportal.TicketFilter{Fields: map[string]any{"urgent": true}}, []int64{printer.Number}},
		{"number field", svcportal.TicketFilter{Fields: map[string]any{"cost": 12.5}}, []int64{printer.Number}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, total, err := w.st.ContactTickets(w.ctx, peter, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(numbers(got), tt.want) || total != len(tt.want) {
				t.Errorf("got %v (total %d), want %v", numbers(got), total, tt.want)
			}
		})
	}
	t.Run("staff search includes internal notes", func(t *testing.T) {
		got, _, _ := w.st.StaffTickets(w.ctx, 1, svcportal.TicketFilter{Query: "vendor"})
		if !slices.Equal(numbers(got), []int64{printer.Number}) {
			t.Errorf("got %v", numbers(got))
		}
	})
	t.Run("reading clears unread until someone else writes", func(t *testing.T) {
		unread := func() bool {
			t.Helper()
			got, err := w.st.TicketByNumber(w.ctx, vpn.Number, svcportal.PrincipalContact, w.peter.ID)
			if err != nil {
				t.Fatal(err)
			}
			return got.Unread
		}
		if !unread() {
			t.Error("the ticket read alone says read before it was")
		}
		w.clock.Advance(time.Minute)
		if err := w.st.MarkTicketRead(w.ctx, vpn.ID, svcportal.PrincipalContact, w.peter.ID, w.clock.Now()); err != nil {
			t.Fatal(err)
		}
		got, _, _ := w.st.ContactTickets(w.ctx, peter, svcportal.TicketFilter{Unread: &yes})
		if len(got) != 0 || unread() {
			t.Errorf("still unread: %v, alone %v", numbers(got), unread())
		}
		w.clock.Advance(time.Minute)
		own := svcportal.TicketChange{Message: &svcportal.TicketMessage{AuthorKind: svcportal.PrincipalContact, AuthorID: w.peter.ID, Body: "done"}}
		if err := w.st.UpdateTicket(w.ctx, vpn, own); err != nil {
			t.Fatal(err)
		}
		if got, _, _ := w.st.ContactTickets(w.ctx, peter, svcportal.TicketFilter{Unread: &yes}); len(got) != 0 {
			t.Errorf("own reply made it unread: %v", numbers(got))
		}
		w.clock.Advance(time.Minute)
		again := svcportal.TicketChange{Message: &svcportal.TicketMessage{AuthorKind: svcportal.PrincipalStaff, AuthorID: 1, Body: "Fixed?"}}
		if err := w.st.UpdateTicket(w.ctx, vpn, again); err != nil {
			t.Fatal(err)
		}
		if got, _, _ := w.st.ContactTickets(w.ctx, peter, svcportal.TicketFilter{Unread: &yes}); len(got) != 1 || !unread() {
			t.Errorf("a staff reply did not make it unread (alone: %v)", unread())
		}
	})
	t.Run("sort and pages", func(t *testing.T) {
		got, total, _ := w.st.ContactTickets(w.ctx, peter, svcportal.TicketFilter{Sort: "number", PerPage: 1, Page: 2})
		if total != 2 || len(got) != 1 || got[0].Number != vpn.Number {
			t.Errorf("got %v of %d", numbers(got), total)
		}
	})
}

func TestTicketStore_UpdateIsConditionalAndAtomic(t *testing.T) {
	w := newTicketWorld(t)
	tk := w.create(t, w.peter, w.initech, "x", func(tk *svcportal.Ticket) { tk.Status = svcportal.StatusSolutionProposed })
	first, _ := w.st.TicketByNumber(w.ctx, tk.Number, "", 0)
	second, _ := w.st.TicketByNumber(w.ctx, tk.Number, "", 0)
	first.Status = svcportal.StatusClosed
	if err := w.st.UpdateTicket(w.ctx, first, svcportal.TicketChange{StatusFrom: svcportal.StatusSolutionProposed,
		Events: []svcportal.TicketEvent{{Kind: svcportal.EventSolutionAccepted}}}); err != nil {
		t.Fatal(err)
	}
	second.Status = svcportal.StatusOpen
	err := w.st.UpdateTicket(w.ctx, second, svcportal.TicketChange{StatusFrom: svcportal.StatusSolutionProposed,
		Events: []svcportal.TicketEvent{{Kind: svcportal.EventSolutionRefused}}})
	if svcportal.KindOf(err) != svcportal.KindConflict {
		t.Fatalf("second decision on the same proposal: %v, want conflict", err)
	}
	got, _ := w.st.TicketByNumber(w.ctx, tk.Number, "", 0)
	th, err := w.st.TicketThread(w.ctx, got, true)
	if err != nil {
		t.Fatal(err)
	}
	if events := th.Events; len(events) != 2 || events[1].Kind != svcportal.EventSolutionAccepted {
		t.Errorf("events %+v: the refused change left a trace", events)
	}
	if got.Status != svcportal.StatusClosed {
		t.Errorf("status %s", got.Status)
	}
}

// TestTicketStore_FailedCreationLeavesNothing: a creation that fails
// after its ticket was written (here, rendering its emails, which comes
// after the number) leaves no ticket, provisional or numbered, and gives
// its number back.
func TestTicketStore_FailedCreationLeavesNothing(t *testing.T) {
	w := newTicketWorld(t)
	first := w.create(t, w.peter, w.initech, "first", nil)
	failing := &svcportal.Ticket{SiteID: w.initech.ID, RequesterID: w.peter.ID, Title: "failing", Status: svcportal.StatusOpen}
	err := w.st.CreateTicket(w.ctx, failing, svcportal.TicketChange{
		Message: &svcportal.TicketMessage{AuthorKind: svcportal.PrincipalContact, AuthorID: w.peter.ID, Body: "words"},
		Notify:  func(*svcportal.Ticket) ([]*svcportal.OutboundEmail, error) { return nil, errors.New("no template") },
	})
	if err == nil {
		t.Fatal("the creation did not fail")
	}
	next := w.create(t, w.peter, w.initech, "next", nil)
	if next.Number != first.Number+1 {
		t.Errorf("after a failed creation: number %d, want %d", next.Number, first.Number+1)
	}
	got, total, err := w.st.StaffTickets(w.ctx, 0, svcportal.TicketFilter{PerPage: 100})
	if err != nil || total != 2 || !slices.Equal(numbers(got), []int64{first.Number, next.Number}) {
		t.Errorf("tickets %v (total %d, %v), want #%d and #%d only", numbers(got), total, err, first.Number, next.Number)
	}
	var rows int
	if err := w.st.DB().NewSelect().TableExpr("tickets").ColumnExpr("COUNT(*)").Scan(w.ctx, &rows); err != nil || rows != 2 {
		t.Errorf("%d rows in tickets, %v; want 2", rows, err)
	}
}

// TestTicketStore_UpdateKeepsOthersChanges: an update writes what its
// caller changed, not the whole ticket as the caller read it: a change
// that landed between the read and the write (another title, another CC
// list) stays.
func TestTicketStore_UpdateKeepsOthersChanges(t *testing.T) {
	w := newTicketWorld(t)
	tk := w.create(t, w.peter, w.initech, "Old title", nil)
	stale, err := w.st.TicketByNumber(w.ctx, tk.Number, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	fresh, _ := w.st.TicketByNumber(w.ctx, tk.Number, "", 0)
	fresh.Title, fresh.CC = "New title", []string{"boss@initech.test"}
	if err := w.st.UpdateTicket(w.ctx, fresh, svcportal.TicketChange{}); err != nil {
		t.Fatal(err)
	}
	w.clock.Advance(time.Minute)
	stale.Priority = "high" // the caller's own change
	reply := svcportal.TicketChange{StatusFrom: stale.Status,
		Message: &svcportal.TicketMessage{AuthorKind: svcportal.PrincipalContact, AuthorID: w.peter.ID, Body: "Any news?"}}
	if err := w.st.UpdateTicket(w.ctx, stale, reply); err != nil {
		t.Fatal(err)
	}
	got, _ := w.st.TicketByNumber(w.ctx, tk.Number, "", 0)
	if got.Title != "New title" || !slices.Equal(got.CC, []string{"boss@initech.test"}) {
		t.Errorf("title %q, CC %v: the reply put back what it had read", got.Title, got.CC)
	}
	if got.Priority != "high" || !got.UpdatedAt.Equal(w.clock.Now().UTC()) || !got.LastClientAt.Equal(w.clock.Now().UTC()) {
		t.Errorf("priority %q, updated %v, last client %v: the reply's own changes were not written", got.Priority, got.UpdatedAt, got.LastClientAt)
	}
}

// TestTicketStore_ReminderKeepsOthersChanges: the auto-close job writes
// its reminder on tickets read in a batch, maybe seconds before; what an
// agent changed meanwhile stays.
func TestTicketStore_ReminderKeepsOthersChanges(t *testing.T) {
	w := newTicketWorld(t)
	tk := w.create(t, w.peter, w.initech, "Waiting", func(tk *svcportal.Ticket) { tk.Status = svcportal.StatusAwaitingReply })
	w.clock.Advance(5 * 24 * time.Hour)
	due, err := w.st.TicketsAwaitingClient(w.ctx, w.clock.Now(), w.clock.Now().Add(-7*24*time.Hour), 10)
	if err != nil || len(due) != 1 {
		t.Fatalf("due: %d tickets, %v", len(due), err)
	}
	fresh, _ := w.st.TicketByNumber(w.ctx, tk.Number, "", 0)
	fresh.Priority = "high"
	if err := w.st.UpdateTicket(w.ctx, fresh, svcportal.TicketChange{}); err != nil {
		t.Fatal(err)
	}
	now := w.clock.Now()
	due[0].ReminderSentAt = &now
	if err := w.st.UpdateTicket(w.ctx, &due[0], svcportal.TicketChange{StatusFrom: svcportal.StatusAwaitingReply, NoReminderYet: true}); err != nil {
		t.Fatal(err)
	}
	got, _ := w.st.TicketByNumber(w.ctx, tk.Number, "", 0)
	if got.Priority != "high" || got.ReminderSentAt == nil {
		t.Errorf("priority %q, reminder %v: want the agent's priority and the reminder", got.Priority, got.ReminderSentAt)
	}
}
