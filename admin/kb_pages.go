package admin

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/policies"
	"github.com/svcportal/svcportal/web"
)

// Knowledge-base authoring, /admin/kb: categories, sections and
// articles. Agents read every page; admins write (policy area kb). The
// rules are the knowledge-base service's (svcportal.KBAdmin); these
// handlers parse forms, call it and render.

// kbDone are the notices a redirect after a change may ask for.
var kbDone = map[string]string{"saved": "console.kb.saved", "created": "console.kb.created", "deleted": "console.kb.deleted",
	"ordered": "console.kb.ordered", "published": "console.kb.published_notice", "unpublished": "console.kb.unpublished_notice",
	"attached": "console.kb.attached", "detached": "console.kb.detached"}

// kbPage is the part every knowledge-base page shares.
type kbPage struct {
	page
	CanWrite bool
	def      string // the tenant's default locale
}

func (h *handlers) newKBPage(c *gin.Context) kbPage {
	pg := kbPage{page: h.newPage(c), CanWrite: h.may(c, write(policies.AreaKB)), def: "en"}
	if pg.Tenant != nil {
		pg.def = pg.Tenant.DefaultLocale
	}
	if id, ok := kbDone[c.Query("done")]; ok {
		pg.Notice = pg.T(id)
	}
	return pg
}

// Name is a per-locale name in the reader's language, else the default's.
func (pg *kbPage) Name(m map[string]string) string {
	s, _ := svcportal.LocalText(m, pg.Lang, pg.def)
	return s
}

// ArticleTitle is an article's title in the reader's language, else the
// default's.
func (pg *kbPage) ArticleTitle(a *svcportal.KBArticle) string {
	tr, _ := a.Translation(pg.Lang, pg.def)
	return tr.Title
}

// ReachText says where something may be read.
func (pg *kbPage) ReachText(all bool, sites []int64) string {
	if all {
		return pg.T("console.kb.reach_all")
	}
	return pg.T("console.kb.reach_some", "Count", len(sites))
}

// TranslationTags are the languages an article is written in.
func (pg *kbPage) TranslationTags(a svcportal.KBArticle) []string { return keys(a.Translations) }

// LangName is a locale's name in its own language.
func (pg *kbPage) LangName(tag string) string { return pg.T("lang." + tag) }

// editLocales are the languages a form offers: the tenant's enabled
// ones, then any other a text already exists in (so it is not lost).
func (pg *kbPage) editLocales(present ...[]string) []string {
	var out []string
	if pg.Tenant != nil {
		out = slices.Clone(pg.Tenant.EnabledLocales)
	}
	if !slices.Contains(out, pg.def) {
		out = append([]string{pg.def}, out...)
	}
	for _, tags := range present {
		for _, t := range tags {
			if !slices.Contains(out, t) && svcportal.IsLocale(t) {
				out = append(out, t)
			}
		}
	}
	return out
}

// missing are the tenant's enabled languages without a text in m.
func (pg *kbPage) missing(has func(string) bool) []string {
	var out []string
	for _, l := range pg.editLocales() {
		if !has(l) {
			out = append(out, l)
		}
	}
	return out
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// siteChoice is one site of a reach form.
type siteChoice struct {
	ID      int64
	Name    string
	Checked bool
}

func (h *handlers) siteChoices(ctx context.Context, chosen []int64) ([]siteChoice, error) {
	sites, err := h.deps.Sites.Sites(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]siteChoice, len(sites))
	for i, s := range sites {
		out[i] = siteChoice{ID: s.ID, Name: s.Name, Checked: slices.Contains(chosen, s.ID)}
	}
	return out, nil
}

// parseReach reads a reach form: reach=all, or reach=chosen with the
// site_ids ticked.
func parseReach(form url.Values, v *svcportal.Validation) (bool, []int64) {
	ids := []int64{}
	for _, raw := range form["site_ids"] {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || id < 1 {
			v.Add("site_ids", "error.site_not_found", nil)
			continue
		}
		ids = append(ids, id)
	}
	return form.Get("reach") != "chosen", ids
}

// parsePosition reads the position field (blank: 0).
func parsePosition(form url.Values, v *svcportal.Validation) int {
	raw := strings.TrimSpace(form.Get("position"))
	if raw == "" {
		return 0
	}
	n, err := strconv.Atoi(raw)
	if err != nil {
		v.Add("position", "error.wrong_type", nil)
	}
	return n
}

