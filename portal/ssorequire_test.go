package portal_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/admin"
	"github.com/svcportal/svcportal/portal"
	"github.com/svcportal/svcportal/testkit"
	"github.com/svcportal/svcportal/web"
)

// anyHref hides the addresses of links (a provider's carries a random
// state).
var anyHref = regexp.MustCompile(`href="[^"]*"`)

// requireSSO turns Initech's "require single sign-on" on or off through
// the console's service, keeping the rest of its provider.
func (w *siteSSOWorld) requireSSO(t *testing.T, on bool) {
	t.Helper()
	o, err := w.app.Accounts.SiteOIDC(w.actx, w.initech.ID)
	if err != nil || o == nil {
		t.Fatalf("Initech's provider: %+v %v", o, err)
	}
	if _, err := w.app.Accounts.PutSiteOIDC(w.actx, w.initech.ID, svcportal.SiteOIDCChange{Issuer: o.Issuer, ClientID: o.ClientID,
		Label: o.Label, Domains: o.Domains, AllowCreate: o.AllowCreate, RequireSSO: on}); err != nil {
		t.Fatal(err)
	}
}

// passwordStep submits the login page's password step.
func passwordStep(t *testing.T, b *testkit.Browser, email, password string) (*http.Response, *goquery.Document) {
	t.Helper()
	rec, doc := b.SubmitPage(t, "/login", url.Values{"email": {email}, "password": {password}, "next": {"/tickets"}})
	return rec.Result(), doc
}

