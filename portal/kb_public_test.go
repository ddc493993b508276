package portal_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/testkit"
)

// setKBPublic turns acme's public knowledge base on or off.
func setKBPublic(t *testing.T, app *testkit.App, on bool) {
	t.Helper()
	ctx := svcportal.WithTenant(t.Context(), mustTenantOf(t, app, "acme"))
	if _, err := app.Tenants.UpdateSettings(ctx, svcportal.TenantSettings{KBPublic: &on}); err != nil {
		t.Fatal(err)
	}
}

func TestPublicKB(t *testing.T) {
	l := newLibrary(t)
	visitor := l.app.NewBrowser("acme.localhost")

	t.Run("private: a visitor gets the login page", func(t *testing.T) {
		for _, p := range []string{"/kb", "/kb/search?q=printer", path(l.password, ""), "/kb/categories/1"} {
			if rec := visitor.Get(t, p); rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/login") {
				t.Errorf("%s: got %d %q, want the login page", p, rec.Code, rec.Header().Get("Location"))
			}
		}
		if rec := visitor.Get(t, "/api/v1/kb/search?q=printer"); rec.Code != http.StatusUnauthorized {
			t.Errorf("API search: got %d, want 401", rec.Code)
		}
		_, doc := visitor.Page(t, "/")
		if doc.Find(`.mainnav a[href="/kb"]`).Length() != 0 || doc.Find("[data-testid=home-search]").Length() != 0 {
			t.Error("the home page offers a private knowledge base to a visitor")
		}
	})

	setKBPublic(t, l.app, true)
	public := []int64{l.password.ID, l.printer.ID}
	t.Run("public: a visitor browses the articles for every site", func(t *testing.T) {
		rec, doc := visitor.Page(t, "/kb")
		if rec.Code != http.StatusOK {
			t.Fatalf("got %d", rec.Code)
		}
		var listed []int64
		doc.Find("[data-testid=kb-tree] a[data-article]").Each(func(_ int, s *goquery.Selection) {
			var id int64
			fmt.Sscan(s.AttrOr("data-article", ""), &id)
			listed = append(listed, id)
		})
		slices.Sort(listed)
		if !slices.Equal(listed, public) {
			t.Errorf("listed %v, want %v", listed, public)
		}
		if doc.Find(`.mainnav a[href="/kb"]`).Length() != 1 {
			t.Error("no link to the knowledge base in a visitor's navigation")
		}
		_, doc = visitor.Page(t, "/")
		if doc.Find("[data-testid=home-search]").Length() != 1 || doc.Find("[data-testid=home-popular] a").Length() != 2 {
			t.Error("the home page offers no search or popular articles to a visitor")
		}
	})
	t.Run("public: never another site's article, a draft or another tenant's", func(t *testing.T) {
		for _, a := range []*svcportal.KBArticle{l.umbrellaOnly, l.vpn, l.draft, l.globexArticle} {
			if rec := visitor.Get(t, path(a, "")); rec.Code != http.StatusNotFound {
				t.Errorf("page of %q: got %d, want 404", a.Translations["en"].Title, rec.Code)
			}
			if rec := visitor.Get(t, fmt.Sprintf("/api/v1/kb/articles/%d", a.ID)); rec.Code != http.StatusNotFound {
				t.Errorf("API of %q: got %d, want 404", a.Translations["en"].Title, rec.Code)
			}
		}
		for _, q := range []string{"umbrella lab", "vpn", "draft printer", "globex secrets", "printer"} {
			for _, id := range searchIDs(t, visitor, q) {
				if !slices.Contains(public, id) {
					t.Errorf("search %q finds article %d", q, id)
				}
			}
		}
		if got := searchIDs(t, visitor, "printer"); !slices.Equal(got, []int64{l.printer.ID}) {
			t.Errorf("search printer: got %v, want %d", got, l.printer.ID)
		}
		_, doc := visitor.Page(t, "/kb/search?q=umbrella+lab")
		if doc.Find("[data-testid=kb-results] a").Length() != 0 || strings.Contains(doc.Text(), "Umbrella lab access") {
			t.Error("the search page shows a site's article to a visitor")
		}
		var cats struct{ Categories []svcportal.KBCategoryView }
		visitor.JSON(t, "GET", "/api/v1/kb/categories", nil, &cats)
		if body := fmt.Sprint(cats); strings.Contains(body, "Umbrella") || !strings.Contains(body, "Reset your password") {
			t.Errorf("API tree: %s", body)
		}
	})
	t.Run("public: the article page for search engines", func(t *testing.T) {
		rec := visitor.Get(t, path(l.password, "?utm=1"))
		want := path(l.password, "-reset-your-password?utm=1")
		if rec.Code != http.StatusMovedPermanently || rec.Header().Get("Location") != want {
			t.Fatalf("the id alone: got %d %q, want 301 to %q", rec.Code, rec.Header().Get("Location"), want)
		}
		if rec := visitor.Get(t, path(l.password, "-an-old-title")); rec.Code != http.StatusMovedPermanently ||
			rec.Header().Get("Location") != path(l.password, "-reset-your-password") {
			t.Errorf("an old slug: got %d %q", rec.Code, rec.Header().Get("Location"))
		}
		rec, doc := visitor.Page(t, path(l.password, "-reset-your-password"))
		if rec.Code != http.StatusOK || doc.Find("article h1").Text() != "Reset your password" {
			t.Fatalf("got %d %q", rec.Code, doc.Find("article h1").Text())
		}
		if got := doc.Find("title").Text(); got != "Reset your password · Tenant acme" {
			t.Errorf("title: %q", got)
		}
		if got := doc.Find(`meta[name=description]`).AttrOr("content", ""); got != "Open Settings alert(1) and this." {
			t.Errorf("description: %q", got)
		}
		base := "http://acme.localhost" + path(l.password, "")
		if got := doc.Find(`link[rel=canonical]`).AttrOr("href", ""); got != base+"-reset-your-password?lang=en" {
			t.Errorf("canonical: %q", got)
		}
		alts := map[string]string{}
		doc.Find(`link[rel=alternate][hreflang]`).Each(func(_ int, s *goquery.Selection) { alts[s.AttrOr("hreflang", "")] = s.AttrOr("href", "") })
		wantAlts := map[string]string{"en": base + "-reset-your-password?lang=en", "fr": base + "-reinitialiser-le-mot-de-passe?lang=fr",
			"x-default": base + "-reset-your-password?lang=en"}
		if fmt.Sprint(alts) != fmt.Sprint(wantAlts) {
			t.Errorf("alternates: got %v, want %v", alts, wantAlts)
		}
		// The French alternate is the French page, at its own address.
		rec, doc = visitor.Page(t, path(l.password, "-reinitialiser-le-mot-de-passe?lang=fr"))
		if rec.Code != http.StatusOK || doc.Find("article h1").Text() != "Réinitialiser le mot de passe" || doc.Find("html").AttrOr("lang", "") != "fr" {
			t.Errorf("French alternate: %d %q", rec.Code, doc.Find("article h1").Text())
		}
		_, doc = visitor.Page(t, path(l.printer, "-printer-setup"))
		if doc.Find(`link[rel=alternate][hreflang]`).Length() != 0 {
			t.Error("an article in one language lists alternates")
		}
		// Links lead to the addresses with slugs.
		_, doc = visitor.Page(t, "/kb")
		if href := doc.Find(fmt.Sprintf(`a[data-article="%d"]`, l.printer.ID)).AttrOr("href", ""); href != path(l.printer, "-printer-setup") {
			t.Errorf("link in the tree: %q", href)
		}
		var hits hitsAnswer
		visitor.JSON(t, "GET", "/api/v1/kb/search?q=printer", nil, &hits)
		if len(hits.Hits) != 1 || hits.Hits[0].Slug != "printer-setup" {
			t.Errorf("search hit: %+v", hits.Hits)
		}
	})
	t.Run("public: a visitor downloads an article's files but does not vote", func(t *testing.T) {
		admin := l.app.NewAPIClient(t, svcportal.WithTenant(t.Context(), mustTenantOf(t, l.app, "acme")), "acme.localhost", "admin@acme.test", "files")
		file := func(a *svcportal.KBArticle) int64 {
			rec := admin.Multipart(t, fmt.Sprintf("/api/v1/admin/kb/articles/%d/attachments", a.ID), url.Values{},
				[]testkit.File{{Name: "guide.txt", Content: []byte("guide of " + a.Translations["en"].Title)}})
			var res struct{ Attachments []svcportal.Attachment }
			if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil || len(res.Attachments) != 1 {
				t.Fatalf("attach: %d %s", rec.Code, rec.Body)
			}
			return res.Attachments[0].ID
		}
		public, siteOnly := file(l.password), file(l.umbrellaOnly)
		visitor := l.app.NewBrowser("acme.localhost") // the other one chose French
		_, doc := visitor.Page(t, path(l.password, "-reset-your-password"))
		href := doc.Find("[data-testid=attachments] a").AttrOr("href", "")
		if href != fmt.Sprintf("/api/v1/kb/files/%d", public) {
			t.Fatalf("file link %q", href)
		}
		if rec := visitor.Get(t, href); rec.Code != http.StatusOK || rec.Body.String() != "guide of Reset your password" {
			t.Errorf("download: %d %q", rec.Code, rec.Body)
		}
		if rec := visitor.Get(t, fmt.Sprintf("/api/v1/kb/files/%d", siteOnly)); rec.Code != http.StatusNotFound {
			t.Errorf("a site's article file: got %d, want 404", rec.Code)
		}
		if rec := l.alice.Get(t, fmt.Sprintf("/api/v1/kb/files/%d", siteOnly)); rec.Code != http.StatusOK {
			t.Errorf("the site's contact: got %d, want 200", rec.Code)
		}
		// A ticket's file never comes through the knowledge base, not even
		// to its requester.
		rec := l.peter.Multipart(t, "/api/v1/tickets", url.Values{"title": {"With a file"}}, []testkit.File{{Name: "shot.txt", Content: []byte("shot")}})
		var tv svcportal.TicketView
		if err := json.Unmarshal(rec.Body.Bytes(), &tv); err != nil || len(tv.Attachments) != 1 {
			t.Fatalf("ticket: %d %s", rec.Code, rec.Body)
		}
		for _, b := range []*testkit.Browser{visitor, l.peter} {
			if rec := b.Get(t, fmt.Sprintf("/api/v1/kb/files/%d", tv.Attachments[0].ID)); rec.Code != http.StatusNotFound {
				t.Errorf("a ticket's file through the knowledge base: got %d, want 404", rec.Code)
			}
		}
		if rec := visitor.Get(t, fmt.Sprintf("/api/v1/attachments/%d", public)); rec.Code != http.StatusUnauthorized {
			t.Errorf("the contacts' file address for a visitor: got %d, want 401", rec.Code)
		}

		signIn, _ := url.Parse(doc.Find("[data-testid=kb-vote-sign-in] a").AttrOr("href", ""))
		if doc.Find(".kb-vote-form").Length() != 0 || signIn.Path != "/login" || signIn.Query().Get("next") != path(l.password, "-reset-your-password") {
			t.Error("a visitor is offered the vote form, or no way to sign in to vote")
		}
		if rec := visitor.JSON(t, "POST", fmt.Sprintf("/api/v1/kb/articles/%d/vote", l.password.ID), map[string]bool{"helpful": true}, nil); rec.Code != http.StatusUnauthorized {
			t.Errorf("API vote: got %d, want 401", rec.Code)
		}
	})
	t.Run("public: contacts read what they read before", func(t *testing.T) {
		for _, c := range []struct {
			name string
			b    *testkit.Browser
			want []int64
		}{
			{"Initech", l.peter, []int64{l.password.ID, l.printer.ID}},
			{"Umbrella", l.alice, []int64{l.password.ID, l.umbrellaOnly.ID, l.printer.ID, l.vpn.ID}},
		} {
			var tree struct{ Categories []svcportal.KBCategoryView }
			c.b.JSON(t, "GET", "/api/v1/kb/categories", nil, &tree)
			var got []int64
			for _, cat := range tree.Categories {
				for _, s := range cat.Sections {
					for _, a := range s.Articles {
						got = append(got, a.ID)
					}
				}
			}
			slices.Sort(got)
			want := slices.Clone(c.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("%s: got %v, want %v", c.name, got, want)
			}
		}
		if rec, _ := articlePage(t, l.alice, l.umbrellaOnly, ""); rec.Code != http.StatusOK {
			t.Errorf("Umbrella's own article: %d", rec.Code)
		}
	})
	t.Run("private again: back to the login page", func(t *testing.T) {
		setKBPublic(t, l.app, false)
		if rec := visitor.Get(t, path(l.password, "-reset-your-password")); rec.Code != http.StatusSeeOther {
			t.Errorf("got %d, want the login page", rec.Code)
		}
	})
}
