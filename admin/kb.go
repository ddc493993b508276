package admin

import (
	"net/http"

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

func (h *handlers) kbCategoryList(c *gin.Context) error {
	cats, err := h.deps.KB.KBCategories(c.Request.Context())
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"categories": cats, "total": len(cats)})
	return nil
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
	c.JSON(http.StatusOK, cat)
	return nil
}

func applyCategory(cat *svcportal.KBCategory, req kbGroupRequest) {
	if req.Names != nil {
		cat.Names = req.Names
	}
	if req.Descriptions != nil {
		cat.Descriptions = req.Descriptions
	}
	if req.Position != nil {
		cat.Position = *req.Position
	}
	reach(req.AllSites, req.SiteIDs, &cat.AllSites, &cat.SiteIDs)
}

func (h *handlers) kbCategoryCreate(c *gin.Context) error {
	var req kbGroupRequest
	if err := web.BindJSON(c, &req); err != nil {
		return err
	}
	cat := &svcportal.KBCategory{AllSites: true}
	applyCategory(cat, req)
	if err := h.deps.KB.CreateCategory(c.Request.Context(), cat); err != nil {
		return err
	}
	c.JSON(http.StatusCreated, cat)
	return nil
}

func (h *handlers) kbCategoryUpdate(c *gin.Context) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	var req kbGroupRequest
	if err := web.BindJSON(c, &req); err != nil {
		return err
	}
	cat, err := h.deps.KB.KBCategory(c.Request.Context(), id)
	if err != nil {
		return err
	}
	applyCategory(cat, req)
	if err := h.deps.KB.UpdateCategory(c.Request.Context(), cat); err != nil {
		return err
	}
	c.JSON(http.StatusOK, cat)
	return nil
}

func (h *handlers) kbCategoryDelete(c *gin.Context) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	if err := h.deps.KB.DeleteCategory(c.Request.Context(), id); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (h *handlers) kbSectionList(c *gin.Context) error {
	cat, err := queryInt(c, "category_id")
	if err != nil {
		return err
	}
	secs, err := h.deps.KB.KBSections(c.Request.Context(), int64(cat))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"sections": secs, "total": len(secs)})
	return nil
}

func (h *handlers) kbSectionShow(c *gin.Context) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	sec, err := h.deps.KB.KBSection(c.Request.Context(), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, sec)
	return nil
}

func applySection(sec *svcportal.KBSection, req kbGroupRequest) {
	if req.CategoryID != nil {
		sec.CategoryID = *req.CategoryID
	}
	if req.Names != nil {
		sec.Names = req.Names
	}
	if req.Descriptions != nil {
		sec.Descriptions = req.Descriptions
	}
	if req.Position != nil {
		sec.Position = *req.Position
	}
	reach(req.AllSites, req.SiteIDs, &sec.AllSites, &sec.SiteIDs)
}

func (h *handlers) kbSectionCreate(c *gin.Context) error {
	var req kbGroupRequest
	if err := web.BindJSON(c, &req); err != nil {
		return err
	}
	sec := &svcportal.KBSection{AllSites: true}
	applySection(sec, req)
	if err := h.deps.KB.CreateSection(c.Request.Context(), sec); err != nil {
		return err
	}
	c.JSON(http.StatusCreated, sec)
	return nil
}

func (h *handlers) kbSectionUpdate(c *gin.Context) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	var req kbGroupRequest
	if err := web.BindJSON(c, &req); err != nil {
		return err
	}
	sec, err := h.deps.KB.KBSection(c.Request.Context(), id)
	if err != nil {
		return err
	}
	applySection(sec, req)
	if err := h.deps.KB.UpdateSection(c.Request.Context(), sec); err != nil {
		return err
	}
	c.JSON(http.StatusOK, sec)
	return nil
}

func (h *handlers) kbSectionDelete(c *gin.Context) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	if err := h.deps.KB.DeleteSection(c.Request.Context(), id); err != nil {
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
