package portal_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/testkit"
)

// library is acme's knowledge base as its contacts see it, and globex's.
type library struct {
	app                                *testkit.App
	password, umbrellaOnly, draft, vpn *svcportal.KBArticle
	printer, globexArticle             *svcportal.KBArticle
	peter, marie, alice, kbless, gavin *testkit.Browser
}

func newLibrary(t *testing.T) *library {
	t.Helper()
	app := testkit.NewApp(t)
	l := &library{app: app}
	actx, _ := testkit.Tenant(t, app.Store, "acme")
	gctx, _ := testkit.Tenant(t, app.Store, "globex")
	initech := testkit.Site(actx, t, app.Store, "Initech")
	umbrella := testkit.Site(actx, t, app.Store, "Umbrella")
	off := testkit.Site(actx, t, app.Store, "No KB")
	off.KBEnabled = false
	if err := app.Store.UpdateSite(actx, off); err != nil {
		t.Fatal(err)
	}
	testkit.Contact(actx, t, app.Store, "peter@initech.test", initech, svcportal.RoleMember)
	marie := testkit.Contact(actx, t, app.Store, "marie@initech.test", initech, svcportal.RoleMember)
	marie.Locale = "fr"
	if err := app.Store.UpdateContact(actx, marie); err != nil {
		t.Fatal(err)
	}
	testkit.Contact(actx, t, app.Store, "alice@umbrella.test", umbrella, svcportal.RoleMember)
	testkit.Contact(actx, t, app.Store, "kbless@nokb.test", off, svcportal.RoleMember)
	testkit.Contact(gctx, t, app.Store, "gavin@hooli.test", testkit.Site(gctx, t, app.Store, "Hooli"), svcportal.RoleMember)

	// Through the service, so that the search index follows.
	article := func(ctx context.Context, sec *svcportal.KBSection, state string, trs map[string]svcportal.KBTranslation, sites ...*svcportal.Site) *svcportal.KBArticle {
		a := &svcportal.KBArticle{SectionID: sec.ID, State: state, AllSites: len(sites) == 0, Translations: trs}
		for _, s := range sites {
			a.SiteIDs = append(a.SiteIDs, s.ID)
		}
		if err := app.KB.CreateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
		return a
	}
	section := func(ctx context.Context, cat, sec string) *svcportal.KBSection {
		c := &svcportal.KBCategory{Names: map[string]string{"en": cat, "fr": "FR " + cat}, AllSites: true}
		if err := app.KB.CreateCategory(ctx, c); err != nil {
			t.Fatal(err)
		}
		s := &svcportal.KBSection{CategoryID: c.ID, Names: map[string]string{"en": sec}, AllSites: true}
		if err := app.KB.CreateSection(ctx, s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	accounts := section(actx, "Accounts", "Passwords")
	l.password = article(actx, accounts, svcportal.KBPublished, map[string]svcportal.KBTranslation{
		"en": {Title: "Reset your password", Keywords: []string{"password", "login"},
			Body: "Open **Settings** <script>alert(1)</script> and [this](javascript:alert(1))."},
		"fr": {Title: "Réinitialiser le mot de passe", Body: "Ouvrez les **Paramètres**."},
	})
	l.umbrellaOnly = article(actx, accounts, svcportal.KBPublished, map[string]svcportal.KBTranslation{
		"en": {Title: "Umbrella lab access", Body: "Badge rules of the Umbrella lab."}}, umbrella)
	l.draft = article(actx, accounts, svcportal.KBDraft, map[string]svcportal.KBTranslation{
		"en": {Title: "Draft printer notes", Body: "Not ready."}})
	hardware := section(actx, "Hardware", "Printers")
	l.printer = article(actx, hardware, svcportal.KBPublished, map[string]svcportal.KBTranslation{
		"en": {Title: "Printer setup", Body: "Install the printer driver."}})
	l.vpn = article(actx, hardware, svcportal.KBPublished, map[string]svcportal.KBTranslation{
		"en": {Title: "VPN for the Umbrella lab", Body: "Lab only."}}, umbrella)
	l.globexArticle = article(gctx, section(gctx, "Globex", "Secrets"), svcportal.KBPublished, map[string]svcportal.KBTranslation{
		"en": {Title: "Globex printer secrets", Body: "Printer."}})

	login := func(host, email string) *testkit.Browser {
		b := app.NewBrowser(host)
		apiLogin(t, b, email, testkit.Password)
		return b
	}
	l.peter, l.marie, l.alice, l.kbless = login("acme.localhost", "peter@initech.test"), login("acme.localhost", "marie@initech.test"),
		login("acme.localhost", "alice@umbrella.test"), login("acme.localhost", "kbless@nokb.test")
	l.gavin = login("globex.localhost", "gavin@hooli.test")
	return l
}

func path(a *svcportal.KBArticle, suffix string) string {
	return fmt.Sprintf("/kb/articles/%d%s", a.ID, suffix)
}

// articlePage reads a's page the way a link to its id does: redirected
// (301) to its address with a slug, keeping the query.
func articlePage(t *testing.T, b *testkit.Browser, a *svcportal.KBArticle, query string) (*httptest.ResponseRecorder, *goquery.Document) {
	t.Helper()
	rec := b.Get(t, path(a, query))
	if rec.Code != http.StatusMovedPermanently {
		return rec, testkit.HTML(t, rec)
	}
	to := rec.Header().Get("Location")
	if !strings.HasPrefix(to, path(a, "-")) || !strings.HasSuffix(to, query) {
		t.Fatalf("article %d redirects to %q, want its address with a slug and %q", a.ID, to, query)
	}
	rec = b.Get(t, to)
	return rec, testkit.HTML(t, rec)
}

type hitsAnswer struct {
	Hits []svcportal.ArticleHit `json:"hits"`
}

func searchIDs(t *testing.T, b *testkit.Browser, q string) []int64 {
	t.Helper()
	var got hitsAnswer
	if rec := b.JSON(t, "GET", "/api/v1/kb/search?q="+url.QueryEscape(q), nil, &got); rec.Code != http.StatusOK {
		t.Fatalf("search %q: %d %s", q, rec.Code, rec.Body)
	}
	ids := []int64{}
	for _, h := range got.Hits {
		ids = append(ids, h.ArticleID)
	}
	return ids
}

func TestKB_Visibility(t *testing.T) {
	l := newLibrary(t)
	for _, c := range []struct {
		name    string
		b       *testkit.Browser
		article *svcportal.KBArticle
		query   string
	}{
		{"another site's article", l.peter, l.umbrellaOnly, "umbrella lab"},
		{"a draft", l.peter, l.draft, "draft printer"},
		{"a draft to another site", l.alice, l.draft, "draft printer"},
		{"another tenant's article", l.peter, l.globexArticle, "globex secrets"},
		{"acme's article from globex", l.gavin, l.password, "reset password"},
		{"a site with the KB disabled", l.kbless, l.password, "reset password"},
		{"inherited section reach", l.peter, l.vpn, "vpn"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if rec := c.b.Get(t, path(c.article, "")); rec.Code != http.StatusNotFound {
				t.Errorf("page: got %d, want 404", rec.Code)
			}
			if rec := c.b.JSON(t, "GET", "/api/v1"+path(c.article, ""), nil, nil); rec.Code != http.StatusNotFound {
				t.Errorf("API: got %d, want 404", rec.Code)
			}
			if rec := c.b.JSON(t, "POST", "/api/v1"+path(c.article, "/vote"), map[string]bool{"helpful": true}, nil); rec.Code != http.StatusNotFound {
				t.Errorf("API vote: got %d, want 404", rec.Code)
			}
			if rec := c.b.Submit(t, path(c.article, "/vote"), url.Values{"helpful": {"yes"}}); rec.Code != http.StatusNotFound {
				t.Errorf("form vote: got %d, want 404", rec.Code)
			}
			if got := searchIDs(t, c.b, c.query); slices.Contains(got, c.article.ID) {
				t.Errorf("search %q: got %v, which has article %d", c.query, got, c.article.ID)
			}
			_, doc := c.b.Page(t, "/kb/search?q="+url.QueryEscape(c.query))
			if doc.Find(fmt.Sprintf(`[data-testid=kb-results] a[data-article="%d"]`, c.article.ID)).Length() != 0 {
				t.Error("search page lists it")
			}
			_, doc = c.b.Page(t, "/kb")
			if doc.Find(fmt.Sprintf(`a[data-article="%d"]`, c.article.ID)).Length() != 0 {
				t.Error("knowledge base page lists it")
			}
		})
	}
	t.Run("the site's own reader sees what is limited to it", func(t *testing.T) {
		for _, a := range []*svcportal.KBArticle{l.umbrellaOnly, l.vpn} {
			if rec, _ := articlePage(t, l.alice, a, ""); rec.Code != http.StatusOK {
				t.Errorf("article %d: got %d, want 200", a.ID, rec.Code)
			}
		}
		if got := searchIDs(t, l.alice, "umbrella lab"); !slices.Contains(got, l.umbrellaOnly.ID) || !slices.Contains(got, l.vpn.ID) {
			t.Errorf("search: got %v, want both Umbrella articles", got)
		}
	})
	t.Run("signed out", func(t *testing.T) {
		b := l.app.NewBrowser("acme.localhost")
		if rec := b.Get(t, "/kb"); rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/login") {
			t.Errorf("page: got %d %q, want the login page", rec.Code, rec.Header().Get("Location"))
		}
		if rec := b.JSON(t, "GET", "/api/v1/kb/search?q=password", nil, nil); rec.Code != http.StatusUnauthorized {
			t.Errorf("API: got %d, want 401", rec.Code)
		}
	})
}

