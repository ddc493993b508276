package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/svcportal/svcportal/app"
	"github.com/svcportal/svcportal/store"
)

// openApp builds the platform of an existing installation (app.New: the
// one wiring the tests use too). An embedded database that is not there
// is an error, not a new empty one: the command most likely runs with
// another data dir than the server's.
func (e *env) openApp(cfg *Config) (*app.App, error) {
	if err := cfg.requireDatabase(); err != nil {
		return nil, err
	}
	return e.createApp(cfg)
}

// createApp builds the platform, creating an embedded database when there
// is none (serve, demo, tenant create: the commands that start an
// installation).
func (e *env) createApp(cfg *Config) (*app.App, error) {
	ac, err := cfg.appConfig(e.log)
	if err != nil {
		return nil, err
	}
	return app.New(e.ctx, ac)
}

func runServe(e *env, args []string) error {
	cfg, err := e.parseConfig("serve", args, nil)
	if err != nil {
		return err
	}
	a, err := e.createApp(cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	// The index, unless another process of the installation holds it
	// (then this one takes over when that one stops).
	if _, err := a.TakeIndex(e.ctx); err != nil {
		return err
	}
	return serve(e, cfg, a, nil)
}

// serverGCPercent is the garbage collector's target for the server,
// unless GOGC says otherwise: the heap may grow to three times what is
// live (Go's default: twice) before a collection. Pages allocate some
// 250 kB each and keep little, so the default collected several times a
// second under load, and a request that ran during a collection's
// marking took up to four times its median. With 200: ticket lists 10 %
// more a second, the list page's p99 37 → 33–35 ms, peak memory 2 to
// 5 MB more (docs/benchmarks.md, "The collector's target"). GOMEMLIMIT
// still caps it (docs/deploy.md).
const serverGCPercent = 200

// tuneGC sets the collector's target for serving, unless the environment
// set GOGC.
func tuneGC() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(serverGCPercent)
	}
}

// serve listens on the configured address until the context ends, then
// stops accepting connections and lets in-flight requests finish (up to
// 30 seconds). onListen, if set, is told the bound port.
func serve(e *env, cfg *Config, a *app.App, onListen func(port string)) error {
	tuneGC()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	srv := &http.Server{
		Handler:           a.Web,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute, // uploads of large attachments
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(e.ctx) },
	}
	e.log.Info("listening", "addr", ln.Addr().String(), "base_domain", cfg.BaseDomain)
	if onListen != nil {
		onListen(port)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	if cfg.InboundSMTPAddr != "" {
		l := a.InboundListener(cfg.InboundSMTPAddr, cfg.BaseDomain)
		sln, err := l.Listen()
		if err != nil {
			srv.Close()
			return fmt.Errorf("PORTAL_INBOUND_SMTP_ADDR: %w", err)
		}
		e.log.Info("inbound email listening", "addr", sln.Addr().String())
		go func() {
			if err := l.Serve(sln); err != nil {
				e.log.Error("inbound email listener", "error", err)
			}
		}()
		defer func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			l.Shutdown(ctx)
		}()
	}
	if cfg.PprofAddr != "" {
		stop, err := servePprof(e, cfg.PprofAddr)
		if err != nil {
			srv.Close()
			return err
		}
		defer stop()
	}
	// The jobs (outbox delivery, auto-close) stop with the server.
	jobs, stopJobs := context.WithCancel(e.ctx)
	done := make(chan struct{})
	go func() { defer close(done); a.RunJobs(jobs) }()
	defer func() { stopJobs(); <-done }()
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
