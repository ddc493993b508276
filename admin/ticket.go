package admin

import (
	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/web"
)

type ticketUpdate struct {
	Fields map[string]any `json:"fields"`
}

type ticketSolution struct {
	Body string `json:"body"`
}

func (h *handlers) ticketUpdate(c *gin.Context, n int64, req ticketUpdate) (*svcportal.TicketView, error) {
	return h.deps.Tickets.UpdateFields(c.Request.Context(), web.Principal(c), n, req.Fields)
}

func (h *handlers) ticketPropose(c *gin.Context, n int64, req ticketSolution) (*svcportal.TicketView, error) {
	return h.deps.Tickets.ProposeSolution(c.Request.Context(), web.Principal(c), n, req.Body)
}
