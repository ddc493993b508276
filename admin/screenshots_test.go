package admin_test

import (
	"bytes"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	cdp "github.com/chromedp/chromedp"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/fields"
	"github.com/svcportal/svcportal/testkit"
)

// TestConsoleScreenshots drives real Chromium through the console's
// sites, contacts, import (with its progress and report), fields, team
// (an invitation pending), tokens and audit pages at a desktop
// width of 1280 px, checking each renders, and takes a full-page
// screenshot of each. They are written to docs/screenshots when
// SCREENSHOTS_UPDATE=1 (regenerate them with
// `SCREENSHOTS_UPDATE=1 go test ./admin -run TestConsoleScreenshots`),
// else to a temporary folder.
func TestConsoleScreenshots(t *testing.T) {
	dir := t.TempDir()
	if os.Getenv("SCREENSHOTS_UPDATE") == "1" {
		dir = filepath.Join("..", "docs", "screenshots")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	app := testkit.NewApp(t)
	ctx, _ := testkit.Tenant(t, app.Store, "acme")
	if err := app.Policies.SeedDefaults(ctx); err != nil {
		t.Fatal(err)
	}
	admin, _ := app.Store.StaffByEmail(ctx, "admin@acme.test")
	admin.Name = "Ada Admin"
	app.Store.UpdateStaff(ctx, admin)
	initech, umbrella := testkit.Site(ctx, t, app.Store, "Initech"), testkit.Site(ctx, t, app.Store, "Umbrella")
	testkit.Site(ctx, t, app.Store, "Hooli Europe")
	var peter *svcportal.Contact
	for i, c := range []struct{ email, first, last, role string }{
		{"peter@initech.test", "Peter", "Gibbons", svcportal.RoleMember}, {"milton@initech.test", "Milton", "Waddams", svcportal.RoleMember},
		{"bill@initech.test", "Bill", "Lumbergh", svcportal.RoleSiteManager}, {"alice@umbrella.test", "Alice", "Abernathy", svcportal.RoleMember},
	} {
		site := initech
		if i == 3 {
			site = umbrella
		}
		contact := testkit.Contact(ctx, t, app.Store, c.email, site, c.role)
		contact.FirstName, contact.LastName, contact.JobTitle = c.first, c.last, "Engineer"
		if err := app.Store.UpdateContact(ctx, contact); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			peter = contact
		}
	}
	if _, err := app.Tickets.Create(ctx, &svcportal.Principal{Kind: svcportal.PrincipalContact, Contact: peter},
		svcportal.NewTicket{Title: "Printer jams", Description: "On floor 3"}); err != nil {
		t.Fatal(err)
	}
	fs := fields.New(app.Store)
	for _, f := range []struct {
		field svcportal.TicketField
		modes [2]svcportal.FieldMode
	}{
		{svcportal.TicketField{Key: "asset_tag", Type: svcportal.FieldText, Labels: map[string]string{"en": "Asset tag", "fr": "Numéro d’inventaire"}},
			[2]svcportal.FieldMode{svcportal.FieldEditable, svcportal.FieldEditable}},
		{svcportal.TicketField{Key: "contract", Type: svcportal.FieldDropdown, Labels: map[string]string{"en": "Contract"},
			Options: []svcportal.FieldOption{{Value: "basic", Labels: map[string]string{"en": "Basic"}}, {Value: "premium", Labels: map[string]string{"en": "Premium"}}}},
			[2]svcportal.FieldMode{svcportal.FieldViewOnly, svcportal.FieldEditable}},
		{svcportal.TicketField{Key: "internal_cost", Type: svcportal.FieldNumber, Labels: map[string]string{"en": "Internal cost"}},
			[2]svcportal.FieldMode{svcportal.FieldHidden, svcportal.FieldHidden}},
	} {
		f := f
		if err := fs.CreateField(ctx, &f.field, svcportal.PolicyRule{Role: svcportal.RoleMember, Mode: f.modes[0]},
			svcportal.PolicyRule{Role: svcportal.RoleSiteManager, Mode: f.modes[1]}); err != nil {
			t.Fatal(err)
		}
	}
	if err := fs.PutRule(ctx, svcportal.PolicyRule{Role: svcportal.RoleMember, SiteID: umbrella.ID, Field: "contract", Mode: svcportal.FieldHidden}); err != nil {
		t.Fatal(err)
	}
	if _, err := app.Accounts.CreateAPIToken(ctx, "admin@acme.test", "Billing sync"); err != nil {
		t.Fatal(err)
	}
	csv := filepath.Join(t.TempDir(), "contacts.csv")
	os.WriteFile(csv, []byte("\xef\xbb\xbfemail;first_name;last_name;site;role\r\nsamir@initech.test;Samir;Nagheenanajar;Initech;member\r\n"+
		"bad-address;Bob;Slydell;Initech;member\r\nmichael@initech.test;Michael;Bolton;Initrode;member\r\n"), 0o600)

	base := "http://acme.localhost:" + app.Serve(t)
	b := testkit.Chromium(t)
	do := func(steps ...cdp.Action[cdp.Void]) {
		t.Helper()
		if err := cdp.Do(b, steps...); err != nil {
			t.Fatal(err)
		}
	}
	do(cdp.EmulateViewport(1280, 900),
		cdp.Navigate(base+"/admin/login"),
		cdp.WaitVisible(cdp.CSS("#f-email")),
		cdp.SendKeys(cdp.CSS("#f-email"), "admin@acme.test"),
		cdp.SendKeys(cdp.CSS("#f-password"), testkit.Password),
		cdp.Submit(cdp.CSS("#f-password")),
		cdp.WaitVisible(cdp.CSS("[data-testid=logout]"))) // the login page has the navigation too
	shoot := func(name string, steps ...cdp.Action[cdp.Void]) {
		t.Helper()
		do(steps...)
		img, err := cdp.Run(b, cdp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		cfg, err := png.DecodeConfig(bytes.NewReader(img))
		if err != nil || cfg.Width != 1280 {
			t.Fatalf("%s: not a 1280 px wide PNG (%v, %d)", name, err, cfg.Width)
		}
		if err := os.WriteFile(filepath.Join(dir, "console-"+name+".png"), img, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	shoot("sites", cdp.Navigate(base+"/admin/sites"), cdp.WaitVisible(cdp.CSS("table[data-testid=sites]")))
	shoot("site", cdp.Navigate(fmt.Sprintf("%s/admin/sites/%d", base, initech.ID)), cdp.WaitVisible(cdp.CSS("[data-testid=site-contacts]")))
	shoot("contacts", cdp.Navigate(base+"/admin/contacts"), cdp.WaitVisible(cdp.CSS("table[data-testid=contacts]")))
	shoot("contact", cdp.Navigate(fmt.Sprintf("%s/admin/contacts/%d", base, peter.ID)), cdp.WaitVisible(cdp.CSS("[data-testid=contact-form]")))
	shoot("contact-delete", cdp.Navigate(fmt.Sprintf("%s/admin/contacts/%d/delete", base, peter.ID)), cdp.WaitVisible(cdp.CSS("[data-testid=delete-impact]")))
	shoot("contacts-import", cdp.Navigate(base+"/admin/contacts/import"), cdp.WaitVisible(cdp.CSS("[data-testid=import-form]")))
	shoot("contacts-import-report", cdp.SetUploadFiles(cdp.CSS("#f-file"), []string{csv}), cdp.Click(cdp.CSS("#f-send_welcome")),
		cdp.Submit(cdp.CSS("#f-file")), cdp.WaitVisible(cdp.CSS("table[data-testid=refused]")))
	// An import under way, as its page shows it (its progress held still).
	running := &svcportal.ContactImport{FileName: "contacts-2026.csv", Total: 2400}
	if err := app.Store.StartContactImport(ctx, running, app.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	if err := app.Store.ContactImportProgress(ctx, running.ID, 1530); err != nil {
		t.Fatal(err)
	}
	shoot("contacts-import-progress", cdp.Navigate(fmt.Sprintf("%s/admin/contacts/import/%d", base, running.ID)), cdp.WaitVisible(cdp.CSS("progress[data-testid=bar]")))
	// The page's script follows the import in place, then shows the report.
	if _, err := cdp.Run(b, cdp.Evaluate[int](`window.sameDocument = 1`)); err != nil {
		t.Fatal(err)
	}
	if err := app.Store.ContactImportProgress(ctx, running.ID, 2000); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		got, err := cdp.Run(b, cdp.Evaluate[string](`(window.sameDocument ? "same " : "reloaded ") + document.querySelector("[data-testid=progress-text]").textContent + " " + document.querySelector("progress").value`))
		if err == nil && got == "same Rows done: 2,000 of 2,400 (83%) 2000" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the progress on the page: %q %v", got, err)
		}
	}
	if err := app.Store.FinishContactImport(ctx, running.ID, svcportal.ImportDone, 2400, &svcportal.ContactImportReport{Rows: 2400, Created: 2400}); err != nil {
		t.Fatal(err)
	}
	do(cdp.WaitVisible(cdp.CSS("[data-testid=report] [data-testid=all-imported]")))
	shoot("fields", cdp.Navigate(fmt.Sprintf("%s/admin/fields?preview_site=%d", base, umbrella.ID)), cdp.WaitVisible(cdp.CSS("[data-testid=preview]")))
	shoot("field", cdp.Navigate(base+"/admin/fields/contract/edit"), cdp.WaitVisible(cdp.CSS("[data-testid=field-form]")))
	if _, err := app.Accounts.InviteStaff(ctx, &svcportal.Principal{Kind: svcportal.PrincipalStaff, Staff: admin},
		svcportal.StaffInvite{Email: "nina@acme.test", Name: "Nina Newhire", Role: svcportal.StaffAgent, Locale: "fr"}); err != nil {
		t.Fatal(err)
	}
	shoot("staff", cdp.Navigate(base+"/admin/staff"), cdp.WaitVisible(cdp.CSS("form[data-testid=resend]")))
	shoot("tokens", cdp.Navigate(base+"/admin/tokens"), cdp.WaitVisible(cdp.CSS("#f-name")),
		cdp.SendKeys(cdp.CSS("#f-name"), "Monitoring"), cdp.Submit(cdp.CSS("#f-name")), cdp.WaitVisible(cdp.CSS("[data-testid=new-token]")))
	shoot("audit", cdp.Navigate(base+"/admin/audit"), cdp.WaitVisible(cdp.CSS("table[data-testid=audit]")))
}
