package portal_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/testkit"
)

// TestTicketSolution_WhoDecides: accepting or refusing a proposed solution
// follows the rule of closing (the requester or a site manager of the
// ticket's site), through the API and the page, and the page offers the
// decision box exactly to those who may use it.
func TestTicketSolution_WhoDecides(t *testing.T) {
	d := newDesk(t)
	pages := map[string]*testkit.Browser{}
	for _, email := range []string{"peter@initech.test", "milton@initech.test", "bill@initech.test"} {
		b := d.app.NewBrowser("acme.localhost")
		signIn(t, b, email, testkit.Password)
		pages[email] = b
	}
	propose := func(t *testing.T) svcportal.TicketView {
		t.Helper()
		v := d.create(t, d.peter, map[string]any{"title": "Shared printer", "shared_with_site": true})
		if rec := d.agent.JSON(t, "POST", fmt.Sprintf("/api/v1/admin/tickets/%d/propose-solution", v.Number), map[string]any{"body": "Replace the toner"}, nil); rec.Code != http.StatusOK {
			t.Fatalf("propose: %d %s", rec.Code, rec.Body)
		}
		return v
	}
	cases := []struct {
		who     string
		api     *testkit.Browser
		allowed bool
	}{
		{"milton@initech.test", d.milton, false}, // a colleague who sees the shared ticket
		{"peter@initech.test", d.peter, true},    // its requester
		{"bill@initech.test", d.bill, true},      // the site manager
	}
	for _, tc := range cases {
		for _, decision := range []string{"accept", "refuse"} {
			t.Run(tc.who+"/"+decision, func(t *testing.T) {
				v := propose(t)
				path := fmt.Sprintf("/tickets/%d", v.Number)
				var tv svcportal.TicketView
				tc.api.JSON(t, "GET", "/api/v1"+path, nil, &tv)
				if tv.Actions == nil || tv.Actions.Decide != tc.allowed || tv.Actions.Close != tc.allowed {
					t.Errorf("actions %+v, want decide and close %v", tv.Actions, tc.allowed)
				}
				_, doc := pages[tc.who].Page(t, path)
				if got := doc.Find("[data-testid=accept]").Length() == 1; got != tc.allowed {
					t.Errorf("page offers the decision: %v, want %v", got, tc.allowed)
				}
				if got := doc.Find("[data-testid=close]").Length() == 1; got != tc.allowed {
					t.Errorf("page offers closing: %v, want %v", got, tc.allowed)
				}

				want := http.StatusForbidden
				if tc.allowed {
					want = http.StatusOK
				}
				body := map[string]any{"decision": decision, "comment": "Not fixed"}
				if rec := tc.api.JSON(t, "POST", "/api/v1"+path+"/solution", body, nil); rec.Code != want {
					t.Fatalf("API decision: %d %s, want %d", rec.Code, rec.Body, want)
				}
				if tc.allowed {
					return
				}
				rec := pages[tc.who].Submit(t, path+"/solution", url.Values{"decision": {decision}, "comment": {"Not fixed"}})
				if rec.Code != http.StatusForbidden {
					t.Errorf("page decision: %d, want 403", rec.Code)
				}
				d.peter.JSON(t, "GET", "/api/v1"+path, nil, &tv)
				if tv.Status != svcportal.StatusSolutionProposed {
					t.Errorf("a refused decision changed the status to %s", tv.Status)
				}
			})
		}
	}
}