// parsePositions reads the fields LEVEL.ID of a reorder form.
func parsePositions(form url.Values, v *svcportal.Validation) svcportal.KBPositions {
	out := svcportal.KBPositions{}
	for name, vals := range form {
		level, rawID, ok := strings.Cut(name, ".")
		if !ok || level != svcportal.KBLevelCategory && level != svcportal.KBLevelSection && level != svcportal.KBLevelArticle {
			continue
		}
		id, err := strconv.ParseInt(rawID, 10, 64)
		if err != nil || id < 1 {
			continue
		}
		pos, err := strconv.Atoi(strings.TrimSpace(vals[0]))
		if err != nil {
			v.Add(name, "error.wrong_type", nil)
			continue
		}
		if out[level] == nil {
			out[level] = map[int64]int{}
		}
		out[level][id] = pos
	}
	return out
}

// The overview: every category with its sections and their articles'
// counts, and the order of both.

type kbCategoryItem struct {
	svcportal.KBCategory
	Sections []kbSectionItem
	Missing  []string
}

type kbSectionItem struct {
	svcportal.KBSection
	Published, Drafts int
}

type kbOverviewPage struct {
	kbPage
	Categories []kbCategoryItem
	Articles   int
}

func (h *handlers) kbShow(c *gin.Context) error {
	return h.renderKBOverview(c, http.StatusOK, nil, nil)
}

// renderKBOverview shows the overview; after a refused reorder, with
// what went wrong and the positions typed.
func (h *handlers) renderKBOverview(c *gin.Context, status int, failed error, typed url.Values) error {
	ctx := c.Request.Context()
	pg := &kbOverviewPage{kbPage: h.newKBPage(c)}
	cats, err := h.deps.KB.KBCategories(ctx)
	if err != nil {
		return err
	}
	secs, err := h.deps.KB.KBSections(ctx, 0)
	if err != nil {
		return err
	}
	arts, err := h.deps.KB.KBArticles(ctx, svcportal.KBArticleFilter{})
	if err != nil {
		return err
	}
	pg.Articles = len(arts)
	published, drafts := map[int64]int{}, map[int64]int{}
	for _, a := range arts {
		if a.State == svcportal.KBPublished {
			published[a.SectionID]++
		} else {
			drafts[a.SectionID]++
		}
	}
	for _, cat := range cats {
		item := kbCategoryItem{KBCategory: cat, Missing: pg.missing(func(l string) bool { return cat.Names[l] != "" })}
		if typed != nil {
			item.Position = typedPosition(typed, svcportal.KBLevelCategory, cat.ID, cat.Position)
		}
		for _, sec := range secs {
			if sec.CategoryID == cat.ID {
				si := kbSectionItem{KBSection: sec, Published: published[sec.ID], Drafts: drafts[sec.ID]}
				if typed != nil {
					si.Position = typedPosition(typed, svcportal.KBLevelSection, sec.ID, sec.Position)
				}
				item.Sections = append(item.Sections, si)
			}
		}
		pg.Categories = append(pg.Categories, item)
	}
	if failed != nil {
		pg.fail(c, failed)
	}
	return web.Render(c, status, "admin/kb", pg)
}

// typedPosition is what a refused reorder form said for one position
// (kept as typed when it was a number), else cur.
func typedPosition(form url.Values, level string, id int64, cur int) int {
	if n, err := strconv.Atoi(strings.TrimSpace(form.Get(fmt.Sprintf("%s.%d", level, id)))); err == nil {
		return n
	}
	return cur
}

// kbOrderSubmit saves the positions of the overview's categories and
// sections, or of a section's articles (the form says where it came
// from in back).
func (h *handlers) kbOrderSubmit(c *gin.Context) error {
	form, err := web.FormValues(c)
	if err != nil {
		return err
	}
	var v svcportal.Validation
	positions := parsePositions(form, &v)
	err = v.Err()
	if err == nil {
		err = h.deps.KB.Reorder(c.Request.Context(), positions)
	}
	if formError(err) {
		return h.renderKBOverview(c, web.ErrorStatus(c, err), err, form)
	} else if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/admin/kb?done=ordered")
	return nil
}

// Categories and sections share one form (kb_group.html): names and
// descriptions per language, position, reach; a section also its
// category, and on its own page the list of its articles.

