package admin

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/web"
)

type siteRequest struct {
	Name      *string `json:"name"`
	KBEnabled *bool   `json:"kb_enabled"`
}

func (h *handlers) siteList(c *gin.Context) error {
	sites, err := h.deps.Sites.Sites(c.Request.Context())
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"sites": sites, "total": len(sites)})
	return nil
}

func (h *handlers) siteShow(c *gin.Context) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	site, err := h.deps.Sites.Site(c.Request.Context(), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, site)
	return nil
}

func (h *handlers) siteCreate(c *gin.Context) error {
	var req siteRequest
	if err := web.BindJSON(c, &req); err != nil {
		return err
	}
	site := &svcportal.Site{KBEnabled: true}
	apply(site, req)
	if err := site.Validate(); err != nil {
		return err
	}
	if err := h.deps.Sites.CreateSite(c.Request.Context(), site); err != nil {
		return err
	}
	c.JSON(http.StatusCreated, site)
	return nil
}

func (h *handlers) siteUpdate(c *gin.Context) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	var req siteRequest
	if err := web.BindJSON(c, &req); err != nil {
		return err
	}
	site, err := h.deps.Sites.Site(c.Request.Context(), id)
	if err != nil {
		return err
	}
	apply(site, req)
	if err := site.Validate(); err != nil {
		return err
	}
	if err := h.deps.Sites.UpdateSite(c.Request.Context(), site); err != nil {
		return err
	}
	c.JSON(http.StatusOK, site)
	return nil
}

func apply(site *svcportal.Site, req siteRequest) {
	if req.Name != nil {
		site.Name = *req.Name
	}
	if req.KBEnabled != nil {
		site.KBEnabled = *req.KBEnabled
	}
}

func (h *handlers) siteDelete(c *gin.Context) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	if err := h.deps.Sites.DeleteSite(c.Request.Context(), id); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}
