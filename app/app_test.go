package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/svcportal/svcportal/app"
	"github.com/svcportal/svcportal/testkit"
)

// TestOpenAPI_EveryRouteDescribed: the document is generated from the
// engine's routes, so it lists every /api/v1 route; this test fails for a
// route without a description in apiOps, and for a description of a route
// that is gone.
func TestOpenAPI_EveryRouteDescribed(t *testing.T) {
	a := testkit.NewApp(t)
	testkit.Tenant(t, a.Store, "acme")
	_, undescribed := a.OpenAPI()
	for _, r := range undescribed {
		t.Errorf("route %s has no description in apiOps (app/openapi.go)", r)
	}
	rec := a.Get(t, "acme.localhost", "/api/v1/openapi.json", nil)
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("GET /api/v1/openapi.json: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	var doc struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi: got %q, want 3.1.0", doc.OpenAPI)
	}
	served := map[string]bool{}
	for _, r := range a.Web.Engine.Routes() {
		if !strings.HasPrefix(r.Path, "/api/v1/") {
			continue
		}
		path := regexp.MustCompile(`:([a-z_]+)`).ReplaceAllString(r.Path, "{$1}")
		served[r.Method+" "+path] = true
		op, ok := doc.Paths[path][strings.ToLower(r.Method)]
		if !ok {
			t.Errorf("%s %s is served but not in the document", r.Method, path)
			continue
		}
		if op["summary"] == "" || op["responses"] == nil || op["operationId"] == "" {
			t.Errorf("%s %s: incomplete operation %v", r.Method, path, op)
		}
	}
	for path, ops := range doc.Paths {
		for method := range ops {
			if !served[strings.ToUpper(method)+" "+path] {
				t.Errorf("the document lists %s %s, which is not served", method, path)
			}
		}
	}
	for key := range app.OpenAPIDescriptions() {
		if !served[key] {
			t.Errorf("apiOps describes %s, which is not served", key)
		}
	}
	if rec := a.Get(t, "nope.localhost", "/api/v1/openapi.json", nil); rec.Code != http.StatusNotFound {
		t.Errorf("on an unknown host: %d, want 404", rec.Code)
	}
}

// TestMetrics: Prometheus text on loopback, 401 from elsewhere, the token
// when one is set; requests counted by route pattern.
func TestMetrics(t *testing.T) {
	a := testkit.NewApp(t)
	testkit.Tenant(t, a.Store, "acme")
	a.Get(t, "acme.localhost", "/api/v1/tickets/42", nil) // 401: not signed in
	rec := a.RequestFrom(t, "127.0.0.1:5000", http.MethodGet, "localhost", "/metrics", nil, nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("from loopback: %d", rec.Code)
	}
	body := rec.Body.String()
	for _, want := range []string{
		`portal_http_requests_total{method="GET",route="/api/v1/tickets/:number",status="401"} 1`,
		"portal_http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/v1/tickets/:number\"",
		"portal_outbox_pending 0", "portal_outbox_oldest_pending_age_seconds 0", "portal_search_queue_length",
		`go_sql_open_connections{db_name="`, "go_goroutines", "portal_http_requests_working 0", "portal_http_requests_queued 0",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if rec := a.Get(t, "localhost", "/metrics", nil); rec.Code != http.StatusUnauthorized {
		t.Errorf("from 192.0.2.1 without a token: %d, want 401", rec.Code)
	}
	h := a.MetricsHandler("s3cret")
	for _, c := range []struct {
		remote, auth string
		want         int
	}{
		{"127.0.0.1:1", "", http.StatusOK}, // loopback needs no token
		{"192.0.2.1:1", "", http.StatusUnauthorized},
		{"192.0.2.1:1", "Bearer wrong", http.StatusUnauthorized},
		{"192.0.2.1:1", "Bearer s3cret", http.StatusOK},
	} {
		req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
		req.RemoteAddr = c.remote
		if c.auth != "" {
			req.Header.Set("Authorization", c.auth)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != c.want {
			t.Errorf("%s %q: got %d, want %d", c.remote, c.auth, rec.Code, c.want)
		}
	}
}

// TestTLSAsk: the on-demand TLS question of a proxy gets yes for the names
// of enabled tenants only.
func TestTLSAsk(t *testing.T) {
	a := testkit.NewApp(t)
	testkit.Tenant(t, a.Store, "acme", "help.acme.test")
	testkit.Tenant(t, a.Store, "gone")
	now := a.Clock.Now()
	if err := a.Store.SetTenantDisabled(context.Background(), "gone", &now); err != nil {
		t.Fatal(err)
	}
	for domain, want := range map[string]int{
		"acme.localhost": http.StatusOK, "help.acme.test": http.StatusOK, "HELP.acme.test": http.StatusOK,
		"gone.localhost": http.StatusNotFound, "nobody.localhost": http.StatusNotFound, "localhost": http.StatusNotFound,
		"a.b.localhost": http.StatusNotFound, "": http.StatusNotFound, "bad%00name": http.StatusNotFound, "127.0.0.1": http.StatusNotFound,
	} {
		if rec := a.Get(t, "portal.internal:8080", "/tls/ask?domain="+domain, nil); rec.Code != want {
			t.Errorf("%q: %d, want %d", domain, rec.Code, want)
		}
	}
}
