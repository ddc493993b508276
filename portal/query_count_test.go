package portal_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/svcportal/svcportal/testkit"
)

func writes(qs []string) []string {
	var out []string
	for _, q := range qs {
		verb := strings.ToUpper(strings.Fields(q)[0])
		if verb == "INSERT" || verb == "UPDATE" || verb == "DELETE" || verb == "BEGIN" {
			out = append(out, q)
		}
	}
	return out
}

// TestQueryCount_TicketPages: the ticket list (API and page) and the
// ticket (API and page) run a fixed number of statements, whatever the
// number of tickets on the page (no query per ticket), within a budget;
// the tenant, the session, the policies, the fields and the tickets
// themselves come from the caches once warm; reading a ticket already
// read writes nothing.
func TestQueryCount_TicketPages(t *testing.T) {
	d := newDesk(t)
	log := &testkit.QueryLog{}
	d.app.Store.AddQueryHook(log)
	bill := d.app.NewBrowser("acme.localhost") // site manager of Initech, on the pages
	signIn(t, bill, "bill@initech.test", testkit.Password)

	var first int64
	create := func(n int) {
		for i := range n {
			v := d.create(t, d.peter, map[string]any{"title": fmt.Sprintf("Printer %d", i), "cc": []string{"milton@initech.test"},
				"shared_with_site": i%2 == 0, "fields": map[string]any{"asset_tag": fmt.Sprintf("PR-%d", i)}})
			if first == 0 {
				first = v.Number
			}
			d.create(t, d.bill, map[string]any{"title": fmt.Sprintf("Screen %d", i)})
		}
	}
	get := func(b interface {
		Get(testing.TB, string) *httptest.ResponseRecorder
	}, path string) func() {
		return func() {
			if rec := b.Get(t, path); rec.Code != http.StatusOK {
				t.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body)
			}
		}
	}
	reads := []struct {
		name   string
		run    func() func()
		budget int
	}{
		{"list API, site manager", func() func() { return get(d.bill, "/api/v1/tickets?scope=site") }, 2},
		{"list API, member", func() func() { return get(d.milton, "/api/v1/tickets?scope=site") }, 2},
		// Words: two more statements, the index's words that the typed words start (store.expand, on
		// SQLite), and the count of the matches in the branches' sites, which decides how they are read
		// (store's countMatches).
		{"list API, words", func() func() { return get(d.bill, "/api/v1/tickets?scope=site&q=printer") }, 4},
		{"list page, site manager", func() func() { return get(bill, "/tickets?scope=site") }, 2},
		// The ticket's head (its version, names and read mark): its columns
		// and its thread come from memory while its version is the same
		// (store/ticket_cache.go).
		{"ticket API", func() func() { return get(d.bill, fmt.Sprintf("/api/v1/tickets/%d", first)) }, 2},
		{"ticket page", func() func() { return get(bill, fmt.Sprintf("/tickets/%d", first)) }, 2},
	}
	counts := map[string]int{}
	for _, size := range []int{3, 15} {
		create(size)
		for _, r := range reads {
			r.run()() // warms the caches, and marks the ticket read
			qs := log.During(r.run())
			if w := writes(qs); len(w) > 0 {
				t.Errorf("%s with %d tickets writes: %q", r.name, size*2, w)
			}
			if len(qs) > r.budget {
				t.Errorf("%s with %d tickets: %d statements, budget %d:\n%s", r.name, size*2, len(qs), r.budget, strings.Join(qs, "\n"))
			}
			// The tenant's version is read only after a commit on SQLite
			// (the previous request's marking the ticket read is one):
			// the statements of the page itself are compared.
			own := slices.DeleteFunc(slices.Clone(qs), func(q string) bool { return strings.Contains(q, "tenant_cache_versions") })
			if n, ok := counts[r.name]; ok && n != len(own) {
				t.Errorf("%s: %d statements with %d tickets, %d with fewer: a query per ticket?\n%s", r.name, len(own), size*2, n, strings.Join(own, "\n"))
			}
			counts[r.name] = len(own)
		}
	}
	t.Logf("statements per request: %v", counts)
}
