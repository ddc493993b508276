package admin_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/admin"
	"github.com/svcportal/svcportal/testkit"
)

// TestConsolePages_RenderWithRealData opens each console page as the
// admin and as the agent: landmarks, labelled forms, CSRF tokens, real
// tickets, notes set apart; the team page only for the admin.
func TestConsolePages_RenderWithRealData(t *testing.T) {
	d := newDesk(t)
	n := d.ticket(t, d.peter, "Printer jams on floor 3", "It *really* jams.")
	if rec := d.agent.Submit(t, fmt.Sprintf("/admin/tickets/%d/reply", n), url.Values{"body": {"Vendor case 77"}, "internal": {"on"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("note: %d %s", rec.Code, rec.Body)
	}
	if rec := d.agent.Submit(t, fmt.Sprintf("/admin/tickets/%d/reply", n), url.Values{"body": {"Which tray?"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("reply: %d", rec.Code)
	}
	cost := svcportal.TicketField{Key: "internal_cost", Type: svcportal.FieldNumber, Labels: map[string]string{"en": "Internal cost"}}
	if err := cost.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := d.app.Store.CreateTicketField(d.actx, &cost); err != nil {
		t.Fatal(err)
	}
	for _, role := range svcportal.PortalRoles {
		if err := d.app.Policies.SetMode(d.actx, svcportal.PolicyRule{Role: role, Field: "internal_cost", Mode: svcportal.FieldHidden}); err != nil {
			t.Fatal(err)
		}
	}
	if rec := d.agent.Submit(t, fmt.Sprintf("/admin/tickets/%d/fields", n), url.Values{"field.internal_cost": {"4200"}, "field.status": {"in_progress"},
		"field.type": {"incident"}, "field.assignee": {fmt.Sprint(d.agentID)}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("fields: %d %s", rec.Code, rec.Body)
	}

	for _, who := range []struct {
		name string
		b    *testkit.Browser
	}{{"admin", d.admin}, {"agent", d.agent}} {
		t.Run(who.name, func(t *testing.T) {
			b := who.b
			for _, path := range []string{"/admin", "/admin/tickets", fmt.Sprintf("/admin/tickets/%d", n), "/admin/profile"} {
				rec, doc := b.Page(t, path)
				if rec.Code != http.StatusOK {
					t.Fatalf("%s: %d", path, rec.Code)
				}
				if doc.Find("html[lang=en]").Length() != 1 || doc.Find("main#main h1").Length() == 0 || doc.Find("nav.mainnav[aria-label]").Length() != 1 {
					t.Errorf("%s: lacks lang, main heading or labelled navigation", path)
				}
				if got := doc.Find(`link[href^="/branding/theme.css"]`).Length(); got != 1 {
					t.Errorf("%s: the tenant's theme is not linked", path)
				}
				doc.Find("form[method=post]").Each(func(i int, f *goqSel) {
					if v, _ := f.Find("input[name=csrf_token]").Attr("value"); v == "" {
						t.Errorf("%s: a POST form (%d) without a CSRF token", path, i)
					}
				})
				doc.Find("input:not([type=hidden]), select, textarea").Each(func(_ int, in *goqSel) {
					id, _ := in.Attr("id")
					labelled := id != "" && doc.Find(fmt.Sprintf(`label[for=%q]`, id)).Length() > 0 || in.ParentsFiltered("label").Length() > 0
					if !labelled {
						name, _ := in.Attr("name")
						t.Errorf("%s: field %q has no label", path, name)
					}
				})
			}
			_, doc := b.Page(t, "/admin/tickets")
			row := doc.Find(fmt.Sprintf(`table[data-testid=tickets] tr[data-number="%d"]`, n))
			if row.Length() != 1 || !strings.Contains(row.Find("a").Text(), "Printer jams") || strings.TrimSpace(row.Find("[data-testid=assignee]").Text()) != "Tom Tech" {
				t.Errorf("queue row: %q", row.Text())
			}
			_, doc = b.Page(t, fmt.Sprintf("/admin/tickets?site=%d&assignee=%d", d.umbrella.ID, d.agentID))
			if v := doc.Find("#f-site option[selected]").AttrOr("value", ""); v != fmt.Sprint(d.umbrella.ID) {
				t.Errorf("site filter: %q selected, want the chosen site", v)
			}
			if got := texts(doc.Find("#f-site option")); !slices.Contains(got, "Umbrella") {
				t.Errorf("site filter's options: %q", got)
			}
			if v := doc.Find("#f-assignee option[selected]").AttrOr("value", ""); v != fmt.Sprint(d.agentID) {
				t.Errorf("assignee filter: %q selected, want the chosen agent", v)
			}
			_, doc = b.Page(t, fmt.Sprintf("/admin/tickets/%d", n))
			msgs := doc.Find("[data-testid=messages] > li")
			if msgs.Length() != 2 || !msgs.First().HasClass("message-internal") || msgs.First().Find(".badge-internal").Length() != 1 ||
				msgs.Last().HasClass("message-internal") {
				t.Errorf("conversation: %v (the note must be set apart, the reply not)", texts(msgs))
			}
			if v, _ := doc.Find("#ff-internal_cost").Attr("value"); v != "4200" {
				t.Errorf("the hidden field is not shown to staff: %q", v)
			}
			if v, _ := doc.Find("#ff-assignee option[selected]").Attr("value"); v != fmt.Sprint(d.agentID) {
				t.Errorf("assignee: %q", v)
			}
			if got := strings.TrimSpace(doc.Find("[data-testid=status]").Text()); got != "In progress" {
				t.Errorf("status %q", got)
			}
			if tl := texts(doc.Find("[data-testid=timeline] li")); len(tl) < 4 || !strings.Contains(strings.Join(tl, "|"), "Tom Tech added an internal note") {
				t.Errorf("timeline: %v", tl)
			}
			rec, doc := b.Page(t, "/admin/staff")
			switch who.name {
			case "admin":
				if rec.Code != http.StatusOK || doc.Find("table[data-testid=staff] tr[data-staff]").Length() != 2 || doc.Find("[data-testid=invite-form] #f-email").Length() != 1 {
					t.Errorf("team page: %d", rec.Code)
				}
				if !slices.Contains(texts(doc.Find("nav.mainnav a")), "Team") {
					t.Errorf("the admin's navigation lacks the team: %v", texts(doc.Find("nav.mainnav a")))
				}
			case "agent":
				if rec.Code != http.StatusForbidden {
					t.Errorf("team page for an agent: %d, want 403", rec.Code)
				}
				_, home := b.Page(t, "/admin")
				if slices.Contains(texts(home.Find("nav.mainnav a")), "Team") {
					t.Error("the agent's navigation offers the team page")
				}
			}
		})
	}
	// The contact sees neither the note nor the hidden field.
	_, doc := d.peter.Page(t, fmt.Sprintf("/tickets/%d", n))
	if body := doc.Find("main").Text(); strings.Contains(body, "Vendor case") || strings.Contains(body, "4200") || !strings.Contains(body, "Which tray?") {
		t.Errorf("the portal shows a note or a hidden value, or lacks the reply")
	}
}

// TestConsolePages_FormErrors: a refused form shows each complaint beside
// its field and in a summary linked to it, in the staff member's language.
func TestConsolePages_FormErrors(t *testing.T) {
	d := newDesk(t)
	if rec := d.admin.Submit(t, "/admin/profile", url.Values{"name": {"Ada"}, "locale": {"de"}, "notify_tickets": {"on"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("profile: %d", rec.Code)
	}
	d.admin.Page(t, "/admin/staff")
	rec, doc := d.admin.SubmitPage(t, "/admin/staff", url.Values{"email": {"not-an-email"}, "role": {"boss"}, "locale": {"en"}})
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("bad invitation: %d", rec.Code)
	}
	if doc.Find("html").AttrOr("lang", "") != "de" {
		t.Errorf("the page is not in the admin's German")
	}
	summary := doc.Find("[data-testid=error-summary] li a")
	hrefs := []string{}
	summary.Each(func(_ int, a *goqSel) { hrefs = append(hrefs, a.AttrOr("href", "")) })
	if strings.Join(hrefs, " ") != "#f-email #f-role" {
		t.Errorf("summary links %v, want the email then the role", hrefs)
	}
	if doc.Find("#f-email[aria-invalid=true]").Length() != 1 || doc.Find("#f-email-error").Length() != 1 || doc.Find("#f-role ~ .field-error").Length() != 1 {
		t.Error("the errors are not beside their fields")
	}
	if v, _ := doc.Find("#f-email").Attr("value"); v != "not-an-email" {
		t.Errorf("typed value lost: %q", v)
	}
	// Without the CSRF token, nothing changes.
	if rec := d.admin.Submit(t, "/admin/staff", url.Values{"csrf_token": {"wrong"}, "email": {"x@acme.test"}, "role": {"agent"}}); rec.Code != http.StatusForbidden {
		t.Errorf("without CSRF: %d", rec.Code)
	}
}

// TestConsoleQueue_Filters checks the queue's filters and counts.
func TestConsoleQueue_Filters(t *testing.T) {
	d := newDesk(t)
	alice := d.app.NewBrowser("acme.localhost")
	alice.Submit(t, "/login", url.Values{"email": {"alice@umbrella.test"}, "password": {testkit.Password}})
	alice.Page(t, "/")
	printer := d.ticket(t, d.peter, "Printer jams", "")
	vpn := d.ticket(t, d.peter, "VPN drops", "the tunnel falls")
	mail := d.ticket(t, alice, "Mailbox full", "")
	d.agent.Submit(t, fmt.Sprintf("/admin/tickets/%d/fields", printer), url.Values{"field.assignee": {fmt.Sprint(d.agentID)}, "field.status": {"in_progress"}, "field.type": {"incident"}})
	d.agent.Submit(t, fmt.Sprintf("/admin/tickets/%d/fields", vpn), url.Values{"field.assignee": {fmt.Sprint(d.adminID)}, "field.status": {"open"}, "field.type": {"incident"}})
	d.agent.Page(t, fmt.Sprintf("/admin/tickets/%d", mail)) // read now
	d.agent.Page(t, fmt.Sprintf("/admin/tickets/%d", vpn))
	d.peter.Page(t, fmt.Sprintf("/tickets/%d", vpn))
	d.app.Clock.Advance(time.Minute)
	d.peter.Submit(t, fmt.Sprintf("/tickets/%d/reply", vpn), url.Values{"body": {"Still dropping"}}) // unread again for staff

	numbers := func(query string) []string {
		t.Helper()
		rec, doc := d.agent.Page(t, "/admin/tickets?"+query)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: %d", query, rec.Code)
		}
		var out []string
		doc.Find("table[data-testid=tickets] tr[data-number]").Each(func(_ int, r *goqSel) { out = append(out, r.AttrOr("data-number", "")) })
		slices.Sort(out)
		return out
	}
	s := func(ns ...int64) []string {
		var out []string
		for _, n := range ns {
			out = append(out, fmt.Sprint(n))
		}
		slices.Sort(out)
		return out
	}
	for _, c := range []struct {
		query string
		want  []string
	}{
		{"", s(printer, vpn, mail)},
		{"status=in_progress", s(printer)},
		{"status=open", s(vpn, mail)},
		{fmt.Sprintf("site=%d", d.umbrella.ID), s(mail)},
		{"assignee=me", s(printer)},
		{"assignee=none", s(mail)},
		{fmt.Sprintf("assignee=%d", d.adminID), s(vpn)},
		{"unread=true", s(vpn)}, // the desk read the others (a change of fields reads it too); peter wrote since
		{"unread=false", s(printer, mail)},
		{"q=tunnel", s(vpn)},
		{"q=still+dropping", s(vpn)},
		{"q=" + fmt.Sprint(mail), s(mail)},
		{"assignee=me&status=open,in_progress,awaiting_reply,solution_proposed", s(printer)},
	} {
		if got := numbers(c.query); !slices.Equal(got, c.want) {
			t.Errorf("?%s: got %v, want %v", c.query, got, c.want)
		}
	}
	_, doc := d.agent.Page(t, "/admin/tickets?site="+fmt.Sprint(d.initech.ID))
	counts := map[string]string{}
	doc.Find("[data-testid=status-counts] a").Each(func(_ int, a *goqSel) {
		counts[a.AttrOr("data-status", "")] = a.Find(".count").Text()
	})
	if counts[""] != "2" || counts["open"] != "1" || counts["in_progress"] != "1" || counts["closed"] != "0" {
		t.Errorf("counts at Initech: %v", counts)
	}
	if href := doc.Find("[data-testid=my-open]").AttrOr("href", ""); !strings.Contains(href, "assignee=me") || !strings.Contains(href, "status=") {
		t.Errorf("my open tickets link: %q", href)
	}
	if rec := d.agent.Get(t, "/admin/tickets?assignee=nobody"); rec.Code != http.StatusBadRequest {
		t.Errorf("a bad assignee: %d", rec.Code)
	}
	// Another tenant's ticket number is not found.
	if rec := d.agent.Get(t, "/admin/tickets/424242"); rec.Code != http.StatusNotFound {
		t.Errorf("unknown ticket: %d", rec.Code)
	}
}

type goqSel = goquery.Selection

var linkRE = regexp.MustCompile(`https?://[^\s"<]+`)

// TestStaffAccounts_InviteAndReset: an admin invites an agent, who sets a
// password with the single-use link and must then sign in; a forgotten
// password is reset with the emailed code (wrong codes count, and a fifth
// wrong try voids the code); disabling ends the sessions.
func TestStaffAccounts_InviteAndReset(t *testing.T) {
	d := newDesk(t)
	d.admin.Page(t, "/admin/staff")
	if rec := d.admin.Submit(t, "/admin/staff", url.Values{"email": {"Nina@Acme.test"}, "name": {"Nina"}, "role": {"agent"}, "locale": {"fr"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("invite: %d %s", rec.Code, rec.Body)
	}
	mails, err := d.app.Store.Emails(d.actx, svcportal.EmailFilter{ToAddress: "nina@acme.test"})
	if err != nil || len(mails) != 1 || mails[0].Kind != svcportal.EmailStaffWelcome || !strings.Contains(mails[0].Subject, "console d’administration") {
		t.Fatalf("invitation: %v %+v", err, mails)
	}
	link := linkRE.FindString(mails[0].TextBody)
	u, _ := url.Parse(link)
	if u.Host != "acme.localhost" || u.Path != "/admin/set-password" || u.Query().Get("token") == "" {
		t.Fatalf("link %q", link)
	}
	nina := d.app.NewBrowser("acme.localhost")
	rec, doc := nina.Page(t, u.RequestURI())
	if rec.Code != http.StatusOK || doc.Find("input[name=token]").Length() != 1 {
		t.Fatalf("set-password page: %d", rec.Code)
	}
	if rec := nina.Submit(t, "/admin/set-password", url.Values{"token": {u.Query().Get("token")}, "password": {"nina-pass-12345"}, "password_confirm": {"nina-pass-12345"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("set password: %d %s", rec.Code, rec.Body)
	}
	if rec := nina.Submit(t, "/admin/set-password", url.Values{"token": {u.Query().Get("token")}, "password": {"other-pass-12345"}, "password_confirm": {"other-pass-12345"}}); rec.Code != http.StatusBadRequest {
		t.Errorf("the link worked twice: %d", rec.Code)
	}
	if rec := nina.Submit(t, "/admin/login", url.Values{"email": {"nina@acme.test"}, "password": {"nina-pass-12345"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("nina's sign-in: %d", rec.Code)
	}
	_, home := nina.Page(t, "/admin")
	if home.Find("html").AttrOr("lang", "") != "fr" {
		t.Error("nina's console is not in French")
	}

	// Reset by code.
	forgot := d.app.NewBrowser("acme.localhost")
	if rec := forgot.Submit(t, "/admin/forgot-password", url.Values{"email": {"tech@acme.test"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("forgot: %d", rec.Code)
	}
	if rec := forgot.Submit(t, "/admin/forgot-password", url.Values{"email": {"nobody@acme.test"}}); rec.Code != http.StatusSeeOther {
		t.Errorf("an unknown email is answered differently: %d", rec.Code)
	}
	codes, _ := d.app.Store.Emails(d.actx, svcportal.EmailFilter{ToAddress: "tech@acme.test", Kind: svcportal.EmailStaffResetCode})
	if len(codes) != 1 {
		t.Fatalf("reset emails: %d", len(codes))
	}
	code := regexp.MustCompile(`\b\d{8}\b`).FindString(codes[0].TextBody)
	wrong := fmt.Sprintf("%08d", (atoi(code)+1)%100000000)
	rec, doc = forgot.SubmitPage(t, "/admin/reset-password", url.Values{"email": {"tech@acme.test"}, "code": {wrong}, "password": {"new-pass-12345"}, "password_confirm": {"new-pass-12345"}})
	if rec.Code != http.StatusBadRequest || doc.Find("#f-code-error").Length() != 1 {
		t.Errorf("wrong code: %d", rec.Code)
	}
	if rec := forgot.Submit(t, "/admin/reset-password", url.Values{"email": {"tech@acme.test"}, "code": {code}, "password": {"new-pass-12345"}, "password_confirm": {"new-pass-12345"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("right code: %d %s", rec.Code, rec.Body)
	}
	if rec := d.agent.Get(t, "/admin/tickets"); rec.Code != http.StatusSeeOther {
		t.Errorf("the agent's old session survived the reset: %d", rec.Code)
	}
	again := d.signInWith(t, "tech@acme.test", "new-pass-12345")

	// Five wrong tries void a code.
	forgot.Submit(t, "/admin/forgot-password", url.Values{"email": {"tech@acme.test"}})
	codes, _ = d.app.Store.Emails(d.actx, svcportal.EmailFilter{ToAddress: "tech@acme.test", Kind: svcportal.EmailStaffResetCode})
	code = regexp.MustCompile(`\b\d{8}\b`).FindString(codes[0].TextBody)
	for i := 0; i < svcportal.ResetCodeMaxAttempts; i++ {
		forgot.Submit(t, "/admin/reset-password", url.Values{"email": {"tech@acme.test"}, "code": {fmt.Sprintf("%08d", (atoi(code)+1+i)%100000000)},
			"password": {"third-pass-12345"}, "password_confirm": {"third-pass-12345"}})
	}
	if rec := forgot.Submit(t, "/admin/reset-password", url.Values{"email": {"tech@acme.test"}, "code": {code}, "password": {"third-pass-12345"}, "password_confirm": {"third-pass-12345"}}); rec.Code != http.StatusBadRequest {
		t.Errorf("the right code after five wrong ones: %d, want 400", rec.Code)
	}

	// Disabling ends the sessions; the API reports the change.
	var list struct{ Staff []svcportal.Staff }
	d.admin.JSON(t, "GET", "/api/v1/admin/staff", nil, &list)
	if len(list.Staff) != 3 {
		t.Fatalf("staff list: %+v", list)
	}
	if rec := d.admin.JSON(t, "DELETE", fmt.Sprintf("/api/v1/admin/staff/%d", d.agentID), nil, nil); rec.Code != http.StatusNoContent {
		t.Fatalf("disable: %d %s", rec.Code, rec.Body)
	}
	if rec := again.Get(t, "/admin"); rec.Code != http.StatusSeeOther {
		t.Errorf("a disabled agent's session still works: %d", rec.Code)
	}
	if rec := d.admin.JSON(t, "PATCH", fmt.Sprintf("/api/v1/admin/staff/%d", d.adminID), map[string]any{"role": "agent"}, nil); rec.Code != http.StatusConflict {
		t.Errorf("an admin demoting themselves: %d, want 409", rec.Code)
	}
	if rec := d.admin.JSON(t, "PATCH", "/api/v1/admin/staff/424242", map[string]any{"name": "x"}, nil); rec.Code != http.StatusNotFound {
		t.Errorf("unknown staff: %d", rec.Code)
	}
}

// TestStaffAccounts_MustChangePassword keeps a staff member with a first
// password on their profile until they choose one.
func TestStaffAccounts_MustChangePassword(t *testing.T) {
	d := newDesk(t)
	m := &svcportal.Staff{Email: "new@acme.test", Role: svcportal.StaffAgent, PasswordHash: testkit.HashPassword(t), MustChangePassword: true}
	if err := d.app.Store.CreateStaff(d.actx, m); err != nil {
		t.Fatal(err)
	}
	b := d.app.NewBrowser("acme.localhost")
	if rec := b.Submit(t, "/admin/login", url.Values{"email": {"new@acme.test"}, "password": {testkit.Password}}); rec.Header().Get("Location") != "/admin/profile" {
		t.Fatalf("after sign-in: %q", rec.Header().Get("Location"))
	}
	if rec := b.Get(t, "/admin/tickets"); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/admin/profile" {
		t.Errorf("the queue before the change: %d %q", rec.Code, rec.Header().Get("Location"))
	}
	if rec := b.JSON(t, "GET", "/api/v1/admin/tickets", nil, nil); rec.Code != http.StatusForbidden {
		t.Errorf("the API before the change: %d", rec.Code)
	}
	_, doc := b.Page(t, "/admin/profile")
	if doc.Find("[data-testid=password-form]").Length() != 1 || doc.Find("[data-testid=profile-form]").Length() != 0 {
		t.Error("the profile does not offer only the password form")
	}
	if rec := b.Submit(t, "/admin/profile/password", url.Values{"current_password": {testkit.Password}, "password": {"mine-pass-12345"}, "password_confirm": {"mine-pass-12345"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("change: %d %s", rec.Code, rec.Body)
	}
	if rec := b.Get(t, "/admin/tickets"); rec.Code != http.StatusOK {
		t.Errorf("the queue after the change: %d", rec.Code)
	}
}

func (d *desk) signInWith(t *testing.T, email, pw string) *testkit.Browser {
	t.Helper()
	b := d.app.NewBrowser("acme.localhost")
	if rec := b.Submit(t, "/admin/login", url.Values{"email": {email}, "password": {pw}}); rec.Code != http.StatusSeeOther || b.Cookie(admin.SessionCookie) == "" {
		t.Fatalf("sign-in of %s: %d", email, rec.Code)
	}
	b.Page(t, "/admin")
	return b
}

func atoi(s string) int {
	n := 0
	fmt.Sscanf(s, "%d", &n)
	return n
}

// TestTicketQueue_CountsInTheReadersLanguage: past svcportal.TicketCountCap
// the queue says "1.000+" and "mehr als 1.000" to a German reader, never
// the "1000" Go prints.
func TestTicketQueue_CountsInTheReadersLanguage(t *testing.T) {
	d := newDesk(t)
	peter, err := d.app.Store.ContactByEmail(d.actx, "peter@initech.test")
	if err != nil {
		t.Fatal(err)
	}
	ts := make([]svcportal.Ticket, svcportal.TicketCountCap+5)
	for i := range ts {
		ts[i] = svcportal.Ticket{SiteID: d.initech.ID, RequesterID: peter.ID, Title: fmt.Sprintf("Seeded %d", i), Status: svcportal.StatusOpen, Type: "incident"}
	}
	if err := d.app.Store.SeedTickets(d.actx, ts); err != nil {
		t.Fatal(err)
	}
	for lang, want := range map[string][2]string{
		"de": {"1.000+", "Gefundene Tickets: mehr als 1.000"},
		"fr": {"1\u00a0000+", "Tickets trouvés : plus de 1\u00a0000"},
		"en": {"1,000+", "Tickets found: more than 1,000"},
	} {
		d.agent.Header.Set("Accept-Language", lang)
		_, doc := d.agent.Page(t, "/admin/tickets")
		if got := doc.Find(`[data-testid=status-counts] a[data-status=""] .count`).Text(); got != want[0] {
			t.Errorf("%s: all tickets %q, want %q", lang, got, want[0])
		}
		if got := strings.TrimSpace(doc.Find("[data-testid=total]").Text()); got != want[1] {
			t.Errorf("%s: total %q, want %q", lang, got, want[1])
		}
	}
}
