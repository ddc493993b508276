package admin_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/testkit"
)

// kbDesk is a desk with a knowledge base: a category and section for
// every site, an article in English and French with views, votes and a
// file.
type kbDesk struct {
	*desk
	cat     *svcportal.KBCategory
	sec     *svcportal.KBSection
	article *svcportal.KBArticle
}

func newKBDesk(t *testing.T) *kbDesk {
	t.Helper()
	d := &kbDesk{desk: newDesk(t)}
	ctx, st := d.actx, d.app.Store
	d.cat = testkit.KBCategory(ctx, t, st, "Accounts")
	d.sec = testkit.KBSection(ctx, t, st, d.cat, "Passwords")
	d.article = testkit.KBArticleIn(ctx, t, st, d.sec, svcportal.KBPublished, map[string]svcportal.KBTranslation{
		"en": {Title: "Reset your password", Body: "Use **Forgot password**."},
		"fr": {Title: "Réinitialiser le mot de passe", Body: "Utilisez **Mot de passe oublié**."},
	})
	peter, err := st.ContactByEmail(ctx, "peter@initech.test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.VoteKBArticle(ctx, d.article.ID, peter.ID, true); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if rec := readArticle(t, d.peter, d.article.ID); rec.Code != http.StatusOK {
			t.Fatalf("peter reads the article: %d", rec.Code)
		}
	}
	d.admin.Page(t, fmt.Sprintf("/admin/kb/articles/%d", d.article.ID))
	if rec := d.admin.Multipart(t, fmt.Sprintf("/admin/kb/articles/%d/files", d.article.ID), url.Values{},
		[]testkit.File{{Name: "guide.pdf", Content: []byte("%PDF-1.4 guide")}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("upload: %d %s", rec.Code, rec.Body)
	}
	return d
}

