package portal

import (
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/web"
)

// The password-reset pages: /forgot-password asks for the email and
// emails a code, /reset-password takes the code and the new password,
// /set-password takes the new password of a welcome link. They serve
// signed-out visitors; the API twins are /api/v1/auth/password-reset and
// /api/v1/auth/password-reset/confirm.

type forgotPage struct {
	web.Page
	Email  string
	Errors map[string]string
}

func (h *handlers) forgotForm(c *gin.Context) error {
	if web.Principal(c) != nil {
		c.Redirect(http.StatusSeeOther, "/profile/password")
		return nil
	}
	return web.Render(c, http.StatusOK, "portal/forgot_password", &forgotPage{Page: web.NewPage(c), Email: c.Query("email")})
}

// forgotSubmit asks for a code and moves on to the code form, with the
// same answer whether or not the email is known (or the request throttled).
func (h *handlers) forgotSubmit(c *gin.Context) error {
	email := svcportal.NormalizeEmail(c.PostForm("email"))
	if !svcportal.ValidEmail(email) {
		// Only the form of the address is checked here, which tells
		// nothing about accounts.
		var v svcportal.Validation
		v.Add("email", "error.email_format", nil)
		err := v.Err()
		return web.Render(c, web.ErrorStatus(c, err), "portal/forgot_password",
			&forgotPage{Page: web.NewPage(c), Email: c.PostForm("email"), Errors: web.FieldErrors(c, err)})
	}
	if err := h.deps.Accounts.RequestPasswordReset(c.Request.Context(), email, c.ClientIP()); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/reset-password?sent=1&email="+url.QueryEscape(email))
	return nil
}

type resetPage struct {
	web.Page
	Email     string
	Code      string
	Sent      bool
	Minutes   int
	MinLength int
	Error     string
	Errors    map[string]string
}

func newResetPage(c *gin.Context, email, code string) *resetPage {
	return &resetPage{Page: web.NewPage(c), Email: email, Code: code,
		Minutes: int(svcportal.ResetCodeTTL / time.Minute), MinLength: svcportal.MinPasswordLength}
}

func (h *handlers) resetForm(c *gin.Context) error {
	if web.Principal(c) != nil {
		c.Redirect(http.StatusSeeOther, "/profile/password")
		return nil
	}
	page := newResetPage(c, c.Query("email"), "")
	page.Sent = c.Query("sent") == "1"
	return web.Render(c, http.StatusOK, "portal/reset_password", page)
}

func (h *handlers) resetSubmit(c *gin.Context) error {
	req := svcportal.ResetConfirm{Email: c.PostForm("email"), Code: c.PostForm("code"), Password: c.PostForm("password")}
	var err error
	if req.Password != c.PostForm("password_confirm") {
		var v svcportal.Validation
		v.Add("password_confirm", "error.password_mismatch", nil)
		err = v.Err()
	} else {
		err = h.deps.Accounts.ConfirmPasswordReset(c.Request.Context(), req, c.ClientIP())
	}
	switch k := svcportal.KindOf(err); {
	case err == nil:
		h.endBrowserSession(c)
		c.Redirect(http.StatusSeeOther, "/login?notice=password_reset")
		return nil
	case k == svcportal.KindUnprocessable:
		page := newResetPage(c, req.Email, req.Code)
		page.Errors = web.FieldErrors(c, err)
		return web.Render(c, web.ErrorStatus(c, err), "portal/reset_password", page)
	case web.Redisplays(err):
		// A wrong or spent code (KindInvalid), throttling…: the code
		// field starts empty again.
		page := newResetPage(c, req.Email, "")
		page.Error, page.Errors = web.ErrorMessage(c, err), web.FieldErrors(c, err)
		return web.Render(c, web.ErrorStatus(c, err), "portal/reset_password", page)
	}
	return err
}

type setPasswordPage struct {
	web.Page
	Token     string
	Invalid   bool
	MinLength int
	Errors    map[string]string
	Alert     string // what is wrong when no field says it
}

// setPasswordForm shows the form of a welcome link, or says the link is
// no longer usable (with status 400) and offers a reset instead.
func (h *handlers) setPasswordForm(c *gin.Context) error {
	token := c.Query("token")
	page := &setPasswordPage{Page: web.NewPage(c), Token: token, MinLength: svcportal.MinPasswordLength}
	err := h.deps.Accounts.CheckPasswordLink(c.Request.Context(), token)
	if svcportal.KindOf(err) == svcportal.KindInvalid {
		page.Invalid, page.Token = true, ""
		return web.Render(c, http.StatusBadRequest, "portal/set_password", page)
	} else if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, "portal/set_password", page)
}

func (h *handlers) setPasswordSubmit(c *gin.Context) error {
	token, pw := c.PostForm("token"), c.PostForm("password")
	page := &setPasswordPage{Page: web.NewPage(c), Token: token, MinLength: svcportal.MinPasswordLength}
	var err error
	if pw != c.PostForm("password_confirm") {
		// The link must still be good before the mismatch is worth telling.
		if err = h.deps.Accounts.CheckPasswordLink(c.Request.Context(), token); err == nil {
			var v svcportal.Validation
			v.Add("password_confirm", "error.password_mismatch", nil)
			err = v.Err()
		}
	} else {
		_, err = h.deps.Accounts.SetPasswordWithLink(c.Request.Context(), token, pw, c.ClientIP())
	}
	switch k := svcportal.KindOf(err); {
	case k == svcportal.KindNone:
		h.endBrowserSession(c)
		c.Redirect(http.StatusSeeOther, "/login?notice=password_set")
		return nil
	case k == svcportal.KindInvalid:
		page.Invalid, page.Token = true, ""
		return web.Render(c, http.StatusBadRequest, "portal/set_password", page)
	case web.Redisplays(err):
		page.Errors, page.Alert = web.FieldErrors(c, err), web.FormAlert(c, err)
		return web.Render(c, web.ErrorStatus(c, err), "portal/set_password", page)
	}
	return err
}

// endBrowserSession signs this browser out after a password was set with a
// code or link: whoever it was signed in as, the next step is /login.
func (h *handlers) endBrowserSession(c *gin.Context) {
	if p := web.Principal(c); p != nil {
		if err := h.deps.Accounts.Logout(c.Request.Context(), p); err != nil {
			// The password is already changed; a stale session of another
			// account is not worth failing the request for.
			web.Logger(c).WarnContext(c.Request.Context(), "sign out after password reset", "request_id", web.RequestID(c), "err", err)
		}
	}
	h.sessions.Clear(c)
}

type resetRequest struct {
	Email string `json:"email"`
}

// apiResetRequest answers 202 whatever happens short of an outage.
func (h *handlers) apiResetRequest(c *gin.Context) error {
	var req resetRequest
	if err := web.BindJSON(c, &req); err != nil {
		return err
	}
	if err := h.deps.Accounts.RequestPasswordReset(c.Request.Context(), req.Email, c.ClientIP()); err != nil {
		return err
	}
	c.Status(http.StatusAccepted)
	return nil
}

func (h *handlers) apiResetConfirm(c *gin.Context) error {
	var req svcportal.ResetConfirm
	if err := web.BindJSON(c, &req); err != nil {
		return err
	}
	if err := h.deps.Accounts.ConfirmPasswordReset(c.Request.Context(), req, c.ClientIP()); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}
