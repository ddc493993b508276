package portal_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/locales"
	"github.com/svcportal/svcportal/testkit"
	"github.com/svcportal/svcportal/web"
)

// resetWorld is two tenants with a contact of the same email in each; the
// acme one reads German.
type resetWorld struct {
	app        *testkit.App
	actx, gctx context.Context
	peter      *svcportal.Contact
}

func newResetWorld(t *testing.T) *resetWorld {
	t.Helper()
	app := testkit.NewApp(t)
	actx, _ := testkit.Tenant(t, app.Store, "acme")
	peter := testkit.Contact(actx, t, app.Store, "peter@initech.test", testkit.Site(actx, t, app.Store, "Initech"), svcportal.RoleMember)
	peter.Locale = "de"
	if err := app.Store.UpdateContact(actx, peter); err != nil {
		t.Fatal(err)
	}
	gctx, _ := testkit.Tenant(t, app.Store, "globex")
	testkit.Contact(gctx, t, app.Store, "peter@initech.test", testkit.Site(gctx, t, app.Store, "Hooli"), svcportal.RoleMember)
	return &resetWorld{app: app, actx: actx, gctx: gctx, peter: peter}
}

var codeRE = regexp.MustCompile(`\b\d{8}\b`)

// resetEmails lists the reset-code emails to addr in ctx's tenant, newest
// first.
func (w *resetWorld) resetEmails(t *testing.T, ctx context.Context, addr string) []svcportal.OutboundEmail {
	t.Helper()
	emails, err := w.app.Store.Emails(ctx, svcportal.EmailFilter{Kind: svcportal.EmailResetCode, ToAddress: addr})
	if err != nil {
		t.Fatal(err)
	}
	return emails
}

// browser is a signed-out client of host at its own address, so that the
// per-address limits of one subtest do not touch another.
func (w *resetWorld) browser(host, ip string) *testkit.Browser {
	b := w.app.NewBrowser(host)
	b.RemoteAddr = ip + ":4321"
	return b
}

// requestCode asks for a code by API, checks the 202, and returns the code
// of the newest email to peter in acme ("" when there is none).
func (w *resetWorld) requestCode(t *testing.T, b *testkit.Browser, email string) string {
	t.Helper()
	rec := b.JSON(t, http.MethodPost, "/api/v1/auth/password-reset", map[string]string{"email": email}, nil)
	if rec.Code != http.StatusAccepted || rec.Body.Len() != 0 {
		t.Fatalf("password-reset %s: got %d %q, want 202 and no body", email, rec.Code, rec.Body)
	}
	emails := w.resetEmails(t, w.actx, w.peter.Email)
	if len(emails) == 0 {
		return ""
	}
	return codeRE.FindString(emails[0].TextBody)
}

func confirmReset(t *testing.T, b *testkit.Browser, email, code, pw string) (int, web.APIError) {
	t.Helper()
	var e web.APIError
	rec := b.JSON(t, http.MethodPost, "/api/v1/auth/password-reset/confirm",
		map[string]string{"email": email, "code": code, "password": pw}, &e)
	return rec.Code, e
}

// wrong returns a code that differs from code in every digit.
func wrong(code string) string {
	out := []byte(code)
	for i := range out {
		out[i] = '0' + (out[i]-'0'+1)%10
	}
	return string(out)
}

