package portal_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/testkit"
	"github.com/svcportal/svcportal/web"
)

// desk is acme with two sites, their contacts, an agent, and the demo's
// custom fields: asset_tag editable, contract view-only, internal_cost
// hidden; and globex with one contact.
type desk struct {
	app                               *testkit.App
	actx, gctx                        context.Context
	peter, milton, bill, alice, gavin *testkit.Browser
	agent, globexAgent                *testkit.Browser
}

func newDesk(t *testing.T) *desk {
	t.Helper()
	app := testkit.NewApp(t)
	d := &desk{app: app}
	d.actx, _ = testkit.Tenant(t, app.Store, "acme")
	d.gctx, _ = testkit.Tenant(t, app.Store, "globex")
	for _, ctx := range []context.Context{d.actx, d.gctx} {
		if err := app.Policies.SeedDefaults(ctx); err != nil {
			t.Fatal(err)
		}
	}
	initech := testkit.Site(d.actx, t, app.Store, "Initech")
	umbrella := testkit.Site(d.actx, t, app.Store, "Umbrella")
	testkit.Contact(d.actx, t, app.Store, "peter@initech.test", initech, svcportal.RoleMember)
	testkit.Contact(d.actx, t, app.Store, "milton@initech.test", initech, svcportal.RoleMember)
	testkit.Contact(d.actx, t, app.Store, "bill@initech.test", initech, svcportal.RoleSiteManager)
	testkit.Contact(d.actx, t, app.Store, "alice@umbrella.test", umbrella, svcportal.RoleMember)
	testkit.Contact(d.gctx, t, app.Store, "gavin@hooli.test", testkit.Site(d.gctx, t, app.Store, "Hooli"), svcportal.RoleMember)
	fields := []struct {
		f    svcportal.TicketField
		mode svcportal.FieldMode
	}{
		{svcportal.TicketField{Key: "asset_tag", Type: svcportal.FieldText, Labels: map[string]string{"en": "Asset tag", "fr": "Numéro d’inventaire"}}, svcportal.FieldEditable},
		{svcportal.TicketField{Key: "contract", Type: svcportal.FieldDropdown, Labels: map[string]string{"en": "Contract"},
			Options: []svcportal.FieldOption{{Value: "premium", Labels: map[string]string{"en": "Premium"}}}}, svcportal.FieldViewOnly},
		{svcportal.TicketField{Key: "internal_cost", Type: svcportal.FieldNumber, Labels: map[string]string{"en": "Internal cost"}}, svcportal.FieldHidden},
	}
	for _, f := range fields {
		if err := f.f.Validate(); err != nil {
			t.Fatal(err)
		}
		if err := app.Store.CreateTicketField(d.actx, &f.f); err != nil {
			t.Fatal(err)
		}
		for _, role := range svcportal.PortalRoles {
			if err := app.Policies.SetMode(d.actx, svcportal.PolicyRule{Role: role, Field: f.f.Key, Mode: f.mode}); err != nil {
				t.Fatal(err)
			}
		}
	}
	login := func(host, email string) *testkit.Browser {
		b := app.NewBrowser(host)
		apiLogin(t, b, email, testkit.Password)
		return b
	}
	d.peter, d.milton, d.bill, d.alice = login("acme.localhost", "peter@initech.test"), login("acme.localhost", "milton@initech.test"),
		login("acme.localhost", "bill@initech.test"), login("acme.localhost", "alice@umbrella.test")
	d.gavin = login("globex.localhost", "gavin@hooli.test")
	agent := &svcportal.Staff{Email: "tech@acme.test", Name: "Tom Tech", Role: svcportal.StaffAgent, PasswordHash: testkit.HashPassword(t)}
	if err := app.Store.CreateStaff(d.actx, agent); err != nil {
		t.Fatal(err)
	}
	d.agent = app.NewBrowser("acme.localhost")
	token, _ := app.Accounts.CreateAPIToken(d.actx, "tech@acme.test", "t")
	d.agent.Header.Set("Authorization", "Bearer "+token)
	return d
}

