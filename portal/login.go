package portal

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/web"
)

type loginPage struct {
	web.Page
	Email  string
	Next   string
	Error  string
	Notice string
	// SSO says what the page offers beside the password: the tenant
	// provider's button (its label, "" for none), and whether it asks for
	// the email first.
	SSO svcportal.SSOLogin
	// EmailStep shows the email alone (home-realm discovery): its domain
	// sends the contact to their site's provider, or on to the password.
	EmailStep bool
	// EmailError says why the email step refused the address.
	EmailError string
	// Provider, after the email step, is the site's provider the address
	// goes to: the page links to it, and when Follow is set its script
	// follows the link (not when a refused password says why first).
	Provider *svcportal.SSORedirect
	Follow   bool
}

// newLoginPage is the login page for email (the password step when one is
// known, or when no site has its own provider).
func (h *handlers) newLoginPage(c *gin.Context, email, next string) *loginPage {
	pg := &loginPage{Page: web.NewPage(c), Email: email, Next: next, SSO: h.ssoLogin(c)}
	pg.EmailStep = pg.SSO.HomeRealm && email == ""
	return pg
}

// SSOHref is the address of the single sign-on button.
func (p *loginPage) SSOHref() string {
	return "/login/sso?next=" + url.QueryEscape(p.Next)
}

// LoginHref starts the login again from the email step.
func (p *loginPage) LoginHref() string {
	return "/login?next=" + url.QueryEscape(p.Next)
}

// Errors places EmailError under the email field of the email step.
func (p *loginPage) Errors() map[string]string {
	return map[string]string{"email": p.EmailError}
}

// loginNotices are the messages a redirect to /login may ask for with
// ?notice=, by name, so that no text travels in the address.
var loginNotices = map[string]string{
	"password_reset": "reset.done",
	"password_set":   "reset.set_done",
	"email_changed":  "profile.email_changed",
}

func (h *handlers) loginForm(c *gin.Context) error {
	if web.Principal(c) != nil {
		c.Redirect(http.StatusSeeOther, safeNext(c.Query("next")))
		return nil
	}
	page := h.newLoginPage(c, "", safeNext(c.Query("next")))
	if id, ok := loginNotices[c.Query("notice")]; ok {
		page.Notice = page.T(id)
	}
	return web.Render(c, http.StatusOK, "portal/login", page)
}

func (h *handlers) loginSubmit(c *gin.Context) error {
	email, next := c.PostForm("email"), safeNext(c.PostForm("next"))
	if c.PostForm("step") == "email" {
		return h.loginEmailStep(c, email, next)
	}
	p, err := h.sessions.SignIn(c, h.deps.Accounts, email, c.PostForm("password"))
	if svcportal.IsSSORequired(err) {
		return h.loginSSORequired(c, email, next, err)
	}
	if web.Redisplays(err) {
		pg := h.newLoginPage(c, email, next)
		pg.Error = web.ErrorMessage(c, err)
		return web.Render(c, web.ErrorStatus(c, err), "portal/login", pg)
	}
	if err != nil {
		return err
	}
	if p.Contact.MustChangePassword {
		next = "/profile/password"
	}
	c.Redirect(http.StatusSeeOther, next)
	return nil
}

// loginEmailStep routes an email by its domain alone (home-realm
// discovery): to the provider of the site that claims it, or on to the
// password step. Whether an account exists plays no part, so the answer
// tells nothing about accounts.
func (h *handlers) loginEmailStep(c *gin.Context, email, next string) error {
	if !svcportal.ValidEmail(svcportal.NormalizeEmail(email)) {
		pg := h.newLoginPage(c, "", next)
		pg.EmailError = pg.T("error.email_format")
		return web.Render(c, http.StatusUnprocessableEntity, "portal/login", pg)
	}
	r, err := h.startSiteSSO(c, email, next)
	switch svcportal.KindOf(err) {
	case svcportal.KindNone:
		// A page with a link, not a redirect: the login form's
		// form-action policy ('self') forbids a redirect to another
		// origin.
		pg := h.newLoginPage(c, email, next)
		pg.Provider, pg.Follow = r, true
		return web.Render(c, http.StatusOK, "portal/login", pg)
	case svcportal.KindNotFound:
		return web.Render(c, http.StatusOK, "portal/login", h.newLoginPage(c, email, next))
	default:
		return h.ssoRefused(c, next, err)
	}
}

// startSiteSSO prepares the sign-in of email with the provider of the
// site that claims its domain, keeping its state in the cookie:
// KindNotFound when no site does.
func (h *handlers) startSiteSSO(c *gin.Context, email, next string) (*svcportal.SSORedirect, error) {
	if h.deps.SSO == nil {
		return nil, svcportal.ErrNotFound()
	}
	r, err := h.deps.SSO.StartSSO(c.Request.Context(), svcportal.SSOStart{RedirectURI: h.redirectURI(c), Next: next, Email: email})
	if err != nil {
		return nil, err
	}
	h.setSSOCookie(c, r.State)
	return r, nil
}

// loginSSORequired answers a password refused because the address's
// site requires single sign-on: the refusal, and a link to that site's
// provider (when it can be reached) that the reader follows.
func (h *handlers) loginSSORequired(c *gin.Context, email, next string, refusal error) error {
	pg := h.newLoginPage(c, email, next)
	pg.Error = web.ErrorMessage(c, refusal)
	r, err := h.startSiteSSO(c, email, next)
	switch svcportal.KindOf(err) {
	case svcportal.KindNone:
		pg.Provider = r
	case svcportal.KindNotFound, svcportal.KindInvalid:
		// Removed meanwhile, or unreachable: the refusal alone.
	default:
		return err
	}
	return web.Render(c, web.ErrorStatus(c, refusal), "portal/login", pg)
}

func (h *handlers) logoutSubmit(c *gin.Context) error {
	if err := h.sessions.SignOut(c, h.deps.Accounts); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/login")
	return nil
}

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type loginResponse struct {
	Contact            *svcportal.Contact `json:"contact"`
	CSRFToken          string             `json:"csrf_token"`
	MustChangePassword bool               `json:"must_change_password"`
}

func (h *handlers) apiLogin(c *gin.Context) error {
	var req loginRequest
	if err := web.BindJSON(c, &req); err != nil {
		return err
	}
	p, err := h.sessions.SignIn(c, h.deps.Accounts, req.Email, req.Password)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, loginResponse{Contact: p.Contact, CSRFToken: p.Session.CSRFToken, MustChangePassword: p.Contact.MustChangePassword})
	return nil
}

func (h *handlers) apiLogout(c *gin.Context) error {
	if err := h.sessions.SignOut(c, h.deps.Accounts); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}
