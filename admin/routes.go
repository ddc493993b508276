package admin

import (
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/policies"
	"github.com/svcportal/svcportal/web"
)

// Routes records the permission that each console page and admin API
// route declared when it was registered, by method and gin path.
type Routes struct {
	perms map[string]policies.Permission
}

// Permission returns what the route (method, gin path pattern such as
// /admin/tickets/:number) declared, and whether it declared anything.
func (r *Routes) Permission(method, path string) (policies.Permission, bool) {
	p, ok := r.perms[method+" "+path]
	return p, ok
}

// router registers routes on a group, each with the permission it needs.
type router struct {
	g      *gin.RouterGroup
	routes *Routes
	files  bool // the routes take multipart bodies with files
}

// uploads is the router for routes that take files (web.AcceptUploads):
// every other route refuses a multipart body unread.
func (rt router) uploads() router {
	rt.files = true
	return rt
}

func (rt router) handle(method, relative string, perm policies.Permission, h web.HandlerFunc) {
	rt.routes.perms[method+" "+joinPaths(rt.g.BasePath(), relative)] = perm
	if rt.files {
		rt.g.Handle(method, relative, web.AcceptUploads, web.H(h))
		return
	}
	rt.g.Handle(method, relative, web.H(h))
}

// GET, POST, PUT, PATCH and DELETE register a route that needs perm.
func (rt router) GET(p string, perm policies.Permission, h web.HandlerFunc) {
	rt.handle(http.MethodGet, p, perm, h)
}
func (rt router) POST(p string, perm policies.Permission, h web.HandlerFunc) {
	rt.handle(http.MethodPost, p, perm, h)
}
func (rt router) PUT(p string, perm policies.Permission, h web.HandlerFunc) {
	rt.handle(http.MethodPut, p, perm, h)
}
func (rt router) PATCH(p string, perm policies.Permission, h web.HandlerFunc) {
	rt.handle(http.MethodPatch, p, perm, h)
}
func (rt router) DELETE(p string, perm policies.Permission, h web.HandlerFunc) {
	rt.handle(http.MethodDelete, p, perm, h)
}

// joinPaths joins a group's base path and a route's path as gin does, so
// the key matches c.FullPath().
func joinPaths(base, relative string) string {
	if relative == "" {
		return base
	}
	final := path.Join(base, relative)
	if strings.HasSuffix(relative, "/") && !strings.HasSuffix(final, "/") {
		return final + "/"
	}
	return final
}

// public needs nobody signed in; read and write an action on an area.
var public = policies.Permission{Area: policies.AreaPublic}

func read(area string) policies.Permission {
	return policies.Permission{Area: area, Action: policies.Read}
}
func write(area string) policies.Permission {
	return policies.Permission{Area: area, Action: policies.Write}
}

// allowedWhilePasswordMustChange are the only places a staff member whose
// password must change may reach.
var allowedWhilePasswordMustChange = map[string]bool{
	"GET /admin/profile": true, "POST /admin/profile/password": true, "POST /admin/logout": true,
	"GET /api/v1/admin/me": true,
}

// authorize is the one check of every console page and admin API route:
// the route's declared permission, the signed-in staff member's role and
// the staff policy decide. A route that declared nothing is refused. The
// unsigned are sent to /admin/login (pages) or answered 401 (API); staff
// whose role does not allow it get 403; staff who must change their
// password are kept on their profile until they do.
func (h *handlers) authorize(c *gin.Context) {
	route := c.Request.Method + " " + c.FullPath()
	perm, ok := h.routes.perms[route]
	if !ok {
		web.Logger(c).ErrorContext(c.Request.Context(), "admin route without a declared permission", "route", route)
		h.refuse(c, svcportal.NewError(svcportal.KindForbidden, "error.forbidden"))
		return
	}
	if perm.Area == policies.AreaPublic {
		c.Next()
		return
	}
	p := web.Principal(c)
	if p == nil || p.Staff == nil {
		if web.IsAPI(c) {
			h.refuse(c, svcportal.NewError(svcportal.KindUnauthorized, "error.unauthorized"))
			return
		}
		next := c.Request.URL.RequestURI()
		if c.Request.Method != http.MethodGet {
			next = "/admin"
		}
		c.Redirect(http.StatusSeeOther, "/admin/login?next="+url.QueryEscape(next))
		c.Abort()
		return
	}
	if p.Staff.MustChangePassword && !allowedWhilePasswordMustChange[route] {
		if web.IsAPI(c) {
			h.refuse(c, &svcportal.Error{Kind: svcportal.KindForbidden, Code: "password_change_required", MessageID: "error.password_change_required"})
			return
		}
		c.Redirect(http.StatusSeeOther, "/admin/profile")
		c.Abort()
		return
	}
	allowed, err := h.roles.Allow(p.Staff.Role, perm)
	if err != nil {
		h.refuse(c, err)
		return
	}
	if !allowed {
		h.refuse(c, svcportal.NewError(svcportal.KindForbidden, "error.forbidden"))
		return
	}
	c.Next()
}

func (h *handlers) refuse(c *gin.Context, err error) {
	web.Fail(c, err)
	c.Abort()
}

// may reports whether the request's staff member may take perm; for
// links and forms a page offers.
func (h *handlers) may(c *gin.Context, perm policies.Permission) bool {
	p := web.Principal(c)
	if p == nil || p.Staff == nil {
		return false
	}
	ok, err := h.roles.Allow(p.Staff.Role, perm)
	return err == nil && ok
}
