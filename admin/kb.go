package admin

import (
	"context"
	"net/http"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/web"
)

// kbGroupRequest is the body that creates or changes a category or a
// section; absent fields are left as they are. A new one without
// all_sites is for every site unless site_ids chooses some.
type kbGroupRequest struct {
	CategoryID   *int64            `json:"category_id"` // sections only
	Names        map[string]string `json:"names"`
	Descriptions map[string]string `json:"descriptions"`
	Position     *int              `json:"position"`
	AllSites     *bool             `json:"all_sites"`
	SiteIDs      *[]int64          `json:"site_ids"`
}

// kbArticleRequest creates or changes an article; translations, when
// sent, replace all of the article's translations.
type kbArticleRequest struct {
	SectionID    *int64                             `json:"section_id"`
	Position     *int                               `json:"position"`
	State        *string                            `json:"state"`
	AllSites     *bool                              `json:"all_sites"`
	SiteIDs      *[]int64                           `json:"site_ids"`
	Translations map[string]svcportal.KBTranslation `json:"translations"`
}

// reach applies all_sites and site_ids: choosing sites without saying
// all_sites narrows to them.
func reach(all *bool, sites *[]int64, curAll *bool, curSites *[]int64) {
	if sites != nil {
		*curSites = *sites
		*curAll = len(*sites) == 0
	}
	if all != nil {
		*curAll = *all
	}
}

// apply sets the fields req sends on a category or a section.
func (req kbGroupRequest) apply(names, descs *map[string]string, pos *int, all *bool, sites *[]int64) {
	if req.Names != nil {
		*names = req.Names
	}
	if req.Descriptions != nil {
		*descs = req.Descriptions
	}
	if req.Position != nil {
		*pos = *req.Position
	}
	reach(req.AllSites, req.SiteIDs, all, sites)
}

func applyCategory(cat *svcportal.KBCategory, req kbGroupRequest) {
	req.apply(&cat.Names, &cat.Descriptions, &cat.Position, &cat.AllSites, &cat.SiteIDs)
}

func applySection(sec *svcportal.KBSection, req kbGroupRequest) {
	if req.CategoryID != nil {
		sec.CategoryID = *req.CategoryID
	}
	req.apply(&sec.Names, &sec.Descriptions, &sec.Position, &sec.AllSites, &sec.SiteIDs)
}

// kbGroupAPI serves the JSON API of categories or sections (T): the two
// levels take the same calls and the same body, so one set of handlers
// serves both.
type kbGroupAPI[T any] struct {
	plural string // the list's key in the answer
	list   func(c *gin.Context) ([]T, error)
	get    func(ctx context.Context, id int64) (*T, error)
	create func(ctx context.Context, g *T) error
	update func(ctx context.Context, g *T) error
	remove func(ctx context.Context, id int64) error
	apply  func(*T, kbGroupRequest)
	fresh  func() *T // a new one, for every site
}

func (h *handlers) kbCategoryAPI() kbGroupAPI[svcportal.KBCategory] {
	kb := h.deps.KB
	return kbGroupAPI[svcportal.KBCategory]{plural: "categories",
		list: func(c *gin.Context) ([]svcportal.KBCategory, error) { return kb.KBCategories(c.Request.Context()) },
		get:  kb.KBCategory, create: kb.CreateCategory, update: kb.UpdateCategory, remove: kb.DeleteCategory, apply: applyCategory,
		fresh: func() *svcportal.KBCategory { return &svcportal.KBCategory{AllSites: true} }}
}

func (h *handlers) kbSectionAPI() kbGroupAPI[svcportal.KBSection] {
	kb := h.deps.KB
	return kbGroupAPI[svcportal.KBSection]{plural: "sections",
		list: func(c *gin.Context) ([]svcportal.KBSection, error) {
			cat, err := queryInt(c, "category_id")
			if err != nil {
				return nil, err
			}
			return kb.KBSections(c.Request.Context(), int64(cat))
		},
		get: kb.KBSection, create: kb.CreateSection, update: kb.UpdateSection, remove: kb.DeleteSection, apply: applySection,
		fresh: func() *svcportal.KBSection { return &svcportal.KBSection{AllSites: true} }}
}

func (a kbGroupAPI[T]) listAll(c *gin.Context) error {
	gs, err := a.list(c)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{a.plural: gs, "total": len(gs)})
	return nil
}

func (a kbGroupAPI[T]) show(c *gin.Context) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	g, err := a.get(c.Request.Context(), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, g)
	return nil
}

