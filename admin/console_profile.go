package admin

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/locales"
	"github.com/svcportal/svcportal/web"
)

type profilePage struct {
	page
	Staff     *svcportal.Staff
	Languages []string
	MinLength int
	// PasswordErrors are the password form's own complaints.
	PasswordErrors map[string]string
	MustChange     bool
}

func (h *handlers) newProfilePage(c *gin.Context) *profilePage {
	st := web.Principal(c).Staff
	pg := &profilePage{page: h.newPage(c), Staff: st, Languages: locales.Tags, MinLength: svcportal.MinPasswordLength,
		PasswordErrors: map[string]string{}, MustChange: st.MustChangePassword}
	switch c.Query("done") {
	case "saved":
		pg.Notice = pg.T("console.profile.saved")
	case "password":
		pg.Notice = pg.T("password.changed")
	}
	return pg
}

func (h *handlers) profileShow(c *gin.Context) error {
	return web.Render(c, http.StatusOK, "admin/profile", h.newProfilePage(c))
}

func (h *handlers) profileSave(c *gin.Context) error {
	name, locale, notify := c.PostForm("name"), c.PostForm("locale"), c.PostForm("notify_tickets") == "on"
	_, err := h.deps.Staff.UpdateStaffProfile(c.Request.Context(), web.Principal(c),
		svcportal.StaffProfileUpdate{Name: &name, Locale: &locale, NotifyTickets: &notify})
	if web.Redisplays(err) {
		pg := h.newProfilePage(c)
		edited := *pg.Staff
		edited.Name, edited.Locale, edited.MuteTicketEmails = name, locale, !notify
		pg.Staff = &edited
		pg.fail(c, err, "name", "locale")
		return web.Render(c, web.ErrorStatus(c, err), "admin/profile", pg)
	} else if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/admin/profile?done=saved")
	return nil
}

func (h *handlers) passwordSave(c *gin.Context) error {
	next := c.PostForm("password")
	var err error
	if next != c.PostForm("password_confirm") {
		err = invalid("password_confirm", "error.password_mismatch")
	} else {
		err = h.deps.Accounts.ChangePassword(c.Request.Context(), web.Principal(c), c.PostForm("current_password"), next)
	}
	if web.Redisplays(err) {
		pg := h.newProfilePage(c)
		pg.fail(c, err, "current_password", "password", "password_confirm")
		// The complaints belong to the password form, not the profile's.
		pg.PasswordErrors, pg.Errors = pg.Errors, map[string]string{}
		return web.Render(c, web.ErrorStatus(c, err), "admin/profile", pg)
	} else if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/admin/profile?done=password")
	return nil
}
