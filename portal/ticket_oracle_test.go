package portal_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/testkit"
)

// twins opens two identical tickets as b, A then B, at the same instant.
func twins(t *testing.T, d *desk, b *testkit.Browser, title string) (a, bb int64) {
	t.Helper()
	return d.create(t, b, map[string]any{"title": title}).Number, d.create(t, b, map[string]any{"title": title}).Number
}

// readerView is everything a contact can read of ticket n, with the
// ticket's number blanked: its JSON, its entry of the list JSON, and the
// main part of its page.
func readerView(t *testing.T, api, page *testkit.Browser, n int64) (ticketJSON, listJSON, html string) {
	t.Helper()
	number := regexp.MustCompile(fmt.Sprintf(`(#|/tickets/)%d\b`, n))
	blank := func(v *svcportal.TicketView) string {
		v.Number = 0
		for i := range v.Messages {
			v.Messages[i].ID = 0 // ids follow the order of writing, not what the reader may know
		}
		raw, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(raw)
	}
	var list struct{ Tickets []svcportal.TicketView }
	api.JSON(t, "GET", "/api/v1/tickets?per_page=100", nil, &list)
	for i := range list.Tickets {
		if list.Tickets[i].Number == n {
			listJSON = blank(&list.Tickets[i])
		}
	}
	var v svcportal.TicketView
	if rec := api.JSON(t, "GET", fmt.Sprintf("/api/v1/tickets/%d", n), nil, &v); rec.Code != http.StatusOK {
		t.Fatalf("GET #%d: %d", n, rec.Code)
	}
	ticketJSON = blank(&v)
	_, doc := page.Page(t, fmt.Sprintf("/tickets/%d", n))
	main, err := doc.Find("main").Html()
	if err != nil {
		t.Fatal(err)
	}
	return ticketJSON, listJSON, number.ReplaceAllString(main, "${1}N")
}

// firstDiff shows where a and b part, with a little context.
func firstDiff(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	from := max(i-60, 0)
	return fmt.Sprintf("\n  %q\n  %q", a[from:min(i+80, len(a))], b[from:min(i+80, len(b))])
}

// sameView fails unless the reader reads tickets a and b alike.
func sameView(t *testing.T, api, page *testkit.Browser, a, b int64) {
	t.Helper()
	ja, la, ha := readerView(t, api, page, a)
	jb, lb, hb := readerView(t, api, page, b)
	for _, c := range []struct{ what, a, b string }{{"ticket JSON", ja, jb}, {"list JSON", la, lb}, {"page", ha, hb}} {
		if c.a != c.b {
			t.Errorf("%s differs between #%d and #%d: %s", c.what, a, b, firstDiff(c.a, c.b))
		}
	}
	// Their order in a list sorted by update is the tie-break's (number
	// descending) both ways: neither moved for the reader.
	for _, sort := range []string{"updated", "-updated"} {
		var list struct{ Tickets []svcportal.TicketView }
		api.JSON(t, "GET", "/api/v1/tickets?per_page=100&sort="+sort, nil, &list)
		ns := []int64{}
		for _, v := range list.Tickets {
			ns = append(ns, v.Number)
		}
		if slices.Index(ns, b) > slices.Index(ns, a) {
			t.Errorf("sort=%s: #%d after #%d in %v", sort, b, a, ns)
		}
	}
}

