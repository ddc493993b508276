package admin_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/svcportal/svcportal"
)

// TestContactImport_ProgressPage: while an import runs, its page shows
// rows done of the total with a progress bar, refreshes itself without
// scripts and loads the script that follows it with them; it is the same
// page after a reload; a second import of the tenant is refused beside
// the form until the first ends; an import whose process stopped telling
// its progress reads as stopped, says how many rows were saved, and no
// longer blocks a new one. Another tenant's import is not found; agents
// may not see it.
func TestContactImport_ProgressPage(t *testing.T) {
	d := newDesk(t)
	st := d.app.Store
	running := &svcportal.ContactImport{StaffID: d.adminID, FileName: "big.csv", Total: 400}
	if err := st.StartContactImport(d.actx, running, d.app.Clock.Now().Add(-svcportal.ImportStaleAfter)); err != nil {
		t.Fatal(err)
	}
	if err := st.ContactImportProgress(d.actx, running.ID, 120); err != nil {
		t.Fatal(err)
	}
	page := fmt.Sprintf("/admin/contacts/import/%d", running.ID)
	for range 2 { // a reload shows the same
		rec, doc := d.admin.Page(t, page)
		if rec.Code != http.StatusOK || rec.Header().Get("Cache-Control") != "no-store" {
			t.Fatalf("progress page: %d %q", rec.Code, rec.Header().Get("Cache-Control"))
		}
		checkPage(t, "import progress", doc)
		bar := doc.Find("progress[data-testid=bar]")
		if bar.AttrOr("value", "") != "120" || bar.AttrOr("max", "") != "400" || doc.Find(`label[for=import-bar]`).Length() != 1 {
			t.Errorf("progress bar: value %q max %q", bar.AttrOr("value", ""), bar.AttrOr("max", ""))
		}
		if got := strings.TrimSpace(doc.Find("[data-testid=progress-text]").Text()); got != "Rows done: 120 of 400 (30%)" {
			t.Errorf("progress text %q", got)
		}
		if !strings.Contains(doc.Find("head noscript").Text(), `http-equiv="refresh"`) {
			t.Error("no refresh for browsers without scripts")
		}
		if doc.Find(`head script[src^="/static/import.js"]`).Length() != 1 {
			t.Error("the script that follows the import is not loaded")
		}
		if doc.Find("[data-testid=report]").Length() != 0 {
			t.Error("a report before the end")
		}
	}

	// One import per tenant at a time.
	_, form := d.admin.Page(t, "/admin/contacts/import")
	if href := form.Find("[data-testid=latest-import] a").AttrOr("href", ""); href != page {
		t.Errorf("the form's link to the running import: %q", href)
	}
	rec, doc := upload(t, d.admin, "/admin/contacts/import", url.Values{}, "second.csv", []byte("email,site\nzoe@initech.test,Initech\n"))
	if rec.Code != http.StatusConflict || !strings.Contains(doc.Find("[role=alert]").Text(), "already running") {
		t.Errorf("a second import while one runs: %d %q", rec.Code, doc.Find("[role=alert]").Text())
	}
	if _, err := st.ContactByEmail(d.actx, "zoe@initech.test"); svcportal.KindOf(err) != svcportal.KindNotFound {
		t.Errorf("the refused import created zoe: %v", err)
	}

	// Not for agents, not from another tenant.
	if rec := d.agent.Get(t, page); rec.Code != http.StatusForbidden {
		t.Errorf("agent: %d", rec.Code)
	}
	if rec := d.api(t, "globex.localhost", d.globexToken).Get(t, page); rec.Code != http.StatusNotFound {
		t.Errorf("globex's admin: %d", rec.Code)
	}
	if rec := d.admin.Get(t, "/admin/contacts/import/424242"); rec.Code != http.StatusNotFound {
		t.Errorf("unknown import: %d", rec.Code)
	}

	// Its process died: after ImportStaleAfter without news it reads as
	// stopped, and another import may start.
	d.app.Clock.Advance(svcportal.ImportStaleAfter + time.Second)
	_, doc = d.admin.Page(t, page)
	if doc.Find("[data-testid=import]").AttrOr("data-state", "") != svcportal.ImportFailed ||
		!strings.Contains(doc.Find("[data-testid=import-failed]").Text(), "Rows saved before it stopped: 120.") || doc.Find("head noscript").Length() != 0 {
		t.Errorf("a stale import: %q", doc.Find("[data-testid=import]").Text())
	}
	doc = importFile(t, d.admin, url.Values{}, "second.csv", []byte("email,site\nzoe@initech.test,Initech\n"))
	if strings.TrimSpace(doc.Find("[data-testid=created]").Text()) != "1" {
		t.Errorf("the import after a stale one: %q", doc.Find("[data-testid=report]").Text())
	}
	if old, _ := st.ContactImport(d.actx, running.ID); old.State != svcportal.ImportFailed || old.FinishedAt == nil {
		t.Errorf("the stale import was not closed: %+v", old)
	}
}

// TestContactImport_RunsToTheEnd: a file of many rows is imported in the
// background; its page ends with every row done and the report, the
// refused rows listed with their lines (at most a few hundred, the rest
// counted), and the import's audit entry.
func TestContactImport_RunsToTheEnd(t *testing.T) {
	d := newDesk(t)
	var csv strings.Builder
	csv.WriteString("email,first_name,site\n")
	for i := range 1500 {
		if i%2 == 0 {
			fmt.Fprintf(&csv, "user%d@initech.test,User %d,Initech\n", i, i)
		} else {
			fmt.Fprintf(&csv, "user%d@initech.test,User %d,Nowhere\n", i, i)
		}
	}
	doc := importFile(t, d.admin, url.Values{}, "many.csv", []byte(csv.String()))
	counts := map[string]string{}
	for _, k := range []string{"rows", "created", "refused-count"} {
		counts[k] = strings.TrimSpace(doc.Find("[data-testid=" + k + "]").Text())
	}
	if fmt.Sprint(counts) != "map[created:750 refused-count:750 rows:1,500]" { // written as English writes numbers
		t.Errorf("report %v", counts)
	}
	if n := doc.Find("table[data-testid=refused] tr[data-line]").Length(); n != 500 {
		t.Errorf("%d refused rows listed, want 500", n)
	}
	if got := doc.Find("[data-testid=more-refused]").Text(); !strings.Contains(got, "250 more refused rows") {
		t.Errorf("the rows not listed: %q", got)
	}
	if first := doc.Find("table[data-testid=refused] tr[data-line]").First().AttrOr("data-line", ""); first != "3" {
		t.Errorf("first refused line %q, want 3", first)
	}
	imp, err := d.app.Store.LatestContactImport(d.actx)
	if err != nil || imp.State != svcportal.ImportDone || imp.Done != 1500 || imp.Total != 1500 || imp.StaffID != d.adminID {
		t.Errorf("the import: %+v %v", imp, err)
	}
	entries, _, err := d.app.Store.AuditEntries(d.actx, svcportal.AuditFilter{Action: svcportal.AuditContactsImported, Page: 1, PerPage: 5})
	if err != nil || len(entries) != 1 || !strings.Contains(entries[0].Detail, "created 750") {
		t.Errorf("audit: %+v %v", entries, err)
	}
}
