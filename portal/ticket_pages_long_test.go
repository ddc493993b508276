package portal_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/testkit"
)

// TestTicketList_LongList: a site of more than svcportal.TicketCountCap
// tickets says "more than 1,000", the first pages link by number and the
// deeper ones by cursor, and walking Next reaches the last ticket without
// repeating one; the API says the same with total_capped and next_cursor.
func TestTicketList_LongList(t *testing.T) {
	d := newDesk(t)
	initech := siteNamed(t, d.actx, d.app, "Initech")
	peter, err := d.app.Store.ContactByEmail(d.actx, "peter@initech.test")
	if err != nil {
		t.Fatal(err)
	}
	const n = svcportal.TicketCountCap + 30
	ts := make([]svcportal.Ticket, n)
	for i := range ts {
		ts[i] = svcportal.Ticket{SiteID: initech.ID, RequesterID: peter.ID, Title: fmt.Sprintf("Seeded %d", i), Status: svcportal.StatusOpen, Type: "incident"}
	}
	if err := d.app.Store.SeedTickets(d.actx, ts); err != nil {
		t.Fatal(err)
	}
	bill := d.app.NewBrowser("acme.localhost")
	signIn(t, bill, "bill@initech.test", testkit.Password)

	seen := map[string]bool{}
	path, pages, cursorLinks := "/tickets?scope=site", 0, 0
	for path != "" {
		rec, doc := bill.Page(t, path)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: %d", path, rec.Code)
		}
		pages++
		if pages == 1 {
			if got := strings.TrimSpace(doc.Find("[data-testid=total]").Text()); got != "Tickets found: more than 1,000" { // as English writes numbers
				t.Errorf("total: %q", got)
			}
		}
		doc.Find("table[data-testid=tickets] tbody a").Each(func(_ int, s *goquery.Selection) {
			href, _ := s.Attr("href")
			if seen[href] {
				t.Errorf("page %d repeats %s", pages, href)
			}
			seen[href] = true
		})
		next, ok := doc.Find("a[rel=next]").Attr("href")
		if !ok {
			break
		}
		u, _ := url.Parse(next)
		if u.Query().Get("after") != "" {
			cursorLinks++
		}
		path = next
	}
	if len(seen) != n || pages != (n+24)/25 || cursorLinks == 0 {
		t.Errorf("walked %d pages, %d tickets (%d links by cursor), want %d pages, %d tickets, some by cursor", pages, len(seen), cursorLinks, (n+24)/25, n)
	}

	var ans struct {
		Tickets     []svcportal.TicketView `json:"tickets"`
		Total       int                    `json:"total"`
		TotalCapped bool                   `json:"total_capped"`
		NextCursor  string                 `json:"next_cursor"`
	}
	d.bill.JSON(t, "GET", "/api/v1/tickets?scope=site", nil, &ans)
	if ans.Total != svcportal.TicketCountCap || !ans.TotalCapped || ans.NextCursor == "" || len(ans.Tickets) != 25 {
		t.Errorf("API: total %d capped %v next %q, %d tickets", ans.Total, ans.TotalCapped, ans.NextCursor, len(ans.Tickets))
	}
	var next struct {
		Tickets []svcportal.TicketView `json:"tickets"`
	}
	d.bill.JSON(t, "GET", "/api/v1/tickets?scope=site&after="+url.QueryEscape(ans.NextCursor), nil, &next)
	if len(next.Tickets) != 25 || next.Tickets[0].Number >= ans.Tickets[24].Number && next.Tickets[0].UpdatedAt.Equal(ans.Tickets[24].UpdatedAt) {
		t.Errorf("the page after the cursor: %d tickets", len(next.Tickets))
	}
	if rec := d.bill.JSON(t, "GET", "/api/v1/tickets?scope=site&page=500", nil, nil); rec.Code != http.StatusBadRequest {
		t.Errorf("page 500 by number: %d, want 400", rec.Code)
	}
}
