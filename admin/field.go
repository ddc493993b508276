package admin

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/web"
)

func (h *handlers) fieldList(c *gin.Context) error {
	fields, err := h.deps.Fields.TicketFields(c.Request.Context(), c.Query("include_deleted") == "true")
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"fields": fields, "builtin": svcportal.BuiltinFields})
	return nil
}

func (h *handlers) fieldShow(c *gin.Context) error {
	f, err := h.deps.Fields.TicketField(c.Request.Context(), c.Param("key"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, f)
	return nil
}

// checkRequired refuses a field set in which a required field is not
// editable for some role, under the current rules.
func (h *handlers) checkRequired(c *gin.Context, changed *svcportal.TicketField, rules []svcportal.PolicyRule) error {
	ctx := c.Request.Context()
	fields, err := h.deps.Fields.TicketFields(ctx, false)
	if err != nil {
		return err
	}
	if changed != nil {
		i := slices.IndexFunc(fields, func(f svcportal.TicketField) bool { return f.Key == changed.Key })
		if i < 0 {
			fields = append(fields, *changed)
		} else {
			fields[i] = *changed
		}
	}
	if rules == nil {
		if rules, err = h.deps.Policies.Rules(ctx); err != nil {
			return err
		}
	}
	return svcportal.RequiredStaysEditable(fields, rules)
}

func (h *handlers) fieldCreate(c *gin.Context) error {
	var f svcportal.TicketField
	if err := web.BindJSON(c, &f); err != nil {
		return err
	}
	f.ID, f.TenantID, f.DeletedAt = 0, 0, nil
	if err := f.Validate(); err != nil {
		return err
	}
	if err := h.checkRequired(c, &f, nil); err != nil {
		return err
	}
	if err := h.deps.Fields.CreateTicketField(c.Request.Context(), &f); err != nil {
		return err
	}
	c.JSON(http.StatusCreated, f)
	return nil
}

// fieldPatch is what an admin may change on a field: not its key or type.
type fieldPatch struct {
	Labels      map[string]string       `json:"labels"`
	Options     []svcportal.FieldOption `json:"options"`
	Position    *int                    `json:"position"`
	Required    *bool                   `json:"required"`
	TicketTypes []string                `json:"ticket_types"`
}

func (h *handlers) fieldUpdate(c *gin.Context) error {
	var p fieldPatch
	if err := web.BindJSON(c, &p); err != nil {
		return err
	}
	f, err := h.deps.Fields.TicketField(c.Request.Context(), c.Param("key"))
	if err != nil {
		return err
	}
	if p.Labels != nil {
		f.Labels = p.Labels
	}
	if p.Options != nil {
		f.Options = p.Options
	}
	if p.Position != nil {
		f.Position = *p.Position
	}
	if p.Required != nil {
		f.Required = *p.Required
	}
	if p.TicketTypes != nil {
		f.TicketTypes = p.TicketTypes
	}
	if err := f.Validate(); err != nil {
		return err
	}
	if err := h.checkRequired(c, f, nil); err != nil {
		return err
	}
	if err := h.deps.Fields.UpdateTicketField(c.Request.Context(), f); err != nil {
		return err
	}
	c.JSON(http.StatusOK, f)
	return nil
}

// fieldDelete hides a field from now on; tickets keep their values.
func (h *handlers) fieldDelete(c *gin.Context) error {
	if err := h.deps.Fields.DeleteTicketField(c.Request.Context(), c.Param("key")); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (h *handlers) policyList(c *gin.Context) error {
	rules, err := h.deps.Policies.Rules(c.Request.Context())
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"rules": rules, "roles": svcportal.PortalRoles, "modes": svcportal.FieldModes})
	return nil
}

// policyPut sets the mode of one field for one role, at every site or
// (site_id) one site. The field must exist; a required field must stay
// editable.
func (h *handlers) policyPut(c *gin.Context) error {
	var r svcportal.PolicyRule
	if err := web.BindJSON(c, &r); err != nil {
		return err
	}
	r.TenantID = 0
	ctx := c.Request.Context()
	if !svcportal.IsBuiltinField(r.Field) {
		if _, err := h.deps.Fields.TicketField(ctx, r.Field); svcportal.KindOf(err) == svcportal.KindNotFound {
			return svcportal.FieldErr(svcportal.KindUnprocessable, "field", "error.field_unknown", nil)
		} else if err != nil {
			return err
		}
	}
	if err := r.Validate(); err != nil {
		return err
	}
	rules, err := h.deps.Policies.Rules(ctx)
	if err != nil {
		return err
	}
	next := slices.DeleteFunc(rules, func(x svcportal.PolicyRule) bool {
		return x.Role == r.Role && x.SiteID == r.SiteID && x.Field == r.Field
	})
	if err := h.checkRequired(c, nil, append(next, r)); err != nil {
		return err
	}
	if err := h.deps.Policies.SetMode(ctx, r); err != nil {
		return err
	}
	c.JSON(http.StatusOK, r)
	return nil
}

func (h *handlers) policyDelete(c *gin.Context) error {
	site, err := strconv.ParseInt(c.DefaultQuery("site_id", "0"), 10, 64)
	if err != nil {
		return svcportal.ErrNotFound()
	}
	role, field := c.Query("role"), c.Query("field")
	ctx := c.Request.Context()
	rules, err := h.deps.Policies.Rules(ctx)
	if err != nil {
		return err
	}
	next := slices.DeleteFunc(rules, func(x svcportal.PolicyRule) bool { return x.Role == role && x.SiteID == site && x.Field == field })
	if err := h.checkRequired(c, nil, next); err != nil {
		return err
	}
	if err := h.deps.Policies.DeleteRule(ctx, role, site, field); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}
