package admin

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/web"
)

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
	if web.Redisplays(err) {
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
	if web.Redisplays(err) || svcportal.KindOf(err) == svcportal.KindNotFound && web.FieldErrors(c, err)["category_id"] != "" {
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
	if web.Redisplays(err) {
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
		case web.Redisplays(err) && level == svcportal.KBLevelSection:
			return h.renderSection(c, web.ErrorStatus(c, err), err)
		case web.Redisplays(err):
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
