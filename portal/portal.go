// Package portal serves the client-facing portal of each tenant: its pages
// and the /api/v1 JSON API. It sees storage only through the root package's
// interfaces, wired in cmd/portal.
package portal

import (
	"embed"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/ticketapi"
	"github.com/svcportal/svcportal/web"
)

//go:embed templates
var templates embed.FS

// Deps are the services the portal needs.
type Deps struct {
	Accounts svcportal.AccountService
	Tickets  svcportal.TicketService
	Blobs    svcportal.BlobStore
	// SecureCookies marks session cookies Secure even on plain HTTP, for
	// deployments behind a TLS-terminating proxy.
	SecureCookies bool
	// KB is the knowledge base contacts read and search.
	KB svcportal.KnowledgeBase
	// SSO signs contacts in with their tenant's OpenID Connect provider;
	// nil hides single sign-on.
	SSO svcportal.SSOService
	// Inbound takes email for the tenant; nil leaves out its endpoint.
	Inbound svcportal.InboundService
	// Announcements are the notices of the contact's sites.
	Announcements svcportal.AnnouncementReader
	// Now is the clock of the service hours; nil is time.Now.
	Now func() time.Time
}

// SessionCookie is the name of the contact session cookie.
const SessionCookie = "portal_session"

type handlers struct {
	deps     Deps
	sessions web.Sessions
}

// Register adds the portal's pages and API to srv, top to bottom.
func Register(srv *web.Server, deps Deps) {
	h := &handlers{deps: deps, sessions: web.Sessions{
		Cookie: SessionCookie, Kind: svcportal.PrincipalContact, Auth: deps.Accounts,
		Secure: deps.SecureCookies, Lifetime: 30 * 24 * time.Hour,
	}}
	r := srv.Renderer
	for _, page := range []string{"home", "login", "profile", "password", "settings", "tickets", "ticket_new", "ticket",
		"forgot_password", "reset_password", "set_password", "confirm_email"} {
		r.MustAdd("portal/"+page, templates, "templates/nav.html", "templates/ticket_fields.html", "templates/notices.html", "templates/"+page+".html")
	}

	r.AddErrorPages("portal/", templates, "templates/nav.html")
	// Failures and unknown paths are shown in the reader's language, with
	// their navigation (signed in or not).
	srv.NoRoute("/", web.LimitBody, h.sessions.Load, web.ErrorPages("portal/"))

	pages := srv.Tenant.Group("/", web.LimitBody, h.sessions.Load, h.forcePasswordChange, web.ErrorPages("portal/"))
	pages.GET("/", web.H(h.home))
	pages.GET("/login", web.H(h.loginForm))
	pages.POST("/login", web.H(h.loginSubmit))
	pages.POST("/logout", web.H(h.logoutSubmit))
	if deps.SSO != nil {
		pages.GET("/login/sso", web.H(h.ssoStart))
		pages.GET(web.SSOCallbackPath, web.H(h.ssoCallback))
	}
	pages.GET("/forgot-password", web.H(h.forgotForm))
	pages.POST("/forgot-password", web.H(h.forgotSubmit))
	pages.GET("/reset-password", web.H(h.resetForm))
	pages.POST("/reset-password", web.H(h.resetSubmit))
	pages.GET("/set-password", web.H(h.setPasswordForm))
	pages.POST("/set-password", web.H(h.setPasswordSubmit))
	pages.GET("/confirm-email", web.H(h.confirmEmailForm))
	pages.POST("/confirm-email", web.H(h.confirmEmailSubmit))
	signedIn := pages.Group("/", h.requireContact)
	signedIn.GET("/profile", web.H(h.profileShow))
	signedIn.POST("/profile", web.H(h.profileSave))
	signedIn.GET("/profile/password", web.H(h.passwordForm))
	signedIn.POST("/profile/password", web.H(h.passwordSave))
	signedIn.GET("/settings", web.H(h.settingsShow))
	signedIn.POST("/settings", web.H(h.settingsSave))
	signedIn.GET("/tickets", web.H(h.ticketList))
	signedIn.GET("/tickets/new", web.H(h.ticketNew))
	signedIn.POST("/tickets/new", web.AcceptUploads, web.H(h.ticketSuggest))
	signedIn.POST("/tickets", web.AcceptUploads, web.H(h.ticketCreate))
	signedIn.GET("/tickets/:number", web.H(h.ticketShow))
	signedIn.POST("/tickets/:number/reply", web.AcceptUploads, web.H(h.ticketFormAction("replied", h.ticketReplySubmit)))
	signedIn.POST("/tickets/:number/solution", web.H(h.ticketFormAction("decided", h.ticketDecideSubmit)))
	signedIn.POST("/tickets/:number/close", web.H(h.ticketFormAction("closed", h.ticketCloseSubmit)))
	signedIn.POST("/tickets/:number/rating", web.H(h.ticketFormAction("rated", h.ticketRateSubmit)))
	signedIn.POST("/tickets/:number/fields", web.H(h.ticketFormAction("fields", h.ticketFieldsSubmit)))

	if deps.Inbound != nil {
		// A bearer token of its own, no session: an MTA calls it.
		srv.Tenant.Group("/api/v1/inbound").POST("/email", web.H(h.inboundEmail))
	}

	api := srv.Tenant.Group("/api/v1", web.LimitBody, h.sessions.Load, h.forcePasswordChange)
	api.POST("/auth/login", web.H(h.apiLogin))
	api.POST("/auth/logout", web.H(h.apiLogout))
	api.POST("/auth/password-reset", web.H(h.apiResetRequest))
	api.POST("/auth/password-reset/confirm", web.H(h.apiResetConfirm))
	api.POST("/auth/email-change/confirm", web.H(h.apiEmailConfirm))
	me := api.Group("/", h.requireContact)
	me.GET("/me", web.H(h.apiMe))
	me.PATCH("/me", web.H(h.apiMeUpdate))
	me.POST("/me/password", web.H(h.apiMePassword))
	me.GET("/ticket-fields", web.H(h.apiTicketFields))
	me.GET("/tickets", web.H(ticketapi.List(deps.Tickets)))
	me.POST("/tickets", web.AcceptUploads, web.H(h.apiTicketCreate))
	me.GET("/tickets/:number", web.H(ticketapi.Show(deps.Tickets)))
	me.PATCH("/tickets/:number", web.H(web.PathAction(http.StatusOK, "number", h.apiTicketUpdate)))
	me.POST("/tickets/:number/replies", web.AcceptUploads, web.H(ticketapi.Reply(deps.Tickets, deps.Blobs, false)))
	me.GET("/attachments/:id", web.H(ticketapi.Attachment(deps.Tickets, deps.Blobs)))
	me.POST("/tickets/:number/solution", web.H(web.PathAction(http.StatusOK, "number", h.apiTicketSolution)))
	me.POST("/tickets/:number/close", web.H(web.PathAction(http.StatusOK, "number", h.apiTicketClose)))
	me.POST("/tickets/:number/rating", web.H(web.PathAction(http.StatusOK, "number", h.apiTicketRate)))

	for _, page := range []string{"kb", "kb_article", "kb_search", "kb_browse"} {
		r.MustAdd("portal/"+page, templates, "templates/nav.html", "templates/ticket_fields.html", "templates/kb_partials.html", "templates/"+page+".html")
	}
	// Reading: contacts, and anyone when the knowledge base is public.
	reading := pages.Group("/", h.kbReader)
	reading.GET("/kb", web.H(h.kbIndex))
	reading.GET("/kb/search", web.H(h.kbSearch))
	reading.GET("/kb/articles/:id", web.H(h.kbArticle))
	reading.GET("/kb/categories/:id", web.H(h.kbCategory))
	reading.GET("/kb/sections/:id", web.H(h.kbSection))
	signedIn.POST("/kb/articles/:id/vote", web.H(h.kbVoteSubmit))
	readingAPI := api.Group("/", h.kbReader)
	readingAPI.GET("/kb/categories", web.H(h.apiKBCategories))
	readingAPI.GET("/kb/articles/:id", web.H(h.apiKBArticle))
	readingAPI.GET("/kb/search", web.H(h.apiKBSearch))
	readingAPI.GET("/kb/files/:id", web.H(h.apiKBFile))
	me.POST("/kb/articles/:id/vote", web.H(h.apiKBVote))
}

