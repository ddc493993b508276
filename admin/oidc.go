package admin

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/web"
)

// oidcSettings is the tenant's OpenID Connect provider as the API shows
// it: never the client secret, only whether one is set.
type oidcSettings struct {
	Configured   bool       `json:"configured"`
	Issuer       string     `json:"issuer"`
	ClientID     string     `json:"client_id"`
	SecretSet    bool       `json:"client_secret_set"`
	Label        string     `json:"label"`
	AllowCreate  bool       `json:"allow_create"`
	CreateSiteID int64      `json:"create_site_id"`
	UpdatedAt    *time.Time `json:"updated_at,omitempty"`
}

func showOIDC(o *svcportal.TenantOIDC) oidcSettings {
	if o == nil {
		return oidcSettings{}
	}
	at := o.UpdatedAt
	return oidcSettings{Configured: true, Issuer: o.Issuer, ClientID: o.ClientID, SecretSet: o.ClientSecret != "",
		Label: o.Label, AllowCreate: o.AllowCreate, CreateSiteID: o.CreateSiteID, UpdatedAt: &at}
}

// oidcShow answers the provider settings ("configured": false when none).
func (h *handlers) oidcShow(c *gin.Context) error {
	o, err := h.deps.SSO.OIDC(c.Request.Context())
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, showOIDC(o))
	return nil
}

// oidcPut creates or replaces the provider settings.
func (h *handlers) oidcPut(c *gin.Context) error {
	var in svcportal.OIDCChange
	if err := web.BindJSON(c, &in); err != nil {
		return err
	}
	o, err := h.deps.SSO.PutOIDC(c.Request.Context(), in)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, showOIDC(o))
	return nil
}

// oidcDelete turns single sign-on off.
func (h *handlers) oidcDelete(c *gin.Context) error {
	if err := h.deps.SSO.DeleteOIDC(c.Request.Context()); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// siteOIDCSettings is a site's provider as the API shows it: never the
// client secret, only whether one is set.
type siteOIDCSettings struct {
	oidcSettings
	Domains    []string `json:"domains"`
	RequireSSO bool     `json:"require_sso"`
}

func showSiteOIDC(o *svcportal.SiteOIDC) siteOIDCSettings {
	if o == nil {
		return siteOIDCSettings{Domains: []string{}}
	}
	at := o.UpdatedAt
	return siteOIDCSettings{Domains: o.Domains, RequireSSO: o.RequireSSO, oidcSettings: oidcSettings{Configured: true, Issuer: o.Issuer, ClientID: o.ClientID,
		SecretSet: o.ClientSecret != "", Label: o.Label, AllowCreate: o.AllowCreate, CreateSiteID: o.SiteID, UpdatedAt: &at}}
}

func (h *handlers) siteOIDCShow(c *gin.Context) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	o, err := h.deps.SSO.SiteOIDC(c.Request.Context(), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, showSiteOIDC(o))
	return nil
}

func (h *handlers) siteOIDCPut(c *gin.Context) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	var in svcportal.SiteOIDCChange
	if err := web.BindJSON(c, &in); err != nil {
		return err
	}
	o, err := h.deps.SSO.PutSiteOIDC(c.Request.Context(), id, in)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, showSiteOIDC(o))
	return nil
}

func (h *handlers) siteOIDCDelete(c *gin.Context) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	if err := h.deps.SSO.DeleteSiteOIDC(c.Request.Context(), id); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}
