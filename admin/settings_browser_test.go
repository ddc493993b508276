package admin_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	cdp "github.com/chromedp/chromedp"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/testkit"
)

// EnvUpdateScreenshots names the variable that makes the browser tests
// write their screenshots to docs/screenshots (otherwise they go to a
// temporary folder): PORTAL_UPDATE_SCREENSHOTS=1 go test ./admin -run TestBrowser_Settings
const EnvUpdateScreenshots = "PORTAL_UPDATE_SCREENSHOTS"

// TestBrowser_SettingsAndAnnouncements drives real Chromium at 1280 px:
// the admin's branding preview follows a colour as it is picked and warns
// about a contrast below WCAG AA, computed by the page's script as the
// server computes it; a contact then finds the running announcements on
// the portal's home page. Each page is kept as a screenshot.
func TestBrowser_SettingsAndAnnouncements(t *testing.T) {
	app := testkit.NewApp(t)
	ctx, _ := testkit.Tenant(t, app.Store, "acme")
	if err := app.Policies.SeedDefaults(ctx); err != nil {
		t.Fatal(err)
	}
	name, zone := "Acme Managed IT", "Europe/Paris"
	day := []svcportal.Span{{From: "09:00", To: "12:30"}, {From: "13:30", To: "18:00"}}
	if _, err := app.Tenants.UpdateSettings(ctx, svcportal.TenantSettings{Name: &name, TimeZone: &zone, ServiceHours: &svcportal.ServiceHours{
		Week:          map[string][]svcportal.Span{"mon": day, "tue": day, "wed": day, "thu": day, "fri": day},
		FirstResponse: map[string]int{"urgent": 60, "high": 240, "normal": 480, "low": 1440}}}); err != nil {
		t.Fatal(err)
	}
	ctx = svcportal.WithTenant(ctx, mustTenant(t, app, "acme"))
	testkit.Contact(ctx, t, app.Store, "peter@initech.test", testkit.Site(ctx, t, app.Store, "Initech"), svcportal.RoleMember)
	for _, a := range []struct{ severity, title, body string }{
		{svcportal.SeverityIncident, "Email delivery is delayed", "Messages to outside addresses leave with a delay of about **30 minutes**. We are working with the provider."},
		{svcportal.SeverityMaintenance, "Firewall upgrade on Saturday", "The VPN will be unavailable from 08:00 to 10:00."},
	} {
		sev, title, body := a.severity, a.title, a.body
		if _, err := app.Announcements.CreateAnnouncement(ctx, svcportal.AnnouncementChange{Severity: &sev, Title: &title, Body: &body}); err != nil {
			t.Fatal(err)
		}
	}
	base := "http://acme.localhost:" + app.Serve(t)
	b := testkit.Chromium(t)
	do := func(steps ...cdp.Action[cdp.Void]) {
		t.Helper()
		if err := cdp.Do(b, steps...); err != nil {
			t.Fatal(err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := cdp.Run(b, cdp.Text(cdp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return strings.TrimSpace(s)
	}
	dir := t.TempDir()
	if os.Getenv(EnvUpdateScreenshots) != "" {
		dir = filepath.Join("..", "docs", "screenshots")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	shot := func(file string) {
		t.Helper()
		png, err := cdp.Run(b, cdp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		if err := os.WriteFile(filepath.Join(dir, file), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	do(cdp.EmulateViewport(1280, 900),
		cdp.Navigate(base+"/admin/settings"),
		cdp.WaitVisible(cdp.CSS("#f-email")),
		cdp.SendKeys(cdp.CSS("#f-email"), "admin@acme.test"),
		cdp.SendKeys(cdp.CSS("#f-password"), testkit.Password),
		cdp.Submit(cdp.CSS("#f-password")),
		cdp.WaitVisible(cdp.CSS("[data-testid=brand-preview-light]")))
	if got := text("tr[data-use=links_light] [data-verdict]"); got != "Passes" {
		t.Errorf("the default colours: %q", got)
	}
	// A colour picked in the input: the script follows it at once.
	if _, err := cdp.Run(b, cdp.Evaluate[bool](`(() => { const i = document.getElementById("f-primary_color");
		i.value = "#ffeb3b"; i.dispatchEvent(new Event("input", {bubbles: true})); return true })()`)); err != nil {
		t.Fatal(err)
	}
	do(cdp.WaitVisible(cdp.CSS("[data-testid=contrast-warning]")))
	if got, want := text("tr[data-use=links_light] [data-ratio]"), "1.59:1"; got != want {
		t.Errorf("the script's ratio %q, want the server's %q", got, want)
	}
	brand, err := cdp.Run(b, cdp.Evaluate[string](`getComputedStyle(document.querySelector(".preview-light .preview-topbar")).backgroundColor`))
	if err != nil || brand != "rgb(255, 235, 59)" {
		t.Errorf("the preview's header: %q %v", brand, err)
	}
	shot("admin-settings.png")

	do(cdp.Click(cdp.CSS("[data-testid=logout]")), cdp.WaitVisible(cdp.CSS("#login-heading")),
		cdp.Navigate(base+"/login"),
		cdp.WaitVisible(cdp.CSS("#f-email")),
		cdp.SendKeys(cdp.CSS("#f-email"), "peter@initech.test"),
		cdp.SendKeys(cdp.CSS("#f-password"), testkit.Password),
		cdp.Submit(cdp.CSS("#f-password")),
		cdp.WaitVisible(cdp.CSS("[data-testid=announcements]")))
	if got := text(".announcement[role=alert] .announcement-title"); got != "Email delivery is delayed" {
		t.Errorf("the incident: %q", got)
	}
	shot("portal-home-announcement.png")
}

func mustTenant(t *testing.T, app *testkit.App, slug string) *svcportal.Tenant {
	t.Helper()
	tn, err := app.Store.TenantBySlug(t.Context(), slug)
	if err != nil {
		t.Fatal(err)
	}
	return tn
}
