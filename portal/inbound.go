package portal

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
)

// inboundEmail takes one raw RFC 5322 message (POST /api/v1/inbound/email)
// for an MTA or a mail service's webhook. The tenant's inbound token
// authorises it; the body is read only after that (but for its first
// 64 KiB, which the server reads before any request works: see
// web/admission.go).
func (h *handlers) inboundEmail(c *gin.Context) error {
	ctx := c.Request.Context()
	token, _ := strings.CutPrefix(c.GetHeader("Authorization"), "Bearer ")
	if err := h.deps.Inbound.CheckInboundToken(ctx, strings.TrimSpace(token)); err != nil {
		return err
	}
	res, err := h.deps.Inbound.Ingest(ctx, c.Request.Body, svcportal.InboundEnvelope{})
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, res)
	return nil
}