func (d *desk) create(t *testing.T, b *testkit.Browser, body map[string]any) svcportal.TicketView {
	t.Helper()
	var v svcportal.TicketView
	if rec := b.JSON(t, "POST", "/api/v1/tickets", body, &v); rec.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	return v
}

func TestTicketAPI_Create(t *testing.T) {
	d := newDesk(t)
	v := d.create(t, d.peter, map[string]any{"title": "Printer jams", "description": "On **floor 3**",
		"cc": []string{"Milton@Initech.test"}, "fields": map[string]any{"priority": "high", "asset_tag": " PR-100 "}})
	if v.Number != 1 || v.Status != "open" || v.Fields["priority"] != "high" || v.Fields["asset_tag"] != "PR-100" || v.Fields["type"] != "incident" {
		t.Errorf("got %+v", v)
	}
	if len(v.CC) != 1 || v.CC[0] != "milton@initech.test" || v.SiteName != "Initech" || len(v.Events) != 1 || v.Events[0].Kind != "created" {
		t.Errorf("got cc %v site %q events %+v", v.CC, v.SiteName, v.Events)
	}

	bad := []struct {
		name   string
		body   map[string]any
		status int
		code   string
		field  string
	}{
		{"no title", map[string]any{"title": "  "}, 422, "validation_failed", "title"},
		{"title too long", map[string]any{"title": strings.Repeat("x", 141)}, 422, "validation_failed", "title"},
		{"bad cc", map[string]any{"title": "x", "cc": []string{"not-an-email"}}, 422, "validation_failed", "cc"},
		{"bad option", map[string]any{"title": "x", "fields": map[string]any{"priority": "whenever"}}, 422, "validation_failed", "priority"},
		{"view-only field", map[string]any{"title": "x", "fields": map[string]any{"contract": "premium"}}, 403, "forbidden", "contract"},
		{"status is view-only", map[string]any{"title": "x", "fields": map[string]any{"status": "closed"}}, 403, "forbidden", "status"},
		{"hidden field: same answer as view-only", map[string]any{"title": "x", "fields": map[string]any{"internal_cost": 5}}, 403, "forbidden", "internal_cost"},
		{"no such field: same answer", map[string]any{"title": "x", "fields": map[string]any{"nope": 1}}, 403, "forbidden", "nope"},
		{"another site", map[string]any{"title": "x", "site_id": 999999}, 422, "validation_failed", "site_id"},
		{"unknown property", map[string]any{"title": "x", "requester_id": 1}, 400, "invalid_request", "requester_id"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			var e web.APIError
			rec := d.peter.JSON(t, "POST", "/api/v1/tickets", tt.body, &e)
			if rec.Code != tt.status || e.Error.Code != tt.code || e.Error.Fields[tt.field] == "" {
				t.Errorf("got %d %+v, want %d %s on %s", rec.Code, e, tt.status, tt.code, tt.field)
			}
		})
	}
	t.Run("a field limited to some ticket types", func(t *testing.T) {
		f := svcportal.TicketField{Key: "order_ref", Type: svcportal.FieldText, Labels: map[string]string{"en": "Order"}, TicketTypes: []string{"request"}}
		if err := d.app.Store.CreateTicketField(d.actx, &f); err != nil {
			t.Fatal(err)
		}
		d.app.Policies.SetMode(d.actx, svcportal.PolicyRule{Role: svcportal.RoleMember, Field: "order_ref", Mode: svcportal.FieldEditable})
		var e web.APIError
		if rec := d.peter.JSON(t, "POST", "/api/v1/tickets", map[string]any{"title": "x", "fields": map[string]any{"order_ref": "PO-1"}}, &e); rec.Code != 422 || e.Error.Fields["order_ref"] == "" {
			t.Errorf("on an incident: %d %+v", rec.Code, e)
		}
		d.create(t, d.peter, map[string]any{"title": "Order", "fields": map[string]any{"type": "request", "order_ref": "PO-1"}})
	})
	var list struct{ Total int }
	d.peter.JSON(t, "GET", "/api/v1/tickets", nil, &list)
	if list.Total != 2 {
		t.Errorf("refused requests created tickets: total %d", list.Total)
	}
}

