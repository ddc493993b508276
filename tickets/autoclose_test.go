package tickets_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/mail"
	"github.com/svcportal/svcportal/policies"
	"github.com/svcportal/svcportal/store"
	"github.com/svcportal/svcportal/testkit"
	"github.com/svcportal/svcportal/tickets"
)

func newService(t *testing.T, st *store.Store, clock *testkit.Clock) *tickets.Service {
	return newServiceOn(t, st, st, clock)
}

// newServiceOn is newService with ts as the service's ticket store.
func newServiceOn(t *testing.T, ts tickets.Store, st *store.Store, clock *testkit.Clock) *tickets.Service {
	t.Helper()
	r, err := mail.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	return tickets.New(ts, policies.New(st), clock.Now, tickets.WithNotifications(r, func(*svcportal.Tenant) string { return "http://acme.localhost" }))
}

func TestAutoClose(t *testing.T) {
	clock := testkit.NewClock()
	st := testkit.Store(t, store.WithClock(clock.Now))
	ctx, _ := testkit.Tenant(t, st, "acme")
	policies.New(st).SeedDefaults(ctx)
	site := testkit.Site(ctx, t, st, "Initech")
	peter := testkit.Contact(ctx, t, st, "peter@initech.test", site, svcportal.RoleMember)
	staff, _ := st.StaffByEmail(ctx, "admin@acme.test")
	agent := &svcportal.Principal{Kind: svcportal.PrincipalStaff, Staff: staff}
	contact := &svcportal.Principal{Kind: svcportal.PrincipalContact, Contact: peter}

	// Two instances of the application, running the job at the same time.
	a, b := newService(t, st, clock), newService(t, st, clock)
	run := func() (reminded, closed int) {
		t.Helper()
		var wg sync.WaitGroup
		var mu sync.Mutex
		for _, s := range []*tickets.Service{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, c, err := s.AutoClose(context.Background(), st)
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				reminded, closed = reminded+r, closed+c
				mu.Unlock()
			}()
		}
		wg.Wait()
		return reminded, closed
	}
	waiting, err := a.Create(ctx, contact, svcportal.NewTicket{Title: "Waiting on the client", CC: []string{"boss@external.test"}})
	if err != nil {
		t.Fatal(err)
	}
	answered, _ := a.Create(ctx, contact, svcportal.NewTicket{Title: "Answered in time"})
	open, _ := a.Create(ctx, contact, svcportal.NewTicket{Title: "Waiting on the MSP"})
	for _, n := range []int64{waiting.Number, answered.Number} {
		if _, err := a.UpdateFields(ctx, agent, n, map[string]any{"status": svcportal.StatusAwaitingReply}); err != nil {
			t.Fatal(err)
		}
	}
	emailsBefore, _ := st.Emails(ctx, svcportal.EmailFilter{Limit: 1000})

	clock.Advance(3*24*time.Hour + 11*time.Hour) // 3.46 days of 7: too early
	if r, c := run(); r+c != 0 {
		t.Fatalf("before half the delay: reminded %d, closed %d", r, c)
	}
	clock.Advance(2 * time.Hour) // past 3.5 days
	if _, err := a.Reply(ctx, contact, answered.Number, "Here is the answer", false, nil); err != nil {
		t.Fatal(err)
	}
	if r, c := run(); r != 1 || c != 0 {
		t.Fatalf("at half the delay: reminded %d, closed %d; want one reminder in all, though two instances ran", r, c)
	}
	if r, c := run(); r+c != 0 {
		t.Fatalf("a second round reminded %d, closed %d", r, c)
	}
	clock.Advance(4 * 24 * time.Hour) // past 7 days
	if r, c := run(); r != 0 || c != 1 {
		t.Fatalf("after the delay: reminded %d, closed %d; want one close in all", r, c)
	}

	got, _ := a.Get(ctx, agent, waiting.Number)
	if got.Status != svcportal.StatusClosed || got.ClosedAt == nil {
		t.Errorf("status %s", got.Status)
	}
	count := map[string]int{}
	for _, e := range got.Events {
		count[e.Kind]++
	}
	if count[svcportal.EventAutoCloseWarning] != 1 || count[svcportal.EventAutoClosed] != 1 {
		t.Errorf("events %v: want one reminder and one auto-close", count)
	}
	for _, n := range []int64{answered.Number, open.Number} {
		if v, _ := a.Get(ctx, agent, n); v.Status == svcportal.StatusClosed {
			t.Errorf("#%d was closed though it was not waiting on the client", n)
		}
	}
	emails, _ := st.Emails(ctx, svcportal.EmailFilter{Limit: 1000})
	kinds := map[string]int{}
	for _, e := range emails[:len(emails)-len(emailsBefore)] {
		kinds[e.Kind]++
	}
	// The requester is asked for an answer; the CC is told it is awaited.
	if kinds["ticket_reminder"] != 1 || kinds["ticket_reminder_cc"] != 1 || kinds["ticket_auto_closed"] != 2 {
		t.Errorf("emails %v: want a reminder and a closing notice each to the requester and the CC", kinds)
	}
}

