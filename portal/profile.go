package portal

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/web"
)

type profilePage struct {
	web.Page
	Contact *svcportal.Contact
	Zones   []string // offered while typing a time zone
	Errors  map[string]string
	Alert   string // what is wrong when no field says it
	Saved   bool
	Changed bool // password just changed
	// EmailPending says a link was sent to the new address (the same
	// words whether or not the address is free); EmailChanged, that one
	// was followed.
	EmailPending bool
	EmailChanged bool
}

func (h *handlers) profileShow(c *gin.Context) error {
	return web.Render(c, http.StatusOK, "portal/profile", &profilePage{
		Page: web.NewPage(c), Contact: web.Principal(c).Contact, Zones: svcportal.CommonTimeZones,
		Saved: c.Query("saved") == "1", Changed: c.Query("password") == "changed",
		EmailPending: c.Query("email") == "pending", EmailChanged: c.Query("email") == "changed",
	})
}

func (h *handlers) profileSave(c *gin.Context) error {
	p := web.Principal(c)
	form := func(k string) *string { v := c.PostForm(k); return &v }
	u := svcportal.ProfileUpdate{FirstName: form("first_name"), LastName: form("last_name"), JobTitle: form("job_title"),
		Email: form("email"), Phone: form("phone"), TimeZone: form("time_zone")}
	contact, err := h.deps.Accounts.UpdateProfile(c.Request.Context(), p, u)
	if err != nil {
		if !web.Redisplays(err) {
			return err
		}
		// Show the form again with what was typed and what is wrong.
		shown := *p.Contact
		shown.FirstName, shown.LastName, shown.JobTitle, shown.Email, shown.Phone, shown.TimeZone =
			*u.FirstName, *u.LastName, *u.JobTitle, *u.Email, *u.Phone, *u.TimeZone
		return web.Render(c, web.ErrorStatus(c, err), "portal/profile", &profilePage{Page: web.NewPage(c), Contact: &shown, Zones: svcportal.CommonTimeZones,
			Errors: web.FieldErrors(c, err), Alert: web.FormAlert(c, err)})
	}
	if contact.PendingEmail != "" {
		c.Redirect(http.StatusSeeOther, "/profile?saved=1&email=pending")
		return nil
	}
	c.Redirect(http.StatusSeeOther, "/profile?saved=1")
	return nil
}

type passwordPage struct {
	web.Page
	Forced    bool
	MinLength int
	Errors    map[string]string
	Alert     string // what is wrong when no field says it
}

func (h *handlers) passwordForm(c *gin.Context) error {
	return web.Render(c, http.StatusOK, "portal/password", &passwordPage{
		Page: web.NewPage(c), Forced: web.Principal(c).Contact.MustChangePassword, MinLength: svcportal.MinPasswordLength})
}

func (h *handlers) passwordSave(c *gin.Context) error {
	p := web.Principal(c)
	next := c.PostForm("password")
	var err error
	if next != c.PostForm("password_confirm") {
		var v svcportal.Validation
		v.Add("password_confirm", "error.password_mismatch", nil)
		err = v.Err()
	} else {
		err = h.deps.Accounts.ChangePassword(c.Request.Context(), p, c.PostForm("current_password"), next)
	}
	if err != nil {
		if !web.Redisplays(err) {
			return err
		}
		return web.Render(c, web.ErrorStatus(c, err), "portal/password", &passwordPage{
			Page: web.NewPage(c), Forced: p.Contact.MustChangePassword, MinLength: svcportal.MinPasswordLength,
			Errors: web.FieldErrors(c, err), Alert: web.FormAlert(c, err)})
	}
	c.Redirect(http.StatusSeeOther, "/profile?password=changed")
	return nil
}

type settingsPage struct {
	web.Page
	Locale string
	Saved  bool
	Errors map[string]string
	Alert  string // what is wrong when no field says it
}

func (h *handlers) settingsShow(c *gin.Context) error {
	return web.Render(c, http.StatusOK, "portal/settings", &settingsPage{
		Page: web.NewPage(c), Locale: web.Principal(c).Contact.Locale, Saved: c.Query("saved") == "1"})
}

func (h *handlers) settingsSave(c *gin.Context) error {
	p := web.Principal(c)
	locale := c.PostForm("locale")
	if _, err := h.deps.Accounts.UpdateProfile(c.Request.Context(), p, svcportal.ProfileUpdate{Locale: &locale}); err != nil {
		if !web.Redisplays(err) {
			return err
		}
		return web.Render(c, web.ErrorStatus(c, err), "portal/settings", &settingsPage{Page: web.NewPage(c), Locale: locale,
			Errors: web.FieldErrors(c, err), Alert: web.FormAlert(c, err)})
	}
	c.Redirect(http.StatusSeeOther, "/settings?saved=1")
	return nil
}

func (h *handlers) apiMe(c *gin.Context) error {
	c.JSON(http.StatusOK, web.Principal(c).Contact)
	return nil
}

func (h *handlers) apiMeUpdate(c *gin.Context) error {
	var u svcportal.ProfileUpdate
	if err := web.BindJSON(c, &u); err != nil {
		return err
	}
	contact, err := h.deps.Accounts.UpdateProfile(c.Request.Context(), web.Principal(c), u)
	if err != nil {
		return err
	}
	// A new email waits for its link: accepted, not done.
	status := http.StatusOK
	if contact.PendingEmail != "" {
		status = http.StatusAccepted
	}
	c.JSON(status, contact)
	return nil
}

type passwordRequest struct {
	CurrentPassword string `json:"current_password"`
	Password        string `json:"password"`
}

func (h *handlers) apiMePassword(c *gin.Context) error {
	var req passwordRequest
	if err := web.BindJSON(c, &req); err != nil {
		return err
	}
	if err := h.deps.Accounts.ChangePassword(c.Request.Context(), web.Principal(c), req.CurrentPassword, req.Password); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}
