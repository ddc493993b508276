package accounts_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/accounts"
	"github.com/svcportal/svcportal/mail"
	"github.com/svcportal/svcportal/password"
	"github.com/svcportal/svcportal/store"
	"github.com/svcportal/svcportal/testkit"
)

type fixture struct {
	st      *store.Store
	clock   *testkit.Clock
	svc     *accounts.Service
	ctx     context.Context
	tenant  *svcportal.Tenant
	contact *svcportal.Contact
}

func setup(t *testing.T) *fixture {
	t.Helper()
	clock := testkit.NewClock()
	st := testkit.Store(t, store.WithClock(clock.Now))
	ctx, tn := testkit.Tenant(t, st, "acme")
	site := testkit.Site(ctx, t, st, "Initech")
	c := testkit.Contact(ctx, t, st, "peter@initech.test", site, svcportal.RoleMember)
	return &fixture{st: st, clock: clock, svc: accounts.New(st, clock.Now), ctx: ctx, tenant: tn, contact: c}
}

func creds(email, pw, ip string) svcportal.Credentials {
	return svcportal.Credentials{Kind: svcportal.PrincipalContact, Email: email, Password: pw, IP: ip, UserAgent: "test"}
}

func wantKind(t *testing.T, err error, k svcportal.Kind) {
	t.Helper()
	if svcportal.KindOf(err) != k {
		t.Fatalf("got error %v, want kind %v", err, k)
	}
}

func TestLogin(t *testing.T) {
	f := setup(t)

	t.Run("right password, any case of email", func(t *testing.T) {
		p, token, err := f.svc.Login(f.ctx, creds("PETER@Initech.test", testkit.Password, "10.0.0.1"))
		if err != nil {
			t.Fatal(err)
		}
		if p.Contact.ID != f.contact.ID || token == "" || p.Session.CSRFToken == "" || p.Session.ID == token {
			t.Errorf("got %+v token %q: want the contact, a token, a CSRF token, and only the token's hash stored", p.Session, token)
		}
		got, err := f.svc.Authenticate(f.ctx, svcportal.PrincipalContact, token)
		if err != nil || got.Contact.ID != f.contact.ID {
			t.Errorf("Authenticate: %v, %v", got, err)
		}
		if _, err := f.svc.Authenticate(f.ctx, svcportal.PrincipalStaff, token); svcportal.KindOf(err) != svcportal.KindUnauthorized {
			t.Errorf("contact token accepted as staff: %v", err)
		}
	})

	t.Run("unknown email, wrong password and disabled account fail alike", func(t *testing.T) {
		disabled := testkit.Contact(f.ctx, t, f.st, "milton@initech.test", &svcportal.Site{ID: f.contact.Memberships[0].SiteID}, svcportal.RoleMember)
		disabled.Disabled = true
		if err := f.st.UpdateContact(f.ctx, disabled); err != nil {
			t.Fatal(err)
		}
		for _, cr := range []svcportal.Credentials{
			creds("nobody@initech.test", testkit.Password, "10.0.0.2"),
			creds("peter@initech.test", "wrong-password", "10.0.0.3"),
			creds("milton@initech.test", testkit.Password, "10.0.0.4"),
		} {
			_, _, err := f.svc.Login(f.ctx, cr)
			e, ok := err.(*svcportal.Error)
			if !ok || e.Kind != svcportal.KindUnauthorized || e.APICode() != "invalid_credentials" || e.MessageID != "error.login_failed" {
				t.Errorf("%s: got %v, want the one invalid_credentials error", cr.Email, err)
			}
		}
	})

	t.Run("audit log records logins and failures", func(t *testing.T) {
		log, err := f.st.AuditLog(f.ctx, 50)
		if err != nil {
			t.Fatal(err)
		}
		count := map[string]int{}
		for _, e := range log {
			count[e.Action]++
		}
		if count[svcportal.AuditLogin] != 1 || count[svcportal.AuditLoginFailed] != 3 {
			t.Errorf("got %v, want 1 login and 3 failures", count)
		}
	})
}

