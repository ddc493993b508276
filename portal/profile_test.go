package portal_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/testkit"
	"github.com/svcportal/svcportal/web"
)

type loginAnswer struct {
	Contact            svcportal.Contact `json:"contact"`
	CSRFToken          string            `json:"csrf_token"`
	MustChangePassword bool              `json:"must_change_password"`
}

func apiLogin(t testing.TB, b *testkit.Browser, email, pw string) loginAnswer {
	t.Helper()
	var got loginAnswer
	rec := b.JSON(t, "POST", "/api/v1/auth/login", map[string]string{"email": email, "password": pw}, &got)
	if rec.Code != http.StatusOK {
		t.Fatalf("login: %d %s", rec.Code, rec.Body)
	}
	b.CSRF = got.CSRFToken
	return got
}

func TestAPI_Auth(t *testing.T) {
	w := newWorld(t)
	b := w.app.NewBrowser("acme.localhost")

	t.Run("login answers the contact and a CSRF token", func(t *testing.T) {
		got := apiLogin(t, b, "peter@initech.test", testkit.Password)
		if got.Contact.Email != "peter@initech.test" || got.CSRFToken == "" || got.MustChangePassword || len(got.Contact.Memberships) != 1 {
			t.Errorf("got %+v", got)
		}
		if body := b.JSON(t, "GET", "/api/v1/me", nil, nil).Body.String(); strings.Contains(body, "password_hash") || strings.Contains(body, "argon2") {
			t.Error("the contact JSON mentions the password hash")
		}
	})
	t.Run("wrong password is 401, repeated is 429 with Retry-After", func(t *testing.T) {
		c := w.app.NewBrowser("acme.localhost")
		c.RemoteAddr = "203.0.113.66:4000" // the guesser; the real user stays at the default address
		c.Header.Set("Accept-Language", "es")
		var e web.APIError
		rec := c.JSON(t, "POST", "/api/v1/auth/login", map[string]string{"email": "peter@initech.test", "password": "x"}, &e)
		if rec.Code != http.StatusUnauthorized || e.Error.Code != "invalid_credentials" || e.Error.Message != "El correo electrónico o la contraseña no son correctos." {
			t.Fatalf("got %d %+v", rec.Code, e)
		}
		for range 4 {
			c.JSON(t, "POST", "/api/v1/auth/login", map[string]string{"email": "peter@initech.test", "password": "x"}, nil)
		}
		rec = c.JSON(t, "POST", "/api/v1/auth/login", map[string]string{"email": "peter@initech.test", "password": testkit.Password}, &e)
		if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" || e.Error.Code != "too_many_requests" {
			t.Errorf("got %d Retry-After %q %+v", rec.Code, rec.Header().Get("Retry-After"), e)
		}
	})
	t.Run("bad bodies are 400 with the field named, and change nothing", func(t *testing.T) {
		tests := []struct {
			name, body, code, field string
		}{
			{"malformed", `{"first_name": `, "invalid_request", ""},
			{"wrong type", `{"first_name": 12}`, "invalid_request", "first_name"},
			{"unknown field", `{"first_name": "P", "is_admin": true}`, "invalid_request", "is_admin"},
			{"empty", ``, "invalid_request", ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				var e web.APIError
				rec := b.JSON(t, "PATCH", "/api/v1/me", tt.body, &e)
				if rec.Code != http.StatusBadRequest || e.Error.Code != tt.code || (tt.field != "" && e.Error.Fields[tt.field] == "") {
					t.Errorf("got %d %+v", rec.Code, e)
				}
			})
		}
		var me svcportal.Contact
		b.JSON(t, "GET", "/api/v1/me", nil, &me)
		if me.FirstName != "" {
			t.Errorf("a refused body changed the contact: %+v", me)
		}
		big := `{"first_name": "` + strings.Repeat("x", web.MaxJSONBody) + `"}`
		if rec := b.JSON(t, "PATCH", "/api/v1/me", big, nil); rec.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("oversized body: got %d", rec.Code)
		}
	})
	t.Run("PATCH /me needs the CSRF header", func(t *testing.T) {
		token := b.CSRF
		b.CSRF = ""
		var e web.APIError
		if rec := b.JSON(t, "PATCH", "/api/v1/me", map[string]string{"first_name": "Mallory"}, &e); rec.Code != http.StatusForbidden || e.Error.Code != "csrf_failed" {
			t.Errorf("got %d %+v", rec.Code, e)
		}
		b.CSRF = token
	})
	t.Run("PATCH /me validates and saves; the language applies at once", func(t *testing.T) {
		var e web.APIError
		rec := b.JSON(t, "PATCH", "/api/v1/me", map[string]string{"email": "not-an-email", "locale": "pt"}, &e)
		if rec.Code != http.StatusUnprocessableEntity || e.Error.Fields["email"] != "Enter a valid email address." || e.Error.Fields["locale"] != "Unknown language: pt." {
			t.Fatalf("got %d %+v", rec.Code, e)
		}
		var me svcportal.Contact
		rec = b.JSON(t, "PATCH", "/api/v1/me", map[string]string{"first_name": "Peter", "job_title": "Engineer", "locale": "it"}, &me)
		if rec.Code != http.StatusOK || me.FirstName != "Peter" || me.Locale != "it" {
			t.Fatalf("got %d %+v", rec.Code, me)
		}
		rec = b.JSON(t, "PATCH", "/api/v1/me", map[string]string{"email": "bad"}, &e)
		if e.Error.Message != "Alcuni campi richiedono attenzione." {
			t.Errorf("errors after switching to Italian: %q", e.Error.Message)
		}
		if doc := testkit.HTML(t, b.Get(t, "/")); doc.Find("h1").Text() != "Come possiamo aiutarLa oggi?" {
			t.Errorf("page after switching to Italian: %q", doc.Find("h1").Text())
		}
	})
	t.Run("password change through the API", func(t *testing.T) {
		other := w.app.NewBrowser("acme.localhost")
		apiLogin(t, other, "peter@initech.test", testkit.Password)
		var e web.APIError
		if rec := b.JSON(t, "POST", "/api/v1/me/password", map[string]string{"current_password": "wrong", "password": "brand-new-pass"}, &e); rec.Code != http.StatusUnprocessableEntity || e.Error.Fields["current_password"] == "" {
			t.Fatalf("wrong current: %d %+v", rec.Code, e)
		}
		if rec := b.JSON(t, "POST", "/api/v1/me/password", map[string]string{"current_password": testkit.Password, "password": "brand-new-pass"}, nil); rec.Code != http.StatusNoContent {
			t.Fatalf("change: %d %s", rec.Code, rec.Body)
		}
		if rec := other.JSON(t, "GET", "/api/v1/me", nil, nil); rec.Code != http.StatusUnauthorized {
			t.Errorf("other session still open: %d", rec.Code)
		}
		if rec := b.JSON(t, "GET", "/api/v1/me", nil, nil); rec.Code != http.StatusOK {
			t.Errorf("own session ended: %d", rec.Code)
		}
	})
	t.Run("logout", func(t *testing.T) {
		if rec := b.JSON(t, "POST", "/api/v1/auth/logout", nil, nil); rec.Code != http.StatusNoContent {
			t.Fatalf("got %d", rec.Code)
		}
		if rec := b.JSON(t, "GET", "/api/v1/me", nil, nil); rec.Code != http.StatusUnauthorized {
			t.Errorf("after logout: %d", rec.Code)
		}
	})
}

