package portal_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/testkit"
	"github.com/svcportal/svcportal/web"
)

// TestUploads_FilenamesLoseBidiAndControls: a name that uses the
// right-to-left override to pass "exe" for "pdf", other invisible
// formatting characters and path separators of any system lose them when
// stored.
func TestUploads_FilenamesLoseBidiAndControls(t *testing.T) {
	d := newDesk(t)
	names := map[string]string{
		"invoice\u202Efdp.exe":         "invoicefdp.exe",
		"\u2066report\u2069\u200F.txt": "report.txt",
		"zero\u200Bwidth\uFEFF.txt":    "zerowidth.txt",
		`C:\Users\peter\notes.txt`:     "notes.txt",
		"../../etc/passwd":             "passwd",
		"next\u0085line.txt":           "nextline.txt",
		"embed\u202Aded\u202C.pdf":     "embedded.pdf",
	}
	var files []testkit.File
	for name := range names {
		files = append(files, testkit.File{Name: name, Content: []byte("x")})
	}
	rec := d.peter.Multipart(t, "/api/v1/tickets", url.Values{"title": {"Files"}}, files)
	var v svcportal.TicketView
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil || rec.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	got := map[string]bool{}
	for _, a := range v.Attachments {
		got[a.Filename] = true
	}
	for sent, want := range names {
		if !got[want] {
			t.Errorf("%q: stored names %v, want %q among them", sent, got, want)
		}
	}
}

// TestAPI_NoStore: no JSON answer of the API, nor a page, may be kept by a
// browser or a shared cache; static assets still may.
func TestAPI_NoStore(t *testing.T) {
	d := newDesk(t)
	ticket := d.create(t, d.peter, map[string]any{"title": "Printer"})
	anon := d.app.NewBrowser("acme.localhost")
	cases := []struct {
		name string
		b    *testkit.Browser
		path string
	}{
		{"me", d.peter, "/api/v1/me"},
		{"tickets", d.peter, "/api/v1/tickets"},
		{"ticket", d.peter, fmt.Sprintf("/api/v1/tickets/%d", ticket.Number)},
		{"not found", d.peter, "/api/v1/tickets/999"},
		{"unauthorized", anon, "/api/v1/me"},
		{"unknown API route", anon, "/api/v1/nope"},
		{"admin", d.agent, "/api/v1/admin/tickets"},
		{"page", d.peter, "/login"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := tc.b.Get(t, tc.path)
			if got := rec.Header().Get("Cache-Control"); !strings.Contains(got, "no-store") {
				t.Errorf("%s answered %d with Cache-Control %q", tc.path, rec.Code, got)
			}
		})
	}
	rec := anon.Do(t, "POST", "/api/v1/auth/login", strings.NewReader(`{"email":"peter@initech.test","password":"`+testkit.Password+`"}`),
		http.Header{"Content-Type": {"application/json"}})
	if got := rec.Header().Get("Cache-Control"); rec.Code != http.StatusOK || got != "no-store" {
		t.Errorf("login answered %d with Cache-Control %q", rec.Code, got)
	}
	if got := anon.Get(t, web.AssetURL("app.css")).Header().Get("Cache-Control"); !strings.Contains(got, "immutable") {
		t.Errorf("static asset: Cache-Control %q", got)
	}
}

// TestTicketCC_Limits: a contact may copy at most MaxCC addresses on a
// ticket (422 naming cc), and may copy at most 50 people outside the
// tenant's contacts per hour, so the portal cannot be used to mail
// strangers in bulk; colleagues do not count.
func TestTicketCC_Limits(t *testing.T) {
	d := newDesk(t)
	strangers := func(from, n int) []string {
		var out []string
		for i := range n {
			out = append(out, fmt.Sprintf("stranger%d@elsewhere.test", from+i))
		}
		return out
	}

	t.Run("at most 20 per ticket", func(t *testing.T) {
		var got struct {
			Error web.APIErrorDetail `json:"error"`
		}
		rec := d.peter.JSON(t, "POST", "/api/v1/tickets", map[string]any{"title": "Many", "cc": strangers(1000, svcportal.MaxCC+1)}, &got)
		if rec.Code != http.StatusUnprocessableEntity || got.Error.Fields["cc"] != "Add at most 20 addresses." {
			t.Errorf("got %d %+v", rec.Code, got.Error)
		}
	})
	t.Run("at most 50 strangers per hour", func(t *testing.T) {
		for i := range 2 {
			d.create(t, d.peter, map[string]any{"title": "Copy", "cc": strangers(i*20, 20)})
		}
		d.create(t, d.peter, map[string]any{"title": "Copy", "cc": strangers(40, 10)}) // 50: still allowed
		var got struct {
			Error web.APIErrorDetail `json:"error"`
		}
		rec := d.peter.JSON(t, "POST", "/api/v1/tickets", map[string]any{"title": "One more", "cc": strangers(50, 1)}, &got)
		if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" ||
			!strings.HasPrefix(got.Error.Message, "You have added many new people to copies recently.") {
			t.Fatalf("got %d %+v", rec.Code, got.Error)
		}
		// Colleagues are not strangers, and another contact has their own allowance.
		d.create(t, d.peter, map[string]any{"title": "Colleague", "cc": []string{"milton@initech.test", "bill@initech.test"}})
		d.create(t, d.milton, map[string]any{"title": "Mine", "cc": strangers(100, 5)})
		var list struct {
			Total int `json:"total"`
		}
		d.peter.JSON(t, "GET", "/api/v1/tickets?q=more", nil, &list)
		if list.Total != 0 {
			t.Errorf("the refused ticket was saved")
		}
		d.app.Clock.Advance(time.Hour)
		d.create(t, d.peter, map[string]any{"title": "Next hour", "cc": strangers(60, 20)})
	})
}
