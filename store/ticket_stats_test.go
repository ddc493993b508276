package store_test

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the zones of TestTicketStats_UTCDays on any machine

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/dashboard"
	"github.com/svcportal/svcportal/store"
	"github.com/svcportal/svcportal/testkit"
)

// statsDesk is a store on a settable clock with two sites and a contact.
type statsDesk struct {
	st            *store.Store
	clock         *testkit.Clock
	ctx, gctx     context.Context
	initech, umbr *svcportal.Site
	peter         *svcportal.Contact
}

func newStatsDesk(t *testing.T) *statsDesk {
	t.Helper()
	d := &statsDesk{clock: testkit.NewClock()}
	d.st = testkit.Store(t, store.WithClock(d.clock.Now))
	d.ctx, _ = testkit.Tenant(t, d.st, "acme")
	d.gctx, _ = testkit.Tenant(t, d.st, "globex")
	d.initech, d.umbr = testkit.Site(d.ctx, t, d.st, "Initech"), testkit.Site(d.ctx, t, d.st, "Umbrella")
	d.peter = testkit.Contact(d.ctx, t, d.st, "peter@initech.test", d.initech, svcportal.RoleMember)
	return d
}

func (d *statsDesk) open(t *testing.T, site *svcportal.Site) *svcportal.Ticket {
	t.Helper()
	tk := &svcportal.Ticket{SiteID: site.ID, RequesterID: d.peter.ID, Title: "Help", Status: svcportal.StatusOpen}
	if err := d.st.CreateTicket(d.ctx, tk, svcportal.TicketChange{}); err != nil {
		t.Fatal(err)
	}
	return tk
}

// change sets the ticket's status and adds a message by kind (staff or
// contact; "" for none), internal or not.
func (d *statsDesk) change(t *testing.T, tk *svcportal.Ticket, status, author string, internal bool) {
	t.Helper()
	tk.Status = status
	if status == svcportal.StatusClosed { // as the ticket service does
		now := d.clock.Now().UTC()
		tk.ClosedAt = &now
	}
	var c svcportal.TicketChange
	if author != "" {
		c.Message = &svcportal.TicketMessage{AuthorKind: author, AuthorID: 1, Body: "message", Internal: internal}
	}
	if err := d.st.UpdateTicket(d.ctx, tk, c); err != nil {
		t.Fatal(err)
	}
}

type statsSnapshot struct {
	Days    []svcportal.TicketDay
	Buckets []svcportal.ResponseBucket
	Backlog []svcportal.BacklogCount
}