type localeText struct {
	Tag, Name, Description string
}

type kbGroupPage struct {
	kbPage
	Level      string // svcportal.KBLevelCategory or KBLevelSection
	ID         int64  // 0 for a new one
	Heading    string
	Action     string
	Texts      []localeText
	Position   int
	AllSites   bool
	Sites      []siteChoice
	CategoryID int64
	Categories []svcportal.KBCategory
	Category   *svcportal.KBCategory // a section's, for the breadcrumb
	Articles   []svcportal.KBArticle // a section's
}

// groupForm is a posted category or section form.
type groupForm struct {
	names, descs map[string]string
	position     int
	all          bool
	sites        []int64
	categoryID   int64
}

func parseGroupForm(form url.Values) (groupForm, error) {
	var v svcportal.Validation
	g := groupForm{names: map[string]string{}, descs: map[string]string{}}
	for name, vals := range form {
		if loc, ok := strings.CutPrefix(name, "names."); ok {
			g.names[loc] = vals[0]
		}
		if loc, ok := strings.CutPrefix(name, "descriptions."); ok && strings.TrimSpace(vals[0]) != "" {
			g.descs[loc] = vals[0]
		}
	}
	g.position = parsePosition(form, &v)
	g.all, g.sites = parseReach(form, &v)
	if raw := form.Get("category_id"); raw != "" {
		if id, err := strconv.ParseInt(raw, 10, 64); err == nil {
			g.categoryID = id
		}
	}
	return g, v.Err()
}

// groupPage fills the form of a category or section from its values.
func (h *handlers) groupPage(c *gin.Context, level string, id int64, names, descs map[string]string, position int, all bool, sites []int64) (*kbGroupPage, error) {
	pg := &kbGroupPage{kbPage: h.newKBPage(c), Level: level, ID: id, Position: position, AllSites: all}
	var err error
	if pg.Sites, err = h.siteChoices(c.Request.Context(), sites); err != nil {
		return nil, err
	}
	for _, l := range pg.editLocales(keys(names), keys(descs)) {
		pg.Texts = append(pg.Texts, localeText{Tag: l, Name: names[l], Description: descs[l]})
	}
	switch {
	case level == svcportal.KBLevelCategory && id == 0:
		pg.Heading, pg.Action = pg.T("console.kb.new_category"), "/admin/kb/categories"
	case level == svcportal.KBLevelCategory:
		pg.Heading, pg.Action = pg.Name(names), fmt.Sprintf("/admin/kb/categories/%d", id)
	case id == 0:
		pg.Heading, pg.Action = pg.T("console.kb.new_section"), "/admin/kb/sections"
	default:
		pg.Heading, pg.Action = pg.Name(names), fmt.Sprintf("/admin/kb/sections/%d", id)
	}
	if level == svcportal.KBLevelSection {
		if pg.Categories, err = h.deps.KB.KBCategories(c.Request.Context()); err != nil {
			return nil, err
		}
	}
	return pg, nil
}

func (h *handlers) kbCategoryNew(c *gin.Context) error {
	pg, err := h.groupPage(c, svcportal.KBLevelCategory, 0, nil, nil, 0, true, nil)
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, "admin/kb_group", pg)
}

func (h *handlers) kbCategoryShow(c *gin.Context) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	cat, err := h.deps.KB.KBCategory(c.Request.Context(), id)
	if err != nil {
		return err
	}
	pg, err := h.groupPage(c, svcportal.KBLevelCategory, cat.ID, cat.Names, cat.Descriptions, cat.Position, cat.AllSites, cat.SiteIDs)
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, "admin/kb_group", pg)
}