// TestSiteSSO_RequireSSO: once Initech's provider requires single
// sign-on, an Initech address can no longer sign in with a password — on
// the page (a localised refusal linking to the provider, for a known or
// unknown address, right or wrong password) or by API (403
// sso_required) — while other domains, staff and sessions opened by the
// provider are unaffected; the refusals are audited.
func TestSiteSSO_RequireSSO(t *testing.T) {
	w := newSiteSSOWorld(t)
	staff := &svcportal.Staff{Email: "it@initech.test", Name: "Initech IT", Role: svcportal.StaffAgent, PasswordHash: testkit.HashPassword(t)}
	if err := w.app.Store.CreateStaff(w.actx, staff); err != nil {
		t.Fatal(err)
	}

	// Before: ann signs in with her password.
	if res, _ := passwordStep(t, w.app.NewBrowser("acme.localhost"), w.ann.Email, testkit.Password); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("password before: got %d, want 303", res.StatusCode)
	}
	// A session opened by the provider before the change.
	ssoSession := w.app.NewBrowser("acme.localhost")
	signedIn(t, w.signInAt(t, ssoSession, w.google, w.ann.Email, "ann"))

	w.requireSSO(t, true)
	if o, _ := w.app.Accounts.SiteOIDC(w.actx, w.initech.ID); o == nil || !o.RequireSSO {
		t.Fatalf("require_sso not saved: %+v", o)
	}

	t.Run("the password step refuses and links to the provider", func(t *testing.T) {
		var mains []string
		for _, c := range []struct{ email, password string }{
			{w.ann.Email, testkit.Password}, {"Ann@Initech.test", "wrong password"}, {"nobody@initech.test", testkit.Password},
		} {
			b := w.app.NewBrowser("acme.localhost")
			b.Header.Set("Accept-Language", "fr")
			res, doc := passwordStep(t, b, c.email, c.password)
			if res.StatusCode != http.StatusForbidden || b.Cookie(portal.SessionCookie) != "" {
				t.Fatalf("%s: got %d (session %q), want 403 and no session", c.email, res.StatusCode, b.Cookie(portal.SessionCookie))
			}
			if got := strings.TrimSpace(doc.Find("[role=alert]").Text()); got != "Votre organisation exige que vous vous connectiez avec Initech Google, et non avec un mot de passe." {
				t.Errorf("%s: alert %q", c.email, got)
			}
			a := doc.Find("a[data-testid=sso-continue]")
			u, _ := url.Parse(a.AttrOr("href", ""))
			if a.Length() != 1 || a.Is("[data-follow]") || strings.TrimSpace(a.Text()) != "Se connecter avec Initech Google" ||
				!strings.HasPrefix(u.String(), w.google.Issuer+"/") || u.Query().Get("login_hint") != svcportal.NormalizeEmail(c.email) {
				t.Errorf("%s: link to the provider %q (%d), want one to Initech's provider, not followed by script", c.email, u, a.Length())
			}
			if doc.Find("input[name=password]").Length() != 0 || doc.Find("script[src*=login]").Length() != 0 {
				t.Errorf("%s: the page still offers a password, or follows the link by itself", c.email)
			}
			html, _ := doc.Find("main").Html()
			html = strings.ReplaceAll(html, svcportal.NormalizeEmail(c.email), "EMAIL")
			mains = append(mains, anyHref.ReplaceAllString(html, `href="PROVIDER"`))
		}
		if mains[0] != mains[2] {
			t.Error("the refusal differs for a known and an unknown address")
		}
		// The link works: ann signs in with the provider.
		b := w.app.NewBrowser("acme.localhost")
		_, doc := passwordStep(t, b, w.ann.Email, testkit.Password)
		u, _ := url.Parse(doc.Find("a[data-testid=sso-continue]").AttrOr("href", ""))
		signedIn(t, callback(t, b, w.google.Authorize(t, u.String(), "ann")))
	})

	t.Run("the API login refuses with sso_required", func(t *testing.T) {
		for _, email := range []string{w.ann.Email, "nobody@initech.test"} {
			b := w.app.NewBrowser("acme.localhost")
			b.Header.Set("Accept-Language", "de")
			var e web.APIError
			rec := b.JSON(t, "POST", "/api/v1/auth/login", map[string]string{"email": email, "password": testkit.Password}, &e)
			if rec.Code != http.StatusForbidden || e.Error.Code != "sso_required" ||
				e.Error.Message != "Ihre Organisation verlangt die Anmeldung über Initech Google, nicht mit einem Passwort." || b.Cookie(portal.SessionCookie) != "" {
				t.Errorf("%s: got %d %+v", email, rec.Code, e)
			}
		}
	})

	t.Run("other domains, staff and sessions opened by the provider are unaffected", func(t *testing.T) {
		for _, email := range []string{w.pat.Email, w.vi.Email} {
			if res, _ := passwordStep(t, w.app.NewBrowser("acme.localhost"), email, testkit.Password); res.StatusCode != http.StatusSeeOther {
				t.Errorf("%s by password: got %d, want 303", email, res.StatusCode)
			}
		}
		b := w.app.NewBrowser("acme.localhost")
		if rec := b.Submit(t, "/admin/login", url.Values{"email": {staff.Email}, "password": {testkit.Password}}); rec.Code != http.StatusSeeOther || b.Cookie(admin.SessionCookie) == "" {
			t.Errorf("staff of an Initech address: got %d, want signed in", rec.Code)
		}
		if email, _ := me(t, ssoSession); email != w.ann.Email {
			t.Errorf("the session opened by the provider: %s", email)
		}
		// Globex's Hooli claims initech.test too, without requiring it.
		g := w.app.NewBrowser("globex.localhost")
		if rec := g.Submit(t, "/login", url.Values{"email": {w.globexAnn.Email}, "password": {testkit.Password}}); rec.Code != http.StatusSeeOther {
			t.Errorf("globex's ann by password: got %d, want 303", rec.Code)
		}
	})

	t.Run("the refusals are audited as failed sign-ins", func(t *testing.T) {
		log, err := w.app.Store.AuditLog(w.actx, 200)
		if err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf("password refused: site %d requires sso", w.initech.ID)
		var ann, nobody int
		for _, e := range log {
			if e.Action != svcportal.AuditLoginFailed || e.Detail != want {
				continue
			}
			switch {
			case e.Email == w.ann.Email && e.ActorKind == svcportal.PrincipalContact && e.ActorID == w.ann.ID:
				ann++
			case e.Email == "nobody@initech.test" && e.ActorID == 0:
				nobody++
			}
		}
		// ann: three page refusals (one to follow the link) and one by API.
		if ann != 4 || nobody != 2 {
			t.Errorf("audited refusals: ann %d, nobody %d; want 4 and 2", ann, nobody)
		}
	})

	t.Run("turned off, the password works again", func(t *testing.T) {
		w.requireSSO(t, false)
		if res, _ := passwordStep(t, w.app.NewBrowser("acme.localhost"), w.ann.Email, testkit.Password); res.StatusCode != http.StatusSeeOther {
			t.Errorf("got %d, want 303", res.StatusCode)
		}
	})
}

