package portal

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/web"
)

// SSOCookie keeps the signed single sign-on state between /login/sso and
// its callback.
const SSOCookie = "portal_sso"

// ssoCookieMaxAge matches how long the signed state is accepted.
const ssoCookieMaxAge = 10 * 60

// redirectURI is this host's callback address: the tenant's own host, so
// the browser comes back where its state cookie lives.
func (h *handlers) redirectURI(c *gin.Context) string {
	return web.SSOCallbackURL(c, h.deps.SecureCookies)
}

// setSSOCookie keeps value for the callback (or forgets it when empty).
// SameSite=Lax: the provider's redirect back is a top-level GET, which
// carries Lax cookies; Path limits it to the sign-in addresses.
func (h *handlers) setSSOCookie(c *gin.Context, value string) {
	maxAge := ssoCookieMaxAge
	if value == "" {
		maxAge = -1
	}
	http.SetCookie(c.Writer, &http.Cookie{
		Name: SSOCookie, Value: value, Path: "/login/sso", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: h.deps.SecureCookies || c.Request.TLS != nil,
	})
}

// ssoRefused shows a single sign-on failure on the login page.
func (h *handlers) ssoRefused(c *gin.Context, next string, err error) error {
	if svcportal.KindOf(err) != svcportal.KindInvalid {
		return err
	}
	page := h.newLoginPage(c, "", next)
	page.Error = web.ErrorMessage(c, err)
	return web.Render(c, http.StatusBadRequest, "portal/login", page)
}

func (h *handlers) ssoStart(c *gin.Context) error {
	next := safeNext(c.Query("next"))
	r, err := h.deps.SSO.StartSSO(c.Request.Context(), svcportal.SSOStart{RedirectURI: h.redirectURI(c), Next: next})
	if err != nil {
		return h.ssoRefused(c, next, err)
	}
	h.setSSOCookie(c, r.State)
	c.Redirect(http.StatusFound, r.URL)
	return nil
}

func (h *handlers) ssoCallback(c *gin.Context) error {
	state, _ := c.Cookie(SSOCookie)
	// The state is good for one try, whatever happens.
	h.setSSOCookie(c, "")
	p, token, next, err := h.deps.SSO.FinishSSO(c.Request.Context(), svcportal.SSOCallback{
		State: state, QueryState: c.Query("state"), Code: c.Query("code"), Error: c.Query("error"),
		RedirectURI: h.redirectURI(c), Locale: web.Translator(c).Lang(),
		IP: c.ClientIP(), UserAgent: c.Request.UserAgent(),
	})
	if err != nil {
		return h.ssoRefused(c, "/", err)
	}
	// A new session at every sign-in: end the one the browser had.
	if old := web.Principal(c); old != nil {
		if err := h.deps.Accounts.Logout(c.Request.Context(), old); err != nil {
			return err
		}
	}
	h.sessions.SetCookie(c, token)
	web.SetPrincipal(c, p)
	next = safeNext(next)
	if p.Contact.MustChangePassword {
		next = "/profile/password"
	}
	c.Redirect(http.StatusSeeOther, next)
	return nil
}

// ssoLogin says what the login page offers beside the password; nothing
// when it cannot be read (the password form still works).
func (h *handlers) ssoLogin(c *gin.Context) svcportal.SSOLogin {
	if h.deps.SSO == nil {
		return svcportal.SSOLogin{}
	}
	l, err := h.deps.SSO.SSOLogin(c.Request.Context())
	if err != nil {
		return svcportal.SSOLogin{}
	}
	return l
}
