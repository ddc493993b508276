package app_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/svcportal/svcportal/app"
	"github.com/svcportal/svcportal/testkit"
)

// collector is an OpenTelemetry collector's OTLP/HTTP trace receiver, as
// the protocol specifies it: POST /v1/traces with an
// ExportTraceServiceRequest in protobuf, answered by an
// ExportTraceServiceResponse.
type collector struct {
	mu    sync.Mutex
	spans []*tracepb.Span
	raw   bytes.Buffer // every body received, to look for leaked values
}

func (c *collector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/traces" || r.Header.Get("Content-Type") != "application/x-protobuf" {
		http.Error(w, "not an OTLP/HTTP trace export", http.StatusBadRequest)
		return
	}
	body, err := io.ReadAll(r.Body)
	var req coltrace.ExportTraceServiceRequest
	if err == nil {
		err = proto.Unmarshal(body, &req)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	c.mu.Lock()
	c.raw.Write(body)
	for _, rs := range req.ResourceSpans {
		for _, ss := range rs.ScopeSpans {
			c.spans = append(c.spans, ss.Spans...)
		}
	}
	c.mu.Unlock()
	out, _ := proto.Marshal(&coltrace.ExportTraceServiceResponse{})
	w.Header().Set("Content-Type", "application/x-protobuf")
	w.Write(out)
}

// TestTracing: with PORTAL_TRACES_URL, a request gets a server span named
// by its route that continues the caller's trace (traceparent), with a
// child span per query; the values bound to queries (an email, a
// password) never leave the server; health checks are not traced.
func TestTracing(t *testing.T) {
	col := &collector{}
	srv := httptest.NewServer(col)
	defer srv.Close()
	a := testkit.NewApp(t, func(c *app.Config) { c.TracesURL = srv.URL })
	testkit.Tenant(t, a.Store, "acme")

	const traceID, parentID = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	rec := a.Request(t, http.MethodPost, "acme.localhost", "/api/v1/auth/login",
		strings.NewReader(`{"email":"leak-check@acme.test","password":"hunter2-never-traced"}`),
		http.Header{"Content-Type": {"application/json"}, "Traceparent": {"00-" + traceID + "-" + parentID + "-01"}})
	if rec.Code != http.StatusUnauthorized {
		t.Fatalf("login: %d %s", rec.Code, rec.Body)
	}
	a.Get(t, "localhost", "/healthz", nil)
	if err := a.Close(); err != nil { // sends the buffered spans
		t.Fatal(err)
	}

	col.mu.Lock()
	defer col.mu.Unlock()
	var server *tracepb.Span
	queries := 0
	for _, s := range col.spans {
		if strings.Contains(s.Name, "healthz") {
			t.Errorf("health check traced: %q", s.Name)
		}
		if hexID(s.TraceId) != traceID {
			continue
		}
		switch {
		case s.Kind == tracepb.Span_SPAN_KIND_SERVER:
			server = s
		case s.Kind == tracepb.Span_SPAN_KIND_CLIENT && attr(s, "db.system") != "":
			queries++
		}
	}
	if server == nil {
		t.Fatalf("no server span in the caller's trace among %d spans", len(col.spans))
	}
	if server.Name != "POST /api/v1/auth/login" || hexID(server.ParentSpanId) != parentID {
		t.Errorf("server span %q, parent %s; want the route and the caller's span", server.Name, hexID(server.ParentSpanId))
	}
	if queries == 0 {
		t.Error("no query span under the request")
	}
	for _, secret := range []string{"leak-check@acme.test", "hunter2-never-traced"} {
		if bytes.Contains(col.raw.Bytes(), []byte(secret)) {
			t.Errorf("the spans carry %q", secret)
		}
	}
}

func hexID(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

// attr is a span's string attribute, "" when it has none.
func attr(s *tracepb.Span, key string) string {
	for _, kv := range s.Attributes {
		if kv.Key == key {
			return kv.Value.GetStringValue()
		}
	}
	return ""
}
