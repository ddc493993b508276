// Package admin serves the admin console of each tenant for its staff:
// the /api/v1/admin JSON API (and, later, the /admin pages). Staff sign in
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
	"github.com/svcportal/svcportal/ticketapi"
	"github.com/svcportal/svcportal/web"
)

// Deps are the services the admin console needs.
type Deps struct {
	Accounts      svcportal.AccountService
	ContactAdmin  svcportal.ContactAdmin
	Contacts      svcportal.ContactStore
	Sites         svcportal.SiteStore
	Tickets       svcportal.TicketService
	Tenant        svcportal.TenantAdmin
	Blobs         svcportal.BlobStore
	Fields        svcportal.TicketFieldStore
	Policies      svcportal.PolicyAdmin
	SecureCookies bool
	// KB manages the knowledge base: staff read, admins write.
	KB svcportal.KBAdmin
	// OIDC keeps the tenant's single sign-on provider.
	OIDC svcportal.TenantOIDCStore
	// Tokens lists, makes and revokes admin API tokens.
	Tokens svcportal.APITokenAdmin
}

// SessionCookie is the name of the staff session cookie.
const SessionCookie = "portal_admin_session"

type handlers struct {
	deps     Deps
	sessions web.Sessions
}

// Register adds the admin API to srv, top to bottom.
func Register(srv *web.Server, deps Deps) {
	h := &handlers{deps: deps, sessions: web.Sessions{
		Cookie: SessionCookie, Kind: svcportal.PrincipalStaff, Auth: deps.Accounts,
		Secure: deps.SecureCookies, Lifetime: 30 * 24 * time.Hour,
	}}
	api := srv.Tenant.Group("/api/v1/admin", web.LimitBody, h.bearer, h.sessions.Load)
	api.POST("/auth/login", web.H(h.login))
	api.POST("/auth/logout", web.H(h.logout))

	staff := api.Group("/", h.requireStaff)
	staff.GET("/me", web.H(h.me))
	staff.GET("/sites", web.H(h.siteList))
	staff.GET("/sites/:id", web.H(h.siteShow))
	staff.GET("/contacts", web.H(h.contactList))
	staff.GET("/contacts/:id", web.H(h.contactShow))
	staff.GET("/ticket-fields", web.H(h.fieldList))
	staff.GET("/ticket-fields/:key", web.H(h.fieldShow))
	staff.GET("/field-policies", web.H(h.policyList))
	staff.GET("/tickets", web.H(ticketapi.List(deps.Tickets)))
	staff.GET("/tickets/:number", web.H(ticketapi.Show(deps.Tickets)))
	staff.PATCH("/tickets/:number", web.H(web.PathAction(http.StatusOK, "number", h.ticketUpdate)))
	staff.POST("/tickets/:number/replies", web.AcceptUploads, web.H(ticketapi.Reply(deps.Tickets, deps.Blobs, true)))
	staff.GET("/attachments/:id", web.H(ticketapi.Attachment(deps.Tickets, deps.Blobs)))
	staff.POST("/tickets/:number/propose-solution", web.H(web.PathAction(http.StatusOK, "number", h.ticketPropose)))

	admins := staff.Group("/", h.requireAdmin)
	admins.GET("/settings", web.H(h.settingsShow))
	admins.PATCH("/settings", web.H(h.settingsUpdate))
	admins.PUT("/settings/logo", web.AcceptUploads, web.H(h.settingsAsset(svcportal.AssetLogo)))
	admins.PUT("/settings/favicon", web.AcceptUploads, web.H(h.settingsAsset(svcportal.AssetFavicon)))
	admins.GET("/settings/oidc", web.H(h.oidcShow))
	admins.PUT("/settings/oidc", web.H(h.oidcPut))
	admins.DELETE("/settings/oidc", web.H(h.oidcDelete))
	admins.POST("/sites", web.H(h.siteCreate))
	admins.PATCH("/sites/:id", web.H(h.siteUpdate))
	admins.DELETE("/sites/:id", web.H(h.siteDelete))
	admins.POST("/contacts", web.H(h.contactCreate))
	admins.PATCH("/contacts/:id", web.H(h.contactUpdate))
	admins.DELETE("/contacts/:id", web.H(h.contactDelete))
	admins.POST("/contacts/:id/welcome", web.H(h.contactWelcome))
	admins.POST("/ticket-fields", web.H(h.fieldCreate))
	admins.PATCH("/ticket-fields/:key", web.H(h.fieldUpdate))
	admins.DELETE("/ticket-fields/:key", web.H(h.fieldDelete))
	admins.PUT("/field-policies", web.H(h.policyPut))
	admins.DELETE("/field-policies", web.H(h.policyDelete))
	admins.GET("/tokens", web.H(h.tokenList))
	admins.POST("/tokens", web.H(h.tokenCreate))
	admins.DELETE("/tokens/:id", web.H(h.tokenRevoke))

	staff.GET("/kb/categories", web.H(h.kbCategoryList))
	staff.GET("/kb/categories/:id", web.H(h.kbCategoryShow))
	staff.GET("/kb/sections", web.H(h.kbSectionList))
	staff.GET("/kb/sections/:id", web.H(h.kbSectionShow))
	staff.GET("/kb/articles", web.H(h.kbArticleList))
	staff.GET("/kb/articles/:id", web.H(h.kbArticleShow))
	staff.GET("/kb/articles/:id/attachments", web.H(h.kbFileList))
	admins.POST("/kb/categories", web.H(h.kbCategoryCreate))
	admins.PATCH("/kb/categories/:id", web.H(h.kbCategoryUpdate))
	admins.DELETE("/kb/categories/:id", web.H(h.kbCategoryDelete))
	admins.POST("/kb/sections", web.H(h.kbSectionCreate))
	admins.PATCH("/kb/sections/:id", web.H(h.kbSectionUpdate))
	admins.DELETE("/kb/sections/:id", web.H(h.kbSectionDelete))
	admins.POST("/kb/articles", web.H(h.kbArticleCreate))
	admins.PATCH("/kb/articles/:id", web.H(h.kbArticleUpdate))
	admins.POST("/kb/articles/:id/publish", web.H(h.kbArticleState(svcportal.KBPublished)))
	admins.POST("/kb/articles/:id/unpublish", web.H(h.kbArticleState(svcportal.KBDraft)))
	admins.DELETE("/kb/articles/:id", web.H(h.kbArticleDelete))
	admins.POST("/kb/articles/:id/attachments", web.AcceptUploads, web.H(h.kbFilesAdd))
	admins.DELETE("/kb/articles/:id/attachments/:file", web.H(h.kbFileDelete))
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

func (h *handlers) requireStaff(c *gin.Context) {
	if p := web.Principal(c); p == nil || p.Staff == nil {
		web.Fail(c, svcportal.NewError(svcportal.KindUnauthorized, "error.unauthorized"))
		c.Abort()
		return
	}
	c.Next()
}

func (h *handlers) requireAdmin(c *gin.Context) {
	if web.Principal(c).Staff.Role != svcportal.StaffAdmin {
		web.Fail(c, svcportal.NewError(svcportal.KindForbidden, "error.forbidden"))
		c.Abort()
		return
	}
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
		return 0, svcportal.FieldErr(svcportal.KindInvalid, name, "error.wrong_type", nil)
	}
	return n, nil
}

func (h *handlers) me(c *gin.Context) error {
	c.JSON(http.StatusOK, web.Principal(c).Staff)
	return nil
}
