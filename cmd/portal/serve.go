package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/svcportal/svcportal/accounts"
	"github.com/svcportal/svcportal/admin"
	"github.com/svcportal/svcportal/blobs"
	"github.com/svcportal/svcportal/kb"
	"github.com/svcportal/svcportal/mail"
	"github.com/svcportal/svcportal/policies"
	"github.com/svcportal/svcportal/portal"
	"github.com/svcportal/svcportal/store"
	"github.com/svcportal/svcportal/tenants"
	"github.com/svcportal/svcportal/tickets"
	"github.com/svcportal/svcportal/web"
)

// app is everything a serving process holds.
type app struct {
	cfg      *Config
	store    *store.Store
	tenants  *tenants.Service
	policies *policies.Service
	web      *web.Server
	mailer   *mail.Worker
	tickets  *tickets.Service
	index    *lazyIndex
	kb       *kb.Service
}

// close releases the database and the search index.
func (a *app) close() {
	a.index.Close()
	a.store.Close()
}

// openApp connects to the database, applies pending migrations and wires
// the HTTP layers.
func (e *env) openApp(cfg *Config) (*app, error) {
	secret, err := cfg.secretKey()
	if err != nil {
		return nil, err
	}
	st, err := store.Open(e.ctx, cfg.DatabaseURL, store.WithSecretKey(secret))
	if err != nil {
		return nil, err
	}
	applied, err := st.Migrate(e.ctx)
	if err != nil {
		st.Close()
		return nil, err
	}
	if len(applied) > 0 {
		e.log.Info("migrations applied", "versions", strings.Join(applied, ","))
	}
	transport, err := mail.ParseURL(cfg.MailURL, cfg.BaseDomain)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("PORTAL_MAIL_URL: %w", err)
	}
	pol := policies.New(st)
	scheme := "http"
	if cfg.SecureCookies == "true" {
		scheme = "https" // behind a TLS-terminating proxy, on its default port
	}
	_, port, _ := net.SplitHostPort(cfg.Addr)
	if scheme == "https" {
		port = ""
	}
	ts := tenants.New(st, cfg.BaseDomain, tenants.WithSetup(pol.SeedDefaults), tenants.WithPublicURL(scheme, port))
	srv := web.New(web.Options{
		Logger:  e.log,
		Tenants: ts,
		Assets:  st,
		Ready:   func(ctx context.Context) error { return ready(ctx, st) },
	})
	secure := cfg.SecureCookies == "true"
	renderer, err := mail.NewRenderer()
	if err != nil {
		st.Close()
		return nil, err
	}
	acc := accounts.New(st, time.Now, accounts.WithSecret(secret), accounts.WithMailer(renderer, ts.URL), accounts.WithLogger(e.log))
	blobStore, err := blobs.Open(filepath.Join(cfg.DataDir, "attachments"))
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("attachments folder: %w", err)
	}
	index, err := openIndex(cfg)
	if err != nil {
		st.Close()
		return nil, err
	}
	kbs := kb.New(st, index, e.log)
	tks := tickets.New(st, pol, time.Now, tickets.WithNotifications(renderer, ts.URL), tickets.WithArticles(kbs))
	portal.Register(srv, portal.Deps{Accounts: acc, Tickets: tks, Blobs: blobStore, SecureCookies: secure, KB: kbs, SSO: acc})
	admin.Register(srv, admin.Deps{Tenant: ts, Accounts: acc, ContactAdmin: acc, Contacts: st, Sites: st, Tickets: tks, Fields: st, Policies: pol, Blobs: blobStore, SecureCookies: secure, KB: kbs, OIDC: st, Tokens: acc})
	return &app{cfg: cfg, store: st, tenants: ts, policies: pol, web: srv, tickets: tks, index: index, kb: kbs,
		mailer: mail.NewWorker(st, transport, e.log, time.Now)}, nil
}

// ready is true when the database answers and has every migration.
func ready(ctx context.Context, st *store.Store) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := st.Ping(ctx); err != nil {
		return err
	}
	pending, err := st.Pending(ctx)
	if err != nil {
		return err
	}
	if len(pending) > 0 {
		return fmt.Errorf("migrations pending: %v", pending)
	}
	return nil
}

func runServe(e *env, args []string) error {
	cfg, err := e.parseConfig("serve", args, nil)
	if err != nil {
		return err
	}
	a, err := e.openApp(cfg)
	if err != nil {
		return err
	}
	defer a.close()
	if err := a.prepareIndex(e); err != nil {
		return err
	}
	return a.serve(e, nil)
}

// serve listens on the configured address until the context ends, then
// stops accepting connections and lets in-flight requests finish (up to
// 30 seconds). onListen, if set, is told the bound port.
func (a *app) serve(e *env, onListen func(port string)) error {
	ln, err := net.Listen("tcp", a.cfg.Addr)
	if err != nil {
		return err
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	srv := &http.Server{
		Handler:           a.web,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute, // uploads of large attachments
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(e.ctx) },
	}
	e.log.Info("listening", "addr", ln.Addr().String(), "base_domain", a.cfg.BaseDomain)
	if onListen != nil {
		onListen(port)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	// The outbox worker delivers what requests queue; it stops with the
	// server and picks up where it left off at the next start.
	jobs, stopJobs := context.WithCancel(e.ctx)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); a.mailer.Run(jobs) }()
	go func() { defer wg.Done(); a.tickets.RunAutoClose(jobs, a.store, time.Minute, e.log) }()
	defer func() { stopJobs(); wg.Wait() }()
	select {
	case err := <-errc:
		return err
	case <-e.ctx.Done():
	}
	e.log.Info("shutting down: finishing in-flight requests")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	e.log.Info("stopped")
	return nil
}

func runMigrate(e *env, args []string) error {
	cfg, err := e.parseConfig("migrate", args, nil)
	if err != nil {
		return err
	}
	st, err := store.Open(e.ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer st.Close()
	applied, err := st.Migrate(e.ctx)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(e.stdout, "Database is up to date.")
		return nil
	}
	fmt.Fprintf(e.stdout, "Applied %d migration(s): %s\n", len(applied), strings.Join(applied, ", "))
	return nil
}

// portalURL is where a tenant's portal answers, e.g. http://acme.localhost:8080.
func portalURL(baseDomain, slug, port string) string {
	u := "http://" + slug + "." + baseDomain
	if port != "80" && port != "" {
		u += ":" + port
	}
	return u
}