func TestKBPages_Index(t *testing.T) {
	l := newLibrary(t)
	t.Run("tree of the reader's sites", func(t *testing.T) {
		_, doc := l.peter.Page(t, "/kb")
		if doc.Find(`nav a[href="/kb"][aria-current=page]`).Length() != 1 {
			t.Error("the navigation has no current Knowledge base link")
		}
		var cats []string
		doc.Find(".kb-category h2").Each(func(_ int, s *goquery.Selection) { cats = append(cats, s.Text()) })
		if !slices.Equal(cats, []string{"Accounts", "Hardware"}) {
			t.Errorf("categories: got %v", cats)
		}
		var titles []string
		doc.Find(".kb-articles a").Each(func(_ int, s *goquery.Selection) { titles = append(titles, s.Text()) })
		if !slices.Equal(titles, []string{"Reset your password", "Printer setup"}) {
			t.Errorf("articles: got %v", titles)
		}
		if doc.Find("form[role=search] input#kb-q[name=q]").Length() != 1 || doc.Find(`label[for=kb-q]`).Length() != 1 {
			t.Error("no labelled search box")
		}
	})
	t.Run("in the reader's language, with fallback", func(t *testing.T) {
		_, doc := l.marie.Page(t, "/kb")
		if got := doc.Find("h1").First().Text(); got != "Base de connaissances" {
			t.Errorf("heading: got %q", got)
		}
		if got := doc.Find(".kb-category h2").First().Text(); got != "FR Accounts" {
			t.Errorf("category: got %q", got)
		}
		pw := doc.Find(fmt.Sprintf(`a[data-article="%d"]`, l.password.ID))
		if pw.Text() != "Réinitialiser le mot de passe" || pw.AttrOr("lang", "") != "" {
			t.Errorf("translated title: got %q lang %q", pw.Text(), pw.AttrOr("lang", ""))
		}
		pr := doc.Find(fmt.Sprintf(`a[data-article="%d"]`, l.printer.ID))
		if pr.Text() != "Printer setup" || pr.AttrOr("lang", "") != "en" {
			t.Errorf("fallback title: got %q lang %q", pr.Text(), pr.AttrOr("lang", ""))
		}
	})
	t.Run("nothing to read", func(t *testing.T) {
		_, doc := l.kbless.Page(t, "/kb")
		if doc.Find("[data-testid=kb-empty]").Length() != 1 || doc.Find(".kb-category").Length() != 0 {
			t.Error("want the empty notice and no category")
		}
	})
}

