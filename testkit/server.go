package testkit

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/svcportal/svcportal/accounts"
	"github.com/svcportal/svcportal/admin"
	"github.com/svcportal/svcportal/blobs"
	"github.com/svcportal/svcportal/kb"
	"github.com/svcportal/svcportal/mail"
	"github.com/svcportal/svcportal/policies"
	"github.com/svcportal/svcportal/portal"
	"github.com/svcportal/svcportal/search"
	"github.com/svcportal/svcportal/store"
	"github.com/svcportal/svcportal/tenants"
	"github.com/svcportal/svcportal/tickets"
	"github.com/svcportal/svcportal/web"
)

// BaseDomain is the platform domain of test apps: tenant acme is served
// at acme.localhost.
const BaseDomain = "localhost"

// SecretKey is the fixed server secret of test apps (reset-code hashes).
const SecretKey = "testkit-secret-key-0123456789abcdef"

// App is the whole HTTP application on a fresh database, wired as
// cmd/portal wires it.
type App struct {
	Store    *store.Store
	Tenants  *tenants.Service
	Web      *web.Server
	Clock    *Clock
	Accounts *accounts.Service
	Policies *policies.Service
	KB       *kb.Service
	Tickets  *tickets.Service
	// AdminRoutes says which permission each console and admin API route
	// declared.
	AdminRoutes *admin.Routes
}

// NewApp builds the application for t.
func NewApp(t testing.TB) *App {
	t.Helper()
	clock := NewClock()
	st := Store(t, store.WithClock(clock.Now))
	pol := policies.New(st)
	ts := tenants.New(st, BaseDomain, tenants.WithSetup(pol.SeedDefaults), tenants.WithPublicURL("http", ""))
	srv := web.New(web.Options{Tenants: ts, Assets: st, Logger: slog.New(slog.DiscardHandler)})
	renderer, err := mail.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	acc := accounts.New(st, clock.Now, accounts.WithSecret([]byte(SecretKey)), accounts.WithMailer(renderer, ts.URL))
	blobStore, err := blobs.Open(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	index, err := search.NewMemory()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { index.Close() })
	kbs := kb.New(st, index, slog.New(slog.DiscardHandler))
	tks := tickets.New(st, pol, clock.Now, tickets.WithNotifications(renderer, ts.URL), tickets.WithArticles(kbs))
	portal.Register(srv, portal.Deps{Accounts: acc, Tickets: tks, Blobs: blobStore, KB: kbs, SSO: acc})
	routes := admin.Register(srv, admin.Deps{Tenant: ts, Accounts: acc, ContactAdmin: acc, Staff: acc, Contacts: st, Sites: st, Tickets: tks, Fields: st, Policies: pol, Blobs: blobStore, KB: kbs, OIDC: st})
	return &App{Store: st, Tenants: ts, Web: srv, Clock: clock, Accounts: acc, Policies: pol, KB: kbs, Tickets: tks, AdminRoutes: routes}
}

// Request sends one request to the app through the real gin engine.
func (a *App) Request(t testing.TB, method, host, path string, body io.Reader, header http.Header) *httptest.ResponseRecorder {
	t.Helper()
	return a.RequestFrom(t, "", method, host, path, body, header)
}

// RequestFrom is Request from a given client address ("" for httptest's
// default, 192.0.2.1:1234).
func (a *App) RequestFrom(t testing.TB, remoteAddr, method, host, path string, body io.Reader, header http.Header) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, body)
	req.Host = host
	if remoteAddr != "" {
		req.RemoteAddr = remoteAddr
	}
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	a.Web.ServeHTTP(rec, req)
	return rec
}

// Get is Request with GET and no body.
func (a *App) Get(t testing.TB, host, path string, header http.Header) *httptest.ResponseRecorder {
	t.Helper()
	return a.Request(t, http.MethodGet, host, path, nil, header)
}

// HTML parses a response body for selector checks.
func HTML(t testing.TB, rec *httptest.ResponseRecorder) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(rec.Body)
	if err != nil {
		t.Fatalf("parse HTML: %v", err)
	}
	return doc
}
