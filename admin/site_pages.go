package admin

import (
	"fmt"
	"net/http"
	"strings"
	"unicode"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/policies"
	"github.com/svcportal/svcportal/web"
)

// The client sites: /admin/sites (list, and a form to add one) and
// /admin/sites/{id} (its settings, its contacts, and what deleting it
// would do). Agents read them; admins change them (svcportal.SiteAdmin).

type sitesPage struct {
	page
	Sites    []svcportal.Site
	CanWrite bool
	// New is the add form's values.
	New struct {
		Name      string
		KBEnabled bool
	}
}

func (h *handlers) newSitesPage(c *gin.Context) (*sitesPage, error) {
	list, err := h.deps.Sites.Sites(c.Request.Context())
	if err != nil {
		return nil, err
	}
	pg := &sitesPage{page: h.newPage(c), Sites: list, CanWrite: h.may(c, write(policies.AreaSites))}
	pg.New.KBEnabled = true
	if c.Query("done") == "deleted" {
		pg.Notice = pg.T("console.sites.deleted")
	}
	return pg, nil
}

func (h *handlers) sitesShow(c *gin.Context) error {
	pg, err := h.newSitesPage(c)
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, "admin/sites", pg)
}

func (h *handlers) siteCreateSubmit(c *gin.Context) error {
	name, kb := c.PostForm("name"), c.PostForm("kb_enabled") == "on"
	site, err := h.deps.Sites.CreateSite(c.Request.Context(), svcportal.SiteChange{Name: &name, KBEnabled: &kb})
	if web.Redisplays(err) {
		pg, perr := h.newSitesPage(c)
		if perr != nil {
			return perr
		}
		pg.New.Name, pg.New.KBEnabled = name, kb
		pg.fail(c, err, "name")
		return web.Render(c, web.ErrorStatus(c, err), "admin/sites", pg)
	} else if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/admin/sites/%d?done=created", site.ID))
	return nil
}

type sitePage struct {
	page
	Site     *svcportal.Site
	Impact   *svcportal.SiteImpact
	Contacts []svcportal.Contact
	Total    int
	CanWrite bool
	// DeleteError says why the site could not be deleted.
	DeleteError string
	// CanSSO shows the site's own single sign-on provider (admins: it is
	// a setting), SSO its form, RedirectURI the address to register.
	CanSSO      bool
	SSO         siteSSOForm
	RedirectURI string
	// SSORequired says the saved provider requires single sign-on (the
	// form may show another choice, typed but refused).
	SSORequired bool
}

// siteSSOForm is the site's own provider as shown and typed; Domains as
// one line.
type siteSSOForm struct {
	Configured, SecretSet, AllowCreate, RequireSSO bool
	Issuer, ClientID, Label, Domains               string
}

func (h *handlers) newSitePage(c *gin.Context, id int64) (*sitePage, error) {
	ctx := c.Request.Context()
	site, err := h.deps.Sites.Site(ctx, id)
	if err != nil {
		return nil, err
	}
	impact, err := h.deps.Sites.SiteImpact(ctx, id)
	if err != nil {
		return nil, err
	}
	contacts, total, err := h.deps.ContactAdmin.Contacts(ctx, svcportal.ContactFilter{SiteID: id, PerPage: 50})
	if err != nil {
		return nil, err
	}
	pg := &sitePage{page: h.newPage(c), Site: site, Impact: impact, Contacts: contacts, Total: total,
		CanWrite: h.may(c, write(policies.AreaSites)), CanSSO: h.may(c, write(policies.AreaSettings)),
		RedirectURI: web.SSOCallbackURL(c, h.deps.SecureCookies)}
	if pg.CanSSO {
		o, err := h.deps.SSO.SiteOIDC(ctx, id)
		if err != nil {
			return nil, err
		}
		if o != nil {
			pg.SSO = siteSSOForm{Configured: true, SecretSet: o.ClientSecret != "", AllowCreate: o.AllowCreate, RequireSSO: o.RequireSSO,
				Issuer: o.Issuer, ClientID: o.ClientID, Label: o.Label, Domains: strings.Join(o.Domains, " ")}
			pg.SSORequired = o.RequireSSO
		}
	}
	switch c.Query("done") {
	case "created":
		pg.Notice = pg.T("console.sites.created")
	case "saved", "sso":
		pg.Notice = pg.T("console.sites.saved")
	}
	return pg, nil
}

func (h *handlers) siteShowPage(c *gin.Context) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	pg, err := h.newSitePage(c, id)
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, "admin/site", pg)
}

func (h *handlers) siteUpdateSubmit(c *gin.Context) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	name, kb := c.PostForm("name"), c.PostForm("kb_enabled") == "on"
	_, err = h.deps.Sites.UpdateSite(c.Request.Context(), id, svcportal.SiteChange{Name: &name, KBEnabled: &kb})
	if web.Redisplays(err) {
		pg, perr := h.newSitePage(c, id)
		if perr != nil {
			return perr
		}
		pg.Site.Name, pg.Site.KBEnabled = name, kb
		pg.fail(c, err, "name")
		return web.Render(c, web.ErrorStatus(c, err), "admin/site", pg)
	} else if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/admin/sites/%d?done=saved", id))
	return nil
}

// siteSSOSubmit saves (action save) or removes (action delete) the
// site's own single sign-on provider.
func (h *handlers) siteSSOSubmit(c *gin.Context) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	typed := siteSSOForm{Issuer: c.PostForm("issuer"), ClientID: c.PostForm("client_id"), Label: c.PostForm("label"),
		Domains: c.PostForm("domains"), AllowCreate: c.PostForm("allow_create") == "on", RequireSSO: c.PostForm("require_sso") == "on"}
	if c.PostForm("action") == "delete" {
		err = h.deps.SSO.DeleteSiteOIDC(ctx, id)
	} else {
		_, err = h.deps.SSO.PutSiteOIDC(ctx, id, svcportal.SiteOIDCChange{Issuer: typed.Issuer, ClientID: typed.ClientID,
			ClientSecret: secretChange(c), Label: typed.Label, Domains: splitDomains(typed.Domains), AllowCreate: typed.AllowCreate,
			RequireSSO: typed.RequireSSO})
	}
	if web.Redisplays(err) {
		pg, perr := h.newSitePage(c, id)
		if perr != nil {
			return perr
		}
		typed.Configured, typed.SecretSet = pg.SSO.Configured, pg.SSO.SecretSet
		pg.SSO = typed
		pg.fail(c, err, "issuer", "label", "client_id", "client_secret", "domains")
		return web.Render(c, web.ErrorStatus(c, err), "admin/site", pg)
	} else if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/admin/sites/%d?done=sso#sso", id))
	return nil
}

// splitDomains reads the domains typed in one field, separated by spaces,
// commas, semicolons or lines.
func splitDomains(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || unicode.IsSpace(r) })
}

func (h *handlers) siteDeleteSubmit(c *gin.Context) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	err = h.deps.Sites.DeleteSite(c.Request.Context(), id)
	if web.Redisplays(err) {
		pg, perr := h.newSitePage(c, id)
		if perr != nil {
			return perr
		}
		pg.DeleteError = web.ErrorMessage(c, err)
		pg.Alert = pg.DeleteError
		return web.Render(c, web.ErrorStatus(c, err), "admin/site", pg)
	} else if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/admin/sites?done=deleted")
	return nil
}
