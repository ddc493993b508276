// Package admin serves the admin console of each tenant for its staff:
// the /admin pages and the /api/v1/admin JSON API. Staff sign in
// with a session cookie or call it with an API token
// ("Authorization: Bearer …", made with `portal token create`). It sees
// storage only through the root package's interfaces, wired in cmd/portal.
package admin

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/policies"
	"github.com/svcportal/svcportal/ticketapi"
	"github.com/svcportal/svcportal/web"
)

// Deps are the services the admin console needs: each checks and writes
// its own rules, so the handlers only parse, call and render.
type Deps struct {
	Accounts     svcportal.AccountService // staff sign-in and sessions
	Staff        svcportal.StaffAccounts  // the team, profiles, resets, invitations
	ContactAdmin svcportal.ContactAdmin   // the tenant's contacts
	Imports      svcportal.ContactImports // contacts imports run in the background
	Sites        svcportal.SiteAdmin      // the tenant's client sites
	Tickets      svcportal.TicketService  // tickets, as staff work them
	Tenant       svcportal.TenantAdmin    // the tenant's settings and branding
	Fields       svcportal.FieldAdmin     // custom fields and their policy rules
	KB           svcportal.KBAdmin        // the knowledge base: staff read, admins write
	SSO          svcportal.SSOAdmin       // the tenant's single sign-on provider
	Tokens       svcportal.APITokenAdmin  // admin API tokens
	Inbound      svcportal.InboundService // the tenant's inbound email address and token
	Webhooks     svcportal.WebhookAdmin   // the tenant's webhook endpoints
	Audit        svcportal.AuditLog       // the tenant's audit log
	// Announcements are the notices posted to contacts.
	Announcements svcportal.AnnouncementAdmin
	// Wording is the tenant's overrides of the catalogs' messages.
	Wording svcportal.WordingAdmin
	// Now is the clock (whether an announcement runs); nil is time.Now.
	Now       func() time.Time
	Dashboard svcportal.DashboardService // the landing page's charts
	// Blobs keeps the contents of attachments.
	Blobs         svcportal.BlobStore
	SecureCookies bool
}

// SessionCookie is the name of the staff session cookie.
const SessionCookie = "portal_admin_session"

type handlers struct {
	deps     Deps
	sessions web.Sessions
	roles    *policies.StaffRoles
	routes   *Routes
}

