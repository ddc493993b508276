package admin_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	cdp "github.com/chromedp/chromedp"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/testkit"
)

// TestBrowser_AgentAnswersFromTheWorkspace drives real Chromium: an agent
// signs in to the console, opens the client's ticket from the queue (it
// is marked unread there), answers it, and the contact then finds the
// reply, marked unread, on the portal.
func TestBrowser_AgentAnswersFromTheWorkspace(t *testing.T) {
	app := testkit.NewApp(t)
	ctx, _ := testkit.Tenant(t, app.Store, "acme")
	if err := app.Policies.SeedDefaults(ctx); err != nil {
		t.Fatal(err)
	}
	peter := testkit.Contact(ctx, t, app.Store, "peter@initech.test", testkit.Site(ctx, t, app.Store, "Initech"), svcportal.RoleMember)
	if err := app.Store.CreateStaff(ctx, &svcportal.Staff{Email: "tech@acme.test", Name: "Tom Tech", Role: svcportal.StaffAgent, PasswordHash: testkit.HashPassword(t)}); err != nil {
		t.Fatal(err)
	}
	v, err := app.Tickets.Create(ctx, &svcportal.Principal{Kind: svcportal.PrincipalContact, Contact: peter},
		svcportal.NewTicket{Title: "Printer jams", Description: "On floor 3"})
	if err != nil {
		t.Fatal(err)
	}
	app.Clock.Advance(time.Second) // the reply comes after peter last read the ticket
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
	row := fmt.Sprintf(`table[data-testid=tickets] tr[data-number="%d"]`, v.Number)

	do(cdp.Navigate(base+"/admin/tickets"),
		cdp.WaitVisible(cdp.CSS("#f-email")), // sent to the console's sign-in first
		cdp.SendKeys(cdp.CSS("#f-email"), "tech@acme.test"),
		cdp.SendKeys(cdp.CSS("#f-password"), testkit.Password),
		cdp.Submit(cdp.CSS("#f-password")),
		cdp.WaitVisible(cdp.CSS(row+" [data-testid=unread]")))
	do(cdp.Click(cdp.CSS(row+" a")),
		cdp.WaitVisible(cdp.CSS("[data-testid=reply-form]")),
		cdp.SendKeys(cdp.CSS("#f-body"), "Please load letter paper in tray 2."),
		cdp.Click(cdp.CSS("[data-testid=send]")),
		cdp.WaitVisible(cdp.CSS("[role=status]")))
	if got := text("[data-testid=messages] > li:last-child .prose"); got != "Please load letter paper in tray 2." {
		t.Errorf("the reply on the console: %q", got)
	}
	do(cdp.Click(cdp.CSS("[data-testid=logout]")), cdp.WaitVisible(cdp.CSS("#login-heading")))

	// The contact, on the portal.
	do(cdp.Navigate(base+"/tickets"),
		cdp.WaitVisible(cdp.CSS("#f-email")),
		cdp.SendKeys(cdp.CSS("#f-email"), "peter@initech.test"),
		cdp.SendKeys(cdp.CSS("#f-password"), testkit.Password),
		cdp.Submit(cdp.CSS("#f-password")),
		cdp.WaitVisible(cdp.CSS("table[data-testid=tickets]")))
	if got := text("table[data-testid=tickets] tr.unread .badge"); got != "Unread" {
		t.Errorf("the portal's unread marker: %q", got)
	}
	do(cdp.Click(cdp.CSS("table[data-testid=tickets] tr.unread a")), cdp.WaitVisible(cdp.CSS("[data-testid=messages]")))
	if got := text("[data-testid=messages] > li:last-child .prose"); got != "Please load letter paper in tray 2." {
		t.Errorf("the reply on the portal: %q", got)
	}
	if got := text("[data-testid=messages] > li:last-child .message-meta strong"); got != "Tom Tech" {
		t.Errorf("the reply's author: %q", got)
	}
}
