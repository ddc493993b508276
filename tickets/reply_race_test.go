package tickets_test

import (
	"context"
	"sync"
	"testing"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/policies"
	"github.com/svcportal/svcportal/store"
	"github.com/svcportal/svcportal/testkit"
)

// racingStore lets another change of a ticket land between a service's
// read of it and its write, once.
type racingStore struct {
	*store.Store
	race func()
	once sync.Once
}

func (r *racingStore) UpdateTicket(ctx context.Context, t *svcportal.Ticket, change svcportal.TicketChange) error {
	r.once.Do(r.race)
	return r.Store.UpdateTicket(ctx, t, change)
}

// newReplyDesk is a tenant with its default policies, a site and a
// contact of it, on a store with a test clock.
func newReplyDesk(t *testing.T) (*testkit.Clock, *store.Store, context.Context, *svcportal.Site, *svcportal.Principal) {
	t.Helper()
	clock := testkit.NewClock()
	st := testkit.Store(t, store.WithClock(clock.Now))
	ctx, _ := testkit.Tenant(t, st, "acme")
	policies.New(st).SeedDefaults(ctx)
	site := testkit.Site(ctx, t, st, "Initech")
	peter := &svcportal.Principal{Kind: svcportal.PrincipalContact, Contact: testkit.Contact(ctx, t, st, "peter@initech.test", site, svcportal.RoleMember)}
	return clock, st, ctx, site, peter
}

// TestReply_AnotherChangeMeanwhile: two contacts reply at the same instant
// to a ticket awaiting their reply; each reply hands it back to the MSP,
// so the second one's write finds the status moved. A reply is still a
// reply: it is made again on the ticket as it now is, not refused with
// "this ticket changed meanwhile" (the soak saw such 409s once writers
// waited their turn for SQLite's writer).
func TestReply_AnotherChangeMeanwhile(t *testing.T) {
	clock, st, ctx, site, peter := newReplyDesk(t)
	milton := &svcportal.Principal{Kind: svcportal.PrincipalContact, Contact: testkit.Contact(ctx, t, st, "milton@initech.test", site, svcportal.RoleMember)}
	plain := newService(t, st, clock)
	created, err := plain.Create(ctx, peter, svcportal.NewTicket{Title: "Printer jams", SharedWithSite: true})
	if err != nil {
		t.Fatal(err)
	}
	tk, err := st.TicketByNumber(ctx, created.Number, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	from := tk.Status
	tk.Status = svcportal.StatusAwaitingReply
	if err := st.UpdateTicket(ctx, tk, svcportal.TicketChange{StatusFrom: from}); err != nil {
		t.Fatal(err)
	}

	racing := &racingStore{Store: st, race: func() {
		if _, err := plain.Reply(ctx, milton, created.Number, "Same here on floor 2.", false, nil); err != nil {
			t.Errorf("the other reply: %v", err)
		}
	}}
	v, err := newServiceOn(t, racing, st, clock).Reply(ctx, peter, created.Number, "Still jams on page two.", false, nil)
	if err != nil {
		t.Fatalf("reply while another landed: %v", err)
	}
	var bodies []string
	for _, m := range v.Messages {
		bodies = append(bodies, m.Body)
	}
	if len(bodies) != 2 || bodies[0] != "Same here on floor 2." || bodies[1] != "Still jams on page two." {
		t.Errorf("messages %q, want both replies, in order", bodies)
	}
	if v.Status != svcportal.StatusOpen {
		t.Errorf("status %s, want open", v.Status)
	}
}

// TestReply_KeepsAnAgentsChange: an agent raises the ticket's priority
// while a contact's reply waits for the writer; the reply does not put
// the old priority back.
func TestReply_KeepsAnAgentsChange(t *testing.T) {
	clock, st, ctx, _, peter := newReplyDesk(t)
	staff, err := st.StaffByEmail(ctx, "admin@acme.test")
	if err != nil {
		t.Fatal(err)
	}
	agent := &svcportal.Principal{Kind: svcportal.PrincipalStaff, Staff: staff}
	plain := newService(t, st, clock)
	created, err := plain.Create(ctx, peter, svcportal.NewTicket{Title: "printer"})
	if err != nil {
		t.Fatal(err)
	}
	racing := &racingStore{Store: st, race: func() {
		if _, err := plain.UpdateFields(ctx, agent, created.Number, map[string]any{"priority": "high"}); err != nil {
			t.Errorf("the agent's change: %v", err)
		}
	}}
	v, err := newServiceOn(t, racing, st, clock).Reply(ctx, peter, created.Number, "Any news?", false, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := st.TicketByNumber(ctx, created.Number, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if got.Priority != "high" || len(v.Messages) != 1 {
		t.Errorf("priority %q, %d messages: want the agent's priority and the reply", got.Priority, len(v.Messages))
	}
}
