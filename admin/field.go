package admin

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/web"
)

func (h *handlers) fieldList(c *gin.Context) error {
	fields, err := h.deps.Fields.Fields(c.Request.Context(), c.Query("include_deleted") == "true")
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"fields": fields, "builtin": svcportal.BuiltinFields})
	return nil
}

func (h *handlers) fieldShow(c *gin.Context) error {
	f, err := h.deps.Fields.Field(c.Request.Context(), c.Param("key"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, f)
	return nil
}

func (h *handlers) fieldCreate(c *gin.Context) error {
	var f svcportal.TicketField
	if err := web.BindJSON(c, &f); err != nil {
		return err
	}
	if err := h.deps.Fields.CreateField(c.Request.Context(), &f); err != nil {
		return err
	}
	c.JSON(http.StatusCreated, f)
	return nil
}

func (h *handlers) fieldUpdate(c *gin.Context) error {
	var p svcportal.FieldPatch
	if err := web.BindJSON(c, &p); err != nil {
		return err
	}
	f, err := h.deps.Fields.UpdateField(c.Request.Context(), c.Param("key"), p)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, f)
	return nil
}

// fieldDelete hides a field from now on; tickets keep their values.
func (h *handlers) fieldDelete(c *gin.Context) error {
	if err := h.deps.Fields.DeleteField(c.Request.Context(), c.Param("key")); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (h *handlers) policyList(c *gin.Context) error {
	rules, err := h.deps.Fields.Rules(c.Request.Context())
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"rules": rules, "roles": svcportal.PortalRoles, "modes": svcportal.FieldModes})
	return nil
}

// policyPut sets the mode of one field for one role, at every site or
// (site_id) one site.
func (h *handlers) policyPut(c *gin.Context) error {
	var r svcportal.PolicyRule
	if err := web.BindJSON(c, &r); err != nil {
		return err
	}
	if err := h.deps.Fields.PutRule(c.Request.Context(), r); err != nil {
		return err
	}
	r.TenantID = 0
	c.JSON(http.StatusOK, r)
	return nil
}

func (h *handlers) policyDelete(c *gin.Context) error {
	site, err := strconv.ParseInt(c.DefaultQuery("site_id", "0"), 10, 64)
	if err != nil {
		return svcportal.ErrNotFound()
	}
	if err := h.deps.Fields.DeleteRule(c.Request.Context(), c.Query("role"), site, c.Query("field")); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}
