package admin_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/svcportal/svcportal"
)

// TestStaffAccounts_ResendInvitation: a member invited who has not set a
// password is marked so on the team page and can be sent the invitation
// again; the new link works and the earlier one no longer does; each
// resend is audited; a few resends an hour at most; once the password is
// set (or the member disabled) there is nothing to resend. The API does
// the same.
func TestStaffAccounts_ResendInvitation(t *testing.T) {
	d := newDesk(t)
	d.admin.Page(t, "/admin/staff")
	if rec := d.admin.Submit(t, "/admin/staff", url.Values{"email": {"nina@acme.test"}, "name": {"Nina"}, "role": {"agent"}, "locale": {"de"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("invite: %d %s", rec.Code, rec.Body)
	}
	nina, err := d.app.Store.StaffByEmail(d.actx, "nina@acme.test")
	if err != nil {
		t.Fatal(err)
	}
	row := fmt.Sprintf("tr[data-staff=%q]", fmt.Sprint(nina.ID))
	links := func() []string {
		t.Helper()
		mails, err := d.app.Store.Emails(d.actx, svcportal.EmailFilter{ToAddress: "nina@acme.test", Kind: svcportal.EmailStaffWelcome})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, m := range mails {
			u, _ := url.Parse(linkRE.FindString(m.TextBody))
			out = append(out, u.Query().Get("token"))
		}
		return out
	}
	first := links()
	if len(first) != 1 {
		t.Fatalf("invitations: %d", len(first))
	}

	_, doc := d.admin.Page(t, "/admin/staff")
	if got := strings.TrimSpace(doc.Find(row + " [data-testid=state]").Text()); got != "Invited, no password yet" {
		t.Errorf("nina's state: %q", got)
	}
	if doc.Find(fmt.Sprintf("tr[data-staff=%q] [data-testid=resend]", fmt.Sprint(d.agentID))).Length() != 0 {
		t.Error("an agent with a password is offered a resend")
	}
	action := doc.Find(row+" form[data-testid=resend]").AttrOr("action", "")
	if action != fmt.Sprintf("/admin/staff/%d/invitation", nina.ID) {
		t.Fatalf("resend form: %q", action)
	}
	rec := d.admin.Submit(t, action, url.Values{})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/admin/staff?done=resent" {
		t.Fatalf("resend: %d %q", rec.Code, rec.Header().Get("Location"))
	}
	tokens := links()
	if len(tokens) != 2 {
		t.Fatalf("after the resend, %d invitations", len(tokens))
	}
	fresh := tokens[0]
	if fresh == first[0] {
		fresh = tokens[1]
	}
	mails, _ := d.app.Store.Emails(d.actx, svcportal.EmailFilter{ToAddress: "nina@acme.test", Kind: svcportal.EmailStaffWelcome})
	for _, m := range mails {
		if !strings.Contains(m.Subject, "Verwaltungskonsole") {
			t.Errorf("the invitation is not in nina's German: %q", m.Subject)
		}
	}
	entries, _, err := d.app.Store.AuditEntries(d.actx, svcportal.AuditFilter{Action: svcportal.AuditStaffReinvited, PerPage: 10, Page: 1})
	if err != nil || len(entries) != 1 || entries[0].Email != "nina@acme.test" || entries[0].ActorID != d.adminID {
		t.Errorf("audit: %v %+v", err, entries)
	}

	// A few resends an hour: the fourth is refused beside the row.
	for i := 0; i < 2; i++ {
		if rec := d.admin.JSON(t, "POST", fmt.Sprintf("/api/v1/admin/staff/%d/invitation", nina.ID), nil, nil); rec.Code != http.StatusNoContent {
			t.Fatalf("API resend %d: %d %s", i, rec.Code, rec.Body)
		}
	}
	rec, doc = d.admin.SubmitPage(t, action, url.Values{})
	if rec.Code != http.StatusTooManyRequests || strings.TrimSpace(doc.Find(row+" .field-error").Text()) == "" {
		t.Errorf("a fourth resend within the hour: %d %q", rec.Code, doc.Find(row+" .field-error").Text())
	}
	if n := len(links()); n != 4 {
		t.Errorf("%d invitations, want 4 (the refused resend sends nothing)", n)
	}
	d.app.Clock.Advance(61 * time.Minute)
	if rec := d.admin.Submit(t, action, url.Values{}); rec.Code != http.StatusSeeOther {
		t.Errorf("a resend an hour later: %d", rec.Code)
	}
	tokens = links()
	latest := tokens[0] // newest first

	// Only the newest link works.
	b := d.app.NewBrowser("acme.localhost")
	for _, old := range []string{first[0], fresh} {
		if rec := b.Submit(t, "/admin/set-password", url.Values{"token": {old}, "password": {"nina-pass-12345"}, "password_confirm": {"nina-pass-12345"}}); rec.Code != http.StatusBadRequest {
			t.Errorf("an earlier link still works: %d", rec.Code)
		}
	}
	if rec := b.Submit(t, "/admin/set-password", url.Values{"token": {latest}, "password": {"nina-pass-12345"}, "password_confirm": {"nina-pass-12345"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("the newest link: %d %s", rec.Code, rec.Body)
	}

	// Signed up: nothing to resend.
	_, doc = d.admin.Page(t, "/admin/staff")
	if doc.Find(row+" [data-testid=resend]").Length() != 0 || strings.TrimSpace(doc.Find(row+" [data-testid=state]").Text()) != "Active" {
		t.Errorf("after nina set her password: %q", doc.Find(row).Text())
	}
	if rec := d.admin.JSON(t, "POST", fmt.Sprintf("/api/v1/admin/staff/%d/invitation", nina.ID), nil, nil); rec.Code != http.StatusConflict {
		t.Errorf("resend to a member with a password: %d, want 409", rec.Code)
	}
	var list struct{ Staff []svcportal.Staff }
	d.admin.JSON(t, "GET", "/api/v1/admin/staff", nil, &list)
	for _, m := range list.Staff {
		if m.InvitationPending {
			t.Errorf("%s is still pending in the API", m.Email)
		}
	}

	// A disabled member who never signed in: enable first.
	if rec := d.admin.Submit(t, "/admin/staff", url.Values{"email": {"omar@acme.test"}, "role": {"agent"}, "locale": {"en"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("invite omar: %d", rec.Code)
	}
	omar, _ := d.app.Store.StaffByEmail(d.actx, "omar@acme.test")
	d.admin.Submit(t, fmt.Sprintf("/admin/staff/%d", omar.ID), url.Values{"action": {"disable"}})
	rec, doc = d.admin.SubmitPage(t, fmt.Sprintf("/admin/staff/%d/invitation", omar.ID), url.Values{})
	if rec.Code != http.StatusConflict || !strings.Contains(doc.Find("[role=alert]").Text(), "disabled") {
		t.Errorf("resend to a disabled member: %d %q", rec.Code, doc.Find("[role=alert]").Text())
	}
}
