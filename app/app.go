// Package app builds the whole platform — database, services, web layers,
// mail worker and search index — from one typed, validated Config. It is
// the one wiring of the program: `portal` (cmd/portal) builds its app
// with New, and so do the tests (testkit.NewApp), so a dependency added
// here is wired, and tested, everywhere at once.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/accounts"
	"github.com/svcportal/svcportal/admin"
	"github.com/svcportal/svcportal/blobs"
	"github.com/svcportal/svcportal/fields"
	"github.com/svcportal/svcportal/kb"
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
)

// Config is what the platform is built from, already validated and typed
// (cmd/portal reads it from PORTAL_* variables and flags).
type Config struct {
	DatabaseURL string // sqlite:PATH or postgres://…
	DataDir     string // attachments, the embedded search index
	BaseDomain  string // tenant acme is served at acme.<BaseDomain>
	MailURL     string // file:DIR or smtp://…
	SearchURL   string // "embedded" or typesense://…
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
	KB       *kb.Service
	Web      *web.Server
	Mailer   *mail.Worker
	// Hashing is the pool every password hash runs in.
	Hashing *password.Pool
	// Index is the configured search index, nil when Config.Index was
	// given.
	Index *search.Configured
	// AdminRoutes says which permission each console page and admin API
	// route declared.
	AdminRoutes *admin.Routes
	// Applied lists the migrations New applied.
	Applied []string

	log *slog.Logger
	now func() time.Time
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
	a := &App{log: cfg.Logger, now: cfg.Now}
	var index svcportal.ArticleIndex = cfg.Index
	if index == nil {
		if a.Index, err = search.FromURL(cfg.SearchURL, cfg.DataDir); err != nil {
			return nil, fmt.Errorf("PORTAL_SEARCH_URL: %w", err)
		}
		index = a.Index
	}
	blobStore, err := blobs.Open(filepath.Join(cfg.DataDir, "attachments"))
	if err != nil {
		return nil, fmt.Errorf("attachments folder: %w", err)
	}
	renderer, err := mail.NewRenderer()
	if err != nil {
		return nil, err
	}
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

	scheme, port := "http", cfg.Port
	if cfg.SecureCookies {
		scheme, port = "https", "" // behind a TLS-terminating proxy, on its default port
	}
	st := a.Store
	a.Policies = policies.New(st)
	a.Tenants = tenants.New(st, cfg.BaseDomain, tenants.WithSetup(a.Policies.SeedDefaults), tenants.WithPublicURL(scheme, port),
		tenants.WithCache(st))
	a.Web = web.New(web.Options{Logger: cfg.Logger, Tenants: a.Tenants, Assets: st, Ready: a.ready})
	a.Hashing = password.NewPool(password.DefaultPoolSize, password.DefaultWait)
	a.Accounts = accounts.New(st, cfg.Now, accounts.WithSecret(cfg.SecretKey), accounts.WithMailer(renderer, a.Tenants.URL),
		accounts.WithHashPool(a.Hashing))
	a.KB = kb.New(st, index, cfg.Logger)
	a.Tickets = tickets.New(st, a.Policies, cfg.Now, tickets.WithNotifications(renderer, a.Tenants.URL), tickets.WithArticles(a.KB))
	a.Mailer = mail.NewWorker(st, transport, cfg.Logger, cfg.Now)
	portal.Register(a.Web, portal.Deps{Accounts: a.Accounts, Tickets: a.Tickets, Blobs: blobStore,
		SecureCookies: cfg.SecureCookies, KB: a.KB, SSO: a.Accounts})
	a.AdminRoutes = admin.Register(a.Web, admin.Deps{Tenant: a.Tenants, Accounts: a.Accounts, Staff: a.Accounts, ContactAdmin: a.Accounts,
		Sites: sites.New(st), Tickets: a.Tickets, Fields: fields.New(st), Blobs: blobStore, SecureCookies: cfg.SecureCookies,
		KB: a.KB, SSO: a.Accounts, Tokens: a.Accounts})
	return a, nil
}

// Close releases the search index and the database.
func (a *App) Close() error {
	var errs []error
	if a.Index != nil {
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

// PrepareIndex opens the configured search index and fills a new one from
// the database (first start, after the embedded index's folder was
// deleted, or with a new Typesense collection).
func (a *App) PrepareIndex(ctx context.Context) error {
	if a.Index == nil {
		return nil
	}
	created, err := a.Index.Open(ctx)
	if err != nil || !created {
		return err
	}
	a.log.Info("building the search index", "index", a.Index.Where())
	return a.KB.Reindex(ctx, func(string, int, int) {})
}

// RunJobs runs the background jobs — the outbox's delivery and
// auto-closing — until ctx ends, then waits for them to stop. They pick up
// where they left off at the next start.
func (a *App) RunJobs(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); a.Mailer.Run(ctx) }()
	go func() { defer wg.Done(); a.Tickets.RunAutoClose(ctx, a.Store, time.Minute, a.log) }()
	wg.Wait()
}

var _ io.Closer = (*App)(nil)
