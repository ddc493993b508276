package web

import (
	"bytes"
	"context"
	"crypto/subtle"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
)

const keyPrincipal = "web.principal"

// Authenticator turns a session token into its principal.
type Authenticator interface {
	Authenticate(ctx context.Context, kind, token string) (*svcportal.Principal, error)
}

// Sessions reads one kind of session cookie (the portal's contacts, the
// console's staff) and guards state-changing requests against CSRF.
type Sessions struct {
	Cookie string // cookie name
	Kind   string // svcportal.PrincipalContact or PrincipalStaff
	Auth   Authenticator
	// Secure marks cookies Secure even on plain-HTTP requests, for
	// deployments behind a TLS-terminating proxy.
	Secure bool
	// Lifetime is the cookie's Max-Age; the server-side session decides
	// the real expiry.
	Lifetime time.Duration
}

// Load is middleware: it puts the signed-in principal (if any) on the
// request and its language choice into effect, then refuses a
// state-changing request that lacks the session's CSRF token or comes from
// another origin.
func (s Sessions) Load(c *gin.Context) {
	if token, err := c.Cookie(s.Cookie); err == nil && token != "" {
		p, err := s.Auth.Authenticate(c.Request.Context(), s.Kind, token)
		switch svcportal.KindOf(err) {
		case svcportal.KindNone:
			c.Set(keyPrincipal, p)
			if l := p.Locale(); l != "" {
				SetViewerLocale(c, l)
			}
		case svcportal.KindUnauthorized:
			s.Clear(c) // expired or ended elsewhere: forget it
		default:
			Fail(c, err)
			c.Abort()
			return
		}
	}
	if refuseAnonymousUpload(c) {
		return
	}
	if !safeMethod(c.Request.Method) {
		if err := readForm(c); err != nil {
			Fail(c, err)
			c.Abort()
			return
		}
		if err := checkCSRF(c); err != nil {
			Fail(c, err)
			c.Abort()
			return
		}
	}
	c.Next()
}

// readForm reads a URL-encoded form body at once (LimitBody keeps it
// small), so that its text is checked before any handler sees it. A
// multipart body stays unread here: the handler of an upload route reads
// it once it has decided the caller may send it (checkCSRF reads only its
// first part, see csrfFromMultipart).
func readForm(c *gin.Context) error {
	if strings.HasPrefix(c.ContentType(), "application/x-www-form-urlencoded") {
		return ParseForm(c)
	}
	return nil
}

// maxCSRFPart bounds what csrfFromMultipart reads: the token part and the
// reader's buffer.
const maxCSRFPart = 16 << 10

// csrfFromMultipart reads the csrf_token field of a multipart form without
// reading the rest of the body: the portal's forms send the token as their
// first field, so only the first part is read (at most maxCSRFPart bytes,
// kept in memory), and the body is put back whole for the handler. A form
// whose first part is something else has no token here.
func csrfFromMultipart(c *gin.Context) string {
	_, params, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || params["boundary"] == "" {
		return ""
	}
	var seen bytes.Buffer
	body := c.Request.Body
	tee := io.TeeReader(io.LimitReader(body, maxCSRFPart), &seen)
	defer func() { c.Request.Body = readCloser{io.MultiReader(bytes.NewReader(seen.Bytes()), body), body} }()
	part, err := multipart.NewReader(tee, params["boundary"]).NextPart()
	if err != nil || part.FormName() != "csrf_token" || part.FileName() != "" {
		return ""
	}
	token, err := io.ReadAll(io.LimitReader(part, 256))
	if err != nil {
		return ""
	}
	return string(token)
}

// readCloser reads from r and closes c.
type readCloser struct {
	io.Reader
	c io.Closer
}

func (rc readCloser) Close() error { return rc.c.Close() }

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// checkCSRF accepts a state-changing request only from this site: the
// Origin (when the browser sends one) must be this host, and a signed-in
// request must carry the session's token in X-CSRF-Token or the form field
// csrf_token. Bearer-token API calls are not cookie-authenticated and skip
// the token check.
func checkCSRF(c *gin.Context) error {
	forbidden := &svcportal.Error{Kind: svcportal.KindForbidden, Code: "csrf_failed", MessageID: "error.csrf"}
	if o := c.GetHeader("Origin"); o != "" {
		u, err := url.Parse(o)
		if err != nil || u.Host != c.Request.Host {
			return forbidden
		}
	} else if c.GetHeader("Sec-Fetch-Site") == "cross-site" {
		return forbidden
	}
	p := Principal(c)
	if p == nil || p.Session == nil {
		return nil
	}
	got := c.GetHeader("X-CSRF-Token")
	switch {
	case got != "":
	case IsMultipart(c):
		got = csrfFromMultipart(c)
	default:
		if vs, err := FormValues(c); err == nil {
			got = vs.Get("csrf_token")
		}
	}
	if subtle.ConstantTimeCompare([]byte(got), []byte(p.Session.CSRFToken)) != 1 {
		return forbidden
	}
	return nil
}

// Principal is the request's signed-in principal, or nil.
func Principal(c *gin.Context) *svcportal.Principal {
	p, _ := c.Get(keyPrincipal)
	pp, _ := p.(*svcportal.Principal)
	return pp
}

// SetPrincipal replaces the request's principal, after a login or logout
// in the same request.
func SetPrincipal(c *gin.Context, p *svcportal.Principal) {
	c.Set(keyPrincipal, p)
	SetViewerLocale(c, p.Locale())
}

// SetCookie gives the browser the session token: HttpOnly, SameSite=Lax,
// host-only (so one tenant's cookie never reaches another's host), Secure
// over TLS or when configured.
func (s Sessions) SetCookie(c *gin.Context, token string) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: s.Cookie, Value: token, Path: "/", MaxAge: int(s.Lifetime.Seconds()),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.Secure || c.Request.TLS != nil,
	})
}

// Clear deletes the session cookie.
func (s Sessions) Clear(c *gin.Context) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: s.Cookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.Secure || c.Request.TLS != nil,
	})
}

// setRetryAfter tells a throttled client when to come back.
func setRetryAfter(c *gin.Context, e *svcportal.Error) {
	if e.Kind == svcportal.KindTooManyRequests && e.RetryAfter > 0 {
		c.Header("Retry-After", strconv.Itoa(int(e.RetryAfter.Seconds())))
	}
}

// SignIn checks credentials of the sessions' kind and opens a session,
// ending the one the browser had (a new token at every sign-in: no
// session fixation); the cookie is set and the request goes on as the
// principal.
func (s Sessions) SignIn(c *gin.Context, acc svcportal.AccountService, email, password string) (*svcportal.Principal, error) {
	if old := Principal(c); old != nil {
		if err := acc.Logout(c.Request.Context(), old); err != nil {
			return nil, err
		}
	}
	p, token, err := acc.Login(c.Request.Context(), svcportal.Credentials{
		Kind: s.Kind, Email: email, Password: password, IP: c.ClientIP(),
		// HTTP allows bytes that are not UTF-8 in headers; PostgreSQL does not in text.
		UserAgent: strings.ToValidUTF8(c.Request.UserAgent(), "\uFFFD"),
	})
	if err != nil {
		return nil, err
	}
	s.SetCookie(c, token)
	SetPrincipal(c, p)
	return p, nil
}

// SignOut ends the request's session, if any, and clears the cookie.
func (s Sessions) SignOut(c *gin.Context, acc svcportal.AccountService) error {
	if p := Principal(c); p != nil {
		if err := acc.Logout(c.Request.Context(), p); err != nil {
			return err
		}
	}
	s.Clear(c)
	return nil
}
