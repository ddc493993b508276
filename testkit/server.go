package testkit

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/svcportal/svcportal/portal"
	"github.com/svcportal/svcportal/store"
	"github.com/svcportal/svcportal/tenants"
	"github.com/svcportal/svcportal/web"
)

// BaseDomain is the platform domain of test apps: tenant acme is served
// at acme.localhost.
const BaseDomain = "localhost"

// App is the whole HTTP application on a fresh database, wired as
// cmd/portal wires it.
type App struct {
	Store   *store.Store
	Tenants *tenants.Service
	Web     *web.Server
	Clock   *Clock
}

// NewApp builds the application for t.
func NewApp(t testing.TB) *App {
	t.Helper()
	clock := NewClock()
	st := Store(t, store.WithClock(clock.Now))
	ts := tenants.New(st, BaseDomain)
	srv := web.New(web.Options{Tenants: ts, Assets: st})
	portal.Register(srv, portal.Deps{})
	return &App{Store: st, Tenants: ts, Web: srv, Clock: clock}
}

// Request sends one request to the app through the real gin engine.
func (a *App) Request(t testing.TB, method, host, path string, body io.Reader, header http.Header) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, body)
	req.Host = host
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
