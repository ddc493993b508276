package admin_test

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	cdp "github.com/chromedp/chromedp"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/testkit"
)

// screenshots, when set, saves the pictures of TestBrowser_Screenshots
// under docs/screenshots (otherwise into the test's temporary folder):
//
//	go test ./admin -run TestBrowser_Screenshots -screenshots
var screenshots = flag.Bool("screenshots", false, "save the console's screenshots under docs/screenshots")

// TestBrowser_Screenshots signs an admin in to the console in real
// Chromium, checks the article editor's live preview, and photographs the
// dashboard and the knowledge base at 1280 px, with twelve weeks of
// tickets, answers and votes behind them.
func TestBrowser_Screenshots(t *testing.T) {
	d := dashFixture(t)
	ctx, st := d.actx, d.app.Store
	// Twelve weeks of seeded activity across four sites.
	sites := []*svcportal.Site{d.initech, d.umbrella, testkit.Site(ctx, t, st, "Hooli East"), testkit.Site(ctx, t, st, "Wayne Enterprises")}
	requester := testkit.Contact(ctx, t, st, "seed@initech.test", d.initech, svcportal.RoleMember)
	rng := rand.New(rand.NewPCG(7, 11))
	now := d.app.Clock.Now()
	var seed []svcportal.Ticket
	for i := range 600 {
		created := now.Add(-time.Duration(rng.IntN(12*7*24)) * time.Hour)
		status := svcportal.StatusClosed
		if created.After(now.Add(-14*24*time.Hour)) || rng.IntN(6) == 0 {
			status = svcportal.Statuses[rng.IntN(4)]
		}
		tk := svcportal.Ticket{SiteID: sites[rng.IntN(len(sites))].ID, RequesterID: requester.ID, Title: fmt.Sprintf("Seeded %d", i),
			Status: status, CreatedAt: created}
		if status == svcportal.StatusClosed {
			closed := created.Add(time.Duration(4+rng.IntN(96)) * time.Hour)
			tk.ClosedAt = &closed
		}
		if rng.IntN(10) < 9 {
			r := created.Add(time.Duration(10+rng.IntN(240)) * time.Minute)
			tk.FirstResponseAt = &r
		}
		seed = append(seed, tk)
	}
	if err := st.SeedTickets(ctx, seed); err != nil {
		t.Fatal(err)
	}
	cat := testkit.KBCategory(ctx, t, st, "Network")
	var art *svcportal.KBArticle
	for _, name := range []string{"VPN", "Wi-Fi"} {
		sec := testkit.KBSection(ctx, t, st, cat, name)
		art = testkit.KBArticleIn(ctx, t, st, sec, svcportal.KBPublished, map[string]svcportal.KBTranslation{
			"en": {Title: name + ": connect from home"}, "fr": {Title: name + " : se connecter depuis chez soi"}})
		testkit.KBArticle(ctx, t, st, sec, svcportal.KBDraft, name+": troubleshooting", "")
	}

	base := "http://acme.localhost:" + d.app.Serve(t)
	b := testkit.Chromium(t)
	if err := cdp.Do(b, cdp.Navigate(base+"/admin"),
		cdp.WaitVisible(cdp.CSS("#f-email")),
		cdp.SendKeys(cdp.CSS("#f-email"), "admin@acme.test"),
		cdp.SendKeys(cdp.CSS("#f-password"), testkit.Password),
		cdp.Submit(cdp.CSS("#f-password")),
		cdp.WaitVisible(cdp.CSS("svg.chart"))); err != nil {
		t.Fatal(err)
	}
	charts, err := cdp.Run(b, cdp.Evaluate[int](`document.querySelectorAll("svg.chart").length`))
	if err != nil || charts != 5 {
		t.Errorf("%d charts drawn (%v), want 5", charts, err)
	}
	// The editor's live preview: typed Markdown comes back rendered.
	editor := fmt.Sprintf("%s/admin/kb/articles/%d", base, art.ID)
	if err := cdp.Do(b, cdp.Navigate(editor),
		cdp.SendKeys(cdp.CSS(`#f-translations\.de\.body`), "**Hallo** _Welt_"),
		cdp.WaitVisible(cdp.CSS("#preview-de strong"))); err != nil {
		t.Fatalf("live preview: %v", err)
	}
	if got, err := cdp.Run(b, cdp.Text(cdp.CSS("#preview-de em"))); err != nil || got != "Welt" {
		t.Errorf("live preview: %q %v", got, err)
	}
	dir := t.TempDir()
	if *screenshots {
		dir = filepath.Join("..", "docs", "screenshots")
	}
	for name, page := range map[string]struct{ path, sel string }{
		"admin-dashboard.png": {"/admin", "svg[data-chart=chart-helpful]"},
		"admin-kb.png":        {"/admin/kb", "[data-testid=kb-tree]"},
	} {
		testkit.SaveScreenshot(t, dir, name, testkit.Screenshot(b, t, base+page.path, 1280, page.sel))
	}
}
