package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/testkit"
	"github.com/svcportal/svcportal/web"
)

func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

func TestHealth(t *testing.T) {
	app := testkit.NewApp(t)
	if rec := app.Get(t, "anything", "/healthz", nil); rec.Code != http.StatusOK {
		t.Errorf("healthz: got %d, want 200", rec.Code)
	}
	if rec := app.Get(t, "anything", "/readyz", nil); rec.Code != http.StatusOK {
		t.Errorf("readyz: got %d, want 200", rec.Code)
	}
	srv := web.New(web.Options{Ready: func(context.Context) error { return errors.New("db down") }})
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("readyz when not ready: got %d, want 503", rec.Code)
	}
}

func TestUnknownHost(t *testing.T) {
	app := testkit.NewApp(t)
	testkit.Tenant(t, app.Store, "acme")

	t.Run("page, in the reader's language", func(t *testing.T) {
		rec := app.Get(t, "nope.localhost:8080", "/", hdr("Accept-Language", "de-DE,de;q=0.9"))
		if rec.Code != http.StatusNotFound {
			t.Fatalf("got %d, want 404", rec.Code)
		}
		doc := testkit.HTML(t, rec)
		if lang, _ := doc.Find("html").Attr("lang"); lang != "de" {
			t.Errorf("got lang %q, want de", lang)
		}
		if got := doc.Find("h1").Text(); got != "Hier gibt es kein Portal" {
			t.Errorf("got h1 %q", got)
		}
		if doc.Find(".brand").Length() != 0 {
			t.Error("an unknown host shows a tenant's brand")
		}
	})
	t.Run("any path, API too", func(t *testing.T) {
		rec := app.Get(t, "localhost:8080", "/api/v1/tickets", nil)
		var body web.APIError
		if rec.Code != http.StatusNotFound || json.Unmarshal(rec.Body.Bytes(), &body) != nil || body.Error.Code != "not_found" {
			t.Errorf("got %d %s, want JSON 404", rec.Code, rec.Body)
		}
	})
}

func TestSecurityHeadersAndRequestID(t *testing.T) {
	app := testkit.NewApp(t)
	testkit.Tenant(t, app.Store, "acme")
	rec := app.Get(t, "acme.localhost", "/", nil)
	for k, want := range map[string]string{
		"X-Content-Type-Options": "nosniff",
		"X-Frame-Options":        "DENY",
		"Referrer-Policy":        "same-origin",
	} {
		if got := rec.Header().Get(k); got != want {
			t.Errorf("%s: got %q, want %q", k, got, want)
		}
	}
	if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP %q", csp)
	}
	if id := rec.Header().Get("X-Request-ID"); len(id) != 16 {
		t.Errorf("generated request id %q, want 16 hex chars", id)
	}
	rec = app.Get(t, "acme.localhost", "/", hdr("X-Request-ID", "proxy-id-123"))
	if got := rec.Header().Get("X-Request-ID"); got != "proxy-id-123" {
		t.Errorf("sane incoming id: got %q", got)
	}
	rec = app.Get(t, "acme.localhost", "/", hdr("X-Request-ID", "<script>"))
	if got := rec.Header().Get("X-Request-ID"); got == "<script>" {
		t.Error("insane incoming request id was echoed")
	}
}

func TestStatic(t *testing.T) {
	app := testkit.NewApp(t)
	url := web.AssetURL("app.css")
	rec := app.Get(t, "anything", url, nil)
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/css") {
		t.Fatalf("got %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	if cc := rec.Header().Get("Cache-Control"); !strings.Contains(cc, "immutable") {
		t.Errorf("versioned asset Cache-Control %q, want immutable", cc)
	}
	if cc := app.Get(t, "anything", "/static/app.css", nil).Header().Get("Cache-Control"); strings.Contains(cc, "immutable") {
		t.Errorf("unversioned asset Cache-Control %q, want short", cc)
	}
	etag := rec.Header().Get("ETag")
	if rec := app.Get(t, "anything", url, hdr("If-None-Match", etag)); rec.Code != http.StatusNotModified {
		t.Errorf("If-None-Match: got %d, want 304", rec.Code)
	}
	for _, p := range []string{"/static/nope.css", "/static/../web.go", "/static/"} {
		if rec := app.Get(t, "anything", p, nil); rec.Code != http.StatusNotFound {
			t.Errorf("%s: got %d, want 404", p, rec.Code)
		}
	}
}