// TestKBPages_LongSections: the knowledge base's home and a category's
// page list a section's first eight articles and link to the section's
// page for all of them, in the reader's language.
func TestKBPages_LongSections(t *testing.T) {
	l := newLibrary(t)
	ctx, _ := testkit.Tenant(t, l.app.Store, "initrode")
	site := testkit.Site(ctx, t, l.app.Store, "Initrode")
	testkit.Contact(ctx, t, l.app.Store, "sam@initrode.test", site, svcportal.RoleMember)
	luc := testkit.Contact(ctx, t, l.app.Store, "luc@initrode.test", site, svcportal.RoleMember)
	luc.Locale = "fr"
	if err := l.app.Store.UpdateContact(ctx, luc); err != nil {
		t.Fatal(err)
	}
	cat := testkit.KBCategory(ctx, t, l.app.Store, "Help")
	long := testkit.KBSection(ctx, t, l.app.Store, cat, "Long")
	short := testkit.KBSection(ctx, t, l.app.Store, cat, "Short")
	for i := range 10 {
		testkit.KBArticle(ctx, t, l.app.Store, long, svcportal.KBPublished, fmt.Sprint("Long ", i), "Text.")
	}
	testkit.KBArticle(ctx, t, l.app.Store, short, svcportal.KBPublished, "Short 0", "Text.")
	sam, lucB := l.app.NewBrowser("initrode.localhost"), l.app.NewBrowser("initrode.localhost")
	apiLogin(t, sam, "sam@initrode.test", testkit.Password)
	apiLogin(t, lucB, "luc@initrode.test", testkit.Password)
	for _, page := range []string{"/kb", fmt.Sprintf("/kb/categories/%d", cat.ID)} {
		_, doc := sam.Page(t, page)
		if n := doc.Find(".kb-articles li").Length(); n != 9 {
			t.Errorf("%s: %d articles listed, want 8 of the long section and the short one", page, n)
		}
		more := doc.Find("[data-testid=kb-see-all]")
		if more.Length() != 1 || more.AttrOr("href", "") != fmt.Sprintf("/kb/sections/%d", long.ID) || more.Text() != "See all 10 articles" {
			t.Errorf("%s: see-all links %d, %q %q", page, more.Length(), more.AttrOr("href", ""), more.Text())
		}
		_, doc = lucB.Page(t, page)
		if got := doc.Find("[data-testid=kb-see-all]").Text(); got != "Voir les 10 articles" {
			t.Errorf("%s in French: %q", page, got)
		}
	}
	_, doc := sam.Page(t, fmt.Sprintf("/kb/sections/%d", long.ID))
	if n := doc.Find(".kb-articles li").Length(); n != 10 || doc.Find("[data-testid=kb-see-all]").Length() != 0 {
		t.Errorf("the section's page: %d articles, want all 10 and no see-all link", n)
	}
}

