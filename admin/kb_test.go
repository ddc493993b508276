package admin_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/testkit"
	"github.com/svcportal/svcportal/web"
)

func TestKBAdmin(t *testing.T) {
	w := newWorld(t)
	umbrella := testkit.Site(w.actx, t, w.app.Store, "Umbrella")
	testkit.Contact(w.actx, t, w.app.Store, "peter@initech.test", w.initech, svcportal.RoleMember)
	peter := w.app.NewBrowser("acme.localhost")
	var login struct {
		CSRFToken string `json:"csrf_token"`
	}
	peter.JSON(t, "POST", "/api/v1/auth/login", map[string]string{"email": "peter@initech.test", "password": testkit.Password}, &login)
	peter.CSRF = login.CSRFToken
	found := func(q string) []int64 {
		t.Helper()
		var got struct {
			Hits []svcportal.ArticleHit `json:"hits"`
		}
		if rec := peter.JSON(t, "GET", "/api/v1/kb/search?q="+url.QueryEscape(q), nil, &got); rec.Code != http.StatusOK {
			t.Fatalf("search: %d %s", rec.Code, rec.Body)
		}
		ids := []int64{}
		for _, h := range got.Hits {
			ids = append(ids, h.ArticleID)
		}
		return ids
	}

	admin := w.api(t, "acme.localhost", w.adminToken)
	call := func(b *testkit.Browser, method, path string, body any, want int, out any) {
		t.Helper()
		if rec := b.JSON(t, method, path, body, out); rec.Code != want {
			t.Fatalf("%s %s: %d %s, want %d", method, path, rec.Code, rec.Body, want)
		}
	}
	var cat svcportal.KBCategory
	call(admin, "POST", "/api/v1/admin/kb/categories", map[string]any{"names": map[string]string{"en": "Accounts", "fr": "Comptes"}}, 201, &cat)
	var sec svcportal.KBSection
	call(admin, "POST", "/api/v1/admin/kb/sections", map[string]any{"category_id": cat.ID, "names": map[string]string{"en": "Passwords"}}, 201, &sec)
	var art svcportal.KBArticle
	call(admin, "POST", "/api/v1/admin/kb/articles", map[string]any{"section_id": sec.ID, "site_ids": []int64{w.initech.ID},
		"translations": map[string]any{
			"en": map[string]any{"title": "Reset your password", "body": "Use **Forgot password**.", "keywords": []string{"login"}},
			"fr": map[string]any{"title": "Réinitialiser le mot de passe"},
		}}, 201, &art)
	articlePath := fmt.Sprintf("/api/v1/admin/kb/articles/%d", art.ID)

	t.Run("a new article is a draft for the chosen sites", func(t *testing.T) {
		if art.State != svcportal.KBDraft || art.AllSites || !slices.Equal(art.SiteIDs, []int64{w.initech.ID}) || len(art.Translations) != 2 {
			t.Errorf("got %+v", art)
		}
		if got := found("password"); len(got) != 0 {
			t.Errorf("draft found: %v", got)
		}
	})
	t.Run("publish and unpublish", func(t *testing.T) {
		call(admin, "POST", articlePath+"/publish", nil, 200, &art)
		if art.State != svcportal.KBPublished || art.PublishedAt == nil {
			t.Errorf("got %+v", art)
		}
		if got := found("password"); !slices.Equal(got, []int64{art.ID}) {
			t.Errorf("published: got %v", got)
		}
		call(admin, "POST", articlePath+"/unpublish", nil, 200, &art)
		if got := found("password"); len(got) != 0 {
			t.Errorf("unpublished: got %v", got)
		}
		call(admin, "POST", articlePath+"/publish", nil, 200, &art)
	})
	t.Run("translations are replaced and searched", func(t *testing.T) {
		var got svcportal.KBArticle // a fresh one: decoding merges into a map
		call(admin, "PATCH", articlePath, map[string]any{"translations": map[string]any{"en": map[string]any{"title": "Change your passphrase"}}}, 200, &got)
		if len(got.Translations) != 1 || got.Translations["en"].Title != "Change your passphrase" {
			t.Errorf("got %+v", got.Translations)
		}
		if got := found("passphrase"); !slices.Equal(got, []int64{art.ID}) {
			t.Errorf("new title: got %v", got)
		}
		if got := found("reset"); len(got) != 0 {
			t.Errorf("old title: got %v", got)
		}
	})
	t.Run("reach changes of the article and its category", func(t *testing.T) {
		call(admin, "PATCH", articlePath, map[string]any{"site_ids": []int64{umbrella.ID}}, 200, &art)
		if got := found("passphrase"); len(got) != 0 {
			t.Errorf("moved to Umbrella: got %v", got)
		}
		call(admin, "PATCH", articlePath, map[string]any{"all_sites": true}, 200, &art)
		if got := found("passphrase"); !slices.Equal(got, []int64{art.ID}) {
			t.Errorf("for all sites: got %v", got)
		}
		call(admin, "PATCH", fmt.Sprintf("/api/v1/admin/kb/categories/%d", cat.ID), map[string]any{"site_ids": []int64{umbrella.ID}}, 200, nil)
		if got := found("passphrase"); len(got) != 0 {
			t.Errorf("category narrowed to Umbrella: got %v", got)
		}
		call(admin, "PATCH", fmt.Sprintf("/api/v1/admin/kb/categories/%d", cat.ID), map[string]any{"all_sites": true}, 200, nil)
		if got := found("passphrase"); !slices.Equal(got, []int64{art.ID}) {
			t.Errorf("category widened again: got %v", got)
		}
	})
	t.Run("admins see votes and views", func(t *testing.T) {
		call(peter, "POST", fmt.Sprintf("/api/v1/kb/articles/%d/vote", art.ID), map[string]bool{"helpful": true}, 200, nil)
		call(peter, "GET", fmt.Sprintf("/api/v1/kb/articles/%d", art.ID), nil, 200, nil)
		var got svcportal.KBArticle
		call(admin, "GET", articlePath, nil, 200, &got)
		if got.Votes != (svcportal.KBVotes{Helpful: 1}) || got.Views != 1 {
			t.Errorf("got votes %+v views %d", got.Votes, got.Views)
		}
		var list struct {
			Articles []svcportal.KBArticle `json:"articles"`
		}
		call(admin, "GET", fmt.Sprintf("/api/v1/admin/kb/articles?section_id=%d&state=published", sec.ID), nil, 200, &list)
		if len(list.Articles) != 1 || list.Articles[0].Votes.Helpful != 1 {
			t.Errorf("list: got %+v", list.Articles)
		}
	})
	t.Run("validation", func(t *testing.T) {
		var e web.APIError
		call(admin, "POST", "/api/v1/admin/kb/articles", map[string]any{"section_id": sec.ID,
			"translations": map[string]any{"fr": map[string]any{"title": "Seulement en français"}}}, 422, &e)
		if e.Error.Fields["translations"] != "A version in the portal's default language (en) is required." {
			t.Errorf("got %+v", e.Error)
		}
		call(admin, "POST", "/api/v1/admin/kb/articles", map[string]any{"section_id": sec.ID, "state": "live",
			"translations": map[string]any{"en": map[string]any{"title": "x"}}}, 422, nil)
		call(admin, "POST", "/api/v1/admin/kb/categories", map[string]any{"names": map[string]string{"fr": "Sans anglais"}}, 422, nil)
		call(admin, "POST", "/api/v1/admin/kb/sections", map[string]any{"category_id": 99999, "names": map[string]string{"en": "x"}}, 404, nil)
		call(admin, "DELETE", fmt.Sprintf("/api/v1/admin/kb/categories/%d", cat.ID), nil, 409, nil)
	})
	t.Run("agents read, admins write", func(t *testing.T) {
		agent := w.api(t, "acme.localhost", w.agentToken)
		call(agent, "GET", "/api/v1/admin/kb/categories", nil, 200, nil)
		call(agent, "GET", fmt.Sprintf("/api/v1/admin/kb/sections?category_id=%d", cat.ID), nil, 200, nil)
		call(agent, "GET", articlePath, nil, 200, nil)
		call(agent, "PATCH", articlePath, map[string]any{"state": "draft"}, 403, nil)
		call(agent, "POST", "/api/v1/admin/kb/categories", map[string]any{"names": map[string]string{"en": "x"}}, 403, nil)
		call(agent, "DELETE", articlePath, nil, 403, nil)
	})
	t.Run("another tenant gets 404", func(t *testing.T) {
		globex := w.api(t, "globex.localhost", w.globexToken)
		call(globex, "GET", articlePath, nil, 404, nil)
		call(globex, "PATCH", articlePath, map[string]any{"state": "draft"}, 404, nil)
		call(globex, "DELETE", articlePath, nil, 404, nil)
		call(globex, "GET", fmt.Sprintf("/api/v1/admin/kb/categories/%d", cat.ID), nil, 404, nil)
		call(globex, "POST", "/api/v1/admin/kb/sections", map[string]any{"category_id": cat.ID, "names": map[string]string{"en": "x"}}, 404, nil)
		var list struct {
			Articles []svcportal.KBArticle `json:"articles"`
		}
		call(globex, "GET", "/api/v1/admin/kb/articles", nil, 200, &list)
		if len(list.Articles) != 0 {
			t.Errorf("globex lists %d of acme's articles", len(list.Articles))
		}
		call(admin, "PATCH", articlePath, map[string]any{"site_ids": []int64{w.hooli.ID}}, 404, nil)
	})
	t.Run("delete", func(t *testing.T) {
		call(admin, "DELETE", articlePath, nil, 204, nil)
		call(admin, "GET", articlePath, nil, 404, nil)
		if got := found("passphrase"); len(got) != 0 {
			t.Errorf("deleted article found: %v", got)
		}
		call(admin, "DELETE", fmt.Sprintf("/api/v1/admin/kb/sections/%d", sec.ID), nil, 204, nil)
		call(admin, "DELETE", fmt.Sprintf("/api/v1/admin/kb/categories/%d", cat.ID), nil, 204, nil)
	})
}
