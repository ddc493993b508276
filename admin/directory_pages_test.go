package admin_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/fields"
	"github.com/svcportal/svcportal/testkit"
)

// checkPage checks what every console page owes its reader: the
// language, a main heading, a labelled navigation, the tenant's theme, a
// CSRF token in each POST form and a label for each field.
func checkPage(t *testing.T, path string, doc *goquery.Document) {
	t.Helper()
	if doc.Find("html[lang]").Length() != 1 || doc.Find("main#main h1").Length() == 0 || doc.Find("nav.mainnav[aria-label]").Length() != 1 {
		t.Errorf("%s: lacks lang, main heading or labelled navigation", path)
	}
	if doc.Find(`link[href^="/branding/theme.css"]`).Length() != 1 {
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
			t.Errorf("%s: field %q (#%s) has no label", path, name, id)
		}
	})
}

// multipartFile builds a form with csrf_token first, then the fields, then
// one file under "file".
func multipartFile(csrf string, values url.Values, name string, content []byte) (string, *bytes.Buffer) {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("csrf_token", csrf)
	for k, vs := range values {
		for _, v := range vs {
			w.WriteField(k, v)
		}
	}
	if name != "" {
		fw, _ := w.CreateFormFile("file", name)
		fw.Write(content)
	}
	w.Close()
	return w.FormDataContentType(), &body
}

func upload(t *testing.T, b *testkit.Browser, path string, values url.Values, name string, content []byte) (*httptest.ResponseRecorder, *goquery.Document) {
	t.Helper()
	ct, body := multipartFile(b.CSRF, values, name, content)
	rec := b.Do(t, http.MethodPost, path, body, http.Header{"Content-Type": {ct}})
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	return rec, doc
}

// importFile uploads a contacts file from the import page, follows the
// redirect to the import's page, and waits there (as the page's refresh
// would) until the import has ended; it returns that page.
func importFile(t *testing.T, b *testkit.Browser, values url.Values, name string, content []byte) *goquery.Document {
	t.Helper()
	b.Page(t, "/admin/contacts/import")
	rec, _ := upload(t, b, "/admin/contacts/import", values, name, content)
	where := rec.Header().Get("Location")
	if rec.Code != http.StatusSeeOther || !strings.HasPrefix(where, "/admin/contacts/import/") {
		t.Fatalf("import: %d to %q %s", rec.Code, where, rec.Body)
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		rec, doc := b.Page(t, where)
		if rec.Code != http.StatusOK {
			t.Fatalf("import page: %d", rec.Code)
		}
		if doc.Find("[data-testid=import]").AttrOr("data-state", "") != svcportal.ImportRunning {
			return doc
		}
		if time.Now().After(deadline) {
			t.Fatalf("the import is still running: %s", doc.Find("[data-testid=progress-text]").Text())
		}
	}
}

