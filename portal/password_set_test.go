package portal_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/locales"
	"github.com/svcportal/svcportal/web"
)

var linkRE = regexp.MustCompile(`http://acme\.localhost/set-password\?token=([A-Za-z0-9_-]{20,})`)

// welcomeToken returns the token of the newest welcome email to addr in
// acme, after checking the email's language and link.
func (w *resetWorld) welcomeToken(t *testing.T, addr, subject string) string {
	t.Helper()
	emails, err := w.app.Store.Emails(w.actx, svcportal.EmailFilter{Kind: svcportal.EmailWelcome, ToAddress: addr})
	if err != nil {
		t.Fatal(err)
	}
	if len(emails) == 0 {
		t.Fatalf("no welcome email to %s", addr)
	}
	m := emails[0]
	match := linkRE.FindStringSubmatch(m.TextBody)
	if m.Subject != subject || match == nil || !strings.Contains(m.HTMLBody, match[0]) {
		t.Fatalf("welcome email %q / %q: want subject %q and a set-password link", m.Subject, m.TextBody, subject)
	}
	return match[1]
}

func TestWelcome_SetPasswordLink(t *testing.T) {
	w := newResetWorld(t)
	adminAPI := w.app.NewAPIClient(t, w.actx, "acme.localhost", "admin@acme.test", "test")
	site, _ := w.app.Store.Site(w.actx, w.peter.Memberships[0].SiteID)
	create := func(t *testing.T, email, locale string, welcome bool) *svcportal.Contact {
		t.Helper()
		var c svcportal.Contact
		rec := adminAPI.JSON(t, http.MethodPost, "/api/v1/admin/contacts", map[string]any{"email": email, "first_name": "Milton",
			"site_id": site.ID, "role": svcportal.RoleMember, "locale": locale, "send_welcome": welcome}, &c)
		if rec.Code != http.StatusCreated {
			t.Fatalf("create %s: got %d %s", email, rec.Code, rec.Body)
		}
		return &c
	}
	fr := locales.For("fr")
	frSubject := "Votre compte sur le portail d’assistance de Tenant acme"
	if got := fr.T("mail.welcome.subject", map[string]any{"Tenant": "Tenant acme"}); got != frSubject {
		t.Fatalf("French welcome subject is %q", got)
	}

	t.Run("no welcome email unless asked", func(t *testing.T) {
		create(t, "quiet@initech.test", "", false)
		emails, _ := w.app.Store.Emails(w.actx, svcportal.EmailFilter{ToAddress: "quiet@initech.test"})
		if len(emails) != 0 {
			t.Errorf("got %d emails, want none", len(emails))
		}
	})

	t.Run("the link sets the password once", func(t *testing.T) {
		milton := create(t, "milton@initech.test", "fr", true)
		tok := w.welcomeToken(t, "milton@initech.test", frSubject)
		var stored []svcportal.PasswordLink
		if err := w.app.Store.DB().NewSelect().Model(&stored).Where("contact_id = ?", milton.ID).Scan(t.Context()); err != nil {
			t.Fatal(err)
		}
		if len(stored) != 1 || stored[0].TokenHash == tok || !stored[0].ExpiresAt.Equal(w.app.Clock.Now().Add(72*time.Hour)) {
			t.Fatalf("stored %+v: want one hash, never the token, expiring in 72 hours", stored)
		}

		b := w.browser("acme.localhost", "198.51.100.60")
		b.Header.Set("Accept-Language", "fr")
		rec, doc := b.Page(t, "/set-password?token="+tok)
		if v, _ := doc.Find(`form[action="/set-password"] input[name=token]`).Attr("value"); rec.Code != http.StatusOK || v != tok ||
			doc.Find("h1").Text() != fr.T("reset.set_title") {
			t.Fatalf("form: got %d %q, token %q", rec.Code, doc.Find("h1").Text(), v)
		}
		rec, doc = b.SubmitPage(t, "/set-password", url.Values{"token": {tok}, "password": {"milton-pass-123"}, "password_confirm": {"milton-pass-124"}})
		if rec.Code != http.StatusUnprocessableEntity || doc.Find("#f-password_confirm-error").Text() != fr.T("error.password_mismatch") {
			t.Errorf("mismatch: got %d %q", rec.Code, doc.Find("#f-password_confirm-error").Text())
		}
		res := b.Submit(t, "/set-password", url.Values{"token": {tok}, "password": {"milton-pass-123"}, "password_confirm": {"milton-pass-123"}}).Result()
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login?notice=password_set" {
			t.Fatalf("set: got %d → %q", res.StatusCode, res.Header.Get("Location"))
		}
		_, doc = b.Page(t, "/login?notice=password_set")
		if got := strings.TrimSpace(doc.Find("[role=status]").Text()); got != fr.T("reset.set_done") {
			t.Errorf("login notice %q", got)
		}
		if res := signIn(t, w.browser("acme.localhost", "198.51.100.61"), "milton@initech.test", "milton-pass-123"); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/profile" {
			t.Errorf("sign in with the chosen password: got %d → %q", res.StatusCode, res.Header.Get("Location"))
		}

		rec, doc = b.SubmitPage(t, "/set-password", url.Values{"token": {tok}, "password": {"other-pass-1234"}, "password_confirm": {"other-pass-1234"}})
		if rec.Code != http.StatusBadRequest || doc.Find("[data-testid=error-message]").Text() != fr.T("error.password_link_invalid") {
			t.Errorf("second use: got %d %q", rec.Code, doc.Find("[data-testid=error-message]").Text())
		}
		if res := signIn(t, w.browser("acme.localhost", "198.51.100.62"), "milton@initech.test", "other-pass-1234"); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("the second use changed the password: sign-in got %d", res.StatusCode)
		}
	})

	t.Run("a wrong token shows a localised error page", func(t *testing.T) {
		b := w.browser("acme.localhost", "198.51.100.63")
		b.Header.Set("Accept-Language", "fr")
		for _, path := range []string{"/set-password", "/set-password?token=nope"} {
			rec, doc := b.Page(t, path)
			if rec.Code != http.StatusBadRequest || doc.Find("h1").Text() != fr.T("reset.link_invalid_title") ||
				doc.Find(`a[href="/forgot-password"]`).Length() != 1 || doc.Find("input[name=password]").Length() != 0 {
				t.Errorf("%s: got %d %q", path, rec.Code, doc.Find("h1").Text())
			}
		}
	})

	t.Run("a link expires after 72 hours", func(t *testing.T) {
		create(t, "late@initech.test", "fr", true)
		tok := w.welcomeToken(t, "late@initech.test", frSubject)
		w.app.Clock.Advance(72*time.Hour + time.Second)
		b := w.browser("acme.localhost", "198.51.100.64")
		if rec := b.Get(t, "/set-password?token="+tok); rec.Code != http.StatusBadRequest {
			t.Errorf("GET: got %d, want 400", rec.Code)
		}
		if rec := b.Submit(t, "/set-password", url.Values{"token": {tok}, "password": {"late-pass-1234"}, "password_confirm": {"late-pass-1234"}}); rec.Code != http.StatusBadRequest {
			t.Errorf("POST: got %d, want 400", rec.Code)
		}
	})

	t.Run("a link of one tenant is useless on another's host", func(t *testing.T) {
		create(t, "newbie@initech.test", "", true)
		tok := w.welcomeToken(t, "newbie@initech.test", "Your account on the Tenant acme support portal")
		b := w.browser("globex.localhost", "198.51.100.65")
		if rec := b.Get(t, "/set-password?token="+tok); rec.Code != http.StatusBadRequest {
			t.Errorf("GET on globex: got %d, want 400", rec.Code)
		}
		if rec := b.Submit(t, "/set-password", url.Values{"token": {tok}, "password": {"cross-pass-1234"}, "password_confirm": {"cross-pass-1234"}}); rec.Code != http.StatusBadRequest {
			t.Errorf("POST on globex: got %d, want 400", rec.Code)
		}
		if rec := w.browser("acme.localhost", "198.51.100.65").Get(t, "/set-password?token="+tok); rec.Code != http.StatusOK {
			t.Errorf("the link no longer works on acme: got %d", rec.Code)
		}
	})

	t.Run("resending makes a new link and voids the older ones", func(t *testing.T) {
		c := create(t, "resend@initech.test", "fr", true)
		first := w.welcomeToken(t, "resend@initech.test", frSubject)
		path := fmt.Sprintf("/api/v1/admin/contacts/%d/welcome", c.ID)
		if rec := adminAPI.JSON(t, http.MethodPost, path, nil, nil); rec.Code != http.StatusAccepted {
			t.Fatalf("resend: got %d %s", rec.Code, rec.Body)
		}
		second := w.welcomeToken(t, "resend@initech.test", frSubject)
		b := w.browser("acme.localhost", "198.51.100.66")
		if first == second || b.Get(t, "/set-password?token="+first).Code != http.StatusBadRequest || b.Get(t, "/set-password?token="+second).Code != http.StatusOK {
			t.Error("want the first link void and the second usable")
		}
		other := w.app.NewAPIClient(t, w.gctx, "globex.localhost", "admin@globex.test", "test")
		var e web.APIError
		if rec := other.JSON(t, http.MethodPost, path, nil, &e); rec.Code != http.StatusNotFound {
			t.Errorf("resend from another tenant: got %d %+v, want 404", rec.Code, e)
		}
	})
}
