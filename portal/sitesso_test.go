package portal_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/portal"
	"github.com/svcportal/svcportal/testkit"
)

// siteSSOWorld is tenant acme with two client sites on two real OpenID
// providers — Initech on a Google-like one, Umbrella on an Entra-like one
// (an issuer with a directory path, tid and oid claims, xms_edov instead
// of email_verified) — and its own provider for everyone else; and tenant
// globex, whose site Hooli claims initech.test on its own client.
type siteSSOWorld struct {
	app                     *testkit.App
	google, entra, msp      *testkit.OIDCProvider
	actx, gctx              context.Context
	initech, umbrella       *svcportal.Site
	ann, carl, bob, pat, vi *svcportal.Contact
	globexAnn               *svcportal.Contact
}

const entraTID = "9188040d-6c67-4c5b-b112-36a304b66dad"

func newSiteSSOWorld(t *testing.T) *siteSSOWorld {
	t.Helper()
	w := &siteSSOWorld{app: testkit.NewApp(t), google: testkit.NewOIDCProvider(t),
		entra: testkit.NewOIDCProvider(t, "/"+entraTID+"/v2.0"), msp: testkit.NewOIDCProvider(t)}
	w.actx, _ = testkit.Tenant(t, w.app.Store, "acme")
	w.initech = testkit.Site(w.actx, t, w.app.Store, "Initech")
	w.umbrella = testkit.Site(w.actx, t, w.app.Store, "Umbrella")
	w.ann = testkit.Contact(w.actx, t, w.app.Store, "ann@initech.test", w.initech, svcportal.RoleMember)
	w.carl = testkit.Contact(w.actx, t, w.app.Store, "carl@initech.test", w.initech, svcportal.RoleMember)
	// bob has an Initech address but belongs to Umbrella only.
	w.bob = testkit.Contact(w.actx, t, w.app.Store, "bob@initech.test", w.umbrella, svcportal.RoleMember)
	w.pat = testkit.Contact(w.actx, t, w.app.Store, "pat@umbrella.test", w.umbrella, svcportal.RoleSiteManager)
	w.vi = testkit.Contact(w.actx, t, w.app.Store, "vi@msp.test", w.umbrella, svcportal.RoleMember)

	w.gctx, _ = testkit.Tenant(t, w.app.Store, "globex")
	hooli := testkit.Site(w.gctx, t, w.app.Store, "Hooli")
	w.globexAnn = testkit.Contact(w.gctx, t, w.app.Store, "ann@initech.test", hooli, svcportal.RoleMember)

	for _, host := range []string{"acme.localhost", "globex.localhost"} {
		w.google.AddClient("portal-"+host, "http://"+host+"/login/sso/callback", true)
	}
	w.entra.AddClient("portal-umbrella", "http://acme.localhost/login/sso/callback", true)
	w.msp.AddClient("portal-msp", "http://acme.localhost/login/sso/callback", false)

	w.putSite(t, w.actx, &svcportal.SiteOIDC{SiteID: w.initech.ID, Issuer: w.google.Issuer, ClientID: "portal-acme.localhost",
		ClientSecret: w.google.Secret, Label: "Initech Google", Domains: []string{"initech.test"}})
	w.putSite(t, w.actx, &svcportal.SiteOIDC{SiteID: w.umbrella.ID, Issuer: w.entra.Issuer, ClientID: "portal-umbrella",
		ClientSecret: w.entra.Secret, Label: "Umbrella Entra", Domains: []string{"umbrella.test", "umbrella.example"}})
	w.putSite(t, w.gctx, &svcportal.SiteOIDC{SiteID: hooli.ID, Issuer: w.google.Issuer, ClientID: "portal-globex.localhost",
		ClientSecret: w.google.Secret, Label: "Hooli Google", Domains: []string{"initech.test", "hooli.test"}})
	tenantOIDC := &svcportal.TenantOIDC{Issuer: w.msp.Issuer, ClientID: "portal-msp", ClientSecret: w.msp.Secret, Label: "MSP ID"}
	if err := tenantOIDC.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := w.app.Store.PutTenantOIDC(w.actx, tenantOIDC); err != nil {
		t.Fatal(err)
	}

	w.google.AddUser("ann", "ann@initech.test", true)
	w.google.AddUser("unverified", "carl@initech.test", false)
	w.google.AddUser("intruder", "pat@umbrella.test", true)
	w.google.AddUser("bob", "bob@initech.test", true)
	w.google.AddUser("newbie", "newbie@initech.test", true)
	w.addEntraUser("pat-app1", "pat@umbrella.test", "oid-pat", map[string]any{"xms_edov": true})
	w.addEntraUser("nobody", "nobody@umbrella.test", "oid-nobody", map[string]any{"xms_edov": true})
	w.addEntraUser("guest", "pat@umbrella.test", "oid-guest", nil)
	w.msp.AddUser("vi", "vi@msp.test", true)
	w.msp.AddUser("ann-at-msp", "ann@initech.test", true)
	return w
}

