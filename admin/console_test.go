package admin_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/admin"
	"github.com/svcportal/svcportal/policies"
	"github.com/svcportal/svcportal/portal"
	"github.com/svcportal/svcportal/testkit"
)

// desk is a tenant with staff signed in to the console in browsers
// (session cookies, CSRF tokens off the pages), a contact signed in to
// the portal, and tickets.
type desk struct {
	*world
	admin, agent, peter *testkit.Browser
	adminID, agentID    int64
	umbrella            *svcportal.Site
}

func newDesk(t testing.TB) *desk {
	t.Helper()
	d := &desk{world: newWorld(t)}
	ctx, st := d.actx, d.app.Store
	if err := d.app.Policies.SeedDefaults(ctx); err != nil {
		t.Fatal(err)
	}
	d.umbrella = testkit.Site(ctx, t, st, "Umbrella")
	testkit.Contact(ctx, t, st, "peter@initech.test", d.initech, svcportal.RoleMember)
	testkit.Contact(ctx, t, st, "alice@umbrella.test", d.umbrella, svcportal.RoleMember)
	for email, name := range map[string]string{"admin@acme.test": "Ada Admin", "tech@acme.test": "Tom Tech"} {
		m, err := st.StaffByEmail(ctx, email)
		if err != nil {
			t.Fatal(err)
		}
		m.Name = name
		if err := st.UpdateStaff(ctx, m); err != nil {
			t.Fatal(err)
		}
		if m.Role == svcportal.StaffAdmin {
			d.adminID = m.ID
		} else {
			d.agentID = m.ID
		}
	}
	d.admin = d.signIn(t, "admin@acme.test")
	d.agent = d.signIn(t, "tech@acme.test")
	d.peter = d.app.NewBrowser("acme.localhost")
	if rec := d.peter.Submit(t, "/login", url.Values{"email": {"peter@initech.test"}, "password": {testkit.Password}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("peter's sign-in: %d", rec.Code)
	}
	d.peter.Page(t, "/")
	return d
}

// signIn signs a staff member in through the console's login form.
func (d *desk) signIn(t testing.TB, email string) *testkit.Browser {
	t.Helper()
	b := d.app.NewBrowser("acme.localhost")
	rec := b.Submit(t, "/admin/login", url.Values{"email": {email}, "password": {testkit.Password}, "next": {"/admin/tickets"}})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/admin/tickets" || b.Cookie(admin.SessionCookie) == "" {
		t.Fatalf("sign-in of %s: %d to %q", email, rec.Code, rec.Header().Get("Location"))
	}
	b.Page(t, "/admin")
	return b
}

