// Package web is the HTTP foundation shared by the portal and the admin
// console: the gin engine and its middleware (request ids, logs, recovery,
// security headers, tenant and language), the one place where errors become
// responses, the page renderer, static assets and tenant branding.
package web

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/locales"
)

// TenantResolver finds the tenant served at a Host.
type TenantResolver interface {
	Resolve(ctx context.Context, host string) (*svcportal.Tenant, error)
}

// AssetSource returns the context tenant's uploaded branding files.
type AssetSource interface {
	TenantAsset(ctx context.Context, kind string) (*svcportal.Asset, error)
}

// Options are what the web layer needs from the rest of the program.
type Options struct {
	// Logger receives request lines and the causes of 500 answers; nil
	// discards them.
	Logger  *slog.Logger
	Tenants TenantResolver
	Assets  AssetSource
	// Ready reports whether the server can take traffic (database up,
	// migrations applied); /readyz answers 503 while it returns an error.
	Ready func(ctx context.Context) error
	// Wordings gives pages and errors each tenant's wording overrides;
	// nil serves the catalogs as they are.
	Wordings *locales.Wordings
	// TrustedProxies are the addresses and CIDR ranges of the reverse
	// proxies whose X-Forwarded-For names the client; from any other peer
	// the header is ignored. None by default.
	TrustedProxies []string
	// Observe run around every request, in order (tracing, metrics).
	Observe []gin.HandlerFunc
	// Metrics, when set, answers GET /metrics on every host.
	Metrics http.Handler
	// OpenAPI, when set, answers GET /api/v1/openapi.json on tenant hosts.
	OpenAPI gin.HandlerFunc
}

// Server is the gin engine with the product's middleware, the renderer the
// areas add their pages to, and the route group of tenant hosts.
type Server struct {
	Engine   *gin.Engine
	Renderer *Renderer
	// Tenant is the group of every route served on a tenant's host; its
	// handlers find the tenant with svcportal.TenantFrom(c.Request.Context()).
	Tenant    *gin.RouterGroup
	opts      Options
	noRoutes  []noRoute  // see NoRoute
	admission *admission // of the tenants' routes
}

func init() { gin.SetMode(gin.ReleaseMode) }

// New builds the server; areas then register their routes on s.Tenant.
func New(opts Options) *Server {
	if opts.Logger == nil {
		opts.Logger = discard
	}
	e := gin.New()
	// Client addresses come from the connection unless it is a configured
	// proxy (the addresses were validated by the caller).
	if err := e.SetTrustedProxies(opts.TrustedProxies); err != nil {
		e.SetTrustedProxies(nil)
	}
	e.HandleMethodNotAllowed = false
	e.MaxMultipartMemory = multipartMemory
	s := &Server{Engine: e, Renderer: NewRenderer(), opts: opts, admission: defaultAdmission()}
	e.Use(removeMultipartFiles, requestID)
	e.Use(opts.Observe...)
	e.Use(s.logRequests, s.recover, securityHeaders, s.setContext)

	e.GET("/healthz", func(c *gin.Context) { c.String(http.StatusOK, "ok\n") })
	e.GET("/readyz", s.readyz)
	e.GET("/tls/ask", s.tlsAsk)
	if opts.Metrics != nil {
		e.GET("/metrics", gin.WrapH(opts.Metrics))
	}
	e.GET("/static/*name", serveStatic)
	e.HEAD("/static/*name", serveStatic)

	admit := s.admission.admit
	s.Tenant = e.Group("/", admit, s.resolveTenant, checkURL, chooseLang)
	s.Tenant.GET("/branding/theme.css", H(s.themeCSS))
	s.Tenant.GET("/branding/logo", H(s.brandAsset(svcportal.AssetLogo)))
	s.Tenant.GET("/branding/favicon", H(s.brandAsset(svcportal.AssetFavicon)))
	if opts.OpenAPI != nil {
		s.Tenant.GET("/api/v1/openapi.json", opts.OpenAPI)
	}

	e.NoRoute(admit, s.resolveTenant, checkURL, chooseLang, s.notFound)
	return s
}

// setContext gives every handler the renderer and the logger of s.
func (s *Server) setContext(c *gin.Context) {
	c.Set(keyRenderer, s.Renderer)
	c.Set(keyLogger, s.opts.Logger)
	c.Set(keyWordings, s.opts.Wordings)
}

const keyLogger = "web.logger"

// Logger is the server's logger, for a handler that has something to say
// beside its answer. A context the server did not prepare gets one that
// discards.
func Logger(c *gin.Context) *slog.Logger {
	if l, ok := c.Value(keyLogger).(*slog.Logger); ok {
		return l
	}
	return discard
}

var discard = slog.New(slog.DiscardHandler)

// ServeHTTP makes Server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.Engine.ServeHTTP(w, r) }

// tlsAsk answers a TLS proxy that gets certificates on demand (Caddy's
// `on_demand_tls { ask http://portal:8080/tls/ask }`): 200 when the name
// in ?domain= is served here — <slug>.<base domain> or a custom domain of
// an enabled tenant — and 404 otherwise, so that the proxy asks a
// certificate authority only for real names. What it tells is public:
// any name that points at the portal shows its portal.
func (s *Server) tlsAsk(c *gin.Context) {
	if _, err := s.opts.Tenants.Resolve(c.Request.Context(), c.Query("domain")); err != nil {
		if svcportal.KindOf(err) != svcportal.KindNotFound {
			s.opts.Logger.Error("tls ask", "domain", c.Query("domain"), "err", err)
			c.String(http.StatusServiceUnavailable, "unknown\n")
			return
		}
		c.String(http.StatusNotFound, "no\n")
		return
	}
	c.String(http.StatusOK, "yes\n")
}

func (s *Server) readyz(c *gin.Context) {
	if s.opts.Ready != nil {
		if err := s.opts.Ready(c.Request.Context()); err != nil {
			s.opts.Logger.Warn("not ready", "err", err)
			c.String(http.StatusServiceUnavailable, "not ready\n")
			return
		}
	}
	c.String(http.StatusOK, "ready\n")
}
