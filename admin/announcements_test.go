package admin_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/web"
)

// TestAnnouncementsAPI: GET|POST /announcements, PATCH|DELETE
// /announcements/{id} for admins; checked by the domain; another tenant's
// announcement is a 404; agents are refused.
func TestAnnouncementsAPI(t *testing.T) {
	w := newWorld(t)
	b := w.api(t, "acme.localhost", w.adminToken)
	start := time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC)
	var a svcportal.Announcement
	rec := b.JSON(t, "POST", "/api/v1/admin/announcements", map[string]any{"title": "Planned upgrade", "body": "Expect **downtime**.",
		"severity": "maintenance", "starts_at": start, "ends_at": start.Add(2 * time.Hour), "site_ids": []int64{w.initech.ID},
		"translations": map[string]any{"fr": map[string]string{"title": "Mise à jour prévue"}}}, &a)
	if rec.Code != http.StatusCreated || a.ID == 0 || a.AllSites || len(a.SiteIDs) != 1 || a.Texts["en"].Body != "Expect **downtime**." ||
		a.Texts["fr"].Title != "Mise à jour prévue" || !a.StartsAt.Equal(start) {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	path := fmt.Sprintf("/api/v1/admin/announcements/%d", a.ID)

	var list struct{ Announcements []svcportal.Announcement }
	if rec := b.JSON(t, "GET", "/api/v1/admin/announcements", nil, &list); rec.Code != http.StatusOK || len(list.Announcements) != 1 {
		t.Errorf("list: %d %s", rec.Code, rec.Body)
	}
	var upd svcportal.Announcement
	if rec := b.JSON(t, "PATCH", path, map[string]any{"severity": "incident", "ends_at": nil, "site_ids": []int64{}}, &upd); rec.Code != http.StatusOK ||
		upd.Severity != "incident" || upd.EndsAt != nil || !upd.AllSites || upd.StartsAt == nil || upd.Texts["fr"].Title == "" {
		t.Errorf("patch: %d %s", rec.Code, rec.Body)
	}

	bad := []struct {
		name   string
		body   map[string]any
		status int
		field  string
	}{
		{"no title", map[string]any{"severity": "info"}, 422, "title"},
		{"unknown severity", map[string]any{"title": "x", "severity": "panic"}, 422, "severity"},
		{"ends before it starts", map[string]any{"title": "x", "starts_at": start, "ends_at": start.Add(-time.Hour)}, 422, "ends_at"},
		{"body without a title", map[string]any{"title": "x", "translations": map[string]any{"de": map[string]string{"body": "Nur Text"}}}, 422, "translations.de.title"},
		{"unknown language", map[string]any{"title": "x", "translations": map[string]any{"pt": map[string]string{"title": "Olá"}}}, 422, "translations.pt"},
		{"another tenant's site", map[string]any{"title": "x", "site_ids": []int64{w.hooli.ID}}, 404, "site_ids"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			var e web.APIError
			if rec := b.JSON(t, "POST", "/api/v1/admin/announcements", tt.body, &e); rec.Code != tt.status || e.Error.Fields[tt.field] == "" {
				t.Errorf("got %d %+v, want %d on %s", rec.Code, e, tt.status, tt.field)
			}
		})
	}

	globex := w.api(t, "globex.localhost", w.globexToken)
	if rec := globex.JSON(t, "PATCH", path, map[string]any{"severity": "info"}, nil); rec.Code != http.StatusNotFound {
		t.Errorf("globex patches acme's: %d", rec.Code)
	}
	if rec := globex.JSON(t, "DELETE", path, nil, nil); rec.Code != http.StatusNotFound {
		t.Errorf("globex deletes acme's: %d", rec.Code)
	}
	if rec := globex.JSON(t, "GET", "/api/v1/admin/announcements", nil, &list); rec.Code != http.StatusOK || len(list.Announcements) != 0 {
		t.Errorf("globex lists acme's: %d %d", rec.Code, len(list.Announcements))
	}
	agent := w.api(t, "acme.localhost", w.agentToken)
	if rec := agent.JSON(t, "GET", "/api/v1/admin/announcements", nil, nil); rec.Code != http.StatusForbidden {
		t.Errorf("agent lists: %d", rec.Code)
	}
	if rec := agent.JSON(t, "POST", "/api/v1/admin/announcements", map[string]any{"title": "x"}, nil); rec.Code != http.StatusForbidden {
		t.Errorf("agent posts: %d", rec.Code)
	}
	if rec := b.JSON(t, "DELETE", path, nil, nil); rec.Code != http.StatusNoContent {
		t.Errorf("delete: %d", rec.Code)
	}
	if rec := b.JSON(t, "DELETE", path, nil, nil); rec.Code != http.StatusNotFound {
		t.Errorf("delete again: %d", rec.Code)
	}
}

