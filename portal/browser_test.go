package portal_test

import (
	"strings"
	"testing"

	cdp "github.com/chromedp/chromedp"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/testkit"
)

// TestBrowser_SignInAndChooseLanguage drives real Chromium through the
// portal, which needs no JavaScript of ours: sign in with the form, land
// on the page asked for, switch the language, sign out.
func TestBrowser_SignInAndChooseLanguage(t *testing.T) {
	app := testkit.NewApp(t)
	ctx, _ := testkit.Tenant(t, app.Store, "acme")
	testkit.Contact(ctx, t, app.Store, "peter@initech.test", testkit.Site(ctx, t, app.Store, "Initech"), svcportal.RoleMember)
	base := "http://acme.localhost:" + app.Serve(t)
	b := testkit.Chromium(t)

	text := func(sel string) string {
		t.Helper()
		s, err := cdp.Run(b, cdp.Text(cdp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return strings.TrimSpace(s)
	}
	do := func(steps ...cdp.Action[cdp.Void]) {
		t.Helper()
		if err := cdp.Do(b, steps...); err != nil {
			t.Fatal(err)
		}
	}

	do(cdp.Navigate(base+"/settings"),
		cdp.WaitVisible(cdp.CSS("#f-email")), // sent to sign in first
		cdp.SendKeys(cdp.CSS("#f-email"), "peter@initech.test"),
		cdp.SendKeys(cdp.CSS("#f-password"), testkit.Password),
		cdp.Submit(cdp.CSS("#f-password")),
		cdp.WaitVisible(cdp.CSS("#settings-heading")))
	if got := text("#settings-heading"); got != "Settings" {
		t.Errorf("after sign-in: heading %q, want the settings page asked for", got)
	}
	topbar, err := cdp.Run(b, cdp.Evaluate[string](`getComputedStyle(document.querySelector('.topbar')).backgroundColor`))
	if err != nil || topbar != "rgb(29, 78, 216)" { // the tenant's primary colour, #1d4ed8
		t.Errorf("top bar colour %q (%v): the tenant theme did not apply", topbar, err)
	}

	do(cdp.Click(cdp.CSS("input[name=locale][value=de]")),
		cdp.Submit(cdp.CSS("input[name=locale][value=de]")),
		cdp.WaitVisible(cdp.CSS("[role=status]")),
		cdp.Navigate(base+"/"),
		cdp.WaitVisible(cdp.CSS("[data-testid=greeting]")))
	lang, err := cdp.Run(b, cdp.Evaluate[string](`document.documentElement.lang`))
	if greeting := text("[data-testid=greeting]"); err != nil || lang != "de" || !strings.HasPrefix(greeting, "Hallo") {
		t.Errorf("after choosing German: lang %q, greeting %q", lang, greeting)
	}

	do(cdp.Click(cdp.CSS("[data-testid=logout]")), cdp.WaitVisible(cdp.CSS("#login-heading")))
	// Signed out, the browser's Accept-Language (en-US) decides again.
	if got := text("#login-heading"); got != "Sign in to Tenant acme" {
		t.Errorf("after sign-out: %q", got)
	}
}

// TestBrowser_NewTicketSuggestsArticles types a title on the new-ticket
// form and expects the knowledge base's matching article to be offered,
// before the ticket is even sent, without losing the form; then drops a
// file on the form's attachments.
func TestBrowser_NewTicketSuggestsArticles(t *testing.T) {
	app := testkit.NewApp(t)
	ctx, _ := testkit.Tenant(t, app.Store, "acme")
	if err := app.Policies.SeedDefaults(ctx); err != nil {
		t.Fatal(err)
	}
	testkit.Contact(ctx, t, app.Store, "peter@initech.test", testkit.Site(ctx, t, app.Store, "Initech"), svcportal.RoleMember)
	cat := &svcportal.KBCategory{Names: map[string]string{"en": "Accounts"}, AllSites: true}
	if err := app.KB.CreateCategory(ctx, cat); err != nil {
		t.Fatal(err)
	}
	sec := &svcportal.KBSection{CategoryID: cat.ID, Names: map[string]string{"en": "Passwords"}, AllSites: true}
	if err := app.KB.CreateSection(ctx, sec); err != nil {
		t.Fatal(err)
	}
	if err := app.KB.CreateArticle(ctx, &svcportal.KBArticle{SectionID: sec.ID, State: svcportal.KBPublished, AllSites: true,
		Translations: map[string]svcportal.KBTranslation{"en": {Title: "Reset your VPN password", Body: "Use the self-service page."}}}); err != nil {
		t.Fatal(err)
	}
	base := "http://acme.localhost:" + app.Serve(t)
	b := testkit.Chromium(t)
	if err := cdp.Do(b, cdp.Navigate(base+"/tickets/new"),
		cdp.WaitVisible(cdp.CSS("#f-email")),
		cdp.SendKeys(cdp.CSS("#f-email"), "peter@initech.test"),
		cdp.SendKeys(cdp.CSS("#f-password"), testkit.Password),
		cdp.Submit(cdp.CSS("#f-password")),
		cdp.WaitVisible(cdp.CSS("#f-title")),
		cdp.SendKeys(cdp.CSS("#f-title"), "vpn pasword"), // typo on purpose
		cdp.WaitVisible(cdp.CSS("[data-testid=suggestions] a"))); err != nil {
		t.Fatal(err)
	}
	got, err := cdp.Run(b, cdp.Evaluate[string](`document.querySelector("[data-testid=suggestions] a").firstChild.textContent`))
	if err != nil || got != "Reset your VPN password" {
		t.Errorf("suggestion %q, %v", got, err)
	}
	// Under a heading of their own, and opening in a new tab, so that the
	// form keeps what was typed.
	if got, err := cdp.Run(b, cdp.Text(cdp.CSS("#deflect-heading"))); err != nil || got != "Articles that may answer your question" {
		t.Errorf("suggestions heading %q, %v", got, err)
	}
	if got, err := cdp.Run(b, cdp.Evaluate[string](`document.querySelector("[data-testid=suggestions] a").target`)); err != nil || got != "_blank" {
		t.Errorf("a suggestion opens in %q (%v), want a new tab", got, err)
	}
	if err := cdp.Do(b, cdp.SendKeys(cdp.CSS("#f-description"), "Half written"),
		cdp.Click(cdp.CSS("[data-testid=suggestions] a"))); err != nil {
		t.Fatal(err)
	}
	if got, err := cdp.Run(b, cdp.Evaluate[string](`location.pathname + " " + document.getElementById("f-description").value`)); err != nil || got != "/tickets/new Half written" {
		t.Errorf("after opening the article: %q, %v", got, err)
	}

	// A file dropped on the attachments is given to the form's input and
	// previewed; its button takes it out again.
	const drop = `(() => {
		const dt = new DataTransfer();
		dt.items.add(new File([Uint8Array.from(atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="), c => c.charCodeAt(0))], "shot.png", {type: "image/png"}));
		document.querySelector("[data-dropzone]").dispatchEvent(new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true}));
		return document.getElementById("f-files").files.length;
	})()`
	if n, err := cdp.Run(b, cdp.Evaluate[int](drop)); err != nil || n != 1 {
		t.Fatalf("files after a drop: %d, %v", n, err)
	}
	if err := cdp.Do(b, cdp.WaitVisible(cdp.CSS(`[data-testid=file-previews] img[src^="data:image/png"]`))); err != nil {
		t.Fatalf("no preview of the dropped image: %v", err)
	}
	if err := cdp.Do(b, cdp.Click(cdp.CSS("[data-testid=file-previews] button")),
		cdp.WaitNotPresent(cdp.CSS("[data-testid=file-previews] li"))); err != nil {
		t.Fatal(err)
	}
	if n, err := cdp.Run(b, cdp.Evaluate[int](`document.getElementById("f-files").files.length`)); err != nil || n != 0 {
		t.Errorf("files after removing the dropped one: %d, %v", n, err)
	}
}

// TestBrowser_EmailFirstSignIn drives Chromium through the login page's
// email step, without JavaScript of ours: an address of no site's domain
// goes on to the password and signs in; one of a site's domain is sent
// to that site's provider.
func TestBrowser_EmailFirstSignIn(t *testing.T) {
	app := testkit.NewApp(t)
	ctx, _ := testkit.Tenant(t, app.Store, "acme")
	initech := testkit.Site(ctx, t, app.Store, "Initech")
	testkit.Contact(ctx, t, app.Store, "peter@msp.test", initech, svcportal.RoleMember)
	base := "http://acme.localhost:" + app.Serve(t)
	op := testkit.NewOIDCProvider(t)
	op.AddClient("portal", base+"/login/sso/callback", true)
	o := &svcportal.SiteOIDC{SiteID: initech.ID, Issuer: op.Issuer, ClientID: "portal", ClientSecret: op.Secret,
		Label: "Initech", Domains: []string{"initech.test"}}
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := app.Store.PutSiteOIDC(ctx, o); err != nil {
		t.Fatal(err)
	}
	b := testkit.Chromium(t)
	do := func(steps ...cdp.Action[cdp.Void]) {
		t.Helper()
		if err := cdp.Do(b, steps...); err != nil {
			t.Fatal(err)
		}
	}

	do(cdp.Navigate(base+"/settings"),
		cdp.WaitVisible(cdp.CSS("form[data-testid=email-step] #f-email")),
		cdp.SendKeys(cdp.CSS("#f-email"), "peter@msp.test"),
		cdp.Submit(cdp.CSS("#f-email")),
		cdp.WaitVisible(cdp.CSS("#f-password")),
		cdp.SendKeys(cdp.CSS("#f-password"), testkit.Password),
		cdp.Submit(cdp.CSS("#f-password")),
		cdp.WaitVisible(cdp.CSS("#settings-heading")))

	do(cdp.Click(cdp.CSS("[data-testid=logout]")),
		cdp.WaitVisible(cdp.CSS("form[data-testid=email-step] #f-email")),
		cdp.SendKeys(cdp.CSS("#f-email"), "ann@initech.test"),
		cdp.Submit(cdp.CSS("#f-email")),
		cdp.WaitNotPresent(cdp.CSS("#login-heading")))
	href, err := cdp.Run(b, cdp.Evaluate[string](`location.href`))
	if err != nil || !strings.HasPrefix(href, op.Issuer+"/") || !strings.Contains(href, "authRequestID=") {
		t.Errorf("after the email step the browser is at %q (%v), want the site's provider", href, err)
	}
}
