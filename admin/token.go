package admin

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/web"
)

// tokenList answers the tenant's API tokens, without their secrets.
func (h *handlers) tokenList(c *gin.Context) error {
	tokens, err := h.deps.Tokens.APITokens(c.Request.Context())
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"tokens": tokens})
	return nil
}

// tokenCreate makes a token acting as the caller; the answer carries the
// secret, once.
func (h *handlers) tokenCreate(c *gin.Context) error {
	var req svcportal.APITokenCreate
	if err := web.BindJSON(c, &req); err != nil {
		return err
	}
	nt, err := h.deps.Tokens.IssueAPIToken(c.Request.Context(), web.Principal(c), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, nt)
	return nil
}

// tokenRevoke ends a token at once.
func (h *handlers) tokenRevoke(c *gin.Context) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	if err := h.deps.Tokens.RevokeAPIToken(c.Request.Context(), web.Principal(c), id); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}