// add creates one; without all_sites it is for every site unless
// site_ids chooses some.
func (a kbGroupAPI[T]) add(c *gin.Context) error {
	var req kbGroupRequest
	if err := web.BindJSON(c, &req); err != nil {
		return err
	}
	g := a.fresh()
	a.apply(g, req)
	if err := a.create(c.Request.Context(), g); err != nil {
		return err
	}
	c.JSON(http.StatusCreated, g)
	return nil
}

func (a kbGroupAPI[T]) change(c *gin.Context) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	var req kbGroupRequest
	if err := web.BindJSON(c, &req); err != nil {
		return err
	}
	g, err := a.get(c.Request.Context(), id)
	if err != nil {
		return err
	}
	a.apply(g, req)
	if err := a.update(c.Request.Context(), g); err != nil {
		return err
	}
	c.JSON(http.StatusOK, g)
	return nil
}

func (a kbGroupAPI[T]) delete(c *gin.Context) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	if err := a.remove(c.Request.Context(), id); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// kbArticleList answers the articles of a section, a category or all,
// optionally in one state, with their vote counts and views.
func (h *handlers) kbArticleList(c *gin.Context) error {
	var f svcportal.KBArticleFilter
	sec, err := queryInt(c, "section_id")
	if err != nil {
		return err
	}
	cat, err := queryInt(c, "category_id")
	if err != nil {
		return err
	}
	f.SectionID, f.CategoryID, f.State = int64(sec), int64(cat), c.Query("state")
	arts, err := h.deps.KB.KBArticles(c.Request.Context(), f)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"articles": arts, "total": len(arts)})
	return nil
}

func (h *handlers) kbArticleShow(c *gin.Context) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	a, err := h.deps.KB.KBArticle(c.Request.Context(), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, a)
	return nil
}

func applyArticle(a *svcportal.KBArticle, req kbArticleRequest) {
	if req.SectionID != nil {
		a.SectionID = *req.SectionID
	}
	if req.Position != nil {
		a.Position = *req.Position
	}
	if req.State != nil {
		a.State = *req.State
	}
	if req.Translations != nil {
		a.Translations = req.Translations
	}
	reach(req.AllSites, req.SiteIDs, &a.AllSites, &a.SiteIDs)
}

func (h *handlers) kbArticleCreate(c *gin.Context) error {
	var req kbArticleRequest
	if err := web.BindJSON(c, &req); err != nil {
		return err
	}
	a := &svcportal.KBArticle{State: svcportal.KBDraft, AllSites: true}
	applyArticle(a, req)
	if err := h.deps.KB.CreateArticle(c.Request.Context(), a); err != nil {
		return err
	}
	c.JSON(http.StatusCreated, a)
	return nil
}

func (h *handlers) kbArticleUpdate(c *gin.Context) error {
	var req kbArticleRequest
	if err := web.BindJSON(c, &req); err != nil {
		return err
	}
	return h.kbArticleChange(c, func(a *svcportal.KBArticle) { applyArticle(a, req) })
}

// kbArticleState publishes or unpublishes the article of the path.
func (h *handlers) kbArticleState(state string) web.HandlerFunc {
	return func(c *gin.Context) error {
		return h.kbArticleChange(c, func(a *svcportal.KBArticle) { a.State = state })
	}
}

func (h *handlers) kbArticleChange(c *gin.Context, change func(*svcportal.KBArticle)) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	a, err := h.deps.KB.KBArticle(c.Request.Context(), id)
	if err != nil {
		return err
	}
	change(a)
	if err := h.deps.KB.UpdateArticle(c.Request.Context(), a); err != nil {
		return err
	}
	c.JSON(http.StatusOK, a)
	return nil
}

func (h *handlers) kbArticleDelete(c *gin.Context) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	if err := h.deps.KB.DeleteArticle(c.Request.Context(), id); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// kbPreview renders Markdown as an article would show it: the editor's
// live preview, through the same sanitiser as every page.
func (h *handlers) kbPreview(c *gin.Context) error {
	var req struct {
		Body string `json:"body"`
	}
	if err := web.BindJSON(c, &req); err != nil {
		return err
	}
	var v svcportal.Validation
	v.Check(utf8.RuneCountInString(req.Body) <= svcportal.MaxKBBodyLength, "body", "error.too_long", map[string]any{"Max": svcportal.MaxKBBodyLength})
	if err := v.Err(); err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"html": string(web.Markdown(req.Body))})
	return nil
}