func TestPasswordReset_API(t *testing.T) {
	w := newResetWorld(t)
	const newPassword = "brand-new-pass-42"
	// Each case starts a new hour, so the per-email request limit (tested
	// on its own below) never gets in the way.
	run := func(name string, f func(t *testing.T)) {
		w.app.Clock.Advance(time.Hour)
		t.Run(name, f)
	}

	run("the code arrives by email in the contact's language", func(t *testing.T) {
		b := w.browser("acme.localhost", "198.51.100.1")
		code := w.requestCode(t, b, "Peter@Initech.test")
		emails := w.resetEmails(t, w.actx, w.peter.Email)
		if len(emails) != 1 || code == "" {
			t.Fatalf("got %d emails, code %q; want 1 with a code", len(emails), code)
		}
		m := emails[0]
		if m.Subject != "Ihr Code zum Zurücksetzen des Passworts für Tenant acme" || !strings.Contains(m.TextBody, "15 Minuten") ||
			!strings.Contains(m.HTMLBody, code) || m.Status != svcportal.EmailPending {
			t.Errorf("got %q / %q, want the German reset email with the code", m.Subject, m.TextBody)
		}
		var stored []svcportal.ResetCode
		if err := w.app.Store.DB().NewSelect().Model(&stored).Scan(context.Background()); err != nil {
			t.Fatal(err)
		}
		if len(stored) != 1 || stored[0].CodeHash == code || len(stored[0].CodeHash) != 64 ||
			!stored[0].ExpiresAt.Equal(w.app.Clock.Now().Add(15*time.Minute)) {
			t.Errorf("stored %+v: want one keyed hash, never the code, expiring in 15 minutes", stored)
		}
	})

	run("an unknown email gets the same answer and a notice without a code", func(t *testing.T) {
		b := w.browser("acme.localhost", "198.51.100.2")
		w.requestCode(t, b, "nobody@initech.test")
		sent, _ := w.app.Store.Emails(w.actx, svcportal.EmailFilter{ToAddress: "nobody@initech.test"})
		if len(sent) != 1 || sent[0].Kind != svcportal.EmailResetUnknown || codeRE.MatchString(sent[0].TextBody) {
			t.Errorf("got %+v, want one reset_unknown notice without a code", sent)
		}
		b.Header.Set("Accept-Language", "de")
		status, e := confirmReset(t, b, "nobody@initech.test", "12345678", newPassword)
		if status != http.StatusBadRequest || e.Error.Code != "invalid_code" || e.Error.Message != locales.For("de").T("error.reset_code_invalid") {
			t.Errorf("confirm for unknown email: got %d %+v, want 400 invalid_code in German", status, e)
		}
	})

	run("five wrong tries void the code", func(t *testing.T) {
		b := w.browser("acme.localhost", "198.51.100.3")
		code := w.requestCode(t, b, w.peter.Email)
		for i := 0; i < svcportal.ResetCodeMaxAttempts; i++ {
			if status, e := confirmReset(t, b, w.peter.Email, wrong(code), newPassword); status != http.StatusBadRequest || e.Error.Code != "invalid_code" {
				t.Fatalf("wrong try %d: got %d %+v", i+1, status, e)
			}
		}
		if status, _ := confirmReset(t, b, w.peter.Email, code, newPassword); status != http.StatusBadRequest {
			t.Errorf("right code after 5 wrong tries: got %d, want 400", status)
		}
	})

	run("the right code on the fifth try still works", func(t *testing.T) {
		b := w.browser("acme.localhost", "198.51.100.4")
		code := w.requestCode(t, b, w.peter.Email)
		for i := 0; i < svcportal.ResetCodeMaxAttempts-1; i++ {
			confirmReset(t, b, w.peter.Email, wrong(code), testkit.Password)
		}
		if status, e := confirmReset(t, b, w.peter.Email, code, testkit.Password); status != http.StatusNoContent {
			t.Errorf("got %d %+v, want 204", status, e)
		}
	})

	run("a code expires after 15 minutes", func(t *testing.T) {
		b := w.browser("acme.localhost", "198.51.100.5")
		code := w.requestCode(t, b, w.peter.Email)
		w.app.Clock.Advance(15*time.Minute + time.Second)
		if status, _ := confirmReset(t, b, w.peter.Email, code, newPassword); status != http.StatusBadRequest {
			t.Errorf("expired code: got %d, want 400", status)
		}
	})

	run("a newer request replaces the older code", func(t *testing.T) {
		b := w.browser("acme.localhost", "198.51.100.6")
		first := w.requestCode(t, b, w.peter.Email)
		second := w.requestCode(t, b, w.peter.Email)
		for second == first { // one chance in 10^8
			second = w.requestCode(t, b, w.peter.Email)
		}
		if status, _ := confirmReset(t, b, w.peter.Email, first, newPassword); status != http.StatusBadRequest {
			t.Errorf("older code: got %d, want 400", status)
		}
	})

	run("a short password is refused without using a try", func(t *testing.T) {
		b := w.browser("acme.localhost", "198.51.100.7")
		code := w.requestCode(t, b, w.peter.Email)
		for i := 0; i < svcportal.ResetCodeMaxAttempts+1; i++ {
			if status, e := confirmReset(t, b, w.peter.Email, code, "short"); status != http.StatusUnprocessableEntity || e.Error.Fields["password"] == "" {
				t.Fatalf("got %d %+v, want 422 on password", status, e)
			}
		}
	})

	run("a code of one tenant is useless on another's host", func(t *testing.T) {
		code := w.requestCode(t, w.browser("acme.localhost", "198.51.100.8"), w.peter.Email)
		globex := w.browser("globex.localhost", "198.51.100.8")
		if status, e := confirmReset(t, globex, w.peter.Email, code, newPassword); status != http.StatusBadRequest || e.Error.Code != "invalid_code" {
			t.Errorf("acme code on globex: got %d %+v, want 400 invalid_code", status, e)
		}
		if n := len(w.resetEmails(t, w.gctx, w.peter.Email)); n != 0 {
			t.Errorf("globex outbox has %d reset emails, want 0", n)
		}
	})

	run("success sets the password, ends every session and works once", func(t *testing.T) {
		// Two signed-in browsers of peter, one of them with a pending
		// must-change-password flag to clear.
		var sessions []*testkit.Browser
		for _, ip := range []string{"203.0.113.1", "203.0.113.2"} {
			s := w.browser("acme.localhost", ip)
			var out struct {
				CSRFToken string `json:"csrf_token"`
			}
			if rec := s.JSON(t, http.MethodPost, "/api/v1/auth/login", map[string]string{"email": w.peter.Email, "password": testkit.Password}, &out); rec.Code != http.StatusOK {
				t.Fatalf("login: %d %s", rec.Code, rec.Body)
			}
			s.CSRF = out.CSRFToken
			sessions = append(sessions, s)
		}
		peter, _ := w.app.Store.Contact(w.actx, w.peter.ID)
		peter.MustChangePassword = true
		if err := w.app.Store.UpdateContact(w.actx, peter); err != nil {
			t.Fatal(err)
		}

		b := w.browser("acme.localhost", "198.51.100.9")
		code := w.requestCode(t, b, w.peter.Email)
		if status, e := confirmReset(t, b, w.peter.Email, " "+code[:4]+" "+code[4:], newPassword); status != http.StatusNoContent {
			t.Fatalf("confirm: got %d %+v, want 204", status, e)
		}
		for i, s := range sessions {
			if rec := s.Get(t, "/api/v1/me"); rec.Code != http.StatusUnauthorized {
				t.Errorf("session %d after reset: got %d, want 401", i+1, rec.Code)
			}
		}
		var login struct {
			MustChangePassword bool `json:"must_change_password"`
		}
		fresh := w.browser("acme.localhost", "203.0.113.3")
		if rec := fresh.JSON(t, http.MethodPost, "/api/v1/auth/login", map[string]string{"email": w.peter.Email, "password": newPassword}, &login); rec.Code != http.StatusOK || login.MustChangePassword {
			t.Errorf("login with the new password: got %d, must change %v", rec.Code, login.MustChangePassword)
		}
		if status, _ := confirmReset(t, b, w.peter.Email, code, "another-pass-123"); status != http.StatusBadRequest {
			t.Errorf("second use of the code: got %d, want 400", status)
		}
		log, err := w.app.Store.AuditLog(w.actx, 50)
		if err != nil {
			t.Fatal(err)
		}
		done := 0
		for _, e := range log {
			if e.Action == svcportal.AuditResetDone && e.ActorID == w.peter.ID {
				done++
			}
		}
		if done != 2 { // this one and the fifth-try one
			t.Errorf("got %d %s audit entries, want 2", done, svcportal.AuditResetDone)
		}
	})
}

