package admin_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/testkit"
)

// TestDataRights_ExportThenErase follows one contact through a data
// access request and an erasure: the export holds everything the tenant
// keeps about them, with formulas neutralised; the erasure removes the
// profile, memberships and sessions in one go, keeps the messages, shows
// them as a former contact's on the portal and the console in the
// reader's language, leaves no trace of the address in the audit log,
// and sends nothing to the placeholder. Agents and other tenants get
// nothing.
func TestDataRights_ExportThenErase(t *testing.T) {
	d := newDesk(t)
	ctx, st := d.actx, d.app.Store
	api := d.api(t, "acme.localhost", d.adminToken)
	peter, err := st.ContactByEmail(ctx, "peter@initech.test")
	if err != nil {
		t.Fatal(err)
	}
	peter.FirstName, peter.LastName, peter.Phone, peter.JobTitle = "Peter", "Gibbons", "+1 555 0100", "=cmd|' /C calc'!A0"
	if err := st.UpdateContact(ctx, peter); err != nil {
		t.Fatal(err)
	}
	bill := testkit.Contact(ctx, t, st, "bill@initech.test", d.initech, svcportal.RoleSiteManager)
	bill.Locale = "de"
	if err := st.UpdateContact(ctx, bill); err != nil {
		t.Fatal(err)
	}
	cat := testkit.KBCategory(ctx, t, st, "Howtos")
	article := testkit.KBArticle(ctx, t, st, testkit.KBSection(ctx, t, st, cat, "Mail"), svcportal.KBPublished, "Reset", "Body")
	if rec := d.peter.Submit(t, fmt.Sprintf("/kb/articles/%d/vote", article.ID), url.Values{"helpful": {"yes"}}); rec.Code >= 400 {
		t.Fatalf("vote: %d", rec.Code)
	}
	n := d.ticket(t, d.peter, "Printer on fire", "@SUM(1+1) it smokes")
	if rec := d.peter.Submit(t, fmt.Sprintf("/tickets/%d/reply", n), url.Values{"body": {"Still smoking"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("reply: %d", rec.Code)
	}
	exportPath := fmt.Sprintf("/api/v1/admin/contacts/%d/export", peter.ID)
	erasePath := fmt.Sprintf("/api/v1/admin/contacts/%d/erase", peter.ID)

	t.Run("agents and other tenants get nothing", func(t *testing.T) {
		agent := d.api(t, "acme.localhost", d.agentToken)
		for _, m := range []string{"GET " + exportPath, "POST " + erasePath} {
			method, path, _ := strings.Cut(m, " ")
			if rec := agent.JSON(t, method, path, nil, nil); rec.Code != http.StatusForbidden {
				t.Errorf("agent %s: got %d, want 403", m, rec.Code)
			}
			if rec := d.api(t, "globex.localhost", d.globexToken).JSON(t, method, path, nil, nil); rec.Code != http.StatusNotFound {
				t.Errorf("globex %s: got %d, want 404", m, rec.Code)
			}
		}
	})

	t.Run("export holds everything, formulas neutralised", func(t *testing.T) {
		var e svcportal.ContactExport
		rec := api.JSON(t, "GET", exportPath, nil, &e)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Header().Get("Content-Disposition"), "attachment") {
			t.Fatalf("export: %d %q", rec.Code, rec.Header().Get("Content-Disposition"))
		}
		if e.Profile == nil || e.Profile.Email != "peter@initech.test" || e.Profile.JobTitle != "'=cmd|' /C calc'!A0" || e.Profile.Phone != "'+1 555 0100" {
			t.Errorf("profile: %+v", e.Profile)
		}
		if len(e.Memberships) != 1 || e.Memberships[0].SiteName != "Initech" {
			t.Errorf("memberships: %+v", e.Memberships)
		}
		if len(e.Tickets) != 1 || e.Tickets[0].Number != n || e.Tickets[0].Description != "'@SUM(1+1) it smokes" {
			t.Errorf("tickets: %+v", e.Tickets)
		}
		if len(e.Messages) != 1 || e.Messages[0].Body != "Still smoking" || e.Messages[0].TicketNumber != n {
			t.Errorf("messages: %+v", e.Messages)
		}
		if len(e.Votes) != 1 || e.Votes[0].ArticleID != article.ID || !e.Votes[0].Helpful {
			t.Errorf("votes: %+v", e.Votes)
		}
		if len(e.Audit) == 0 || e.Audit[0].Action != svcportal.AuditLogin {
			t.Errorf("audit: %+v", e.Audit)
		}
	})

	t.Run("erase removes the profile and keeps the messages", func(t *testing.T) {
		if rec := api.JSON(t, "POST", erasePath, nil, nil); rec.Code != http.StatusNoContent {
			t.Fatalf("erase: %d %s", rec.Code, rec.Body)
		}
		c, err := st.Contact(ctx, peter.ID)
		if err != nil {
			t.Fatal(err)
		}
		if c.Email != svcportal.ErasedEmail(peter.ID) || c.FirstName+c.LastName+c.Phone+c.JobTitle != "" || c.ErasedAt == nil ||
			!c.Disabled || c.PasswordHash != "" || len(c.Memberships) != 0 {
			t.Errorf("erased contact: %+v", c)
		}
		if rec := d.peter.Get(t, "/tickets"); rec.Code != http.StatusSeeOther {
			t.Errorf("the erased contact's session still works: %d", rec.Code)
		}
		log, _ := st.AuditLog(ctx, 100)
		if log[0].Action != svcportal.AuditContactErased || log[0].Email != c.Email || log[0].ActorKind != svcportal.PrincipalStaff {
			t.Errorf("erasure audited as %+v", log[0])
		}
		for _, a := range log {
			if strings.Contains(a.Email+a.Detail, "peter@") {
				t.Errorf("the audit log still names the address: %+v", a)
			}
		}
		var e svcportal.ContactExport
		rec := api.JSON(t, "GET", exportPath, nil, &e)
		if strings.Contains(rec.Body.String(), "peter") || strings.Contains(rec.Body.String(), "Gibbons") || len(e.Messages) != 1 {
			t.Errorf("the export after erasure still holds the profile or lost the messages: %s", rec.Body)
		}
		if rec := d.app.NewBrowser("acme.localhost").JSON(t, "POST", "/api/v1/auth/login",
			map[string]string{"email": "peter@initech.test", "password": testkit.Password}, nil); rec.Code != http.StatusUnauthorized {
			t.Errorf("the old address still signs in: %d", rec.Code)
		}
		if rec := api.JSON(t, "PATCH", fmt.Sprintf("/api/v1/admin/contacts/%d", peter.ID), map[string]any{"first_name": "Back"}, nil); rec.Code != http.StatusConflict {
			t.Errorf("editing an erased contact: %d, want 409", rec.Code)
		}
	})

	t.Run("pages show a former contact in the reader's language", func(t *testing.T) {
		b := d.app.NewBrowser("acme.localhost")
		if rec := b.Submit(t, "/login", url.Values{"email": {"bill@initech.test"}, "password": {testkit.Password}}); rec.Code != http.StatusSeeOther {
			t.Fatalf("bill's sign-in: %d", rec.Code)
		}
		_, doc := b.Page(t, fmt.Sprintf("/tickets/%d", n))
		if got := texts(doc.Find(`[data-testid="author"]`)); len(got) != 1 || got[0] != "Ehemaliger Kontakt" {
			t.Errorf("portal author: %q", got)
		}
		if got := texts(doc.Find(`[data-testid="requester"]`)); len(got) != 1 || got[0] != "Ehemaliger Kontakt" {
			t.Errorf("portal requester: %q", got)
		}
		_, doc = b.Page(t, "/tickets?scope=site")
		if got := texts(doc.Find(`td[data-testid="requester"]`)); len(got) != 1 || got[0] != "Ehemaliger Kontakt" {
			t.Errorf("portal list requester: %q", got)
		}
		_, doc = d.admin.Page(t, fmt.Sprintf("/admin/tickets/%d", n))
		if got := texts(doc.Find(`[data-testid="author"]`)); len(got) != 1 || got[0] != "Former contact" {
			t.Errorf("console author: %q", got)
		}
		if html, _ := doc.Html(); strings.Contains(html, "Gibbons") || strings.Contains(html, "peter@") {
			t.Error("the console's ticket page still names the erased contact")
		}
		_, doc = d.admin.Page(t, "/admin/tickets")
		if got := texts(doc.Find(`td[data-testid="requester"]`)); len(got) != 1 || got[0] != "Former contact" {
			t.Errorf("console queue requester: %q", got)
		}
	})

	t.Run("no email goes to the erased contact", func(t *testing.T) {
		if rec := api.JSON(t, "POST", fmt.Sprintf("/api/v1/admin/tickets/%d/replies", n), map[string]any{"body": "We sent the fire brigade"}, nil); rec.Code != http.StatusCreated {
			t.Fatalf("staff reply: %d %s", rec.Code, rec.Body)
		}
		for _, to := range []string{"peter@initech.test", svcportal.ErasedEmail(peter.ID)} {
			if mails, _ := st.Emails(ctx, svcportal.EmailFilter{ToAddress: to}); len(mails) != 0 {
				t.Errorf("%d emails to %s", len(mails), to)
			}
		}
	})
}