// TestAnnouncementsPage: the admin posts, lists, edits and deletes an
// announcement from /admin/announcements, times in the tenant's zone.
func TestAnnouncementsPage(t *testing.T) {
	d := newDesk(t)
	if _, err := d.app.Tenants.UpdateSettings(d.actx, svcportal.TenantSettings{TimeZone: ptr("Europe/Paris")}); err != nil {
		t.Fatal(err)
	}
	rec, doc := d.admin.SubmitPage(t, "/admin/announcements", url.Values{"severity": {"incident"}, "reach": {"sites"}, "title.en": {"x"}})
	if rec.Code != http.StatusUnprocessableEntity || doc.Find("[data-testid=error-summary] a[href='#f-site_ids']").Length() != 1 {
		t.Errorf("no site chosen: %d", rec.Code)
	}
	rec = d.admin.Submit(t, "/admin/announcements", url.Values{"severity": {"incident"}, "reach": {"sites"}, "site_ids": {fmt.Sprint(d.umbrella.ID)},
		"starts_at": {"2026-03-02T10:30"}, "title.en": {"VPN down"}, "body.en": {"We are on it."}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("post: %d %s", rec.Code, rec.Body)
	}
	list, err := d.app.Announcements.Announcements(d.actx)
	if err != nil || len(list) != 1 {
		t.Fatalf("saved: %v %v", list, err)
	}
	a := list[0]
	if !a.StartsAt.Equal(time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)) || a.AllSites || a.SiteIDs[0] != d.umbrella.ID {
		t.Errorf("saved %+v (start in Paris time)", a)
	}
	_, doc = d.admin.Page(t, "/admin/announcements?done=saved")
	row := doc.Find(fmt.Sprintf("[data-announcement='%d']", a.ID))
	if !strings.Contains(row.Text(), "VPN down") || !strings.Contains(row.Text(), "Umbrella") || row.Find("[data-testid=state]").Text() != "Scheduled" {
		t.Errorf("row %q", strings.Join(strings.Fields(row.Text()), " "))
	}
	_, doc = d.admin.Page(t, fmt.Sprintf("/admin/announcements/%d", a.ID))
	if doc.Find("#f-starts_at").AttrOr("value", "") != "2026-03-02T10:30" || doc.Find("input[name='title.en']").AttrOr("value", "") != "VPN down" {
		t.Errorf("edit form: %q", doc.Find("#f-starts_at").AttrOr("value", ""))
	}
	if rec := d.admin.Submit(t, fmt.Sprintf("/admin/announcements/%d", a.ID), url.Values{"severity": {"info"}, "reach": {"all"}, "title.en": {"VPN back"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("update: %d %s", rec.Code, rec.Body)
	}
	if got, _ := d.app.Announcements.Announcement(d.actx, a.ID); got.Texts["en"].Title != "VPN back" || !got.AllSites || got.StartsAt != nil {
		t.Errorf("updated %+v", got)
	}
	if rec := d.agent.Submit(t, fmt.Sprintf("/admin/announcements/%d", a.ID), url.Values{"action": {"delete"}}); rec.Code != http.StatusForbidden {
		t.Errorf("agent deletes: %d", rec.Code)
	}
	if rec := d.admin.Submit(t, fmt.Sprintf("/admin/announcements/%d", a.ID), url.Values{"action": {"delete"}}); rec.Code != http.StatusSeeOther {
		t.Errorf("delete: %d", rec.Code)
	}
	if list, _ := d.app.Announcements.Announcements(d.actx); len(list) != 0 {
		t.Error("still there")
	}
}

func ptr[T any](v T) *T { return &v }
