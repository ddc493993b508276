// Package app builds the whole platform — database, services, web layers,
// mail worker and search index — from one typed, validated Config. It is
// the one wiring of the program: `portal` (cmd/portal) builds its app
// with New, and so do the tests (testkit.NewApp), so a dependency added
// here is wired, and tested, everywhere at once.
package app

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/accounts"
	"github.com/svcportal/svcportal/admin"
	"github.com/svcportal/svcportal/announcements"
	"github.com/svcportal/svcportal/blobs"
	"github.com/svcportal/svcportal/dashboard"
	"github.com/svcportal/svcportal/fields"
	"github.com/svcportal/svcportal/inbound"
	"github.com/svcportal/svcportal/kb"
	"github.com/svcportal/svcportal/locales"
	"github.com/svcportal/svcportal/mail"
	"github.com/svcportal/svcportal/password"
	"github.com/svcportal/svcportal/policies"
	"github.com/svcportal/svcportal/portal"
	"github.com/svcportal/svcportal/search"
	"github.com/svcportal/svcportal/sites"
	"github.com/svcportal/svcportal/store"
	"github.com/svcportal/svcportal/tenants"
	"github.com/svcportal/svcportal/tickets"
	"github.com/svcportal/svcportal/web"
	"github.com/svcportal/svcportal/webhooks"
	"github.com/svcportal/svcportal/wording"
)

// Config is what the platform is built from, already validated and typed
// (cmd/portal reads it from PORTAL_* variables and flags).
type Config struct {
	DatabaseURL string // sqlite:PATH or postgres://…
	DataDir     string // the embedded search index
	BlobURL     string // file:DIR or s3://… (attachment contents); "" is DataDir/attachments
	BaseDomain  string // tenant acme is served at acme.<BaseDomain>
	MailURL     string // file:DIR or smtp://…
	SearchURL   string // "embedded", "postgres" or typesense://…
	// TrustedProxies are the addresses or CIDR ranges of the reverse
	// proxies whose X-Forwarded-For is believed; none by default.
	TrustedProxies []string
	// MetricsToken, when set, is the bearer token /metrics requires;
	// otherwise it answers loopback only.
	MetricsToken string
	// SecretKey keys sessions, CSRF tokens, reset-code hashes and the
	// encryption of secrets at rest.
	SecretKey []byte
	// SecureCookies marks cookies Secure and makes the portal's links
	// https on the default port (behind a TLS-terminating proxy).
	SecureCookies bool
	// Port is the port of the portal's links when SecureCookies is false
	// ("" or "80" for none).
	Port   string
	Logger *slog.Logger
	// Now is the clock of every service; nil is time.Now.
	Now func() time.Time
	// WebhookAllowPrivate lets webhooks reach private, loopback and
	// link-local addresses (PORTAL_WEBHOOK_ALLOW_PRIVATE).
	WebhookAllowPrivate bool
	// TracesURL, when set, is the OTLP/HTTP collector that receives a span
	// of every request and of its queries (PORTAL_TRACES_URL).
	TracesURL string
	// Index, when set, replaces the index SearchURL names (tests use an
	// in-memory one). The app does not close it.
	Index svcportal.ArticleIndex
}

// App is the built platform.
type App struct {
	Store    *store.Store
	Tenants  *tenants.Service
	Policies *policies.Service
	Accounts *accounts.Service
	Tickets  *tickets.Service
	// Inbound takes email into tickets (HTTP, `portal mail ingest`, SMTP).
	Inbound *inbound.Service
	KB      *kb.Service
	// Announcements are the notices admins post to contacts.
	Announcements *announcements.Service
	// Wording checks and saves the tenants' wording overrides.
	Wording *wording.Service
	Web     *web.Server
	Mailer  *mail.Worker
	// Webhooks delivers the webhook outbox.
	Webhooks *webhooks.Worker
	// Hashing is the pool every password hash runs in.
	Hashing *password.Pool
	// Index is the configured search index, nil when Config.Index was
	// given.
	Index *search.Configured
	// AdminRoutes says which permission each console page and admin API
	// route declared.
	AdminRoutes *admin.Routes
	// Blobs keeps attachment contents (PORTAL_BLOB_URL).
	Blobs blobs.Store
	// Applied lists the migrations New applied.
	Applied []string

	log     *slog.Logger
	now     func() time.Time
	holder  string // this process, in leases
	index   indexHolder
	metrics *metrics
	tracing *tracing // nil without PORTAL_TRACES_URL
}

