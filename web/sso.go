package web

import (
	"net/url"

	"github.com/gin-gonic/gin"
)

// SSOCallbackPath is where an OpenID provider sends the browser back;
// with the tenant host's origin in front, it is the redirect URI to
// register with every provider (the tenant's and the sites').
const SSOCallbackPath = "/login/sso/callback"

// SSOCallbackURL is the redirect URI of the request's host: https when
// the request came over TLS or secure is set (behind a TLS proxy).
func SSOCallbackURL(c *gin.Context, secure bool) string {
	scheme := "http"
	if c.Request.TLS != nil || secure {
		scheme = "https"
	}
	return (&url.URL{Scheme: scheme, Host: c.Request.Host, Path: SSOCallbackPath}).String()
}