// Register adds the console's pages and the admin API to srv, top to
// bottom. Every route declares the area and action it needs, and one
// middleware (authorize) checks them against the staff policy of
// policies; the answer says which permission each route declared.
func Register(srv *web.Server, deps Deps) *Routes {
	roles, err := policies.NewStaffRoles()
	if err != nil {
		panic(err) // the policy is embedded: a broken one is a bug any test catches
	}
	routes := &Routes{perms: map[string]policies.Permission{}}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	h := &handlers{deps: deps, roles: roles, routes: routes, sessions: web.Sessions{
		Cookie: SessionCookie, Kind: svcportal.PrincipalStaff, Auth: deps.Accounts,
		Secure: deps.SecureCookies, Lifetime: 30 * 24 * time.Hour,
	}}
	h.registerPages(srv)

	api := router{g: srv.Tenant.Group("/api/v1/admin", web.LimitBody, h.bearer, h.sessions.Load, h.authorize), routes: routes}
	api.POST("/auth/login", public, h.login)
	api.POST("/auth/logout", public, h.logout)

	api.GET("/me", read(policies.AreaProfile), h.me)
	api.GET("/sites", read(policies.AreaSites), h.siteList)
	api.GET("/sites/:id", read(policies.AreaSites), h.siteShow)
	api.GET("/contacts", read(policies.AreaContacts), h.contactList)
	api.GET("/contacts/:id", read(policies.AreaContacts), h.contactShow)
	api.GET("/contacts/:id/identities", read(policies.AreaContacts), h.contactIdentities)
	api.GET("/ticket-fields", read(policies.AreaFields), h.fieldList)
	api.GET("/ticket-fields/:key", read(policies.AreaFields), h.fieldShow)
	api.GET("/field-policies", read(policies.AreaFields), h.policyList)
	api.GET("/tickets", read(policies.AreaTickets), ticketapi.List(deps.Tickets))
	api.GET("/tickets/:number", read(policies.AreaTickets), ticketapi.Show(deps.Tickets))
	api.PATCH("/tickets/:number", write(policies.AreaTickets), web.PathAction(http.StatusOK, "number", h.ticketUpdate))
	api.uploads().POST("/tickets/:number/replies", write(policies.AreaTickets), ticketapi.Reply(deps.Tickets, deps.Blobs, true))
	api.GET("/attachments/:id", read(policies.AreaTickets), ticketapi.Attachment(deps.Tickets, deps.Blobs))
	api.POST("/tickets/:number/propose-solution", write(policies.AreaTickets), web.PathAction(http.StatusOK, "number", h.ticketPropose))

	api.GET("/settings", read(policies.AreaSettings), h.settingsShow)
	api.PATCH("/settings", write(policies.AreaSettings), h.settingsUpdate)
	api.uploads().PUT("/settings/logo", write(policies.AreaSettings), h.settingsAsset(svcportal.AssetLogo))
	api.uploads().PUT("/settings/favicon", write(policies.AreaSettings), h.settingsAsset(svcportal.AssetFavicon))
	api.GET("/settings/oidc", read(policies.AreaSettings), h.oidcShow)
	api.PUT("/settings/oidc", write(policies.AreaSettings), h.oidcPut)
	api.DELETE("/settings/oidc", write(policies.AreaSettings), h.oidcDelete)
	api.GET("/messages", read(policies.AreaSettings), h.apiMessages)
	api.PUT("/messages/:locale", write(policies.AreaSettings), h.apiMessagesPut)
	api.GET("/announcements", read(policies.AreaAnnouncements), h.apiAnnouncementList)
	api.POST("/announcements", write(policies.AreaAnnouncements), h.apiAnnouncementCreate)
	api.PATCH("/announcements/:id", write(policies.AreaAnnouncements), web.PathAction(http.StatusOK, "id", h.apiAnnouncementUpdate))
	api.DELETE("/announcements/:id", write(policies.AreaAnnouncements), h.apiAnnouncementDelete)
	api.POST("/sites", write(policies.AreaSites), h.siteCreate)
	api.PATCH("/sites/:id", write(policies.AreaSites), h.siteUpdate)
	api.DELETE("/sites/:id", write(policies.AreaSites), h.siteDelete)
	api.GET("/sites/:id/oidc", read(policies.AreaSettings), h.siteOIDCShow)
	api.PUT("/sites/:id/oidc", write(policies.AreaSettings), h.siteOIDCPut)
	api.DELETE("/sites/:id/oidc", write(policies.AreaSettings), h.siteOIDCDelete)
	api.POST("/contacts", write(policies.AreaContacts), h.contactCreate)
	api.PATCH("/contacts/:id", write(policies.AreaContacts), h.contactUpdate)
	api.DELETE("/contacts/:id", write(policies.AreaContacts), h.contactDelete)
	api.POST("/contacts/:id/welcome", write(policies.AreaContacts), h.contactWelcome)
	api.GET("/contacts/:id/export", write(policies.AreaContacts), h.contactExport)
	api.POST("/contacts/:id/erase", write(policies.AreaContacts), h.contactErase)
	api.DELETE("/contacts/:id/identities/:identity", write(policies.AreaContacts), h.contactIdentityUnlink)
	api.POST("/ticket-fields", write(policies.AreaFields), h.fieldCreate)
	api.PATCH("/ticket-fields/:key", write(policies.AreaFields), h.fieldUpdate)
	api.DELETE("/ticket-fields/:key", write(policies.AreaFields), h.fieldDelete)
	api.PUT("/field-policies", write(policies.AreaFields), h.policyPut)
	api.DELETE("/field-policies", write(policies.AreaFields), h.policyDelete)

	cats, secs := h.kbCategoryAPI(), h.kbSectionAPI()
	api.GET("/kb/categories", read(policies.AreaKB), cats.listAll)
	api.GET("/kb/categories/:id", read(policies.AreaKB), cats.show)
	api.GET("/kb/sections", read(policies.AreaKB), secs.listAll)
	api.GET("/kb/sections/:id", read(policies.AreaKB), secs.show)
	api.GET("/kb/articles", read(policies.AreaKB), h.kbArticleList)
	api.GET("/kb/articles/:id", read(policies.AreaKB), h.kbArticleShow)
	api.GET("/kb/articles/:id/attachments", read(policies.AreaKB), h.kbFileList)
	api.POST("/kb/categories", write(policies.AreaKB), cats.add)
	api.PATCH("/kb/categories/:id", write(policies.AreaKB), cats.change)
	api.DELETE("/kb/categories/:id", write(policies.AreaKB), cats.delete)
	api.POST("/kb/sections", write(policies.AreaKB), secs.add)
	api.PATCH("/kb/sections/:id", write(policies.AreaKB), secs.change)
	api.DELETE("/kb/sections/:id", write(policies.AreaKB), secs.delete)
	api.POST("/kb/preview", write(policies.AreaKB), h.kbPreview)
	api.POST("/kb/articles", write(policies.AreaKB), h.kbArticleCreate)
	api.PATCH("/kb/articles/:id", write(policies.AreaKB), h.kbArticleUpdate)
	api.POST("/kb/articles/:id/publish", write(policies.AreaKB), h.kbArticleState(svcportal.KBPublished))
	api.POST("/kb/articles/:id/unpublish", write(policies.AreaKB), h.kbArticleState(svcportal.KBDraft))
	api.DELETE("/kb/articles/:id", write(policies.AreaKB), h.kbArticleDelete)
	api.uploads().POST("/kb/articles/:id/attachments", write(policies.AreaKB), h.kbFilesAdd)
	api.DELETE("/kb/articles/:id/attachments/:file", write(policies.AreaKB), h.kbFileDelete)

	api.GET("/tokens", read(policies.AreaTokens), h.tokenList)
	api.POST("/tokens", write(policies.AreaTokens), h.tokenCreate)
	api.DELETE("/tokens/:id", write(policies.AreaTokens), h.tokenRevoke)
	api.GET("/audit", read(policies.AreaAudit), h.apiAuditList)

	api.GET("/webhooks", read(policies.AreaWebhooks), h.webhookList)
	api.POST("/webhooks", write(policies.AreaWebhooks), h.webhookCreate)
	api.PATCH("/webhooks/:id", write(policies.AreaWebhooks), h.webhookUpdate)
	api.DELETE("/webhooks/:id", write(policies.AreaWebhooks), h.webhookDelete)
	api.GET("/webhooks/:id/deliveries", read(policies.AreaWebhooks), h.webhookDeliveries)

	api.GET("/staff", read(policies.AreaStaff), h.apiStaffList)
	api.POST("/staff", write(policies.AreaStaff), h.apiStaffInvite)
	api.PATCH("/staff/:id", write(policies.AreaStaff), web.PathAction(http.StatusOK, "id", h.apiStaffUpdate))
	api.DELETE("/staff/:id", write(policies.AreaStaff), h.apiStaffDisable)
	api.POST("/staff/:id/invitation", write(policies.AreaStaff), h.apiStaffReinvite)
	return routes
}

// bearer signs in a request that carries an API token. Such requests are
// not cookie-authenticated, so they need no CSRF token.
func (h *handlers) bearer(c *gin.Context) {
	auth := c.GetHeader("Authorization")
	token, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok {
		c.Next()
		return
	}
	p, err := h.deps.Accounts.AuthenticateBearer(c.Request.Context(), strings.TrimSpace(token))
	if err != nil {
		web.Fail(c, err)
		c.Abort()
		return
	}
	web.SetPrincipal(c, p)
	c.Next()
}

// queryInt reads an optional positive integer query parameter.
func queryInt(c *gin.Context, name string) (int, error) {
	v := c.Query(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, &svcportal.Error{Kind: svcportal.KindInvalid, MessageID: "error.wrong_type",
			Fields: map[string]svcportal.FieldError{name: {MessageID: "error.wrong_type"}}}
	}
	return n, nil
}

func (h *handlers) me(c *gin.Context) error {
	c.JSON(http.StatusOK, web.Principal(c).Staff)
	return nil
}