func TestLogin_Throttling(t *testing.T) {
	f := setup(t)
	attacker, user := "203.0.113.9", "198.51.100.7"
	for i := range 5 {
		if _, _, err := f.svc.Login(f.ctx, creds("peter@initech.test", "guess", attacker)); svcportal.KindOf(err) != svcportal.KindUnauthorized {
			t.Fatalf("guess %d: %v", i, err)
		}
	}
	_, _, err := f.svc.Login(f.ctx, creds("peter@initech.test", testkit.Password, attacker))
	e, ok := err.(*svcportal.Error)
	if !ok || e.Kind != svcportal.KindTooManyRequests || e.RetryAfter <= 0 || e.RetryAfter > 15*time.Minute+time.Second {
		t.Fatalf("6th try from the guessing address: got %v, want 429 with Retry-After within the window", err)
	}
	if _, _, err := f.svc.Login(f.ctx, creds("peter@initech.test", testkit.Password, user)); err != nil {
		t.Errorf("the real user at another address is locked out: %v", err)
	}
	f.clock.Advance(15 * time.Minute)
	if _, _, err := f.svc.Login(f.ctx, creds("peter@initech.test", testkit.Password, attacker)); err != nil {
		t.Errorf("after the window: %v", err)
	}

	t.Run("distributed guessing locks the account for one window only", func(t *testing.T) {
		for i := range 20 {
			f.svc.Login(f.ctx, creds("peter@initech.test", "guess", "192.0.2."+itoa(i)))
		}
		_, _, err := f.svc.Login(f.ctx, creds("peter@initech.test", testkit.Password, user))
		wantKind(t, err, svcportal.KindTooManyRequests)
		f.clock.Advance(15*time.Minute + time.Second)
		if _, _, err := f.svc.Login(f.ctx, creds("peter@initech.test", testkit.Password, user)); err != nil {
			t.Errorf("still locked after the window: %v", err)
		}
	})
	t.Run("throttling is per tenant", func(t *testing.T) {
		octx, _ := testkit.Tenant(t, f.st, "globex")
		site := testkit.Site(octx, t, f.st, "Hooli")
		testkit.Contact(octx, t, f.st, "peter@initech.test", site, svcportal.RoleMember)
		for range 5 {
			f.svc.Login(f.ctx, creds("peter@initech.test", "guess", "192.0.2.200"))
		}
		if _, _, err := f.svc.Login(octx, creds("peter@initech.test", testkit.Password, "192.0.2.200")); err != nil {
			t.Errorf("acme guesses lock out globex's account: %v", err)
		}
	})
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestSessions(t *testing.T) {
	f := setup(t)
	login := func() (*svcportal.Principal, string) {
		t.Helper()
		p, token, err := f.svc.Login(f.ctx, creds("peter@initech.test", testkit.Password, "10.0.0.1"))
		if err != nil {
			t.Fatal(err)
		}
		return p, token
	}

	t.Run("idle expiry, renewed by use, capped by absolute lifetime", func(t *testing.T) {
		_, token := login()
		for _, day := range []int{13, 26} { // used every 13 days: alive, past the 14-day idle limit
			f.clock.Advance(13 * 24 * time.Hour)
			if _, err := f.svc.Authenticate(f.ctx, svcportal.PrincipalContact, token); err != nil {
				t.Fatalf("used on day %d, expired: %v", day, err)
			}
		}
		f.clock.Advance(13 * 24 * time.Hour) // day 39: past the 30-day cap
		_, err := f.svc.Authenticate(f.ctx, svcportal.PrincipalContact, token)
		wantKind(t, err, svcportal.KindUnauthorized)

		_, idle := login()
		f.clock.Advance(accounts.IdleTimeout + time.Minute)
		_, err = f.svc.Authenticate(f.ctx, svcportal.PrincipalContact, idle)
		wantKind(t, err, svcportal.KindUnauthorized)
	})
	t.Run("logout ends the session", func(t *testing.T) {
		p, token := login()
		if err := f.svc.Logout(f.ctx, p); err != nil {
			t.Fatal(err)
		}
		_, err := f.svc.Authenticate(f.ctx, svcportal.PrincipalContact, token)
		wantKind(t, err, svcportal.KindUnauthorized)
	})
	t.Run("disabling the contact ends its sessions", func(t *testing.T) {
		_, token := login()
		c, _ := f.st.Contact(f.ctx, f.contact.ID)
		c.Disabled = true
		if err := f.st.UpdateContact(f.ctx, c); err != nil {
			t.Fatal(err)
		}
		_, err := f.svc.Authenticate(f.ctx, svcportal.PrincipalContact, token)
		wantKind(t, err, svcportal.KindUnauthorized)
		c.Disabled = false
		f.st.UpdateContact(f.ctx, c)
		_, err = f.svc.Authenticate(f.ctx, svcportal.PrincipalContact, token)
		wantKind(t, err, svcportal.KindUnauthorized) // gone for good, not suspended
	})
	t.Run("a token is worthless on another tenant", func(t *testing.T) {
		_, token := login()
		octx, _ := testkit.Tenant(t, f.st, "other")
		_, err := f.svc.Authenticate(octx, svcportal.PrincipalContact, token)
		wantKind(t, err, svcportal.KindUnauthorized)
	})
}

func TestChangePassword(t *testing.T) {
	f := setup(t)
	c, _ := f.st.Contact(f.ctx, f.contact.ID)
	c.MustChangePassword = true
	f.st.UpdateContact(f.ctx, c)
	p1, _, _ := f.svc.Login(f.ctx, creds("peter@initech.test", testkit.Password, "10.0.0.1"))
	_, other, _ := f.svc.Login(f.ctx, creds("peter@initech.test", testkit.Password, "10.0.0.2"))

	tests := []struct {
		name, current, next, field string
	}{
		{"wrong current", "nope-nope-nope", "brand-new-password", "current_password"},
		{"too short", testkit.Password, "short", "password"},
		{"same as before", testkit.Password, testkit.Password, "password"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := f.svc.ChangePassword(f.ctx, p1, tt.current, tt.next)
			e, ok := err.(*svcportal.Error)
			if !ok || e.Kind != svcportal.KindUnprocessable || e.Fields[tt.field].MessageID == "" {
				t.Fatalf("got %v, want a complaint about %s", err, tt.field)
			}
			if _, err := f.svc.Authenticate(f.ctx, svcportal.PrincipalContact, other); err != nil {
				t.Errorf("a refused change ended other sessions: %v", err)
			}
		})
	}
	t.Run("success", func(t *testing.T) {
		if err := f.svc.ChangePassword(f.ctx, p1, testkit.Password, "brand-new-password"); err != nil {
			t.Fatal(err)
		}
		got, _ := f.st.Contact(f.ctx, f.contact.ID)
		fresh, _ := f.st.ContactByEmail(f.ctx, "peter@initech.test")
		if got.MustChangePassword || !password.Verify(fresh.PasswordHash, "brand-new-password") {
			t.Error("flag not cleared or password not stored")
		}
		if _, err := f.svc.Authenticate(f.ctx, svcportal.PrincipalContact, other); svcportal.KindOf(err) != svcportal.KindUnauthorized {
			t.Errorf("other session survived: %v", err)
		}
		if _, err := f.svc.Authenticate(f.ctx, svcportal.PrincipalContact, tokenOf(t, f, p1)); err != nil {
			t.Errorf("the session that changed it was ended: %v", err)
		}
	})
}

