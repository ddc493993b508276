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