// addEntraUser registers an Entra-like user: no email_verified (the
// example provider's user is unverified), tid and oid, and extra claims.
func (w *siteSSOWorld) addEntraUser(sub, email, oid string, extra map[string]any) {
	w.entra.AddUser(sub, email, false)
	claims := map[string]any{"tid": entraTID, "oid": oid}
	for k, v := range extra {
		claims[k] = v
	}
	w.entra.SetClaims(sub, claims)
}

func (w *siteSSOWorld) putSite(t *testing.T, ctx context.Context, o *svcportal.SiteOIDC) {
	t.Helper()
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := w.app.Store.PutSiteOIDC(ctx, o); err != nil {
		t.Fatal(err)
	}
}

// emailStep submits the login page's email step and returns its answer.
func emailStep(t *testing.T, b *testkit.Browser, email string) *http.Response {
	t.Helper()
	return b.Submit(t, "/login", url.Values{"step": {"email"}, "email": {email}, "next": {"/tickets"}}).Result()
}

// routed submits the email step and returns the provider address it
// sends the browser to: a link the page's script follows (a redirect
// would break the form-action policy).
func routed(t *testing.T, b *testkit.Browser, email string) *url.URL {
	t.Helper()
	res := emailStep(t, b, email)
	doc, err := goquery.NewDocumentFromReader(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	a := doc.Find("a[data-follow][data-testid=sso-continue]")
	if res.StatusCode != http.StatusOK || a.Length() != 1 || doc.Find("input[name=password]").Length() != 0 {
		t.Fatalf("email step for %s: got %d, want a page linking to a provider", email, res.StatusCode)
	}
	u, err := url.Parse(a.AttrOr("href", ""))
	if err != nil {
		t.Fatal(err)
	}
	if b.Cookie(portal.SSOCookie) == "" {
		t.Fatal("no state cookie")
	}
	return u
}

// signInAt goes through the email step and the provider as user and
// returns the portal's answer to the callback.
func (w *siteSSOWorld) signInAt(t *testing.T, b *testkit.Browser, op *testkit.OIDCProvider, email, user string) *http.Response {
	t.Helper()
	return callback(t, b, op.Authorize(t, routed(t, b, email).String(), user))
}

// me is the email and sites of the contact b is signed in as.
func me(t *testing.T, b *testkit.Browser) (string, []int64) {
	t.Helper()
	var got struct {
		Email       string                 `json:"email"`
		Memberships []svcportal.Membership `json:"sites"`
	}
	if rec := b.JSON(t, "GET", "/api/v1/me", nil, &got); rec.Code != http.StatusOK {
		t.Fatalf("GET /api/v1/me: got %d %s", rec.Code, rec.Body)
	}
	var sites []int64
	for _, m := range got.Memberships {
		sites = append(sites, m.SiteID)
	}
	slices.Sort(sites)
	return got.Email, sites
}

func signedIn(t *testing.T, res *http.Response) {
	t.Helper()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/tickets" {
		t.Fatalf("callback: got %d to %q, want 303 to /tickets", res.StatusCode, res.Header.Get("Location"))
	}
}