// TestKBPages_RenderForAdminAndAgent opens every knowledge-base page as
// the admin (forms) and as the agent (the same content, read only).
func TestKBPages_RenderForAdminAndAgent(t *testing.T) {
	d := newKBDesk(t)
	pages := []string{"/admin/kb", fmt.Sprintf("/admin/kb/categories/%d", d.cat.ID), fmt.Sprintf("/admin/kb/sections/%d", d.sec.ID),
		fmt.Sprintf("/admin/kb/articles/%d", d.article.ID)}
	for _, who := range []struct {
		name  string
		b     *testkit.Browser
		write bool
	}{{"admin", d.admin, true}, {"agent", d.agent, false}} {
		t.Run(who.name, func(t *testing.T) {
			for _, path := range pages {
				rec, doc := who.b.Page(t, path)
				if rec.Code != http.StatusOK {
					t.Fatalf("%s: %d", path, rec.Code)
				}
				if doc.Find("main#main h1").Length() != 1 || doc.Find(`nav.mainnav a[href="/admin/kb"][aria-current=page]`).Length() != 1 {
					t.Errorf("%s: lacks its heading or the current navigation entry", path)
				}
				forms := doc.Find("main form[method=post]").Length()
				if who.write && forms == 0 || !who.write && forms != 0 {
					t.Errorf("%s: %d forms for the %s", path, forms, who.name)
				}
				doc.Find("main input:not([type=hidden]), main select, main textarea").Each(func(_ int, in *goqSel) {
					id := in.AttrOr("id", "")
					if (id == "" || doc.Find(fmt.Sprintf(`label[for=%q]`, id)).Length() == 0) && in.ParentsFiltered("label").Length() == 0 {
						t.Errorf("%s: field %q has no label", path, in.AttrOr("name", ""))
					}
				})
			}
			_, doc := who.b.Page(t, "/admin/kb")
			if got := texts(doc.Find(fmt.Sprintf(`[data-category="%d"] [data-section="%d"] a`, d.cat.ID, d.sec.ID))); len(got) != 1 || got[0] != "Passwords" {
				t.Errorf("tree: %v", got)
			}
			if got := texts(doc.Find(fmt.Sprintf(`[data-category="%d"] [data-testid=missing] li`, d.cat.ID))); strings.Join(got, ",") != "Français,Deutsch,Español,Italiano" {
				t.Errorf("languages missing from the category's name: %v", got)
			}
			_, doc = who.b.Page(t, fmt.Sprintf("/admin/kb/sections/%d", d.sec.ID))
			row := doc.Find(fmt.Sprintf(`table[data-testid=articles] tr[data-article="%d"]`, d.article.ID))
			if row.Find("[data-col=views]").Text() != "3" || row.Find("[data-col=helpful]").Text() != "1" || row.Find("[data-col=not_helpful]").Text() != "0" ||
				strings.TrimSpace(row.Find("[data-testid=state]").Text()) != "Published" {
				t.Errorf("article row: %q", texts(row.Find("td")))
			}
			_, doc = who.b.Page(t, fmt.Sprintf("/admin/kb/articles/%d", d.article.ID))
			if doc.Find("[data-testid=views]").Text() != "3" || doc.Find("[data-testid=helpful]").Text() != "1" || doc.Find("[data-testid=share]").Text() != "100%" {
				t.Errorf("figures: %v", texts(doc.Find("[data-testid=figures] div")))
			}
			if got := texts(doc.Find("[data-testid=missing] li")); strings.Join(got, ",") != "Deutsch,Español,Italiano" {
				t.Errorf("missing translations: %v", got)
			}
			if got := texts(doc.Find("[data-testid=files] li a")); len(got) != 1 || got[0] != "guide.pdf" {
				t.Errorf("files: %v", got)
			}
			if who.write {
				// Side by side: one column per language of the tenant.
				var locs []string
				doc.Find("[data-testid=translations] fieldset[data-locale]").Each(func(_ int, f *goqSel) { locs = append(locs, f.AttrOr("data-locale", "")) })
				if strings.Join(locs, ",") != "en,fr,de,es,it" {
					t.Errorf("translation columns %v", locs)
				}
				if v := doc.Find(`#f-translations\.fr\.title`).AttrOr("value", ""); v != "Réinitialiser le mot de passe" {
					t.Errorf("French title %q", v)
				}
				if !doc.Find(`fieldset[data-locale=de]`).HasClass("missing") || doc.Find(`fieldset[data-locale=fr]`).HasClass("missing") {
					t.Error("the missing languages are not marked")
				}
				if doc.Find(`script[src^="/static/kb_editor.js"]`).Length() != 1 || doc.Find(`textarea[data-preview="preview-en"]`).Length() != 1 {
					t.Error("the live preview is not wired")
				}
			} else {
				if got := doc.Find(`[data-testid=translations] [data-locale=fr] .prose strong`).Text(); got != "Mot de passe oublié" {
					t.Errorf("the agent's French reading: %q", got)
				}
			}
		})
	}
	// Agents read only: every write and every new-thing form is refused.
	for _, path := range []string{"/admin/kb/categories/new", "/admin/kb/sections/new", "/admin/kb/articles/new"} {
		if rec := d.agent.Get(t, path); rec.Code != http.StatusForbidden {
			t.Errorf("agent GET %s: %d, want 403", path, rec.Code)
		}
	}
	for _, path := range []string{"/admin/kb/categories", "/admin/kb/order", fmt.Sprintf("/admin/kb/articles/%d", d.article.ID),
		fmt.Sprintf("/admin/kb/articles/%d/unpublish", d.article.ID), fmt.Sprintf("/admin/kb/sections/%d/delete", d.sec.ID)} {
		if rec := d.agent.Submit(t, path, url.Values{"names.en": {"Agent"}}); rec.Code != http.StatusForbidden {
			t.Errorf("agent POST %s: %d, want 403", path, rec.Code)
		}
	}
	if rec := d.agent.JSON(t, "POST", "/api/v1/admin/kb/preview", map[string]string{"body": "x"}, nil); rec.Code != http.StatusForbidden {
		t.Errorf("agent preview: %d, want 403", rec.Code)
	}
	// A contact never gets in.
	if rec := d.peter.Get(t, "/admin/kb"); rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/admin/login") {
		t.Errorf("contact on /admin/kb: %d %q", rec.Code, rec.Header().Get("Location"))
	}
}

