package admin

import (
	"embed"
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
	"home", "profile", "staff", "tickets", "ticket", "sites", "site", "contacts", "contact", "contact_delete",
	"contacts_import", "contacts_import_run", "fields", "field", "tokens", "audit", "settings", "settings_wording", "announcements", "kb", "kb_group", "kb_article", "webhooks", "webhook"}

// registerPages adds the console's pages under /admin, top to bottom.
func (h *handlers) registerPages(srv *web.Server) {
	for _, page := range consolePages {
		files := []string{"templates/partials.html", "templates/settings_partials.html", "templates/" + page + ".html"}
		if strings.HasPrefix(page, "kb") {
			files = append(files, "templates/kb_partials.html")
		}
		srv.Renderer.MustAdd("admin/"+page, templates, files...)
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

	pages.GET("/sites", read(policies.AreaSites), h.sitesShow)
	pages.POST("/sites", write(policies.AreaSites), h.siteCreateSubmit)
	pages.GET("/sites/:id", read(policies.AreaSites), h.siteShowPage)
	pages.POST("/sites/:id", write(policies.AreaSites), h.siteUpdateSubmit)
	pages.POST("/sites/:id/sso", write(policies.AreaSettings), h.siteSSOSubmit)
	pages.POST("/sites/:id/delete", write(policies.AreaSites), h.siteDeleteSubmit)

	pages.GET("/contacts", read(policies.AreaContacts), h.contactsShow)
	pages.POST("/contacts", write(policies.AreaContacts), h.contactCreateSubmit)
	pages.GET("/contacts/export", read(policies.AreaContacts), h.contactsExport)
	pages.GET("/contacts/import", write(policies.AreaContacts), h.contactsImportForm)
	pages.uploads().POST("/contacts/import", write(policies.AreaContacts), h.contactsImportSubmit)
	pages.GET("/contacts/import/:id", write(policies.AreaContacts), h.contactsImportShow)
	pages.GET("/contacts/:id", read(policies.AreaContacts), h.contactShowPage)
	pages.POST("/contacts/:id", write(policies.AreaContacts), h.contactUpdateSubmit)
	pages.POST("/contacts/:id/state", write(policies.AreaContacts), h.contactStateSubmit)
	pages.POST("/contacts/:id/welcome", write(policies.AreaContacts), h.contactWelcomeSubmit)
	pages.POST("/contacts/:id/identities/:identity/unlink", write(policies.AreaContacts), h.contactIdentityUnlinkSubmit)
	pages.GET("/contacts/:id/delete", write(policies.AreaContacts), h.contactDeleteConfirm)
	pages.POST("/contacts/:id/delete", write(policies.AreaContacts), h.contactDeleteSubmit)

	pages.GET("/fields", read(policies.AreaFields), h.fieldsShow)
	pages.GET("/fields/new", write(policies.AreaFields), h.fieldNewForm)
	pages.POST("/fields", write(policies.AreaFields), h.fieldCreateSubmit)
	pages.GET("/fields/:key/edit", write(policies.AreaFields), h.fieldEditForm)
	pages.POST("/fields/:key", write(policies.AreaFields), h.fieldUpdateSubmit)
	pages.POST("/fields/:key/delete", write(policies.AreaFields), h.fieldDeleteSubmit)
	pages.POST("/fields/:key/modes", write(policies.AreaFields), h.fieldModesSubmit)
	pages.POST("/fields/:key/overrides", write(policies.AreaFields), h.fieldOverrideSubmit)
	pages.POST("/fields/:key/overrides/delete", write(policies.AreaFields), h.fieldOverrideDelete)

	pages.GET("/tokens", read(policies.AreaTokens), h.tokensShow)
	pages.POST("/tokens", write(policies.AreaTokens), h.tokenCreateSubmit)
	pages.POST("/tokens/:id/revoke", write(policies.AreaTokens), h.tokenRevokeSubmit)
	pages.GET("/audit", read(policies.AreaAudit), h.auditShow)
	pages.GET("/kb", read(policies.AreaKB), h.kbShow)
	pages.POST("/kb/order", write(policies.AreaKB), h.kbOrderSubmit)
	pages.GET("/kb/categories/new", write(policies.AreaKB), h.kbCategoryNew)
	pages.POST("/kb/categories", write(policies.AreaKB), h.kbCategorySubmit)
	pages.GET("/kb/categories/:id", read(policies.AreaKB), h.kbCategoryShow)
	pages.POST("/kb/categories/:id", write(policies.AreaKB), h.kbCategorySubmit)
	pages.POST("/kb/categories/:id/delete", write(policies.AreaKB), h.kbGroupDelete(svcportal.KBLevelCategory))
	pages.GET("/kb/sections/new", write(policies.AreaKB), h.kbSectionNew)
	pages.POST("/kb/sections", write(policies.AreaKB), h.kbSectionSubmit)
	pages.GET("/kb/sections/:id", read(policies.AreaKB), h.kbSectionShow)
	pages.POST("/kb/sections/:id", write(policies.AreaKB), h.kbSectionSubmit)
	pages.POST("/kb/sections/:id/order", write(policies.AreaKB), h.kbSectionOrderSubmit)
	pages.POST("/kb/sections/:id/delete", write(policies.AreaKB), h.kbGroupDelete(svcportal.KBLevelSection))
	pages.GET("/kb/articles/new", write(policies.AreaKB), h.kbArticleNew)
	pages.POST("/kb/articles", write(policies.AreaKB), h.kbArticleSubmit)
	pages.GET("/kb/articles/:id", read(policies.AreaKB), h.kbArticlePage)
	pages.POST("/kb/articles/:id", write(policies.AreaKB), h.kbArticleSubmit)
	pages.POST("/kb/articles/:id/publish", write(policies.AreaKB), h.kbArticleStateSubmit(svcportal.KBPublished, "published"))
	pages.POST("/kb/articles/:id/unpublish", write(policies.AreaKB), h.kbArticleStateSubmit(svcportal.KBDraft, "unpublished"))
	pages.POST("/kb/articles/:id/delete", write(policies.AreaKB), h.kbArticleDeleteSubmit)
	pages.uploads().POST("/kb/articles/:id/files", write(policies.AreaKB), h.kbArticleFilesSubmit)
	pages.POST("/kb/articles/:id/files/:file/delete", write(policies.AreaKB), h.kbArticleFileDeleteSubmit)

	pages.GET("/staff", read(policies.AreaStaff), h.staffShow)
	pages.POST("/staff", write(policies.AreaStaff), h.staffInviteSubmit)
	pages.POST("/staff/:id", write(policies.AreaStaff), h.staffUpdateSubmit)
	pages.POST("/staff/:id/invitation", write(policies.AreaStaff), h.staffReinviteSubmit)

	pages.GET("/settings", read(policies.AreaSettings), h.settingsPageShow)
	pages.POST("/settings", write(policies.AreaSettings), h.settingsSubmit)
	pages.GET("/settings/preview.css", read(policies.AreaSettings), h.settingsPreviewCSS)
	pages.uploads().POST("/settings/logo", write(policies.AreaSettings), h.settingsUpload(svcportal.AssetLogo))
	pages.uploads().POST("/settings/favicon", write(policies.AreaSettings), h.settingsUpload(svcportal.AssetFavicon))
	pages.POST("/settings/sso", write(policies.AreaSettings), h.settingsSSO)
	pages.GET("/settings/wording", read(policies.AreaSettings), h.wordingShow)
	pages.POST("/settings/wording", write(policies.AreaSettings), h.wordingSubmit)

	pages.GET("/announcements", read(policies.AreaAnnouncements), h.announcementsShow)
	pages.POST("/announcements", write(policies.AreaAnnouncements), h.announcementSubmit)
	pages.GET("/announcements/:id", read(policies.AreaAnnouncements), h.announcementEdit)
	pages.POST("/announcements/:id", write(policies.AreaAnnouncements), h.announcementSubmit)

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
	{"/admin/contacts", "console.nav.contacts", read(policies.AreaContacts)},
	{"/admin/sites", "console.nav.sites", read(policies.AreaSites)},
	{"/admin/fields", "console.nav.fields", read(policies.AreaFields)},
	{"/admin/announcements", "console.nav.announcements", read(policies.AreaAnnouncements)},
	{"/admin/kb", "console.nav.kb", read(policies.AreaKB)},
	{"/admin/staff", "console.nav.staff", read(policies.AreaStaff)},
	{"/admin/tokens", "console.nav.tokens", read(policies.AreaTokens)},
	{"/admin/audit", "console.nav.audit", read(policies.AreaAudit)},
	{"/admin/settings", "console.nav.settings", read(policies.AreaSettings)},
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

// openStatuses are the statuses of a ticket not yet closed.
var openStatuses = []string{svcportal.StatusOpen, svcportal.StatusInProgress, svcportal.StatusAwaitingReply, svcportal.StatusSolutionProposed}
