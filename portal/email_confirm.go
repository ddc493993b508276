package portal

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/web"
)

type confirmEmailPage struct {
	web.Page
	Token   string
	Invalid bool
	Error   string
}

// confirmEmailForm shows the button that confirms a new email address (a
// GET changes nothing, so link scanners of mail servers cannot use the
// link), or says the link no longer works.
func (h *handlers) confirmEmailForm(c *gin.Context) error {
	token := c.Query("token")
	page := &confirmEmailPage{Page: web.NewPage(c), Token: token}
	err := h.deps.Accounts.CheckEmailChangeLink(c.Request.Context(), token)
	if svcportal.KindOf(err) == svcportal.KindInvalid {
		page.Invalid, page.Token = true, ""
		return web.Render(c, http.StatusBadRequest, "portal/confirm_email", page)
	} else if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, "portal/confirm_email", page)
}

func (h *handlers) confirmEmailSubmit(c *gin.Context) error {
	page := &confirmEmailPage{Page: web.NewPage(c)}
	_, err := h.deps.Accounts.ConfirmEmailChange(c.Request.Context(), c.PostForm("token"), c.ClientIP())
	switch svcportal.KindOf(err) {
	case svcportal.KindNone:
		if p := web.Principal(c); p != nil && p.Contact != nil {
			c.Redirect(http.StatusSeeOther, "/profile?email=changed")
			return nil
		}
		c.Redirect(http.StatusSeeOther, "/login?notice=email_changed")
		return nil
	case svcportal.KindInvalid:
		page.Invalid = true
		return web.Render(c, http.StatusBadRequest, "portal/confirm_email", page)
	case svcportal.KindConflict:
		page.Invalid, page.Error = true, web.ErrorMessage(c, err)
		return web.Render(c, web.ErrorStatus(c, err), "portal/confirm_email", page)
	}
	return err
}

type emailConfirmRequest struct {
	Token string `json:"token"`
}

// apiEmailConfirm follows an email-change link: 204, 400 invalid_link,
// 409 when the address was taken since.
func (h *handlers) apiEmailConfirm(c *gin.Context) error {
	var req emailConfirmRequest
	if err := web.BindJSON(c, &req); err != nil {
		return err
	}
	if _, err := h.deps.Accounts.ConfirmEmailChange(c.Request.Context(), req.Token, c.ClientIP()); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}
