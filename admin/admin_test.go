package admin_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/admin"
	"github.com/svcportal/svcportal/portal"
	"github.com/svcportal/svcportal/testkit"
	"github.com/svcportal/svcportal/web"
)

type world struct {
	app            *testkit.App
	actx, gctx     context.Context
	initech, hooli *svcportal.Site
	adminToken     string
	agentToken     string
	globexToken    string
}

func newWorld(t testing.TB) *world {
	t.Helper()
	app := testkit.NewApp(t)
	w := &world{app: app}
	w.actx, _ = testkit.Tenant(t, app.Store, "acme")
	w.gctx, _ = testkit.Tenant(t, app.Store, "globex")
	w.initech = testkit.Site(w.actx, t, app.Store, "Initech")
	w.hooli = testkit.Site(w.gctx, t, app.Store, "Hooli")
	agent := &svcportal.Staff{Email: "tech@acme.test", Role: svcportal.StaffAgent, PasswordHash: testkit.HashPassword(t)}
	if err := app.Store.CreateStaff(w.actx, agent); err != nil {
		t.Fatal(err)
	}
	var err error
	if w.adminToken, err = app.Accounts.CreateAPIToken(w.actx, "admin@acme.test", "test"); err != nil {
		t.Fatal(err)
	}
	if w.agentToken, err = app.Accounts.CreateAPIToken(w.actx, "tech@acme.test", "test"); err != nil {
		t.Fatal(err)
	}
	if w.globexToken, err = app.Accounts.CreateAPIToken(w.gctx, "admin@globex.test", "test"); err != nil {
		t.Fatal(err)
	}
	return w
}

// api is a bearer-token client of one tenant host.
func (w *world) api(t testing.TB, host, token string) *testkit.Browser {
	b := w.app.NewBrowser(host)
	if token != "" {
		b.Header.Set("Authorization", "Bearer "+token)
	}
	return b
}

