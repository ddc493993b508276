package portal_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/store"
	"github.com/svcportal/svcportal/testkit"
)

// tableCounts counts the rows of every table of the database.
func tableCounts(t *testing.T, st *store.Store) map[string]int {
	t.Helper()
	ctx := context.Background()
	var tables []string
	q := "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
	if st.Dialect() == store.SQLite {
		q = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
	}
	if err := st.DB().NewRaw(q).Scan(ctx, &tables); err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, tb := range tables {
		n, err := st.DB().NewSelect().TableExpr(tb).Count(ctx)
		if err != nil {
			t.Fatalf("count %s: %v", tb, err)
		}
		counts[tb] = int(n)
	}
	return counts
}

// writesOf runs do and answers, per table, how many rows it added (or
// removed).
func writesOf(t *testing.T, st *store.Store, do func()) map[string]int {
	t.Helper()
	before := tableCounts(t, st)
	do()
	d := map[string]int{}
	for tb, n := range tableCounts(t, st) {
		if n != before[tb] {
			d[tb] = n - before[tb]
		}
	}
	return d
}

// TestAPI_PasswordReset_SameWork asks for a reset code for an existing
// account, an unknown address and a disabled account, from fresh
// addresses: each request writes the same number of rows to the same
// tables (a code row, one outgoing email, the throttle counters, the
// audit entry), so neither the timing nor the database tells them apart.
func TestAPI_PasswordReset_SameWork(t *testing.T) {
	w := newResetWorld(t)
	milton := testkit.Contact(w.actx, t, w.app.Store, "milton@initech.test", &svcportal.Site{ID: w.peter.Memberships[0].SiteID}, svcportal.RoleMember)
	milton.Disabled = true
	if err := w.app.Store.UpdateContact(w.actx, milton); err != nil {
		t.Fatal(err)
	}
	delta := func(email, ip string) map[string]int {
		return writesOf(t, w.app.Store, func() {
			rec := w.browser("acme.localhost", ip).JSON(t, http.MethodPost, "/api/v1/auth/password-reset", map[string]string{"email": email}, nil)
			if rec.Code != http.StatusAccepted || rec.Body.Len() != 0 {
				t.Fatalf("%s: got %d %q, want 202 and no body", email, rec.Code, rec.Body)
			}
		})
	}
	known := delta("peter@initech.test", "198.51.100.31")
	for i, email := range []string{"nobody@initech.test", "milton@initech.test"} {
		got := delta(email, fmt.Sprintf("198.51.100.%d", 40+i))
		if len(got) != len(known) {
			t.Errorf("%s changed %v, a known account %v", email, got, known)
		}
		for tb, n := range known {
			if got[tb] != n {
				t.Errorf("%s changed %v, a known account %v", email, got, known)
				break
			}
		}
	}
	if known["reset_codes"] != 1 || known["outbound_emails"] != 1 {
		t.Errorf("a known account changed %v: want one code and one email", known)
	}
	emails, err := w.app.Store.Emails(w.actx, svcportal.EmailFilter{ToAddress: "nobody@initech.test"})
	if err != nil || len(emails) != 1 || emails[0].Kind != svcportal.EmailResetUnknown || codeRE.MatchString(emails[0].TextBody) {
		t.Errorf("emails to the unknown address: %+v %v, want one notice without a code", emails, err)
	}
}

// TestStaffPasswordReset_SameWork is TestAPI_PasswordReset_SameWork for the
// console's forgot-password form: a staff member, an unknown address and a
// disabled staff member cause the same writes.
func TestStaffPasswordReset_SameWork(t *testing.T) {
	w := newResetWorld(t)
	gone := &svcportal.Staff{Email: "gone@acme.test", Name: "Gone", Role: svcportal.StaffAgent, PasswordHash: testkit.HashPassword(t), Disabled: true}
	if err := w.app.Store.CreateStaff(w.actx, gone); err != nil {
		t.Fatal(err)
	}
	delta := func(email, ip string) map[string]int {
		return writesOf(t, w.app.Store, func() {
			rec := w.browser("acme.localhost", ip).Do(t, http.MethodPost, "/admin/forgot-password",
				strings.NewReader(url.Values{"email": {email}}.Encode()), http.Header{"Content-Type": {"application/x-www-form-urlencoded"}})
			if rec.Code >= 400 {
				t.Fatalf("%s: got %d", email, rec.Code)
			}
		})
	}
	known := delta("admin@acme.test", "198.51.100.61")
	if known["staff_reset_codes"] != 1 || known["outbound_emails"] != 1 {
		t.Fatalf("a staff member's request changed %v: want one code and one email", known)
	}
	for i, email := range []string{"nobody@acme.test", "gone@acme.test"} {
		got := delta(email, fmt.Sprintf("198.51.100.%d", 70+i))
		if fmt.Sprint(got) != fmt.Sprint(known) {
			t.Errorf("%s changed %v, a staff member %v", email, got, known)
		}
	}
}
