package portal_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/testkit"
)

// multiSiteContact creates a contact of the context tenant with one
// membership per site, each with its role, and signs them in on the API.
func multiSiteContact(t *testing.T, d *desk, email string, ms ...svcportal.Membership) *testkit.Browser {
	t.Helper()
	c := &svcportal.Contact{Email: email, PasswordHash: testkit.HashPassword(t), Locale: "en", Memberships: ms}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := d.app.Store.CreateContact(d.actx, c); err != nil {
		t.Fatalf("create %s: %v", email, err)
	}
	b := d.app.NewBrowser("acme.localhost")
	apiLogin(t, b, email, testkit.Password)
	return b
}

func siteNamed(t *testing.T, ctx context.Context, app *testkit.App, name string) *svcportal.Site {
	t.Helper()
	s, err := app.Store.SiteByName(ctx, name)
	if err != nil {
		t.Fatalf("site %s: %v", name, err)
	}
	return s
}

// TestTicketList_FiltersOnlyWhereVisible: a contact of several sites sees a
// field at one site and not at the other. Every condition on the field —
// a field.KEY filter of each field type, the status filter, the priority
// sort, words — must act only on tickets of the sites where that contact
// sees the field, so that a hidden value can never be read out by
// narrowing a filter (or is refused when the field is visible nowhere).
func TestTicketList_FiltersOnlyWhereVisible(t *testing.T) {
	d := newDesk(t)
	initech, umbrella := siteNamed(t, d.actx, d.app, "Initech"), siteNamed(t, d.actx, d.app, "Umbrella")
	// Carol manages Initech and is a member at Umbrella; Dave the reverse.
	carol := multiSiteContact(t, d, "carol@multi.test",
		svcportal.Membership{SiteID: initech.ID, Role: svcportal.RoleSiteManager}, svcportal.Membership{SiteID: umbrella.ID, Role: svcportal.RoleMember})
	dave := multiSiteContact(t, d, "dave@multi.test",
		svcportal.Membership{SiteID: initech.ID, Role: svcportal.RoleMember}, svcportal.Membership{SiteID: umbrella.ID, Role: svcportal.RoleSiteManager})
	alice := d.alice

	custom := []svcportal.TicketField{
		{Key: "zf_text", Type: svcportal.FieldText},
		{Key: "zf_long", Type: svcportal.FieldLongText},
		{Key: "zf_num", Type: svcportal.FieldNumber},
		{Key: "zf_date", Type: svcportal.FieldDate},
		{Key: "zf_drop", Type: svcportal.FieldDropdown, Options: []svcportal.FieldOption{{Value: "zq_opt"}, {Value: "zq_other"}}},
		{Key: "zf_multi", Type: svcportal.FieldMultiSelect, Options: []svcportal.FieldOption{{Value: "zq_flag"}, {Value: "zq_flag2"}}},
		{Key: "zf_check", Type: svcportal.FieldCheckbox},
	}
	for i := range custom {
		custom[i].Labels = map[string]string{"en": custom[i].Key}
		for j := range custom[i].Options {
			custom[i].Options[j].Labels = map[string]string{"en": custom[i].Options[j].Value}
		}
		if err := custom[i].Validate(); err != nil {
			t.Fatal(err)
		}
		if err := d.app.Store.CreateTicketField(d.actx, &custom[i]); err != nil {
			t.Fatal(err)
		}
	}
	zora := &svcportal.Staff{Email: "zora@acme.test", Name: "Zora", Role: svcportal.StaffAgent, PasswordHash: testkit.HashPassword(t)}
	if err := d.app.Store.CreateStaff(d.actx, zora); err != nil {
		t.Fatal(err)
	}
	// The value each filter looks for, as set on the marked tickets.
	values := map[string]any{
		"zf_text": "zqtextval", "zf_long": "zqlongval", "zf_num": 7770001, "zf_date": "2031-07-19",
		"zf_drop": "zq_opt", "zf_multi": []string{"zq_flag"}, "zf_check": true,
		"type": "request", "priority": "urgent", "impact": "high", "product_family": "Zqfamily",
		"status": "in_progress", "assignee": zora.ID,
	}
	query := map[string]string{ // field → the query value that matches values[field]
		"zf_text": "zqtextval", "zf_long": "zqlongval", "zf_num": "7770001", "zf_date": "2031-07-19",
		"zf_drop": "zq_opt", "zf_multi": "zq_flag", "zf_check": "true",
		"type": "request", "priority": "urgent", "impact": "high", "product_family": "Zqfamily",
		"status": "in_progress", "assignee": fmt.Sprint(zora.ID),
	}
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	slices.Sort(keys)

	// Per site: a marked ticket holding every value, and a plain one.
	// Initech's are shared with the site so that Dave, a member there,
	// sees them; Umbrella's are Carol's (Dave manages Umbrella).
	open := func(b *testkit.Browser, site *svcportal.Site, title string, marked bool) int64 {
		v := d.create(t, b, map[string]any{"title": title, "site_id": site.ID, "shared_with_site": true})
		if marked {
			if rec := d.agent.JSON(t, "PATCH", fmt.Sprintf("/api/v1/admin/tickets/%d", v.Number), map[string]any{"fields": values}, nil); rec.Code != http.StatusOK {
				t.Fatalf("agent sets values: %d %s", rec.Code, rec.Body)
			}
		}
		return v.Number
	}
	markedI, plainI := open(d.peter, initech, "Initech marked", true), open(d.peter, initech, "Initech plain", false)
	markedU, plainU := open(carol, umbrella, "Umbrella marked", true), open(carol, umbrella, "Umbrella plain", false)
	type reader struct {
		name   string
		b      *testkit.Browser
		roleAt map[int64]string
	}
	readers := []reader{
		{"carol", carol, map[int64]string{initech.ID: svcportal.RoleSiteManager, umbrella.ID: svcportal.RoleMember}},
		{"dave", dave, map[int64]string{initech.ID: svcportal.RoleMember, umbrella.ID: svcportal.RoleSiteManager}},
	}
	sites := map[int64][]int64{initech.ID: {markedI, plainI}, umbrella.ID: {markedU, plainU}}
	markedOf := map[int64]int64{initech.ID: markedI, umbrella.ID: markedU}

	set := func(role string, site int64, mode svcportal.FieldMode) {
		for _, k := range keys {
			if err := d.app.Policies.SetMode(d.actx, svcportal.PolicyRule{Role: role, SiteID: site, Field: k, Mode: mode}); err != nil {
				t.Fatal(err)
			}
		}
	}
	list := func(t *testing.T, b *testkit.Browser, q url.Values) (int, []int64) {
		t.Helper()
		var res struct {
			Tickets []svcportal.TicketView
			Total   int
		}
		rec := b.JSON(t, "GET", "/api/v1/tickets?"+q.Encode(), nil, &res)
		if rec.Code != http.StatusOK {
			return rec.Code, nil
		}
		var ns []int64
		for _, v := range res.Tickets {
			ns = append(ns, v.Number)
		}
		if res.Total != len(ns) {
			t.Errorf("%s: total %d for %d tickets", q.Encode(), res.Total, len(ns))
		}
		return rec.Code, ns
	}

	for _, atI := range svcportal.FieldModes { // Carol's mode at Initech, Dave's at Umbrella (site managers)
		for _, atU := range svcportal.FieldModes { // Carol's at Umbrella, Dave's at Initech (members)
			set(svcportal.RoleSiteManager, initech.ID, atI)
			set(svcportal.RoleMember, umbrella.ID, atU)
			set(svcportal.RoleMember, initech.ID, atU)
			set(svcportal.RoleSiteManager, umbrella.ID, atI)
			for _, r := range readers {
				mode := func(site int64) svcportal.FieldMode {
					if r.roleAt[site] == svcportal.RoleSiteManager {
						return atI
					}
					return atU
				}
				// The marked tickets this reader may find: those of the
				// sites where the field is visible to them.
				var want []int64
				for _, site := range []int64{initech.ID, umbrella.ID} {
					if mode(site).Visible() {
						want = append(want, markedOf[site])
					}
				}
				slices.Sort(want)
				anywhere := len(want) > 0
				prefix := fmt.Sprintf("%s/initech=%s/umbrella=%s", r.name, mode(initech.ID), mode(umbrella.ID))

				check := func(t *testing.T, q url.Values) {
					t.Helper()
					code, got := list(t, r.b, q)
					slices.Sort(got)
					switch {
					case !anywhere && code != http.StatusBadRequest:
						t.Errorf("%s on a field hidden everywhere: %d %v, want 400", q.Encode(), code, got)
					case anywhere && (code != http.StatusOK || !slices.Equal(got, want)):
						t.Errorf("%s: %d %v, want 200 %v", q.Encode(), code, got, want)
					}
				}
				for _, k := range keys {
					t.Run(prefix+"/field."+k, func(t *testing.T) {
						check(t, url.Values{"field." + k: {query[k]}})
					})
				}
				t.Run(prefix+"/status", func(t *testing.T) {
					check(t, url.Values{"status": {"in_progress"}})
				})
				for _, sort := range []string{"priority", "-priority"} {
					t.Run(prefix+"/sort="+sort, func(t *testing.T) {
						code, got := list(t, r.b, url.Values{"sort": {sort}})
						if !anywhere {
							if code != http.StatusBadRequest {
								t.Errorf("sort by a field hidden everywhere: %d, want 400", code)
							}
							return
						}
						if code != http.StatusOK || len(got) != 4 {
							t.Fatalf("%d %v", code, got)
						}
						for site, ns := range sites {
							marked, plain := slices.Index(got, ns[0]), slices.Index(got, ns[1])
							// Urgent (marked) before normal (plain) when
							// descending, after when ascending — where the
							// reader sees priorities; elsewhere the
							// tie-break, the higher number first.
							first := marked < plain
							want := false // the tie-break: number descending, and plain is newer
							if mode(site).Visible() {
								want = sort == "-priority"
							}
							if first != want {
								t.Errorf("site %d (%s): marked #%d at %d, plain #%d at %d in %v", site, mode(site), ns[0], marked, ns[1], plain, got)
							}
						}
					})
				}
				t.Run(prefix+"/q", func(t *testing.T) {
					// Words never match a field's value, visible or not.
					for _, w := range []string{"zqtextval", "zqlongval", "Zqfamily", "7770001"} {
						if code, got := list(t, r.b, url.Values{"q": {w}}); code != http.StatusOK || len(got) != 0 {
							t.Errorf("q=%s: %d %v", w, code, got)
						}
					}
				})
			}
			// Malformed filter values are refused, never a 500, whatever
			// the database makes of the column's type.
			t.Run(fmt.Sprintf("malformed/initech=%s/umbrella=%s", atI, atU), func(t *testing.T) {
				for _, q := range []string{"field.assignee=zora", "field.zf_num=abc", "field.zf_date=2031-02-30", "field.zf_drop=nope"} {
					if rec := d.bill.JSON(t, "GET", "/api/v1/tickets?"+q, nil, nil); rec.Code != http.StatusBadRequest && rec.Code != http.StatusUnprocessableEntity {
						t.Errorf("%s: %d %s", q, rec.Code, rec.Body)
					}
					if rec := d.agent.JSON(t, "GET", "/api/v1/admin/tickets?"+q, nil, nil); rec.Code != http.StatusBadRequest && rec.Code != http.StatusUnprocessableEntity {
						t.Errorf("staff %s: %d %s", q, rec.Code, rec.Body)
					}
				}
			})
			// A contact of one site (a member at Umbrella, like Carol)
			// finds the shared marked ticket of that site when the field
			// is visible to her there.
			t.Run(fmt.Sprintf("alice/initech=%s/umbrella=%s/field.zf_num", atI, atU), func(t *testing.T) {
				code, got := list(t, alice, url.Values{"field.zf_num": {"7770001"}})
				if atU.Visible() && (code != http.StatusOK || !slices.Equal(got, []int64{markedU})) || !atU.Visible() && code != http.StatusBadRequest {
					t.Errorf("%d %v, want #%d if visible, else 400", code, got, markedU)
				}
			})
		}
	}
}
