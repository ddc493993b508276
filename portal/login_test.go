package portal_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/portal"
	"github.com/svcportal/svcportal/testkit"
	"github.com/svcportal/svcportal/web"
)

// world is two tenants with one contact each, the same email in both.
type world struct {
	app   *testkit.App
	peter *svcportal.Contact
}

func newWorld(t *testing.T) *world {
	t.Helper()
	app := testkit.NewApp(t)
	actx, _ := testkit.Tenant(t, app.Store, "acme")
	site := testkit.Site(actx, t, app.Store, "Initech")
	peter := testkit.Contact(actx, t, app.Store, "peter@initech.test", site, svcportal.RoleMember)
	gctx, _ := testkit.Tenant(t, app.Store, "globex")
	testkit.Contact(gctx, t, app.Store, "peter@initech.test", testkit.Site(gctx, t, app.Store, "Hooli"), svcportal.RoleMember)
	return &world{app: app, peter: peter}
}

func signIn(t *testing.T, b *testkit.Browser, email, pw string) *http.Response {
	t.Helper()
	rec := b.Submit(t, "/login", url.Values{"email": {email}, "password": {pw}, "next": {"/profile"}})
	return rec.Result()
}

func TestLoginPage(t *testing.T) {
	w := newWorld(t)
	b := w.app.NewBrowser("acme.localhost")
	b.Header.Set("Accept-Language", "de")

	rec, doc := b.Page(t, "/login?next=/settings")
	if rec.Code != http.StatusOK || doc.Find("h1").Text() != "Bei Tenant acme anmelden" {
		t.Fatalf("got %d %q", rec.Code, doc.Find("h1").Text())
	}
	if v, _ := doc.Find("input[name=next]").Attr("value"); v != "/settings" {
		t.Errorf("next: got %q", v)
	}
	if ac, _ := doc.Find("input[name=password]").Attr("autocomplete"); ac != "current-password" {
		t.Errorf("password autocomplete %q", ac)
	}

	t.Run("wrong password shows a localised alert and sets no cookie", func(t *testing.T) {
		rec, doc := b.SubmitPage(t, "/login", url.Values{"email": {"peter@initech.test"}, "password": {"nope"}})
		if rec.Code != http.StatusUnauthorized || strings.TrimSpace(doc.Find("[role=alert]").Text()) != "E-Mail-Adresse oder Passwort ist falsch." {
			t.Errorf("got %d %q", rec.Code, doc.Find("[role=alert]").Text())
		}
		if v, _ := doc.Find("input[name=email]").Attr("value"); v != "peter@initech.test" {
			t.Errorf("email not kept: %q", v)
		}
		if b.Cookie(portal.SessionCookie) != "" {
			t.Error("session cookie set on failure")
		}
	})
	t.Run("success sets a safe cookie and goes to next", func(t *testing.T) {
		res := signIn(t, b, "Peter@Initech.test", testkit.Password)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/profile" {
			t.Fatalf("got %d → %q", res.StatusCode, res.Header.Get("Location"))
		}
		var cookie *http.Cookie
		for _, c := range res.Cookies() {
			if c.Name == portal.SessionCookie {
				cookie = c
			}
		}
		if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || cookie.Domain != "" || cookie.Secure {
			t.Errorf("cookie %+v: want HttpOnly, SameSite=Lax, host-only, not Secure on plain HTTP", cookie)
		}
		// Signed in, the contact's own language (en) wins over Accept-Language.
		_, doc := b.Page(t, "/")
		if got := doc.Find("[data-testid=greeting]").Text(); got != "Hello, peter@initech.test" {
			t.Errorf("greeting %q", got)
		}
	})
	t.Run("a new login replaces the old session", func(t *testing.T) {
		old := b.Cookie(portal.SessionCookie)
		b.Page(t, "/login") // picks up the CSRF token of the signed-in page
		signIn(t, b, "peter@initech.test", testkit.Password)
		if b.Cookie(portal.SessionCookie) == old {
			t.Fatal("session token not rotated")
		}
		thief := w.app.NewBrowser("acme.localhost")
		thief.SetCookie(portal.SessionCookie, old)
		if _, doc := thief.Page(t, "/"); doc.Find("[data-testid=greeting]").Length() != 0 {
			t.Error("the old session still works")
		}
	})
	t.Run("next never leaves the host", func(t *testing.T) {
		for _, next := range []string{"//evil.example/x", "https://evil.example", "/\\evil.example", "javascript:alert(1)"} {
			c := w.app.NewBrowser("acme.localhost")
			rec := c.Submit(t, "/login", url.Values{"email": {"peter@initech.test"}, "password": {testkit.Password}, "next": {next}})
			if loc := rec.Header().Get("Location"); loc != "/" {
				t.Errorf("next=%q redirected to %q", next, loc)
			}
		}
	})
}