// New connects to the database, applies pending migrations and wires
// every layer. Close releases what it opened.
func New(ctx context.Context, cfg Config) (*App, error) {
	if len(cfg.SecretKey) < 32 {
		return nil, errors.New("app: the secret key must be at least 32 bytes")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	transport, err := mail.ParseURL(cfg.MailURL, cfg.BaseDomain)
	if err != nil {
		return nil, fmt.Errorf("PORTAL_MAIL_URL: %w", err)
	}
	a := &App{log: cfg.Logger, now: cfg.Now, holder: holderID()}
	if cfg.BlobURL == "" {
		cfg.BlobURL = "file:" + filepath.Join(cfg.DataDir, "attachments")
	}
	blobStore, err := blobs.Open(ctx, cfg.BlobURL)
	if err != nil {
		return nil, fmt.Errorf("PORTAL_BLOB_URL: %w", err)
	}
	a.Blobs = blobStore
	if a.Store, err = store.Open(ctx, cfg.DatabaseURL, store.WithClock(cfg.Now), store.WithSecretKey(cfg.SecretKey)); err != nil {
		return nil, err
	}
	if a.Applied, err = a.Store.Migrate(ctx); err != nil {
		a.Close()
		return nil, err
	}
	if len(a.Applied) > 0 {
		cfg.Logger.Info("migrations applied", "versions", strings.Join(a.Applied, ","))
	}
	var index svcportal.ArticleIndex = cfg.Index
	if index == nil {
		var pg *sql.DB
		if a.Store.Dialect() == store.Postgres {
			pg = a.Store.DB().DB
		}
		if a.Index, err = search.FromURL(cfg.SearchURL, cfg.DataDir, pg); err != nil {
			a.Close()
			return nil, fmt.Errorf("PORTAL_SEARCH_URL: %w", err)
		}
		index = a.Index
	}
	a.metrics = newMetrics(a)
	observe := []gin.HandlerFunc{a.metrics.observe}
	if cfg.TracesURL != "" {
		if a.tracing, err = newTracing(cfg.TracesURL); err != nil {
			a.Close()
			return nil, fmt.Errorf("PORTAL_TRACES_URL: %w", err)
		}
		a.Store.AddQueryHook(a.tracing.queryHook())
		observe = []gin.HandlerFunc{a.tracing.middleware(), a.metrics.observe}
	}

	scheme, port := "http", cfg.Port
	if cfg.SecureCookies {
		scheme, port = "https", "" // behind a TLS-terminating proxy, on its default port
	}
	st := a.Store
	// One wording for pages and emails: the catalogs with each tenant's
	// overrides.
	wordings := locales.NewWordings(wording.Loader(st))
	renderer, err := mail.NewRenderer(mail.WithWordings(wordings))
	if err != nil {
		a.Close()
		return nil, err
	}
	a.Policies = policies.New(st)
	a.Tenants = tenants.New(st, cfg.BaseDomain, tenants.WithSetup(a.Policies.SeedDefaults), tenants.WithPublicURL(scheme, port),
		tenants.WithMailer(renderer), tenants.WithCache(st))
	a.Wording = wording.New(st)
	a.Announcements = announcements.New(st, cfg.Now)
	a.Web = web.New(web.Options{Logger: cfg.Logger, Tenants: a.Tenants, Assets: st, Ready: a.ready, Wordings: wordings,
		TrustedProxies: cfg.TrustedProxies, Observe: observe, Metrics: a.MetricsHandler(cfg.MetricsToken),
		OpenAPI: a.openAPIHandler()})
	a.Hashing = password.NewPool(password.DefaultPoolSize, password.DefaultWait)
	a.Accounts = accounts.New(st, cfg.Now, accounts.WithSecret(cfg.SecretKey), accounts.WithMailer(renderer, a.Tenants.URL),
		accounts.WithHashPool(a.Hashing), accounts.WithLogger(cfg.Logger))
	a.KB = kb.New(st, index, cfg.Logger)
	a.KB.HoldsIndexWith(a.holdsIndex)
	a.KB.SetClock(cfg.Now)
	a.Tickets = tickets.New(st, a.Policies, cfg.Now, tickets.WithNotifications(renderer, a.Tenants.URL), tickets.WithArticles(a.KB),
		tickets.WithReplyByEmail(svcportal.NewReplyTokens(cfg.SecretKey), cfg.BaseDomain))
	a.Inbound = inbound.New(st, a.Tickets, a.Blobs, cfg.SecretKey, cfg.BaseDomain, cfg.Logger)
	a.Mailer = mail.NewWorker(st, transport, cfg.Logger, cfg.Now)
	a.Webhooks = webhooks.NewWorker(st, st.ListStaff, renderer, a.Tenants.URL, cfg.WebhookAllowPrivate, cfg.Logger, cfg.Now)
	portal.Register(a.Web, portal.Deps{Accounts: a.Accounts, Tickets: a.Tickets, Blobs: a.Blobs,
		SecureCookies: cfg.SecureCookies, KB: a.KB, SSO: a.Accounts, Inbound: a.Inbound, Announcements: a.Announcements, Now: cfg.Now})
	a.AdminRoutes = admin.Register(a.Web, admin.Deps{Tenant: a.Tenants, Accounts: a.Accounts, Staff: a.Accounts, ContactAdmin: a.Accounts, Imports: a.Accounts,
		Sites: sites.New(st), Tickets: a.Tickets, Fields: fields.New(st), Blobs: a.Blobs, SecureCookies: cfg.SecureCookies,
		KB: a.KB, SSO: a.Accounts, Tokens: a.Accounts, Audit: a.Accounts, Inbound: a.Inbound,
		Webhooks: webhooks.New(st, cfg.WebhookAllowPrivate), Announcements: a.Announcements, Wording: a.Wording, Now: cfg.Now,
		Dashboard: dashboard.New(st, cfg.Now)})
	return a, nil
}

// InboundListener returns the SMTP/LMTP listener of inbound email on addr
// (PORTAL_INBOUND_SMTP_ADDR; "lmtp:ADDR" for LMTP).
func (a *App) InboundListener(addr string, baseDomain string) *inbound.Listener {
	return inbound.NewListener(addr, a.Inbound, a.Tenants.Resolve, baseDomain, a.log)
}

// Close stops the contacts imports running here, releases the search
// index and the database, and sends the spans still buffered.
func (a *App) Close() error {
	var errs []error
	if a.Accounts != nil {
		a.Accounts.Close()
	}
	if a.tracing != nil {
		errs = append(errs, a.tracing.close())
	}
	if a.Index != nil {
		if a.Store != nil {
			errs = append(errs, a.ReleaseIndex(context.Background()))
		}
		errs = append(errs, a.Index.Close())
	}
	if a.Store != nil {
		errs = append(errs, a.Store.Close())
	}
	return errors.Join(errs...)
}

// ready is true when the database answers and has every migration.
func (a *App) ready(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := a.Store.Ping(ctx); err != nil {
		return err
	}
	pending, err := a.Store.Pending(ctx)
	if err != nil {
		return err
	}
	if len(pending) > 0 {
		return fmt.Errorf("migrations pending: %v", pending)
	}
	return nil
}

// RunJobs runs the background jobs until ctx ends, then waits for them to
// stop; they pick up where they left off at the next start. Every
// instance delivers mail (each message is claimed by one); the search
// index and auto-closing run in one instance at a time, under leases.
func (a *App) RunJobs(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Go(func() { a.Mailer.Run(ctx) })
	wg.Go(func() { a.Webhooks.Run(ctx) })
	wg.Go(func() { a.runIndex(ctx) })
	wg.Go(func() { a.every(ctx, time.Second, "word index merge", a.mergeWordIndex) })
	wg.Go(func() {
		a.runLeased(ctx, LeaseAutoClose, time.Minute, func(ctx context.Context) error {
			reminded, closed, err := a.Tickets.AutoClose(ctx, a.Store)
			if reminded+closed > 0 {
				a.log.Info("auto-close round", "reminded", reminded, "closed", closed)
			}
			return err
		})
	})
	wg.Wait()
}

var _ io.Closer = (*App)(nil)