func TestPasswordReset_Throttle(t *testing.T) {
	w := newResetWorld(t)

	t.Run("per email: over the limit still 202, nothing sent, audited", func(t *testing.T) {
		for i := 0; i < 5; i++ {
			// A new address each time: only the per-email limit applies.
			w.requestCode(t, w.browser("acme.localhost", "198.51.100."+string(rune('1'+i))), w.peter.Email)
		}
		if n := len(w.resetEmails(t, w.actx, w.peter.Email)); n != 5 {
			t.Fatalf("got %d emails within the limit, want 5", n)
		}
		w.requestCode(t, w.browser("acme.localhost", "198.51.100.99"), w.peter.Email)
		if n := len(w.resetEmails(t, w.actx, w.peter.Email)); n != 5 {
			t.Errorf("got %d emails after the limit, want still 5", n)
		}
		log, _ := w.app.Store.AuditLog(w.actx, 1)
		if len(log) != 1 || log[0].Action != svcportal.AuditResetRequested || log[0].Detail != "throttled" {
			t.Errorf("last audit entry %+v, want a throttled reset request", log)
		}
		w.app.Clock.Advance(time.Hour)
		w.requestCode(t, w.browser("acme.localhost", "198.51.100.99"), w.peter.Email)
		if n := len(w.resetEmails(t, w.actx, w.peter.Email)); n != 6 {
			t.Errorf("an hour later: got %d emails, want 6", n)
		}
	})

	t.Run("per client address across emails", func(t *testing.T) {
		w.app.Clock.Advance(time.Hour)
		b := w.browser("acme.localhost", "192.0.2.77")
		for i := 0; i < 20; i++ {
			w.requestCode(t, b, "someone"+strings.Repeat("x", i)+"@initech.test")
		}
		before := len(w.resetEmails(t, w.actx, w.peter.Email))
		w.requestCode(t, b, w.peter.Email)
		if n := len(w.resetEmails(t, w.actx, w.peter.Email)); n != before {
			t.Errorf("got %d emails, want still %d", n, before)
		}
		w.requestCode(t, w.browser("acme.localhost", "192.0.2.78"), w.peter.Email)
		if n := len(w.resetEmails(t, w.actx, w.peter.Email)); n != before+1 {
			t.Errorf("from another address: got %d emails, want %d", n, before+1)
		}
	})

	t.Run("wrong codes per client address", func(t *testing.T) {
		b := w.browser("acme.localhost", "192.0.2.90")
		status := 0
		for i := 0; i < 60 && status != http.StatusTooManyRequests; i++ {
			status, _ = confirmReset(t, b, "nobody@initech.test", "00000000", "long-enough-pass")
		}
		if status != http.StatusTooManyRequests {
			t.Errorf("got %d after 60 wrong codes, want 429", status)
		}
	})
}