func TestSiteSSO_HomeRealmDiscovery(t *testing.T) {
	w := newSiteSSOWorld(t)
	b := w.app.NewBrowser("acme.localhost")
	b.Header.Set("Accept-Language", "it")

	t.Run("the login page asks for the email first", func(t *testing.T) {
		rec, doc := b.Page(t, "/login?next=/tickets")
		form := doc.Find("form[data-testid=email-step]")
		if rec.Code != http.StatusOK || form.Length() != 1 || form.Find("input[name=password]").Length() != 0 {
			t.Fatalf("got %d, email step %d, want an email step without password", rec.Code, form.Length())
		}
		if ac, _ := form.Find("input[name=email]").Attr("autocomplete"); ac != "username" {
			t.Errorf("email autocomplete: %q", ac)
		}
		if got := strings.TrimSpace(form.Find("button[type=submit]").Text()); got != "Continua" {
			t.Errorf("button: got %q", got)
		}
		if got := strings.TrimSpace(doc.Find("a[data-testid=sso-login]").Text()); got != "Accedi con MSP ID" {
			t.Errorf("the tenant provider's button: got %q", got)
		}
	})

	t.Run("a site's domain goes to its provider", func(t *testing.T) {
		for email, want := range map[string]struct {
			op     *testkit.OIDCProvider
			client string
		}{
			"Ann@Initech.test":      {w.google, "portal-acme.localhost"},
			"x@umbrella.example":    {w.entra, "portal-umbrella"},
			" nobody@UMBRELLA.test": {w.entra, "portal-umbrella"},
		} {
			u := routed(t, b, email)
			q := u.Query()
			if !strings.HasPrefix(u.String(), want.op.Issuer+"/") || q.Get("client_id") != want.client {
				t.Errorf("%s: sent to %s", email, u)
			}
			if q.Get("login_hint") != svcportal.NormalizeEmail(email) || q.Get("code_challenge_method") != "S256" || q.Get("nonce") == "" {
				t.Errorf("%s: authorization request %s", email, u)
			}
		}
	})

	t.Run("other domains go on to the password, whether an account exists or not", func(t *testing.T) {
		var pages []string
		for _, email := range []string{"vi@msp.test", "nobody@msp.test", "someone@hooli.test"} {
			res := emailStep(t, b, email)
			doc, err := goquery.NewDocumentFromReader(res.Body)
			if err != nil {
				t.Fatal(err)
			}
			if res.StatusCode != http.StatusOK || doc.Find("input[name=password]").Length() != 1 {
				t.Fatalf("%s: got %d, want the password step", email, res.StatusCode)
			}
			if v, _ := doc.Find("input[name=email]").Attr("value"); v != email {
				t.Errorf("%s: email kept as %q", email, v)
			}
			if href, _ := doc.Find("a[data-testid=change-email]").Attr("href"); href != "/login?next=%2Ftickets" {
				t.Errorf("%s: change email link %q", email, href)
			}
			html, _ := doc.Find("main").Html()
			pages = append(pages, strings.ReplaceAll(html, email, "EMAIL"))
		}
		if pages[0] != pages[1] {
			t.Errorf("the password step differs for a known and an unknown address")
		}
		// The password step signs in as before.
		res := b.Submit(t, "/login", url.Values{"email": {"vi@msp.test"}, "password": {testkit.Password}, "next": {"/tickets"}}).Result()
		if res.StatusCode != http.StatusSeeOther {
			t.Errorf("password after the email step: got %d", res.StatusCode)
		}
	})

	t.Run("a malformed email stays on the email step", func(t *testing.T) {
		c := w.app.NewBrowser("acme.localhost")
		c.Header.Set("Accept-Language", "fr")
		rec, doc := c.SubmitPage(t, "/login", url.Values{"step": {"email"}, "email": {"not an email<script>"}})
		if rec.Code != http.StatusUnprocessableEntity || doc.Find("form[data-testid=email-step]").Length() != 1 ||
			doc.Find("#f-email-error").Text() != "Saisissez une adresse e-mail valide." {
			t.Errorf("got %d %q", rec.Code, doc.Find("#f-email-error").Text())
		}
	})

	t.Run("another tenant's site provider is never used", func(t *testing.T) {
		g := w.app.NewBrowser("globex.localhost")
		if u := routed(t, g, "ann@initech.test"); u.Query().Get("client_id") != "portal-globex.localhost" {
			t.Errorf("globex sent ann to %s", u)
		}
		signedIn(t, callback(t, g, w.google.Authorize(t, routed(t, g, "ann@initech.test").String(), "ann")))
		if email, sites := me(t, g); email != "ann@initech.test" || len(sites) != 1 || sites[0] == w.initech.ID {
			t.Errorf("globex signed in %s of %v, want its own contact", email, sites)
		}
	})
}

