package admin

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/web"
)

func (h *handlers) contactList(c *gin.Context) error {
	f := svcportal.ContactFilter{Query: c.Query("q")}
	if err := svcportal.CheckQuery("q", f.Query); err != nil {
		return err
	}
	var err error
	site, err := queryInt(c, "site_id")
	if err != nil {
		return err
	}
	f.SiteID = int64(site)
	if f.Page, err = queryInt(c, "page"); err != nil {
		return err
	}
	if f.PerPage, err = queryInt(c, "per_page"); err != nil {
		return err
	}
	contacts, total, err := h.deps.ContactAdmin.Contacts(c.Request.Context(), f)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"contacts": contacts, "total": total})
	return nil
}

func (h *handlers) contactShow(c *gin.Context) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	contact, err := h.deps.ContactAdmin.Contact(c.Request.Context(), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, contact)
	return nil
}

func (h *handlers) contactCreate(c *gin.Context) error {
	var req svcportal.ContactCreate
	if err := web.BindJSON(c, &req); err != nil {
		return err
	}
	contact, err := h.deps.ContactAdmin.CreateContact(c.Request.Context(), web.Principal(c), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, contact)
	return nil
}

func (h *handlers) contactUpdate(c *gin.Context) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	var req svcportal.ContactUpdate
	if err := web.BindJSON(c, &req); err != nil {
		return err
	}
	contact, err := h.deps.ContactAdmin.UpdateContact(c.Request.Context(), web.Principal(c), id, req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, contact)
	return nil
}

func (h *handlers) contactDelete(c *gin.Context) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	if err := h.deps.ContactAdmin.DeleteContact(c.Request.Context(), web.Principal(c), id); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// contactWelcome emails the contact a new set-password link (older links
// stop working) and answers 202: the email waits in the outbox.
func (h *handlers) contactWelcome(c *gin.Context) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	if err := h.deps.ContactAdmin.SendWelcome(c.Request.Context(), web.Principal(c), id); err != nil {
		return err
	}
	c.Status(http.StatusAccepted)
	return nil
}

// contactIdentities lists the accounts at sign-in providers linked to the
// contact.
func (h *handlers) contactIdentities(c *gin.Context) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	list, err := h.deps.ContactAdmin.ContactIdentities(c.Request.Context(), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"identities": list})
	return nil
}

// contactIdentityUnlink unlinks one of them: the contact's sessions end,
// and the provider's next sign-in follows the first sign-in's rules.
func (h *handlers) contactIdentityUnlink(c *gin.Context) error {
	if _, err := h.unlinkIdentity(c); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// unlinkIdentity unlinks the identity of the route's :identity from the
// contact of :id, for the API and the console page alike, and answers the
// contact's id.
func (h *handlers) unlinkIdentity(c *gin.Context) (int64, error) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return 0, err
	}
	identity, err := web.IDParam(c, "identity")
	if err != nil {
		return 0, err
	}
	return id, h.deps.ContactAdmin.UnlinkIdentity(c.Request.Context(), web.Principal(c), id, identity)
}

// contactExport answers everything the tenant keeps about the contact as
// a JSON file to download.
func (h *handlers) contactExport(c *gin.Context) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	export, err := h.deps.ContactAdmin.ExportContact(c.Request.Context(), web.Principal(c), id)
	if err != nil {
		return err
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="contact-%d.json"`, id))
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, export)
	return nil
}

// contactErase erases the contact and answers 204.
func (h *handlers) contactErase(c *gin.Context) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	if err := h.deps.ContactAdmin.EraseContact(c.Request.Context(), web.Principal(c), id); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}