// TestSiteSSO_RequireSSO_PasswordReset: a reset request for an address
// of a site that requires single sign-on sends no code but a message
// naming the provider, known address or not, with the same answer and
// the same writes as any other request; a code sent before the change
// no longer sets a password.
func TestSiteSSO_RequireSSO_PasswordReset(t *testing.T) {
	w := newSiteSSOWorld(t)
	ip := 0
	request := func(email string) map[string]int {
		t.Helper()
		ip++
		b := w.app.NewBrowser("acme.localhost")
		b.RemoteAddr = fmt.Sprintf("198.51.100.%d:4321", ip)
		return writesOf(t, w.app.Store, func() {
			rec := b.JSON(t, http.MethodPost, "/api/v1/auth/password-reset", map[string]string{"email": email}, nil)
			if rec.Code != http.StatusAccepted || rec.Body.Len() != 0 {
				t.Fatalf("%s: got %d %q, want 202 and no body", email, rec.Code, rec.Body)
			}
		})
	}
	lastEmail := func(to string) svcportal.OutboundEmail {
		t.Helper()
		sent, err := w.app.Store.Emails(w.actx, svcportal.EmailFilter{ToAddress: to})
		if err != nil || len(sent) == 0 {
			t.Fatalf("emails to %s: %v %v", to, sent, err)
		}
		return sent[0]
	}

	ann := w.ann
	ann.Locale = "fr"
	if err := w.app.Store.UpdateContact(w.actx, ann); err != nil {
		t.Fatal(err)
	}
	request(ann.Email)
	code := codeRE.FindString(lastEmail(ann.Email).TextBody)
	if code == "" {
		t.Fatal("no code before single sign-on is required")
	}
	w.requireSSO(t, true)
	b := w.app.NewBrowser("acme.localhost")
	if status, e := confirmReset(t, b, ann.Email, code, "brand-new-pass-42"); status != http.StatusBadRequest || e.Error.Code != "invalid_code" {
		t.Errorf("a code sent before: got %d %+v, want 400 invalid_code", status, e)
	}
	w.requireSSO(t, false)
	if status, e := confirmReset(t, b, ann.Email, code, "brand-new-pass-42"); status != http.StatusNoContent {
		t.Fatalf("the same code once single sign-on is optional again: got %d %+v, want 204", status, e)
	}

	// The writes of a code sent to a known account asking for the first
	// time (Umbrella does not require single sign-on).
	known := request(w.pat.Email)
	if known["reset_codes"] != 1 || known["outbound_emails"] != 1 || !codeRE.MatchString(lastEmail(w.pat.Email).TextBody) {
		t.Fatalf("a code's request changed %v", known)
	}
	w.requireSSO(t, true)
	for _, email := range []string{w.carl.Email, "nobody@initech.test", ann.Email} {
		got := request(email)
		if email != ann.Email && fmt.Sprint(got) != fmt.Sprint(known) {
			t.Errorf("%s changed %v, a code's request %v", email, got, known)
		}
		m := lastEmail(email)
		if m.Kind != svcportal.EmailResetSSO || codeRE.MatchString(m.TextBody) || !strings.Contains(m.TextBody, "Initech Google") ||
			!strings.Contains(m.TextBody, "http://acme.localhost/login") || got["reset_codes"] != 1 || got["outbound_emails"] != 1 {
			t.Errorf("%s: got a %s email %q (writes %v), want a notice naming the provider, without a code", email, m.Kind, m.TextBody, got)
		}
	}
	if m := lastEmail(ann.Email); m.Subject != "Connexion au portail d’assistance Tenant acme" {
		t.Errorf("ann's notice is not in her language: %q", m.Subject)
	}
	if got := request("nobody@msp.test"); fmt.Sprint(got) != fmt.Sprint(known) || lastEmail("nobody@msp.test").Kind != svcportal.EmailResetUnknown {
		t.Errorf("an unknown address of another domain changed %v", got)
	}
	if got := auditDetails(t, w.app, w.actx, svcportal.AuditResetRequested); len(got) < 4 ||
		got[3] != fmt.Sprintf("carl@initech.test no code: site %d requires sso", w.initech.ID) {
		t.Errorf("reset audit: %q", got)
	}
}

