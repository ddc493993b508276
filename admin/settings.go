package admin

import (
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/web"
)

// settingsView is the tenant's settings with what is derived from them:
// the inbound email address and the token of its HTTP endpoint.
type settingsView struct {
	*svcportal.Tenant
	InboundEmailAddress string `json:"inbound_email_address,omitempty"`
	InboundToken        string `json:"inbound_token,omitempty"`
}

// settingsShow answers the tenant's settings.
func (h *handlers) settingsShow(c *gin.Context) error {
	ctx := c.Request.Context()
	v := settingsView{Tenant: svcportal.TenantFrom(ctx)}
	if h.deps.Inbound != nil {
		v.InboundEmailAddress, v.InboundToken = h.deps.Inbound.InboundAddress(ctx), h.deps.Inbound.InboundToken(ctx)
	}
	c.JSON(http.StatusOK, v)
	return nil
}

// settingsUpdate changes the settings that are sent; they apply from the
// next request on.
func (h *handlers) settingsUpdate(c *gin.Context) error {
	var in svcportal.TenantSettings
	if err := web.BindJSON(c, &in); err != nil {
		return err
	}
	t, err := h.deps.Tenant.UpdateSettings(c.Request.Context(), in)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, t)
	return nil
}

// settingsAsset stores the logo or favicon sent as the request body (an
// image of at most 1 MB) or as the multipart field "file".
func (h *handlers) settingsAsset(kind string) web.HandlerFunc {
	return func(c *gin.Context) error {
		var r io.Reader = http.MaxBytesReader(c.Writer, c.Request.Body, 1<<20+1)
		form, err := web.MultipartForm(c)
		if err != nil {
			return err
		}
		if form != nil {
			files := form.File["file"]
			if len(files) != 1 {
				e := svcportal.FieldErr(svcportal.KindInvalid, "file", "error.required", nil)
				e.MessageID = "error.invalid_request"
				return e
			}
			f, err := files[0].Open()
			if err != nil {
				return err
			}
			defer f.Close()
			r = io.LimitReader(f, 1<<20+1)
		}
		data, err := io.ReadAll(r)
		if err != nil {
			return &svcportal.Error{Kind: svcportal.KindTooLarge, MessageID: "error.file_too_large", Data: map[string]any{"MaxMB": 1}}
		}
		if err := h.deps.Tenant.PutAsset(c.Request.Context(), kind, data); err != nil {
			return err
		}
		c.Status(http.StatusNoContent)
		return nil
	}
}
