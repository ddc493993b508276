package portal

import (
	"net/http"

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
}

// loginNotices are the messages a redirect to /login may ask for with
// ?notice=, by name, so that no text travels in the address.
var loginNotices = map[string]string{
	"password_reset": "reset.done",
	"password_set":   "reset.set_done",
}

func (h *handlers) loginForm(c *gin.Context) error {
	if web.Principal(c) != nil {
		c.Redirect(http.StatusSeeOther, safeNext(c.Query("next")))
		return nil
	}
	page := &loginPage{Page: web.NewPage(c), Next: safeNext(c.Query("next"))}
	if id, ok := loginNotices[c.Query("notice")]; ok {
		page.Notice = page.T(id)
	}
	return web.Render(c, http.StatusOK, "portal/login", page)
}

// login signs the contact in, ending any session the browser already had
// (a new token at every login: no session fixation).
func (h *handlers) login(c *gin.Context, email, pw string) (*svcportal.Principal, error) {
	if old := web.Principal(c); old != nil {
		if err := h.deps.Accounts.Logout(c.Request.Context(), old); err != nil {
			return nil, err
		}
	}
	p, token, err := h.deps.Accounts.Login(c.Request.Context(), svcportal.Credentials{
		Kind: svcportal.PrincipalContact, Email: email, Password: pw, IP: c.ClientIP(), UserAgent: c.Request.UserAgent(),
	})
	if err != nil {
		return nil, err
	}
	h.sessions.SetCookie(c, token)
	web.SetPrincipal(c, p)
	return p, nil
}

func (h *handlers) loginSubmit(c *gin.Context) error {
	email, next := c.PostForm("email"), safeNext(c.PostForm("next"))
	p, err := h.login(c, email, c.PostForm("password"))
	if k := svcportal.KindOf(err); k == svcportal.KindUnauthorized || k == svcportal.KindTooManyRequests {
		return web.Render(c, web.ErrorStatus(c, err), "portal/login",
			&loginPage{Page: web.NewPage(c), Email: email, Next: next, Error: web.ErrorMessage(c, err)})
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
	if p := web.Principal(c); p != nil {
		if err := h.deps.Accounts.Logout(c.Request.Context(), p); err != nil {
			return err
		}
	}
	h.sessions.Clear(c)
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
	p, err := h.login(c, req.Email, req.Password)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, loginResponse{Contact: p.Contact, CSRFToken: p.Session.CSRFToken, MustChangePassword: p.Contact.MustChangePassword})
	return nil
}

func (h *handlers) apiLogout(c *gin.Context) error {
	if p := web.Principal(c); p != nil {
		if err := h.deps.Accounts.Logout(c.Request.Context(), p); err != nil {
			return err
		}
	}
	h.sessions.Clear(c)
	c.Status(http.StatusNoContent)
	return nil
}
