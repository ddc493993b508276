package portal

import (
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/web"
)

// homePage is the help center: a search box for articles and ticket
// numbers, the knowledge base's categories and popular articles, and the
// reader's tickets that are open or wait for their answer.
type homePage struct {
	web.Page
	Query      string
	Categories []svcportal.KBCategoryView
	Popular    []svcportal.KBArticleLink
	Open       []svcportal.TicketView
	Awaiting   []svcportal.TicketView
	// SeesStatus: the reader may see tickets' status, so the lists by
	// status are offered.
	SeesStatus bool
	// Notices are the running announcements and the service hours.
	Notices notices
}

// homeListSize is how many popular articles and tickets of each kind the
// home page lists.
const homeListSize = 5

// home is the portal's landing page in the tenant's branding.
func (h *handlers) home(c *gin.Context) error {
	page := &homePage{Page: web.NewPage(c)}
	var err error
	if page.Notices, err = h.notices(c, page.Page, nil); err != nil {
		return err
	}
	p := web.Principal(c)
	signedIn := p != nil && p.Contact != nil
	ctx := c.Request.Context()
	if signedIn || page.Tenant.KBPublic {
		if page.Categories, page.Popular, err = h.deps.KB.Home(ctx, p, web.Translator(c).Lang(), homeListSize); err != nil {
			return err
		}
	}
	if !signedIn {
		return web.Render(c, http.StatusOK, "portal/home", page)
	}
	if page.SeesStatus, err = h.seesStatus(c); err != nil || !page.SeesStatus {
		return renderOr(c, err, "portal/home", page)
	}
	mine := func(statuses ...string) ([]svcportal.TicketView, error) {
		views, _, err := h.deps.Tickets.List(ctx, p, svcportal.TicketFilter{Scope: "mine", Status: statuses, PerPage: homeListSize, Sort: "-updated", NoTotal: true})
		return views, err
	}
	if page.Open, err = mine(svcportal.StatusOpen, svcportal.StatusInProgress); err != nil {
		return err
	}
	if page.Awaiting, err = mine(awaitingYou...); err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, "portal/home", page)
}

// awaitingYou are the statuses in which a ticket waits for the client.
var awaitingYou = []string{svcportal.StatusAwaitingReply, svcportal.StatusSolutionProposed}

func renderOr(c *gin.Context, err error, name string, data any) error {
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, name, data)
}

// seesStatus reports whether the reader sees the status field on some of
// their sites (else lists by status would tell what they may not see).
func (h *handlers) seesStatus(c *gin.Context) (bool, error) {
	fields, err := h.deps.Tickets.Fields(c.Request.Context(), web.Principal(c), 0, web.Translator(c).Lang())
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(fields, func(f svcportal.TicketFieldView) bool { return f.Key == svcportal.FieldKeyStatus }), nil
}

// ArticleCount is the number of articles of a category.
func (p *homePage) ArticleCount(cat svcportal.KBCategoryView) int {
	n := 0
	for _, s := range cat.Sections {
		n += s.Count
	}
	return n
}
