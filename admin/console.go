package admin

import (
	"embed"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/policies"
	"github.com/svcportal/svcportal/web"
)

//go:embed templates
var templates embed.FS

// consolePages are the page templates of the console, each parsed with
// the layout, web's partials and the console's own (nav, summaries…).
var consolePages = []string{"login", "forgot_password", "reset_password", "set_password",
	"home", "profile", "staff", "tickets", "ticket", "webhooks", "webhook"}

// registerPages adds the console's pages under /admin, top to bottom.
func (h *handlers) registerPages(srv *web.Server) {
	for _, page := range consolePages {
		srv.Renderer.MustAdd("admin/"+page, templates, "templates/partials.html", "templates/"+page+".html")
	}
	pages := router{g: srv.Tenant.Group("/admin", web.LimitBody, h.bearer, h.sessions.Load, h.authorize), routes: h.routes}
	pages.GET("/login", public, h.loginForm)
	pages.POST("/login", public, h.loginSubmit)
	pages.POST("/logout", public, h.logoutSubmit)
	pages.GET("/forgot-password", public, h.forgotForm)
	pages.POST("/forgot-password", public, h.forgotSubmit)
	pages.GET("/reset-password", public, h.resetForm)
	pages.POST("/reset-password", public, h.resetSubmit)
	pages.GET("/set-password", public, h.setPasswordForm)
	pages.POST("/set-password", public, h.setPasswordSubmit)

	pages.GET("", read(policies.AreaHome), h.homeShow)
	pages.GET("/profile", read(policies.AreaProfile), h.profileShow)
	pages.POST("/profile", write(policies.AreaProfile), h.profileSave)
	pages.POST("/profile/password", write(policies.AreaProfile), h.passwordSave)

	pages.GET("/tickets", read(policies.AreaTickets), h.queueShow)
	pages.GET("/tickets/:number", read(policies.AreaTickets), h.ticketShow)
	pages.uploads().POST("/tickets/:number/reply", write(policies.AreaTickets), h.ticketAction("replied", h.ticketReplySubmit))
	pages.POST("/tickets/:number/fields", write(policies.AreaTickets), h.ticketAction("fields", h.ticketFieldsSubmit))
	pages.POST("/tickets/:number/propose", write(policies.AreaTickets), h.ticketAction("proposed", h.ticketProposeSubmit))

	pages.GET("/staff", read(policies.AreaStaff), h.staffShow)
	pages.POST("/staff", write(policies.AreaStaff), h.staffInviteSubmit)
	pages.POST("/staff/:id", write(policies.AreaStaff), h.staffUpdateSubmit)

	pages.GET("/webhooks", read(policies.AreaWebhooks), h.webhooksShow)
	pages.POST("/webhooks", write(policies.AreaWebhooks), h.webhookCreateSubmit)
	pages.GET("/webhooks/:id", read(policies.AreaWebhooks), h.webhookShow)
	pages.POST("/webhooks/:id", write(policies.AreaWebhooks), h.webhookUpdateSubmit)
	pages.POST("/webhooks/:id/delete", write(policies.AreaWebhooks), h.webhookDeleteSubmit)
}

// navItem is one link of the console's navigation.
type navItem struct {
	Href, Label string
	Current     bool
}

// page is the part of every console page's data that the console's
// layout parts read: the common page, the areas the viewer may reach,
// and the form's errors (beside each field and in a summary).
type page struct {
	web.Page
	Nav     []navItem
	Errors  map[string]string
	Summary []fieldProblem
	Alert   string
	Notice  string
}

// fieldProblem is one line of a form's error summary, linked to its field.
type fieldProblem struct {
	Field, Message string
}