// TestSiteSSO_Unlinked: once an admin unlinks a provider's account from
// its contact, the contact's sessions end and the account's next
// sign-in is a first one again: an unverified email claim is refused,
// where the link had let it in, and a verified one links it anew.
func TestSiteSSO_Unlinked(t *testing.T) {
	w := newSiteSSOWorld(t)
	b := w.app.NewBrowser("acme.localhost")
	signedIn(t, w.signInAt(t, b, w.google, w.ann.Email, "ann"))
	key := svcportal.IdentityKey{Issuer: w.google.Issuer, Subject: "ann"}
	id, err := w.app.Store.ContactIdentity(w.actx, key)
	if err != nil {
		t.Fatal(err)
	}
	// The provider stops vouching for her address: linked, she still
	// signs in by subject.
	w.google.AddUser("ann", w.ann.Email, false)
	signedIn(t, w.signInAt(t, w.app.NewBrowser("acme.localhost"), w.google, w.ann.Email, "ann"))

	staff, err := w.app.Store.StaffByEmail(w.actx, "admin@acme.test")
	if err != nil {
		t.Fatal(err)
	}
	by := &svcportal.Principal{Kind: svcportal.PrincipalStaff, Staff: staff}
	if err := w.app.Accounts.UnlinkIdentity(w.actx, by, w.carl.ID, id.ID); svcportal.KindOf(err) != svcportal.KindNotFound {
		t.Errorf("through another contact: %v, want not found", err)
	}
	if err := w.app.Accounts.UnlinkIdentity(w.gctx, by, w.ann.ID, id.ID); svcportal.KindOf(err) != svcportal.KindNotFound {
		t.Errorf("from another tenant: %v, want not found", err)
	}
	// Through the admin API: listed with its provider, then unlinked.
	api := w.app.NewAPIClient(t, w.actx, "acme.localhost", "admin@acme.test", "identities")
	var listed struct{ Identities []svcportal.ContactIdentity }
	path := fmt.Sprintf("/api/v1/admin/contacts/%d/identities", w.ann.ID)
	if rec := api.JSON(t, http.MethodGet, path, nil, &listed); rec.Code != http.StatusOK || len(listed.Identities) != 1 ||
		listed.Identities[0].ID != id.ID || listed.Identities[0].Subject != "ann" || listed.Identities[0].Provider == "" {
		t.Fatalf("listed: %d %+v", rec.Code, listed)
	}
	if rec := api.JSON(t, http.MethodDelete, fmt.Sprintf("%s/%d", path, id.ID), nil, nil); rec.Code != http.StatusNoContent {
		t.Fatalf("unlink: %d %s", rec.Code, rec.Body)
	}
	if rec := api.JSON(t, http.MethodGet, path, nil, &listed); rec.Code != http.StatusOK || len(listed.Identities) != 0 {
		t.Errorf("after unlinking: %d %+v", rec.Code, listed)
	}
	if rec := b.JSON(t, "GET", "/api/v1/me", nil, nil); rec.Code != http.StatusUnauthorized {
		t.Errorf("ann's session after the unlinking: %d, want 401", rec.Code)
	}

	c := w.app.NewBrowser("acme.localhost")
	refused(t, c, w.signInAt(t, c, w.google, w.ann.Email, "ann"),
		"Your identity provider has not verified your email address, so it cannot be used to sign in here.")
	if _, err := w.app.Store.ContactIdentity(w.actx, key); svcportal.KindOf(err) != svcportal.KindNotFound {
		t.Errorf("linked again without a verified email: %v", err)
	}
	w.google.AddUser("ann", w.ann.Email, true)
	signedIn(t, w.signInAt(t, c, w.google, w.ann.Email, "ann"))
	if again, err := w.app.Store.ContactIdentity(w.actx, key); err != nil || again.ContactID != w.ann.ID {
		t.Errorf("linked anew: %+v %v", again, err)
	}
	if got := auditDetails(t, w.app, w.actx, svcportal.AuditSSOUnlinked); len(got) != 1 || got[0] != w.ann.Email+" "+w.google.Issuer+" (sub ann)" {
		t.Errorf("audit: %q", got)
	}
}