func TestProfileAndSettingsPages(t *testing.T) {
	w := newWorld(t)
	b := w.app.NewBrowser("acme.localhost")
	signIn(t, b, "peter@initech.test", testkit.Password)

	_, doc := b.Page(t, "/profile")
	if doc.Find("[data-testid=sites] li").Text() != "Initech — Member" {
		t.Errorf("sites: %q", doc.Find("[data-testid=sites] li").Text())
	}
	form := url.Values{"first_name": {"Peter"}, "last_name": {"Gibbons"}, "job_title": {"Engineer"}, "email": {"not an email"}, "phone": {""}}
	rec, doc := b.SubmitPage(t, "/profile", form)
	if rec.Code != http.StatusUnprocessableEntity || doc.Find("#f-email-error").Text() != "Enter a valid email address." {
		t.Fatalf("invalid email: %d %q", rec.Code, doc.Find("#f-email-error").Text())
	}
	if v, _ := doc.Find("#f-first_name").Attr("value"); v != "Peter" {
		t.Errorf("typed value lost: %q", v)
	}
	form.Set("email", "peter.gibbons@initech.test")
	if rec := b.Submit(t, "/profile", form); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/profile?saved=1&email=pending" {
		t.Fatalf("save: %d %q", rec.Code, rec.Header().Get("Location"))
	}
	// The new address waits for the link sent to it (TestProfilePage_EmailChange).
	_, doc = b.Page(t, "/profile?saved=1")
	if v, _ := doc.Find("#f-email").Attr("value"); v != "peter@initech.test" || doc.Find("[role=status]").Length() != 1 {
		t.Errorf("saved profile: email %q", v)
	}

	_, doc = b.Page(t, "/settings")
	if n := doc.Find("input[name=locale]").Length(); n != 5 {
		t.Errorf("language choices: %d, want the tenant's 5", n)
	}
	if rec := b.Submit(t, "/settings", url.Values{"locale": {"fr"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("settings: %d", rec.Code)
	}
	_, doc = b.Page(t, "/settings?saved=1")
	if lang, _ := doc.Find("html").Attr("lang"); lang != "fr" || strings.TrimSpace(doc.Find("[role=status]").Text()) != "Vos paramètres ont été enregistrés." {
		t.Errorf("after choosing French: lang %q, notice %q", lang, doc.Find("[role=status]").Text())
	}
	if v, _ := doc.Find("input[name=locale][checked]").Attr("value"); v != "fr" {
		t.Errorf("checked language %q", v)
	}
	rec, doc = b.SubmitPage(t, "/settings", url.Values{"locale": {"xx"}})
	if rec.Code != http.StatusUnprocessableEntity || doc.Find("[role=alert]").Text() != "Langue inconnue : xx." {
		t.Errorf("unknown language: %d %q", rec.Code, doc.Find("[role=alert]").Text())
	}
}