func TestKBPages_Article(t *testing.T) {
	l := newLibrary(t)
	rec, doc := articlePage(t, l.peter, l.password, "")
	if rec.Code != http.StatusOK {
		t.Fatalf("got %d", rec.Code)
	}
	t.Run("content", func(t *testing.T) {
		if got := doc.Find("article h1").Text(); got != "Reset your password" {
			t.Errorf("title: got %q", got)
		}
		body := doc.Find("[data-testid=kb-body]")
		if body.Find("strong").Text() != "Settings" || body.Find("script").Length() != 0 {
			t.Errorf("body not sanitised Markdown: %s", must(body.Html()))
		}
		if href, _ := body.Find("a").Attr("href"); strings.HasPrefix(href, "javascript") {
			t.Errorf("javascript link kept: %q", href)
		}
		if got := doc.Find("[data-testid=kb-created] time").AttrOr("datetime", ""); got != "2026-03-02T09:00:00Z" {
			t.Errorf("created: got %q", got)
		}
		var kws []string
		doc.Find("[data-testid=kb-keywords] li").Each(func(_ int, s *goquery.Selection) { kws = append(kws, s.Text()) })
		if !slices.Equal(kws, []string{"password", "login"}) {
			t.Errorf("keywords: got %v", kws)
		}
		if got := doc.Find(".breadcrumb li").Length(); got != 3 {
			t.Errorf("breadcrumb: got %d items", got)
		}
	})
	t.Run("vote without JavaScript, changeable", func(t *testing.T) {
		for _, v := range []struct{ helpful, votes, pressed string }{
			{"yes", "Helpful: 1 · Not helpful: 0", "yes"},
			{"no", "Helpful: 0 · Not helpful: 1", "no"},
		} {
			rec := l.peter.Submit(t, path(l.password, "/vote"), url.Values{"helpful": {v.helpful}})
			if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != path(l.password, "?voted=1#vote") {
				t.Fatalf("vote %s: got %d %q", v.helpful, rec.Code, rec.Header().Get("Location"))
			}
			_, doc := articlePage(t, l.peter, l.password, "?voted=1")
			if got := doc.Find("[data-testid=kb-votes]").Text(); got != v.votes {
				t.Errorf("after %s: got %q, want %q", v.helpful, got, v.votes)
			}
			if doc.Find(fmt.Sprintf(`button[value=%s][aria-pressed=true]`, v.pressed)).Length() != 1 {
				t.Errorf("after %s: the %s button is not pressed", v.helpful, v.pressed)
			}
			if doc.Find(".kb-vote [role=status]").Length() != 1 {
				t.Error("no thanks")
			}
		}
	})
	t.Run("vote needs the form's CSRF token", func(t *testing.T) {
		if rec := l.peter.Submit(t, path(l.password, "/vote"), url.Values{"helpful": {"yes"}, "csrf_token": {"forged"}}); rec.Code != http.StatusForbidden {
			t.Errorf("got %d, want 403", rec.Code)
		}
	})
	t.Run("fallback notice", func(t *testing.T) {
		_, doc := articlePage(t, l.marie, l.printer, "")
		if doc.Find("[data-testid=kb-fallback]").Length() != 1 || doc.Find("article[lang=en]").Length() != 1 {
			t.Error("an English article shown to a French reader lacks the notice or lang=en")
		}
		_, doc = articlePage(t, l.marie, l.password, "")
		if got := doc.Find("article h1").Text(); got != "Réinitialiser le mot de passe" || doc.Find("[data-testid=kb-fallback]").Length() != 0 {
			t.Errorf("French article: got %q", got)
		}
	})
	t.Run("not a number", func(t *testing.T) {
		if rec := l.peter.Get(t, "/kb/articles/abc"); rec.Code != http.StatusNotFound {
			t.Errorf("got %d, want 404", rec.Code)
		}
	})
}

