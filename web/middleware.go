package web

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"regexp"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/locales"
)

const (
	keyRequestID    = "web.request_id"
	keyViewerLocale = "web.viewer_locale"
	keyTranslator   = "web.translator"
	keyWordings     = "web.wordings"
)

var requestIDRE = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

// requestID keeps a sane X-Request-ID from a proxy or makes one, and echoes
// it, so a person can quote the id a log line carries.
func requestID(c *gin.Context) {
	id := c.GetHeader("X-Request-ID")
	if !requestIDRE.MatchString(id) {
		b := make([]byte, 8)
		rand.Read(b)
		id = hex.EncodeToString(b)
	}
	c.Set(keyRequestID, id)
	c.Header("X-Request-ID", id)
	c.Next()
}

// RequestID is the id of the request being served.
func RequestID(c *gin.Context) string { return c.GetString(keyRequestID) }

func (s *Server) logRequests(c *gin.Context) {
	start := time.Now()
	c.Next()
	level := slog.LevelInfo
	if c.Request.URL.Path == "/healthz" || c.Request.URL.Path == "/readyz" {
		level = slog.LevelDebug
	}
	attrs := []any{
		"request_id", RequestID(c), "method", c.Request.Method, "path", c.Request.URL.Path,
		"status", c.Writer.Status(), "bytes", c.Writer.Size(), "duration_ms", float64(time.Since(start).Microseconds()) / 1000,
		"ip", c.ClientIP(),
	}
	if t := svcportal.TenantFrom(c.Request.Context()); t != nil {
		attrs = append(attrs, "tenant", t.Slug)
	}
	if sc := trace.SpanContextFromContext(c.Request.Context()); sc.IsValid() {
		attrs = append(attrs, "trace_id", sc.TraceID().String())
	}
	s.opts.Logger.Log(c.Request.Context(), level, "request", attrs...)
}

// recover turns a panic into a logged 500 rendered like any other error.
func (s *Server) recover(c *gin.Context) {
	defer func() {
		if r := recover(); r != nil {
			Fail(c, fmt.Errorf("panic: %v", r))
			c.Abort()
		}
	}()
	c.Next()
}

// contentSecurityPolicy allows only the product's own scripts, styles and
// images; inline scripts and styles are refused.
const contentSecurityPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; " +
	"object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

func securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
	// Nothing is kept by a browser or a shared cache unless the handler
	// says so (static assets and branding do): API answers, pages and
	// errors carry private data.
	h.Set("Cache-Control", "no-store")
	if c.Request.TLS != nil {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
	c.Next()
}

// resolveTenant puts the tenant of the Host into the request context, or
// answers 404 for a host that serves no tenant.
func (s *Server) resolveTenant(c *gin.Context) {
	t, err := s.opts.Tenants.Resolve(c.Request.Context(), c.Request.Host)
	if err != nil {
		if svcportal.KindOf(err) == svcportal.KindNotFound {
			s.noHost(c)
		} else {
			Fail(c, fmt.Errorf("resolve tenant of %q: %w", c.Request.Host, err))
		}
		c.Abort()
		return
	}
	c.Request = c.Request.WithContext(svcportal.WithTenant(c.Request.Context(), t))
	c.Next()
}

// SetViewerLocale records the signed-in reader's own language choice, which
// wins over Accept-Language for the rest of the request.
func SetViewerLocale(c *gin.Context, lang string) {
	c.Set(keyViewerLocale, lang)
	c.Set(keyTranslator, nil)
}

// Translator returns the translator of the request's language: the
// reader's choice, else the best Accept-Language match among the tenant's
// enabled languages, else the tenant's default (English off tenant hosts);
// with the tenant's wording overrides.
func Translator(c *gin.Context) *locales.Translator {
	if tr, ok := c.Get(keyTranslator); ok && tr != nil {
		return tr.(*locales.Translator)
	}
	lang := requestLang(c)
	tr := locales.For(lang)
	if t := svcportal.TenantFrom(c.Request.Context()); t != nil {
		w, _ := c.Get(keyWordings)
		wordings, _ := w.(*locales.Wordings)
		tr = wordings.Translator(c.Request.Context(), t.ID, t.MessagesVersion, lang)
	}
	c.Set(keyTranslator, tr)
	return tr
}

func requestLang(c *gin.Context) string {
	t := svcportal.TenantFrom(c.Request.Context())
	if t == nil {
		return locales.Negotiate(c.GetHeader("Accept-Language"), locales.Tags, "en")
	}
	if l := c.GetString(keyViewerLocale); l != "" && t.LocaleEnabled(l) {
		return l
	} else if p := Principal(c); l != "" && p != nil && p.Staff != nil && svcportal.IsLocale(l) {
		return l // staff work in any of the product's languages, offered on the portal or not
	}
	if l := c.GetString(keyChosenLang); l != "" {
		return l
	}
	return locales.Negotiate(c.GetHeader("Accept-Language"), t.EnabledLocales, t.DefaultLocale)
}
