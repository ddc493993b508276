package admin

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/web"
)

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
	if web.Redisplays(err) || svcportal.KindOf(err) == svcportal.KindNotFound && web.FieldErrors(c, err)["section_id"] != "" {
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
		if err := h.deps.KB.UpdateArticle(c.Request.Context(), a); web.Redisplays(err) {
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
	if web.Redisplays(err) {
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
