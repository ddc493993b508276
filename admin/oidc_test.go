package admin_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/svcportal/svcportal/web"
)

// oidcJSON is the admin API's view of the provider settings.
type oidcJSON struct {
	Configured   bool   `json:"configured"`
	Issuer       string `json:"issuer"`
	ClientID     string `json:"client_id"`
	SecretSet    bool   `json:"client_secret_set"`
	Label        string `json:"label"`
	AllowCreate  bool   `json:"allow_create"`
	CreateSiteID int64  `json:"create_site_id"`
}

func TestOIDCSettings(t *testing.T) {
	w := newWorld(t)
	b := w.api(t, "acme.localhost", w.adminToken)
	const path = "/api/v1/admin/settings/oidc"

	var got oidcJSON
	if rec := b.JSON(t, "GET", path, nil, &got); rec.Code != http.StatusOK || got.Configured {
		t.Fatalf("get before any: %d %+v", rec.Code, got)
	}
	if rec := w.api(t, "acme.localhost", w.agentToken).JSON(t, "GET", path, nil, nil); rec.Code != http.StatusForbidden {
		t.Errorf("agent reads the settings: got %d, want 403", rec.Code)
	}

	body := map[string]any{"issuer": "https://login.initech.example/", "client_id": " portal ", "client_secret": "s3cret",
		"label": "Initech ID", "allow_create": true, "create_site_id": w.initech.ID}
	rec := b.JSON(t, "PUT", path, body, &got)
	if rec.Code != http.StatusOK || !got.Configured || got.Issuer != "https://login.initech.example" || got.ClientID != "portal" ||
		!got.SecretSet || got.Label != "Initech ID" || !got.AllowCreate || got.CreateSiteID != w.initech.ID {
		t.Fatalf("put: %d %+v", rec.Code, got)
	}
	if strings.Contains(rec.Body.String(), "s3cret") {
		t.Errorf("the secret came back: %s", rec.Body)
	}

	t.Run("an absent secret keeps the stored one", func(t *testing.T) {
		delete(body, "client_secret")
		body["label"] = "Initech SSO"
		if rec := b.JSON(t, "PUT", path, body, &got); rec.Code != http.StatusOK || !got.SecretSet || got.Label != "Initech SSO" {
			t.Fatalf("put: %d %+v", rec.Code, got)
		}
		o, err := w.app.Store.TenantOIDC(w.actx)
		if err != nil || o.ClientSecret != "s3cret" {
			t.Errorf("stored secret: got %+v, %v", o, err)
		}
		rec := b.Get(t, path)
		if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), "s3cret") {
			t.Errorf("get: %d %s", rec.Code, rec.Body)
		}
	})

	t.Run("another tenant sees none of it", func(t *testing.T) {
		var g oidcJSON
		if rec := w.api(t, "globex.localhost", w.globexToken).JSON(t, "GET", path, nil, &g); rec.Code != http.StatusOK || g.Configured {
			t.Errorf("globex: %d %+v", rec.Code, g)
		}
	})

	bad := []struct {
		name  string
		body  map[string]any
		code  int
		field string
	}{
		{"plain http issuer", map[string]any{"issuer": "http://login.initech.example", "client_id": "p", "label": "X"}, 422, "issuer"},
		{"not a URL", map[string]any{"issuer": "login.initech.example", "client_id": "p", "label": "X"}, 422, "issuer"},
		{"no client id", map[string]any{"issuer": "https://id.example", "label": "X"}, 422, "client_id"},
		{"no label", map[string]any{"issuer": "https://id.example", "client_id": "p"}, 422, "label"},
		{"creation without a site", map[string]any{"issuer": "https://id.example", "client_id": "p", "label": "X", "allow_create": true}, 422, "create_site_id"},
		{"site of another tenant", map[string]any{"issuer": "https://id.example", "client_id": "p", "label": "X", "allow_create": true, "create_site_id": w.hooli.ID}, 404, "create_site_id"},
		{"unknown setting", map[string]any{"issuer": "https://id.example", "client_id": "p", "label": "X", "tenant_id": 2}, 400, "tenant_id"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			var e web.APIError
			if rec := b.JSON(t, "PUT", path, tt.body, &e); rec.Code != tt.code || e.Error.Fields[tt.field] == "" {
				t.Errorf("got %d %+v, want %d on %s", rec.Code, e, tt.code, tt.field)
			}
		})
	}

	t.Run("local http issuer for tests, then delete", func(t *testing.T) {
		body := map[string]any{"issuer": "http://127.0.0.1:5556", "client_id": "p", "label": "Dev"}
		if rec := b.JSON(t, "PUT", path, body, &got); rec.Code != http.StatusOK || got.Issuer != "http://127.0.0.1:5556" {
			t.Fatalf("put: %d %+v", rec.Code, got)
		}
		if rec := b.Do(t, "DELETE", path, nil, nil); rec.Code != http.StatusNoContent {
			t.Fatalf("delete: %d", rec.Code)
		}
		if rec := b.JSON(t, "GET", path, nil, &got); rec.Code != http.StatusOK || got.Configured {
			t.Errorf("after delete: %d %+v", rec.Code, got)
		}
	})
}