// TestSiteSSO_RequireSSO_Welcome: a welcome to an address whose site
// requires single sign-on names the provider and links to the login
// page; no set-password link is made, and earlier ones are voided.
func TestSiteSSO_RequireSSO_Welcome(t *testing.T) {
	w := newSiteSSOWorld(t)
	admin := w.app.NewAPIClient(t, w.actx, "acme.localhost", "admin@acme.test", "welcome")
	create := func(email string, site *svcportal.Site) (map[string]int, svcportal.OutboundEmail) {
		t.Helper()
		writes := writesOf(t, w.app.Store, func() {
			if rec := admin.JSON(t, http.MethodPost, "/api/v1/admin/contacts", map[string]any{"email": email, "first_name": "New",
				"site_id": site.ID, "role": "member", "send_welcome": true}, nil); rec.Code != http.StatusCreated {
				t.Fatalf("create %s: %d %s", email, rec.Code, rec.Body)
			}
		})
		sent, err := w.app.Store.Emails(w.actx, svcportal.EmailFilter{ToAddress: email})
		if err != nil || len(sent) != 1 {
			t.Fatalf("emails to %s: %v %v", email, sent, err)
		}
		return writes, sent[0]
	}

	// Without the requirement, the usual welcome with its link.
	writes, firstWelcome := create("first@initech.test", w.initech)
	if writes["password_links"] != 1 || !strings.Contains(firstWelcome.TextBody, "/set-password?token=") {
		t.Fatalf("a welcome without the requirement: writes %v, %q", writes, firstWelcome.TextBody)
	}
	w.requireSSO(t, true)
	writes, m := create("second@initech.test", w.initech)
	if writes["password_links"] != 0 || writes["outbound_emails"] != 1 || m.Kind != svcportal.EmailWelcome ||
		strings.Contains(m.TextBody, "set-password") || !strings.Contains(m.TextBody, "Initech Google") ||
		!strings.Contains(m.TextBody, "http://acme.localhost/login") || !strings.Contains(m.HTMLBody, "http://acme.localhost/login") {
		t.Errorf("a welcome under the requirement: writes %v, %q", writes, m.TextBody)
	}
	// Sent again to the first contact, it voids the link it had.
	first, err := w.app.Store.ContactByEmail(w.actx, "first@initech.test")
	if err != nil {
		t.Fatal(err)
	}
	link := regexp.MustCompile(`/set-password\?token=[^\s"]+`).FindString(firstWelcome.TextBody)
	setsPassword := func() bool {
		rec := w.app.NewBrowser("acme.localhost").Get(t, link)
		return rec.Code == http.StatusOK && strings.Contains(rec.Body.String(), `name="password"`)
	}
	if link == "" || !setsPassword() {
		t.Fatalf("the first welcome's link %q sets no password", link)
	}
	if rec := admin.JSON(t, http.MethodPost, fmt.Sprintf("/api/v1/admin/contacts/%d/welcome", first.ID), nil, nil); rec.Code >= 300 {
		t.Fatalf("resend: %d %s", rec.Code, rec.Body)
	}
	if setsPassword() {
		t.Error("the first welcome's link still sets a password")
	}
	// Umbrella does not require single sign-on: its welcome is the usual one.
	if writes, m := create("new@umbrella.test", w.umbrella); writes["password_links"] != 1 || !strings.Contains(m.TextBody, "/set-password?token=") {
		t.Errorf("another site's welcome: writes %v, %q", writes, m.TextBody)
	}
}
