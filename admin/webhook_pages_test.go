package admin_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/webhooks"
)

// TestWebhookPages walks an admin through the /admin/webhooks pages: a
// refused form keeps its values and names each problem; a new endpoint's
// secret is shown once; a refused delivery shows as a failure on the list
// and attempt by attempt in the log; the endpoint is edited, turned off
// and deleted. Agents are refused.
func TestWebhookPages(t *testing.T) {
	d := newDesk(t)
	r := newReceiver(t)
	form := func(values url.Values) url.Values {
		values.Set("csrf_token", d.admin.CSRF)
		return values
	}

	_, doc := d.admin.Page(t, "/admin/webhooks")
	if doc.Find(`[data-testid="no-webhooks"]`).Length() != 1 || doc.Find(`nav a[href="/admin/webhooks"]`).Length() != 1 {
		t.Error("empty page: no empty-state or no navigation link")
	}
	if rec := d.agent.Get(t, "/admin/webhooks"); rec.Code != http.StatusForbidden {
		t.Errorf("agent: got %d, want 403", rec.Code)
	}

	t.Run("a refused form keeps its values", func(t *testing.T) {
		rec, doc := d.admin.SubmitPage(t, "/admin/webhooks", form(url.Values{"url": {"ftp://example.com/x"}, "include_internal": {"1"}}))
		if rec.Code != http.StatusUnprocessableEntity {
			t.Fatalf("got %d, want 422", rec.Code)
		}
		if got := texts(doc.Find(`[data-testid="error-summary"] a`)); len(got) != 2 {
			t.Errorf("summary: %q, want the address and the events", got)
		}
		if v, _ := doc.Find(`#f-url`).Attr("value"); v != "ftp://example.com/x" || doc.Find(`.field-invalid #f-url`).Length() != 1 {
			t.Errorf("address field: %q", v)
		}
		if doc.Find(`input[name="include_internal"][checked]`).Length() != 1 || doc.Find(`input[name="events"][checked]`).Length() != 0 {
			t.Error("checkboxes not kept as sent")
		}
		if list, _ := d.app.Store.WebhookEndpoints(d.actx); len(list) != 0 {
			t.Errorf("refused form created %d endpoints", len(list))
		}
	})

	var id int64
	t.Run("the secret is shown once", func(t *testing.T) {
		rec, doc := d.admin.SubmitPage(t, "/admin/webhooks", form(url.Values{"url": {r.srv.URL + "/hook"},
			"events": {svcportal.WebhookTicketCreated, svcportal.WebhookTicketClosed}}))
		secret := doc.Find(`[data-testid="secret"]`).Text()
		if rec.Code != http.StatusCreated || !strings.Contains(secret, "whsec_") {
			t.Fatalf("got %d, secret %q", rec.Code, secret)
		}
		list, _ := d.app.Store.WebhookEndpoints(d.actx)
		if len(list) != 1 || len(list[0].Events) != 2 || list[0].IncludeInternal {
			t.Fatalf("endpoints: %+v", list)
		}
		id = list[0].ID
		_, doc = d.admin.Page(t, "/admin/webhooks")
		if doc.Find(`[data-testid="secret"]`).Length() != 0 || strings.Contains(doc.Text(), "whsec_") {
			t.Error("the secret is shown again")
		}
		if doc.Find(fmt.Sprintf(`tr[data-webhook="%d"] a[href="/admin/webhooks/%d"]`, id, id)).Length() == 0 {
			t.Error("the list has no link to the endpoint")
		}
	})

	t.Run("a refused delivery shows on the list and in the log", func(t *testing.T) {
		d.ticket(t, d.peter, "Smoke", "From the printer")
		worker(d.world, r, webhooks.CheckAddress).RunOnce(d.actx) // 127.0.0.1 is refused
		_, doc := d.admin.Page(t, "/admin/webhooks")
		row := doc.Find(fmt.Sprintf(`tr[data-webhook="%d"]`, id))
		if got := strings.Join(strings.Fields(row.Find(`[data-testid="failures"]`).Text()), " "); !strings.Contains(got, "Failed attempts in a row: 1") ||
			row.Find(`[data-testid="recent-failures"] li`).Length() != 1 || !strings.Contains(got, "private") {
			t.Errorf("failures cell: %q", got)
		}
		_, doc = d.admin.Page(t, fmt.Sprintf("/admin/webhooks/%d", id))
		if got := texts(doc.Find(`[data-testid="delivery-status"]`)); len(got) != 1 || got[0] != "Pending" {
			t.Errorf("delivery status: %q", got)
		}
		if got := texts(doc.Find(`[data-testid="attempts"] li`)); len(got) != 1 || !strings.Contains(got[0], "No answer after") || !strings.Contains(got[0], "private") {
			t.Errorf("attempts: %q", got)
		}
	})

	t.Run("edit, turn off, delete", func(t *testing.T) {
		path := fmt.Sprintf("/admin/webhooks/%d", id)
		rec, doc := d.admin.SubmitPage(t, path, form(url.Values{"action": {"save"}, "url": {"not a url"}, "events": {"ticket.exploded"}, "enabled": {"1"}}))
		if rec.Code != http.StatusUnprocessableEntity || doc.Find(`[data-testid="error-summary"]`).Length() != 1 || doc.Find(`[data-testid="deliveries"]`).Length() != 1 {
			t.Errorf("bad edit: %d", rec.Code)
		}
		rec = d.admin.Submit(t, path, form(url.Values{"action": {"save"}, "url": {r.srv.URL + "/v2"}, "events": {svcportal.WebhookTicketReplied},
			"include_internal": {"1"}, "enabled": {"1"}}))
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("edit: %d", rec.Code)
		}
		e, _ := d.app.Store.WebhookEndpoint(d.actx, id)
		if e.URL != r.srv.URL+"/v2" || len(e.Events) != 1 || e.Events[0] != svcportal.WebhookTicketReplied || !e.IncludeInternal || !e.Enabled {
			t.Errorf("after edit: %+v", e)
		}
		if rec := d.admin.Submit(t, path, form(url.Values{"action": {"disable"}})); rec.Code != http.StatusSeeOther {
			t.Fatalf("disable: %d", rec.Code)
		}
		_, doc = d.admin.Page(t, "/admin/webhooks?done=disabled")
		if got := texts(doc.Find(fmt.Sprintf(`tr[data-webhook="%d"] [data-testid="state"]`, id))); len(got) != 1 || got[0] != "Off" {
			t.Errorf("state after disable: %q", got)
		}
		if rec := d.agent.Submit(t, path+"/delete", url.Values{"csrf_token": {d.agent.CSRF}}); rec.Code != http.StatusForbidden {
			t.Errorf("agent delete: %d", rec.Code)
		}
		if rec := d.admin.Submit(t, path+"/delete", form(url.Values{})); rec.Code != http.StatusSeeOther {
			t.Fatalf("delete: %d", rec.Code)
		}
		if rec := d.admin.Get(t, path); rec.Code != http.StatusNotFound {
			t.Errorf("deleted endpoint's page: %d", rec.Code)
		}
	})
}
