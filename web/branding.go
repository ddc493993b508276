package web

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/tenants"
)

// themeCSS serves the tenant's colours as CSS custom properties.
func (s *Server) themeCSS(c *gin.Context) error {
	t := svcportal.TenantFrom(c.Request.Context())
	serveCached(c, "text/css; charset=utf-8", tenants.ThemeCSS(t))
	return nil
}

// brandAsset serves an uploaded logo or favicon, or the tenant's monogram
// when there is none.
func (s *Server) brandAsset(kind string) HandlerFunc {
	return func(c *gin.Context) error {
		ctx := c.Request.Context()
		a, err := s.opts.Assets.TenantAsset(ctx, kind)
		switch svcportal.KindOf(err) {
		case svcportal.KindNone:
			serveCached(c, a.ContentType, a.Data)
		case svcportal.KindNotFound:
			serveCached(c, "image/svg+xml", tenants.MonogramSVG(svcportal.TenantFrom(ctx)))
		default:
			return err
		}
		return nil
	}
}

// serveCached answers with body, an ETag of its content and a short cache
// lifetime, so a branding change shows within minutes without a reload
// storm. An uploaded SVG cannot run script: the CSP sandboxes it.
func serveCached(c *gin.Context, contentType string, body []byte) {
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	h := c.Writer.Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", "public, max-age=300")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox")
	if c.GetHeader("If-None-Match") == etag {
		c.Status(http.StatusNotModified)
		return
	}
	c.Data(http.StatusOK, contentType, body)
}
