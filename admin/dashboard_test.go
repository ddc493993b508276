package admin_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/testkit"
)

// dashFixture opens, answers and closes tickets over two weeks through
// the portal and the console, and records votes, so that the dashboard's
// figures are known:
//
//	week of Mon 2 Mar: A and B opened (Initech); first replies after 30 min
//	  (A) and 2 h (B, after an internal note that does not count): median 1 h 15.
//	week of Mon 9 Mar: C opened (Umbrella), first reply after 10 min; A closed.
//	now: Mon 16 Mar. Backlog: B in progress (Initech), C awaiting reply
//	  (Umbrella). Votes: "Reset a password" 2 helpful, 1 not; "VPN" 1 not.
func dashFixture(t *testing.T) *desk {
	t.Helper()
	d := newDesk(t)
	clock := d.app.Clock // starts Mon 2 Mar 2026 09:00 UTC
	alice := d.app.NewBrowser("acme.localhost")
	if rec := alice.Submit(t, "/login", url.Values{"email": {"alice@umbrella.test"}, "password": {testkit.Password}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("alice's sign-in: %d", rec.Code)
	}
	alice.Page(t, "/")
	reply := func(n int64, body string, internal bool) {
		t.Helper()
		v := url.Values{"body": {body}}
		if internal {
			v.Set("internal", "on")
		}
		d.agent.Page(t, fmt.Sprintf("/admin/tickets/%d", n))
		if rec := d.agent.Submit(t, fmt.Sprintf("/admin/tickets/%d/reply", n), v); rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/admin/tickets/") {
			t.Fatalf("reply to #%d: %d %s", n, rec.Code, rec.Body)
		}
	}
	status := func(n int64, st string) {
		t.Helper()
		d.agent.Page(t, fmt.Sprintf("/admin/tickets/%d", n))
		if rec := d.agent.Submit(t, fmt.Sprintf("/admin/tickets/%d/fields", n), url.Values{"field.status": {st}, "field.type": {"incident"}}); rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/admin/tickets/") {
			t.Fatalf("status of #%d: %d %s", n, rec.Code, rec.Body)
		}
	}
	a := d.ticket(t, d.peter, "Printer jams", "")
	clock.Advance(30 * time.Minute)
	reply(a, "Which tray?", false) // 30 min
	b := d.ticket(t, d.peter, "VPN drops", "")
	clock.Advance(time.Hour)
	reply(b, "Vendor case 77", true) // an internal note is no response
	clock.Advance(time.Hour)
	reply(b, "We are on it.", false) // 2 h
	reply(a, "Second answer", false) // not a first response
	status(b, svcportal.StatusInProgress)

	clock.Advance(7*24*time.Hour - 2*time.Hour - 30*time.Minute) // Mon 9 Mar 09:00
	c := d.ticket(t, alice, "Mailbox full", "")
	clock.Advance(10 * time.Minute)
	reply(c, "Cleaning it up.", false) // 10 min
	status(c, svcportal.StatusAwaitingReply)
	status(a, svcportal.StatusClosed)

	// Votes on two articles.
	ctx, st := d.actx, d.app.Store
	cat := testkit.KBCategory(ctx, t, st, "Accounts")
	sec := testkit.KBSection(ctx, t, st, cat, "Passwords")
	reset := testkit.KBArticle(ctx, t, st, sec, svcportal.KBPublished, "Reset a password", "Steps")
	vpn := testkit.KBArticle(ctx, t, st, sec, svcportal.KBPublished, "VPN", "Steps")
	bill := testkit.Contact(ctx, t, st, "bill@initech.test", d.initech, svcportal.RoleSiteManager)
	for _, v := range []struct {
		article int64
		contact string
		helpful bool
	}{{reset.ID, "peter@initech.test", true}, {reset.ID, "alice@umbrella.test", true}, {reset.ID, bill.Email, false}, {vpn.ID, "peter@initech.test", false}} {
		who, err := st.ContactByEmail(ctx, v.contact)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.VoteKBArticle(ctx, v.article, who.ID, v.helpful); err != nil {
			t.Fatal(err)
		}
	}
	clock.Advance(7 * 24 * time.Hour) // Mon 16 Mar
	// Fresh sessions: the admin's has been idle for two weeks.
	d.admin, d.agent = d.signIn(t, "admin@acme.test"), d.signIn(t, "tech@acme.test")
	return d
}