func TestTicketAPI_Visibility(t *testing.T) {
	d := newDesk(t)
	private := d.create(t, d.peter, map[string]any{"title": "private"})
	shared := d.create(t, d.peter, map[string]any{"title": "shared", "shared_with_site": true})
	ccd := d.create(t, d.peter, map[string]any{"title": "cc", "cc": []string{"milton@initech.test", "alice@umbrella.test"}})
	globex := d.create(t, d.gavin, map[string]any{"title": "globex's"})
	if globex.Number != 1 {
		t.Fatalf("globex numbers its own tickets: got %d", globex.Number)
	}

	see := map[string]map[int64]bool{
		"milton": {private.Number: false, shared.Number: true, ccd.Number: true},
		"bill":   {private.Number: true, shared.Number: true, ccd.Number: true},
		"alice":  {private.Number: false, shared.Number: false, ccd.Number: false},
		"gavin":  {shared.Number: false, ccd.Number: false},
	}
	who := map[string]*testkit.Browser{"milton": d.milton, "bill": d.bill, "alice": d.alice, "gavin": d.gavin}
	for name, tickets := range see {
		b := who[name]
		for n, ok := range tickets {
			if name == "gavin" && n == 1 {
				continue // globex's own ticket 1
			}
			t.Run(fmt.Sprintf("%s #%d", name, n), func(t *testing.T) {
				want := http.StatusNotFound
				if ok {
					want = http.StatusOK
				}
				if rec := b.JSON(t, "GET", fmt.Sprintf("/api/v1/tickets/%d", n), nil, nil); rec.Code != want {
					t.Errorf("GET: %d, want %d", rec.Code, want)
				}
				if !ok {
					for _, act := range []struct{ path, body string }{
						{"replies", `{"body":"hi"}`}, {"close", `{}`}, {"solution", `{"decision":"accept"}`}, {"rating", `{"satisfied":true}`},
					} {
						if rec := b.JSON(t, "POST", fmt.Sprintf("/api/v1/tickets/%d/%s", n, act.path), act.body, nil); rec.Code != http.StatusNotFound {
							t.Errorf("POST %s: %d, want 404", act.path, rec.Code)
						}
					}
					if rec := b.JSON(t, "PATCH", fmt.Sprintf("/api/v1/tickets/%d", n), `{"fields":{"priority":"low"}}`, nil); rec.Code != http.StatusNotFound {
						t.Errorf("PATCH: %d, want 404", rec.Code)
					}
					var found struct{ Total int }
					b.JSON(t, "GET", fmt.Sprintf("/api/v1/tickets?q=%d", n), nil, &found)
					if found.Total != 0 {
						t.Errorf("search by number finds it")
					}
				}
			})
		}
	}
	if rec := d.peter.JSON(t, "GET", "/api/v1/tickets/abc", nil, nil); rec.Code != http.StatusNotFound {
		t.Errorf("non-numeric: %d", rec.Code)
	}
}