// kbCategorySubmit creates (no id in the path) or saves a category.
func (h *handlers) kbCategorySubmit(c *gin.Context) error {
	ctx := c.Request.Context()
	id, err := optionalID(c)
	if err != nil {
		return err
	}
	form, err := web.FormValues(c)
	if err != nil {
		return err
	}
	cat := &svcportal.KBCategory{}
	if id != 0 {
		if cat, err = h.deps.KB.KBCategory(ctx, id); err != nil {
			return err
		}
	}
	g, err := parseGroupForm(form)
	cat.Names, cat.Descriptions, cat.Position, cat.AllSites, cat.SiteIDs = g.names, g.descs, g.position, g.all, g.sites
	if err == nil {
		if id == 0 {
			err = h.deps.KB.CreateCategory(ctx, cat)
		} else {
			err = h.deps.KB.UpdateCategory(ctx, cat)
		}
	}
	if formError(err) {
		pg, perr := h.groupPage(c, svcportal.KBLevelCategory, id, g.names, g.descs, g.position, g.all, g.sites)
		if perr != nil {
			return perr
		}
		pg.fail(c, err, "names", "descriptions", "position", "site_ids")
		return web.Render(c, web.ErrorStatus(c, err), "admin/kb_group", pg)
	} else if err != nil {
		return err
	}
	done := "saved"
	if id == 0 {
		done = "created"
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/admin/kb/categories/%d?done=%s", cat.ID, done))
	return nil
}

// optionalID is the id of the path, or 0 on a route without one.
func optionalID(c *gin.Context) (int64, error) {
	if c.Param("id") == "" {
		return 0, nil
	}
	return web.IDParam(c, "id")
}

func (h *handlers) kbSectionNew(c *gin.Context) error {
	cat, err := queryInt(c, "category_id")
	if err != nil {
		return err
	}
	pg, err := h.groupPage(c, svcportal.KBLevelSection, 0, nil, nil, 0, true, nil)
	if err != nil {
		return err
	}
	pg.CategoryID = int64(cat)
	return web.Render(c, http.StatusOK, "admin/kb_group", pg)
}

func (h *handlers) kbSectionShow(c *gin.Context) error {
	return h.renderSection(c, http.StatusOK, nil)
}

// renderSection shows a section's page: its form and its articles; after
// a refused change, with what went wrong.
func (h *handlers) renderSection(c *gin.Context, status int, failed error) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	sec, err := h.deps.KB.KBSection(ctx, id)
	if err != nil {
		return err
	}
	pg, err := h.groupPage(c, svcportal.KBLevelSection, sec.ID, sec.Names, sec.Descriptions, sec.Position, sec.AllSites, sec.SiteIDs)
	if err != nil {
		return err
	}
	pg.CategoryID = sec.CategoryID
	if pg.Category, err = h.deps.KB.KBCategory(ctx, sec.CategoryID); err != nil {
		return err
	}
	if pg.Articles, err = h.deps.KB.KBArticles(ctx, svcportal.KBArticleFilter{SectionID: sec.ID}); err != nil {
		return err
	}
	if failed != nil {
		pg.fail(c, failed)
	}
	return web.Render(c, status, "admin/kb_group", pg)
}

// kbSectionSubmit creates (no id in the path) or saves a section.
func (h *handlers) kbSectionSubmit(c *gin.Context) error {
	ctx := c.Request.Context()
	id, err := optionalID(c)
	if err != nil {
		return err
	}
	form, err := web.FormValues(c)
	if err != nil {
		return err
	}
	sec := &svcportal.KBSection{}
	if id != 0 {
		if sec, err = h.deps.KB.KBSection(ctx, id); err != nil {
			return err
		}
	}
	g, err := parseGroupForm(form)
	sec.CategoryID, sec.Names, sec.Descriptions, sec.Position, sec.AllSites, sec.SiteIDs = g.categoryID, g.names, g.descs, g.position, g.all, g.sites
	if err == nil {
		if id == 0 {
			err = h.deps.KB.CreateSection(ctx, sec)
		} else {
			err = h.deps.KB.UpdateSection(ctx, sec)
		}
	}
	if formError(err) || svcportal.KindOf(err) == svcportal.KindNotFound && web.FieldErrors(c, err)["category_id"] != "" {
		pg, perr := h.groupPage(c, svcportal.KBLevelSection, id, g.names, g.descs, g.position, g.all, g.sites)
		if perr != nil {
			return perr
		}
		pg.CategoryID = g.categoryID
		if id != 0 {
			if pg.Articles, perr = h.deps.KB.KBArticles(ctx, svcportal.KBArticleFilter{SectionID: id}); perr != nil {
				return perr
			}
		}
		pg.fail(c, err, "category_id", "names", "descriptions", "position", "site_ids")
		return web.Render(c, web.ErrorStatus(c, err), "admin/kb_group", pg)
	} else if err != nil {
		return err
	}
	done := "saved"
	if id == 0 {
		done = "created"
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/admin/kb/sections/%d?done=%s", sec.ID, done))
	return nil
}

// kbSectionOrderSubmit saves the positions of a section's articles.
func (h *handlers) kbSectionOrderSubmit(c *gin.Context) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	if _, err := h.deps.KB.KBSection(c.Request.Context(), id); err != nil {
		return err
	}
	arts, err := h.deps.KB.KBArticles(c.Request.Context(), svcportal.KBArticleFilter{SectionID: id})
	if err != nil {
		return err
	}
	form, err := web.FormValues(c)
	if err != nil {
		return err
	}
	var v svcportal.Validation
	positions := parsePositions(form, &v)
	for aid := range positions[svcportal.KBLevelArticle] {
		if !slices.ContainsFunc(arts, func(a svcportal.KBArticle) bool { return a.ID == aid }) {
			return svcportal.ErrNotFound() // only this section's articles are ordered here
		}
	}
	err = v.Err()
	if err == nil {
		err = h.deps.KB.Reorder(c.Request.Context(), svcportal.KBPositions{svcportal.KBLevelArticle: positions[svcportal.KBLevelArticle]})
	}
	if formError(err) {
		return h.renderSection(c, web.ErrorStatus(c, err), err)
	} else if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/admin/kb/sections/%d?done=ordered", id))
	return nil
}

