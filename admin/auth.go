package admin

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/web"
)

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type loginResponse struct {
	Staff     *svcportal.Staff `json:"staff"`
	CSRFToken string           `json:"csrf_token"`
}

// login opens a staff session; any session the browser had is ended.
func (h *handlers) login(c *gin.Context) error {
	var req loginRequest
	if err := web.BindJSON(c, &req); err != nil {
		return err
	}
	if old := web.Principal(c); old != nil {
		if err := h.deps.Accounts.Logout(c.Request.Context(), old); err != nil {
			return err
		}
	}
	p, token, err := h.deps.Accounts.Login(c.Request.Context(), svcportal.Credentials{
		Kind: svcportal.PrincipalStaff, Email: req.Email, Password: req.Password, IP: c.ClientIP(), UserAgent: c.Request.UserAgent(),
	})
	if err != nil {
		return err
	}
	h.sessions.SetCookie(c, token)
	web.SetPrincipal(c, p)
	c.JSON(http.StatusOK, loginResponse{Staff: p.Staff, CSRFToken: p.Session.CSRFToken})
	return nil
}

func (h *handlers) logout(c *gin.Context) error {
	if p := web.Principal(c); p != nil {
		if err := h.deps.Accounts.Logout(c.Request.Context(), p); err != nil {
			return err
		}
	}
	h.sessions.Clear(c)
	c.Status(http.StatusNoContent)
	return nil
}
