package portal_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/testkit"
)

// sentForm is what a browser sends for the form matched by sel, as the
// page renders it: each input's value, ticked boxes, each select's
// selected option (its first when none is), textareas; no files.
func sentForm(doc *goquery.Document, sel string) url.Values {
	v := url.Values{}
	form := doc.Find(sel)
	form.Find("input[name]").Each(func(_ int, in *goquery.Selection) {
		name, _ := in.Attr("name")
		typ, _ := in.Attr("type")
		val, _ := in.Attr("value")
		switch typ {
		case "file", "submit":
		case "checkbox", "radio":
			if _, on := in.Attr("checked"); on {
				v.Add(name, val)
			}
		default:
			v.Add(name, val)
		}
	})
	form.Find("select[name]").Each(func(_ int, s *goquery.Selection) {
		name, _ := s.Attr("name")
		opt := s.Find("option[selected]")
		if opt.Length() == 0 {
			opt = s.Find("option").First()
		}
		val, _ := opt.Attr("value")
		v.Add(name, val)
	})
	form.Find("textarea[name]").Each(func(_ int, s *goquery.Selection) {
		name, _ := s.Attr("name")
		v.Add(name, s.Text())
	})
	return v
}

// timeline is the ticket page's history, a line per item.
func timeline(doc *goquery.Document) []string {
	var lines []string
	doc.Find("[data-testid=timeline] li").Each(func(_ int, li *goquery.Selection) {
		lines = append(lines, strings.Join(strings.Fields(li.Text()), " "))
	})
	return lines
}

