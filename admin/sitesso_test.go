package admin_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/testkit"
	"github.com/svcportal/svcportal/web"
)

// TestSiteOIDC: a site's own provider through the admin API — validated
// (issuer, domains), its secret never shown and kept when not sent, a
// domain claimed by one site only (checked in the write's transaction),
// found by domain, removed; agents and other tenants get nothing.
func TestSiteOIDC(t *testing.T) {
	w := newWorld(t)
	b := w.api(t, "acme.localhost", w.adminToken)
	umbrella := testkit.Site(w.actx, t, w.app.Store, "Umbrella")
	path := fmt.Sprintf("/api/v1/admin/sites/%d/oidc", w.initech.ID)
	valid := map[string]any{"issuer": "https://login.microsoftonline.com/abc/v2.0/", "client_id": "portal", "client_secret": "s3cret",
		"label": "Initech", "domains": []string{"@Initech.test", "initech.example"}, "allow_create": true}

	var got struct {
		Configured bool     `json:"configured"`
		Issuer     string   `json:"issuer"`
		SecretSet  bool     `json:"client_secret_set"`
		Domains    []string `json:"domains"`
		Secret     *string  `json:"client_secret"`
	}
	if rec := b.JSON(t, "GET", path, nil, &got); rec.Code != http.StatusOK || got.Configured {
		t.Fatalf("none yet: %d %+v", rec.Code, got)
	}
	for name, body := range map[string]map[string]any{
		"bad issuer": {"issuer": "ftp://x", "client_id": "p", "label": "L", "domains": []string{"a.test"}},
		"bad domain": {"issuer": "https://id.test", "client_id": "p", "label": "L", "domains": []string{"not a domain"}},
		"no domain":  {"issuer": "https://id.test", "client_id": "p", "label": "L", "domains": []string{}},
	} {
		if rec := b.JSON(t, "PUT", path, body, nil); rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("%s: got %d, want 422", name, rec.Code)
		}
	}
	if rec := b.JSON(t, "PUT", path, valid, &got); rec.Code != http.StatusOK || !got.SecretSet || got.Secret != nil ||
		got.Issuer != "https://login.microsoftonline.com/abc/v2.0" || len(got.Domains) != 2 || got.Domains[0] != "initech.test" {
		t.Fatalf("put: %d %+v", rec.Code, got)
	}
	delete(valid, "client_secret")
	valid["label"] = "Initech Entra"
	b.JSON(t, "PUT", path, valid, &got)
	if o, err := w.app.Store.SiteOIDCByDomain(w.actx, "initech.example"); err != nil || o.ClientSecret != "s3cret" || o.Label != "Initech Entra" || o.SiteID != w.initech.ID {
		t.Errorf("by domain: %+v %v", o, err)
	}
	var e web.APIError
	other := map[string]any{"issuer": "https://accounts.google.com", "client_id": "p", "label": "Umbrella", "domains": []string{"umbrella.test", "initech.test"}}
	if rec := b.JSON(t, "PUT", fmt.Sprintf("/api/v1/admin/sites/%d/oidc", umbrella.ID), other, &e); rec.Code != http.StatusConflict || e.Error.Fields["domains"] == "" {
		t.Errorf("a domain of another site: %d %+v", rec.Code, e)
	}
	if rec := w.api(t, "acme.localhost", w.agentToken).JSON(t, "GET", path, nil, nil); rec.Code != http.StatusForbidden {
		t.Errorf("agent: %d", rec.Code)
	}
	globex := w.api(t, "globex.localhost", w.globexToken)
	for _, m := range []string{"GET", "PUT", "DELETE"} {
		if rec := globex.JSON(t, m, path, valid, nil); rec.Code != http.StatusNotFound {
			t.Errorf("globex %s: %d, want 404", m, rec.Code)
		}
	}
	if rec := b.JSON(t, "DELETE", path, nil, nil); rec.Code != http.StatusNoContent {
		t.Errorf("delete: %d", rec.Code)
	}
	if _, err := w.app.Store.SiteOIDCByDomain(w.actx, "initech.test"); svcportal.KindOf(err) != svcportal.KindNotFound {
		t.Errorf("after delete: %v", err)
	}
}