// consoleAreas are the console's pages in the navigation, with what each
// needs; only those the viewer may reach are shown.
var consoleAreas = []struct {
	href, label string
	perm        policies.Permission
}{
	{"/admin/tickets", "console.nav.tickets", read(policies.AreaTickets)},
	{"/admin/staff", "console.nav.staff", read(policies.AreaStaff)},
	{"/admin/webhooks", "webhooks.title", read(policies.AreaWebhooks)},
	{"/admin/profile", "console.nav.profile", read(policies.AreaProfile)},
}

// newPage fills the common console page data.
func (h *handlers) newPage(c *gin.Context) page {
	p := page{Page: web.NewPage(c), Errors: map[string]string{}}
	p.Home = "/admin"
	if v := p.Viewer; v != nil && v.Staff != nil && !v.Staff.MustChangePassword {
		for _, a := range consoleAreas {
			if h.may(c, a.perm) {
				p.Nav = append(p.Nav, navItem{Href: a.href, Label: p.T(a.label),
					Current: c.Request.URL.Path == a.href || strings.HasPrefix(c.Request.URL.Path, a.href+"/")})
			}
		}
	}
	return p
}

// fail records err on the page: each field's complaint beside it and in
// the summary (in the form's order, fields not named in order last), the
// main message as an alert.
func (p *page) fail(c *gin.Context, err error, order ...string) {
	p.Errors = web.FieldErrors(c, err)
	if p.Errors == nil {
		p.Errors = map[string]string{}
	}
	p.Alert = web.ErrorMessage(c, err)
	rank := map[string]int{}
	for i, f := range order {
		rank[f] = i + 1
	}
	for f, m := range p.Errors {
		p.Summary = append(p.Summary, fieldProblem{Field: f, Message: m})
	}
	sort.Slice(p.Summary, func(i, j int) bool {
		ri, rj := rank[p.Summary[i].Field], rank[p.Summary[j].Field]
		if ri == 0 {
			ri = len(order) + 1
		}
		if rj == 0 {
			rj = len(order) + 1
		}
		if ri != rj {
			return ri < rj
		}
		return p.Summary[i].Field < p.Summary[j].Field
	})
}

// invalid builds a validation error on one field.
func invalid(field, msg string) error {
	var v svcportal.Validation
	v.Add(field, msg, nil)
	return v.Err()
}

// safeNext keeps a post-login redirect inside the console on this host.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/admin") || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		return "/admin"
	}
	if u, err := url.Parse(next); err != nil || u.Host != "" || u.Scheme != "" {
		return "/admin"
	}
	return next
}

type homePage struct {
	page
	Name       string
	MineOpen   int
	Unread     int
	Unassigned int
	Areas      []navItem
}

// homeShow is the console's landing page: what waits for the staff member
// and the areas they may reach. (The dashboard with charts comes later.)
func (h *handlers) homeShow(c *gin.Context) error {
	p := web.Principal(c)
	ctx := c.Request.Context()
	pg := &homePage{page: h.newPage(c), Name: p.DisplayName()}
	pg.Areas = pg.Nav
	unread := true
	counts := []struct {
		dst *int
		f   svcportal.TicketFilter
	}{
		{&pg.MineOpen, svcportal.TicketFilter{Status: openStatuses, Fields: map[string]any{"assignee": p.Staff.ID}, PerPage: 1}},
		{&pg.Unread, svcportal.TicketFilter{Unread: &unread, PerPage: 1}},
		{&pg.Unassigned, svcportal.TicketFilter{Status: openStatuses, Fields: map[string]any{"assignee": 0}, PerPage: 1}},
	}
	for _, q := range counts {
		_, n, err := h.deps.Tickets.List(ctx, p, q.f)
		if err != nil {
			return err
		}
		*q.dst = n
	}
	return web.Render(c, http.StatusOK, "admin/home", pg)
}

// openStatuses are the statuses of a ticket not yet closed.
var openStatuses = []string{svcportal.StatusOpen, svcportal.StatusInProgress, svcportal.StatusAwaitingReply, svcportal.StatusSolutionProposed}
