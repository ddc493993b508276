package portal

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/web"
)

type loginPage struct {
	web.Page
	Email  string
	Next   string
	Error  string
	Notice string
	// SSOLabel names the tenant's identity provider; "" hides the button.
	SSOLabel string
}

// SSOHref is the address of the single sign-on button.
func (p *loginPage) SSOHref() string {
	return "/login/sso?next=" + url.QueryEscape(p.Next)
}

// loginNotices are the messages a redirect to /login may ask for with
// ?notice=, by name, so that no text travels in the address.
var loginNotices = map[string]string{
	"password_reset": "reset.done",
	"password_set":   "reset.set_done",
	"email_changed":  "profile.email_changed",
}

func (h *handlers) loginForm(c *gin.Context) error {
	if web.Principal(c) != nil {
		c.Redirect(http.StatusSeeOther, safeNext(c.Query("next")))
		return nil
	}
	page := &loginPage{Page: web.NewPage(c), Next: safeNext(c.Query("next")), SSOLabel: h.ssoLabel(c)}
	if id, ok := loginNotices[c.Query("notice")]; ok {
		page.Notice = page.T(id)
	}
	return web.Render(c, http.StatusOK, "portal/login", page)
}

func (h *handlers) loginSubmit(c *gin.Context) error {
	email, next := c.PostForm("email"), safeNext(c.PostForm("next"))
	p, err := h.sessions.SignIn(c, h.deps.Accounts, email, c.PostForm("password"))
	if web.Redisplays(err) {
		return web.Render(c, web.ErrorStatus(c, err), "portal/login",
			&loginPage{Page: web.NewPage(c), Email: email, Next: next, Error: web.ErrorMessage(c, err), SSOLabel: h.ssoLabel(c)})
	}
	if err != nil {
		return err
	}
	if p.Contact.MustChangePassword {
		next = "/profile/password"
	}
	c.Redirect(http.StatusSeeOther, next)
	return nil
}

func (h *handlers) logoutSubmit(c *gin.Context) error {
	if err := h.sessions.SignOut(c, h.deps.Accounts); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/login")
	return nil
}

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type loginResponse struct {
	Contact            *svcportal.Contact `json:"contact"`
	CSRFToken          string             `json:"csrf_token"`
	MustChangePassword bool               `json:"must_change_password"`
}

func (h *handlers) apiLogin(c *gin.Context) error {
	var req loginRequest
	if err := web.BindJSON(c, &req); err != nil {
		return err
	}
	p, err := h.sessions.SignIn(c, h.deps.Accounts, req.Email, req.Password)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, loginResponse{Contact: p.Contact, CSRFToken: p.Session.CSRFToken, MustChangePassword: p.Contact.MustChangePassword})
	return nil
}

func (h *handlers) apiLogout(c *gin.Context) error {
	if err := h.sessions.SignOut(c, h.deps.Accounts); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}
