package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/store"
)

// TestContactsImportCommand: the CLI imports a spreadsheet's semicolon
// export with a byte-order mark, shows a progress bar, reports each
// refused row with its line, updates by email on a second run and queues
// welcome emails for the contacts it creates.
func TestContactsImportCommand(t *testing.T) {
	env := testEnv(t)
	ctx := context.Background()
	if code, _, stderr := runCmd(t, ctx, env, "tenant", "create", "--slug", "acme", "--name", "Acme",
		"--admin-email", "admin@acme.test", "--admin-password", "a-long-password"); code != 0 {
		t.Fatalf("tenant create: %s", stderr)
	}
	st, err := store.Open(ctx, env["PORTAL_DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tn, _ := st.TenantBySlug(ctx, "acme")
	tctx := svcportal.WithTenant(ctx, tn)
	for _, name := range []string{"Initech", "Umbrella"} {
		if err := st.CreateSite(tctx, &svcportal.Site{Name: name, KBEnabled: true}); err != nil {
			t.Fatal(err)
		}
	}
	file := filepath.Join(t.TempDir(), "contacts.csv")
	write := func(s string) {
		if err := os.WriteFile(file, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("\xef\xbb\xbfemail;first_name;last_name;site;role;locale;phone;job_title\r\n" +
		"peter@initech.test;Peter;\"Gibbons; Jr.\";Initech;member;fr;+33 1 23;Dev\r\n" +
		"bill@initech.test;Bill;Lumbergh;initech;site_manager;;;\r\n" +
		"not-an-email;X;;Initech;member;;;\r\n" +
		"nobody@x.test;;;Nowhere;member;;;\r\n")
	code, stdout, stderr := runCmd(t, ctx, env, "contacts", "import", "--tenant", "acme", "--file", file, "--send-welcome")
	if code != 0 {
		t.Fatalf("import: %d %q %q", code, stdout, stderr)
	}
	for _, want := range []string{"contacts  [##############################] 100% 4/4",
		"4 rows, 2 created, 0 updated, 0 unchanged, 2 refused, 2 welcome emails queued",
		"line 4 not-an-email [email]: Enter a valid email address.",
		"line 5 nobody@x.test [site]: There is no site named “Nowhere”."} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	peter, err := st.ContactByEmail(tctx, "peter@initech.test")
	if err != nil || peter.LastName != "Gibbons; Jr." || peter.Locale != "fr" || peter.Phone != "+33 1 23" || len(peter.Memberships) != 1 {
		t.Fatalf("peter: %+v %v", peter, err)
	}
	welcomes, _ := st.Emails(tctx, svcportal.EmailFilter{Kind: svcportal.EmailWelcome})
	if len(welcomes) != 2 {
		t.Errorf("welcome emails: %d, want 2", len(welcomes))
	}

	// A second file updates by email and adds a site; no new welcome.
	write("email,site,role,job_title\nPETER@initech.test,Umbrella,site_manager,Lead\nbill@initech.test,Initech,site_manager,\n")
	code, stdout, _ = runCmd(t, ctx, env, "contacts", "import", "--tenant", "acme", "--file", file, "--send-welcome")
	if code != 0 || !strings.Contains(stdout, "2 rows, 0 created, 1 updated, 1 unchanged, 0 refused, 0 welcome emails queued") {
		t.Fatalf("second import: %d %q", code, stdout)
	}
	peter, _ = st.ContactByEmail(tctx, "peter@initech.test")
	if peter.JobTitle != "Lead" || peter.FirstName != "Peter" || len(peter.Memberships) != 2 || peter.Memberships[1].Role != svcportal.RoleSiteManager {
		t.Errorf("peter after the update: %+v", peter)
	}
	for _, tt := range []struct{ args, want string }{
		{"contacts import --tenant acme", "--tenant and --file are required"},
		{"contacts import --tenant nope --file " + file, `no tenant "nope"`},
		{"contacts import --tenant acme --file /nonexistent.csv", "no such file"},
		{"contacts export", "usage: portal contacts import"},
	} {
		if code, _, stderr := runCmd(t, ctx, env, strings.Fields(tt.args)...); code != 2 || !strings.Contains(stderr, tt.want) {
			t.Errorf("%s: got %d %q, want %q", tt.args, code, stderr, tt.want)
		}
	}
	write("name,site\nx,y\n")
	if code, _, stderr := runCmd(t, ctx, env, "contacts", "import", "--tenant", "acme", "--file", file); code != 2 || !strings.Contains(stderr, "must name the columns") {
		t.Errorf("no email column: %d %q", code, stderr)
	}
}