// TestTicketView_HiddenStatusTellsNothing: when the status is hidden from
// a contact, two tickets that differ only in status (or in what the MSP
// did through the status: a proposed solution, a closing) read the same
// to them in JSON, in the list and on the page — no closed_at, no
// solution box, no status events, no moved updated_at — and the actions
// they may try answer alike.
func TestTicketView_HiddenStatusTellsNothing(t *testing.T) {
	d := newDesk(t)
	if err := d.app.Policies.SetMode(d.actx, svcportal.PolicyRule{Role: svcportal.RoleMember, Field: "status", Mode: svcportal.FieldHidden}); err != nil {
		t.Fatal(err)
	}
	page := d.app.NewBrowser("acme.localhost")
	signIn(t, page, "peter@initech.test", testkit.Password)
	admin := func(n int64, suffix string, body any) {
		t.Helper()
		method := "POST"
		if suffix == "" {
			method = "PATCH"
		}
		if rec := d.agent.JSON(t, method, fmt.Sprintf("/api/v1/admin/tickets/%d%s", n, suffix), body, nil); rec.Code != http.StatusOK && rec.Code != http.StatusCreated {
			t.Fatalf("agent %s #%d%s: %d %s", method, n, suffix, rec.Code, rec.Body)
		}
	}
	cases := []struct {
		name string
		act  func(a, b int64) // at the same instant on A (what the reader could tell apart) and B
	}{
		{"a proposed solution reads as a reply", func(a, b int64) {
			admin(a, "/replies", map[string]any{"body": "Replace the toner"})
			admin(b, "/propose-solution", map[string]any{"body": "Replace the toner"})
		}},
		{"closed by the MSP", func(a, b int64) {
			admin(b, "", map[string]any{"fields": map[string]any{"status": "closed"}})
		}},
		{"in progress, then awaiting a reply", func(a, b int64) {
			admin(b, "", map[string]any{"fields": map[string]any{"status": "in_progress"}})
			admin(b, "", map[string]any{"fields": map[string]any{"status": "awaiting_reply"}})
		}},
		{"a hidden field changed", func(a, b int64) {
			admin(b, "", map[string]any{"fields": map[string]any{"internal_cost": 7770001}})
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, b := twins(t, d, d.peter, "Twin")
			d.app.Clock.Advance(time.Minute)
			tc.act(a, b)
			d.app.Clock.Advance(time.Minute)
			sameView(t, d.peter, page, a, b)

			// What the reader may try answers alike on both, and leaves
			// them alike.
			for _, try := range []struct {
				path string
				body any
			}{
				{"solution", map[string]any{"decision": "accept"}},
				{"solution", map[string]any{"decision": "refuse", "comment": "No"}},
				{"rating", map[string]any{"satisfied": true}},
				{"replies", map[string]any{"body": "Any news?"}},
				{"close", map[string]any{}},
				{"close", map[string]any{"comment": "Done"}},
			} {
				ra := d.peter.JSON(t, "POST", fmt.Sprintf("/api/v1/tickets/%d/%s", a, try.path), try.body, nil)
				rb := d.peter.JSON(t, "POST", fmt.Sprintf("/api/v1/tickets/%d/%s", b, try.path), try.body, nil)
				if ra.Code != rb.Code || ra.Code >= 500 {
					t.Errorf("POST %s %v: #%d %d, #%d %d", try.path, try.body, a, ra.Code, b, rb.Code)
				}
			}
			sameView(t, d.peter, page, a, b)
		})
	}
}

// TestTicketView_StatusShownWhenVisible: where the status is visible, its
// consequences are shown as before, and a visible status change moves the
// reader's updated_at; a hidden field's change does not.
func TestTicketView_StatusShownWhenVisible(t *testing.T) {
	d := newDesk(t)
	page := d.app.NewBrowser("acme.localhost")
	signIn(t, page, "peter@initech.test", testkit.Password)
	a, b := twins(t, d, d.peter, "Twin")
	d.app.Clock.Advance(time.Minute)
	if rec := d.agent.JSON(t, "PATCH", fmt.Sprintf("/api/v1/admin/tickets/%d", a), map[string]any{"fields": map[string]any{"internal_cost": 7770001}}, nil); rec.Code != http.StatusOK {
		t.Fatal(rec.Body)
	}
	sameView(t, d.peter, page, a, b) // a hidden field's change alone

	d.app.Clock.Advance(time.Minute)
	changed := d.app.Clock.Now()
	if rec := d.agent.JSON(t, "PATCH", fmt.Sprintf("/api/v1/admin/tickets/%d", b), map[string]any{"fields": map[string]any{"status": "closed"}}, nil); rec.Code != http.StatusOK {
		t.Fatal(rec.Body)
	}
	var v svcportal.TicketView
	d.peter.JSON(t, "GET", fmt.Sprintf("/api/v1/tickets/%d", b), nil, &v)
	kinds := []string{}
	for _, e := range v.Events {
		kinds = append(kinds, e.Kind)
	}
	if v.Status != svcportal.StatusClosed || v.ClosedAt == nil || !v.UpdatedAt.Equal(changed) || !slices.Contains(kinds, svcportal.EventStatusChanged) {
		t.Errorf("status %q closed_at %v updated_at %v (want %v) events %v", v.Status, v.ClosedAt, v.UpdatedAt, changed, kinds)
	}
	var list struct{ Tickets []svcportal.TicketView }
	d.peter.JSON(t, "GET", "/api/v1/tickets?"+url.Values{"sort": {"-updated"}}.Encode(), nil, &list)
	if len(list.Tickets) != 2 || list.Tickets[0].Number != b || !list.Tickets[0].UpdatedAt.Equal(changed) {
		t.Errorf("list by update: %+v", list.Tickets)
	}
}
