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
		RequireSSO *bool    `json:"require_sso"`
	}
	if rec := b.JSON(t, "GET", path, nil, &got); rec.Code != http.StatusOK || got.Configured || got.RequireSSO == nil || *got.RequireSSO {
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
		got.Issuer != "https://login.microsoftonline.com/abc/v2.0" || len(got.Domains) != 2 || got.Domains[0] != "initech.test" || *got.RequireSSO {
		t.Fatalf("put: %d %+v", rec.Code, got)
	}
	delete(valid, "client_secret")
	valid["label"] = "Initech Entra"
	valid["require_sso"] = true
	b.JSON(t, "PUT", path, valid, &got)
	if o, err := w.app.Store.SiteOIDCByDomain(w.actx, "initech.example"); err != nil || o.ClientSecret != "s3cret" || o.Label != "Initech Entra" ||
		o.SiteID != w.initech.ID || !o.RequireSSO {
		t.Errorf("by domain: %+v %v", o, err)
	}
	if rec := b.JSON(t, "GET", path, nil, &got); rec.Code != http.StatusOK || !*got.RequireSSO {
		t.Errorf("require_sso read back: %d %+v", rec.Code, got)
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
		"client_secret": {"s3cret"}, "domains": {"Initech.test;\ninitech.example"}, "allow_create": {"on"}, "require_sso": {"on"}}
	if rec, _ := save(d.admin, valid); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != path+"?done=sso#sso" {
		t.Fatalf("save: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	valid.Del("client_secret")
	valid.Set("label", "Initech ID")
	save(d.admin, valid)
	o, err := d.app.Accounts.SiteOIDC(d.actx, d.initech.ID)
	if err != nil || o == nil || o.ClientSecret != "s3cret" || o.Label != "Initech ID" || !o.AllowCreate || !o.RequireSSO ||
		strings.Join(o.Domains, " ") != "initech.test initech.example" {
		t.Fatalf("saved provider: %+v %v", o, err)
	}
	_, doc = d.admin.Page(t, path+"?done=sso")
	if doc.Find("#f-domains").AttrOr("value", "") != "initech.test initech.example" || doc.Find("#f-client_secret").AttrOr("value", "") != "" ||
		doc.Find("[data-testid=site-sso-delete]").Length() != 1 || !doc.Find("#f-allow_create").Is("[checked]") || !doc.Find("#f-require_sso").Is("[checked]") {
		t.Error("the page does not show the saved provider")
	}
	if got := strings.TrimSpace(doc.Find("[data-testid=site-sso-state]").Text()); got != "Les contacts dont l’adresse e-mail appartient à ces domaines doivent se connecter avec le fournisseur propre de ce site : les mots de passe sont refusés." {
		t.Errorf("state with single sign-on required: %q", got)
	}
	if hint := doc.Find("#" + doc.Find("#f-require_sso").AttrOr("aria-describedby", "")); !strings.HasPrefix(hint.Text(), "Les contacts dont l’adresse e-mail appartient à ces domaines ne peuvent alors plus") {
		t.Errorf("require_sso hint: %q", hint.Text())
	}
	// Unticked, single sign-on is optional again.
	valid.Del("require_sso")
	save(d.admin, valid)
	if o, _ := d.app.Accounts.SiteOIDC(d.actx, d.initech.ID); o == nil || o.RequireSSO {
		t.Errorf("require_sso kept after unticking: %+v", o)
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

// TestContactPages_Identities: a contact's page lists the accounts at
// sign-in providers linked to them — the provider's label while it is
// configured with the identity's issuer, else the issuer; Entra's
// directory and object ids or the subject, shortened — and an admin
// unlinks one: it is gone, the contact's sessions end, the unlinking is
// audited. Agents see the list but can neither see nor post the button;
// an identity of another contact is not found through this one.
func TestContactPages_Identities(t *testing.T) {
	d := newDesk(t)
	ctx, st := d.actx, d.app.Store
	peter, err := st.ContactByEmail(ctx, "peter@initech.test")
	if err != nil {
		t.Fatal(err)
	}
	alice, err := st.ContactByEmail(ctx, "alice@umbrella.test")
	if err != nil {
		t.Fatal(err)
	}
	const issuer, tid = "https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0", "9188040d-6c67-4c5b-b112-36a304b66dad"
	if _, err := d.app.Accounts.PutSiteOIDC(ctx, d.initech.ID, svcportal.SiteOIDCChange{Issuer: issuer, ClientID: "portal", Label: "Initech Entra",
		Domains: []string{"initech.test"}}); err != nil {
		t.Fatal(err)
	}
	link := func(c *svcportal.Contact, id svcportal.ContactIdentity) int64 {
		t.Helper()
		l := &svcportal.IdentityLink{ContactID: c.ID, Identity: id}
		if _, err := st.LinkIdentity(ctx, l); err != nil {
			t.Fatal(err)
		}
		return l.Identity.ID
	}
	entra := link(peter, svcportal.ContactIdentity{SiteID: d.initech.ID, Email: "peter@initech.test",
		IdentityKey: svcportal.IdentityKey{Issuer: issuer, Subject: "app-sub", TID: tid, OID: "00000000-0000-0000-0000-00000000beef"}})
	old := link(peter, svcportal.ContactIdentity{Email: "peter.g@old.example", IdentityKey: svcportal.IdentityKey{Issuer: "https://old.example", Subject: "peter"}})
	alices := link(alice, svcportal.ContactIdentity{Email: "alice@umbrella.test", IdentityKey: svcportal.IdentityKey{Issuer: "https://old.example", Subject: "alice"}})

	path := fmt.Sprintf("/admin/contacts/%d", peter.ID)
	d.admin.Header.Set("Accept-Language", "fr")
	rows := func(doc *goquery.Document) []string {
		var out []string
		doc.Find("table[data-testid=identities] tbody tr").Each(func(_ int, tr *goquery.Selection) {
			out = append(out, strings.Join(texts(tr.Find("td[data-testid^=identity-]")), " | "))
		})
		return out
	}
	_, doc := d.admin.Page(t, path)
	want := []string{"Initech Entra | Annuaire 9188040d…6dad · objet 00000000…beef", "https://old.example | Sujet peter"}
	if got := rows(doc); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("identities: got %q, want %q", got, want)
	}
	if got := doc.Find("tr[data-identity] span[title]").First().AttrOr("title", ""); got != tid+" / 00000000-0000-0000-0000-00000000beef" {
		t.Errorf("full key: %q", got)
	}
	if got := doc.Find("button[data-testid=unlink]").First().AttrOr("aria-label", ""); got != "Délier Initech Entra" {
		t.Errorf("unlink button's name: %q", got)
	}
	_, doc = d.agent.Page(t, path)
	if len(rows(doc)) != 2 || doc.Find("button[data-testid=unlink]").Length() != 0 {
		t.Errorf("agent: %d rows, %d buttons; want the list without buttons", len(rows(doc)), doc.Find("button[data-testid=unlink]").Length())
	}
	unlink := func(b *testkit.Browser, contact, identity int64) *httptest.ResponseRecorder {
		return b.Submit(t, fmt.Sprintf("/admin/contacts/%d/identities/%d/unlink", contact, identity), url.Values{})
	}
	if rec := unlink(d.agent, peter.ID, entra); rec.Code != http.StatusForbidden {
		t.Errorf("agent: got %d, want 403", rec.Code)
	}
	if rec := unlink(d.admin, peter.ID, alices); rec.Code != http.StatusNotFound {
		t.Errorf("another contact's identity: got %d, want 404", rec.Code)
	}
	if rec := d.peter.JSON(t, "GET", "/api/v1/me", nil, nil); rec.Code != http.StatusOK {
		t.Fatalf("peter is not signed in: %d", rec.Code)
	}

	rec := unlink(d.admin, peter.ID, entra)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != path+"?done=unlinked#identities" {
		t.Fatalf("unlink: %d %q", rec.Code, rec.Header().Get("Location"))
	}
	_, doc = d.admin.Page(t, path+"?done=unlinked")
	if got := rows(doc); len(got) != 1 || got[0] != want[1] {
		t.Errorf("after unlinking: %q", got)
	}
	if got := doc.Find("[role=status]").Text(); got != "Le compte de connexion a été délié de peter@initech.test ; ses sessions ont pris fin." {
		t.Errorf("notice: %q", got)
	}
	if _, err := st.ContactIdentity(ctx, svcportal.IdentityKey{Issuer: issuer, TID: tid, OID: "00000000-0000-0000-0000-00000000beef"}); svcportal.KindOf(err) != svcportal.KindNotFound {
		t.Errorf("identity still linked: %v", err)
	}
	if rec := d.peter.JSON(t, "GET", "/api/v1/me", nil, nil); rec.Code != http.StatusUnauthorized {
		t.Errorf("peter's session after the unlinking: %d, want 401", rec.Code)
	}
	entries, _, err := d.app.Accounts.AuditEntries(ctx, svcportal.AuditFilter{Action: svcportal.AuditSSOUnlinked})
	if err != nil || len(entries) != 1 || entries[0].Email != "peter@initech.test" || entries[0].ActorKind != svcportal.PrincipalStaff ||
		entries[0].ActorID != d.adminID || entries[0].Detail != issuer+" (tid "+tid+", oid 00000000-0000-0000-0000-00000000beef)" {
		t.Errorf("audit: %+v %v", entries, err)
	}
	if rec := unlink(d.admin, peter.ID, entra); rec.Code != http.StatusNotFound {
		t.Errorf("unlinked twice: got %d, want 404", rec.Code)
	}
	if rec := unlink(d.admin, peter.ID, old); rec.Code != http.StatusSeeOther {
		t.Errorf("the other: %d", rec.Code)
	}
	if _, doc := d.admin.Page(t, path); doc.Find("table[data-testid=identities]").Length() != 0 ||
		doc.Find("[data-testid=identities-none]").Text() != "Aucun compte chez un fournisseur de connexion n’est lié à ce contact." {
		t.Errorf("no identity left: %q", doc.Find("#identities").Text())
	}
}