// TestDirectoryPages_RenderWithRealData opens the sites, contacts, fields,
// tokens and audit pages as the admin and as the agent: real data on each,
// forms for the admin only, and a 403 for the agent where SPEC's roles
// keep them out.
func TestDirectoryPages_RenderWithRealData(t *testing.T) {
	d := newDesk(t)
	d.ticket(t, d.peter, "Printer jams", "")
	peter, _ := d.app.Store.ContactByEmail(d.actx, "peter@initech.test")
	tag := svcportal.TicketField{Key: "asset_tag", Type: svcportal.FieldText, Labels: map[string]string{"en": "Asset tag", "fr": "Étiquette"}}
	if err := fields.New(d.app.Store).CreateField(d.actx, &tag, svcportal.PolicyRule{Role: svcportal.RoleMember, Mode: svcportal.FieldEditable}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.app.Accounts.CreateAPIToken(d.actx, "admin@acme.test", "ci"); err != nil {
		t.Fatal(err)
	}
	pages := []string{"/admin/sites", fmt.Sprintf("/admin/sites/%d", d.initech.ID), "/admin/contacts",
		fmt.Sprintf("/admin/contacts/%d", peter.ID), "/admin/fields"}
	adminOnly := []string{"/admin/tokens", "/admin/audit", "/admin/contacts/import", fmt.Sprintf("/admin/contacts/%d/delete", peter.ID),
		"/admin/fields/new", "/admin/fields/asset_tag/edit"}

	t.Run("admin", func(t *testing.T) {
		for _, path := range append(pages, adminOnly...) {
			rec, doc := d.admin.Page(t, path)
			if rec.Code != http.StatusOK {
				t.Fatalf("%s: %d", path, rec.Code)
			}
			checkPage(t, path, doc)
		}
		_, doc := d.admin.Page(t, "/admin/sites")
		if got := texts(doc.Find("table[data-testid=sites] tr[data-site] td a")); strings.Join(got, ",") != "Initech,Umbrella" || doc.Find("[data-testid=site-form]").Length() != 1 {
			t.Errorf("sites: %v", got)
		}
		_, doc = d.admin.Page(t, fmt.Sprintf("/admin/sites/%d", d.initech.ID))
		if got := texts(doc.Find("[data-testid=site-contacts] li a")); len(got) != 1 || got[0] != "peter@initech.test" {
			t.Errorf("Initech's contacts: %v", got)
		}
		if blocked := doc.Find("[data-testid=site-delete]").Text(); !strings.Contains(blocked, "1 ticket belongs to it") || doc.Find("[data-testid=site-delete] button").Length() != 0 {
			t.Errorf("a site with a ticket offers deletion: %q", blocked)
		}
		_, doc = d.admin.Page(t, fmt.Sprintf("/admin/contacts?site=%d", d.initech.ID))
		row := doc.Find(fmt.Sprintf(`table[data-testid=contacts] tr[data-contact="%d"]`, peter.ID))
		if got := strings.TrimSpace(row.Find("td").Eq(2).Text()); got != "Initech (Member)" || doc.Find("[data-testid=contact-form]").Length() != 1 {
			t.Errorf("contacts row: sites %q", got)
		}
		if v := doc.Find("#f-site option[selected]").AttrOr("value", ""); v != fmt.Sprint(d.initech.ID) {
			t.Errorf("site filter: %q selected", v)
		}
		_, doc = d.admin.Page(t, fmt.Sprintf("/admin/contacts/%d", peter.ID))
		if v, _ := doc.Find(fmt.Sprintf("#f-role-%d option[selected]", d.initech.ID)).Attr("value"); v != "member" {
			t.Errorf("membership role: %q", v)
		}
		_, doc = d.admin.Page(t, "/admin/fields")
		if v, _ := doc.Find("#m-asset_tag-member option[selected]").Attr("value"); v != "editable" {
			t.Errorf("asset_tag's member mode: %q", v)
		}
		if doc.Find(`[data-preview=member] [data-input=asset_tag]`).Length() != 1 || doc.Find(`[data-preview=site_manager] [data-input=asset_tag]`).Length() != 0 {
			t.Error("the preview does not follow the modes")
		}
		_, doc = d.admin.Page(t, "/admin/tokens")
		if got := texts(doc.Find("table[data-testid=tokens] tr[data-token] td:first-child")); !strings.Contains(strings.Join(got, ","), "ci") {
			t.Errorf("tokens: %v", got)
		}
		_, doc = d.admin.Page(t, "/admin/audit")
		if doc.Find(`table[data-testid=audit] tr[data-action="login"]`).Length() == 0 {
			t.Error("the audit log lacks the sign-ins")
		}
		for _, label := range []string{"Contacts", "Sites", "Fields", "API tokens", "Audit log"} {
			if !strings.Contains(strings.Join(texts(doc.Find("nav.mainnav a")), "|"), label) {
				t.Errorf("the admin's navigation lacks %s", label)
			}
		}
	})
	t.Run("agent", func(t *testing.T) {
		for _, path := range pages {
			rec, doc := d.agent.Page(t, path)
			if rec.Code != http.StatusOK {
				t.Fatalf("%s: %d", path, rec.Code)
			}
			checkPage(t, path, doc)
			if n := doc.Find("main form[method=post]").Length(); n != 0 {
				t.Errorf("%s offers the agent %d forms that change things", path, n)
			}
		}
		_, doc := d.agent.Page(t, fmt.Sprintf("/admin/contacts/%d", peter.ID))
		if got := texts(doc.Find("[data-testid=memberships] li")); len(got) != 1 || !strings.Contains(got[0], "Initech · Member") {
			t.Errorf("the agent's view of the memberships: %v", got)
		}
		_, doc = d.agent.Page(t, "/admin/fields")
		if got := strings.TrimSpace(doc.Find(`tr[data-field=asset_tag] [data-testid=modes] dd[data-role=member]`).Text()); got != "Editable" {
			t.Errorf("the agent's view of the modes: %q", got)
		}
		nav := strings.Join(texts(doc.Find("nav.mainnav a")), "|")
		if strings.Contains(nav, "API tokens") || strings.Contains(nav, "Audit log") || !strings.Contains(nav, "Contacts") {
			t.Errorf("the agent's navigation: %s", nav)
		}
		for _, path := range adminOnly {
			if rec := d.agent.Get(t, path); rec.Code != http.StatusForbidden {
				t.Errorf("%s for the agent: %d, want 403", path, rec.Code)
			}
		}
		for path, form := range map[string]url.Values{
			"/admin/sites": {"name": {"Agent site"}}, fmt.Sprintf("/admin/contacts/%d/state", peter.ID): {"action": {"disable"}},
			"/admin/fields/asset_tag/modes": {"mode.member": {"hidden"}}, "/admin/tokens": {"name": {"agent"}},
			fmt.Sprintf("/admin/contacts/%d/welcome", peter.ID): {},
		} {
			if rec := d.agent.Submit(t, path, form); rec.Code != http.StatusForbidden {
				t.Errorf("POST %s by the agent: %d, want 403", path, rec.Code)
			}
		}
	})
	t.Run("contact and stranger", func(t *testing.T) {
		anonymous := d.app.NewBrowser("acme.localhost")
		for _, b := range []*testkit.Browser{d.peter, anonymous} {
			for _, path := range append(pages, adminOnly...) {
				if rec := b.Get(t, path); rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/admin/login") {
					t.Errorf("%s without staff: %d %q", path, rec.Code, rec.Header().Get("Location"))
				}
			}
		}
	})
}

