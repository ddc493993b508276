package portal_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/locales"
	"github.com/svcportal/svcportal/testkit"
	"github.com/svcportal/svcportal/web"
)

var confirmLinkRE = regexp.MustCompile(`http://acme\.localhost/confirm-email\?token=([A-Za-z0-9_-]{20,})`)

// emailChangeWorld: Peter's confidential ticket CCs boss@initech.test, who
// is no contact; Milton, a colleague of the same site, may not see it.
type emailChangeWorld struct {
	app    *testkit.App
	ctx    context.Context
	ticket int64
	milton *testkit.Browser
}

func newEmailChangeWorld(t *testing.T) *emailChangeWorld {
	t.Helper()
	app := testkit.NewApp(t)
	ctx, _ := testkit.Tenant(t, app.Store, "acme")
	site := testkit.Site(ctx, t, app.Store, "Initech")
	testkit.Contact(ctx, t, app.Store, "peter@initech.test", site, svcportal.RoleMember)
	testkit.Contact(ctx, t, app.Store, "milton@initech.test", site, svcportal.RoleMember)
	peter := app.NewBrowser("acme.localhost")
	apiLogin(t, peter, "peter@initech.test", testkit.Password)
	var tk struct {
		Number int64 `json:"number"`
	}
	if rec := peter.JSON(t, "POST", "/api/v1/tickets", map[string]any{"title": "Salaries 2026", "cc": []string{"boss@initech.test"}}, &tk); rec.Code != http.StatusCreated {
		t.Fatalf("create ticket: %d %s", rec.Code, rec.Body)
	}
	milton := app.NewBrowser("acme.localhost")
	milton.RemoteAddr = "198.51.100.80:1000"
	apiLogin(t, milton, "milton@initech.test", testkit.Password)
	return &emailChangeWorld{app: app, ctx: ctx, ticket: tk.Number, milton: milton}
}

