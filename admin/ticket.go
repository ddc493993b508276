package admin

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/web"
)

func (h *handlers) ticketList(c *gin.Context) error {
	f, err := svcportal.ParseTicketFilter(c.Request.URL.Query())
	if err != nil {
		return err
	}
	views, total, err := h.deps.Tickets.List(c.Request.Context(), web.Principal(c), f)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"tickets": views, "total": total})
	return nil
}

func (h *handlers) ticketShow(c *gin.Context) error {
	n, err := web.IDParam(c, "number")
	if err != nil {
		return err
	}
	v, err := h.deps.Tickets.Get(c.Request.Context(), web.Principal(c), n)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, v)
	return nil
}

type ticketUpdate struct {
	Fields map[string]any `json:"fields"`
}

type ticketReply struct {
	Body     string `json:"body"`
	Internal bool   `json:"internal"`
}

type ticketSolution struct {
	Body string `json:"body"`
}

func (h *handlers) ticketUpdate(c *gin.Context, n int64, req ticketUpdate) (*svcportal.TicketView, error) {
	return h.deps.Tickets.UpdateFields(c.Request.Context(), web.Principal(c), n, req.Fields)
}

// ticketReply takes {"body", "internal"} as JSON, or multipart with files.
func (h *handlers) ticketReply(c *gin.Context) error {
	n, err := web.IDParam(c, "number")
	if err != nil {
		return err
	}
	var req ticketReply
	var files []svcportal.Upload
	if c.Request.MultipartForm != nil {
		req.Body, req.Internal = c.PostForm("body"), c.PostForm("internal") == "true"
		if files, err = web.Uploads(c, h.deps.Blobs); err != nil {
			return err
		}
	} else if err := web.BindJSON(c, &req); err != nil {
		return err
	}
	v, err := h.deps.Tickets.Reply(c.Request.Context(), web.Principal(c), n, req.Body, req.Internal, files)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, v)
	return nil
}

func (h *handlers) attachmentDownload(c *gin.Context) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	a, err := h.deps.Tickets.Attachment(c.Request.Context(), web.Principal(c), id)
	if err != nil {
		return err
	}
	return web.ServeAttachment(c, h.deps.Blobs, a)
}

func (h *handlers) ticketPropose(c *gin.Context, n int64, req ticketSolution) (*svcportal.TicketView, error) {
	return h.deps.Tickets.ProposeSolution(c.Request.Context(), web.Principal(c), n, req.Body)
}