func TestPasswordReset_Pages(t *testing.T) {
	w := newResetWorld(t)
	de := locales.For("de")
	b := w.browser("acme.localhost", "198.51.100.50")
	b.Header.Set("Accept-Language", "de")

	_, doc := b.Page(t, "/login")
	if a := doc.Find(`a[href="/forgot-password"]`); strings.TrimSpace(a.Text()) != de.T("reset.forgot_link") {
		t.Errorf("login page forgot link: got %q", a.Text())
	}

	rec, doc := b.Page(t, "/forgot-password")
	if rec.Code != http.StatusOK || doc.Find(`form[action="/forgot-password"] input[name=email]`).Length() != 1 || doc.Find("h1").Text() != de.T("reset.forgot_title") {
		t.Fatalf("forgot page: got %d %q", rec.Code, doc.Find("h1").Text())
	}

	t.Run("a malformed email is pointed out", func(t *testing.T) {
		rec, doc := b.SubmitPage(t, "/forgot-password", url.Values{"email": {"peter"}})
		if rec.Code != http.StatusUnprocessableEntity || doc.Find("#f-email-error").Text() != de.T("error.email_format") {
			t.Errorf("got %d %q", rec.Code, doc.Find("#f-email-error").Text())
		}
	})

	var code string
	t.Run("asking for a code leads to the code form", func(t *testing.T) {
		res := b.Submit(t, "/forgot-password", url.Values{"email": {"peter@initech.test"}}).Result()
		loc := res.Header.Get("Location")
		if res.StatusCode != http.StatusSeeOther || loc != "/reset-password?sent=1&email=peter%40initech.test" {
			t.Fatalf("got %d → %q", res.StatusCode, loc)
		}
		emails := w.resetEmails(t, w.actx, w.peter.Email)
		if len(emails) != 1 {
			t.Fatalf("got %d emails, want 1", len(emails))
		}
		code = codeRE.FindString(emails[0].TextBody)
		rec, doc := b.Page(t, loc)
		if v, _ := doc.Find("input[name=email]").Attr("value"); rec.Code != http.StatusOK || v != "peter@initech.test" {
			t.Errorf("code form: got %d, email %q", rec.Code, v)
		}
		if got := strings.TrimSpace(doc.Find("[role=status]").Text()); got != de.T("reset.sent", map[string]any{"Minutes": 15}) {
			t.Errorf("notice %q", got)
		}
		if ac, _ := doc.Find("input[name=code]").Attr("autocomplete"); ac != "one-time-code" {
			t.Errorf("code autocomplete %q", ac)
		}
	})

	form := func(code, pw, confirm string) url.Values {
		return url.Values{"email": {"peter@initech.test"}, "code": {code}, "password": {pw}, "password_confirm": {confirm}}
	}
	t.Run("a wrong code shows a localised alert", func(t *testing.T) {
		rec, doc := b.SubmitPage(t, "/reset-password", form(wrong(code), "brand-new-pass-42", "brand-new-pass-42"))
		if rec.Code != http.StatusBadRequest || strings.TrimSpace(doc.Find("[role=alert]").Text()) != de.T("error.reset_code_invalid") {
			t.Errorf("got %d %q", rec.Code, doc.Find("[role=alert]").Text())
		}
	})
	t.Run("a mismatched confirmation is pointed out", func(t *testing.T) {
		rec, doc := b.SubmitPage(t, "/reset-password", form(code, "brand-new-pass-42", "brand-new-pass-43"))
		if rec.Code != http.StatusUnprocessableEntity || doc.Find("#f-password_confirm-error").Text() != de.T("error.password_mismatch") {
			t.Errorf("got %d %q", rec.Code, doc.Find("#f-password_confirm-error").Text())
		}
	})
	t.Run("the right code sets the password and leads to sign-in", func(t *testing.T) {
		res := b.Submit(t, "/reset-password", form(code, "brand-new-pass-42", "brand-new-pass-42")).Result()
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login?notice=password_reset" {
			t.Fatalf("got %d → %q", res.StatusCode, res.Header.Get("Location"))
		}
		_, doc := b.Page(t, "/login?notice=password_reset")
		if got := strings.TrimSpace(doc.Find("[role=status]").Text()); got != de.T("reset.done") {
			t.Errorf("login notice %q", got)
		}
		if res := signIn(t, b, "peter@initech.test", "brand-new-pass-42"); res.StatusCode != http.StatusSeeOther {
			t.Errorf("sign in with the new password: got %d", res.StatusCode)
		}
	})
	t.Run("signed in, the reset pages lead to the password page", func(t *testing.T) {
		for _, path := range []string{"/forgot-password", "/reset-password"} {
			if res := b.Get(t, path).Result(); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/profile/password" {
				t.Errorf("%s: got %d → %q", path, res.StatusCode, res.Header.Get("Location"))
			}
		}
	})
}