// kbGroupDelete deletes an empty category or section; one that is not
// empty is shown again with the reason.
func (h *handlers) kbGroupDelete(level string) web.HandlerFunc {
	return func(c *gin.Context) error {
		id, err := web.IDParam(c, "id")
		if err != nil {
			return err
		}
		ctx := c.Request.Context()
		if level == svcportal.KBLevelCategory {
			err = h.deps.KB.DeleteCategory(ctx, id)
		} else {
			err = h.deps.KB.DeleteSection(ctx, id)
		}
		switch {
		case formError(err) && level == svcportal.KBLevelSection:
			return h.renderSection(c, web.ErrorStatus(c, err), err)
		case formError(err):
			cat, cerr := h.deps.KB.KBCategory(ctx, id)
			if cerr != nil {
				return cerr
			}
			pg, perr := h.groupPage(c, level, id, cat.Names, cat.Descriptions, cat.Position, cat.AllSites, cat.SiteIDs)
			if perr != nil {
				return perr
			}
			pg.fail(c, err)
			return web.Render(c, web.ErrorStatus(c, err), "admin/kb_group", pg)
		case err != nil:
			return err
		}
		c.Redirect(http.StatusSeeOther, "/admin/kb?done=deleted")
		return nil
	}
}

// The article editor: its translations side by side (each with a
// Markdown preview), what is missing per language, section, position,
// reach, files, state and figures.

// trEdit is one language's column of the editor.
type trEdit struct {
	Locale, Title, Keywords, Body string
	Preview                       template.HTML
	Present                       bool // a translation exists (or is being written) in this language
	Default                       bool // the tenant's default language: required
}

type sectionOption struct {
	ID    int64
	Label string
}

type kbArticlePage struct {
	kbPage
	Article   *svcportal.KBArticle // nil for a new one
	Heading   string
	Action    string
	SectionID int64
	Sections  []sectionOption
	Section   *svcportal.KBSection
	Category  *svcportal.KBCategory
	Position  int
	AllSites  bool
	Sites     []siteChoice
	Texts     []trEdit
	Missing   []string
	Files     []svcportal.Attachment
	Previewed bool
}

// Share is the helpful share of the article's votes in percent.
func (pg *kbArticlePage) Share() int {
	return svcportal.ArticleHelpfulness{Votes: pg.Article.Votes}.HelpfulShare()
}

// articleForm is a posted article form.
type articleForm struct {
	sectionID int64
	position  int
	all       bool
	sites     []int64
	texts     map[string]trEdit
}

func parseArticleForm(form url.Values) (articleForm, error) {
	var v svcportal.Validation
	f := articleForm{texts: map[string]trEdit{}}
	if id, err := strconv.ParseInt(form.Get("section_id"), 10, 64); err == nil {
		f.sectionID = id
	}
	f.position = parsePosition(form, &v)
	f.all, f.sites = parseReach(form, &v)
	for name, vals := range form {
		rest, ok := strings.CutPrefix(name, "translations.")
		if !ok {
			continue
		}
		loc, part, ok := strings.Cut(rest, ".")
		if !ok {
			continue
		}
		t := f.texts[loc]
		t.Locale = loc
		switch part {
		case "title":
			t.Title = vals[0]
		case "keywords":
			t.Keywords = vals[0]
		case "body":
			t.Body = vals[0]
		}
		f.texts[loc] = t
	}
	return f, v.Err()
}

