package portal_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestTicketPages(t *testing.T) {
	d := newDesk(t)
	b := d.app.NewBrowser("acme.localhost")
	signIn(t, b, "peter@initech.test", "fixture-pass-1234")

	_, doc := b.Page(t, "/tickets/new")
	if doc.Find("#f-title").Length() != 1 || doc.Find("#ff-asset_tag").Length() != 1 {
		t.Fatal("new-ticket form lacks title or the editable custom field")
	}
	for _, key := range []string{"contract", "internal_cost", "status", "assignee"} {
		if doc.Find("#ff-"+key).Length() != 0 {
			t.Errorf("form offers %s, which the member may not edit", key)
		}
	}
	if strings.Contains(doc.Text(), "Internal cost") {
		t.Error("form names the hidden field")
	}

	rec, doc := b.SubmitPage(t, "/tickets", url.Values{"title": {""}, "description": {"text"}, "field.asset_tag": {"PR-9"}})
	if rec.Code != http.StatusUnprocessableEntity || doc.Find("#f-title-error").Length() != 1 {
		t.Fatalf("empty title: %d", rec.Code)
	}
	if v, _ := doc.Find("#ff-asset_tag").Attr("value"); v != "PR-9" {
		t.Errorf("typed value lost: %q", v)
	}
	rec = b.Submit(t, "/tickets", url.Values{"title": {"Printer <b>jams</b>"}, "description": {"It says **PC LOAD LETTER** <script>alert(1)</script>"},
		"field.asset_tag": {"PR-9"}, "field.priority": {"high"}, "cc": {"milton@initech.test"}})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/tickets/1" {
		t.Fatalf("create: %d → %q", rec.Code, rec.Header().Get("Location"))
	}
	if rec := d.agent.JSON(t, "PATCH", "/api/v1/admin/tickets/1", map[string]any{"fields": map[string]any{"internal_cost": 999.5, "status": "in_progress"}}, nil); rec.Code != 200 {
		t.Fatal(rec.Body)
	}

	_, doc = b.Page(t, "/tickets/1")
	if got := doc.Find("[data-testid=ticket-title]").Text(); got != "Printer <b>jams</b>" {
		t.Errorf("title %q (must be shown as text)", got)
	}
	desc := doc.Find(".prose").First()
	if desc.Find("strong").Text() != "PC LOAD LETTER" || desc.Find("script").Length() != 0 {
		t.Errorf("description not rendered as sanitised Markdown: %s", must(desc.Html()))
	}
	if got := doc.Find("[data-testid=status]").Text(); got != "In progress" {
		t.Errorf("status %q", got)
	}
	if got := doc.Find(`[data-field=asset_tag]`).Text(); got != "PR-9" {
		t.Errorf("asset tag %q", got)
	}
	if got := doc.Find(`[data-field=priority]`).Text(); got != "High" {
		t.Errorf("priority shown as %q, want its label", got)
	}
	html := must(doc.Html())
	if strings.Contains(html, "999.5") || strings.Contains(html, "internal_cost") || strings.Contains(html, "Internal cost") {
		t.Error("the page shows the hidden field or its change")
	}
	if !strings.Contains(doc.Find("[data-testid=timeline]").Text(), "changed the status from Open to In progress") {
		t.Errorf("timeline: %q", doc.Find("[data-testid=timeline]").Text())
	}

	rec, doc = b.SubmitPage(t, "/tickets/1/reply", url.Values{"body": {"  "}})
	if rec.Code != http.StatusUnprocessableEntity || doc.Find("#f-body-error").Length() != 1 {
		t.Errorf("empty reply: %d", rec.Code)
	}
	if rec := b.Submit(t, "/tickets/1/reply", url.Values{"body": {"Still jams"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("reply: %d", rec.Code)
	}
	d.agent.JSON(t, "POST", "/api/v1/admin/tickets/1/propose-solution", map[string]any{"body": "Load **letter** paper"}, nil)
	_, doc = b.Page(t, "/tickets/1?done=replied")
	if doc.Find("[data-testid=accept]").Length() != 1 || doc.Find("[data-testid=messages] li").Length() != 2 {
		t.Fatalf("proposal not offered for decision, or messages missing")
	}
	if rec := b.Submit(t, "/tickets/1/solution", url.Values{"decision": {"accept"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("accept: %d", rec.Code)
	}
	_, doc = b.Page(t, "/tickets/1")
	if doc.Find("[data-testid=status]").Text() != "Closed" || doc.Find("input[name=satisfied]").Length() != 2 {
		t.Errorf("after accepting: status %q, rating form %d", doc.Find("[data-testid=status]").Text(), doc.Find("input[name=satisfied]").Length())
	}
	b.Submit(t, "/tickets/1/rating", url.Values{"satisfied": {"yes"}})
	_, doc = b.Page(t, "/tickets/1")
	if doc.Find("[data-testid=rating]").Length() != 1 || doc.Find("input[name=satisfied]").Length() != 0 {
		t.Error("rating not recorded on the page")
	}

	_, doc = b.Page(t, "/tickets?q=jams")
	if doc.Find("[data-testid=tickets] tbody tr").Length() != 1 {
		t.Errorf("list search: %d rows", doc.Find("[data-testid=tickets] tbody tr").Length())
	}
	_, doc = b.Page(t, "/tickets?status=open")
	if doc.Find("[data-testid=tickets] tbody tr").Length() != 0 {
		t.Error("status filter ignored")
	}
	if doc.Find("#flt-priority option").Length() != 5 || doc.Find("#flt-contract").Length() != 1 || doc.Find("#flt-internal_cost").Length() != 0 {
		t.Error("field filters: want priority and contract (visible), never internal_cost")
	}
	_, doc = b.Page(t, "/tickets?field.priority=low")
	if doc.Find("[data-testid=tickets] tbody tr").Length() != 0 {
		t.Error("field filter ignored")
	}
	_, doc = b.Page(t, "/tickets?field.priority=high&status=open&sort=-number")
	if doc.Find("[data-testid=tickets] tbody tr").Length() != 0 {
		t.Error("field and status filters together find a ticket in another status")
	}
	for sel, want := range map[string]string{"#flt-priority": "high", "#f-status": "open", "#f-sort": "-number"} {
		if got := doc.Find(sel + " option[selected]"); got.Length() != 1 || got.AttrOr("value", "") != want {
			t.Errorf("%s: %d selected, %q first, want only %q", sel, got.Length(), got.AttrOr("value", ""), want)
		}
	}
	_, doc = b.Page(t, "/tickets?field.priority=high")
	if doc.Find("[data-testid=tickets] tbody tr").Length() != 1 {
		t.Error("field filter finds nothing")
	}
	alice := d.app.NewBrowser("acme.localhost")
	signIn(t, alice, "alice@umbrella.test", "fixture-pass-1234")
	for _, p := range []string{"/tickets/1", "/tickets/2"} {
		if rec := alice.Get(t, p); rec.Code != http.StatusNotFound {
			t.Errorf("alice %s: %d, want 404", p, rec.Code)
		}
	}
	_, doc = alice.Page(t, "/tickets") // also gives her a CSRF token, so only visibility can refuse her
	if rec := alice.Submit(t, "/tickets/1/reply", url.Values{"body": {"x"}}); rec.Code != http.StatusNotFound {
		t.Errorf("alice replies: %d, want 404", rec.Code)
	}
	if doc.Find("[data-testid=tickets]").Length() != 0 {
		t.Error("alice's list shows Initech's ticket")
	}
}

func must(s string, err error) string {
	if err != nil {
		panic(err)
	}
	return s
}
