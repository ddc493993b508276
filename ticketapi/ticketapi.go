// Package ticketapi holds what the portal and the admin console share of
// tickets over HTTP, since neither may import the other: the JSON API
// handlers (what a reader may see and do is the ticket service's
// business, so one handler serves contacts and staff alike), the parser of
// a ticket list's query and the parser of the ticket fields of a page
// form. It imports only web and the root package.
package ticketapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/web"
)

// List answers GET …/tickets with the reader's tickets.
func List(tickets svcportal.TicketService) web.HandlerFunc {
	return func(c *gin.Context) error {
		f, err := ParseFilter(c.Request.URL.Query())
		if err != nil {
			return err
		}
		views, total, err := tickets.List(c.Request.Context(), web.Principal(c), f)
		if err != nil {
			return err
		}
		// total counts up to svcportal.TicketCountCap; total_capped says
		// there are more. next_cursor, when there may be more, is the
		// after= of the next page (read from an index however deep).
		n, capped := svcportal.TotalCapped(total)
		ans := gin.H{"tickets": views, "total": n, "total_capped": capped}
		if f.PerPage == 0 {
			f.PerPage = 25
		}
		f.PerPage = min(f.PerPage, 100) // as the store reads it
		if len(views) > 0 && len(views) >= f.PerPage {
			if c := svcportal.TicketCursor(&views[len(views)-1], f.Sort); c != "" {
				ans["next_cursor"] = c
			}
		}
		c.JSON(http.StatusOK, ans)
		return nil
	}
}

// Show answers GET …/tickets/{number}.
func Show(tickets svcportal.TicketService) web.HandlerFunc {
	return func(c *gin.Context) error {
		n, err := web.IDParam(c, "number")
		if err != nil {
			return err
		}
		v, err := tickets.Get(c.Request.Context(), web.Principal(c), n)
		if err != nil {
			return err
		}
		c.JSON(http.StatusOK, v)
		return nil
	}
}

// Reply answers POST …/tickets/{number}/replies, taking {"body"} (and
// {"internal"} when allowInternal) as JSON, or multipart with files.
func Reply(tickets svcportal.TicketService, blobs svcportal.BlobStore, allowInternal bool) web.HandlerFunc {
	return func(c *gin.Context) error {
		n, err := web.IDParam(c, "number")
		if err != nil {
			return err
		}
		var req struct {
			Body     string `json:"body"`
			Internal *bool  `json:"internal"`
		}
		internal := false
		var files []svcportal.Upload
		if web.IsMultipart(c) {
			// Files are read only for a reader who may see the ticket.
			if _, err := tickets.Get(c.Request.Context(), web.Principal(c), n); err != nil {
				return err
			}
			if _, err := web.MultipartForm(c); err != nil {
				return err
			}
			req.Body = c.PostForm("body")
			internal = allowInternal && c.PostForm("internal") == "true"
			if files, err = web.Uploads(c, blobs); err != nil {
				return err
			}
		} else if err := web.BindJSON(c, &req); err != nil {
			return err
		} else if req.Internal != nil {
			if !allowInternal { // contacts have no internal notes: an unknown field to them
				return svcportal.FieldErr(svcportal.KindInvalid, "internal", "error.unknown_field", nil)
			}
			internal = *req.Internal
		}
		v, err := tickets.Reply(c.Request.Context(), web.Principal(c), n, req.Body, internal, files)
		if err != nil {
			return err
		}
		c.JSON(http.StatusCreated, v)
		return nil
	}
}

// Attachment answers GET …/attachments/{id} with a file the
// reader may see.
func Attachment(tickets svcportal.TicketService, blobs svcportal.BlobStore) web.HandlerFunc {
	return func(c *gin.Context) error {
		id, err := web.IDParam(c, "id")
		if err != nil {
			return err
		}
		a, err := tickets.Attachment(c.Request.Context(), web.Principal(c), id)
		if err != nil {
			return err
		}
		return web.ServeAttachment(c, blobs, a)
	}
}