// TestContactPages_Lifecycle: an admin adds a contact with the welcome
// email, gives them a second site with another role, disables them (their
// session ends) and enables them, sends the welcome again, and deletes
// them; a contact who opened tickets is not deleted, and the page says
// why before anything is confirmed.
func TestContactPages_Lifecycle(t *testing.T) {
	d := newDesk(t)
	d.admin.Page(t, "/admin/contacts")
	rec := d.admin.Submit(t, "/admin/contacts", url.Values{"email": {"Nina@Initech.test"}, "first_name": {"Nina"}, "last_name": {"Nash"},
		"site_id": {fmt.Sprint(d.initech.ID)}, "role": {"member"}, "locale": {"de"}, "send_welcome": {"on"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	loc := rec.Header().Get("Location")
	var id int64
	fmt.Sscanf(loc, "/admin/contacts/%d", &id)
	_, doc := d.admin.Page(t, loc)
	loc = fmt.Sprintf("/admin/contacts/%d", id)
	if !strings.Contains(doc.Find("[role=status]").Text(), "nina@initech.test") {
		t.Errorf("notice: %q", doc.Find("[role=status]").Text())
	}
	welcomes, _ := d.app.Store.Emails(d.actx, svcportal.EmailFilter{ToAddress: "nina@initech.test", Kind: svcportal.EmailWelcome})
	if len(welcomes) != 1 || !strings.Contains(welcomes[0].Subject, "Ihr Konto") {
		t.Fatalf("welcome emails: %+v", welcomes)
	}

	// Two sites, a role in each, saved with the profile.
	rec = d.admin.Submit(t, loc, url.Values{"email": {"nina@initech.test"}, "first_name": {"Nina"}, "last_name": {"Nash-Smith"}, "locale": {"de"},
		"role." + fmt.Sprint(d.initech.ID): {"site_manager"}, "add_site": {fmt.Sprint(d.umbrella.ID)}, "add_role": {"member"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("save: %d %s", rec.Code, rec.Body)
	}
	c, _ := d.app.Store.Contact(d.actx, id)
	roles := map[int64]string{}
	for _, m := range c.Memberships {
		roles[m.SiteID] = m.Role
	}
	if c.LastName != "Nash-Smith" || roles[d.initech.ID] != "site_manager" || roles[d.umbrella.ID] != "member" || len(roles) != 2 {
		t.Fatalf("after the save: %+v", c)
	}
	// Removing every site is refused, beside the sites, and changes nothing.
	rec, doc = d.admin.SubmitPage(t, loc, url.Values{"email": {"nina@initech.test"}, "last_name": {"Changed"},
		"role." + fmt.Sprint(d.initech.ID): {""}, "role." + fmt.Sprint(d.umbrella.ID): {""}})
	if rec.Code != http.StatusUnprocessableEntity || doc.Find("#f-sites-error").Length() != 1 || doc.Find(`[data-testid=error-summary] a[href="#f-sites"]`).Length() != 1 {
		t.Errorf("no site left: %d", rec.Code)
	}
	if c, _ := d.app.Store.Contact(d.actx, id); c.LastName != "Nash-Smith" || len(c.Memberships) != 2 {
		t.Errorf("a refused save changed the contact: %+v", c)
	}

	// Disabling ends the contact's sessions; enabling lets them in again.
	peter, _ := d.app.Store.ContactByEmail(d.actx, "peter@initech.test")
	peterPage := fmt.Sprintf("/admin/contacts/%d", peter.ID)
	d.admin.Page(t, peterPage)
	if rec := d.admin.Submit(t, peterPage+"/state", url.Values{"action": {"disable"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("disable: %d", rec.Code)
	}
	if rec := d.peter.Get(t, "/tickets"); rec.Code != http.StatusSeeOther {
		t.Errorf("a disabled contact's session still works: %d", rec.Code)
	}
	_, doc = d.admin.Page(t, peterPage)
	if strings.TrimSpace(doc.Find("[data-testid=state]").Text()) != "Disabled" || doc.Find("[data-testid=enable]").Length() != 1 {
		t.Error("the page does not show the contact disabled")
	}
	if rec := d.admin.Submit(t, peterPage+"/state", url.Values{"action": {"enable"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("enable: %d", rec.Code)
	}
	if rec := d.app.NewBrowser("acme.localhost").Submit(t, "/login", url.Values{"email": {"peter@initech.test"}, "password": {testkit.Password}}); rec.Code != http.StatusSeeOther {
		t.Errorf("sign-in after enabling: %d", rec.Code)
	}
	// The welcome email again.
	if rec := d.admin.Submit(t, peterPage+"/welcome", url.Values{}); rec.Code != http.StatusSeeOther {
		t.Fatalf("welcome: %d", rec.Code)
	}
	if w, _ := d.app.Store.Emails(d.actx, svcportal.EmailFilter{ToAddress: "peter@initech.test", Kind: svcportal.EmailWelcome}); len(w) != 1 {
		t.Errorf("welcome for peter: %d emails", len(w))
	}

	// Peter opened a ticket: the delete page says so and offers to disable instead.
	d.peter = d.app.NewBrowser("acme.localhost")
	d.peter.Submit(t, "/login", url.Values{"email": {"peter@initech.test"}, "password": {testkit.Password}})
	d.peter.Page(t, "/")
	d.ticket(t, d.peter, "Printer jams", "")
	_, doc = d.admin.Page(t, peterPage+"/delete")
	if got := doc.Find("[data-testid=tickets-kept]").Text(); !strings.Contains(got, "1 ticket was opened by this contact") || doc.Find("[data-testid=confirm]").Length() != 0 ||
		doc.Find("[data-testid=disable]").Length() != 1 {
		t.Errorf("delete page of a requester: %q", got)
	}
	rec, doc = d.admin.SubmitPage(t, peterPage+"/delete", url.Values{})
	if rec.Code != http.StatusConflict || !strings.Contains(doc.Find("[role=alert]").Text(), "cannot be deleted") {
		t.Errorf("deleting a requester: %d", rec.Code)
	}
	if _, err := d.app.Store.Contact(d.actx, peter.ID); err != nil {
		t.Errorf("peter was deleted: %v", err)
	}
	// Nina opened none: the page spells out what goes, then she is deleted.
	_, doc = d.admin.Page(t, loc+"/delete")
	if got := texts(doc.Find("[data-testid=effects] li")); len(got) != 3 || !strings.Contains(got[0], "opened no tickets") || doc.Find("[data-testid=confirm]").Length() != 1 {
		t.Errorf("delete page: %v", got)
	}
	if rec := d.admin.Submit(t, loc+"/delete", url.Values{}); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/admin/contacts?done=deleted" {
		t.Fatalf("delete: %d %q", rec.Code, rec.Header().Get("Location"))
	}
	if _, err := d.app.Store.Contact(d.actx, id); svcportal.KindOf(err) != svcportal.KindNotFound {
		t.Errorf("nina after deletion: %v", err)
	}
	// Another tenant's contact is not found.
	hooli := testkit.Contact(d.gctx, t, d.app.Store, "gavin@hooli.test", d.hooli, svcportal.RoleMember)
	if rec := d.admin.Get(t, fmt.Sprintf("/admin/contacts/%d", hooli.ID)); rec.Code != http.StatusNotFound {
		t.Errorf("globex's contact: %d", rec.Code)
	}
}

// TestContactPages_FormErrorsInGerman: the new-contact form shows each
// complaint beside its field and in a summary, in the admin's German.
func TestContactPages_FormErrorsInGerman(t *testing.T) {
	d := newDesk(t)
	if rec := d.admin.Submit(t, "/admin/profile", url.Values{"name": {"Ada"}, "locale": {"de"}, "notify_tickets": {"on"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("profile: %d", rec.Code)
	}
	d.admin.Page(t, "/admin/contacts")
	rec, doc := d.admin.SubmitPage(t, "/admin/contacts", url.Values{"email": {"kein-email"}, "role": {"member"}, "first_name": {"Kurt"}})
	if doc.Find("#f-site_id option[selected]").Length() != 0 {
		t.Error("a site is chosen in the form though none was sent")
	}
	if rec.Code != http.StatusUnprocessableEntity || doc.Find("html").AttrOr("lang", "") != "de" {
		t.Fatalf("bad contact: %d lang %q", rec.Code, doc.Find("html").AttrOr("lang", ""))
	}
	var hrefs []string
	doc.Find("[data-testid=error-summary] li a").Each(func(_ int, a *goqSel) { hrefs = append(hrefs, a.AttrOr("href", "")) })
	if strings.Join(hrefs, " ") != "#f-email #f-site_id" {
		t.Errorf("summary %v", hrefs)
	}
	if got := doc.Find("#f-email-error").Text(); got != "Geben Sie eine gültige E-Mail-Adresse ein." {
		t.Errorf("email error %q", got)
	}
	if doc.Find("#f-site_id-error").Length() != 1 || doc.Find("#f-email").AttrOr("value", "") != "kein-email" || doc.Find("#f-first_name").AttrOr("value", "") != "Kurt" {
		t.Error("errors not beside their fields, or typed values lost")
	}
	_, doc = d.admin.SubmitPage(t, "/admin/contacts", url.Values{"email": {"kein-email"}, "role": {"member"}, "site_id": {fmt.Sprint(d.umbrella.ID)}})
	if v := doc.Find("#f-site_id option[selected]").AttrOr("value", ""); v != fmt.Sprint(d.umbrella.ID) {
		t.Errorf("the form's site: %q selected, want the one sent", v)
	}
	// A site page's form too.
	rec, doc = d.admin.SubmitPage(t, "/admin/sites", url.Values{"name": {"Initech"}})
	if rec.Code != http.StatusConflict || doc.Find("#f-name-error").Length() != 1 || doc.Find(`[data-testid=error-summary] a[href="#f-name"]`).Length() != 1 {
		t.Errorf("duplicate site: %d", rec.Code)
	}
}

// TestContactImportPage: a spreadsheet's export (BOM, semicolons, quoted
// fields, a line break inside quotes) is imported from the page; the
// report counts what happened and lists each refused row with its line
// and reason; a second file updates by email; welcome emails are queued;
// the export neutralises formulas and imports back.
func TestContactImportPage(t *testing.T) {
	d := newDesk(t)
	d.admin.Page(t, "/admin/contacts/import")
	csv := "\xef\xbb\xbfEmail;First name;Last name;Site;Role;Locale;Phone;Job title;Notes\r\n" +
		"ann@initech.test;\"=HYPERLINK(\"\"http://evil\"\")\";\"Lee; Jr.\";Initech;site_manager;fr;+33 1 23;\"Dev\r\nTeam\";x\r\n" +
		"bad-email;Bo;;Initech;member;;;;\r\n" +
		"cy@initech.test;Cy;;Nowhere;member;;;;\r\n" +
		"dee@initech.test;Dee;;Umbrella;boss;;;;\r\n" +
		"peter@initech.test;Peter;Gibbons;Umbrella;member;;;;\r\n" +
		";;;;;;;;\r\n"
	doc := importFile(t, d.admin, url.Values{"send_welcome": {"on"}}, "contacts.csv", []byte(csv))
	checkPage(t, "import report", doc)
	if got := doc.Find("[data-testid=file]").Text(); !strings.Contains(got, "contacts.csv") {
		t.Errorf("the report's file: %q", got)
	}
	counts := map[string]string{}
	for _, k := range []string{"rows", "created", "updated", "unchanged", "welcomed", "refused-count"} {
		counts[k] = strings.TrimSpace(doc.Find("[data-testid=" + k + "]").Text())
	}
	if fmt.Sprint(counts) != "map[created:1 refused-count:3 rows:5 unchanged:0 updated:1 welcomed:1]" {
		t.Errorf("report counts %v", counts)
	}
	var lines []string
	doc.Find("table[data-testid=refused] tr[data-line]").Each(func(_ int, r *goqSel) {
		lines = append(lines, strings.Join(texts(r.Find("td")), " | "))
	})
	want := []string{
		"4 | bad-email | email | Enter a valid email address.",
		"5 | cy@initech.test | site | There is no site named “Nowhere”. Create it first, or correct the name.",
		"6 | dee@initech.test | role | Unknown role “boss”: use member or site_manager.",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("refused rows:\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	if got := doc.Find("[data-testid=ignored]").Text(); !strings.Contains(got, "notes") {
		t.Errorf("ignored columns: %q", got)
	}
	ann, err := d.app.Store.ContactByEmail(d.actx, "ann@initech.test")
	if err != nil || ann.LastName != "Lee; Jr." || ann.JobTitle != "Dev\nTeam" || ann.Locale != "fr" || ann.Memberships[0].Role != svcportal.RoleSiteManager {
		t.Fatalf("ann: %+v %v", ann, err)
	}
	if w, _ := d.app.Store.Emails(d.actx, svcportal.EmailFilter{Kind: svcportal.EmailWelcome}); len(w) != 1 || w[0].ToAddress != "ann@initech.test" {
		t.Errorf("welcome emails: %+v", w)
	}
	peter, _ := d.app.Store.ContactByEmail(d.actx, "peter@initech.test")
	if len(peter.Memberships) != 2 {
		t.Errorf("peter was not added to Umbrella: %+v", peter.Memberships)
	}

	// The export: one line per membership, the formula neutralised.
	rec := d.admin.Get(t, "/admin/contacts/export")
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/csv") || !strings.Contains(rec.Header().Get("Content-Disposition"), "attachment") {
		t.Fatalf("export: %d %v", rec.Code, rec.Header())
	}
	body := rec.Body.String()
	if !strings.Contains(body, `ann@initech.test,"'=HYPERLINK(""http://evil"")",`) || !strings.Contains(body, ",'+33 1 23,") || strings.Contains(body, ",=") {
		t.Errorf("export does not neutralise formulas:\n%s", body)
	}
	if strings.Count(body, "peter@initech.test") != 2 {
		t.Errorf("peter's two memberships: %s", body)
	}
	// Imported back, the export changes nothing.
	doc = importFile(t, d.admin, url.Values{}, "export.csv", rec.Body.Bytes())
	if strings.TrimSpace(doc.Find("[data-testid=updated]").Text()) != "0" || strings.TrimSpace(doc.Find("[data-testid=created]").Text()) != "0" ||
		doc.Find("[data-testid=all-imported]").Length() != 1 {
		t.Errorf("re-import of the export: updated %q", doc.Find("[data-testid=updated]").Text())
	}
	if a, _ := d.app.Store.ContactByEmail(d.actx, "ann@initech.test"); a.FirstName != `=HYPERLINK("http://evil")` {
		t.Errorf("the round trip changed ann's name: %q", a.FirstName)
	}

	// Errors beside the file input.
	for name, c := range map[string]struct {
		file    string
		content string
		want    string
	}{
		"no file":   {"", "", "Choose a CSV file to import."},
		"no header": {"c.csv", "name,site\nx,y\n", "The first line must name the columns"},
	} {
		rec, doc := upload(t, d.admin, "/admin/contacts/import", url.Values{}, c.file, []byte(c.content))
		if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(doc.Find("#f-file-error").Text(), c.want) ||
			doc.Find(`[data-testid=error-summary] a[href="#f-file"]`).Length() != 1 {
			t.Errorf("%s: %d %q", name, rec.Code, doc.Find("#f-file-error").Text())
		}
	}
	// The agent may not import.
	d.agent.Page(t, "/admin/contacts")
	if rec, _ := upload(t, d.agent, "/admin/contacts/import", url.Values{}, "c.csv", []byte(csv)); rec.Code != http.StatusForbidden {
		t.Errorf("import by the agent: %d", rec.Code)
	}
}

// TestFieldsPage_EditInPlace: an admin creates a dropdown with labels and
// options in two languages, changes modes from its row, adds and removes a
// site's override, and the preview follows; the service's rule that a
// required field stays editable shows beside the field.
func TestFieldsPage_EditInPlace(t *testing.T) {
	d := newDesk(t)
	d.admin.Page(t, "/admin/fields/new")
	rec := d.admin.Submit(t, "/admin/fields", url.Values{"key": {"contract"}, "type": {"dropdown"}, "label.en": {"Contract"}, "label.fr": {"Contrat"},
		"option.0.value": {"basic"}, "option.0.label.en": {"Basic"}, "option.0.label.fr": {"Essentiel"},
		"option.1.value": {"premium"}, "option.1.label.en": {"Premium"}, "option.2.value": {""},
		"required": {"on"}, "position": {"5"}, "ticket_type": {"incident"},
		"mode.member": {"editable"}, "mode.site_manager": {"editable"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	f, err := fields.New(d.app.Store).Field(d.actx, "contract")
	if err != nil || len(f.Options) != 2 || f.Options[0].Labels["fr"] != "Essentiel" || !f.Required || f.Labels["fr"] != "Contrat" || f.TicketTypes[0] != "incident" {
		t.Fatalf("created: %+v %v", f, err)
	}
	_, doc := d.admin.Page(t, "/admin/fields")
	member := doc.Find(`[data-preview=member] [data-input=contract]`)
	if got := texts(member.Find("option")); strings.Join(got, ",") != ",Basic,Premium" || !strings.Contains(member.Text(), "Contract *") {
		t.Errorf("member preview of contract: %v %q", got, member.Text())
	}

	// A required field hidden from members is refused, beside its row.
	rec, doc = d.admin.SubmitPage(t, "/admin/fields/contract/modes", url.Values{"mode.member": {"hidden"}, "mode.site_manager": {"editable"}})
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(doc.Find("tr[data-field=contract] [data-testid=row-error]").Text(), "must stay editable") ||
		doc.Find(`[data-testid=error-summary] a[href="#f-row-contract"]`).Length() != 1 {
		t.Errorf("required hidden: %d %q", rec.Code, doc.Find("[data-testid=row-error]").Text())
	}
	// Not required any more, the modes change together, and the preview follows.
	d.admin.Page(t, "/admin/fields/contract/edit")
	if rec := d.admin.Submit(t, "/admin/fields/contract", url.Values{"label.en": {"Contract"}, "label.fr": {"Contrat"},
		"option.0.value": {"basic"}, "option.0.label.en": {"Basic"}, "option.1.value": {"premium"}, "option.1.label.en": {"Premium"},
		"position": {"5"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("edit: %d %s", rec.Code, rec.Body)
	}
	if rec := d.admin.Submit(t, "/admin/fields/contract/modes", url.Values{"mode.member": {"hidden"}, "mode.site_manager": {"view-only"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("modes: %d %s", rec.Code, rec.Body)
	}
	_, doc = d.admin.Page(t, "/admin/fields")
	if doc.Find(`[data-preview=member] [data-input=contract]`).Length() != 0 || doc.Find(`[data-preview=site_manager] [data-input=contract]`).Length() != 0 ||
		!strings.Contains(doc.Find(`[data-preview=site_manager] [data-testid=view-only]`).Text(), "Contract") {
		t.Error("the preview does not follow the new modes")
	}
	// An override for Umbrella's members, seen in the preview of Umbrella only.
	if rec := d.admin.Submit(t, "/admin/fields/contract/overrides", url.Values{"site_id": {fmt.Sprint(d.umbrella.ID)}, "role": {"member"}, "mode": {"editable"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("override: %d %s", rec.Code, rec.Body)
	}
	_, doc = d.admin.Page(t, fmt.Sprintf("/admin/fields?preview_site=%d", d.umbrella.ID))
	if doc.Find(`[data-preview=member] [data-input=contract]`).Length() != 1 || !strings.Contains(doc.Find("tr[data-field=contract] [data-testid=overrides]").Text(), "Umbrella") {
		t.Error("the override is not shown or not previewed at Umbrella")
	}
	_, doc = d.admin.Page(t, fmt.Sprintf("/admin/fields?preview_site=%d", d.initech.ID))
	if doc.Find(`[data-preview=member] [data-input=contract]`).Length() != 0 {
		t.Error("Umbrella's override shows at Initech")
	}
	// The portal itself agrees with the preview.
	_, portal := d.peter.Page(t, "/tickets/new")
	if portal.Find("#ff-contract").Length() != 0 {
		t.Error("Initech's member sees the contract field on the portal")
	}
	if rec := d.admin.Submit(t, "/admin/fields/contract/overrides/delete", url.Values{"site_id": {fmt.Sprint(d.umbrella.ID)}, "role": {"member"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("remove override: %d", rec.Code)
	}
	if rules, _ := fields.New(d.app.Store).Rules(d.actx); len(rules) == 0 {
		t.Error("no rules left")
	} else {
		for _, r := range rules {
			if r.Field == "contract" && r.SiteID != 0 {
				t.Errorf("the override survived: %+v", r)
			}
		}
	}
	// Form errors of the field form, beside each field.
	rec, doc = d.admin.SubmitPage(t, "/admin/fields", url.Values{"key": {"Bad Key"}, "type": {"dropdown"}, "mode.member": {"editable"}, "mode.site_manager": {"editable"}})
	if rec.Code != http.StatusUnprocessableEntity || doc.Find("#f-key-error").Length() != 1 || doc.Find("#f-labels-error").Length() != 1 || doc.Find("#f-options-error").Length() != 1 {
		t.Errorf("bad field: %d", rec.Code)
	}
	if rec := d.admin.Submit(t, "/admin/fields/nope/modes", url.Values{"mode.member": {"hidden"}}); rec.Code != http.StatusNotFound {
		t.Errorf("unknown field: %d", rec.Code)
	}
	if rec := d.admin.Submit(t, "/admin/fields/contract/delete", url.Values{}); rec.Code != http.StatusSeeOther {
		t.Errorf("delete field: %d", rec.Code)
	}
}

// TestTokensAndAuditPages: a token is shown once, works on the admin API
// until it is revoked from the page; the audit log records both and pages
// through entries with filters.
func TestTokensAndAuditPages(t *testing.T) {
	d := newDesk(t)
	d.admin.Page(t, "/admin/tokens")
	rec, doc := d.admin.SubmitPage(t, "/admin/tokens", url.Values{"name": {"Billing sync"}, "expires_at": {"2099-01-01"}})
	secret := doc.Find("[data-testid=secret]").AttrOr("value", "")
	if rec.Code != http.StatusCreated || !strings.HasPrefix(secret, "sp_") || rec.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("create: %d %q", rec.Code, secret)
	}
	row := doc.Find("table[data-testid=tokens] tr[data-token]").First()
	if !strings.Contains(row.Text(), "Billing sync") || !strings.Contains(row.Text(), "1/1/2099") || !strings.Contains(row.Text(), "Ada Admin") {
		t.Errorf("token row: %q", row.Text())
	}
	_, again := d.admin.Page(t, "/admin/tokens")
	if strings.Contains(again.Text(), secret) {
		t.Error("the secret is shown again")
	}
	api := d.api(t, "acme.localhost", secret)
	if rec := api.Get(t, "/api/v1/admin/me"); rec.Code != http.StatusOK {
		t.Fatalf("the token does not work: %d", rec.Code)
	}
	rec, doc = d.admin.SubmitPage(t, "/admin/tokens", url.Values{"name": {""}, "expires_at": {"2001-01-01"}})
	if rec.Code != http.StatusUnprocessableEntity || doc.Find("#f-name-error").Length() != 1 || doc.Find("#f-expires_at-error").Length() != 1 {
		t.Errorf("bad token: %d", rec.Code)
	}
	if rec := d.admin.Submit(t, "/admin/tokens/"+row.AttrOr("data-token", "")+"/revoke", url.Values{}); rec.Code != http.StatusSeeOther {
		t.Fatalf("revoke: %d", rec.Code)
	}
	if rec := api.Get(t, "/api/v1/admin/me"); rec.Code != http.StatusUnauthorized {
		t.Errorf("a revoked token works: %d", rec.Code)
	}
	_, doc = d.admin.Page(t, "/admin/tokens")
	if got := strings.TrimSpace(doc.Find("table[data-testid=tokens] tr[data-token] [data-testid=state]").First().Text()); got != "Revoked" {
		t.Errorf("state %q", got)
	}

	// The audit log, filtered.
	_, doc = d.admin.Page(t, "/admin/audit?action=api_token_created")
	if got := doc.Find("table[data-testid=audit] tr[data-action]"); got.Length() != 1 || !strings.Contains(got.Text(), "Billing sync") || !strings.Contains(got.Text(), "API token created") {
		t.Errorf("token audit: %q", got.Text())
	}
	_, doc = d.admin.Page(t, "/admin/audit?email=tech@")
	doc.Find("table[data-testid=audit] [data-testid=email]").Each(func(_ int, s *goqSel) {
		if s.Text() != "tech@acme.test" {
			t.Errorf("email filter let %q through", s.Text())
		}
	})
	today := d.app.Clock.Now().Format("2006-01-02")
	_, doc = d.admin.Page(t, "/admin/audit?from="+today+"&to="+today)
	all := doc.Find("table[data-testid=audit] tr[data-action]").Length()
	_, doc = d.admin.Page(t, "/admin/audit?to=2001-01-01")
	if all == 0 || doc.Find("[data-testid=none]").Length() != 1 {
		t.Errorf("date range: %d entries today, old range %d", all, doc.Find("table[data-testid=audit] tr").Length())
	}
	// 60 failed sign-ins: two pages.
	for i := 0; i < 60; i++ {
		d.app.Store.Audit(d.actx, &svcportal.AuditEntry{Action: svcportal.AuditLoginFailed, Email: fmt.Sprintf("x%d@acme.test", i)})
	}
	_, doc = d.admin.Page(t, "/admin/audit?action=login_failed")
	next := doc.Find("nav.pager a[rel=next]").AttrOr("href", "")
	if doc.Find("table[data-testid=audit] tr[data-action]").Length() != 50 || !strings.Contains(next, "action=login_failed") || !strings.Contains(next, "page=2") {
		t.Fatalf("first page: next %q", next)
	}
	_, doc = d.admin.Page(t, next)
	if doc.Find("table[data-testid=audit] tr[data-action]").Length() != 10 || doc.Find("nav.pager a[rel=prev]").Length() != 1 {
		t.Errorf("second page")
	}
	rec, doc = d.admin.Page(t, "/admin/audit?from=yesterday&action=nope")
	if rec.Code != http.StatusUnprocessableEntity || doc.Find("#f-from-error").Length() != 1 {
		t.Errorf("bad date: %d", rec.Code)
	}
	rec, doc = d.admin.Page(t, "/admin/audit?action=nope")
	if rec.Code != http.StatusUnprocessableEntity || doc.Find("#f-action-error").Length() != 1 {
		t.Errorf("bad action: %d", rec.Code)
	}
	var list struct {
		Entries []svcportal.AuditEntry
		Total   int
	}
	if rec := d.api(t, "acme.localhost", d.adminToken).JSON(t, "GET", "/api/v1/admin/audit?action=login_failed&per_page=5", nil, &list); rec.Code != http.StatusOK || len(list.Entries) != 5 || list.Total != 60 {
		t.Errorf("audit API: %d %d of %d", rec.Code, len(list.Entries), list.Total)
	}
	if rec := d.api(t, "acme.localhost", d.agentToken).Get(t, "/api/v1/admin/audit"); rec.Code != http.StatusForbidden {
		t.Errorf("audit API for an agent: %d", rec.Code)
	}
}

// TestContactUpdate_OneTransaction: a change of profile, disabled flag
// and memberships that fails on its last part (another tenant's site)
// leaves the contact exactly as it was, sessions included.
func TestContactUpdate_OneTransaction(t *testing.T) {
	d := newDesk(t)
	peter, _ := d.app.Store.ContactByEmail(d.actx, "peter@initech.test")
	api := d.api(t, "acme.localhost", d.adminToken)
	body := map[string]any{"last_name": "Changed", "disabled": true,
		"sites": []map[string]any{{"site_id": d.umbrella.ID, "role": "member"}, {"site_id": d.hooli.ID, "role": "member"}}}
	if rec := api.JSON(t, "PATCH", fmt.Sprintf("/api/v1/admin/contacts/%d", peter.ID), body, nil); rec.Code != http.StatusNotFound {
		t.Fatalf("with another tenant's site: %d %s", rec.Code, rec.Body)
	}
	after, _ := d.app.Store.Contact(d.actx, peter.ID)
	if after.LastName != peter.LastName || after.Disabled || len(after.Memberships) != 1 || after.Memberships[0].SiteID != d.initech.ID {
		t.Errorf("a failed update changed the contact: %+v", after)
	}
	if rec := d.peter.Get(t, "/tickets"); rec.Code != http.StatusOK {
		t.Errorf("a failed update ended the contact's session: %d", rec.Code)
	}
	body["sites"] = []map[string]any{{"site_id": d.umbrella.ID, "role": "site_manager"}}
	if rec := api.JSON(t, "PATCH", fmt.Sprintf("/api/v1/admin/contacts/%d", peter.ID), body, nil); rec.Code != http.StatusOK {
		t.Fatalf("update: %d %s", rec.Code, rec.Body)
	}
	after, _ = d.app.Store.Contact(d.actx, peter.ID)
	if after.LastName != "Changed" || !after.Disabled || len(after.Memberships) != 1 || after.Memberships[0].Role != "site_manager" {
		t.Errorf("after the update: %+v", after)
	}
	if rec := d.peter.Get(t, "/tickets"); rec.Code != http.StatusSeeOther {
		t.Errorf("disabled, the contact's session goes on: %d", rec.Code)
	}
}