func TestStaffAuth(t *testing.T) {
	w := newWorld(t)

	t.Run("session login", func(t *testing.T) {
		b := w.app.NewBrowser("acme.localhost")
		var e web.APIError
		if rec := b.JSON(t, "POST", "/api/v1/admin/auth/login", map[string]string{"email": "admin@acme.test", "password": "nope"}, &e); rec.Code != http.StatusUnauthorized || e.Error.Code != "invalid_credentials" {
			t.Fatalf("wrong password: %d %+v", rec.Code, e)
		}
		var got struct {
			Staff     svcportal.Staff `json:"staff"`
			CSRFToken string          `json:"csrf_token"`
		}
		if rec := b.JSON(t, "POST", "/api/v1/admin/auth/login", map[string]string{"email": "Admin@Acme.test", "password": testkit.Password}, &got); rec.Code != http.StatusOK || got.Staff.Role != "admin" || got.CSRFToken == "" {
			t.Fatalf("login: %d %+v", rec.Code, got)
		}
		if b.Cookie(admin.SessionCookie) == "" {
			t.Fatal("no staff session cookie")
		}
		if rec := b.JSON(t, "POST", "/api/v1/admin/sites", map[string]string{"name": "Forged"}, nil); rec.Code != http.StatusForbidden {
			t.Errorf("cookie POST without CSRF header: %d, want 403", rec.Code)
		}
		b.CSRF = got.CSRFToken
		if rec := b.JSON(t, "POST", "/api/v1/admin/sites", map[string]string{"name": "Umbrella"}, nil); rec.Code != http.StatusCreated {
			t.Errorf("cookie POST with CSRF header: %d %s", rec.Code, rec.Body)
		}
		other := w.app.NewBrowser("globex.localhost")
		other.SetCookie(admin.SessionCookie, b.Cookie(admin.SessionCookie))
		if rec := other.JSON(t, "GET", "/api/v1/admin/me", nil, nil); rec.Code != http.StatusUnauthorized {
			t.Errorf("acme staff cookie on globex: %d", rec.Code)
		}
		if rec := b.JSON(t, "POST", "/api/v1/admin/auth/logout", nil, nil); rec.Code != http.StatusNoContent {
			t.Errorf("logout: %d", rec.Code)
		}
		if rec := b.JSON(t, "GET", "/api/v1/admin/me", nil, nil); rec.Code != http.StatusUnauthorized {
			t.Errorf("after logout: %d", rec.Code)
		}
	})
	t.Run("a contact's session is not a staff session", func(t *testing.T) {
		testkit.Contact(w.actx, t, w.app.Store, "peter@initech.test", w.initech, svcportal.RoleSiteManager)
		b := w.app.NewBrowser("acme.localhost")
		if rec := b.JSON(t, "POST", "/api/v1/auth/login", map[string]string{"email": "peter@initech.test", "password": testkit.Password}, nil); rec.Code != http.StatusOK {
			t.Fatal(rec.Body)
		}
		b.SetCookie(admin.SessionCookie, b.Cookie(portal.SessionCookie))
		if rec := b.JSON(t, "GET", "/api/v1/admin/contacts", nil, nil); rec.Code != http.StatusUnauthorized {
			t.Errorf("contact reached the admin API: %d", rec.Code)
		}
		if rec := b.JSON(t, "POST", "/api/v1/admin/auth/login", map[string]string{"email": "peter@initech.test", "password": testkit.Password}, nil); rec.Code != http.StatusUnauthorized {
			t.Errorf("contact signed in as staff: %d", rec.Code)
		}
	})
	t.Run("bearer tokens", func(t *testing.T) {
		var me svcportal.Staff
		if rec := w.api(t, "acme.localhost", w.adminToken).JSON(t, "GET", "/api/v1/admin/me", nil, &me); rec.Code != http.StatusOK || me.Email != "admin@acme.test" {
			t.Errorf("me: %d %+v", rec.Code, me)
		}
		if rec := w.api(t, "acme.localhost", "sp_wrong").JSON(t, "GET", "/api/v1/admin/me", nil, nil); rec.Code != http.StatusUnauthorized {
			t.Errorf("wrong token: %d", rec.Code)
		}
		if rec := w.api(t, "globex.localhost", w.adminToken).JSON(t, "GET", "/api/v1/admin/me", nil, nil); rec.Code != http.StatusUnauthorized {
			t.Errorf("acme token on globex: %d", rec.Code)
		}
		if rec := w.api(t, "acme.localhost", "").JSON(t, "GET", "/api/v1/admin/sites", nil, nil); rec.Code != http.StatusUnauthorized {
			t.Errorf("no credentials: %d", rec.Code)
		}
	})
	t.Run("agents read, admins write", func(t *testing.T) {
		agent := w.api(t, "acme.localhost", w.agentToken)
		if rec := agent.JSON(t, "GET", "/api/v1/admin/contacts", nil, nil); rec.Code != http.StatusOK {
			t.Errorf("agent list: %d", rec.Code)
		}
		var e web.APIError
		if rec := agent.JSON(t, "POST", "/api/v1/admin/sites", map[string]string{"name": "X"}, &e); rec.Code != http.StatusForbidden || e.Error.Code != "forbidden" {
			t.Errorf("agent create: %d %+v", rec.Code, e)
		}
	})
}

func TestSites(t *testing.T) {
	w := newWorld(t)
	b := w.api(t, "acme.localhost", w.adminToken)
	var site svcportal.Site
	if rec := b.JSON(t, "POST", "/api/v1/admin/sites", map[string]any{"name": "  Umbrella  "}, &site); rec.Code != http.StatusCreated || site.Name != "Umbrella" || !site.KBEnabled {
		t.Fatalf("create: %d %+v", rec.Code, site)
	}
	var e web.APIError
	if rec := b.JSON(t, "POST", "/api/v1/admin/sites", map[string]any{"name": "Initech"}, &e); rec.Code != http.StatusConflict || e.Error.Fields["name"] == "" {
		t.Errorf("duplicate: %d %+v", rec.Code, e)
	}
	if rec := b.JSON(t, "POST", "/api/v1/admin/sites", map[string]any{"name": ""}, &e); rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("empty name: %d", rec.Code)
	}
	if rec := b.JSON(t, "PATCH", fmt.Sprintf("/api/v1/admin/sites/%d", site.ID), map[string]any{"kb_enabled": false}, &site); rec.Code != http.StatusOK || site.KBEnabled || site.Name != "Umbrella" {
		t.Errorf("patch: %d %+v", rec.Code, site)
	}
	var list struct {
		Sites []svcportal.Site `json:"sites"`
		Total int              `json:"total"`
	}
	b.JSON(t, "GET", "/api/v1/admin/sites", nil, &list)
	if list.Total != 2 || list.Sites[0].Name != "Initech" {
		t.Errorf("list: %+v", list)
	}
	hooli := fmt.Sprintf("/api/v1/admin/sites/%d", w.hooli.ID)
	for _, m := range []string{"GET", "PATCH", "DELETE"} {
		if rec := b.JSON(t, m, hooli, map[string]any{"name": "Mine"}, nil); rec.Code != http.StatusNotFound {
			t.Errorf("%s globex's site from acme: %d", m, rec.Code)
		}
	}
	if rec := b.JSON(t, "GET", "/api/v1/admin/sites/abc", nil, nil); rec.Code != http.StatusNotFound {
		t.Errorf("non-numeric id: %d", rec.Code)
	}
	if rec := b.JSON(t, "DELETE", fmt.Sprintf("/api/v1/admin/sites/%d", site.ID), nil, nil); rec.Code != http.StatusNoContent {
		t.Errorf("delete: %d", rec.Code)
	}
	if _, err := w.app.Store.Site(w.gctx, w.hooli.ID); err != nil {
		t.Errorf("globex's site harmed: %v", err)
	}
}