func TestKBPages_Search(t *testing.T) {
	l := newLibrary(t)
	for _, c := range []struct {
		name string
		b    *testkit.Browser
		q    string
		want []int64
	}{
		{"words", l.peter, "printer", []int64{l.printer.ID}},
		{"typo", l.peter, "pasword", []int64{l.password.ID}},
		{"accent folding in French", l.marie, "reinitialiser", []int64{l.password.ID}},
		{"fallback to the default language", l.marie, "printer", []int64{l.printer.ID}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, doc := c.b.Page(t, "/kb/search?q="+url.QueryEscape(c.q))
			var got []int64
			doc.Find("[data-testid=kb-results] a").Each(func(_ int, s *goquery.Selection) {
				var id int64
				fmt.Sscan(s.AttrOr("data-article", ""), &id)
				got = append(got, id)
			})
			if !slices.Equal(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
			if v := doc.Find("#kb-q").AttrOr("value", ""); v != c.q {
				t.Errorf("search box: got %q, want the query", v)
			}
		})
	}
	t.Run("no match", func(t *testing.T) {
		_, doc := l.peter.Page(t, "/kb/search?q=zzzzqqq")
		if doc.Find("[data-testid=kb-none]").Length() != 1 {
			t.Error("no empty-result notice")
		}
	})
}

type articleAnswer struct {
	svcportal.KBArticleView
}