func TestTicketAPI_HiddenFieldsNeverShow(t *testing.T) {
	d := newDesk(t)
	v := d.create(t, d.peter, map[string]any{"title": "Laptop", "shared_with_site": true})
	path := fmt.Sprintf("/api/v1/tickets/%d", v.Number)
	adminPath := fmt.Sprintf("/api/v1/admin/tickets/%d", v.Number)
	if rec := d.agent.JSON(t, "PATCH", adminPath, map[string]any{"fields": map[string]any{"internal_cost": 4242.5, "contract": "premium"}}, nil); rec.Code != http.StatusOK {
		t.Fatalf("agent sets fields: %d %s", rec.Code, rec.Body)
	}
	var staffView svcportal.TicketView
	d.agent.JSON(t, "GET", adminPath, nil, &staffView)
	if staffView.Fields["internal_cost"] != 4242.5 {
		t.Errorf("staff view lacks the hidden field: %+v", staffView.Fields)
	}
	for _, b := range []*testkit.Browser{d.peter, d.milton, d.bill} {
		for _, p := range []string{path, "/api/v1/tickets", "/api/v1/ticket-fields"} {
			body := b.JSON(t, "GET", p, nil, nil).Body.String()
			if strings.Contains(body, "internal_cost") || strings.Contains(body, "4242") {
				t.Errorf("%s shows the hidden field: %s", p, body)
			}
		}
		var tv svcportal.TicketView
		b.JSON(t, "GET", path, nil, &tv)
		if tv.Fields["contract"] != "premium" {
			t.Errorf("view-only value missing: %+v", tv.Fields)
		}
	}
	var e web.APIError
	if rec := d.peter.JSON(t, "GET", "/api/v1/tickets?field.internal_cost=4242.5", nil, &e); rec.Code != http.StatusBadRequest {
		t.Errorf("filter on a hidden field: %d", rec.Code)
	}
	var found struct{ Total int }
	d.peter.JSON(t, "GET", "/api/v1/tickets?field.contract=premium", nil, &found)
	if found.Total != 1 {
		t.Errorf("filter on a view-only field: %d", found.Total)
	}
	var fields []svcportal.TicketFieldView
	d.peter.JSON(t, "GET", "/api/v1/ticket-fields", nil, &fields)
	modes := map[string]svcportal.FieldMode{}
	for _, f := range fields {
		modes[f.Key] = f.Mode
	}
	if modes["asset_tag"] != "editable" || modes["contract"] != "view-only" || modes["status"] != "view-only" || len(modes) != 8 {
		t.Errorf("ticket-fields: %v", modes)
	}

	if err := d.app.Policies.SetMode(d.actx, svcportal.PolicyRule{Role: svcportal.RoleMember, Field: "priority", Mode: svcportal.FieldHidden}); err != nil {
		t.Fatal(err)
	}
	if rec := d.peter.JSON(t, "GET", "/api/v1/tickets?sort=-priority", nil, nil); rec.Code != http.StatusBadRequest {
		t.Errorf("sorting by a hidden field: %d, want 400", rec.Code)
	}
	if rec := d.bill.JSON(t, "GET", "/api/v1/tickets?sort=-priority", nil, nil); rec.Code != http.StatusOK {
		t.Errorf("sorting by a field the site manager sees: %d", rec.Code)
	}

	t.Run("a policy change takes effect on the next request", func(t *testing.T) {
		if err := d.app.Policies.SetMode(d.actx, svcportal.PolicyRule{Role: svcportal.RoleMember, Field: "contract", Mode: svcportal.FieldHidden}); err != nil {
			t.Fatal(err)
		}
		if body := d.peter.JSON(t, "GET", path, nil, nil).Body.String(); strings.Contains(body, "premium") {
			t.Error("contract still shown to a member after it was hidden")
		}
		if body := d.bill.JSON(t, "GET", path, nil, nil).Body.String(); !strings.Contains(body, "premium") {
			t.Error("the site manager's rule was affected")
		}
	})
}