func TestBranding(t *testing.T) {
	app := testkit.NewApp(t)
	actx, _ := testkit.Tenant(t, app.Store, "acme")
	testkit.Tenant(t, app.Store, "globex")

	t.Run("theme is the host's tenant's", func(t *testing.T) {
		ctx := context.Background()
		tn := svcportal.NewTenant("violet", "Violet")
		tn.PrimaryColor = "#6d28d9"
		if err := app.Store.CreateTenant(ctx, tn, nil); err != nil {
			t.Fatal(err)
		}
		rec := app.Get(t, "violet.localhost", "/branding/theme.css", nil)
		if !strings.Contains(rec.Body.String(), "--brand:#6d28d9") {
			t.Errorf("got %q", rec.Body)
		}
		if rec := app.Get(t, "acme.localhost", "/branding/theme.css", nil); strings.Contains(rec.Body.String(), "#6d28d9") {
			t.Error("acme got violet's theme")
		}
	})
	t.Run("monogram until a logo is uploaded, never another tenant's", func(t *testing.T) {
		rec := app.Get(t, "acme.localhost", "/branding/logo", nil)
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "image/svg+xml" || !strings.Contains(rec.Body.String(), "<svg") {
			t.Fatalf("got %d %q", rec.Code, rec.Header().Get("Content-Type"))
		}
		if err := app.Store.PutTenantAsset(actx, &svcportal.Asset{Kind: svcportal.AssetLogo, ContentType: "image/png", Data: []byte("\x89PNG fake")}); err != nil {
			t.Fatal(err)
		}
		rec = app.Get(t, "acme.localhost", "/branding/logo", nil)
		if rec.Header().Get("Content-Type") != "image/png" || rec.Body.String() != "\x89PNG fake" {
			t.Errorf("got %q %q, want the uploaded png", rec.Header().Get("Content-Type"), rec.Body)
		}
		if !strings.Contains(rec.Header().Get("Content-Security-Policy"), "sandbox") {
			t.Error("uploaded asset served without a sandboxing CSP")
		}
		rec = app.Get(t, "globex.localhost", "/branding/logo", nil)
		if rec.Header().Get("Content-Type") != "image/svg+xml" {
			t.Errorf("globex got %q, want its own monogram", rec.Header().Get("Content-Type"))
		}
		if rec := app.Get(t, "globex.localhost", "/branding/favicon", nil); rec.Code != http.StatusOK {
			t.Errorf("favicon: got %d", rec.Code)
		}
	})
}

func TestErrors(t *testing.T) {
	app := testkit.NewApp(t)
	testkit.Tenant(t, app.Store, "acme")
	app.Web.Tenant.GET("/boom", func(*gin.Context) { panic("secret detail") })
	app.Web.Tenant.GET("/fail", web.H(func(*gin.Context) error { return errors.New("db exploded: secret detail") }))
	app.Web.Tenant.POST("/api/v1/check", web.H(func(*gin.Context) error {
		var v svcportal.Validation
		v.Add("title", "error.too_long", map[string]any{"Max": 140})
		return v.Err()
	}))

	for _, p := range []string{"/boom", "/fail"} {
		t.Run(p+" is a generic 500 page with the request id", func(t *testing.T) {
			rec := app.Get(t, "acme.localhost", p, hdr("Accept-Language", "it"))
			if rec.Code != http.StatusInternalServerError {
				t.Fatalf("got %d, want 500", rec.Code)
			}
			id := rec.Header().Get("X-Request-ID")
			doc := testkit.HTML(t, rec)
			if strings.Contains(doc.Text(), "secret detail") {
				t.Error("internal detail shown to the reader")
			}
			if got := doc.Find("[data-testid=error-message]").Text(); got != "Si è verificato un errore da parte nostra. Riprovi tra poco." {
				t.Errorf("got message %q", got)
			}
			if !strings.Contains(doc.Find("main").Text(), id) {
				t.Errorf("request id %s not shown", id)
			}
		})
	}
	t.Run("unknown path on a tenant host is that tenant's 404", func(t *testing.T) {
		rec := app.Get(t, "acme.localhost", "/no/such/page", nil)
		doc := testkit.HTML(t, rec)
		if rec.Code != http.StatusNotFound || doc.Find(".brand-name").Text() != "Tenant acme" || doc.Find("h1").Text() != "Page not found" {
			t.Errorf("got %d, brand %q, h1 %q", rec.Code, doc.Find(".brand-name").Text(), doc.Find("h1").Text())
		}
	})
	t.Run("API validation error is localised JSON with fields", func(t *testing.T) {
		rec := app.Request(t, "POST", "acme.localhost", "/api/v1/check", nil, hdr("Accept-Language", "fr"))
		var body web.APIError
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || rec.Code != http.StatusUnprocessableEntity {
			t.Fatalf("got %d %s", rec.Code, rec.Body)
		}
		if body.Error.Code != "validation_failed" || body.Error.Message != "Certains champs doivent être corrigés." ||
			body.Error.Fields["title"] != "Utilisez au plus 140 caractères." {
			t.Errorf("got %+v", body.Error)
		}
	})
}

// TestAdmission_TenantRoutes: the routes of tenants' hosts work in one of
// the admission's slots; the server's own (health, metrics, static) do
// not wait for one.
func TestAdmission_TenantRoutes(t *testing.T) {
	app := testkit.NewApp(t)
	testkit.Tenant(t, app.Store, "acme")
	report := func(c *gin.Context) {
		working, queued := app.Web.Admission()
		c.String(http.StatusOK, "%d working, %d queued", working, queued)
	}
	app.Web.Tenant.GET("/admission-probe", report)
	app.Web.Engine.GET("/server-probe", report)
	for _, tt := range []struct{ host, path, want string }{
		{"acme.localhost", "/admission-probe", "1 working, 0 queued"},
		{"localhost", "/server-probe", "0 working, 0 queued"},
	} {
		if rec := app.Get(t, tt.host, tt.path, nil); rec.Code != http.StatusOK || rec.Body.String() != tt.want {
			t.Errorf("%s%s: got %d %q, want %q", tt.host, tt.path, rec.Code, rec.Body, tt.want)
		}
	}
}
