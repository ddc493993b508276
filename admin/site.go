package admin

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/web"
)

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
	var req svcportal.SiteChange
	if err := web.BindJSON(c, &req); err != nil {
		return err
	}
	site, err := h.deps.Sites.CreateSite(c.Request.Context(), req)
	if err != nil {
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
	var req svcportal.SiteChange
	if err := web.BindJSON(c, &req); err != nil {
		return err
	}
	site, err := h.deps.Sites.UpdateSite(c.Request.Context(), id, req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, site)
	return nil
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
