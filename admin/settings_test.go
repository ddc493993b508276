package admin_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/testkit"
	"github.com/svcportal/svcportal/web"
)

func TestSettings(t *testing.T) {
	w := newWorld(t)
	b := w.api(t, "acme.localhost", w.adminToken)
	var got svcportal.Tenant
	if rec := b.JSON(t, "GET", "/api/v1/admin/settings", nil, &got); rec.Code != 200 || got.Slug != "acme" || got.AutoCloseDays != 7 {
		t.Fatalf("get: %d %+v", rec.Code, got)
	}
	if rec := w.api(t, "acme.localhost", w.agentToken).JSON(t, "PATCH", "/api/v1/admin/settings", map[string]any{"name": "Hacked"}, nil); rec.Code != http.StatusForbidden {
		t.Errorf("agent changes settings: %d", rec.Code)
	}

	bad := []struct {
		name  string
		body  map[string]any
		code  int
		field string
	}{
		{"colour", map[string]any{"primary_color": "blue"}, 422, "primary_color"},
		{"default not enabled", map[string]any{"enabled_locales": []string{"fr", "de"}}, 422, "default_locale"},
		{"unknown language", map[string]any{"enabled_locales": []string{"en", "pt"}}, 422, "enabled_locales"},
		{"domain under the platform's", map[string]any{"domains": []string{"evil.localhost"}}, 422, "domains"},
		{"domain of another tenant", map[string]any{"domains": []string{"help.globex.example"}}, 409, "domains"},
		{"auto-close delay", map[string]any{"auto_close_days": 0}, 422, "auto_close_days"},
		{"unknown setting", map[string]any{"slug": "other"}, 400, "slug"},
	}
	if _, err := w.app.Tenants.UpdateSettings(w.gctx, svcportal.TenantSettings{Domains: []string{"help.globex.example"}}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			var e web.APIError
			if rec := b.JSON(t, "PATCH", "/api/v1/admin/settings", tt.body, &e); rec.Code != tt.code || e.Error.Fields[tt.field] == "" {
				t.Errorf("got %d %+v, want %d on %s", rec.Code, e, tt.code, tt.field)
			}
		})
	}

	body := map[string]any{"name": "Acme IT", "primary_color": "#7c3aed", "default_locale": "de", "enabled_locales": []string{"de", "en"},
		"domains": []string{"Support.Acme.Example"}, "footer": "Acme · 24/7"}
	if rec := b.JSON(t, "PATCH", "/api/v1/admin/settings", body, &got); rec.Code != 200 || got.Name != "Acme IT" || strings.Join(got.Domains, ",") != "support.acme.example" {
		t.Fatalf("patch: %d %+v", rec.Code, got)
	}
	t.Run("the portal shows it on the next request", func(t *testing.T) {
		doc := testkit.HTML(t, w.app.Get(t, "support.acme.example", "/", nil))
		if doc.Find(".brand-name").Text() != "Acme IT" || doc.Find("html").AttrOr("lang", "") != "de" || doc.Find(".footer-text").Text() != "Acme · 24/7" {
			t.Errorf("brand %q lang %q", doc.Find(".brand-name").Text(), doc.Find("html").AttrOr("lang", ""))
		}
		if css := w.app.Get(t, "acme.localhost", "/branding/theme.css", nil).Body.String(); !strings.Contains(css, "--brand:#7c3aed") {
			t.Errorf("theme %q", css)
		}
		if rec := w.app.Get(t, "help.globex.example", "/", nil); !strings.Contains(rec.Body.String(), "Tenant globex") {
			t.Error("globex's domain changed hands")
		}
	})
	t.Run("logo", func(t *testing.T) {
		png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{1}, 64)...)
		if rec := b.Do(t, "PUT", "/api/v1/admin/settings/logo", bytes.NewReader(png), http.Header{"Content-Type": {"image/png"}}); rec.Code != http.StatusNoContent {
			t.Fatalf("put logo: %d %s", rec.Code, rec.Body)
		}
		rec := w.app.Get(t, "acme.localhost", "/branding/logo", nil)
		if rec.Header().Get("Content-Type") != "image/png" || !bytes.Equal(rec.Body.Bytes(), png) {
			t.Errorf("logo served as %q", rec.Header().Get("Content-Type"))
		}
		if rec := b.Do(t, "PUT", "/api/v1/admin/settings/favicon", strings.NewReader("<html><script>alert(1)</script>"), nil); rec.Code != 422 {
			t.Errorf("HTML as favicon: %d", rec.Code)
		}
		if rec := b.Do(t, "PUT", "/api/v1/admin/settings/logo", bytes.NewReader(bytes.Repeat([]byte{0x89}, 1<<20+2)), nil); rec.Code != 413 && rec.Code != 422 {
			t.Errorf("2 MB logo: %d", rec.Code)
		}
		if rec := w.app.Get(t, "globex.localhost", "/branding/logo", nil); rec.Header().Get("Content-Type") != "image/svg+xml" {
			t.Error("globex got acme's logo")
		}
	})
}

