package admin_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/locales"
	"github.com/svcportal/svcportal/testkit"
	"github.com/svcportal/svcportal/web"
)

type messageList struct {
	Messages []svcportal.MessageEntry `json:"messages"`
}

func (l messageList) find(id string) *svcportal.MessageEntry {
	for i := range l.Messages {
		if l.Messages[i].ID == id {
			return &l.Messages[i]
		}
	}
	return nil
}

// TestMessagesAPI: GET /messages?locale=L lists every message with the
// catalog's text and the override; PUT /messages/{locale} sets and (with
// an empty text) removes overrides, refusing, in the admin's language, an
// unknown id and placeholders that differ from the catalog's.
func TestMessagesAPI(t *testing.T) {
	w := newWorld(t)
	b := w.api(t, "acme.localhost", w.adminToken)
	var list messageList
	if rec := b.JSON(t, "GET", "/api/v1/admin/messages?locale=fr", nil, &list); rec.Code != http.StatusOK || len(list.Messages) != len(locales.IDs()) {
		t.Fatalf("list: %d, %d messages", rec.Code, len(list.Messages))
	}
	if m := list.find("home.greeting"); m == nil || m.Catalog != "Bonjour, {{.Name}}" || m.Override != nil {
		t.Errorf("home.greeting: %+v", m)
	}
	if rec := b.JSON(t, "PUT", "/api/v1/admin/messages/fr", map[string]string{"home.greeting": "Salut {{.Name}} !", "tk.new": "Nouvelle demande"}, &list); rec.Code != http.StatusOK {
		t.Fatalf("put: %d %s", rec.Code, rec.Body)
	}
	if m := list.find("tk.new"); m == nil || m.Override == nil || *m.Override != "Nouvelle demande" {
		t.Errorf("tk.new after put: %+v", m)
	}

	bad := []struct {
		name, id, text, want string
	}{
		{"a placeholder dropped", "home.greeting", "Salut !", locales.For("en").T("error.override_placeholders", map[string]any{"Want": "{{.Name}}"})},
		{"a placeholder renamed", "mail.ticket_created.subject", "[#{{.Numero}}] {{.Title}}",
			locales.For("en").T("error.override_placeholders", map[string]any{"Want": "{{.Number}} {{.Title}}"})},
		{"a template action", "home.greeting", "{{.Name}}{{printf \"%s\" .Name}}", locales.For("en").T("error.override_placeholders", map[string]any{"Want": "{{.Name}}"})},
		{"a placeholder where none is", "tk.new", "New {{.Name}}", locales.For("en").T("error.override_no_placeholders")},
		{"an unknown id", "no.such.message", "x", locales.For("en").T("error.message_unknown", map[string]any{"ID": "no.such.message"})},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			var e web.APIError
			if rec := b.JSON(t, "PUT", "/api/v1/admin/messages/fr", map[string]string{tt.id: tt.text, "nav.profile": "Mon compte"}, &e); rec.Code != 422 || e.Error.Fields[tt.id] != tt.want {
				t.Errorf("got %d %q, want 422 %q", rec.Code, e.Error.Fields[tt.id], tt.want)
			}
		})
	}
	b.JSON(t, "GET", "/api/v1/admin/messages?locale=fr", nil, &list)
	if m := list.find("nav.profile"); m.Override != nil {
		t.Error("a refused request saved its other texts")
	}

	t.Run("the refusal in the admin's language", func(t *testing.T) {
		admin, err := w.app.Store.StaffByEmail(w.actx, "admin@acme.test")
		if err != nil {
			t.Fatal(err)
		}
		admin.Locale = "de"
		if err := w.app.Store.UpdateStaff(w.actx, admin); err != nil {
			t.Fatal(err)
		}
		var e web.APIError
		b.JSON(t, "PUT", "/api/v1/admin/messages/fr", map[string]string{"home.greeting": "Salut !"}, &e)
		if want := locales.For("de").T("error.override_placeholders", map[string]any{"Want": "{{.Name}}"}); e.Error.Fields["home.greeting"] != want {
			t.Errorf("got %q, want %q", e.Error.Fields["home.greeting"], want)
		}
	})

	if rec := b.JSON(t, "PUT", "/api/v1/admin/messages/fr", map[string]string{"tk.new": ""}, &list); rec.Code != http.StatusOK || list.find("tk.new").Override != nil {
		t.Errorf("remove: %d", rec.Code)
	}
	if rec := b.JSON(t, "GET", "/api/v1/admin/messages?locale=pt", nil, nil); rec.Code != 422 {
		t.Errorf("unknown locale: %d", rec.Code)
	}
	if rec := w.api(t, "acme.localhost", w.agentToken).JSON(t, "GET", "/api/v1/admin/messages", nil, nil); rec.Code != http.StatusForbidden {
		t.Errorf("agent: %d", rec.Code)
	}
	w.api(t, "globex.localhost", w.globexToken).JSON(t, "GET", "/api/v1/admin/messages?locale=fr", nil, &list)
	if m := list.find("home.greeting"); m.Override != nil {
		t.Errorf("globex sees acme's override %q", *m.Override)
	}
}

