package portal_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/testkit"
)

// TestFieldPolicyMatrix sets every field to every mode for every portal
// role and reads one ticket through every read path: the ticket page, the
// ticket JSON, the list JSON, the list page, a filter, a search hit and
// the email of a reply. A hidden field's value or name must never appear;
// a visible one must; only an editable one may be written.
func TestFieldPolicyMatrix(t *testing.T) {
	d := newDesk(t)
	// Distinctive values, so that a leak cannot hide behind a common word.
	extra := []svcportal.TicketField{
		{Key: "zq_choice", Type: svcportal.FieldDropdown, Labels: map[string]string{"en": "Zq choice"},
			Options: []svcportal.FieldOption{{Value: "zq_opt", Labels: map[string]string{"en": "Zqoptlabel"}}}},
		{Key: "zq_flags", Type: svcportal.FieldMultiSelect, Labels: map[string]string{"en": "Zq flags"},
			Options: []svcportal.FieldOption{{Value: "zq_flag", Labels: map[string]string{"en": "Zqflaglabel"}}}},
		{Key: "zq_when", Type: svcportal.FieldDate, Labels: map[string]string{"en": "Zq when"}},
		{Key: "zq_ok", Type: svcportal.FieldCheckbox, Labels: map[string]string{"en": "Zq ok"}},
	}
	for i := range extra {
		if err := extra[i].Validate(); err != nil {
			t.Fatal(err)
		}
		if err := d.app.Store.CreateTicketField(d.actx, &extra[i]); err != nil {
			t.Fatal(err)
		}
	}
	// The assignee is not the agent who replies: a reply's author is
	// always shown, the assigned technician only as the policy allows.
	assignee := &svcportal.Staff{Email: "zora@acme.test", Name: "Zora Zqassignee", Role: svcportal.StaffAgent, PasswordHash: testkit.HashPassword(t)}
	if err := d.app.Store.CreateStaff(d.actx, assignee); err != nil {
		t.Fatal(err)
	}
	values := map[string]any{ // field → value set by the agent
		"product_family": "Zqfamily", "assignee": assignee.ID, "type": "request", "asset_tag": "ZQ-TAG-77", "contract": "premium",
		"internal_cost": 4242.17, "zq_choice": "zq_opt", "zq_flags": []string{"zq_flag"}, "zq_when": "2031-07-19", "zq_ok": true,
		"priority": "urgent", "impact": "high",
	}
	shown := map[string]string{ // field → text that shows its value on a page or in JSON
		"product_family": "Zqfamily", "assignee": "Zora Zqassignee", "asset_tag": "ZQ-TAG-77", "contract": "Premium",
		"internal_cost": "4242.17", "zq_choice": "Zqoptlabel", "zq_flags": "Zqflaglabel", "zq_when": "2031-07-19",
	}
	labels := map[string]string{"asset_tag": "Asset tag", "contract": "Contract", "internal_cost": "Internal cost",
		"zq_choice": "Zq choice", "zq_flags": "Zq flags", "zq_when": "Zq when", "zq_ok": "Zq ok"}
	v := d.create(t, d.peter, map[string]any{"title": "Matrix ticket", "shared_with_site": true})
	if rec := d.agent.JSON(t, "PATCH", fmt.Sprintf("/api/v1/admin/tickets/%d", v.Number), map[string]any{"fields": values}, nil); rec.Code != 200 {
		t.Fatalf("agent sets every field: %s", rec.Body)
	}
	fields := []string{"status", "type", "priority", "impact", "product_family", "assignee",
		"asset_tag", "contract", "internal_cost", "zq_choice", "zq_flags", "zq_when", "zq_ok"}
	readers := map[string]*testkit.Browser{svcportal.RoleMember: d.peter, svcportal.RoleSiteManager: d.bill}
	pageReader := map[string]*testkit.Browser{}
	for role, email := range map[string]string{svcportal.RoleMember: "peter@initech.test", svcportal.RoleSiteManager: "bill@initech.test"} {
		b := d.app.NewBrowser("acme.localhost")
		signIn(t, b, email, testkit.Password)
		pageReader[role] = b
	}
	o := &outbox{d: d}
	o.next(t)

	for _, mode := range svcportal.FieldModes {
		for _, role := range svcportal.PortalRoles {
			other := svcportal.RoleSiteManager
			if role == other {
				other = svcportal.RoleMember
			}
			for _, f := range fields {
				// The role under test gets mode; the other role sees
				// everything, so a leak across roles would show too.
				for r, m := range map[string]svcportal.FieldMode{role: mode, other: svcportal.FieldEditable} {
					if err := d.app.Policies.SetMode(d.actx, svcportal.PolicyRule{Role: r, Field: f, Mode: m}); err != nil {
						t.Fatal(err)
					}
				}
			}
			b, page := readers[role], pageReader[role]
			t.Run(fmt.Sprintf("%s/%s", mode, role), func(t *testing.T) {
				var tv svcportal.TicketView
				ticketJSON := b.JSON(t, "GET", fmt.Sprintf("/api/v1/tickets/%d", v.Number), nil, &tv).Body.String()
				var list struct{ Tickets []svcportal.TicketView }
				listJSON := b.JSON(t, "GET", "/api/v1/tickets", nil, &list).Body.String()
				searchJSON := b.JSON(t, "GET", "/api/v1/tickets?q=Matrix", nil, nil).Body.String()
				fieldsJSON := b.JSON(t, "GET", "/api/v1/ticket-fields", nil, nil).Body.String()
				_, doc := page.Page(t, fmt.Sprintf("/tickets/%d", v.Number))
				ticketHTML := must(doc.Html())
				_, listDoc := page.Page(t, "/tickets")
				listHTML := must(listDoc.Html())

				for _, f := range fields {
					_, inTicket := tv.Fields[f]
					_, inList := list.Tickets[0].Fields[f]
					onPage := doc.Find(`[data-field="`+f+`"]`).Length() > 0
					if f == "status" {
						inTicket, inList, onPage = tv.Status != "", list.Tickets[0].Status != "", doc.Find("[data-testid=status]").Length() > 0
					}
					visible := mode.Visible()
					if inTicket != visible || inList != visible || onPage != visible {
						t.Errorf("%s: ticket JSON %v, list JSON %v, page %v; want %v everywhere", f, inTicket, inList, onPage, visible)
					}
					texts := []string{}
					if s := shown[f]; s != "" {
						texts = append(texts, s)
					}
					if l := labels[f]; l != "" {
						texts = append(texts, l)
					}
					if !visible {
						texts = append(texts, `"`+f+`"`)
					}
					for _, s := range texts {
						for name, body := range map[string]string{"ticket JSON": ticketJSON, "list JSON": listJSON, "search JSON": searchJSON,
							"ticket-fields": fieldsJSON, "ticket page": ticketHTML, "list page": listHTML} {
							if !visible && strings.Contains(body, s) {
								t.Errorf("%s is hidden but %s shows %q", f, name, s)
							}
						}
						if visible && s == shown[f] && !strings.Contains(ticketHTML, s) {
							t.Errorf("%s is visible but the page lacks %q", f, s)
						}
					}

					// A filter on the field.
					filterVal := fmt.Sprint(values[f])
					if f == "status" {
						filterVal = "in_progress"
					}
					if f == "zq_flags" {
						filterVal = "zq_flag"
					}
					if f != "assignee" {
						var res struct{ Total int }
						rec := b.JSON(t, "GET", "/api/v1/tickets?"+url.Values{"field." + f: {filterVal}}.Encode(), nil, &res)
						if visible && rec.Code != http.StatusOK || !visible && rec.Code != http.StatusBadRequest {
							t.Errorf("filter on %s: %d (visible %v)", f, rec.Code, visible)
						}
					}

					// A write of the field.
					want := map[svcportal.FieldMode]int{svcportal.FieldEditable: 200, svcportal.FieldViewOnly: 403, svcportal.FieldHidden: 403}[mode]
					val := values[f]
					if f == "status" || f == "assignee" {
						continue // status moves through the flow; assignee is the MSP's
					}
					if rec := b.JSON(t, "PATCH", fmt.Sprintf("/api/v1/tickets/%d", v.Number), map[string]any{"fields": map[string]any{f: val}}, nil); rec.Code != want {
						t.Errorf("write %s as %s with %s: %d, want %d", f, role, mode, rec.Code, want)
					}
				}

				// The email of a reply carries no field value at all.
				d.agent.JSON(t, "POST", fmt.Sprintf("/api/v1/admin/tickets/%d/replies", v.Number), map[string]any{"body": "Update"}, nil)
				_, emails := o.next(t)
				if len(emails) == 0 {
					t.Fatal("no email for the reply")
				}
				for _, e := range emails {
					for f, s := range shown {
						if strings.Contains(e.TextBody, s) || strings.Contains(e.HTMLBody, s) {
							t.Errorf("email to %s shows %s (%q)", e.ToAddress, f, s)
						}
					}
				}
			})
		}
	}
}