// snapshot reads the counters by weeks from the day numbered from.
func (d *statsDesk) snapshot(t *testing.T, ctx context.Context, from int64) statsSnapshot {
	t.Helper()
	var s statsSnapshot
	var err error
	if s.Days, err = d.st.TicketWeeks(ctx, from); err != nil {
		t.Fatal(err)
	}
	if s.Buckets, err = d.st.FirstResponseWeeks(ctx, from); err != nil {
		t.Fatal(err)
	}
	if s.Backlog, err = d.st.Backlog(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestTicketStats_KeptByWrites: creating, answering, closing and
// reopening tickets keep the dashboard's counters exact, per tenant.
func TestTicketStats_KeptByWrites(t *testing.T) {
	d := newStatsDesk(t)
	day0 := svcportal.DayNumber(d.clock.Now())
	a, b := d.open(t, d.initech), d.open(t, d.umbr)
	d.clock.Advance(90 * time.Minute)
	d.change(t, b, svcportal.StatusOpen, svcportal.PrincipalStaff, true)        // an internal note: no response
	d.change(t, b, svcportal.StatusOpen, svcportal.PrincipalContact, false)     // the client writes: no response
	d.change(t, a, svcportal.StatusInProgress, svcportal.PrincipalStaff, false) // first response, 90 min
	if a.FirstResponseAt == nil || !a.FirstResponseAt.Equal(d.clock.Now().UTC()) {
		t.Errorf("first response at %v", a.FirstResponseAt)
	}
	d.clock.Advance(24 * time.Hour)
	d.change(t, a, svcportal.StatusInProgress, svcportal.PrincipalStaff, false) // not the first
	d.change(t, a, svcportal.StatusClosed, "", false)
	d.change(t, a, svcportal.StatusOpen, "", false)
	d.change(t, a, svcportal.StatusClosed, "", false) // closed twice that day

	got := d.snapshot(t, d.ctx, day0-6) // day0 ends the first week, day0+1 starts the second
	want := statsSnapshot{
		Days:    []svcportal.TicketDay{{Day: day0 - 6, Opened: 2}, {Day: day0 + 1, Closed: 2}},
		Buckets: []svcportal.ResponseBucket{{Day: day0 - 6, Seconds: 90 * 60, Tickets: 1}},
		Backlog: []svcportal.BacklogCount{{SiteID: d.initech.ID, Status: svcportal.StatusClosed, Unassigned: true, Tickets: 1}, {SiteID: d.umbr.ID, Status: svcportal.StatusOpen, Unassigned: true, Tickets: 1}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("counters\n got %+v\nwant %+v", got, want)
	}
	// Assigning moves the ticket out of the unassigned count.
	b.AssigneeID = 7
	d.change(t, b, svcportal.StatusOpen, "", false)
	if got := d.snapshot(t, d.ctx, day0-6).Backlog; !reflect.DeepEqual(got, []svcportal.BacklogCount{
		{SiteID: d.initech.ID, Status: svcportal.StatusClosed, Unassigned: true, Tickets: 1}, {SiteID: d.umbr.ID, Status: svcportal.StatusOpen, Tickets: 1}}) {
		t.Errorf("backlog after assigning: %+v", got)
	}
	if g := d.snapshot(t, d.gctx, 0); len(g.Days)+len(g.Buckets)+len(g.Backlog) != 0 {
		t.Errorf("globex sees acme's counters: %+v", g)
	}
	if weeks, _ := d.st.TicketWeeks(d.ctx, day0); len(weeks) != 1 || weeks[0] != (svcportal.TicketDay{Day: day0, Opened: 2, Closed: 2}) {
		t.Errorf("one week from day0: %+v", weeks)
	}
}

// TestTicketStats_MigrationAgrees: the statements of migration 0060 that
// fill the counters from existing tickets give what the writes keep
// (where history allows: each ticket closed at most once).
func TestTicketStats_MigrationAgrees(t *testing.T) {
	d := newStatsDesk(t)
	for i, delay := range []time.Duration{7 * time.Minute, 3*time.Hour + 20*time.Minute, 50 * time.Hour, 9 * 24 * time.Hour, 0} {
		tk := d.open(t, []*svcportal.Site{d.initech, d.umbr}[i%2])
		d.clock.Advance(delay)
		if delay > 0 {
			tk.AssigneeID = int64(i % 3) // some assigned, some not
			d.change(t, tk, svcportal.StatusAwaitingReply, svcportal.PrincipalStaff, false)
		}
		if i%2 == 0 {
			d.clock.Advance(time.Hour)
			d.change(t, tk, svcportal.StatusClosed, "", false)
		}
		d.clock.Advance(5 * time.Hour)
	}
	from := svcportal.DayNumber(testkit.NewClock().Now()) - 3 // weeks that do not start with the first day
	kept := d.snapshot(t, d.ctx, from)
	if err := d.st.RecountTicketStats(d.ctx); err != nil {
		t.Fatal(err)
	}
	if again := d.snapshot(t, d.ctx, from); !reflect.DeepEqual(again, kept) {
		t.Errorf("migration's counts\n got %+v\nwant %+v (kept by writes)", again, kept)
	}
}

// TestTicketStats_Seeded: seeded tickets are counted like created ones.
func TestTicketStats_Seeded(t *testing.T) {
	d := newStatsDesk(t)
	now := d.clock.Now()
	resp := now.Add(45 * time.Minute)
	seed := []svcportal.Ticket{
		{SiteID: d.initech.ID, RequesterID: d.peter.ID, Title: "a", Status: svcportal.StatusOpen, CreatedAt: now, FirstResponseAt: &resp, AssigneeID: 3},
		{SiteID: d.initech.ID, RequesterID: d.peter.ID, Title: "b", Status: svcportal.StatusClosed, CreatedAt: now},
		{SiteID: d.umbr.ID, RequesterID: d.peter.ID, Title: "c", Status: svcportal.StatusInProgress, CreatedAt: now.Add(-48 * time.Hour)},
	}
	if err := d.st.SeedTickets(d.ctx, seed); err != nil {
		t.Fatal(err)
	}
	day := svcportal.DayNumber(now)
	got := d.snapshot(t, d.ctx, day-2)
	want := statsSnapshot{
		Days:    []svcportal.TicketDay{{Day: day - 2, Opened: 3, Closed: 1}},
		Buckets: []svcportal.ResponseBucket{{Day: day - 2, Seconds: 45 * 60, Tickets: 1}},
		Backlog: []svcportal.BacklogCount{{SiteID: d.initech.ID, Status: svcportal.StatusClosed, Unassigned: true, Tickets: 1},
			{SiteID: d.initech.ID, Status: svcportal.StatusOpen, Tickets: 1}, {SiteID: d.umbr.ID, Status: svcportal.StatusInProgress, Unassigned: true, Tickets: 1}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("counters\n got %+v\nwant %+v", got, want)
	}
}

var (
	dashboardTickets = flag.Int("dashboard.tickets", 1_000_000, "tickets BenchmarkDashboard seeds")
	dashboardScan    = flag.Bool("dashboard.scan", false, "BenchmarkDashboard also measures the same figures read from the tickets (slow)")
)

// BenchmarkDashboard seeds a tenant with -dashboard.tickets tickets
// (1,000,000 by default) over two years, 50 sites, every status, first
// responses for most, then measures what /admin asks of the store: the
// dashboard service's whole assembly. "counters" is what the page does;
// "scan" is the same figures (weeks, backlog) read from the tickets
// themselves, for comparison, with -dashboard.scan (see docs/benchmarks.md).
func BenchmarkDashboard(b *testing.B) {
	clock := testkit.NewClock()
	st := testkit.Store(b, store.WithClock(clock.Now))
	ctx, _ := testkit.Tenant(b, st, "acme")
	var sites []*svcportal.Site
	for i := range 50 {
		sites = append(sites, testkit.Site(ctx, b, st, fmt.Sprintf("Site %d", i)))
	}
	c := testkit.Contact(ctx, b, st, "requester@example.test", sites[0], svcportal.RoleMember)
	rng := rand.New(rand.NewPCG(1, 2))
	now := clock.Now()
	span := 2 * 365 * 24 * time.Hour
	start := time.Now()
	for done := 0; done < *dashboardTickets; done += 5000 {
		batch := make([]svcportal.Ticket, min(5000, *dashboardTickets-done))
		for i := range batch {
			created := now.Add(-span + time.Duration(done+i)*span/time.Duration(*dashboardTickets))
			tk := svcportal.Ticket{SiteID: sites[rng.IntN(len(sites))].ID, RequesterID: c.ID, Title: "Seeded",
				Status: svcportal.Statuses[rng.IntN(len(svcportal.Statuses))], CreatedAt: created}
			if rng.IntN(10) < 8 {
				r := created.Add(time.Duration(rng.IntN(48*60)) * time.Minute)
				tk.FirstResponseAt = &r
			}
			batch[i] = tk
		}
		if err := st.SeedTickets(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("seeded %d tickets in %v", *dashboardTickets, time.Since(start).Round(time.Second))
	svc := dashboard.New(st, clock.Now)
	b.Run("counters", func(b *testing.B) {
		for b.Loop() {
			d, err := svc.Dashboard(ctx, "en")
			if err != nil || len(d.Weeks) != svcportal.DashboardWeeks || len(d.OpenBySite) != len(sites) {
				b.Fatalf("%v %+v", err, d)
			}
		}
	})
	if !*dashboardScan {
		return
	}
	b.Run("scan", func(b *testing.B) {
		for b.Loop() {
			if err := st.ScanTicketFigures(ctx, now.AddDate(0, 0, -7*svcportal.DashboardWeeks)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestTicketStats_UTCDays: the dashboard's days and weeks run from
// midnight UTC whatever the server's time zone (its clock's location) and
// the database session's (PostgreSQL's TimeZone): a ticket opened one
// second before Monday 00:00 UTC counts in the week before, one opened a
// second after in the new week, for the counters kept by writes, for the
// migration's statements that recount them, and for the dashboard's
// weeks. Kiritimati (UTC+14) and Honolulu (UTC−10) put those instants
// on the other side of their local midnight.
func TestTicketStats_UTCDays(t *testing.T) {
	for _, zone := range []string{"Pacific/Kiritimati", "Pacific/Honolulu"} {
		t.Run(zone, func(t *testing.T) {
			loc, err := time.LoadLocation(zone)
			if err != nil {
				t.Fatal(err)
			}
			monday := time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC)
			clock := testkit.NewClock()
			clock.Advance(monday.Add(-time.Second - 90*time.Minute).Sub(clock.Now())) // Sunday 22:29:59 UTC
			now := func() time.Time { return clock.Now().In(loc) }
			dsn := testkit.DatabaseURL(t)
			if strings.HasPrefix(dsn, "postgres") {
				dsn += "&timezone=" + url.QueryEscape(zone)
			}
			st, err := store.Open(t.Context(), dsn, store.WithClock(now), store.WithSecretKey([]byte(testkit.SecretKey)))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			if _, err := st.Migrate(t.Context()); err != nil {
				t.Fatal(err)
			}
			d := &statsDesk{st: st, clock: clock}
			d.ctx, _ = testkit.Tenant(t, st, "acme")
			d.initech = testkit.Site(d.ctx, t, st, "Initech")
			d.peter = testkit.Contact(d.ctx, t, st, "peter@initech.test", d.initech, svcportal.RoleMember)

			late := d.open(t, d.initech) // Sunday 22:29:59 UTC
			clock.Advance(90 * time.Minute)
			d.change(t, late, svcportal.StatusInProgress, svcportal.PrincipalStaff, false) // Sunday 23:59:59: answered in 90 min
			clock.Advance(2 * time.Second)
			d.open(t, d.initech) // Monday 00:00:01 UTC
			d.change(t, late, svcportal.StatusClosed, "", false)

			week := svcportal.DayNumber(monday)
			want := statsSnapshot{
				Days:    []svcportal.TicketDay{{Day: week - 7, Opened: 1}, {Day: week, Opened: 1, Closed: 1}},
				Buckets: []svcportal.ResponseBucket{{Day: week - 7, Seconds: 90 * 60, Tickets: 1}},
				Backlog: []svcportal.BacklogCount{{SiteID: d.initech.ID, Status: svcportal.StatusClosed, Unassigned: true, Tickets: 1},
					{SiteID: d.initech.ID, Status: svcportal.StatusOpen, Unassigned: true, Tickets: 1}},
			}
			if got := d.snapshot(t, d.ctx, week-7); !reflect.DeepEqual(got, want) {
				t.Errorf("kept by writes\n got %+v\nwant %+v", got, want)
			}
			if err := st.RecountTicketStats(d.ctx); err != nil {
				t.Fatal(err)
			}
			if got := d.snapshot(t, d.ctx, week-7); !reflect.DeepEqual(got, want) {
				t.Errorf("recounted by the migration\n got %+v\nwant %+v", got, want)
			}
			dash, err := dashboard.New(st, now).Dashboard(d.ctx, "en")
			if err != nil {
				t.Fatal(err)
			}
			last, prev := dash.Weeks[len(dash.Weeks)-1], dash.Weeks[len(dash.Weeks)-2]
			if !last.Start.Equal(monday) || last.Start.Location() != time.UTC || last.Opened != 1 || last.Closed != 1 ||
				prev.Opened != 1 || prev.Responded != 1 || prev.Median != 90*time.Minute {
				t.Errorf("the dashboard's last weeks: %+v, %+v", prev, last)
			}
		})
	}
}

// TestTicketStats_StaleWriteKeepsCounts: an update of a ticket read
// before another writer assigned it writes only its own change, and the
// backlog counters follow the ticket as it is in the database (assigned),
// not as the stale writer read it.
func TestTicketStats_StaleWriteKeepsCounts(t *testing.T) {
	d := newStatsDesk(t)
	tk := d.open(t, d.initech)
	stale, err := d.st.TicketByNumber(d.ctx, tk.Number, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	fresh, _ := d.st.TicketByNumber(d.ctx, tk.Number, "", 0)
	fresh.AssigneeID = 1
	if err := d.st.UpdateTicket(d.ctx, fresh, svcportal.TicketChange{}); err != nil {
		t.Fatal(err)
	}
	d.clock.Advance(time.Minute)
	reply := svcportal.TicketChange{Message: &svcportal.TicketMessage{AuthorKind: svcportal.PrincipalContact, Body: "Any news?"}}
	if err := d.st.UpdateTicket(d.ctx, stale, reply); err != nil {
		t.Fatal(err)
	}
	if got, _ := d.st.TicketByNumber(d.ctx, tk.Number, "", 0); got.AssigneeID != 1 {
		t.Errorf("assignee %d after the stale reply, want 1", got.AssigneeID)
	}
	from := svcportal.DayNumber(testkit.NewClock().Now()) - 3
	kept := d.snapshot(t, d.ctx, from)
	if err := d.st.RecountTicketStats(d.ctx); err != nil {
		t.Fatal(err)
	}
	if again := d.snapshot(t, d.ctx, from); !reflect.DeepEqual(again, kept) {
		t.Errorf("counted from the tickets\n got %+v\nwant %+v (kept by writes)", again, kept)
	}
}