func TestSiteSSO_Linking(t *testing.T) {
	w := newSiteSSOWorld(t)

	t.Run("first verified sign-in links the subject", func(t *testing.T) {
		b := w.app.NewBrowser("acme.localhost")
		signedIn(t, w.signInAt(t, b, w.google, "ann@initech.test", "ann"))
		if email, _ := me(t, b); email != "ann@initech.test" {
			t.Fatalf("signed in as %s", email)
		}
		id, err := w.app.Store.ContactIdentity(w.actx, svcportal.IdentityKey{Issuer: w.google.Issuer, Subject: "ann"})
		if err != nil || id.ContactID != w.ann.ID || id.SiteID != w.initech.ID {
			t.Fatalf("identity: %+v %v", id, err)
		}
		if got := auditDetails(t, w.app, w.actx, svcportal.AuditSSOLinked); len(got) != 1 ||
			got[0] != "ann@initech.test sso site "+itoa(w.initech.ID)+": "+w.google.Issuer {
			t.Errorf("link audit: %q", got)
		}
		if got := auditDetails(t, w.app, w.actx, svcportal.AuditLogin); len(got) != 1 || got[0] != "ann@initech.test sso site "+itoa(w.initech.ID) {
			t.Errorf("login audit: %q", got)
		}
	})

	t.Run("a later sign-in goes by subject, not by the email claimed", func(t *testing.T) {
		// ann's provider now says she is carl, then someone outside the
		// site's domains: she is still ann.
		for _, email := range []string{"carl@initech.test", "ann@elsewhere.test"} {
			w.google.AddUser("ann", email, true)
			b := w.app.NewBrowser("acme.localhost")
			signedIn(t, w.signInAt(t, b, w.google, "ann@initech.test", "ann"))
			if got, _ := me(t, b); got != "ann@initech.test" {
				t.Errorf("claim %s: signed in as %s, want ann", email, got)
			}
		}
		id, _ := w.app.Store.ContactIdentity(w.actx, svcportal.IdentityKey{Issuer: w.google.Issuer, Subject: "ann"})
		if id == nil || id.Email != "ann@elsewhere.test" {
			t.Errorf("identity's last email: %+v", id)
		}
	})

	t.Run("an unverified email is refused", func(t *testing.T) {
		b := w.app.NewBrowser("acme.localhost")
		refused(t, b, w.signInAt(t, b, w.google, "carl@initech.test", "unverified"),
			"Your identity provider has not verified your email address, so it cannot be used to sign in here.")
		if _, err := w.app.Store.ContactIdentity(w.actx, svcportal.IdentityKey{Issuer: w.google.Issuer, Subject: "unverified"}); svcportal.KindOf(err) != svcportal.KindNotFound {
			t.Errorf("identity linked: %v", err)
		}
	})

	t.Run("an email of a domain the provider is not trusted for is refused", func(t *testing.T) {
		b := w.app.NewBrowser("acme.localhost")
		b.Header.Set("Accept-Language", "de")
		// Initech's provider vouches for pat of Umbrella: no.
		refused(t, b, w.signInAt(t, b, w.google, "x@initech.test", "intruder"),
			"Dieser Anbieter darf pat@umbrella.test hier nicht anmelden. Geben Sie Ihre E-Mail-Adresse auf der Anmeldeseite ein, um zum richtigen weitergeleitet zu werden.")
		// The tenant's provider vouches for an address of a site's domain: no.
		res := callback(t, b, w.msp.Authorize(t, startSSO(t, b, "/").String(), "ann-at-msp"))
		refused(t, b, res, "Dieser Anbieter darf ann@initech.test hier nicht anmelden. Geben Sie Ihre E-Mail-Adresse auf der Anmeldeseite ein, um zum richtigen weitergeleitet zu werden.")
		for _, key := range []svcportal.IdentityKey{{Issuer: w.google.Issuer, Subject: "intruder"}, {Issuer: w.msp.Issuer, Subject: "ann-at-msp"}} {
			if _, err := w.app.Store.ContactIdentity(w.actx, key); svcportal.KindOf(err) != svcportal.KindNotFound {
				t.Errorf("%+v linked: %v", key, err)
			}
		}
	})

	t.Run("the tenant's provider links by subject too", func(t *testing.T) {
		b := w.app.NewBrowser("acme.localhost")
		signedIn(t, callback(t, b, w.msp.Authorize(t, startSSO(t, b, "/tickets").String(), "vi")))
		w.msp.AddUser("vi", "vi.renamed@msp.test", true)
		b = w.app.NewBrowser("acme.localhost")
		signedIn(t, callback(t, b, w.msp.Authorize(t, startSSO(t, b, "/tickets").String(), "vi")))
		if got, _ := me(t, b); got != "vi@msp.test" {
			t.Errorf("signed in as %s, want vi", got)
		}
		if id, err := w.app.Store.ContactIdentity(w.actx, svcportal.IdentityKey{Issuer: w.msp.Issuer, Subject: "vi"}); err != nil || id.ContactID != w.vi.ID || id.SiteID != 0 {
			t.Errorf("identity: %+v %v", id, err)
		}
	})

	t.Run("an existing contact of another site is linked, and joins only when the provider allows creation", func(t *testing.T) {
		b := w.app.NewBrowser("acme.localhost")
		signedIn(t, w.signInAt(t, b, w.google, "bob@initech.test", "bob"))
		if email, sites := me(t, b); email != "bob@initech.test" || !slices.Equal(sites, []int64{w.umbrella.ID}) {
			t.Errorf("bob: %s of %v, want Umbrella only", email, sites)
		}
		w.putSite(t, w.actx, &svcportal.SiteOIDC{SiteID: w.initech.ID, Issuer: w.google.Issuer, ClientID: "portal-acme.localhost",
			ClientSecret: w.google.Secret, Label: "Initech Google", Domains: []string{"initech.test"}, AllowCreate: true})
		dan := testkit.Contact(w.actx, t, w.app.Store, "dan@initech.test", w.umbrella, svcportal.RoleMember)
		w.google.AddUser("dan", dan.Email, true)
		b = w.app.NewBrowser("acme.localhost")
		signedIn(t, w.signInAt(t, b, w.google, dan.Email, "dan"))
		want := []int64{w.initech.ID, w.umbrella.ID}
		slices.Sort(want)
		if _, sites := me(t, b); !slices.Equal(sites, want) {
			t.Errorf("dan: sites %v, want %v", sites, want)
		}
	})

	t.Run("just-in-time creation only when the site allows it", func(t *testing.T) {
		b := w.app.NewBrowser("acme.localhost")
		b.Header.Set("Accept-Language", "es")
		refused(t, b, w.signInAt(t, b, w.entra, "nobody@umbrella.test", "nobody"),
			"No hay ninguna cuenta para nobody@umbrella.test en este portal. Pida a su administrador que le invite.")
		if _, err := w.app.Store.ContactByEmail(w.actx, "nobody@umbrella.test"); svcportal.KindOf(err) != svcportal.KindNotFound {
			t.Fatalf("created without allow_create: %v", err)
		}
		w.putSite(t, w.actx, &svcportal.SiteOIDC{SiteID: w.umbrella.ID, Issuer: w.entra.Issuer, ClientID: "portal-umbrella",
			ClientSecret: w.entra.Secret, Label: "Umbrella Entra", Domains: []string{"umbrella.test"}, AllowCreate: true})
		signedIn(t, w.signInAt(t, b, w.entra, "nobody@umbrella.test", "nobody"))
		c, err := w.app.Store.ContactByEmail(w.actx, "nobody@umbrella.test")
		if err != nil {
			t.Fatal(err)
		}
		if c.Locale != "es" || c.FirstName != "Ada" || c.PasswordHash != "" || len(c.Memberships) != 1 ||
			c.Memberships[0].SiteID != w.umbrella.ID || c.Memberships[0].Role != svcportal.RoleMember {
			t.Errorf("created contact: %+v", c)
		}
		if got := auditDetails(t, w.app, w.actx, svcportal.AuditContactCreated); len(got) != 1 || got[0] != "nobody@umbrella.test sso site "+itoa(w.umbrella.ID) {
			t.Errorf("creation audit: %q", got)
		}
	})

	t.Run("Entra accounts are keyed by tid and oid", func(t *testing.T) {
		b := w.app.NewBrowser("acme.localhost")
		signedIn(t, w.signInAt(t, b, w.entra, "pat@umbrella.test", "pat-app1"))
		id, err := w.app.Store.ContactIdentity(w.actx, svcportal.IdentityKey{Issuer: w.entra.Issuer, TID: entraTID, OID: "oid-pat"})
		if err != nil || id.ContactID != w.pat.ID || id.Subject != "pat-app1" {
			t.Fatalf("identity: %+v %v", id, err)
		}
		// A new app registration: another sub, the same tid and oid, and
		// the email has changed — still pat.
		w.addEntraUser("pat-app2", "patricia@umbrella.test", "oid-pat", nil)
		b = w.app.NewBrowser("acme.localhost")
		signedIn(t, w.signInAt(t, b, w.entra, "pat@umbrella.test", "pat-app2"))
		if got, _ := me(t, b); got != "pat@umbrella.test" {
			t.Errorf("signed in as %s, want pat", got)
		}
		if id, _ := w.app.Store.ContactIdentity(w.actx, svcportal.IdentityKey{Issuer: w.entra.Issuer, TID: entraTID, OID: "oid-pat"}); id == nil || id.Subject != "pat-app2" {
			t.Errorf("identity after the new registration: %+v", id)
		}
		// Another object of the directory claiming pat's address, neither
		// email_verified nor xms_edov: refused.
		b = w.app.NewBrowser("acme.localhost")
		refused(t, b, w.signInAt(t, b, w.entra, "pat@umbrella.test", "guest"),
			"Your identity provider has not verified your email address, so it cannot be used to sign in here.")
	})

	t.Run("a state is only good for the provider it was made for", func(t *testing.T) {
		b := w.app.NewBrowser("acme.localhost")
		fromGoogle := w.google.Authorize(t, routed(t, b, "ann@initech.test").String(), "ann")
		googleState := b.Cookie(portal.SSOCookie)
		// The browser then starts with Umbrella's provider: Initech's
		// callback does not fit that state.
		routed(t, b, "pat@umbrella.test")
		refused(t, b, callback(t, b, fromGoogle), "Single sign-on did not succeed. Please try again.")

		// A state rewritten to name Umbrella's provider: its signature
		// fails.
		payload, mac, _ := strings.Cut(googleState, ".")
		body, _ := base64.RawURLEncoding.DecodeString(payload)
		var st map[string]any
		if err := json.Unmarshal(body, &st); err != nil {
			t.Fatal(err)
		}
		st["p"] = w.umbrella.ID
		body, _ = json.Marshal(st)
		b.SetCookie(portal.SSOCookie, base64.RawURLEncoding.EncodeToString(body)+"."+mac)
		refused(t, b, callback(t, b, fromGoogle), "Single sign-on did not succeed. Please try again.")

		// The site's provider changed between the start and the callback.
		back := w.google.Authorize(t, routed(t, b, "ann@initech.test").String(), "ann")
		w.putSite(t, w.actx, &svcportal.SiteOIDC{SiteID: w.initech.ID, Issuer: w.entra.Issuer, ClientID: "portal-umbrella",
			ClientSecret: w.entra.Secret, Label: "Initech moved", Domains: []string{"initech.test"}})
		refused(t, b, callback(t, b, back), "Single sign-on did not succeed. Please try again.")

		got := strings.Join(auditDetails(t, w.app, w.actx, svcportal.AuditLoginFailed), "\n")
		for _, want := range []string{" sso: state mismatch", " sso: bad state cookie signature", " sso: provider changed since the start"} {
			if !strings.Contains(got, want) {
				t.Errorf("audit lacks %q:\n%s", want, got)
			}
		}
	})

	t.Run("erasing a contact removes its identities", func(t *testing.T) {
		if err := w.app.Store.EraseContact(w.actx, w.vi.ID, &svcportal.AuditEntry{Action: svcportal.AuditContactErased}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.app.Store.ContactIdentity(w.actx, svcportal.IdentityKey{Issuer: w.msp.Issuer, Subject: "vi"}); svcportal.KindOf(err) != svcportal.KindNotFound {
			t.Errorf("identity kept after erasure: %v", err)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