// tokenOf cannot recover a token from a session (only its hash is kept),
// so it logs the principal's session id back in through the store.
func tokenOf(t *testing.T, f *fixture, p *svcportal.Principal) string {
	t.Helper()
	if _, err := f.st.Session(f.ctx, p.Session.ID, f.clock.Now()); err != nil {
		t.Fatalf("session %s gone: %v", p.Session.ID, err)
	}
	p2, token, err := f.svc.Login(f.ctx, creds("peter@initech.test", "brand-new-password", "10.0.0.9"))
	if err != nil || p2 == nil {
		t.Fatalf("login with new password: %v", err)
	}
	return token
}

func TestUpdateProfile(t *testing.T) {
	f := setup(t)
	f.tenant.EnabledLocales = []string{"en", "fr"}
	ctx := svcportal.WithTenant(context.Background(), f.tenant)
	p, _, _ := f.svc.Login(ctx, creds("peter@initech.test", testkit.Password, "10.0.0.1"))
	testkit.Contact(ctx, t, f.st, "bill@initech.test", &svcportal.Site{ID: f.contact.Memberships[0].SiteID}, svcportal.RoleSiteManager)
	str := func(s string) *string { return &s }

	bad := []struct {
		name  string
		u     svcportal.ProfileUpdate
		kind  svcportal.Kind
		field string
	}{
		{"invalid email", svcportal.ProfileUpdate{Email: str("peter at initech")}, svcportal.KindUnprocessable, "email"},
		{"empty email", svcportal.ProfileUpdate{Email: str(" ")}, svcportal.KindUnprocessable, "email"},
		{"unknown language", svcportal.ProfileUpdate{Locale: str("pt")}, svcportal.KindUnprocessable, "locale"},
		{"language the tenant does not offer", svcportal.ProfileUpdate{Locale: str("de")}, svcportal.KindUnprocessable, "locale"},
		{"too long", svcportal.ProfileUpdate{FirstName: str(string(make([]byte, 101)))}, svcportal.KindUnprocessable, "first_name"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.svc.UpdateProfile(ctx, p, tt.u)
			e, ok := err.(*svcportal.Error)
			if !ok || e.Kind != tt.kind || e.Fields[tt.field].MessageID == "" {
				t.Fatalf("got %v, want %v on %s", err, tt.kind, tt.field)
			}
			got, _ := f.st.Contact(ctx, f.contact.ID)
			if got.Email != "peter@initech.test" || got.Locale != "en" || got.FirstName != "" {
				t.Errorf("refused update changed the contact: %+v", got)
			}
		})
	}
	renderer, err := mail.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	svc := accounts.New(f.st, f.clock.Now, accounts.WithSecret([]byte(testkit.SecretKey)),
		accounts.WithMailer(renderer, func(*svcportal.Tenant) string { return "http://acme.localhost" }))
	t.Run("a taken email is answered like a free one, and changes nothing", func(t *testing.T) {
		c, err := svc.UpdateProfile(ctx, p, svcportal.ProfileUpdate{Email: str("BILL@initech.test")})
		if err != nil || c.Email != "peter@initech.test" || c.PendingEmail != "bill@initech.test" {
			t.Fatalf("got %+v %v, want the email pending", c, err)
		}
	})
	t.Run("valid update; the new email waits for its link", func(t *testing.T) {
		c, err := svc.UpdateProfile(ctx, p, svcportal.ProfileUpdate{FirstName: str(" Peter "), Email: str("Peter.Gibbons@Initech.test"), Locale: str("fr"), Phone: str("+1 555 0101")})
		if err != nil {
			t.Fatal(err)
		}
		if c.FirstName != "Peter" || c.Email != "peter@initech.test" || c.PendingEmail != "peter.gibbons@initech.test" || c.Locale != "fr" || c.Phone != "+1 555 0101" {
			t.Errorf("got %+v", c)
		}
		log, _ := f.st.AuditLog(ctx, 2)
		if len(log) != 2 || log[1].Action != svcportal.AuditProfileChanged || log[1].Detail != "first_name,phone,locale" ||
			log[0].Action != svcportal.AuditEmailChangeAsked {
			t.Errorf("audit: got %+v", log)
		}
	})
}

// BenchmarkLogin_Failure shows that a login for an unknown email costs
// what a wrong password costs, so response time tells an attacker
// nothing about which emails exist.
func BenchmarkLogin_Failure(b *testing.B) {
	for _, email := range []string{"peter@initech.test", "nobody@initech.test"} {
		b.Run(email, func(b *testing.B) {
			clock := testkit.NewClock()
			st := testkit.Store(b, store.WithClock(clock.Now))
			ctx, _ := testkit.Tenant(b, st, "acme")
			site := testkit.Site(ctx, b, st, "Initech")
			c := &svcportal.Contact{Email: "peter@initech.test", Memberships: []svcportal.Membership{{SiteID: site.ID, Role: svcportal.RoleMember}}}
			c.PasswordHash, _ = password.Hash(testkit.Password) // production cost, as the dummy hash has
			st.CreateContact(ctx, c)
			svc := accounts.New(st, clock.Now)
			i := 0
			for b.Loop() {
				i++
				svc.Login(ctx, creds(email, "wrong-password", "10.1."+itoa(i)))
				clock.Advance(time.Hour) // stay under the throttle
			}
		})
	}
}
