package store_test

import (
	"context"
	"testing"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/store"
	"github.com/svcportal/svcportal/testkit"
)

func credentialEmail(kind, to string) *svcportal.OutboundEmail {
	return &svcportal.OutboundEmail{Kind: kind, ToAddress: to, Subject: "s", TextBody: "body"}
}

func TestCredentialStore_ResetCodesAndLinks(t *testing.T) {
	clock := testkit.NewClock()
	st := testkit.Store(t, store.WithClock(clock.Now))
	actx, _ := testkit.Tenant(t, st, "acme")
	gctx, _ := testkit.Tenant(t, st, "globex")
	peter := testkit.Contact(actx, t, st, "peter@initech.test", testkit.Site(actx, t, st, "Initech"), svcportal.RoleMember)
	count := func(ctx context.Context, kind string) int {
		t.Helper()
		emails, err := st.Emails(ctx, svcportal.EmailFilter{Kind: kind})
		if err != nil {
			t.Fatal(err)
		}
		return len(emails)
	}
	newCode := func() *svcportal.ResetCode {
		return &svcportal.ResetCode{ContactID: peter.ID, CodeHash: "h", ExpiresAt: clock.Now().Add(svcportal.ResetCodeTTL)}
	}

	t.Run("code and email are written together or not at all", func(t *testing.T) {
		bad := credentialEmail(svcportal.EmailResetCode, "peter@initech.test")
		bad.Subject = ""
		if err := st.CreateResetCode(actx, newCode(), bad); svcportal.KindOf(err) != svcportal.KindUnprocessable {
			t.Fatalf("invalid email: got %v, want KindUnprocessable", err)
		}
		if _, err := st.ClaimResetAttempt(actx, peter.ID, clock.Now()); svcportal.KindOf(err) != svcportal.KindNotFound {
			t.Errorf("code kept without its email: %v", err)
		}
		if err := st.CreateResetCode(actx, newCode(), credentialEmail(svcportal.EmailResetCode, "peter@initech.test")); err != nil {
			t.Fatal(err)
		}
		if n := count(actx, svcportal.EmailResetCode); n != 1 {
			t.Errorf("got %d emails, want 1", n)
		}
	})

	t.Run("another tenant can neither create, claim nor use the code", func(t *testing.T) {
		if err := st.CreateResetCode(gctx, newCode(), credentialEmail(svcportal.EmailResetCode, "peter@initech.test")); svcportal.KindOf(err) != svcportal.KindNotFound {
			t.Errorf("create for another tenant's contact: got %v, want KindNotFound", err)
		}
		if n := count(gctx, svcportal.EmailResetCode); n != 0 {
			t.Errorf("globex got %d emails, want 0", n)
		}
		if _, err := st.ClaimResetAttempt(gctx, peter.ID, clock.Now()); svcportal.KindOf(err) != svcportal.KindNotFound {
			t.Errorf("claim from globex: got %v, want KindNotFound", err)
		}
		rc, err := st.ClaimResetAttempt(actx, peter.ID, clock.Now())
		if err != nil || rc.Attempts != 1 {
			t.Fatalf("claim: got %+v, %v", rc, err)
		}
		if err := st.ResetPassword(gctx, rc.ID, peter.ID, "x"); svcportal.KindOf(err) != svcportal.KindNotFound {
			t.Errorf("use from globex: got %v, want KindNotFound", err)
		}
	})

	t.Run("a code allows five tries", func(t *testing.T) {
		for i := 2; i <= svcportal.ResetCodeMaxAttempts; i++ {
			if rc, err := st.ClaimResetAttempt(actx, peter.ID, clock.Now()); err != nil || rc.Attempts != i {
				t.Fatalf("try %d: got %+v, %v", i, rc, err)
			}
		}
		if _, err := st.ClaimResetAttempt(actx, peter.ID, clock.Now()); svcportal.KindOf(err) != svcportal.KindNotFound {
			t.Errorf("sixth try: got %v, want KindNotFound", err)
		}
	})

	t.Run("links are the tenant's own and work once", func(t *testing.T) {
		l := &svcportal.PasswordLink{ContactID: peter.ID, TokenHash: "link-hash", ExpiresAt: clock.Now().Add(svcportal.PasswordLinkTTL)}
		if err := st.CreatePasswordLink(actx, l, credentialEmail(svcportal.EmailWelcome, "peter@initech.test")); err != nil {
			t.Fatal(err)
		}
		if _, err := st.PasswordLink(gctx, "link-hash", clock.Now()); svcportal.KindOf(err) != svcportal.KindNotFound {
			t.Errorf("read from globex: got %v, want KindNotFound", err)
		}
		if err := st.UsePasswordLink(gctx, l.ID, "x"); svcportal.KindOf(err) != svcportal.KindNotFound {
			t.Errorf("use from globex: got %v, want KindNotFound", err)
		}
		if _, err := st.PasswordLink(actx, "link-hash", clock.Now().Add(svcportal.PasswordLinkTTL)); svcportal.KindOf(err) != svcportal.KindNotFound {
			t.Errorf("read at expiry: got %v, want KindNotFound", err)
		}
		if err := st.UsePasswordLink(actx, l.ID, "new-hash"); err != nil {
			t.Fatal(err)
		}
		if err := st.UsePasswordLink(actx, l.ID, "newer-hash"); svcportal.KindOf(err) != svcportal.KindNotFound {
			t.Errorf("second use: got %v, want KindNotFound", err)
		}
		if c, _ := st.Contact(actx, peter.ID); c.PasswordHash != "new-hash" {
			t.Errorf("password hash %q, want new-hash", c.PasswordHash)
		}
	})
}