// TestAutoClose_SkipsDisabledTenant: while the operator has a tenant
// disabled, neither auto-close nor the outbox touches it; enabled again,
// both pick up where they would have been.
func TestAutoClose_SkipsDisabledTenant(t *testing.T) {
	clock := testkit.NewClock()
	st := testkit.Store(t, store.WithClock(clock.Now))
	ctx, _ := testkit.Tenant(t, st, "acme")
	gctx, _ := testkit.Tenant(t, st, "globex")
	for _, c := range []context.Context{ctx, gctx} {
		policies.New(st).SeedDefaults(c)
	}
	s := newService(t, st, clock)
	waiting := map[string]int64{}
	for slug, c := range map[string]context.Context{"acme": ctx, "globex": gctx} {
		site := testkit.Site(c, t, st, "Initech")
		peter := testkit.Contact(c, t, st, "peter@initech.test", site, svcportal.RoleMember)
		staff, _ := st.StaffByEmail(c, "admin@"+slug+".test")
		tk, err := s.Create(c, &svcportal.Principal{Kind: svcportal.PrincipalContact, Contact: peter}, svcportal.NewTicket{Title: "Waiting"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.UpdateFields(c, &svcportal.Principal{Kind: svcportal.PrincipalStaff, Staff: staff}, tk.Number,
			map[string]any{"status": svcportal.StatusAwaitingReply}); err != nil {
			t.Fatal(err)
		}
		waiting[slug] = tk.Number
	}
	now := clock.Now()
	if err := st.SetTenantDisabled(context.Background(), "acme", &now); err != nil {
		t.Fatal(err)
	}
	clock.Advance(8 * 24 * time.Hour)
	if _, closed, err := s.AutoClose(context.Background(), st); err != nil || closed != 1 {
		t.Fatalf("with acme disabled: closed %d (%v), want globex's one", closed, err)
	}
	claimed, err := st.ClaimDueEmails(context.Background(), clock.Now(), 1000, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	acme, _ := st.TenantBySlug(context.Background(), "acme")
	for _, e := range claimed {
		if e.TenantID == acme.ID {
			t.Errorf("the outbox claimed %q of the disabled tenant", e.Subject)
		}
	}
	if len(claimed) == 0 {
		t.Error("the enabled tenant's mail was not claimed")
	}
	if err := st.SetTenantDisabled(context.Background(), "acme", nil); err != nil {
		t.Fatal(err)
	}
	if _, closed, err := s.AutoClose(context.Background(), st); err != nil || closed != 1 {
		t.Fatalf("acme enabled again: closed %d (%v), want its one", closed, err)
	}
	claimed, _ = st.ClaimDueEmails(context.Background(), clock.Now(), 1000, time.Minute)
	if len(claimed) == 0 || claimed[0].TenantID != acme.ID {
		t.Errorf("acme's mail after enabling: %d claimed", len(claimed))
	}
	if err := st.SetTenantDisabled(context.Background(), "nope", nil); svcportal.KindOf(err) != svcportal.KindNotFound {
		t.Errorf("unknown slug: %v", err)
	}
}

// TestAutoClose_Backlog: a backlog larger than a batch is worked through
// in one round, batch after batch, and tickets already reminded but not
// yet due do not hold back those that need a reminder.
func TestAutoClose_Backlog(t *testing.T) {
	clock := testkit.NewClock()
	st := testkit.Store(t, store.WithClock(clock.Now))
	ctx, _ := testkit.Tenant(t, st, "acme")
	policies.New(st).SeedDefaults(ctx)
	site := testkit.Site(ctx, t, st, "Initech")
	peter := testkit.Contact(ctx, t, st, "peter@initech.test", site, svcportal.RoleMember)
	now := clock.Now()
	day := 24 * time.Hour
	remindedAt := now.Add(-day)
	var ts []svcportal.Ticket
	add := func(n int, since time.Time, reminder *time.Time) {
		for i := range n {
			ts = append(ts, svcportal.Ticket{SiteID: site.ID, RequesterID: peter.ID, Title: fmt.Sprintf("Waiting %d", len(ts)),
				Status: svcportal.StatusAwaitingReply, Type: "incident", CreatedAt: since.Add(time.Duration(i) * time.Minute), ReminderSentAt: reminder})
		}
	}
	add(45, now.Add(-8*day), &remindedAt) // past the 7 days: to close
	add(30, now.Add(-5*day), &remindedAt) // reminded, not due yet: the oldest of the rest
	add(5, now.Add(-4*day), nil)          // past half the delay: to remind
	if err := st.SeedTickets(ctx, ts); err != nil {
		t.Fatal(err)
	}
	s := newService(t, st, clock)
	if r, c, err := s.AutoClose(context.Background(), st); err != nil || r != 5 || c != 45 {
		t.Fatalf("first round: reminded %d, closed %d, %v; want 5 and 45", r, c, err)
	}
	if r, c, err := s.AutoClose(context.Background(), st); err != nil || r+c != 0 {
		t.Errorf("second round: reminded %d, closed %d, %v; want nothing left", r, c, err)
	}
}
