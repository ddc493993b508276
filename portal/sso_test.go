package portal_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/portal"
	"github.com/svcportal/svcportal/testkit"
)

// ssoWorld is two tenants, acme and globex, each with its own client at
// one real OpenID provider, and the provider's users.
type ssoWorld struct {
	app      *testkit.App
	op       *testkit.OIDCProvider
	actx     context.Context
	gctx     context.Context
	site     *svcportal.Site
	ann      *svcportal.Contact
	disabled *svcportal.Contact
}

func newSSOWorld(t *testing.T) *ssoWorld {
	t.Helper()
	w := &ssoWorld{app: testkit.NewApp(t), op: testkit.NewOIDCProvider(t)}
	w.actx, _ = testkit.Tenant(t, w.app.Store, "acme")
	w.site = testkit.Site(w.actx, t, w.app.Store, "Initech")
	w.ann = testkit.Contact(w.actx, t, w.app.Store, "ann@initech.test", w.site, svcportal.RoleSiteManager)
	w.disabled = testkit.Contact(w.actx, t, w.app.Store, "gone@initech.test", w.site, svcportal.RoleMember)
	w.disabled.Disabled = true
	if err := w.app.Store.UpdateContact(w.actx, w.disabled); err != nil {
		t.Fatal(err)
	}
	testkit.Contact(w.actx, t, w.app.Store, "unverified@initech.test", w.site, svcportal.RoleMember)

	w.gctx, _ = testkit.Tenant(t, w.app.Store, "globex")
	testkit.Contact(w.gctx, t, w.app.Store, "ann@initech.test", testkit.Site(w.gctx, t, w.app.Store, "Hooli"), svcportal.RoleMember)

	// acme's client gets the claims in the ID token, globex's from the
	// userinfo endpoint: both ways providers work.
	w.op.AddClient("portal-acme", "http://acme.localhost/login/sso/callback", true)
	w.op.AddClient("portal-globex", "http://globex.localhost/login/sso/callback", false)
	w.op.AddUser("ann", "Ann@Initech.test", true)
	w.op.AddUser("gone", "gone@initech.test", true)
	w.op.AddUser("newbie", "newbie@initech.test", true)
	w.op.AddUser("unverified", "unverified@initech.test", false)

	w.putOIDC(t, w.actx, &svcportal.TenantOIDC{Issuer: w.op.Issuer, ClientID: "portal-acme", ClientSecret: w.op.Secret, Label: "Initech ID"})
	w.putOIDC(t, w.gctx, &svcportal.TenantOIDC{Issuer: w.op.Issuer, ClientID: "portal-globex", ClientSecret: w.op.Secret, Label: "Hooli ID"})
	return w
}

func (w *ssoWorld) putOIDC(t *testing.T, ctx context.Context, o *svcportal.TenantOIDC) {
	t.Helper()
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := w.app.Store.PutTenantOIDC(ctx, o); err != nil {
		t.Fatal(err)
	}
}