// ticket opens a ticket as a contact through the portal's form.
func (d *desk) ticket(t testing.TB, b *testkit.Browser, title, desc string) int64 {
	t.Helper()
	rec := b.Submit(t, "/tickets", url.Values{"title": {title}, "description": {desc}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("new ticket: %d %s", rec.Code, rec.Body)
	}
	var n int64
	fmt.Sscanf(rec.Header().Get("Location"), "/tickets/%d", &n)
	return n
}

func texts(sel *goquery.Selection) []string {
	var out []string
	sel.Each(func(_ int, s *goquery.Selection) { out = append(out, strings.Join(strings.Fields(s.Text()), " ")) })
	return out
}

// TestConsole_EveryRouteDeclaresAPermission: a console page or admin API
// route added without an area and action fails here (and authorize
// refuses it at run time).
func TestConsole_EveryRouteDeclaresAPermission(t *testing.T) {
	app := testkit.NewApp(t)
	n := 0
	for _, r := range app.Web.Engine.Routes() {
		if r.Path != "/admin" && !strings.HasPrefix(r.Path, "/admin/") && !strings.HasPrefix(r.Path, "/api/v1/admin/") {
			continue
		}
		n++
		perm, ok := app.AdminRoutes.Permission(r.Method, r.Path)
		if !ok || perm.Area == "" || perm.Area != policies.AreaPublic && perm.Action == "" {
			t.Errorf("%s %s declares no permission (%+v)", r.Method, r.Path, perm)
		}
	}
	if n < 80 {
		t.Errorf("only %d console and admin API routes found", n)
	}
}

// agentReaches is SPEC.md's word on agents, written out independently of
// staff_policy.csv: tickets, contacts (read), the knowledge base (read),
// their profile; the landing page; and, as the admin API always allowed
// them, reading sites and ticket fields.
var agentReaches = map[policies.Permission]bool{
	{Area: policies.AreaHome, Action: policies.Read}: true, {Area: policies.AreaProfile, Action: policies.Read}: true,
	{Area: policies.AreaProfile, Action: policies.Write}: true, {Area: policies.AreaTickets, Action: policies.Read}: true,
	{Area: policies.AreaTickets, Action: policies.Write}: true, {Area: policies.AreaContacts, Action: policies.Read}: true,
	{Area: policies.AreaKB, Action: policies.Read}: true, {Area: policies.AreaSites, Action: policies.Read}: true,
	{Area: policies.AreaFields, Action: policies.Read}: true,
}

var paramRE = regexp.MustCompile(`:[a-z]+`)

// TestConsole_RolesOnEveryRoute sends every console page and admin API
// route as an admin, an agent, a contact (signed in on the portal, with
// their session cookie) and an anonymous visitor: the anonymous and the
// contact get the login page or 401, never the route; the agent gets 403
// outside SPEC's areas; the admin passes authorisation everywhere.
func TestConsole_RolesOnEveryRoute(t *testing.T) {
	d := newDesk(t)
	anonymous := d.app.NewBrowser("acme.localhost")
	for _, r := range d.app.Web.Engine.Routes() {
		if r.Path != "/admin" && !strings.HasPrefix(r.Path, "/admin/") && !strings.HasPrefix(r.Path, "/api/v1/admin/") {
			continue
		}
		perm, _ := d.app.AdminRoutes.Permission(r.Method, r.Path)
		if perm.Area == policies.AreaPublic {
			continue
		}
		path := paramRE.ReplaceAllString(r.Path, "999999")
		api := strings.HasPrefix(path, "/api/")
		for _, c := range []struct {
			name string
			b    *testkit.Browser
		}{{"anonymous", anonymous}, {"contact", d.peter}, {"agent", d.agent}, {"admin", d.admin}} {
			h := http.Header{"Content-Type": {"application/json"}}
			if c.b.CSRF != "" {
				h.Set("X-CSRF-Token", c.b.CSRF)
			}
			rec := c.b.Do(t, r.Method, path, strings.NewReader("{}"), h)
			loc := rec.Header().Get("Location")
			refusedLogin := api && rec.Code == http.StatusUnauthorized || !api && rec.Code == http.StatusSeeOther && strings.HasPrefix(loc, "/admin/login")
			switch {
			case c.name == "anonymous" || c.name == "contact":
				if !refusedLogin {
					t.Errorf("%s %s as %s: %d %q, want the console's login (page) or 401 (API)", r.Method, path, c.name, rec.Code, loc)
				}
			case c.name == "agent" && !agentReaches[perm]:
				if rec.Code != http.StatusForbidden {
					t.Errorf("%s %s as agent: %d, want 403", r.Method, path, rec.Code)
				}
			default:
				if refusedLogin || rec.Code == http.StatusForbidden || rec.Code >= 500 {
					t.Errorf("%s %s as %s: %d %q, want past authorisation", r.Method, path, c.name, rec.Code, loc)
				}
			}
		}
	}
}

// TestConsole_ContactNeverGetsIn: a contact's portal session cookie, even
// planted under the console's cookie name, and a contact's credentials on
// the console's login form open nothing.
func TestConsole_ContactNeverGetsIn(t *testing.T) {
	d := newDesk(t)
	b := d.app.NewBrowser("acme.localhost")
	b.SetCookie(admin.SessionCookie, d.peter.Cookie(portal.SessionCookie))
	if rec := b.Get(t, "/admin/tickets"); rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/admin/login") {
		t.Errorf("contact session as console cookie: %d %q", rec.Code, rec.Header().Get("Location"))
	}
	if rec := b.JSON(t, "GET", "/api/v1/admin/tickets", nil, nil); rec.Code != http.StatusUnauthorized {
		t.Errorf("contact session on the admin API: %d", rec.Code)
	}
	rec, doc := b.SubmitPage(t, "/admin/login", url.Values{"email": {"peter@initech.test"}, "password": {testkit.Password}})
	if rec.Code != http.StatusUnauthorized || b.Cookie(admin.SessionCookie) != "" || doc.Find("[role=alert]").Length() == 0 {
		t.Errorf("contact credentials on the console: %d, cookie %q", rec.Code, b.Cookie(admin.SessionCookie))
	}
}
