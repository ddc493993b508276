package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/store"
	"github.com/svcportal/svcportal/testkit"
)

func TestMailIngestCommand(t *testing.T) {
	env := testEnv(t)
	if code, _, stderr := runCmd(t, context.Background(), env, "tenant", "create", "--slug", "acme", "--name", "Acme",
		"--admin-email", "admin@acme.test", "--admin-password", "a-long-password"); code != 0 {
		t.Fatalf("tenant create: %s", stderr)
	}
	st, err := store.Open(context.Background(), env["PORTAL_DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	tn, err := st.TenantBySlug(context.Background(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	ctx := svcportal.WithTenant(context.Background(), tn)
	testkit.Contact(ctx, t, st, "peter@initech.test", testkit.Site(ctx, t, st, "Initech"), svcportal.RoleMember)
	st.Close()

	ingest := func(msg string, args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := runWithInput(context.Background(), append([]string{"mail", "ingest"}, args...), func(k string) string { return env[k] },
			strings.NewReader(msg), &out, &errb)
		return code, out.String(), errb.String()
	}
	msg := "From: peter@initech.test\r\nSubject: Piped in\r\nMessage-ID: <pipe-1@initech.test>\r\n\r\nFrom the MTA.\r\n"
	if code, out, stderr := ingest(msg, "--tenant", "acme"); code != 0 || !strings.Contains(out, `"outcome":"created"`) || !strings.Contains(out, `"ticket_number":1`) {
		t.Fatalf("ingest: %d %q %q", code, out, stderr)
	}
	if code, out, _ := ingest(msg, "--tenant", "acme"); code != 0 || !strings.Contains(out, `"outcome":"duplicate"`) {
		t.Errorf("the same message piped twice: %d %q", code, out)
	}
	unknown := strings.Replace(strings.Replace(msg, "peter@initech.test", "mallory@evil.test", 1), "pipe-1", "pipe-2", 1)
	if code, _, stderr := ingest(unknown, "--tenant", "acme"); code != 1 || !strings.Contains(stderr, "refused_unknown_sender") {
		t.Errorf("unknown sender: %d %q, want 1 and the reason", code, stderr)
	}
	if code, _, stderr := ingest("not a message", "--tenant", "acme"); code != 1 || stderr == "" {
		t.Errorf("garbage: %d %q, want 1", code, stderr)
	}
	if code, _, stderr := ingest(msg); code != 2 || !strings.Contains(stderr, "--tenant is required") {
		t.Errorf("no tenant: %d %q", code, stderr)
	}
	if code, _, stderr := ingest(msg, "--tenant", "nope"); code != 1 || !strings.Contains(stderr, `no tenant "nope"`) {
		t.Errorf("unknown tenant: %d %q", code, stderr)
	}
}