// TestWording_NextRequestEveryInstance: an override saved on one instance
// wins on another, already serving, from its next request — in a page and
// in an email — while the other tenant keeps the catalog's words.
func TestWording_NextRequestEveryInstance(t *testing.T) {
	d := newDesk(t)
	other := d.app.Twin(t) // a second instance on the same database
	peter := other.NewBrowser("acme.localhost")
	if rec := peter.Submit(t, "/login", url.Values{"email": {"peter@initech.test"}, "password": {testkit.Password}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("sign-in on the other instance: %d", rec.Code)
	}
	newTicket := func() string {
		t.Helper()
		_, doc := peter.Page(t, "/")
		return strings.TrimSpace(doc.Find("a.button[href='/tickets/new']").Text())
	}
	save := func(id, text string) {
		t.Helper()
		if rec := d.admin.JSON(t, "PUT", "/api/v1/admin/messages/en", map[string]string{id: text}, nil); rec.Code != http.StatusOK {
			t.Fatalf("put %s: %d %s", id, rec.Code, rec.Body)
		}
	}
	if got := newTicket(); got != "New ticket" {
		t.Fatalf("before: %q", got)
	}
	save("tk.new", "New request")
	if got := newTicket(); got != "New request" {
		t.Errorf("the other instance's next page: %q", got)
	}
	save("tk.new", "Ask for help") // the other instance has the first override cached now
	if got := newTicket(); got != "Ask for help" {
		t.Errorf("after a second change: %q", got)
	}

	save("mail.ticket_created.subject", "[#{{.Number}}] We have your request: {{.Title}}")
	if rec := peter.Submit(t, "/tickets", url.Values{"title": {"Printer jams"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("new ticket: %d %s", rec.Code, rec.Body)
	}
	mails, err := other.Store.Emails(d.actx, svcportal.EmailFilter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	var subject string
	for _, m := range mails {
		if m.Kind == "ticket_created" {
			subject = m.Subject
		}
	}
	if !strings.HasPrefix(subject, "[#") || !strings.HasSuffix(subject, "] We have your request: Printer jams") {
		t.Errorf("the email's subject: %q", subject)
	}

	save("tk.new", "")
	if got := newTicket(); got != "New ticket" {
		t.Errorf("removed: %q", got)
	}
	testkit.Contact(d.gctx, t, d.app.Store, "gavin@hooli.test", d.hooli, svcportal.RoleMember)
	gavin := d.app.NewBrowser("globex.localhost")
	if rec := gavin.Submit(t, "/login", url.Values{"email": {"gavin@hooli.test"}, "password": {testkit.Password}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("gavin: %d", rec.Code)
	}
	save("tk.new", "Acme only")
	_, doc := gavin.Page(t, "/")
	if got := strings.TrimSpace(doc.Find("a.button[href='/tickets/new']").Text()); got != "New ticket" {
		t.Errorf("globex shows %q", got)
	}
}

// TestWordingPage: the admin finds texts, overrides them, sees a mistake
// beside its field; the override shows on the next page.
func TestWordingPage(t *testing.T) {
	d := newDesk(t)
	_, doc := d.admin.Page(t, "/admin/settings/wording?locale=en")
	if doc.Find("[data-testid=wording-empty]").Length() != 1 {
		t.Error("no overrides yet, no hint to search")
	}
	_, doc = d.admin.Page(t, "/admin/settings/wording?locale=en&q=new+ticket")
	if doc.Find("tr[data-id='tk.new'] textarea[name='m.tk.new']").Length() != 1 {
		t.Fatal("searching “new ticket” does not find tk.new")
	}
	rec, doc := d.admin.SubmitPage(t, "/admin/settings/wording", url.Values{"locale": {"en"}, "q": {"new ticket"},
		"m.tk.new": {"New {{.Name}}"}})
	if rec.Code != http.StatusUnprocessableEntity || doc.Find("[data-testid=error-summary] a[href='#f-tk.new']").Length() != 1 ||
		doc.Find("#f-tk\\.new-error").Length() != 1 || doc.Find("textarea[name='m.tk.new']").Text() != "New {{.Name}}" {
		t.Errorf("mistake: %d", rec.Code)
	}
	rec = d.admin.Submit(t, "/admin/settings/wording", url.Values{"locale": {"en"}, "q": {"new ticket"}, "m.tk.new": {"New request"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("save: %d %s", rec.Code, rec.Body)
	}
	_, doc = d.admin.Page(t, rec.Header().Get("Location"))
	if doc.Find("[role=status]").Length() == 0 || doc.Find("textarea[name='m.tk.new']").Text() != "New request" {
		t.Error("after saving")
	}
	_, doc = d.peter.Page(t, "/")
	if got := strings.TrimSpace(doc.Find("a.button[href='/tickets/new']").Text()); got != "New request" {
		t.Errorf("the portal: %q", got)
	}
}
