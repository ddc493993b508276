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
	p, err := h.sessions.SignIn(c, h.deps.Accounts, req.Email, req.Password)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, loginResponse{Staff: p.Staff, CSRFToken: p.Session.CSRFToken})
	return nil
}

func (h *handlers) logout(c *gin.Context) error {
	if err := h.sessions.SignOut(c, h.deps.Accounts); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}
