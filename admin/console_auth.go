package admin

import (
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/web"
)

// The console's sign-in pages: /admin/login, /admin/logout, and the staff
// twins of the portal's password pages (/admin/forgot-password emails a
// code, /admin/reset-password takes it, /admin/set-password takes the
// link of an invitation).

type loginPage struct {
	page
	Email string
	Next  string
}

// loginNotices are the messages a redirect to /admin/login may ask for.
var loginNotices = map[string]string{
	"password_reset": "reset.done",
	"password_set":   "reset.set_done",
	"signed_out":     "console.signed_out",
}

func (h *handlers) loginForm(c *gin.Context) error {
	if p := web.Principal(c); p != nil && p.Staff != nil {
		c.Redirect(http.StatusSeeOther, safeNext(c.Query("next")))
		return nil
	}
	pg := &loginPage{page: h.newPage(c), Next: safeNext(c.Query("next"))}
	if id, ok := loginNotices[c.Query("notice")]; ok {
		pg.Notice = pg.T(id)
	}
	return web.Render(c, http.StatusOK, "admin/login", pg)
}

func (h *handlers) loginSubmit(c *gin.Context) error {
	email, next := c.PostForm("email"), safeNext(c.PostForm("next"))
	p, err := h.sessions.SignIn(c, h.deps.Accounts, email, c.PostForm("password"))
	if k := svcportal.KindOf(err); k == svcportal.KindUnauthorized || k == svcportal.KindTooManyRequests {
		pg := &loginPage{page: h.newPage(c), Email: email, Next: next}
		pg.Alert = web.ErrorMessage(c, err)
		return web.Render(c, web.ErrorStatus(c, err), "admin/login", pg)
	}
	if err != nil {
		return err
	}
	if p.Staff.MustChangePassword {
		next = "/admin/profile"
	}
	c.Redirect(http.StatusSeeOther, next)
	return nil
}

func (h *handlers) logoutSubmit(c *gin.Context) error {
	if err := h.sessions.SignOut(c, h.deps.Accounts); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/admin/login?notice=signed_out")
	return nil
}

type forgotPage struct {
	page
	Email string
}

func (h *handlers) forgotForm(c *gin.Context) error {
	return web.Render(c, http.StatusOK, "admin/forgot_password", &forgotPage{page: h.newPage(c), Email: c.Query("email")})
}

// forgotSubmit asks for a code and moves on to the code form, with the
// same answer whether or not the email is a staff member's.
func (h *handlers) forgotSubmit(c *gin.Context) error {
	email := svcportal.NormalizeEmail(c.PostForm("email"))
	if !svcportal.ValidEmail(email) {
		pg := &forgotPage{page: h.newPage(c), Email: c.PostForm("email")}
		err := invalid("email", "error.email_format")
		pg.fail(c, err, "email")
		return web.Render(c, web.ErrorStatus(c, err), "admin/forgot_password", pg)
	}
	if err := h.deps.Staff.RequestStaffPasswordReset(c.Request.Context(), email, c.ClientIP()); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/admin/reset-password?sent=1&email="+url.QueryEscape(email))
	return nil
}

type resetPage struct {
	page
	Email     string
	Code      string
	Sent      bool
	Minutes   int
	MinLength int
}

func (h *handlers) newResetPage(c *gin.Context, email, code string) *resetPage {
	return &resetPage{page: h.newPage(c), Email: email, Code: code,
		Minutes: int(svcportal.ResetCodeTTL / time.Minute), MinLength: svcportal.MinPasswordLength}
}

func (h *handlers) resetForm(c *gin.Context) error {
	pg := h.newResetPage(c, c.Query("email"), "")
	pg.Sent = c.Query("sent") == "1"
	return web.Render(c, http.StatusOK, "admin/reset_password", pg)
}

func (h *handlers) resetSubmit(c *gin.Context) error {
	req := svcportal.ResetConfirm{Email: c.PostForm("email"), Code: c.PostForm("code"), Password: c.PostForm("password")}
	var err error
	if req.Password != c.PostForm("password_confirm") {
		err = invalid("password_confirm", "error.password_mismatch")
	} else {
		err = h.deps.Staff.ConfirmStaffPasswordReset(c.Request.Context(), req, c.ClientIP())
	}
	if err == nil {
		h.endBrowserSession(c)
		c.Redirect(http.StatusSeeOther, "/admin/login?notice=password_reset")
		return nil
	}
	if !web.Redisplays(err) {
		return err
	}
	code := req.Code
	if svcportal.KindOf(err) != svcportal.KindUnprocessable {
		code = "" // a wrong code is typed again
	}
	pg := h.newResetPage(c, req.Email, code)
	pg.fail(c, err, "email", "code", "password", "password_confirm")
	return web.Render(c, web.ErrorStatus(c, err), "admin/reset_password", pg)
}

type setPasswordPage struct {
	page
	Token     string
	Invalid   bool
	MinLength int
}

func (h *handlers) setPasswordForm(c *gin.Context) error {
	pg := &setPasswordPage{page: h.newPage(c), Token: c.Query("token"), MinLength: svcportal.MinPasswordLength}
	err := h.deps.Staff.CheckStaffPasswordLink(c.Request.Context(), pg.Token)
	if svcportal.KindOf(err) == svcportal.KindInvalid {
		pg.Invalid, pg.Token = true, ""
		return web.Render(c, http.StatusBadRequest, "admin/set_password", pg)
	} else if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, "admin/set_password", pg)
}

func (h *handlers) setPasswordSubmit(c *gin.Context) error {
	ctx := c.Request.Context()
	token, pw := c.PostForm("token"), c.PostForm("password")
	pg := &setPasswordPage{page: h.newPage(c), Token: token, MinLength: svcportal.MinPasswordLength}
	var err error
	if pw != c.PostForm("password_confirm") {
		// The link must still be good before the mismatch is worth telling.
		if err = h.deps.Staff.CheckStaffPasswordLink(ctx, token); err == nil {
			err = invalid("password_confirm", "error.password_mismatch")
		}
	} else {
		_, err = h.deps.Staff.SetStaffPasswordWithLink(ctx, token, pw, c.ClientIP())
	}
	switch k := svcportal.KindOf(err); {
	case err == nil:
		h.endBrowserSession(c)
		c.Redirect(http.StatusSeeOther, "/admin/login?notice=password_set")
		return nil
	case k == svcportal.KindInvalid:
		pg.Invalid, pg.Token = true, ""
		return web.Render(c, http.StatusBadRequest, "admin/set_password", pg)
	case k == svcportal.KindUnprocessable:
		pg.fail(c, err, "password", "password_confirm")
		return web.Render(c, web.ErrorStatus(c, err), "admin/set_password", pg)
	}
	return err
}

// endBrowserSession signs this browser out of the console after a
// password was set with a code or a link: the next step is /admin/login.
func (h *handlers) endBrowserSession(c *gin.Context) {
	if p := web.Principal(c); p != nil {
		if err := h.deps.Accounts.Logout(c.Request.Context(), p); err != nil {
			web.Logger(c).WarnContext(c.Request.Context(), "sign out after staff password reset", "request_id", web.RequestID(c), "err", err)
		}
	}
	h.sessions.Clear(c)
}
