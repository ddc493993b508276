package portal_test

import (
	"context"
	"strings"
	"testing"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/mail"
)

// rawOutbox reads the outbox rows as stored, bypassing the store's
// decryption.
func rawOutbox(t *testing.T, w *resetWorld) []struct{ Subject, TextBody, HTMLBody, Status string } {
	t.Helper()
	var rows []struct{ Subject, TextBody, HTMLBody, Status string }
	if err := w.app.Store.DB().NewRaw("SELECT subject, text_body, html_body, status FROM outbound_emails ORDER BY id").
		Scan(context.Background(), &rows); err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestOutbox_SecretsAtRest: a reset code and a welcome link are never in
// the outbox table in clear: bodies are sealed with the server key while
// the message waits, and emptied once it is delivered.
func TestOutbox_SecretsAtRest(t *testing.T) {
	w := newResetWorld(t)
	code := w.requestCode(t, w.browser("acme.localhost", "198.51.100.60"), "peter@initech.test")
	if len(code) != 8 {
		t.Fatalf("no code in the decrypted email: %q", code)
	}
	if err := w.app.Accounts.SendWelcome(w.actx, nil, w.peter.ID); err != nil {
		t.Fatal(err)
	}
	welcome, err := w.app.Store.Emails(w.actx, svcportal.EmailFilter{Kind: svcportal.EmailWelcome})
	if err != nil || len(welcome) != 1 {
		t.Fatalf("welcome: %v %v", welcome, err)
	}
	link := linkRE.FindString(welcome[0].TextBody)
	if !strings.Contains(link, "token=") {
		t.Fatalf("no link in the decrypted welcome email: %q", welcome[0].TextBody)
	}
	token := link[strings.Index(link, "token=")+len("token="):]

	pending := rawOutbox(t, w)
	if len(pending) != 2 {
		t.Fatalf("%d rows, want 2", len(pending))
	}
	for _, r := range pending {
		for _, body := range []string{r.TextBody, r.HTMLBody} {
			if strings.Contains(body, code) || strings.Contains(body, token) || !strings.HasPrefix(body, "enc:v1:") {
				t.Errorf("a pending body is stored in clear: %.80q", body)
			}
		}
	}

	worker := mail.NewWorker(w.app.Store, &mail.FileTransport{Dir: t.TempDir(), From: "no-reply@localhost"}, nil, w.app.Clock.Now)
	if n, err := worker.RunOnce(context.Background()); err != nil || n != 2 {
		t.Fatalf("delivered %d: %v", n, err)
	}
	for _, r := range rawOutbox(t, w) {
		if r.Status != svcportal.EmailSent || r.TextBody != "" || r.HTMLBody != "" || r.Subject == "" {
			t.Errorf("a delivered row keeps its body: %+v", r)
		}
	}
}

// TestOIDC_ClientSecretAtRest: the identity provider's client secret is
// sealed with the server key in the database, and still works.
func TestOIDC_ClientSecretAtRest(t *testing.T) {
	w := newResetWorld(t)
	o := &svcportal.TenantOIDC{Issuer: "https://login.initech.example", ClientID: "portal", ClientSecret: "s3cret-value", Label: "Initech ID"}
	if err := w.app.Store.PutTenantOIDC(w.actx, o); err != nil {
		t.Fatal(err)
	}
	var raw string
	if err := w.app.Store.DB().NewRaw("SELECT client_secret FROM tenant_oidc").Scan(context.Background(), &raw); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(raw, "s3cret-value") || !strings.HasPrefix(raw, "enc:v1:") {
		t.Errorf("client secret stored as %q", raw)
	}
	got, err := w.app.Store.TenantOIDC(w.actx)
	if err != nil || got.ClientSecret != "s3cret-value" {
		t.Errorf("read back %+v %v", got, err)
	}
	// Sealed for one tenant, it opens for no other.
	if _, err := w.app.Store.DB().NewRaw("INSERT INTO tenant_oidc (tenant_id, issuer, client_id, client_secret, label, allow_create, updated_at) SELECT t.id, 'https://x.example', 'c', ?, 'x', ?, ? FROM tenants AS t WHERE t.slug = 'globex'",
		raw, false, w.app.Clock.Now()).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := w.app.Store.TenantOIDC(w.gctx); err == nil {
		t.Error("acme's sealed secret opened as globex's")
	}
}