// TestDashboard_ChartsCarryTheFigures checks every chart of /admin
// against dashFixture, for the admin and the agent: the accessible
// tables and the SVG's bars and points carry the same numbers.
func TestDashboard_ChartsCarryTheFigures(t *testing.T) {
	d := dashFixture(t)
	for _, b := range []*testkit.Browser{d.admin, d.agent} {
		rec, doc := b.Page(t, "/admin")
		if rec.Code != http.StatusOK {
			t.Fatalf("/admin: %d", rec.Code)
		}
		cell := func(table, row, col string) string {
			t.Helper()
			return strings.TrimSpace(doc.Find(fmt.Sprintf("table[data-testid=%s] tr[%s] %s", table, row, col)).Text())
		}
		// Twelve weeks, the current one last.
		if n := doc.Find("table[data-testid=activity-table] tbody tr").Length(); n != svcportal.DashboardWeeks {
			t.Errorf("%d weeks, want %d", n, svcportal.DashboardWeeks)
		}
		if last := doc.Find("table[data-testid=activity-table] tbody tr").Last().AttrOr("data-week", ""); last != "2026-03-16" {
			t.Errorf("last week %s, want 2026-03-16", last)
		}
		for _, c := range []struct{ week, opened, closed, responded, median string }{
			{"2026-03-02", "2", "0", "2", "1 h 15 min"},
			{"2026-03-09", "1", "1", "1", "10 min"},
			{"2026-03-16", "0", "0", "0", "–"},
			{"2026-02-23", "0", "0", "0", "–"},
		} {
			row := fmt.Sprintf(`data-week="%s"`, c.week)
			if got := cell("activity-table", row, "[data-col=opened]"); got != c.opened {
				t.Errorf("week %s opened %q, want %s", c.week, got, c.opened)
			}
			if got := cell("activity-table", row, "[data-col=closed]"); got != c.closed {
				t.Errorf("week %s closed %q, want %s", c.week, got, c.closed)
			}
			if got := cell("response-table", row, "[data-col=responded]"); got != c.responded {
				t.Errorf("week %s first replies %q, want %s", c.week, got, c.responded)
			}
			if got := cell("response-table", row, "[data-col=median]"); got != c.median {
				t.Errorf("week %s median %q, want %s", c.week, got, c.median)
			}
		}
		// The SVG: bars per week and series, the same figures; points only
		// for weeks with first replies, in minutes.
		var opened, closed []string
		doc.Find(`svg[data-chart=chart-activity] rect[data-series=opened]`).Each(func(_ int, s *goqSel) { opened = append(opened, s.AttrOr("data-value", "")) })
		doc.Find(`svg[data-chart=chart-activity] rect[data-series=closed]`).Each(func(_ int, s *goqSel) { closed = append(closed, s.AttrOr("data-value", "")) })
		if got := strings.Join(opened, ","); got != "0,0,0,0,0,0,0,0,0,2,1,0" {
			t.Errorf("opened bars %s", got)
		}
		if got := strings.Join(closed, ","); got != "0,0,0,0,0,0,0,0,0,0,1,0" {
			t.Errorf("closed bars %s", got)
		}
		var dots []string
		doc.Find(`svg[data-chart=chart-response] circle`).Each(func(_ int, s *goqSel) { dots = append(dots, s.AttrOr("data-value", "")) })
		if got := strings.Join(dots, ","); got != "75,10" {
			t.Errorf("median points %s, want 75,10 (minutes)", got)
		}
		if doc.Find(`svg[data-chart=chart-response] polyline`).Length() != 1 {
			t.Error("the two consecutive weeks are not joined by a line")
		}
		// Open tickets by site, backlog by status.
		if got := cell("by-site-table", fmt.Sprintf(`data-site="%d"`, d.initech.ID), "td"); got != "1" {
			t.Errorf("Initech open %q, want 1", got)
		}
		if got := cell("by-site-table", fmt.Sprintf(`data-site="%d"`, d.umbrella.ID), "td"); got != "1" {
			t.Errorf("Umbrella open %q, want 1", got)
		}
		for st, want := range map[string]string{"open": "0", "in_progress": "1", "awaiting_reply": "1", "solution_proposed": "0"} {
			if got := cell("by-status-table", fmt.Sprintf(`data-status="%s"`, st), "td"); got != want {
				t.Errorf("backlog %s %q, want %s", st, got, want)
			}
		}
		if doc.Find(`table[data-testid=by-status-table] tr[data-status=closed]`).Length() != 0 {
			t.Error("closed tickets are counted in the backlog")
		}
		var statusBars []string
		doc.Find(`svg[data-chart=chart-status] rect`).Each(func(_ int, s *goqSel) { statusBars = append(statusBars, s.AttrOr("data-value", "")) })
		if got := strings.Join(statusBars, ","); got != "0,1,1,0" {
			t.Errorf("status bars %s", got)
		}
		// Helpfulness: most votes first, with the helpful share.
		var rows []string
		doc.Find("table[data-testid=helpful-table] tbody tr").Each(func(_ int, r *goqSel) {
			rows = append(rows, strings.Join(texts(r.Find("th, td")), "|"))
		})
		if got := strings.Join(rows, " / "); got != "Reset a password|2|1|66% / VPN|0|1|0%" {
			t.Errorf("helpfulness rows %q", got)
		}
		var helpful []string
		doc.Find(`svg[data-chart=chart-helpful] rect`).Each(func(_ int, s *goqSel) {
			helpful = append(helpful, s.AttrOr("data-series", "")+"="+s.AttrOr("data-value", ""))
		})
		if got := strings.Join(helpful, ","); got != "helpful=2,not_helpful=1,helpful=0,not_helpful=1" {
			t.Errorf("helpfulness bars %s", got)
		}
		// Accessible: every chart is an image named by its title and
		// description.
		doc.Find("svg.chart").Each(func(_ int, s *goqSel) {
			id := s.AttrOr("data-chart", "")
			if s.AttrOr("role", "") != "img" || s.AttrOr("aria-labelledby", "") != id+"-title "+id+"-desc" ||
				strings.TrimSpace(s.Find("title#"+id+"-title").Text()) == "" || strings.TrimSpace(s.Find("desc#"+id+"-desc").Text()) == "" {
				t.Errorf("chart %s is not named for assistive technology", id)
			}
		})
		if got := strings.TrimSpace(doc.Find("[data-testid=unassigned] strong").Text()); got != "2" {
			t.Errorf("unassigned open tickets %q, want 2", got)
		}
	}
}

