package admin_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdp "github.com/chromedp/chromedp"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/testkit"
)

// journey is one real Chromium on the test server, with the steps the
// console's journeys share: sign in and out on either side, read a text,
// evaluate a script, and check the page with axe-core (no serious or
// critical violation).
type journey struct {
	t    *testing.T
	b    context.Context
	base string
	axe  string
}

func newJourney(t *testing.T, app *testkit.App) *journey {
	t.Helper()
	j := &journey{t: t, axe: testkit.AxeSource(t), base: "http://acme.localhost:" + app.Serve(t)}
	j.b = testkit.ChromiumFor(t, 2*time.Minute)
	j.do(cdp.EmulateViewport(1280, 900))
	return j
}

func (j *journey) do(steps ...cdp.Action[cdp.Void]) {
	j.t.Helper()
	if err := cdp.Do(j.b, steps...); err != nil {
		j.t.Fatal(err)
	}
}

func (j *journey) text(sel string) string {
	j.t.Helper()
	s, err := cdp.Run(j.b, cdp.Text(cdp.CSS(sel)))
	if err != nil {
		j.t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

func (j *journey) count(sel string) int {
	j.t.Helper()
	n, err := cdp.Run(j.b, cdp.Evaluate[int](fmt.Sprintf("document.querySelectorAll(%q).length", sel)))
	if err != nil {
		j.t.Fatal(err)
	}
	return n
}

func (j *journey) eval(js string) string {
	j.t.Helper()
	s, err := cdp.Run(j.b, cdp.Evaluate[string](js, cdp.EvalAwaitPromise))
	if err != nil {
		j.t.Fatalf("%s: %v", js, err)
	}
	return s
}

// waitURL waits until the page's address contains part and its document
// is parsed: the address changes as the new document starts to load, and
// its body exists before the rest of it (a field queried right after was
// sometimes not there yet).
func (j *journey) waitURL(part string) {
	j.t.Helper()
	loaded := func() bool { // in one evaluation, of one document
		state, href, _ := strings.Cut(j.eval(`document.readyState + " " + location.href`), " ")
		return strings.Contains(href, part) && state != "loading"
	}
	for deadline := time.Now().Add(15 * time.Second); !loaded(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			j.t.Fatalf("still at %s, waiting for %q", j.eval("location.href"), part)
		}
	}
}

func (j *journey) axeCheck(page string) {
	j.t.Helper()
	res, err := testkit.Axe(j.b, j.axe)
	if err != nil {
		j.t.Fatalf("axe on %s: %v", page, err)
	}
	if res != "[]" {
		j.t.Errorf("axe on %s: serious or critical violations: %s", page, res)
	}
}

// signIn signs in on the console (path under /admin) or the portal.
func (j *journey) signIn(path, email string) {
	j.t.Helper()
	j.do(cdp.Navigate(j.base+path),
		cdp.WaitVisible(cdp.CSS("#f-email")),
		cdp.SendKeys(cdp.CSS("#f-email"), email),
		cdp.SendKeys(cdp.CSS("#f-password"), testkit.Password),
		cdp.Submit(cdp.CSS("#f-password")),
		cdp.WaitVisible(cdp.CSS("[data-testid=logout]")))
}

func (j *journey) signOut() {
	j.t.Helper()
	j.do(cdp.Click(cdp.CSS("[data-testid=logout]")), cdp.WaitVisible(cdp.CSS("#login-heading")))
}

// TestBrowser_AdminRebrandsThePortal: an admin gives the portal a new
// name, colour, footer and logo on the settings page; the portal's pages
// then carry them, for a visitor before sign-in and a contact after.
func TestBrowser_AdminRebrandsThePortal(t *testing.T) {
	app := testkit.NewApp(t)
	ctx, _ := testkit.Tenant(t, app.Store, "acme")
	if err := app.Policies.SeedDefaults(ctx); err != nil {
		t.Fatal(err)
	}
	testkit.Contact(ctx, t, app.Store, "peter@initech.test", testkit.Site(ctx, t, app.Store, "Initech"), svcportal.RoleMember)
	logo := filepath.Join(t.TempDir(), "initrode.png")
	img := image.NewRGBA(image.Rect(0, 0, 96, 96))
	for i := range img.Pix {
		img.Pix[i] = []uint8{11, 83, 148, 255}[i%4]
	}
	img.Set(0, 0, color.White)
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(logo, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	j := newJourney(t, app)

	j.signIn("/admin/settings", "admin@acme.test")
	// The branding's URLs carry its time of change, to the second: the
	// test's clock moves on before each change, as time does.
	app.Clock.Advance(time.Second)
	j.do(cdp.WaitVisible(cdp.CSS("[data-testid=branding-form]")),
		cdp.SetValue(cdp.CSS("#f-name"), "Initrode Support"),
		cdp.SetValue(cdp.CSS("#f-primary_color"), "#0b5394"),
		cdp.SetValue(cdp.CSS("#f-footer"), "Initrode Support · +1 555 0100"),
		cdp.Click(cdp.CSS("[data-testid=branding-form] button[type=submit]:not([name])")),
		cdp.WaitVisible(cdp.CSS("[role=status]")))
	app.Clock.Advance(time.Second)
	j.do(cdp.SetUploadFiles(cdp.CSS("#f-logo"), []string{logo}),
		cdp.Click(cdp.CSS("[data-testid=logo-form] button[type=submit]")))
	j.waitURL("done=logo")
	if got := j.eval(`document.querySelector("#f-primary_color").value`); got != "#0b5394" {
		t.Errorf("the saved colour on the settings page: %q", got)
	}
	j.axeCheck("settings after rebranding")
	j.signOut()

	// The portal, before and after a contact signs in.
	for _, step := range []struct {
		name string
		open func()
	}{
		{"sign-in page", func() { j.do(cdp.Navigate(j.base+"/login"), cdp.WaitVisible(cdp.CSS("#login-heading"))) }},
		{"home of a contact", func() { j.signIn("/login", "peter@initech.test") }},
	} {
		step.open()
		if got := j.text(".topbar .brand-name"); got != "Initrode Support" {
			t.Errorf("%s: the brand's name %q", step.name, got)
		}
		if got := j.eval(`document.title`); !strings.HasSuffix(got, "· Initrode Support") {
			t.Errorf("%s: the title %q", step.name, got)
		}
		if got := j.eval(`getComputedStyle(document.querySelector(".topbar")).backgroundColor`); got != "rgb(11, 83, 148)" {
			t.Errorf("%s: the header's colour %q, want the new primary", step.name, got)
		}
		if got := j.text(".footer-text"); got != "Initrode Support · +1 555 0100" {
			t.Errorf("%s: the footer %q", step.name, got)
		}
		// The logo shown is the file uploaded.
		got := j.eval(`(async () => { const i = document.querySelector(".brand-logo"); await i.decode();
			const b = new Uint8Array(await (await fetch(i.currentSrc)).arrayBuffer());
			return i.naturalWidth + "x" + i.naturalHeight + " " + b.length })()`)
		if want := fmt.Sprintf("96x96 %d", buf.Len()); got != want {
			t.Errorf("%s: the logo %s, want the upload's %s", step.name, got, want)
		}
		j.axeCheck("portal " + step.name)
	}
}

// TestBrowser_AdminHidesAFieldFromMembers: an admin adds a custom field
// hidden from members and editable by site managers; a member's
// new-ticket form does not show it, a site manager's does and sets it,
// and the console's ticket page shows it to staff with its value.
func TestBrowser_AdminHidesAFieldFromMembers(t *testing.T) {
	app := testkit.NewApp(t)
	ctx, _ := testkit.Tenant(t, app.Store, "acme")
	if err := app.Policies.SeedDefaults(ctx); err != nil {
		t.Fatal(err)
	}
	initech := testkit.Site(ctx, t, app.Store, "Initech")
	testkit.Contact(ctx, t, app.Store, "peter@initech.test", initech, svcportal.RoleMember)
	testkit.Contact(ctx, t, app.Store, "bill@initech.test", initech, svcportal.RoleSiteManager)
	j := newJourney(t, app)

	// Before: nobody has the field.
	j.signIn("/login", "peter@initech.test")
	j.do(cdp.Navigate(j.base+"/tickets/new"), cdp.WaitVisible(cdp.CSS("#f-title")))
	fieldsBefore := j.count("form [name^='field.']")
	j.signOut()

	j.signIn("/admin/fields/new", "admin@acme.test")
	j.do(cdp.WaitVisible(cdp.CSS("[data-testid=field-form]")),
		cdp.SendKeys(cdp.CSS("#f-key"), "billing_code"),
		cdp.SetValue(cdp.CSS("#f-type"), string(svcportal.FieldText)),
		cdp.SendKeys(cdp.CSS("#f-label-en"), "Billing code"),
		cdp.SetValue(cdp.CSS("#f-mode-member"), string(svcportal.FieldHidden)),
		cdp.SetValue(cdp.CSS("#f-mode-site_manager"), string(svcportal.FieldEditable)),
		cdp.Submit(cdp.CSS("#f-key")),
		cdp.WaitVisible(cdp.CSS("[role=status]")))
	if got := j.count(`[data-field="billing_code"], tr[data-key="billing_code"]`); got == 0 {
		t.Errorf("the new field is not listed on %s", j.eval("location.pathname"))
	}
	j.axeCheck("fields after adding one")
	j.signOut()

	// A member: the form is as before, without the field.
	j.signIn("/login", "peter@initech.test")
	j.do(cdp.Navigate(j.base+"/tickets/new"), cdp.WaitVisible(cdp.CSS("#f-title")))
	if n := j.count("#ff-billing_code"); n != 0 {
		t.Error("the member's form shows the hidden field")
	}
	if got := j.count("form [name^='field.']"); got != fieldsBefore {
		t.Errorf("the member's form has %d fields, want %d as before", got, fieldsBefore)
	}
	if strings.Contains(j.eval("document.documentElement.outerHTML"), "Billing code") {
		t.Error("the member's page names the hidden field")
	}
	j.axeCheck("member's new-ticket form")
	j.signOut()

	// A site manager: the field is there, editable, and kept.
	j.signIn("/login", "bill@initech.test")
	j.do(cdp.Navigate(j.base+"/tickets/new"), cdp.WaitVisible(cdp.CSS("#ff-billing_code")))
	if got := j.text("label[for=ff-billing_code]"); got != "Billing code" {
		t.Errorf("the site manager's label %q", got)
	}
	j.axeCheck("site manager's new-ticket form")
	j.do(cdp.SendKeys(cdp.CSS("#f-title"), "Invoice query"),
		cdp.SendKeys(cdp.CSS("#ff-billing_code"), "CC-42"),
		cdp.Submit(cdp.CSS("#f-title")),
		cdp.WaitVisible(cdp.CSS("[data-testid=ticket-title]")))
	number := strings.TrimPrefix(j.eval("location.pathname"), "/tickets/")
	if got := j.eval("document.querySelector('[data-testid=properties]').innerText"); !strings.Contains(got, "Billing code") || !strings.Contains(got, "CC-42") {
		t.Errorf("the site manager's ticket does not show the billing code: %q", got)
	}
	j.signOut()

	// Staff see it on the console, with its value.
	j.signIn("/admin/tickets/"+number, "admin@acme.test")
	j.do(cdp.WaitVisible(cdp.CSS("#ff-billing_code")))
	if got := j.eval(`document.querySelector("#ff-billing_code").value`); got != "CC-42" {
		t.Errorf("the console's billing code %q", got)
	}
	j.signOut()

	// Back to the member: the ticket's page (a site manager's ticket is
	// not the member's) and their own form still never show it.
	j.signIn("/login", "peter@initech.test")
	j.do(cdp.Navigate(j.base+"/tickets/new"), cdp.WaitVisible(cdp.CSS("#f-title")))
	if j.count("#ff-billing_code") != 0 {
		t.Error("the member's form shows the field after it was used")
	}
}

// TestBrowser_AdminRequiresSSOAndUnlinks: an admin makes Initech's own
// provider required and unlinks a contact's sign-in account, in
// Chromium; the console's pages and the portal's refusal of a password
// (which links to the provider without leaving by itself) pass axe.
func TestBrowser_AdminRequiresSSOAndUnlinks(t *testing.T) {
	app := testkit.NewApp(t)
	ctx, _ := testkit.Tenant(t, app.Store, "acme")
	if err := app.Policies.SeedDefaults(ctx); err != nil {
		t.Fatal(err)
	}
	initech := testkit.Site(ctx, t, app.Store, "Initech")
	peter := testkit.Contact(ctx, t, app.Store, "peter@initech.test", initech, svcportal.RoleMember)
	op := testkit.NewOIDCProvider(t)
	if _, err := app.Accounts.PutSiteOIDC(ctx, initech.ID, svcportal.SiteOIDCChange{Issuer: op.Issuer, ClientID: "portal",
		Label: "Initech ID", Domains: []string{"initech.test"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := app.Store.LinkIdentity(ctx, &svcportal.IdentityLink{ContactID: peter.ID, Identity: svcportal.ContactIdentity{
		SiteID: initech.ID, Email: peter.Email, IdentityKey: svcportal.IdentityKey{Issuer: op.Issuer, Subject: "peter-at-initech-id"}}}); err != nil {
		t.Fatal(err)
	}
	j := newJourney(t, app)

	j.signIn(fmt.Sprintf("/admin/sites/%d", initech.ID), "admin@acme.test")
	j.do(cdp.WaitVisible(cdp.CSS("#f-require_sso")), cdp.Click(cdp.CSS("#f-require_sso")),
		cdp.Click(cdp.CSS("[data-testid=site-sso-form] button[value=save]")))
	j.waitURL("done=sso")
	if j.eval("String(document.querySelector('#f-require_sso').checked)") != "true" {
		t.Error("require_sso is not ticked after saving")
	}
	j.axeCheck("site with single sign-on required")

	j.do(cdp.Navigate(fmt.Sprintf("%s/admin/contacts/%d", j.base, peter.ID)), cdp.WaitVisible(cdp.CSS("[data-testid=identities]")))
	if got := j.text("[data-testid=identity-provider]"); got != "Initech ID" {
		t.Errorf("provider: %q", got)
	}
	j.axeCheck("contact with a linked identity")
	j.do(cdp.Click(cdp.CSS("button[data-testid=unlink]")))
	j.waitURL("done=unlinked")
	j.do(cdp.WaitVisible(cdp.CSS("[data-testid=identities-none]")))
	j.axeCheck("contact after unlinking")
	j.signOut()

	// The password step, posted as a password manager would: refused,
	// with a link to the provider that the page does not follow itself.
	j.do(cdp.Navigate(j.base+"/login"), cdp.WaitVisible(cdp.CSS("form[data-testid=email-step]")))
	j.eval(`(() => { const f = document.createElement("form"); f.method = "post"; f.action = "/login";
		for (const [k, v] of [["email", "peter@initech.test"], ["password", "` + testkit.Password + `"], ["next", "/tickets"]]) {
			const i = document.createElement("input"); i.type = "hidden"; i.name = k; i.value = v; f.appendChild(i); }
		document.body.appendChild(f); f.submit(); return ""; })()`)
	j.do(cdp.WaitVisible(cdp.CSS("a[data-testid=sso-continue]")))
	time.Sleep(300 * time.Millisecond)
	if got := j.eval("location.pathname"); got != "/login" {
		t.Errorf("the refusal left for %s by itself", got)
	}
	if got := j.text("[role=alert]"); got != "Your organisation requires you to sign in with Initech ID, not with a password." {
		t.Errorf("alert: %q", got)
	}
	j.axeCheck("password refused for single sign-on")
}