func TestContacts(t *testing.T) {
	w := newWorld(t)
	b := w.api(t, "acme.localhost", w.adminToken)

	t.Run("create validates and changes nothing on bad input", func(t *testing.T) {
		tests := []struct {
			name   string
			body   map[string]any
			status int
			field  string
		}{
			{"bad email", map[string]any{"email": "x", "site_id": w.initech.ID, "role": "member"}, 422, "email"},
			{"no site", map[string]any{"email": "a@initech.test", "role": "member"}, 422, "site_id"},
			{"bad role", map[string]any{"email": "a@initech.test", "site_id": w.initech.ID, "role": "owner"}, 422, "role"},
			{"short password", map[string]any{"email": "a@initech.test", "site_id": w.initech.ID, "role": "member", "password": "short"}, 422, "password"},
			{"another tenant's site", map[string]any{"email": "a@initech.test", "site_id": w.hooli.ID, "role": "member"}, 404, "site_id"},
			{"unknown field", map[string]any{"email": "a@initech.test", "site_id": w.initech.ID, "role": "member", "admin": true}, 400, "admin"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				var e web.APIError
				rec := b.JSON(t, "POST", "/api/v1/admin/contacts", tt.body, &e)
				if rec.Code != tt.status || e.Error.Fields[tt.field] == "" {
					t.Errorf("got %d %+v, want %d on %s", rec.Code, e, tt.status, tt.field)
				}
				if _, err := w.app.Store.ContactByEmail(w.actx, "a@initech.test"); svcportal.KindOf(err) != svcportal.KindNotFound {
					t.Errorf("contact created anyway: %v", err)
				}
			})
		}
	})

	var milton svcportal.Contact
	t.Run("create with a first password forces a change at first login", func(t *testing.T) {
		rec := b.JSON(t, "POST", "/api/v1/admin/contacts", map[string]any{"email": "Milton@Initech.test", "first_name": "Milton",
			"site_id": w.initech.ID, "role": "member", "password": "first-password-1", "locale": "fr"}, &milton)
		if rec.Code != http.StatusCreated || milton.Email != "milton@initech.test" || !milton.MustChangePassword || milton.Memberships[0].SiteName != "Initech" {
			t.Fatalf("got %d %+v", rec.Code, milton)
		}
		portalUser := w.app.NewBrowser("acme.localhost")
		var login struct {
			MustChangePassword bool `json:"must_change_password"`
		}
		portalUser.JSON(t, "POST", "/api/v1/auth/login", map[string]string{"email": "milton@initech.test", "password": "first-password-1"}, &login)
		if !login.MustChangePassword {
			t.Error("first login does not demand a new password")
		}
		var e web.APIError
		if rec := b.JSON(t, "POST", "/api/v1/admin/contacts", map[string]any{"email": "milton@initech.test", "site_id": w.initech.ID, "role": "member"}, &e); rec.Code != http.StatusConflict {
			t.Errorf("duplicate email: %d", rec.Code)
		}
	})
	t.Run("list, filter, search", func(t *testing.T) {
		testkit.Contact(w.actx, t, w.app.Store, "bill@initech.test", w.initech, svcportal.RoleSiteManager)
		umbrella := testkit.Site(w.actx, t, w.app.Store, "Umbrella")
		testkit.Contact(w.actx, t, w.app.Store, "alice@umbrella.test", umbrella, svcportal.RoleMember)
		var list struct {
			Contacts []svcportal.Contact `json:"contacts"`
			Total    int                 `json:"total"`
		}
		b.JSON(t, "GET", fmt.Sprintf("/api/v1/admin/contacts?site_id=%d", w.initech.ID), nil, &list)
		if list.Total != 2 || list.Contacts[0].Email != "bill@initech.test" {
			t.Errorf("by site: %+v", list)
		}
		b.JSON(t, "GET", "/api/v1/admin/contacts?q=MILT", nil, &list)
		if list.Total != 1 || list.Contacts[0].Email != "milton@initech.test" {
			t.Errorf("search: %+v", list)
		}
		b.JSON(t, "GET", "/api/v1/admin/contacts?q=%25", nil, &list)
		if list.Total != 0 {
			t.Errorf("%% matched literally nothing, got %d", list.Total)
		}
		b.JSON(t, "GET", "/api/v1/admin/contacts?per_page=1&page=2", nil, &list)
		if list.Total != 3 || len(list.Contacts) != 1 || list.Contacts[0].Email != "bill@initech.test" {
			t.Errorf("page 2: %+v", list)
		}
		if rec := b.JSON(t, "GET", "/api/v1/admin/contacts?page=x", nil, nil); rec.Code != http.StatusBadRequest {
			t.Errorf("bad page: %d", rec.Code)
		}
	})
	t.Run("disable ends sessions; sites replace memberships", func(t *testing.T) {
		u := w.app.NewBrowser("acme.localhost")
		u.JSON(t, "POST", "/api/v1/auth/login", map[string]string{"email": "bill@initech.test", "password": testkit.Password}, nil)
		bill, _ := w.app.Store.ContactByEmail(w.actx, "bill@initech.test")
		path := fmt.Sprintf("/api/v1/admin/contacts/%d", bill.ID)
		var got svcportal.Contact
		if rec := b.JSON(t, "PATCH", path, map[string]any{"disabled": true, "job_title": "VP"}, &got); rec.Code != http.StatusOK || !got.Disabled || got.JobTitle != "VP" {
			t.Fatalf("disable: %d %+v", rec.Code, got)
		}
		if rec := u.JSON(t, "GET", "/api/v1/me", nil, nil); rec.Code != http.StatusUnauthorized {
			t.Errorf("disabled contact still signed in: %d", rec.Code)
		}
		var e web.APIError
		if rec := b.JSON(t, "PATCH", path, map[string]any{"job_title": "CEO", "sites": []map[string]any{{"site_id": w.hooli.ID, "role": "member"}}}, &e); rec.Code != http.StatusNotFound {
			t.Errorf("move to globex's site: %d", rec.Code)
		}
		if c, _ := w.app.Store.Contact(w.actx, bill.ID); c.JobTitle != "VP" || len(c.Memberships) != 1 {
			t.Errorf("refused update changed the contact: %+v", c)
		}
		umbrella, _ := w.app.Store.SiteByName(w.actx, "Umbrella")
		b.JSON(t, "PATCH", path, map[string]any{"sites": []map[string]any{{"site_id": w.initech.ID, "role": "member"}, {"site_id": umbrella.ID, "role": "site_manager"}}}, &got)
		if len(got.Memberships) != 2 || got.Memberships[1].Role != "site_manager" {
			t.Errorf("memberships: %+v", got.Memberships)
		}
		log, _ := w.app.Store.AuditLog(w.actx, 5)
		if len(log) == 0 || log[0].ActorKind != svcportal.PrincipalStaff {
			t.Errorf("admin edit audited as %+v, want the staff member", log)
		}
	})
	t.Run("another tenant's contact is not found", func(t *testing.T) {
		gavin := testkit.Contact(w.gctx, t, w.app.Store, "gavin@hooli.test", w.hooli, svcportal.RoleMember)
		path := fmt.Sprintf("/api/v1/admin/contacts/%d", gavin.ID)
		for _, m := range []string{"GET", "PATCH", "DELETE"} {
			if rec := b.JSON(t, m, path, map[string]any{"first_name": "X"}, nil); rec.Code != http.StatusNotFound {
				t.Errorf("%s: %d", m, rec.Code)
			}
		}
		if rec := w.api(t, "globex.localhost", w.globexToken).JSON(t, "DELETE", path, nil, nil); rec.Code != http.StatusNoContent {
			t.Errorf("own tenant delete: %d", rec.Code)
		}
	})
}

func hashFixture(t *testing.T) (string, error) {
	t.Helper()
	return testkit.HashPassword(t), nil
}
