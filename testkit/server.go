package testkit

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/svcportal/svcportal/app"
	"github.com/svcportal/svcportal/search"
)

// BaseDomain is the platform domain of test apps: tenant acme is served
// at acme.localhost.
const BaseDomain = "localhost"

// SecretKey is the fixed server secret of test apps (reset-code hashes).
const SecretKey = "testkit-secret-key-0123456789abcdef"

// App is the whole HTTP application on a fresh database, built by
// app.New as cmd/portal builds it, with a settable clock and an in-memory
// search index.
type App struct {
	*app.App
	Clock *Clock
	dbURL string
}

// AppOption changes the configuration NewApp builds the application from.
type AppOption func(*app.Config)

// NewApp builds the application for t.
func NewApp(t testing.TB, opts ...AppOption) *App {
	t.Helper()
	return newApp(t, DatabaseURL(t), NewClock(), opts...)
}

// Twin builds a second instance of the application on a's database, with
// a's clock: what one instance writes, the other must honour, as when
// several run behind a load balancer.
func (a *App) Twin(t testing.TB) *App {
	t.Helper()
	return newApp(t, a.dbURL, a.Clock)
}

func newApp(t testing.TB, dbURL string, clock *Clock, opts ...AppOption) *App {
	t.Helper()
	index, err := search.NewMemory()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { index.Close() })
	dir := t.TempDir()
	cfg := app.Config{
		DatabaseURL: dbURL, DataDir: dir, BaseDomain: BaseDomain,
		MailURL: "file:" + filepath.Join(dir, "mail"), SearchURL: "embedded", Index: index,
		SecretKey: []byte(SecretKey), Logger: slog.New(slog.DiscardHandler), Now: clock.Now,
	}
	for _, o := range opts {
		o(&cfg)
	}
	a, err := app.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return &App{App: a, Clock: clock, dbURL: dbURL}
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