func TestSession_TenantIsolationAndLogout(t *testing.T) {
	w := newWorld(t)
	acme := w.app.NewBrowser("acme.localhost")
	signIn(t, acme, "peter@initech.test", testkit.Password)

	globex := w.app.NewBrowser("globex.localhost")
	globex.SetCookie(portal.SessionCookie, acme.Cookie(portal.SessionCookie))
	if rec := globex.Get(t, "/profile"); rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/login") {
		t.Errorf("acme's session opened globex's profile: %d", rec.Code)
	}
	if rec := globex.JSON(t, "GET", "/api/v1/me", nil, nil); rec.Code != http.StatusUnauthorized {
		t.Errorf("acme's session on globex's API: %d", rec.Code)
	}

	t.Run("logout needs the CSRF token", func(t *testing.T) {
		rec := acme.Submit(t, "/logout", url.Values{"csrf_token": {"forged"}})
		if rec.Code != http.StatusForbidden {
			t.Fatalf("forged token: got %d, want 403", rec.Code)
		}
		acme.Page(t, "/profile")
		rec = acme.Submit(t, "/logout", url.Values{})
		if rec.Code != http.StatusSeeOther || acme.Cookie(portal.SessionCookie) != "" {
			t.Fatalf("logout: got %d, cookie %q", rec.Code, acme.Cookie(portal.SessionCookie))
		}
		if rec := acme.Get(t, "/profile"); rec.Code != http.StatusSeeOther {
			t.Errorf("profile after logout: %d", rec.Code)
		}
	})
	t.Run("a cross-site form post is refused", func(t *testing.T) {
		rec := acme.Do(t, "POST", "/login", strings.NewReader("email=peter%40initech.test&password="+testkit.Password),
			http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "Origin": {"https://evil.example"}})
		if rec.Code != http.StatusForbidden {
			t.Errorf("got %d, want 403", rec.Code)
		}
	})
}

func TestMustChangePassword(t *testing.T) {
	w := newWorld(t)
	ctx := svcportal.WithTenant(t.Context(), mustTenant(t, w, "acme"))
	c, _ := w.app.Store.Contact(ctx, w.peter.ID)
	c.MustChangePassword = true
	w.app.Store.UpdateContact(ctx, c)

	b := w.app.NewBrowser("acme.localhost")
	if res := signIn(t, b, "peter@initech.test", testkit.Password); res.Header.Get("Location") != "/profile/password" {
		t.Fatalf("login went to %q, want the password page", res.Header.Get("Location"))
	}
	for _, p := range []string{"/", "/profile", "/settings"} {
		if rec := b.Get(t, p); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/profile/password" {
			t.Errorf("%s: got %d → %q", p, rec.Code, rec.Header().Get("Location"))
		}
	}
	_, doc := b.Page(t, "/profile/password")
	if doc.Find("[data-testid=forced]").Length() != 1 {
		t.Error("the forced-change explanation is missing")
	}
	var apiErr web.APIError
	if rec := b.JSON(t, "PATCH", "/api/v1/me", map[string]any{"first_name": "P"}, &apiErr); rec.Code != http.StatusForbidden || apiErr.Error.Code != "password_change_required" {
		t.Errorf("API PATCH /me: %d %+v", rec.Code, apiErr)
	}
	if rec := b.JSON(t, "GET", "/api/v1/me", nil, nil); rec.Code != http.StatusOK {
		t.Errorf("API GET /me: %d", rec.Code)
	}

	rec, doc := b.SubmitPage(t, "/profile/password", url.Values{"current_password": {testkit.Password}, "password": {"new-password-123"}, "password_confirm": {"different-123"}})
	if rec.Code != http.StatusUnprocessableEntity || doc.Find("#f-password_confirm-error").Length() != 1 {
		t.Fatalf("mismatch: got %d", rec.Code)
	}
	if inv, _ := doc.Find("#f-password_confirm").Attr("aria-invalid"); inv != "true" {
		t.Error("invalid field not marked aria-invalid")
	}
	rec = b.Submit(t, "/profile/password", url.Values{"current_password": {testkit.Password}, "password": {"new-password-123"}, "password_confirm": {"new-password-123"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("change: got %d %s", rec.Code, rec.Body)
	}
	if rec := b.Get(t, "/profile"); rec.Code != http.StatusOK {
		t.Errorf("profile after the change: %d", rec.Code)
	}
}

func mustTenant(t *testing.T, w *world, slug string) *svcportal.Tenant {
	t.Helper()
	tn, err := w.app.Tenants.Resolve(t.Context(), slug+".localhost")
	if err != nil {
		t.Fatal(err)
	}
	return tn
}