func (w *emailChangeWorld) emails(t *testing.T, kind, to string) []svcportal.OutboundEmail {
	t.Helper()
	got, err := w.app.Store.Emails(w.ctx, svcportal.EmailFilter{Kind: kind, ToAddress: to})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func (w *emailChangeWorld) canSeeTicket(t *testing.T, b *testkit.Browser) bool {
	t.Helper()
	return b.Get(t, fmt.Sprintf("/api/v1/tickets/%d", w.ticket)).Code == http.StatusOK
}

func TestAPI_EmailChange(t *testing.T) {
	w := newEmailChangeWorld(t)
	var me svcportal.Contact

	// A request to an address another contact uses (Milton's) and one to a
	// free address (Samir's, also his first) get the same answer and do
	// the same writes.
	samir := w.app.NewBrowser("acme.localhost")
	samir.RemoteAddr = "198.51.100.81:1000"
	testkit.Contact(w.ctx, t, w.app.Store, "samir@initech.test", &svcportal.Site{ID: 1}, svcportal.RoleMember)
	apiLogin(t, samir, "samir@initech.test", testkit.Password)
	change := func(b *testkit.Browser, email string) (int, []string, map[string]int) {
		before := tableCounts(t, w.app.Store)
		var got map[string]any
		rec := b.JSON(t, "PATCH", "/api/v1/me", map[string]any{"email": email, "job_title": "Stapler keeper"}, &got)
		d := map[string]int{}
		for tb, n := range tableCounts(t, w.app.Store) {
			if n != before[tb] {
				d[tb] = n - before[tb]
			}
		}
		var keys []string
		for k := range got {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if got["pending_email"] != strings.ToLower(email) {
			t.Errorf("pending_email %v, want %s", got["pending_email"], strings.ToLower(email))
		}
		return rec.Code, keys, d
	}
	codeTaken, keysTaken, writesTaken := change(w.milton, "peter@initech.test")
	codeFree, keysFree, writesFree := change(samir, "Boss@Initech.test")

	t.Run("the answer does not tell whether the address is taken", func(t *testing.T) {
		if codeFree != http.StatusAccepted || codeTaken != codeFree || fmt.Sprint(keysTaken) != fmt.Sprint(keysFree) {
			t.Errorf("free: %d %v\ntaken: %d %v", codeFree, keysFree, codeTaken, keysTaken)
		}
		if fmt.Sprint(writesTaken) != fmt.Sprint(writesFree) || writesFree["email_changes"] != 1 || writesFree["outbound_emails"] != 2 {
			t.Errorf("writes free %v, taken %v: want the same, one change and two emails", writesFree, writesTaken)
		}
		if len(w.emails(t, svcportal.EmailChangeTaken, "peter@initech.test")) != 1 || len(w.emails(t, svcportal.EmailChangeConfirm, "peter@initech.test")) != 0 {
			t.Error("the owner of a taken address should be told someone tried, and get no link")
		}
	})
	// Milton now asks for the CC'd address himself.
	if code, _, _ := change(w.milton, "boss@initech.test"); code != http.StatusAccepted {
		t.Fatalf("change: %d", code)
	}

	t.Run("nothing changes before the link is followed", func(t *testing.T) {
		w.milton.JSON(t, "GET", "/api/v1/me", nil, &me)
		if me.Email != "milton@initech.test" || me.JobTitle != "Stapler keeper" {
			t.Errorf("me %q %q: want the old email and the new job title", me.Email, me.JobTitle)
		}
		if w.canSeeTicket(t, w.milton) {
			t.Error("Milton reads the ticket CC'd to the address he only asked for")
		}
		if n := len(w.emails(t, svcportal.EmailChangeNotice, "milton@initech.test")); n != 2 {
			t.Errorf("%d notices to the old address, want 2", n)
		}
	})

	sent := w.emails(t, svcportal.EmailChangeConfirm, "boss@initech.test")
	if len(sent) != 2 {
		t.Fatalf("%d confirmation emails to the new address, want 2 (Samir's, Milton's)", len(sent))
	}
	m := confirmLinkRE.FindStringSubmatch(sent[0].TextBody)
	if m == nil {
		t.Fatalf("no link in %q", sent[0].TextBody)
	}
	token := m[1]

	t.Run("only a hash of the token is stored", func(t *testing.T) {
		var hashes []string
		if err := w.app.Store.DB().NewRaw("SELECT token_hash FROM email_changes").Scan(context.Background(), &hashes); err != nil {
			t.Fatal(err)
		}
		for _, h := range hashes {
			if strings.Contains(h, token) {
				t.Errorf("token stored in clear: %q", h)
			}
		}
	})
	t.Run("following the link changes the email, once", func(t *testing.T) {
		anon := w.app.NewBrowser("acme.localhost")
		if rec := anon.JSON(t, "POST", "/api/v1/auth/email-change/confirm", map[string]string{"token": token}, nil); rec.Code != http.StatusNoContent {
			t.Fatalf("confirm: %d %s", rec.Code, rec.Body)
		}
		// Samir's older link to the same address now finds it taken.
		older := confirmLinkRE.FindStringSubmatch(sent[1].TextBody)[1]
		var e web.APIError
		if rec := anon.JSON(t, "POST", "/api/v1/auth/email-change/confirm", map[string]string{"token": older}, &e); rec.Code != http.StatusConflict {
			t.Errorf("a link to an address taken since: %d %+v, want 409", rec.Code, e)
		}
		w.milton.JSON(t, "GET", "/api/v1/me", nil, &me)
		if me.Email != "boss@initech.test" {
			t.Errorf("email %q after confirmation", me.Email)
		}
		if !w.canSeeTicket(t, w.milton) {
			t.Error("the verified owner of the CC'd address cannot read the ticket")
		}
		if rec := anon.JSON(t, "POST", "/api/v1/auth/email-change/confirm", map[string]string{"token": token}, &e); rec.Code != http.StatusBadRequest || e.Error.Code != "invalid_link" {
			t.Errorf("second use: %d %+v, want 400 invalid_link", rec.Code, e)
		}
	})
	t.Run("a link expires", func(t *testing.T) {
		w.milton.JSON(t, "PATCH", "/api/v1/me", map[string]any{"email": "milton.waddams@initech.test"}, nil)
		sent := w.emails(t, svcportal.EmailChangeConfirm, "milton.waddams@initech.test")
		if len(sent) != 1 {
			t.Fatalf("%d emails", len(sent))
		}
		w.app.Clock.Advance(svcportal.EmailChangeTTL + time.Minute)
		token := confirmLinkRE.FindStringSubmatch(sent[0].TextBody)[1]
		if rec := w.app.NewBrowser("acme.localhost").JSON(t, "POST", "/api/v1/auth/email-change/confirm", map[string]string{"token": token}, nil); rec.Code != http.StatusBadRequest {
			t.Errorf("expired link: %d, want 400", rec.Code)
		}
	})
}

// TestEmailChange_UnverifiedEmailSeesNoCC: a contact whose address was
// changed without verification (by an earlier version) gets nothing from
// the CC list until the address is verified again.
func TestEmailChange_UnverifiedEmailSeesNoCC(t *testing.T) {
	w := newEmailChangeWorld(t)
	if _, err := w.app.Store.DB().NewRaw("UPDATE contacts SET email = 'boss@initech.test', email_verified_at = NULL WHERE email = 'milton@initech.test'").
		Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	if w.canSeeTicket(t, w.milton) {
		t.Error("an unverified address opens a CC'd ticket")
	}
	var list struct {
		Total int `json:"total"`
	}
	w.milton.JSON(t, "GET", "/api/v1/tickets", nil, &list)
	if list.Total != 0 {
		t.Errorf("the list shows %d tickets, want 0", list.Total)
	}
}

func TestProfilePage_EmailChange(t *testing.T) {
	w := newEmailChangeWorld(t)
	b := w.app.NewBrowser("acme.localhost")
	if res := signIn(t, b, "milton@initech.test", testkit.Password); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in: %d", res.StatusCode)
	}
	b.Page(t, "/profile")
	rec := b.Submit(t, "/profile", url.Values{"first_name": {"Milton"}, "last_name": {""}, "job_title": {""}, "phone": {""}, "email": {"boss@initech.test"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("save: %d %s", rec.Code, rec.Body)
	}
	_, doc := b.Page(t, rec.Header().Get("Location"))
	if got, want := strings.TrimSpace(doc.Find("[data-testid=email-pending]").Text()), locales.For("en").T("profile.email_pending"); got != want {
		t.Errorf("notice %q, want %q (the contact reads English)", got, want)
	}
	if v, _ := doc.Find("input[name=email]").Attr("value"); v != "milton@initech.test" {
		t.Errorf("email field %q, want the unchanged address", v)
	}
	sent := w.emails(t, svcportal.EmailChangeConfirm, "boss@initech.test")
	if len(sent) != 1 {
		t.Fatalf("%d emails", len(sent))
	}
	link := confirmLinkRE.FindString(sent[0].TextBody)
	token := confirmLinkRE.FindStringSubmatch(link)[1]

	anon := w.app.NewBrowser("acme.localhost")
	anon.Header.Set("Accept-Language", "de")
	rec, doc = anon.Page(t, "/confirm-email?token="+token)
	if rec.Code != http.StatusOK || doc.Find("form[action='/confirm-email'] button").Length() != 1 {
		t.Fatalf("confirm page: %d", rec.Code)
	}
	rec = anon.Submit(t, "/confirm-email", url.Values{"token": {token}})
	if rec.Code != http.StatusSeeOther || !strings.Contains(rec.Header().Get("Location"), "notice=email_changed") {
		t.Fatalf("confirm: %d %q", rec.Code, rec.Header().Get("Location"))
	}
	rec, doc = anon.Page(t, "/confirm-email?token="+token)
	if rec.Code != http.StatusBadRequest || doc.Find("[data-testid=error-message]").Length() != 1 {
		t.Errorf("used link page: %d", rec.Code)
	}
}
