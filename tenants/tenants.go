// Package tenants resolves a request's Host to its tenant, creates tenants
// with their first admin, and renders a tenant's branding (theme colours and
// a monogram logo for tenants that have not uploaded one).
package tenants

import (
	"context"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/password"
)

// Service resolves and creates tenants.
type Service struct {
	store      svcportal.TenantStore
	baseDomain string
	setup      []func(ctx context.Context) error
	scheme     string // of links in emails: http or https
	port       string // appended to links when not the scheme's default
	mailer     svcportal.EmailRenderer
	cache      *hostCache
}

// Option configures a Service.
type Option func(*Service)

// WithSetup runs fn for every new tenant, right after it is created, with
// the tenant in the context: default policies and the like. fn must be
// idempotent, since a failure leaves the tenant and the caller may retry.
func WithSetup(fn func(ctx context.Context) error) Option {
	return func(s *Service) { s.setup = append(s.setup, fn) }
}

// WithPublicURL sets how the portal is reached from outside, for links in
// emails: scheme (http or https) and port ("" or the default for none).
func WithPublicURL(scheme, port string) Option {
	return func(s *Service) { s.scheme, s.port = scheme, port }
}

// WithMailer lets the service render emails for previews (the welcome
// email an admin is writing).
func WithMailer(r svcportal.EmailRenderer) Option {
	return func(s *Service) { s.mailer = r }
}

// New returns a Service; tenant "acme" is served at acme.<baseDomain>.
func New(store svcportal.TenantStore, baseDomain string, opts ...Option) *Service {
	s := &Service{store: store, baseDomain: NormalizeHost(baseDomain), scheme: "http"}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Setup runs the setup steps for an existing tenant (idempotent).
func (s *Service) Setup(ctx context.Context, t *svcportal.Tenant) error {
	tctx := svcportal.WithTenant(ctx, t)
	for _, fn := range s.setup {
		if err := fn(tctx); err != nil {
			return fmt.Errorf("set up tenant %s: %w", t.Slug, err)
		}
	}
	return nil
}

// URL is the address of t's portal for links in emails: its first custom
// domain when it has one (that is the name its clients know), else
// <slug>.<base domain>; no trailing slash.
func (s *Service) URL(t *svcportal.Tenant) string {
	host := t.Slug + "." + s.baseDomain
	if len(t.Domains) > 0 {
		host = t.Domains[0]
	}
	if s.port != "" && !(s.scheme == "http" && s.port == "80") && !(s.scheme == "https" && s.port == "443") {
		host += ":" + s.port
	}
	return s.scheme + "://" + host
}

// BaseDomain is the platform's own domain.
func (s *Service) BaseDomain() string { return s.baseDomain }

// NormalizeHost lower-cases a Host header value and strips its port and a
// trailing dot: "Acme.Localhost.:8080" → "acme.localhost".
func NormalizeHost(host string) string {
	host = strings.TrimSpace(host)
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	return strings.TrimSuffix(strings.ToLower(host), ".")
}

// Resolve returns the tenant served at host: <slug>.<base domain> or one of
// its custom domains. Any other host, the base domain itself and anything
// that is not a DNS name included, is KindNotFound.
func (s *Service) Resolve(ctx context.Context, host string) (*svcportal.Tenant, error) {
	h := NormalizeHost(host)
	if !svcportal.ValidHostname(h) {
		// An address, or bytes no DNS name has (a NUL, a space, not
		// UTF-8): no tenant, and no query a database could choke on.
		return nil, svcportal.ErrNotFound()
	}
	var load func() (*svcportal.Tenant, error)
	if slug, ok := strings.CutSuffix(h, "."+s.baseDomain); ok {
		if slug == "" || strings.Contains(slug, ".") {
			return nil, svcportal.ErrNotFound()
		}
		load = func() (*svcportal.Tenant, error) { return s.store.TenantBySlug(ctx, slug) }
	} else {
		if h == s.baseDomain || h == "" {
			return nil, svcportal.ErrNotFound()
		}
		load = func() (*svcportal.Tenant, error) { return s.store.TenantByDomain(ctx, h) }
	}
	if s.cache == nil {
		return enabled(load())
	}
	// The cache keeps disabled tenants too; disabling moves the cache
	// version, so a disabled tenant is never served from an older copy.
	return enabled(s.cache.resolve(ctx, h, load))
}

// enabled passes on a found tenant unless the operator disabled it: a
// disabled tenant's hosts serve nothing.
func enabled(t *svcportal.Tenant, err error) (*svcportal.Tenant, error) {
	if err != nil {
		return nil, err
	}
	if t.DisabledAt != nil {
		return nil, svcportal.ErrNotFound()
	}
	return t, nil
}

// List is the platform operator's view of every tenant, disabled ones
// included, by slug.
func (s *Service) List(ctx context.Context) ([]svcportal.Tenant, error) {
	return s.store.Tenants(ctx)
}

// Disable stops serving the tenant with that slug: its hosts answer 404
// and its jobs skip it until Enable. KindNotFound for an unknown slug.
func (s *Service) Disable(ctx context.Context, slug string, now time.Time) error {
	return s.store.SetTenantDisabled(ctx, slug, &now)
}

// Enable serves a disabled tenant again: KindNotFound for an unknown slug.
func (s *Service) Enable(ctx context.Context, slug string) error {
	return s.store.SetTenantDisabled(ctx, slug, nil)
}

// CreateRequest is what `portal tenant create` asks for.
type CreateRequest struct {
	Slug          string
	Name          string
	AdminEmail    string
	AdminName     string // "" uses the tenant's name
	AdminPassword string
	Domains       []string
	DefaultLocale string    // "" keeps the platform default, en
	Branding      *Branding // nil keeps the platform's colours
}

// Branding is the look of a tenant's portal.
type Branding struct {
	PrimaryColor string
	AccentColor  string
	Footer       string
}

// Create validates req and creates the tenant and its first admin.
func (s *Service) Create(ctx context.Context, req CreateRequest) (*svcportal.Tenant, error) {
	t := svcportal.NewTenant(req.Slug, req.Name)
	if req.DefaultLocale != "" {
		t.DefaultLocale = req.DefaultLocale
	}
	if b := req.Branding; b != nil {
		t.PrimaryColor, t.AccentColor, t.Footer = b.PrimaryColor, b.AccentColor, b.Footer
	}
	for _, d := range req.Domains {
		t.Domains = append(t.Domains, NormalizeHost(d))
	}
	admin := &svcportal.Staff{Email: req.AdminEmail, Name: req.AdminName, Role: svcportal.StaffAdmin, Locale: t.DefaultLocale}
	if admin.Name == "" {
		admin.Name = req.Name
	}
	var v svcportal.Validation
	v.Merge(t.Validate(), "")
	v.Merge(admin.Validate(), "admin_")
	svcportal.CheckPassword(&v, "admin_password", req.AdminPassword)
	for _, d := range t.Domains {
		v.Check(d != s.baseDomain && !strings.HasSuffix(d, "."+s.baseDomain), "domains", "error.domain_base", nil)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	hash, err := password.Hash(req.AdminPassword)
	if err != nil {
		return nil, err
	}
	admin.PasswordHash = hash
	if err := s.store.CreateTenant(ctx, t, admin); err != nil {
		return nil, err
	}
	return t, s.Setup(ctx, t)
}