// apply sets the form on a: a language whose title and text are both
// empty has no translation.
func (f articleForm) apply(a *svcportal.KBArticle) {
	a.SectionID, a.Position, a.AllSites, a.SiteIDs = f.sectionID, f.position, f.all, f.sites
	a.Translations = map[string]svcportal.KBTranslation{}
	for loc, t := range f.texts {
		if strings.TrimSpace(t.Title) == "" && strings.TrimSpace(t.Body) == "" && strings.TrimSpace(t.Keywords) == "" {
			continue
		}
		a.Translations[loc] = svcportal.KBTranslation{Locale: loc, Title: t.Title, Body: t.Body, Keywords: strings.Split(t.Keywords, ",")}
	}
}

// formOfArticle is the form as a saved article fills it.
func formOfArticle(a *svcportal.KBArticle) articleForm {
	f := articleForm{sectionID: a.SectionID, position: a.Position, all: a.AllSites, sites: a.SiteIDs, texts: map[string]trEdit{}}
	for loc, tr := range a.Translations {
		f.texts[loc] = trEdit{Locale: loc, Title: tr.Title, Body: tr.Body, Keywords: strings.Join(tr.Keywords, ", ")}
	}
	return f
}

// articlePage fills the editor from f, for article a (nil: a new one);
// preview renders each language's text.
func (h *handlers) articlePage(c *gin.Context, a *svcportal.KBArticle, f articleForm, preview bool) (*kbArticlePage, error) {
	ctx := c.Request.Context()
	pg := &kbArticlePage{kbPage: h.newKBPage(c), Article: a, SectionID: f.sectionID, Position: f.position, AllSites: f.all, Previewed: preview}
	var err error
	if pg.Sites, err = h.siteChoices(ctx, f.sites); err != nil {
		return nil, err
	}
	cats, err := h.deps.KB.KBCategories(ctx)
	if err != nil {
		return nil, err
	}
	secs, err := h.deps.KB.KBSections(ctx, 0)
	if err != nil {
		return nil, err
	}
	for _, cat := range cats {
		for _, sec := range secs {
			if sec.CategoryID != cat.ID {
				continue
			}
			pg.Sections = append(pg.Sections, sectionOption{ID: sec.ID, Label: pg.Name(cat.Names) + " › " + pg.Name(sec.Names)})
			if sec.ID == f.sectionID {
				pg.Section, pg.Category = &sec, &cat
			}
		}
	}
	for _, l := range pg.editLocales(keys(f.texts)) {
		t := f.texts[l]
		t.Locale, t.Default = l, l == pg.def
		t.Present = strings.TrimSpace(t.Title) != "" || strings.TrimSpace(t.Body) != ""
		if preview || !pg.CanWrite {
			t.Preview = web.Markdown(t.Body)
		}
		pg.Texts = append(pg.Texts, t)
		if !t.Present {
			pg.Missing = append(pg.Missing, l)
		}
	}
	if a == nil {
		pg.Heading, pg.Action = pg.T("console.kb.new_article"), "/admin/kb/articles"
		return pg, nil
	}
	pg.Heading, pg.Action = pg.ArticleTitle(a), fmt.Sprintf("/admin/kb/articles/%d", a.ID)
	if pg.Files, err = h.deps.KB.ArticleFiles(ctx, a.ID); err != nil {
		return nil, err
	}
	return pg, nil
}

func (h *handlers) kbArticleNew(c *gin.Context) error {
	sec, err := queryInt(c, "section_id")
	if err != nil {
		return err
	}
	pg, err := h.articlePage(c, nil, articleForm{sectionID: int64(sec), all: true}, false)
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, "admin/kb_article", pg)
}

func (h *handlers) kbArticlePage(c *gin.Context) error {
	return h.renderArticle(c, http.StatusOK, nil)
}