// TestSettings_PortalHoursAndTypes: the settings SPEC adds — kb_public,
// time_zone, service_hours, ticket_type_descriptions — through the API,
// checked by the domain, and a type removed takes its descriptions along.
func TestSettings_PortalHoursAndTypes(t *testing.T) {
	w := newWorld(t)
	b := w.api(t, "acme.localhost", w.adminToken)
	hours := map[string]any{
		"week":                   map[string]any{"mon": []map[string]string{{"from": "09:00", "to": "17:00"}}},
		"holidays":               []string{"2026-12-25", "01-01"},
		"first_response_minutes": map[string]int{"urgent": 60, "normal": 480},
	}
	body := map[string]any{"kb_public": true, "time_zone": "Europe/Paris", "service_hours": hours,
		"ticket_types":             []string{"incident", "data_reports"},
		"ticket_type_descriptions": map[string]any{"data_reports": map[string]string{"en": "Wrong figures, reports that do not load", "fr": "Chiffres faux"}}}
	var got svcportal.Tenant
	if rec := b.JSON(t, "PATCH", "/api/v1/admin/settings", body, &got); rec.Code != http.StatusOK {
		t.Fatalf("patch: %d %s", rec.Code, rec.Body)
	}
	if !got.KBPublic || got.TimeZone != "Europe/Paris" || got.ServiceHours.FirstResponse["urgent"] != 60 ||
		got.ServiceHours.Week["mon"][0].To != "17:00" || got.TicketTypeDescriptions["data_reports"]["fr"] != "Chiffres faux" {
		t.Errorf("patched: %+v", got)
	}
	var again map[string]any
	b.JSON(t, "GET", "/api/v1/admin/settings", nil, &again)
	for _, key := range []string{"kb_public", "time_zone", "service_hours", "ticket_type_descriptions"} {
		if _, ok := again[key]; !ok {
			t.Errorf("GET /settings lacks %q", key)
		}
	}

	bad := []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"time zone", map[string]any{"time_zone": "Mars/Olympus"}, "time_zone"},
		{"hours", map[string]any{"service_hours": map[string]any{"week": map[string]any{"tue": []map[string]string{{"from": "18:00", "to": "09:00"}}}}}, "service_hours.week.tue"},
		{"holiday", map[string]any{"service_hours": map[string]any{"holidays": []string{"2026-13-01"}}}, "service_hours.holidays"},
		{"description of no type", map[string]any{"ticket_type_descriptions": map[string]any{"nope": map[string]string{"en": "x"}}}, "ticket_type_descriptions.nope"},
		{"description too long", map[string]any{"ticket_type_descriptions": map[string]any{"incident": map[string]string{"en": strings.Repeat("x", 301)}}}, "ticket_type_descriptions.incident"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			var e web.APIError
			if rec := b.JSON(t, "PATCH", "/api/v1/admin/settings", tt.body, &e); rec.Code != 422 || e.Error.Fields[tt.field] == "" {
				t.Errorf("got %d %+v, want 422 on %s", rec.Code, e, tt.field)
			}
		})
	}

	var fewer svcportal.Tenant
	if rec := b.JSON(t, "PATCH", "/api/v1/admin/settings", map[string]any{"ticket_types": []string{"incident"}}, &fewer); rec.Code != http.StatusOK {
		t.Fatalf("types: %d %s", rec.Code, rec.Body)
	}
	if _, left := fewer.TicketTypeDescriptions["data_reports"]; left {
		t.Errorf("a removed type kept its descriptions: %v", fewer.TicketTypeDescriptions)
	}
	if rec := w.api(t, "acme.localhost", w.agentToken).JSON(t, "PATCH", "/api/v1/admin/settings", map[string]any{"kb_public": false}, nil); rec.Code != http.StatusForbidden {
		t.Errorf("agent: %d, want 403", rec.Code)
	}
	var g svcportal.Tenant
	w.api(t, "globex.localhost", w.globexToken).JSON(t, "GET", "/api/v1/admin/settings", nil, &g)
	if g.KBPublic || g.TimeZone != "UTC" {
		t.Errorf("globex got acme's settings: %v %q", g.KBPublic, g.TimeZone)
	}
}
