package admin_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

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

// TestSitePages_SSO: the site page sets the site's own provider — shown
// to admins only, validated with the errors beside their fields, the
// secret kept when left empty, a domain of another site refused, the
// redirect URI to register shown, removed — and agents can neither see
// nor post it.
func TestSitePages_SSO(t *testing.T) {
	d := newDesk(t)
	path := fmt.Sprintf("/admin/sites/%d", d.initech.ID)
	d.admin.Header.Set("Accept-Language", "fr")

	_, doc := d.admin.Page(t, path)
	if doc.Find("form[data-testid=site-sso-form]").Length() != 1 ||
		strings.TrimSpace(doc.Find("[data-testid=site-sso-state]").Text()) != "Ce site n’a pas de fournisseur propre : ses contacts se connectent avec un mot de passe ou le fournisseur du portail." {
		t.Fatalf("no provider form, or a wrong state: %q", doc.Find("[data-testid=site-sso-state]").Text())
	}
	if got := doc.Find("[data-testid=site-sso-redirect]").Text(); got != "URI de redirection à enregistrer auprès du fournisseur : http://acme.localhost/login/sso/callback" {
		t.Errorf("redirect hint: %q", got)
	}
	if _, doc := d.agent.Page(t, path); doc.Find("form[data-testid=site-sso-form]").Length() != 0 {
		t.Error("an agent sees the provider form")
	}

	save := func(b *testkit.Browser, v url.Values) (*httptest.ResponseRecorder, *goquery.Document) {
		t.Helper()
		v.Set("action", "save")
		return b.SubmitPage(t, path+"/sso", v)
	}
	rec, doc := save(d.admin, url.Values{"issuer": {"ftp://idp"}, "label": {"Initech"}, "client_id": {"portal"}, "domains": {"initech.test, not a domain"}})
	if rec.Code != http.StatusUnprocessableEntity || doc.Find("[data-testid=error-summary] a[href='#f-issuer']").Length() != 1 ||
		doc.Find("#f-domains-error").Text() != "not n’est pas un domaine d’e-mail comme initech.com." || doc.Find("#f-label").AttrOr("value", "") != "Initech" {
		t.Errorf("invalid: %d %q", rec.Code, doc.Find("#f-domains-error").Text())
	}
	if o, _ := d.app.Accounts.SiteOIDC(d.actx, d.initech.ID); o != nil {
		t.Fatalf("saved despite errors: %+v", o)
	}

	valid := url.Values{"issuer": {"https://login.microsoftonline.com/abc/v2.0"}, "label": {"Initech Entra"}, "client_id": {"portal"},
		"client_secret": {"s3cret"}, "domains": {"Initech.test;\ninitech.example"}, "allow_create": {"on"}}
	if rec, _ := save(d.admin, valid); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != path+"?done=sso#sso" {
		t.Fatalf("save: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	valid.Del("client_secret")
	valid.Set("label", "Initech ID")
	save(d.admin, valid)
	o, err := d.app.Accounts.SiteOIDC(d.actx, d.initech.ID)
	if err != nil || o == nil || o.ClientSecret != "s3cret" || o.Label != "Initech ID" || !o.AllowCreate ||
		strings.Join(o.Domains, " ") != "initech.test initech.example" {
		t.Fatalf("saved provider: %+v %v", o, err)
	}
	_, doc = d.admin.Page(t, path+"?done=sso")
	if doc.Find("#f-domains").AttrOr("value", "") != "initech.test initech.example" || doc.Find("#f-client_secret").AttrOr("value", "") != "" ||
		doc.Find("[data-testid=site-sso-delete]").Length() != 1 || !doc.Find("#f-allow_create").Is("[checked]") {
		t.Error("the page does not show the saved provider")
	}

	other := url.Values{"issuer": {"https://accounts.google.com"}, "label": {"Umbrella"}, "client_id": {"p"}, "domains": {"umbrella.test initech.example"}}
	other.Set("action", "save")
	rec, doc = d.admin.SubmitPage(t, fmt.Sprintf("/admin/sites/%d/sso", d.umbrella.ID), other)
	if rec.Code != http.StatusConflict || doc.Find("#f-domains-error").Text() != "Un autre site authentifie déjà les adresses de initech.example." {
		t.Errorf("a domain of another site: %d %q", rec.Code, doc.Find("#f-domains-error").Text())
	}

	if rec := d.agent.Submit(t, path+"/sso", url.Values{"action": {"delete"}}); rec.Code != http.StatusForbidden {
		t.Errorf("agent: %d, want 403", rec.Code)
	}
	if rec := d.admin.Submit(t, path+"/sso", url.Values{"action": {"delete"}}); rec.Code != http.StatusSeeOther {
		t.Errorf("delete: %d", rec.Code)
	}
	if o, _ := d.app.Accounts.SiteOIDC(d.actx, d.initech.ID); o != nil {
		t.Errorf("still configured: %+v", o)
	}
}