// renderArticle shows a saved article; after a refused action on it
// (publish, files), with what went wrong.
func (h *handlers) renderArticle(c *gin.Context, status int, failed error) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	a, err := h.deps.KB.KBArticle(c.Request.Context(), id)
	if err != nil {
		return err
	}
	pg, err := h.articlePage(c, a, formOfArticle(a), false)
	if err != nil {
		return err
	}
	if failed != nil {
		pg.fail(c, failed, "files")
	}
	return web.Render(c, status, "admin/kb_article", pg)
}

// kbArticleSubmit creates (no id in the path) or saves an article, or,
// with action=preview, shows the editor again with each language's text
// rendered and nothing saved: the preview that needs no script.
func (h *handlers) kbArticleSubmit(c *gin.Context) error {
	ctx := c.Request.Context()
	id, err := optionalID(c)
	if err != nil {
		return err
	}
	form, err := web.FormValues(c)
	if err != nil {
		return err
	}
	var a *svcportal.KBArticle
	if id != 0 {
		if a, err = h.deps.KB.KBArticle(ctx, id); err != nil {
			return err
		}
	}
	f, err := parseArticleForm(form)
	if form.Get("action") == "preview" && err == nil {
		pg, perr := h.articlePage(c, a, f, true)
		if perr != nil {
			return perr
		}
		return web.Render(c, http.StatusOK, "admin/kb_article", pg)
	}
	saved := &svcportal.KBArticle{State: svcportal.KBDraft}
	if a != nil {
		copy := *a
		saved = &copy
	}
	f.apply(saved)
	if err == nil {
		if id == 0 {
			err = h.deps.KB.CreateArticle(ctx, saved)
		} else {
			err = h.deps.KB.UpdateArticle(ctx, saved)
		}
	}
	if formError(err) || svcportal.KindOf(err) == svcportal.KindNotFound && web.FieldErrors(c, err)["section_id"] != "" {
		pg, perr := h.articlePage(c, a, f, false)
		if perr != nil {
			return perr
		}
		order := []string{"section_id", "position", "site_ids", "translations"}
		for _, t := range pg.Texts {
			order = append(order, "translations."+t.Locale+".title", "translations."+t.Locale+".keywords", "translations."+t.Locale+".body")
		}
		pg.fail(c, err, order...)
		return web.Render(c, web.ErrorStatus(c, err), "admin/kb_article", pg)
	} else if err != nil {
		return err
	}
	done := "saved"
	if id == 0 {
		done = "created"
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/admin/kb/articles/%d?done=%s", saved.ID, done))
	return nil
}

// kbArticleStateSubmit publishes or unpublishes an article.
func (h *handlers) kbArticleStateSubmit(state, done string) web.HandlerFunc {
	return func(c *gin.Context) error {
		id, err := web.IDParam(c, "id")
		if err != nil {
			return err
		}
		a, err := h.deps.KB.KBArticle(c.Request.Context(), id)
		if err != nil {
			return err
		}
		a.State = state
		if err := h.deps.KB.UpdateArticle(c.Request.Context(), a); formError(err) {
			return h.renderArticle(c, web.ErrorStatus(c, err), err)
		} else if err != nil {
			return err
		}
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("/admin/kb/articles/%d?done=%s", id, done))
		return nil
	}
}

func (h *handlers) kbArticleDeleteSubmit(c *gin.Context) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	a, err := h.deps.KB.KBArticle(c.Request.Context(), id)
	if err != nil {
		return err
	}
	if err := h.deps.KB.DeleteArticle(c.Request.Context(), id); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/admin/kb/sections/%d?done=deleted", a.SectionID))
	return nil
}

// kbArticleFilesSubmit attaches the uploaded files, by the rules of the
// article attachment API.
func (h *handlers) kbArticleFilesSubmit(c *gin.Context) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	// Files are read only once the article is known to be the tenant's.
	if _, err := h.deps.KB.KBArticle(c.Request.Context(), id); err != nil {
		return err
	}
	_, err = h.attachArticleFiles(c, id)
	if formError(err) {
		return h.renderArticle(c, web.ErrorStatus(c, err), err)
	} else if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/admin/kb/articles/%d?done=attached", id))
	return nil
}

func (h *handlers) kbArticleFileDeleteSubmit(c *gin.Context) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	file, err := web.IDParam(c, "file")
	if err != nil {
		return err
	}
	if err := h.deps.KB.DetachFile(c.Request.Context(), id, file); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/admin/kb/articles/%d?done=detached", id))
	return nil
}
