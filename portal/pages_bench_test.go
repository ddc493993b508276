package portal_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/testkit"
)

// BenchmarkPages measures the CPU and allocations of the most read pages
// in process, without the network: the anonymous login page, a site
// manager's ticket list (25 of 60 tickets) and tickets with ten and a
// hundred replies. The throughput under load is bench/'s; this isolates what a
// change to rendering costs or saves (go test -bench Pages -benchmem).
func BenchmarkPages(b *testing.B) {
	app := testkit.NewApp(b)
	ctx, _ := testkit.Tenant(b, app.Store, "acme")
	if err := app.Policies.SeedDefaults(ctx); err != nil {
		b.Fatal(err)
	}
	site := testkit.Site(ctx, b, app.Store, "Initech")
	testkit.Contact(ctx, b, app.Store, "bill@initech.test", site, svcportal.RoleSiteManager)
	bill := app.NewBrowser("acme.localhost")
	apiLogin(b, bill, "bill@initech.test", testkit.Password)
	var last, long svcportal.TicketView
	for i := range 60 {
		body := map[string]any{"title": fmt.Sprintf("Printer %d jams", i), "description": "It jams on page two."}
		if rec := bill.JSON(b, "POST", "/api/v1/tickets", body, &last); rec.Code != http.StatusCreated {
			b.Fatalf("create: %d %s", rec.Code, rec.Body)
		}
	}
	long = last
	if rec := bill.JSON(b, "POST", "/api/v1/tickets", map[string]any{"title": "Printer jams again"}, &last); rec.Code != http.StatusCreated {
		b.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	for i := range 100 {
		body := map[string]any{"body": fmt.Sprintf("Reply %d: still jams.", i)}
		for _, t := range []svcportal.TicketView{last, long} {
			if i >= 10 && t.Number == last.Number {
				continue
			}
			if rec := bill.JSON(b, "POST", fmt.Sprintf("/api/v1/tickets/%d/replies", t.Number), body, nil); rec.Code != http.StatusCreated {
				b.Fatalf("reply: %d %s", rec.Code, rec.Body)
			}
		}
	}
	anonymous := app.NewBrowser("acme.localhost")
	for _, p := range []struct {
		name string
		b    *testkit.Browser
		path string
	}{
		{"login page", anonymous, "/login"},
		{"ticket list page", bill, "/tickets"},
		{"ticket list API", bill, "/api/v1/tickets"},
		{"ticket page", bill, fmt.Sprintf("/tickets/%d", last.Number)},
		{"ticket page, 100 replies", bill, fmt.Sprintf("/tickets/%d", long.Number)},
	} {
		b.Run(p.name, func(b *testing.B) {
			for b.Loop() {
				if rec := p.b.Get(b, p.path); rec.Code != http.StatusOK {
					b.Fatalf("%s: %d", p.path, rec.Code)
				}
			}
		})
	}
}
