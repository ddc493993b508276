package portal

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/web"
)

func (h *handlers) apiTicketFields(c *gin.Context) error {
	var site int64
	if s := c.Query("site_id"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return svcportal.ErrNotFound()
		}
		site = n
	}
	fields, err := h.deps.Tickets.Fields(c.Request.Context(), web.Principal(c), site, web.Translator(c).Lang())
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, fields)
	return nil
}

// apiTicketCreate takes JSON, or multipart with "files" and the other
// properties as form fields ("fields" as a JSON object).
func (h *handlers) apiTicketCreate(c *gin.Context) error {
	var req svcportal.NewTicket
	mp, err := web.MultipartForm(c)
	if err != nil {
		return err
	}
	if mp != nil {
		form := mp.Value
		first := func(k string) string {
			if v := form[k]; len(v) > 0 {
				return v[0]
			}
			return ""
		}
		req.Title, req.Description = first("title"), first("description")
		req.SharedWithSite = first("shared_with_site") == "true"
		req.SiteID, _ = strconv.ParseInt(first("site_id"), 10, 64)
		req.CC = form["cc"]
		if raw := first("fields"); raw != "" {
			if err := web.DecodeJSON([]byte(raw), &req.Fields); err != nil {
				return svcportal.FieldErr(svcportal.KindInvalid, "fields", "error.invalid_json", nil)
			}
		}
		files, err := web.Uploads(c, h.deps.Blobs)
		if err != nil {
			return err
		}
		req.Files = files
	} else if err := web.BindJSON(c, &req); err != nil {
		return err
	}
	v, err := h.deps.Tickets.Create(c.Request.Context(), web.Principal(c), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, v)
	return nil
}

type fieldsRequest struct {
	Fields map[string]any `json:"fields"`
}

type solutionRequest struct {
	Decision string `json:"decision"`
	Comment  string `json:"comment"`
}

type closeRequest struct {
	Comment string `json:"comment"`
}

type ratingRequest struct {
	Satisfied *bool  `json:"satisfied"`
	Comment   string `json:"comment"`
}

func (h *handlers) apiTicketUpdate(c *gin.Context, n int64, req fieldsRequest) (*svcportal.TicketView, error) {
	return h.deps.Tickets.UpdateFields(c.Request.Context(), web.Principal(c), n, req.Fields)
}

func (h *handlers) apiTicketSolution(c *gin.Context, n int64, req solutionRequest) (*svcportal.TicketView, error) {
	if req.Decision != "accept" && req.Decision != "refuse" {
		var v svcportal.Validation
		v.Add("decision", "error.decision", nil)
		return nil, v.Err()
	}
	return h.deps.Tickets.Decide(c.Request.Context(), web.Principal(c), n, req.Decision == "accept", req.Comment)
}

func (h *handlers) apiTicketClose(c *gin.Context, n int64, req closeRequest) (*svcportal.TicketView, error) {
	return h.deps.Tickets.Close(c.Request.Context(), web.Principal(c), n, req.Comment)
}

func (h *handlers) apiTicketRate(c *gin.Context, n int64, req ratingRequest) (*svcportal.TicketView, error) {
	if req.Satisfied == nil {
		var v svcportal.Validation
		v.Add("satisfied", "error.required", nil)
		return nil, v.Err()
	}
	return h.deps.Tickets.Rate(c.Request.Context(), web.Principal(c), n, *req.Satisfied, req.Comment)
}