// startSSO follows the login page's button and returns the provider's
// authorization address.
func startSSO(t *testing.T, b *testkit.Browser, next string) *url.URL {
	t.Helper()
	rec := b.Get(t, "/login/sso?next="+url.QueryEscape(next))
	if rec.Code != http.StatusFound {
		t.Fatalf("GET /login/sso: got %d, want 302: %s", rec.Code, rec.Body)
	}
	u, err := url.Parse(rec.Header().Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if b.Cookie(portal.SSOCookie) == "" {
		t.Fatal("no state cookie")
	}
	return u
}

// callback delivers the provider's redirect to the portal host of b.
func callback(t *testing.T, b *testkit.Browser, back *url.URL) *http.Response {
	t.Helper()
	if back.Host != b.Host || back.Path != "/login/sso/callback" {
		t.Fatalf("provider sent the browser to %s, want %s/login/sso/callback", back, b.Host)
	}
	return b.Get(t, back.RequestURI()).Result()
}

// refused checks that a callback answer is the login page with a
// localised alert and no session.
func refused(t *testing.T, b *testkit.Browser, res *http.Response, wantAlert string) {
	t.Helper()
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("got status %d, want 400", res.StatusCode)
	}
	doc, err := goquery.NewDocumentFromReader(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(doc.Find("[role=alert]").Text()); got != wantAlert {
		t.Errorf("alert: got %q, want %q", got, wantAlert)
	}
	if b.Cookie(portal.SessionCookie) != "" {
		t.Error("a session cookie was set")
	}
}

func auditDetails(t *testing.T, app *testkit.App, ctx context.Context, action string) []string {
	t.Helper()
	log, err := app.Store.AuditLog(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range log {
		if e.Action == action {
			out = append(out, e.Email+" "+e.Detail)
		}
	}
	return out
}

func TestSSO_LoginPageButton(t *testing.T) {
	w := newSSOWorld(t)
	b := w.app.NewBrowser("acme.localhost")
	b.Header.Set("Accept-Language", "fr")
	_, doc := b.Page(t, "/login?next=/tickets")
	a := doc.Find("a[data-testid=sso-login]")
	if got := strings.TrimSpace(a.Text()); got != "Se connecter avec Initech ID" {
		t.Errorf("button text: got %q", got)
	}
	if href, _ := a.Attr("href"); href != "/login/sso?next=%2Ftickets" {
		t.Errorf("button href: got %q", href)
	}

	if err := w.app.Store.DeleteTenantOIDC(w.actx); err != nil {
		t.Fatal(err)
	}
	_, doc = b.Page(t, "/login")
	if n := doc.Find("a[data-testid=sso-login]").Length(); n != 0 {
		t.Errorf("button shown without a provider")
	}
	res := b.Get(t, "/login/sso").Result()
	refused(t, b, res, "L’authentification unique n’est pas configurée pour ce portail.")
}

func TestSSO_EndToEnd(t *testing.T) {
	w := newSSOWorld(t)

	t.Run("known verified email signs in", func(t *testing.T) {
		b := w.app.NewBrowser("acme.localhost")
		auth := startSSO(t, b, "/tickets")
		q := auth.Query()
		if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("nonce") == "" || q.Get("state") == "" {
			t.Errorf("authorization request lacks PKCE, nonce or state: %s", auth)
		}
		if q.Get("redirect_uri") != "http://acme.localhost/login/sso/callback" {
			t.Errorf("redirect_uri: got %q", q.Get("redirect_uri"))
		}
		res := callback(t, b, w.op.Authorize(t, auth.String(), "ann"))
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/tickets" {
			t.Fatalf("got %d to %q, want 303 to /tickets", res.StatusCode, res.Header.Get("Location"))
		}
		if b.Cookie(portal.SSOCookie) != "" {
			t.Error("state cookie kept after the callback")
		}
		rec := b.Get(t, "/api/v1/me")
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"email":"ann@initech.test"`) {
			t.Fatalf("GET /api/v1/me: got %d %s", rec.Code, rec.Body)
		}
		if got := auditDetails(t, w.app, w.actx, svcportal.AuditLogin); len(got) != 1 || got[0] != "ann@initech.test sso" {
			t.Errorf("login audit: got %q", got)
		}
	})

	t.Run("claims from userinfo on another tenant, same email, its own contact", func(t *testing.T) {
		b := w.app.NewBrowser("globex.localhost")
		res := callback(t, b, w.op.Authorize(t, startSSO(t, b, "/").String(), "ann"))
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("got %d", res.StatusCode)
		}
		rec := b.Get(t, "/api/v1/me")
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"site_name":"Hooli"`) {
			t.Fatalf("GET /api/v1/me: got %d %s, want globex's contact", rec.Code, rec.Body)
		}
	})

	t.Run("unknown email refused, then created when allowed", func(t *testing.T) {
		b := w.app.NewBrowser("acme.localhost")
		b.Header.Set("Accept-Language", "de")
		res := callback(t, b, w.op.Authorize(t, startSSO(t, b, "/").String(), "newbie"))
		refused(t, b, res, "Für newbie@initech.test gibt es kein Konto in diesem Portal. Bitten Sie Ihren Administrator, Sie einzuladen.")
		if _, err := w.app.Store.ContactByEmail(w.actx, "newbie@initech.test"); svcportal.KindOf(err) != svcportal.KindNotFound {
			t.Fatalf("contact created without allow_create: %v", err)
		}

		w.putOIDC(t, w.actx, &svcportal.TenantOIDC{Issuer: w.op.Issuer, ClientID: "portal-acme", ClientSecret: w.op.Secret,
			Label: "Initech ID", AllowCreate: true, CreateSiteID: w.site.ID})
		res = callback(t, b, w.op.Authorize(t, startSSO(t, b, "/").String(), "newbie"))
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("got %d, want 303", res.StatusCode)
		}
		c, err := w.app.Store.ContactByEmail(w.actx, "newbie@initech.test")
		if err != nil {
			t.Fatal(err)
		}
		if c.Locale != "de" || c.FirstName != "Ada" || c.LastName != "Lovelace" || c.PasswordHash != "" || c.MustChangePassword ||
			len(c.Memberships) != 1 || c.Memberships[0].SiteID != w.site.ID || c.Memberships[0].Role != svcportal.RoleMember {
			t.Errorf("created contact: got %+v", c)
		}
		if rec := b.Get(t, "/api/v1/me"); rec.Code != http.StatusOK {
			t.Errorf("GET /api/v1/me after creation: got %d", rec.Code)
		}
		// No password was set: the password form does not let anyone in.
		pb := w.app.NewBrowser("acme.localhost")
		if res := signIn(t, pb, "newbie@initech.test", ""); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("password login of an SSO-created contact: got %d", res.StatusCode)
		}
	})

	t.Run("unverified email refused", func(t *testing.T) {
		b := w.app.NewBrowser("acme.localhost")
		res := callback(t, b, w.op.Authorize(t, startSSO(t, b, "/").String(), "unverified"))
		refused(t, b, res, "Your identity provider has not verified your email address, so it cannot be used to sign in here.")
	})

	t.Run("disabled contact refused", func(t *testing.T) {
		b := w.app.NewBrowser("acme.localhost")
		res := callback(t, b, w.op.Authorize(t, startSSO(t, b, "/").String(), "gone"))
		refused(t, b, res, "This account is disabled. Contact your administrator.")
	})

	t.Run("wrong or missing state refused", func(t *testing.T) {
		b := w.app.NewBrowser("acme.localhost")
		back := w.op.Authorize(t, startSSO(t, b, "/").String(), "ann")
		kept := b.Cookie(portal.SSOCookie)
		q := back.Query()
		q.Set("state", "forged")
		wrong := *back
		wrong.RawQuery = q.Encode()
		refused(t, b, callback(t, b, &wrong), "Single sign-on did not succeed. Please try again.")

		// The same callback without the state cookie (lost, or another browser).
		refused(t, b, callback(t, b, back), "Single sign-on did not succeed. Please try again.")

		// And without a state parameter.
		b.SetCookie(portal.SSOCookie, kept)
		q.Del("state")
		wrong.RawQuery = q.Encode()
		refused(t, b, callback(t, b, &wrong), "Single sign-on did not succeed. Please try again.")
	})

	t.Run("tampered or expired state cookie refused", func(t *testing.T) {
		b := w.app.NewBrowser("acme.localhost")
		back := w.op.Authorize(t, startSSO(t, b, "/").String(), "ann")
		kept := b.Cookie(portal.SSOCookie)
		payload, mac, _ := strings.Cut(kept, ".")
		b.SetCookie(portal.SSOCookie, payload+"."+strings.Repeat("A", len(mac)))
		refused(t, b, callback(t, b, back), "Single sign-on did not succeed. Please try again.")

		back = w.op.Authorize(t, startSSO(t, b, "/").String(), "ann")
		w.app.Clock.Advance(11 * time.Minute)
		refused(t, b, callback(t, b, back), "Single sign-on did not succeed. Please try again.")
	})

	t.Run("replayed callback refused", func(t *testing.T) {
		b := w.app.NewBrowser("acme.localhost")
		back := w.op.Authorize(t, startSSO(t, b, "/").String(), "ann")
		kept := b.Cookie(portal.SSOCookie)
		if res := callback(t, b, back); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("first callback: got %d", res.StatusCode)
		}
		// An attacker with the same cookie and the same code: the code is
		// spent at the provider.
		eve := w.app.NewBrowser("acme.localhost")
		eve.SetCookie(portal.SSOCookie, kept)
		refused(t, eve, callback(t, eve, back), "Single sign-on did not succeed. Please try again.")
	})

	t.Run("state cookie of another tenant refused", func(t *testing.T) {
		a := w.app.NewBrowser("acme.localhost")
		back := w.op.Authorize(t, startSSO(t, a, "/").String(), "ann")
		g := w.app.NewBrowser("globex.localhost")
		g.SetCookie(portal.SSOCookie, a.Cookie(portal.SSOCookie))
		onGlobex := *back
		onGlobex.Host = "globex.localhost"
		refused(t, g, callback(t, g, &onGlobex), "Single sign-on did not succeed. Please try again.")
		if got := auditDetails(t, w.app, w.gctx, svcportal.AuditLoginFailed); len(got) != 1 || !strings.HasPrefix(got[0], " sso: state cookie of tenant") {
			t.Errorf("globex audit: got %q", got)
		}
	})

	t.Run("provider error refused", func(t *testing.T) {
		b := w.app.NewBrowser("acme.localhost")
		auth := startSSO(t, b, "/")
		back, _ := url.Parse("http://acme.localhost/login/sso/callback?error=access_denied&state=" + url.QueryEscape(auth.Query().Get("state")))
		refused(t, b, callback(t, b, back), "Single sign-on did not succeed. Please try again.")
	})

	t.Run("every refusal is audited", func(t *testing.T) {
		got := strings.Join(auditDetails(t, w.app, w.actx, svcportal.AuditLoginFailed), "\n")
		for _, want := range []string{"newbie@initech.test sso: unknown email", "unverified@initech.test sso: email not verified",
			"gone@initech.test sso: account disabled", " sso: state mismatch", " sso: code exchange", " sso: bad state cookie signature", " sso: state cookie expired", " sso: provider error: access_denied"} {
			if !strings.Contains(got, want) {
				t.Errorf("audit log lacks %q:\n%s", want, got)
			}
		}
	})
}
