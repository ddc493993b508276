package admin

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/locales"
	"github.com/svcportal/svcportal/web"
)

// The team: GET|POST /api/v1/admin/staff, PATCH|DELETE
// /api/v1/admin/staff/{id}, and the /admin/staff page. DELETE disables:
// a staff member's name stays on the tickets they worked.

func (h *handlers) apiStaffList(c *gin.Context) error {
	list, err := h.deps.Staff.ListStaff(c.Request.Context())
	if err != nil {
		return err
	}
	if list == nil {
		list = []svcportal.Staff{}
	}
	c.JSON(http.StatusOK, gin.H{"staff": list})
	return nil
}

func (h *handlers) apiStaffInvite(c *gin.Context) error {
	var req svcportal.StaffInvite
	if err := web.BindJSON(c, &req); err != nil {
		return err
	}
	m, err := h.deps.Staff.InviteStaff(c.Request.Context(), web.Principal(c), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, m)
	return nil
}

func (h *handlers) apiStaffUpdate(c *gin.Context, id int64, u svcportal.StaffUpdate) (*svcportal.Staff, error) {
	return h.deps.Staff.UpdateStaff(c.Request.Context(), web.Principal(c), id, u)
}

func (h *handlers) apiStaffDisable(c *gin.Context) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	disabled := true
	if _, err := h.deps.Staff.UpdateStaff(c.Request.Context(), web.Principal(c), id, svcportal.StaffUpdate{Disabled: &disabled}); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

type staffPage struct {
	page
	Staff     []svcportal.Staff
	Invite    svcportal.StaffInvite
	Languages []string
	Roles     []string
	SelfID    int64
	// RowError says what went wrong with a change of one member (by id).
	RowError map[int64]string
}

func (h *handlers) newStaffPage(c *gin.Context) (*staffPage, error) {
	list, err := h.deps.Staff.ListStaff(c.Request.Context())
	if err != nil {
		return nil, err
	}
	pg := &staffPage{page: h.newPage(c), Staff: list, Languages: locales.Tags,
		Roles: []string{svcportal.StaffAgent, svcportal.StaffAdmin}, SelfID: web.Principal(c).Staff.ID,
		Invite: svcportal.StaffInvite{Role: svcportal.StaffAgent}, RowError: map[int64]string{}}
	switch c.Query("done") {
	case "invited":
		pg.Notice = pg.T("console.staff.invited")
	case "updated":
		pg.Notice = pg.T("console.staff.updated")
	case "resent":
		pg.Notice = pg.T("console.staff.resent")
	}
	return pg, nil
}

func (h *handlers) staffShow(c *gin.Context) error {
	pg, err := h.newStaffPage(c)
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, "admin/staff", pg)
}

func (h *handlers) staffInviteSubmit(c *gin.Context) error {
	req := svcportal.StaffInvite{Email: c.PostForm("email"), Name: c.PostForm("name"), Role: c.PostForm("role"), Locale: c.PostForm("locale")}
	_, err := h.deps.Staff.InviteStaff(c.Request.Context(), web.Principal(c), req)
	if web.Redisplays(err) {
		pg, perr := h.newStaffPage(c)
		if perr != nil {
			return perr
		}
		pg.Invite = req
		pg.fail(c, err, "email", "name", "role", "locale")
		return web.Render(c, web.ErrorStatus(c, err), "admin/staff", pg)
	} else if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/admin/staff?done=invited")
	return nil
}

// apiStaffReinvite sends a member's invitation again (a new link).
func (h *handlers) apiStaffReinvite(c *gin.Context) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	if err := h.deps.Staff.ResendStaffInvitation(c.Request.Context(), web.Principal(c), id); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// staffReinviteSubmit sends a member's invitation again from their row.
func (h *handlers) staffReinviteSubmit(c *gin.Context) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	err = h.deps.Staff.ResendStaffInvitation(c.Request.Context(), web.Principal(c), id)
	if web.Redisplays(err) {
		return h.staffRowFailed(c, id, err)
	} else if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/admin/staff?done=resent")
	return nil
}

// staffRowFailed shows the team again with what went wrong beside the
// member's row and in the alert.
func (h *handlers) staffRowFailed(c *gin.Context, id int64, err error) error {
	pg, perr := h.newStaffPage(c)
	if perr != nil {
		return perr
	}
	pg.Alert = web.ErrorMessage(c, err)
	pg.RowError[id] = pg.Alert
	for _, m := range web.FieldErrors(c, err) {
		pg.RowError[id] = m
	}
	return web.Render(c, web.ErrorStatus(c, err), "admin/staff", pg)
}

// staffUpdateSubmit changes one member's role, or disables or enables
// them, from the row's form (field action: role, disable or enable).
func (h *handlers) staffUpdateSubmit(c *gin.Context) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	var u svcportal.StaffUpdate
	switch c.PostForm("action") {
	case "role":
		role := c.PostForm("role")
		u.Role = &role
	case "disable", "enable":
		disabled := c.PostForm("action") == "disable"
		u.Disabled = &disabled
	default:
		err = invalid("action", "error.required")
	}
	if err == nil {
		_, err = h.deps.Staff.UpdateStaff(c.Request.Context(), web.Principal(c), id, u)
	}
	if web.Redisplays(err) {
		return h.staffRowFailed(c, id, err)
	} else if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/admin/staff?done=updated")
	return nil
}
