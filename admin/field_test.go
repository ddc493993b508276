package admin_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/web"
)

func TestFieldsAndPolicies(t *testing.T) {
	w := newWorld(t)
	if err := w.app.Policies.SeedDefaults(w.actx); err != nil {
		t.Fatal(err)
	}
	b := w.api(t, "acme.localhost", w.adminToken)
	call := func(method, path string, body any, want int) web.APIError {
		t.Helper()
		var e web.APIError
		if rec := b.JSON(t, method, path, body, &e); rec.Code != want {
			t.Fatalf("%s %s: %d %s, want %d", method, path, rec.Code, rec.Body, want)
		}
		return e
	}
	field := map[string]any{"key": "asset_tag", "type": "text", "labels": map[string]string{"en": "Asset tag", "de": "Inventarnummer"}}
	call("POST", "/api/v1/admin/ticket-fields", field, 201)
	call("POST", "/api/v1/admin/ticket-fields", field, 409)
	if e := call("POST", "/api/v1/admin/ticket-fields", map[string]any{"key": "Asset Tag", "type": "text", "labels": map[string]string{"en": "x"}}, 422); e.Error.Fields["key"] == "" {
		t.Errorf("bad key: %+v", e)
	}
	call("POST", "/api/v1/admin/ticket-fields", map[string]any{"key": "priority", "type": "text", "labels": map[string]string{"en": "x"}}, 422)
	call("POST", "/api/v1/admin/ticket-fields", map[string]any{"key": "os", "type": "dropdown", "labels": map[string]string{"en": "OS"}}, 422) // no options
	if rec := w.api(t, "acme.localhost", w.agentToken).JSON(t, "POST", "/api/v1/admin/ticket-fields", map[string]any{"key": "x", "type": "text", "labels": map[string]string{"en": "x"}}, nil); rec.Code != http.StatusForbidden {
		t.Errorf("agent creates a field: %d", rec.Code)
	}

	t.Run("required fields stay editable", func(t *testing.T) {
		e := call("PATCH", "/api/v1/admin/ticket-fields/asset_tag", map[string]any{"required": true}, 422)
		if e.Error.Message != "asset_tag is required, so it must stay editable for the member role at every site." {
			t.Errorf("message %q", e.Error.Message)
		}
		for _, role := range svcportal.PortalRoles {
			call("PUT", "/api/v1/admin/field-policies", map[string]any{"role": role, "field": "asset_tag", "mode": "editable"}, 200)
		}
		call("PATCH", "/api/v1/admin/ticket-fields/asset_tag", map[string]any{"required": true}, 200)
		call("PUT", "/api/v1/admin/field-policies", map[string]any{"role": "member", "site_id": w.initech.ID, "field": "asset_tag", "mode": "view-only"}, 422)
		call("DELETE", "/api/v1/admin/field-policies?role=member&field=asset_tag", nil, 422)
	})
	t.Run("policy input is checked", func(t *testing.T) {
		call("PUT", "/api/v1/admin/field-policies", map[string]any{"role": "member", "field": "nope", "mode": "editable"}, 422)
		call("PUT", "/api/v1/admin/field-policies", map[string]any{"role": "owner", "field": "type", "mode": "editable"}, 422)
		call("PUT", "/api/v1/admin/field-policies", map[string]any{"role": "member", "field": "type", "mode": "sometimes"}, 422)
		call("PUT", "/api/v1/admin/field-policies", map[string]any{"role": "member", "site_id": w.hooli.ID, "field": "type", "mode": "hidden"}, 404)
	})
	t.Run("contacts see the change on their next request", func(t *testing.T) {
		peter := w.app.NewBrowser("acme.localhost")
		c := &svcportal.Contact{Email: "peter@initech.test", Memberships: []svcportal.Membership{{SiteID: w.initech.ID, Role: svcportal.RoleMember}}}
		c.PasswordHash, _ = hashFixture(t)
		if err := w.app.Store.CreateContact(w.actx, c); err != nil {
			t.Fatal(err)
		}
		peter.JSON(t, "POST", "/api/v1/auth/login", map[string]string{"email": "peter@initech.test", "password": "fixture-pass-1234"}, nil)
		keys := func() map[string]string {
			var fields []svcportal.TicketFieldView
			peter.JSON(t, "GET", "/api/v1/ticket-fields", nil, &fields)
			out := map[string]string{}
			for _, f := range fields {
				out[f.Key] = string(f.Mode)
			}
			return out
		}
		if keys()["asset_tag"] != "editable" {
			t.Fatalf("before: %v", keys())
		}
		call("PATCH", "/api/v1/admin/ticket-fields/asset_tag", map[string]any{"required": false}, 200)
		call("PUT", "/api/v1/admin/field-policies", map[string]any{"role": "member", "site_id": w.initech.ID, "field": "asset_tag", "mode": "view-only"}, 200)
		if got := keys()["asset_tag"]; got != "view-only" {
			t.Errorf("after a site rule: %q", got)
		}
		call("DELETE", fmt.Sprintf("/api/v1/admin/field-policies?role=member&site_id=%d&field=asset_tag", w.initech.ID), nil, 204)
		if got := keys()["asset_tag"]; got != "editable" {
			t.Errorf("after removing the site rule: %q", got)
		}
		call("DELETE", "/api/v1/admin/ticket-fields/asset_tag", nil, 204)
		if _, ok := keys()["asset_tag"]; ok {
			t.Error("a deleted field is still offered")
		}
		call("POST", "/api/v1/admin/ticket-fields", field, 409) // its key stays taken: old values keep it
	})
	t.Run("another tenant's fields are not found", func(t *testing.T) {
		g := w.api(t, "globex.localhost", w.globexToken)
		if rec := g.JSON(t, "GET", "/api/v1/admin/ticket-fields/asset_tag", nil, nil); rec.Code != http.StatusNotFound {
			t.Errorf("globex reads acme's field: %d", rec.Code)
		}
		var rules struct{ Rules []svcportal.PolicyRule }
		g.JSON(t, "GET", "/api/v1/admin/field-policies", nil, &rules)
		for _, r := range rules.Rules {
			if r.Field == "asset_tag" {
				t.Error("globex sees acme's rule")
			}
		}
	})
}