func TestKBAPI(t *testing.T) {
	l := newLibrary(t)
	t.Run("categories", func(t *testing.T) {
		var got struct {
			Categories []svcportal.KBCategoryView `json:"categories"`
		}
		if rec := l.marie.JSON(t, "GET", "/api/v1/kb/categories", nil, &got); rec.Code != http.StatusOK {
			t.Fatalf("got %d", rec.Code)
		}
		if len(got.Categories) != 2 || got.Categories[0].Name != "FR Accounts" || got.Categories[0].Sections[0].Articles[0].Title != "Réinitialiser le mot de passe" {
			t.Errorf("got %+v", got.Categories)
		}
	})
	t.Run("article", func(t *testing.T) {
		var got articleAnswer
		if rec := l.peter.JSON(t, "GET", "/api/v1"+path(l.password, ""), nil, &got); rec.Code != http.StatusOK {
			t.Fatalf("got %d", rec.Code)
		}
		if got.Title != "Reset your password" || got.Locale != "en" || got.SectionName != "Passwords" || got.CategoryName != "Accounts" ||
			got.MyVote != nil || got.Views != 1 {
			t.Errorf("got %+v", got.KBArticleView)
		}
	})
	t.Run("vote", func(t *testing.T) {
		var got struct {
			Votes svcportal.KBVotes `json:"votes"`
		}
		for _, v := range []struct {
			b       *testkit.Browser
			helpful bool
			want    svcportal.KBVotes
		}{
			{l.peter, true, svcportal.KBVotes{Helpful: 1}},
			{l.marie, true, svcportal.KBVotes{Helpful: 2}},
			{l.peter, false, svcportal.KBVotes{Helpful: 1, NotHelpful: 1}},
		} {
			if rec := v.b.JSON(t, "POST", "/api/v1"+path(l.password, "/vote"), map[string]bool{"helpful": v.helpful}, &got); rec.Code != http.StatusOK || got.Votes != v.want {
				t.Errorf("got %d %+v, want %+v", rec.Code, got.Votes, v.want)
			}
		}
		if rec := l.peter.JSON(t, "POST", "/api/v1"+path(l.password, "/vote"), map[string]any{}, nil); rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("without helpful: got %d, want 422", rec.Code)
		}
		var a articleAnswer
		l.peter.JSON(t, "GET", "/api/v1"+path(l.password, ""), nil, &a)
		if a.MyVote == nil || *a.MyVote {
			t.Errorf("my vote: got %v, want false", a.MyVote)
		}
	})
	t.Run("search ranks and limits", func(t *testing.T) {
		var got hitsAnswer
		if rec := l.alice.JSON(t, "GET", "/api/v1/kb/search?q=umbrella+lab&limit=1", nil, &got); rec.Code != http.StatusOK || len(got.Hits) != 1 {
			t.Fatalf("got %d %+v", rec.Code, got.Hits)
		}
		if got.Hits[0].ArticleID != l.umbrellaOnly.ID && got.Hits[0].ArticleID != l.vpn.ID {
			t.Errorf("got %+v", got.Hits[0])
		}
		if got := searchIDs(t, l.peter, "passw"); !slices.Equal(got, []int64{l.password.ID}) {
			t.Errorf("prefix: got %v", got)
		}
		if rec := l.peter.JSON(t, "GET", "/api/v1/kb/search?q=x&limit=ten", nil, nil); rec.Code != http.StatusBadRequest {
			t.Errorf("bad limit: got %d, want 400", rec.Code)
		}
	})
	t.Run("the index follows unpublishing", func(t *testing.T) {
		ctx := svcportal.WithTenant(context.Background(), mustTenantOf(t, l.app, "acme"))
		a, err := l.app.KB.KBArticle(ctx, l.printer.ID)
		if err != nil {
			t.Fatal(err)
		}
		a.State = svcportal.KBDraft
		if err := l.app.KB.UpdateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
		if got := searchIDs(t, l.peter, "printer"); len(got) != 0 {
			t.Errorf("got %v, want nothing", got)
		}
	})
}

func mustTenantOf(t *testing.T, app *testkit.App, slug string) *svcportal.Tenant {
	t.Helper()
	tn, err := app.Store.TenantBySlug(context.Background(), slug)
	if err != nil {
		t.Fatal(err)
	}
	return tn
}