// TestTicketPage_History: the history writes one line per action, names
// fields and values in the reader's language, and nothing for a field a
// saved form did not change.
func TestTicketPage_History(t *testing.T) {
	d := newDesk(t)
	os := svcportal.TicketField{Key: "os", Type: svcportal.FieldDropdown, Labels: map[string]string{"en": "Computer", "fr": "Ordinateur"},
		Options: []svcportal.FieldOption{{Value: "os_win", Labels: map[string]string{"en": "Windows PC", "fr": "PC sous Windows"}},
			{Value: "os_mac", Labels: map[string]string{"en": "Mac", "fr": "Mac"}}}}
	if err := d.app.Store.CreateTicketField(d.actx, &os); err != nil {
		t.Fatal(err)
	}
	for _, role := range svcportal.PortalRoles {
		if err := d.app.Policies.SetMode(d.actx, svcportal.PolicyRule{Role: role, Field: "os", Mode: svcportal.FieldViewOnly}); err != nil {
			t.Fatal(err)
		}
	}
	b := d.app.NewBrowser("acme.localhost")
	signIn(t, b, "peter@initech.test", testkit.Password)
	b.Page(t, "/tickets/new") // the CSRF token
	if rec := b.Submit(t, "/tickets", url.Values{"title": {"Printer jams"}, "field.priority": {"high"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("create: %d", rec.Code)
	}

	// Peter saves the details form as the page gives it, with only the
	// priority changed: one line, the option's label, no word of the
	// fields he left alone (impact and the computer are unset).
	_, doc := b.Page(t, "/tickets/1")
	form := sentForm(doc, `form[action="/tickets/1/fields"]`)
	if got := form.Get("field.priority"); got != "high" {
		t.Fatalf("the details form sends priority %q, want the ticket's (high)", got)
	}
	form.Set("field.priority", "urgent")
	if rec := b.Submit(t, "/tickets/1/fields", form); rec.Code != http.StatusSeeOther {
		t.Fatalf("save details: %d %s", rec.Code, rec.Body)
	}
	_, doc = b.Page(t, "/tickets/1")
	lines := timeline(doc)
	if len(lines) != 2 || !strings.HasSuffix(lines[1], "set Priority to Urgent") {
		t.Fatalf("history after saving the details: %q, want the creation and one line for the priority", lines)
	}

	// The agent saves two fields at once: one line, with labels.
	path := "/api/v1/admin/tickets/1"
	if rec := d.agent.JSON(t, "PATCH", path, map[string]any{"fields": map[string]any{"os": "os_win", "status": "in_progress"}}, nil); rec.Code != http.StatusOK {
		t.Fatal(rec.Body)
	}
	d.agent.JSON(t, "PATCH", path, map[string]any{"fields": map[string]any{"status": "awaiting_reply"}}, nil)
	// Peter's reply reopens the ticket, a proposal waits for him: each
	// one line, the status told once.
	if rec := b.Submit(t, "/tickets/1/reply", url.Values{"body": {"Tray 2"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("reply: %d", rec.Code)
	}
	d.agent.JSON(t, "POST", path+"/propose-solution", map[string]any{"body": "Use tray 1"}, nil)
	_, doc = b.Page(t, "/tickets/1")
	lines = timeline(doc)
	want := []string{
		"opened the ticket",
		"set Priority to Urgent",
		"Tom Tech updated the details: Computer → Windows PC, Status → In progress",
		"Tom Tech changed the status from In progress to Awaiting your reply",
		"replied; the status is now Open",
		"Tom Tech proposed a solution",
	}
	if len(lines) != len(want) {
		t.Fatalf("history: %q, want %d lines", lines, len(want))
	}
	for i, w := range want {
		if !strings.HasSuffix(lines[i], w) {
			t.Errorf("history line %d: %q, want it to end %q", i, lines[i], w)
		}
	}
	all := strings.Join(lines, "\n")
	for _, raw := range []string{"os_win", "urgent", "in_progress", "Impact"} {
		if strings.Contains(all, raw) {
			t.Errorf("history shows %q:\n%s", raw, all)
		}
	}

	// In French, the same history in French words.
	if rec := b.Submit(t, "/settings", url.Values{"locale": {"fr"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("settings: %d", rec.Code)
	}
	_, doc = b.Page(t, "/tickets/1")
	lines = timeline(doc)
	if len(lines) != len(want) || !strings.HasSuffix(lines[1], "a mis Priorité à Urgente") ||
		!strings.HasSuffix(lines[2], "Tom Tech a mis à jour les détails : Ordinateur → PC sous Windows, Statut → En cours") ||
		!strings.HasSuffix(lines[4], "a répondu ; le statut est maintenant « Ouvert »") {
		t.Errorf("French history: %q", lines)
	}
}

// TestTicketPage_Decision: the proposed solution is quoted where the
// requester decides; closing stays apart from it, below the conversation;
// the CC list is shown; the rating asks its question once.
func TestTicketPage_Decision(t *testing.T) {
	d := newDesk(t)
	b := d.app.NewBrowser("acme.localhost")
	signIn(t, b, "peter@initech.test", testkit.Password)
	b.Page(t, "/tickets/new") // the CSRF token
	if rec := b.Submit(t, "/tickets", url.Values{"title": {"Printer jams"}, "cc": {"milton@initech.test, boss@external.test"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("create: %d", rec.Code)
	}
	d.agent.JSON(t, "POST", "/api/v1/admin/tickets/1/replies", map[string]any{"body": "Which tray?"}, nil)
	d.agent.JSON(t, "POST", "/api/v1/admin/tickets/1/propose-solution", map[string]any{"body": "Load **letter** paper"}, nil)

	_, doc := b.Page(t, "/tickets/1")
	quote := doc.Find("[aria-labelledby=solution-heading] [data-testid=proposal] blockquote")
	if quote.Find("strong").Text() != "letter" || strings.Contains(quote.Text(), "Which tray") {
		t.Errorf("the decision does not quote the proposal: %q", quote.Text())
	}
	if doc.Find(".ticket-main [data-testid=close-panel]").Length() != 1 || doc.Find(".ticket-side [data-testid=close]").Length() != 0 {
		t.Error("closing is not offered apart, below the conversation")
	}
	var cc []string
	doc.Find("[data-testid=cc] li").Each(func(_ int, s *goquery.Selection) { cc = append(cc, s.Text()) })
	if strings.Join(cc, " ") != "boss@external.test milton@initech.test" {
		t.Errorf("CC shown: %q", cc)
	}

	b.Submit(t, "/tickets/1/solution", url.Values{"decision": {"accept"}})
	_, doc = b.Page(t, "/tickets/1")
	if n := strings.Count(doc.Find("main").Text(), "How did we do?"); n != 1 {
		t.Errorf("the rating asks its question %d times", n)
	}
	if doc.Find("[data-testid=proposal]").Length() != 0 {
		t.Error("a decided proposal is still quoted for decision")
	}
}

// TestTicketPage_SelectDefaults: a select shows the value the ticket has,
// or will get: no empty choice that sends something else.
func TestTicketPage_SelectDefaults(t *testing.T) {
	d := newDesk(t)
	b := d.app.NewBrowser("acme.localhost")
	signIn(t, b, "peter@initech.test", testkit.Password)
	_, doc := b.Page(t, "/tickets/new")
	selected := func(doc *goquery.Document, id string) string {
		v := sentForm(doc, "main form").Get("field." + id)
		return v
	}
	if got := selected(doc, "priority"); got != "normal" {
		t.Errorf("new ticket: priority shows %q, want the default (normal)", got)
	}
	if got := selected(doc, "type"); got != svcportal.TenantFrom(d.actx).TicketTypes[0] {
		t.Errorf("new ticket: type shows %q, want the default", got)
	}
	for _, key := range []string{"priority", "type"} {
		if doc.Find("#ff-"+key+` option[value=""]`).Length() != 0 {
			t.Errorf("new ticket: %s offers an empty choice, which would send its default", key)
		}
	}
	if got := doc.Find(`#ff-impact option[value=""]`).Text(); got != "Not set" {
		t.Errorf("impact's empty choice reads %q", got)
	}

	// Sent as shown, the form gives the ticket what the form showed.
	form := sentForm(doc, "main form")
	form.Set("title", "As shown")
	if rec := b.Submit(t, "/tickets", form); rec.Code != http.StatusSeeOther {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	var v svcportal.TicketView
	d.peter.JSON(t, "GET", "/api/v1/tickets/1", nil, &v)
	if v.Fields["priority"] != "normal" || v.Fields["impact"] != nil {
		t.Errorf("ticket fields %v", v.Fields)
	}
	_, doc = b.Page(t, "/tickets/1")
	if got := selected(doc, "priority"); got != "normal" {
		t.Errorf("details form: priority shows %q", got)
	}
	if v, _ := doc.Find("#ff-priority option[selected]").Attr("value"); v != "normal" {
		t.Errorf("details form: selected priority %q", v)
	}
}

// TestTicketPage_AttachmentSizes: sizes read as a person reads them, in
// the reader's units.
func TestTicketPage_AttachmentSizes(t *testing.T) {
	d := newDesk(t)
	b := d.app.NewBrowser("acme.localhost")
	signIn(t, b, "peter@initech.test", testkit.Password)
	b.Page(t, "/tickets/new") // the CSRF token
	rec := b.Multipart(t, "/tickets", url.Values{"title": {"Screenshot"}}, []testkit.File{{Name: "screen.png", Content: bytes.Repeat([]byte("x"), 36601)}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	for lang, want := range map[string]string{"en": "(36\u00a0KB)", "fr": "(36\u00a0Ko)", "de": "(36\u00a0KB)"} {
		b.Submit(t, "/settings", url.Values{"locale": {lang}})
		_, doc := b.Page(t, "/tickets/1")
		size := doc.Find("[data-testid=attachments] [data-size]")
		if got := size.Text(); got != want {
			t.Errorf("%s: size %q, want %q", lang, got, want)
		}
		if doc.Find("[data-testid=attachments] svg.icon").Length() != 1 {
			t.Errorf("%s: no icon beside the file", lang)
		}
	}
}

// TestTicketNew_SuggestionsWithoutJS: the form's "Look for an answer
// first" shows the articles that match the title under a heading, with
// the form as it was typed; they open in a new tab.
func TestTicketNew_SuggestionsWithoutJS(t *testing.T) {
	d := newDesk(t)
	cat := &svcportal.KBCategory{Names: map[string]string{"en": "Accounts"}, AllSites: true}
	if err := d.app.KB.CreateCategory(d.actx, cat); err != nil {
		t.Fatal(err)
	}
	sec := &svcportal.KBSection{CategoryID: cat.ID, Names: map[string]string{"en": "Passwords"}, AllSites: true}
	if err := d.app.KB.CreateSection(d.actx, sec); err != nil {
		t.Fatal(err)
	}
	art := &svcportal.KBArticle{SectionID: sec.ID, State: svcportal.KBPublished, AllSites: true,
		Translations: map[string]svcportal.KBTranslation{"en": {Title: "Reset your VPN password", Body: "Use the self-service page."}}}
	if err := d.app.KB.CreateArticle(d.actx, art); err != nil {
		t.Fatal(err)
	}
	b := d.app.NewBrowser("acme.localhost")
	signIn(t, b, "peter@initech.test", testkit.Password)
	_, doc := b.Page(t, "/tickets/new")
	if _, hidden := doc.Find("[data-testid=deflect]").Attr("hidden"); !hidden {
		t.Error("an empty form shows the suggestions' heading")
	}
	if doc.Find(`button[formaction="/tickets/new"]`).Length() != 1 {
		t.Fatal("no button to look for articles without JavaScript")
	}

	// A title of more words than a search takes still finds by its first.
	title := "VPN keeps asking for my password every single morning since the update of last week"
	rec, doc := b.SubmitPage(t, "/tickets/new", url.Values{"title": {title}, "description": {"Half written"}, "field.priority": {"high"}})
	if rec.Code != http.StatusOK {
		t.Fatalf("suggest: %d", rec.Code)
	}
	if _, hidden := doc.Find("[data-testid=deflect]").Attr("hidden"); hidden || doc.Find("#deflect-heading").Text() != "Articles that may answer your question" {
		t.Error("the suggestions are not shown under their heading")
	}
	link := doc.Find("[data-testid=suggestions] a")
	if href, _ := link.Attr("href"); href != fmt.Sprintf("/kb/articles/%d", art.ID) || link.AttrOr("target", "") != "_blank" {
		t.Errorf("suggestion %q → %q, target %q", link.Text(), href, link.AttrOr("target", ""))
	}
	if v, _ := doc.Find("#f-title").Attr("value"); v != title || doc.Find("#f-description").Text() != "Half written" {
		t.Error("the typed form is lost")
	}
	if v, _ := doc.Find("#ff-priority option[selected]").Attr("value"); v != "high" {
		t.Errorf("the chosen priority is lost: %q", v)
	}
	_, doc = b.SubmitPage(t, "/tickets/new", url.Values{"title": {"zzzz qqqq"}})
	if doc.Find("[data-testid=suggestions] a").Length() != 0 || doc.Find("[data-testid=suggestions] li.muted").Text() != "No article matches this title." {
		t.Error("no match is not said")
	}
	// Nothing was created.
	var list struct{ Total int }
	d.peter.JSON(t, "GET", "/api/v1/tickets", nil, &list)
	if list.Total != 0 {
		t.Errorf("looking for articles created %d tickets", list.Total)
	}
}

// TestTicketPage_ChosenOptions: a multi-select's chosen options are ticked
// on the ticket's form and, after a refused new ticket, on the new one's
// as they were sent; each form shows its own (the fields are rendered
// once per distinct content and kept, so a field shown one way must not
// come back for another reader or ticket).
func TestTicketPage_ChosenOptions(t *testing.T) {
	d := newDesk(t)
	f := svcportal.TicketField{Key: "zz_flags", Type: svcportal.FieldMultiSelect, Labels: map[string]string{"en": "Flags"},
		Options: []svcportal.FieldOption{{Value: "red", Labels: map[string]string{"en": "Red"}}, {Value: "blue", Labels: map[string]string{"en": "Blue"}}, {Value: "green", Labels: map[string]string{"en": "Green"}}}}
	if err := d.app.Store.CreateTicketField(d.actx, &f); err != nil {
		t.Fatal(err)
	}
	for _, role := range svcportal.PortalRoles {
		if err := d.app.Policies.SetMode(d.actx, svcportal.PolicyRule{Role: role, Field: f.Key, Mode: svcportal.FieldEditable}); err != nil {
			t.Fatal(err)
		}
	}
	b := d.app.NewBrowser("acme.localhost")
	signIn(t, b, "peter@initech.test", testkit.Password)
	ticked := func(doc *goquery.Document, form string) []string {
		t.Helper()
		got := sentForm(doc, form)["field.zz_flags"]
		slices.Sort(got)
		return got
	}
	for i, chosen := range [][]string{{"blue", "red"}, {"green"}, nil} {
		body := map[string]any{"title": fmt.Sprint("Flags ", i), "fields": map[string]any{"zz_flags": chosen}}
		if chosen == nil {
			delete(body, "fields")
		}
		v := d.create(t, d.peter, body)
		_, doc := b.Page(t, fmt.Sprintf("/tickets/%d", v.Number))
		if got := ticked(doc, "form[action$='/fields']"); !slices.Equal(got, chosen) {
			t.Errorf("ticket %d: ticked %q, want %q", v.Number, got, chosen)
		}
		if n := doc.Find("form[action$='/fields'] input[name='field.zz_flags']").Length(); n != 3 {
			t.Errorf("ticket %d: %d options", v.Number, n)
		}
	}
	// Refused for want of a title: the form comes back as sent.
	for _, chosen := range [][]string{{"green", "red"}, {"blue"}} {
		form := url.Values{"title": {""}, "field.zz_flags": chosen}
		rec := b.Submit(t, "/tickets", form)
		if rec.Code != http.StatusUnprocessableEntity {
			t.Fatalf("create without a title: %d", rec.Code)
		}
		if got := ticked(testkit.HTML(t, rec), "main form"); !slices.Equal(got, chosen) {
			t.Errorf("new ticket sent back: ticked %q, want %q", got, chosen)
		}
	}
}