// TestDashboard_InTheReadersLanguage: the charts' words and durations
// follow the staff member's language.
func TestDashboard_InTheReadersLanguage(t *testing.T) {
	d := dashFixture(t)
	if rec := d.admin.Submit(t, "/admin/profile", url.Values{"name": {"Ada"}, "locale": {"de"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("profile: %d", rec.Code)
	}
	_, doc := d.admin.Page(t, "/admin")
	if got := strings.TrimSpace(doc.Find(`table[data-testid=response-table] tr[data-week="2026-03-02"] [data-col=median]`).Text()); got != "1 Std. 15 Min." {
		t.Errorf("German median %q", got)
	}
	if got := strings.TrimSpace(doc.Find(`table[data-testid=activity-table] tr[data-week="2026-03-02"] th`).Text()); got != "2. März" {
		t.Errorf("German week label %q", got)
	}
	if got := strings.TrimSpace(doc.Find("svg[data-chart=chart-activity] title").First().Text()); got != "Eröffnete und geschlossene Tickets pro Woche" {
		t.Errorf("German chart title %q", got)
	}
	// The page says the days and weeks are UTC's (store's TestTicketStats_UTCDays shows they are).
	if got := doc.Find("[data-testid=utc-note]").Text(); !strings.Contains(got, "Tage und Wochen werden unabhängig von Ihrer Zeitzone in UTC gezählt") {
		t.Errorf("the page does not say its days are UTC's: %q", got)
	}
}

// TestDashboard_OtherTenantsCountersStayApart: globex's tickets change
// nothing on acme's dashboard.
func TestDashboard_OtherTenantsCountersStayApart(t *testing.T) {
	d := newDesk(t)
	hooliGavin := testkit.Contact(d.gctx, t, d.app.Store, "gavin@hooli.test", d.hooli, svcportal.RoleMember)
	seed := []svcportal.Ticket{{SiteID: d.hooli.ID, RequesterID: hooliGavin.ID, Title: "Globex", Status: svcportal.StatusOpen, CreatedAt: d.app.Clock.Now()}}
	if err := d.app.Store.SeedTickets(d.gctx, seed); err != nil {
		t.Fatal(err)
	}
	_, doc := d.admin.Page(t, "/admin")
	if got := strings.TrimSpace(doc.Find(`table[data-testid=activity-table] tr[data-week="2026-03-02"] [data-col=opened]`).Text()); got != "0" {
		t.Errorf("acme's week counts globex's ticket: %q", got)
	}
	if doc.Find("table[data-testid=by-site-table]").Length() != 0 || strings.Contains(doc.Find("main").Text(), "Hooli") {
		t.Error("acme's dashboard shows globex's site")
	}
}