func TestTicketAPI_StatusFlow(t *testing.T) {
	d := newDesk(t)
	v := d.create(t, d.peter, map[string]any{"title": "VPN drops", "shared_with_site": true})
	path := fmt.Sprintf("/api/v1/tickets/%d", v.Number)
	admin := fmt.Sprintf("/api/v1/admin/tickets/%d", v.Number)
	status := func(b *testkit.Browser) string {
		var tv svcportal.TicketView
		b.JSON(t, "GET", path, nil, &tv)
		return tv.Status
	}
	step := func(b *testkit.Browser, method, p string, body any, want int) {
		t.Helper()
		d.app.Clock.Advance(time.Second) // each step happens a moment after the last
		if rec := b.JSON(t, method, p, body, nil); rec.Code != want {
			t.Fatalf("%s %s: %d %s, want %d", method, p, rec.Code, rec.Body, want)
		}
	}

	step(d.agent, "PATCH", admin, map[string]any{"fields": map[string]any{"status": "awaiting_reply"}}, 200)
	var list struct {
		Tickets []svcportal.TicketView
	}
	d.peter.JSON(t, "GET", "/api/v1/tickets?unread=true", nil, &list)
	if len(list.Tickets) != 0 {
		t.Errorf("a status change alone made it unread")
	}
	step(d.agent, "POST", admin+"/replies", map[string]any{"body": "Which client version?"}, 201)
	d.peter.JSON(t, "GET", "/api/v1/tickets?unread=true", nil, &list)
	if len(list.Tickets) != 1 || !list.Tickets[0].Unread {
		t.Errorf("agent reply did not make it unread: %+v", list.Tickets)
	}
	step(d.peter, "POST", path+"/replies", map[string]any{"body": "Version 5.2"}, 201)
	if s := status(d.peter); s != "open" {
		t.Errorf("client reply on awaiting_reply: %s, want open", s)
	}
	step(d.agent, "POST", admin+"/replies", map[string]any{"body": "Escalated to vendor ticket VX-9", "internal": true}, 201)
	var tv svcportal.TicketView
	d.peter.JSON(t, "GET", path, nil, &tv)
	for _, m := range tv.Messages {
		if strings.Contains(m.Body, "VX-9") || m.Internal {
			t.Error("internal note shown on the portal")
		}
	}
	for _, e := range tv.Events {
		if e.Kind == "internal_note" {
			t.Error("internal note event shown on the portal")
		}
	}
	var found struct{ Total int }
	d.peter.JSON(t, "GET", "/api/v1/tickets?q=VX-9", nil, &found)
	if found.Total != 0 {
		t.Error("search finds words of an internal note")
	}

	step(d.agent, "POST", admin+"/propose-solution", map[string]any{"body": "Update the client to 5.3"}, 200)
	if s := status(d.peter); s != "solution_proposed" {
		t.Fatalf("after proposal: %s", s)
	}
	step(d.peter, "POST", path+"/solution", map[string]any{"decision": "refuse"}, 422) // refusing needs a comment
	step(d.peter, "POST", path+"/solution", map[string]any{"decision": "maybe", "comment": "x"}, 422)
	step(d.peter, "POST", path+"/solution", map[string]any{"decision": "refuse", "comment": "Still drops on 5.3"}, 200)
	if s := status(d.peter); s != "open" {
		t.Errorf("after refusal: %s, want open", s)
	}
	step(d.peter, "POST", path+"/solution", map[string]any{"decision": "accept"}, 409) // nothing proposed now
	step(d.agent, "POST", admin+"/propose-solution", map[string]any{"body": "Replace the router"}, 200)
	step(d.peter, "POST", path+"/rating", map[string]any{"satisfied": true}, 409) // not closed yet
	step(d.peter, "POST", path+"/solution", map[string]any{"decision": "accept"}, 200)
	if s := status(d.peter); s != "closed" {
		t.Errorf("after acceptance: %s, want closed", s)
	}
	step(d.peter, "POST", path+"/replies", map[string]any{"body": "thanks"}, 409)
	step(d.bill, "POST", path+"/rating", map[string]any{"satisfied": true}, 403) // only the requester
	step(d.peter, "POST", path+"/rating", map[string]any{"comment": "no verdict"}, 422)
	step(d.peter, "POST", path+"/rating", map[string]any{"satisfied": false, "comment": "Took a while"}, 200)
	step(d.peter, "POST", path+"/rating", map[string]any{"satisfied": true}, 409) // once

	d.peter.JSON(t, "GET", path, nil, &tv)
	if tv.Rating == nil || tv.Rating.Satisfied || tv.ClosedAt == nil {
		t.Errorf("rating %+v closed %v", tv.Rating, tv.ClosedAt)
	}
	kinds := []string{}
	for _, e := range tv.Events {
		kinds = append(kinds, e.Kind)
	}
	want := "created status_changed replied replied status_changed solution_proposed status_changed solution_refused status_changed solution_proposed status_changed solution_accepted status_changed rated"
	if strings.Join(kinds, " ") != want {
		t.Errorf("timeline:\n got %s\nwant %s", strings.Join(kinds, " "), want)
	}

	t.Run("who may close", func(t *testing.T) {
		other := d.create(t, d.peter, map[string]any{"title": "Shared", "shared_with_site": true})
		p := fmt.Sprintf("/api/v1/tickets/%d/close", other.Number)
		step(d.milton, "POST", p, map[string]any{}, 403)
		step(d.bill, "POST", p, map[string]any{"comment": "Duplicate of #1"}, 200)
		step(d.peter, "POST", p, map[string]any{}, 409)
	})
}