// TestKBPages_AuthoringFlow writes a knowledge base through the pages:
// category, section and article; a translation; previews; reach;
// publish and unpublish as the contact sees it; files; order; deletion.
func TestKBPages_AuthoringFlow(t *testing.T) {
	d := newDesk(t)
	a := d.admin
	idOf := func(loc, prefix string) int64 {
		t.Helper()
		var id int64
		if _, err := fmt.Sscanf(loc, prefix+"%d", &id); err != nil {
			t.Fatalf("redirect %q is not %s…", loc, prefix)
		}
		return id
	}
	submit := func(path string, v url.Values, prefix string) int64 {
		t.Helper()
		a.Page(t, "/admin/kb")
		rec := a.Submit(t, path, v)
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("POST %s: %d %s", path, rec.Code, rec.Body)
		}
		return idOf(rec.Header().Get("Location"), prefix)
	}
	cat := submit("/admin/kb/categories", url.Values{"names.en": {"Network"}, "names.fr": {"Réseau"}, "position": {"2"}, "reach": {"all"}}, "/admin/kb/categories/")
	other := submit("/admin/kb/categories", url.Values{"names.en": {"Accounts"}, "position": {"1"}, "reach": {"all"}}, "/admin/kb/categories/")
	sec := submit("/admin/kb/sections", url.Values{"category_id": {fmt.Sprint(cat)}, "names.en": {"VPN"}, "reach": {"all"}}, "/admin/kb/sections/")
	art := submit("/admin/kb/articles", url.Values{"section_id": {fmt.Sprint(sec)}, "reach": {"all"}, "action": {"save"},
		"translations.en.title": {"Connect to the VPN"}, "translations.en.body": {"Open the **client**."}, "translations.en.keywords": {"vpn, remote"}}, "/admin/kb/articles/")
	articlePath := fmt.Sprintf("/admin/kb/articles/%d", art)

	_, doc := a.Page(t, "/admin/kb")
	var order []string
	doc.Find("[data-category] h2").Each(func(_ int, h *goqSel) { order = append(order, strings.TrimSpace(h.Text())) })
	if strings.Join(order, ",") != "Accounts,Network" {
		t.Errorf("categories by position: %v", order)
	}
	_, doc = a.Page(t, articlePath)
	if strings.TrimSpace(doc.Find("[data-testid=state]").Text()) != "Draft" {
		t.Errorf("a new article is not a draft: %q", doc.Find("[data-testid=state]").Text())
	}
	if v := doc.Find(`#f-translations\.en\.keywords`).AttrOr("value", ""); v != "vpn, remote" {
		t.Errorf("keywords %q", v)
	}
	// A draft is not on the portal.
	if rec := d.peter.Get(t, articlePath[len("/admin"):]); rec.Code != http.StatusNotFound {
		t.Errorf("the contact reads a draft: %d", rec.Code)
	}

	// Preview without saving: rendered, sanitised, nothing saved.
	rec, doc := a.SubmitPage(t, articlePath, url.Values{"section_id": {fmt.Sprint(sec)}, "reach": {"all"}, "action": {"preview"},
		"translations.en.title": {"Connect to the VPN"}, "translations.en.body": {"Open the *new* client<script>alert(1)</script>"}})
	if html, _ := doc.Find("#preview-en").Html(); rec.Code != http.StatusOK || doc.Find("#preview-en em").Text() != "new" ||
		doc.Find("#preview-en script").Length() != 0 || strings.Contains(html, "<script") {
		t.Errorf("server preview: %d %q", rec.Code, doc.Find("#preview-en").Text())
	}
	if got, _ := d.app.KB.KBArticle(d.actx, art); got.Translations["en"].Body != "Open the **client**." {
		t.Errorf("the preview saved the text: %q", got.Translations["en"].Body)
	}
	// The live preview's endpoint: the same sanitiser.
	var live struct{ HTML string }
	if rec := a.JSON(t, "POST", "/api/v1/admin/kb/preview", map[string]string{"body": "**Bold** <img src=x onerror=alert(1)>"}, &live); rec.Code != http.StatusOK ||
		!strings.Contains(live.HTML, "<strong>Bold</strong>") || strings.Contains(live.HTML, "onerror") {
		t.Errorf("live preview: %d %q", rec.Code, live.HTML)
	}

	// A French translation, side by side.
	a.Page(t, articlePath)
	if rec := a.Submit(t, articlePath, url.Values{"section_id": {fmt.Sprint(sec)}, "reach": {"all"}, "action": {"save"}, "position": {"0"},
		"translations.en.title": {"Connect to the VPN"}, "translations.en.body": {"Open the **client**."},
		"translations.fr.title": {"Se connecter au VPN"}, "translations.fr.body": {"Ouvrez le **client**."}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("translate: %d %s", rec.Code, rec.Body)
	}
	_, doc = a.Page(t, articlePath)
	if got := texts(doc.Find("[data-testid=missing] li")); strings.Join(got, ",") != "Deutsch,Español,Italiano" {
		t.Errorf("missing after the French translation: %v", got)
	}

	// Publish: the contact reads it.
	a.Page(t, articlePath)
	if rec := a.Submit(t, articlePath+"/publish", url.Values{}); rec.Code != http.StatusSeeOther {
		t.Fatalf("publish: %d", rec.Code)
	}
	_, doc = a.Page(t, articlePath)
	if strings.TrimSpace(doc.Find("[data-testid=state]").Text()) != "Published" || doc.Find("[data-testid=unpublish]").Length() != 1 {
		t.Error("the article is not shown as published")
	}
	rec = readArticle(t, d.peter, art)
	pdoc := testkit.HTML(t, rec)
	if rec.Code != http.StatusOK || strings.TrimSpace(pdoc.Find("main h1").Text()) != "Connect to the VPN" {
		t.Errorf("the contact cannot read the published article: %d", rec.Code)
	}

	// Reach: only Umbrella, so Peter (Initech) no longer reads it.
	a.Page(t, articlePath)
	if rec := a.Submit(t, articlePath, url.Values{"section_id": {fmt.Sprint(sec)}, "reach": {"chosen"}, "site_ids": {fmt.Sprint(d.umbrella.ID)}, "action": {"save"},
		"translations.en.title": {"Connect to the VPN"}, "translations.en.body": {"Open the **client**."},
		"translations.fr.title": {"Se connecter au VPN"}, "translations.fr.body": {"Ouvrez le **client**."}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("reach: %d %s", rec.Code, rec.Body)
	}
	if rec := d.peter.Get(t, fmt.Sprintf("/kb/articles/%d", art)); rec.Code != http.StatusNotFound {
		t.Errorf("out of reach, the contact still reads it: %d", rec.Code)
	}
	_, doc = a.Page(t, articlePath)
	if doc.Find(fmt.Sprintf(`input[name=site_ids][value="%d"][checked]`, d.umbrella.ID)).Length() != 1 || doc.Find(`input[name=reach][value=chosen][checked]`).Length() != 1 {
		t.Error("the chosen site is not ticked")
	}
	// The section's reach narrows too: a section for Initech only.
	a.Page(t, fmt.Sprintf("/admin/kb/sections/%d", sec))
	if rec := a.Submit(t, fmt.Sprintf("/admin/kb/sections/%d", sec), url.Values{"category_id": {fmt.Sprint(cat)}, "names.en": {"VPN"},
		"reach": {"chosen"}, "site_ids": {fmt.Sprint(d.initech.ID)}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("section reach: %d %s", rec.Code, rec.Body)
	}
	if got, _ := d.app.KB.KBArticle(d.actx, art); got.Reach.All || len(got.Reach.SiteIDs) != 0 {
		t.Errorf("Umbrella article in an Initech section reaches %v, want nobody", got.Reach.SiteIDs)
	}

	// Files: attach, list, remove.
	_, doc = a.Page(t, articlePath)
	rec = a.Multipart(t, articlePath+"/files", url.Values{}, []testkit.File{{Name: "setup.txt", Content: []byte("setup")}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("attach: %d %s", rec.Code, rec.Body)
	}
	_, doc = a.Page(t, articlePath)
	file := doc.Find("[data-testid=files] li[data-file]")
	if file.Length() != 1 || strings.TrimSpace(file.Find("a").Text()) != "setup.txt" {
		t.Fatalf("files after upload: %v", texts(file))
	}
	if rec := a.Get(t, file.Find("a").AttrOr("href", "")); rec.Code != http.StatusOK || rec.Body.String() != "setup" {
		t.Errorf("download: %d", rec.Code)
	}
	if rec := a.Submit(t, fmt.Sprintf("%s/files/%s/delete", articlePath, file.AttrOr("data-file", "")), url.Values{}); rec.Code != http.StatusSeeOther {
		t.Errorf("remove the file: %d", rec.Code)
	}
	_, doc = a.Page(t, articlePath)
	if doc.Find("[data-testid=files] li").Length() != 0 {
		t.Error("the file is still listed")
	}

	// Unpublish.
	if rec := a.Submit(t, articlePath+"/unpublish", url.Values{}); rec.Code != http.StatusSeeOther {
		t.Fatalf("unpublish: %d", rec.Code)
	}
	if got, _ := d.app.KB.KBArticle(d.actx, art); got.State != svcportal.KBDraft {
		t.Errorf("state %s after unpublishing", got.State)
	}

	// Order the section's articles.
	second := submit("/admin/kb/articles", url.Values{"section_id": {fmt.Sprint(sec)}, "reach": {"all"}, "action": {"save"},
		"translations.en.title": {"Split tunnelling"}}, "/admin/kb/articles/")
	a.Page(t, fmt.Sprintf("/admin/kb/sections/%d", sec))
	if rec := a.Submit(t, fmt.Sprintf("/admin/kb/sections/%d/order", sec), url.Values{fmt.Sprintf("article.%d", art): {"5"}, fmt.Sprintf("article.%d", second): {"1"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("order: %d %s", rec.Code, rec.Body)
	}
	_, doc = a.Page(t, fmt.Sprintf("/admin/kb/sections/%d", sec))
	if got := texts(doc.Find("table[data-testid=articles] tbody tr td:first-child a")); strings.Join(got, "|") != "Split tunnelling|Connect to the VPN" {
		t.Errorf("articles by position: %v", got)
	}
	// An article of another section cannot be ordered from this one.
	otherSec := submit("/admin/kb/sections", url.Values{"category_id": {fmt.Sprint(other)}, "names.en": {"Logins"}, "reach": {"all"}}, "/admin/kb/sections/")
	if rec := a.Submit(t, fmt.Sprintf("/admin/kb/sections/%d/order", otherSec), url.Values{fmt.Sprintf("article.%d", art): {"3"}}); rec.Code != http.StatusNotFound {
		t.Errorf("ordering another section's article: %d, want 404", rec.Code)
	}

	// Deleting: a section with articles is refused, with the reason.
	rec, doc = a.SubmitPage(t, fmt.Sprintf("/admin/kb/sections/%d/delete", sec), url.Values{})
	if rec.Code != http.StatusConflict || !strings.Contains(doc.Find("[role=alert]").Text(), "Remove or move what it contains first.") {
		t.Errorf("deleting a full section: %d %q", rec.Code, doc.Find("[role=alert]").Text())
	}
	for _, id := range []int64{art, second} {
		a.Page(t, fmt.Sprintf("/admin/kb/articles/%d", id))
		if rec := a.Submit(t, fmt.Sprintf("/admin/kb/articles/%d/delete", id), url.Values{}); rec.Code != http.StatusSeeOther ||
			rec.Header().Get("Location") != fmt.Sprintf("/admin/kb/sections/%d?done=deleted", sec) {
			t.Fatalf("delete article %d: %d %q", id, rec.Code, rec.Header().Get("Location"))
		}
	}
	if rec := a.Submit(t, fmt.Sprintf("/admin/kb/sections/%d/delete", sec), url.Values{}); rec.Code != http.StatusSeeOther {
		t.Errorf("deleting the empty section: %d", rec.Code)
	}
	if rec := a.Get(t, fmt.Sprintf("/admin/kb/sections/%d", sec)); rec.Code != http.StatusNotFound {
		t.Errorf("the deleted section answers %d", rec.Code)
	}
}

// readArticle reads an article on the portal as a link to its id does:
// redirected to its address with a slug.
func readArticle(t *testing.T, b *testkit.Browser, id int64) *httptest.ResponseRecorder {
	t.Helper()
	rec := b.Get(t, fmt.Sprintf("/kb/articles/%d", id))
	if rec.Code == http.StatusMovedPermanently {
		rec = b.Get(t, rec.Header().Get("Location"))
	}
	return rec
}

// TestKBPages_FormErrors: a refused knowledge-base form shows each
// complaint beside its field and in a summary linking to it, in the
// staff member's language, and keeps what was typed.
func TestKBPages_FormErrors(t *testing.T) {
	d := newKBDesk(t)
	a := d.admin
	if rec := a.Submit(t, "/admin/profile", url.Values{"name": {"Ada"}, "locale": {"fr"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("profile: %d", rec.Code)
	}
	summaryLinks := func(doc *goquery.Document) []string {
		var out []string
		doc.Find("[data-testid=error-summary] li a").Each(func(_ int, l *goqSel) { out = append(out, l.AttrOr("href", "")) })
		return out
	}
	// An article without its default-language title, an oversize French
	// title, a position out of range.
	a.Page(t, "/admin/kb/articles/new")
	rec, doc := a.SubmitPage(t, "/admin/kb/articles", url.Values{"section_id": {fmt.Sprint(d.sec.ID)}, "reach": {"all"}, "action": {"save"},
		"position": {"99999"}, "translations.en.body": {"Only a body"}, "translations.fr.title": {strings.Repeat("é", 201)}})
	if rec.Code != http.StatusUnprocessableEntity || doc.Find("html").AttrOr("lang", "") != "fr" {
		t.Fatalf("bad article: %d, lang %q", rec.Code, doc.Find("html").AttrOr("lang", ""))
	}
	if got := strings.Join(summaryLinks(doc), " "); got != "#f-position #f-translations.en.title #f-translations.fr.title" {
		t.Errorf("summary links %q", got)
	}
	if got := doc.Find(`#f-translations\.en\.title-error`).Text(); got != "Ce champ est obligatoire." {
		t.Errorf("French complaint beside the title: %q", got)
	}
	if doc.Find(`#f-translations\.en\.title[aria-invalid=true]`).Length() != 1 || doc.Find(`#f-position-error`).Length() != 1 ||
		doc.Find(`#f-translations\.fr\.title-error`).Length() != 1 {
		t.Error("complaints are not beside their fields")
	}
	if doc.Find(`#f-translations\.en\.body`).Text() != "Only a body" || doc.Find(`#f-position`).AttrOr("value", "") != "99999" {
		t.Error("what was typed is lost")
	}
	// A category without a name in the default language.
	a.Page(t, "/admin/kb/categories/new")
	rec, doc = a.SubmitPage(t, "/admin/kb/categories", url.Values{"names.fr": {"Seulement en français"}, "reach": {"all"}})
	if rec.Code != http.StatusUnprocessableEntity || strings.Join(summaryLinks(doc), " ") != "#f-names" ||
		!strings.Contains(doc.Find("#f-names-error").Text(), "(en)") || doc.Find(`#f-names\.fr`).AttrOr("value", "") != "Seulement en français" {
		t.Errorf("nameless category: %d %v %q", rec.Code, summaryLinks(doc), doc.Find("#f-names-error").Text())
	}
	// A position out of range in the overview's order form.
	a.Page(t, "/admin/kb")
	field := fmt.Sprintf("section.%d", d.sec.ID)
	rec, doc = a.SubmitPage(t, "/admin/kb/order", url.Values{field: {"-4"}, fmt.Sprintf("category.%d", d.cat.ID): {"3"}})
	if rec.Code != http.StatusUnprocessableEntity || strings.Join(summaryLinks(doc), " ") != "#f-"+field ||
		doc.Find("#f-"+regexp.QuoteMeta(field)+"-error").Length() != 1 {
		t.Errorf("bad position: %d %v", rec.Code, summaryLinks(doc))
	}
	if got, _ := d.app.KB.KBCategory(d.actx, d.cat.ID); got.Position != 0 {
		t.Errorf("a refused order saved the category's position: %d", got.Position)
	}
	// An upload without a file.
	a.Page(t, fmt.Sprintf("/admin/kb/articles/%d", d.article.ID))
	rec = a.Multipart(t, fmt.Sprintf("/admin/kb/articles/%d/files", d.article.ID), url.Values{}, nil)
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), `id="f-files-error"`) {
		t.Errorf("upload without a file: %d", rec.Code)
	}
	// The live preview refuses an oversize text with a JSON error.
	var body struct {
		Error struct{ Fields map[string]string } `json:"error"`
	}
	rec = a.JSON(t, "POST", "/api/v1/admin/kb/preview", map[string]string{"body": strings.Repeat("x", svcportal.MaxKBBodyLength+1)}, nil)
	if json.Unmarshal(rec.Body.Bytes(), &body); rec.Code != http.StatusUnprocessableEntity || body.Error.Fields["body"] == "" {
		t.Errorf("oversize preview: %d %s", rec.Code, rec.Body)
	}
}

// TestKBPages_AnotherTenantsObjects are 404 on every page.
func TestKBPages_AnotherTenantsObjects(t *testing.T) {
	d := newDesk(t)
	ctx, st := d.gctx, d.app.Store
	cat := testkit.KBCategory(ctx, t, st, "Globex only")
	sec := testkit.KBSection(ctx, t, st, cat, "Globex section")
	art := testkit.KBArticle(ctx, t, st, sec, svcportal.KBPublished, "Globex article", "Secret")
	for _, path := range []string{fmt.Sprintf("/admin/kb/categories/%d", cat.ID), fmt.Sprintf("/admin/kb/sections/%d", sec.ID), fmt.Sprintf("/admin/kb/articles/%d", art.ID)} {
		if rec := d.admin.Get(t, path); rec.Code != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, rec.Code)
		}
	}
	_, doc := d.admin.Page(t, "/admin/kb")
	if strings.Contains(doc.Find("main").Text(), "Globex") {
		t.Error("acme's knowledge base lists globex's")
	}
}

// TestKBPages_FiguresInTheReadersLanguage: an article's figures are written
// as the reader's language writes numbers, never as Go prints them.
func TestKBPages_FiguresInTheReadersLanguage(t *testing.T) {
	d := newKBDesk(t)
	if _, err := d.app.Store.DB().NewUpdate().Table("kb_articles").Set("views = ?", 12345).Where("id = ?", d.article.ID).Exec(d.actx); err != nil {
		t.Fatal(err)
	}
	for lang, want := range map[string]string{"en": "12,345", "fr": "12\u00a0345", "de": "12.345"} {
		d.admin.Header.Set("Accept-Language", lang)
		_, doc := d.admin.Page(t, fmt.Sprintf("/admin/kb/articles/%d", d.article.ID))
		if got := doc.Find("[data-testid=views]").Text(); got != want {
			t.Errorf("%s article: views %q, want %q", lang, got, want)
		}
		_, doc = d.admin.Page(t, fmt.Sprintf("/admin/kb/sections/%d", d.sec.ID))
		if got := doc.Find(fmt.Sprintf(`tr[data-article="%d"] [data-col=views]`, d.article.ID)).Text(); got != want {
			t.Errorf("%s section: views %q, want %q", lang, got, want)
		}
	}
}