// now is the time of the service hours.
func (h *handlers) now() time.Time {
	if h.deps.Now != nil {
		return h.deps.Now()
	}
	return time.Now()
}

// requireContact sends a visitor who is not signed in to the login page
// (pages) or answers 401 (API).
func (h *handlers) requireContact(c *gin.Context) {
	if web.Principal(c) != nil {
		c.Next()
		return
	}
	if web.IsAPI(c) {
		web.Fail(c, svcportal.NewError(svcportal.KindUnauthorized, "error.unauthorized"))
		c.Abort()
		return
	}
	c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
	c.Abort()
}

// kbReader lets anyone read the knowledge base of a tenant that made it
// public (kb_public); otherwise it is requireContact.
func (h *handlers) kbReader(c *gin.Context) {
	if t := svcportal.TenantFrom(c.Request.Context()); web.Principal(c) == nil && t != nil && t.KBPublic {
		c.Next()
		return
	}
	h.requireContact(c)
}

// allowedWhilePasswordMustChange are the only places a contact whose
// password must change may reach (besides reading GET /api/v1/me).
var allowedWhilePasswordMustChange = map[string]bool{
	"/profile/password": true, "/logout": true, "/login": true,
	"/api/v1/me/password": true, "/api/v1/auth/logout": true, "/api/v1/auth/login": true,
}

// forcePasswordChange keeps a contact with the must-change-password flag
// on the password page (or answers 403 on the API) until they choose one.
func (h *handlers) forcePasswordChange(c *gin.Context) {
	p := web.Principal(c)
	path := c.Request.URL.Path
	mustChange := p != nil && p.Contact != nil && p.Contact.MustChangePassword
	allowed := allowedWhilePasswordMustChange[path] || path == "/api/v1/me" && c.Request.Method == http.MethodGet
	switch {
	case !mustChange || allowed:
		c.Next()
		return
	case web.IsAPI(c):
		web.Fail(c, &svcportal.Error{Kind: svcportal.KindForbidden, Code: "password_change_required", MessageID: "error.password_change_required"})
	default:
		c.Redirect(http.StatusSeeOther, "/profile/password")
	}
	c.Abort()
}

// safeNext keeps a post-login redirect on this host: a local path, never
// another origin ("//evil", "/\\evil", "https://…").
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	if u, err := url.Parse(next); err != nil || u.Host != "" || u.Scheme != "" {
		return "/"
	}
	return next
}
