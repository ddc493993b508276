package admin_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/mail"
	"github.com/svcportal/svcportal/testkit"
	"github.com/svcportal/svcportal/webhooks"
)

// receiver is a TLS endpoint that records what it is sent.
type receiver struct {
	srv    *httptest.Server
	mu     sync.Mutex
	got    []http.Header
	bodies [][]byte
	status int
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{status: http.StatusNoContent}
	r.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got, r.bodies = append(r.got, req.Header.Clone()), append(r.bodies, body)
		status := r.status
		r.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

// worker delivers with a client that trusts the receiver's certificate;
// check decides which addresses it may reach.
func worker(w *world, r *receiver, check func(string) error) *webhooks.Worker {
	wk := webhooks.NewWorker(w.app.Store, w.app.Store.ListStaff, mustRenderer(), w.app.Tenants.URL, false, testkitLogger(), w.app.Clock.Now)
	wk.HTTP = webhooks.NewClient(check, false, 5*time.Second)
	wk.HTTP.Transport.(*http.Transport).TLSClientConfig = r.srv.Client().Transport.(*http.Transport).TLSClientConfig
	return wk
}

func allowAll(string) error { return nil }

// verify recomputes a Standard Webhooks signature from the secret.
func verify(t *testing.T, secret string, h http.Header, body []byte) {
	t.Helper()
	key, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	m := hmac.New(sha256.New, key)
	m.Write([]byte(h.Get("webhook-id") + "." + h.Get("webhook-timestamp") + "."))
	m.Write(body)
	want := "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
	if h.Get("webhook-signature") != want || !strings.HasPrefix(h.Get("webhook-id"), "msg_") {
		t.Errorf("signature %q id %q, want %q", h.Get("webhook-signature"), h.Get("webhook-id"), want)
	}
}

func TestWebhooks_SignedEventsAfterCommit(t *testing.T) {
	w := newWorld(t)
	admin := w.api(t, "acme.localhost", w.adminToken)
	agent := w.api(t, "acme.localhost", w.agentToken)
	r := newReceiver(t)

	var created struct {
		svcportal.WebhookEndpoint
		Secret string `json:"secret"`
	}
	if rec := admin.JSON(t, "POST", "/api/v1/admin/webhooks", map[string]any{"url": r.srv.URL + "/hook"}, &created); rec.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	if !strings.HasPrefix(created.Secret, "whsec_") || len(created.Events) != len(svcportal.WebhookEventTypes) {
		t.Fatalf("created %+v", created)
	}
	rec := admin.JSON(t, "GET", "/api/v1/admin/webhooks", nil, nil)
	if strings.Contains(rec.Body.String(), created.Secret) || strings.Contains(rec.Body.String(), "whsec_") {
		t.Error("the secret is shown again")
	}
	if rec := agent.JSON(t, "GET", "/api/v1/admin/webhooks", nil, nil); rec.Code != http.StatusForbidden {
		t.Errorf("agent: %d, want 403", rec.Code)
	}
	for name, body := range map[string]map[string]any{
		"plain http":    {"url": "http://example.com/hook"},
		"no host":       {"url": "https:///hook"},
		"credentials":   {"url": "https://user:pw@example.com/hook"},
		"unknown event": {"url": "https://example.com/hook", "events": []string{"ticket.deleted"}},
		"no event":      {"url": "https://example.com/hook", "events": []string{}},
	} {
		if rec := admin.JSON(t, "POST", "/api/v1/admin/webhooks", body, nil); rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d, want 422", name, rec.Code)
		}
	}

	// Ticket changes: creation, a public reply, an internal note, a
	// proposal and its acceptance.
	if err := w.app.Policies.SeedDefaults(w.actx); err != nil {
		t.Fatal(err)
	}
	peter := testkit.Contact(w.actx, t, w.app.Store, "peter@initech.test", w.initech, svcportal.RoleMember)
	p := &svcportal.Principal{Kind: svcportal.PrincipalContact, Contact: peter}
	v, err := w.app.Tickets.Create(w.actx, p, svcportal.NewTicket{Title: "Printer", Description: "Jammed"})
	if err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/api/v1/admin/tickets/%d", v.Number)
	agent.JSON(t, "POST", path+"/replies", map[string]any{"body": "Public answer"}, nil)
	agent.JSON(t, "POST", path+"/replies", map[string]any{"body": "SECRET NOTE", "internal": true}, nil)
	agent.JSON(t, "POST", path+"/propose-solution", map[string]any{"body": "Restart it"}, nil)
	if _, err := w.app.Tickets.Decide(w.actx, p, v.Number, true, ""); err != nil {
		t.Fatal(err)
	}
	if len(r.got) != 0 {
		t.Fatal("delivered before the worker ran")
	}
	if _, err := worker(w, r, allowAll).RunOnce(w.actx); err != nil {
		t.Fatal(err)
	}
	var types []string
	for i, h := range r.got {
		verify(t, created.Secret, h, r.bodies[i])
		var payload struct {
			Type string
			Data map[string]any
		}
		if err := json.Unmarshal(r.bodies[i], &payload); err != nil {
			t.Fatal(err)
		}
		types = append(types, payload.Type)
		if strings.Contains(string(r.bodies[i]), "SECRET NOTE") {
			t.Error("an internal note was sent to an endpoint without include_internal")
		}
		if tk, _ := payload.Data["ticket"].(map[string]any); tk["number"] != float64(v.Number) {
			t.Errorf("%s carries ticket %v", payload.Type, tk["number"])
		}
	}
	want := "ticket.created ticket.replied ticket.status_changed ticket.solution_accepted ticket.status_changed ticket.closed"
	if strings.Join(types, " ") != want {
		t.Errorf("events %v, want %s", types, want)
	}

	// With include_internal on, notes go too.
	if rec := admin.JSON(t, "PATCH", fmt.Sprintf("/api/v1/admin/webhooks/%d", created.ID), map[string]any{"include_internal": true}, nil); rec.Code != http.StatusOK {
		t.Fatal(rec.Body)
	}
	agent.JSON(t, "POST", path+"/replies", map[string]any{"body": "SECOND NOTE", "internal": true}, nil)
	worker(w, r, allowAll).RunOnce(w.actx)
	if last := string(r.bodies[len(r.bodies)-1]); !strings.Contains(last, "SECOND NOTE") || !strings.Contains(last, `"internal":true`) {
		t.Errorf("the note was not sent with include_internal: %s", last)
	}

	// The log of deliveries; another tenant's admin sees none of it.
	var log struct{ Deliveries []svcportal.WebhookDelivery }
	admin.JSON(t, "GET", fmt.Sprintf("/api/v1/admin/webhooks/%d/deliveries", created.ID), nil, &log)
	if len(log.Deliveries) != 7 || log.Deliveries[0].Status != svcportal.WebhookDelivered || len(log.Deliveries[0].Log) != 1 || log.Deliveries[0].Log[0].StatusCode != 204 {
		t.Errorf("deliveries %+v", log.Deliveries)
	}
	globex := w.api(t, "globex.localhost", w.globexToken)
	if rec := globex.JSON(t, "GET", fmt.Sprintf("/api/v1/admin/webhooks/%d/deliveries", created.ID), nil, nil); rec.Code != http.StatusNotFound {
		t.Errorf("other tenant: %d, want 404", rec.Code)
	}
	if rec := admin.JSON(t, "DELETE", fmt.Sprintf("/api/v1/admin/webhooks/%d", created.ID), nil, nil); rec.Code != http.StatusNoContent {
		t.Errorf("delete: %d", rec.Code)
	}
}

func TestWebhooks_PrivateTargetsRefused(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:443", "[::1]:443", "10.0.0.1:443", "192.168.1.1:443", "169.254.169.254:80", "0.0.0.0:443", "[::]:443", "[::ffff:127.0.0.1]:443", "100.64.0.1:443"} {
		if err := webhooks.CheckAddress(addr); !errors.Is(err, webhooks.ErrPrivateAddress) {
			t.Errorf("%s: %v, want refused", addr, err)
		}
	}
	if err := webhooks.CheckAddress("93.184.216.34:443"); err != nil {
		t.Errorf("a public address: %v", err)
	}

	w := newWorld(t)
	admin := w.api(t, "acme.localhost", w.adminToken)
	r := newReceiver(t)
	_, port, _ := net.SplitHostPort(r.srv.Listener.Addr().String())
	// A name that resolves to 127.0.0.1: refused once resolved.
	var created svcportal.WebhookEndpoint
	admin.JSON(t, "POST", "/api/v1/admin/webhooks", map[string]any{"url": "https://localhost:" + port + "/hook"}, &created)
	peter := testkit.Contact(w.actx, t, w.app.Store, "peter@initech.test", w.initech, svcportal.RoleMember)
	p := &svcportal.Principal{Kind: svcportal.PrincipalContact, Contact: peter}
	if _, err := w.app.Tickets.Create(w.actx, p, svcportal.NewTicket{Title: "SSRF"}); err != nil {
		t.Fatal(err)
	}
	worker(w, r, webhooks.CheckAddress).RunOnce(w.actx)
	if len(r.got) != 0 {
		t.Fatal("a webhook reached 127.0.0.1")
	}
	ds, _ := w.app.Store.WebhookDeliveries(w.actx, created.ID, 10)
	if len(ds) != 1 || !strings.Contains(ds[0].LastError, "private") || ds[0].Status != svcportal.WebhookPending {
		t.Errorf("deliveries %+v: want a pending retry with the refusal logged", ds)
	}

	// A redirect to a private address: the first server is allowed, the
	// address it redirects to is checked again and refused.
	inner := newReceiver(t)
	outer := httptest.NewTLSServer(http.RedirectHandler(inner.srv.URL+"/stolen", http.StatusTemporaryRedirect))
	t.Cleanup(outer.Close)
	allowOuterOnly := func(addr string) error {
		if addr == outer.Listener.Addr().String() {
			return nil
		}
		return webhooks.CheckAddress(addr)
	}
	client := webhooks.NewClient(allowOuterOnly, false, 5*time.Second)
	client.Transport.(*http.Transport).TLSClientConfig = outer.Client().Transport.(*http.Transport).TLSClientConfig
	resp, err := client.Post(outer.URL, "application/json", strings.NewReader("{}"))
	if err == nil {
		resp.Body.Close()
	}
	if !errors.Is(err, webhooks.ErrPrivateAddress) || len(inner.got) != 0 {
		t.Errorf("redirect to a private address: %v (inner got %d)", err, len(inner.got))
	}
}

func TestWebhooks_RetriesThenDisabledAndAdminsTold(t *testing.T) {
	w := newWorld(t)
	admin := w.api(t, "acme.localhost", w.adminToken)
	r := newReceiver(t)
	r.status = http.StatusInternalServerError
	var created svcportal.WebhookEndpoint
	admin.JSON(t, "POST", "/api/v1/admin/webhooks", map[string]any{"url": r.srv.URL, "events": []string{"ticket.created"}}, &created)
	peter := testkit.Contact(w.actx, t, w.app.Store, "peter@initech.test", w.initech, svcportal.RoleMember)
	p := &svcportal.Principal{Kind: svcportal.PrincipalContact, Contact: peter}
	for i := 0; i < 2; i++ {
		if _, err := w.app.Tickets.Create(w.actx, p, svcportal.NewTicket{Title: fmt.Sprintf("T%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	wk := worker(w, r, allowAll)
	wk.DisableAfter = 3
	if n, _ := wk.RunOnce(w.actx); n != 2 {
		t.Fatalf("first round attempted %d, want 2", n)
	}
	// Not due again before the backoff.
	if n, _ := wk.RunOnce(w.actx); n != 0 {
		t.Errorf("retried before the backoff: %d", n)
	}
	w.app.Clock.Advance(time.Minute)
	wk.RunOnce(w.actx)
	e, _ := w.app.Store.WebhookEndpoint(w.actx, created.ID)
	if e.Enabled || e.DisabledReason == "" {
		t.Fatalf("after 4 failures in a row the endpoint is %+v, want off", e)
	}
	mails, _ := w.app.Store.Emails(w.actx, svcportal.EmailFilter{Kind: svcportal.EmailWebhookDisabled})
	if len(mails) != 1 || mails[0].ToAddress != "admin@acme.test" || !strings.Contains(mails[0].Subject, "webhook") {
		t.Errorf("emails %+v: want one to the admin", mails)
	}
	// Off: new events are not queued for it.
	v, _ := w.app.Tickets.Create(w.actx, p, svcportal.NewTicket{Title: "After"})
	ds, _ := w.app.Store.WebhookDeliveries(w.actx, created.ID, 50)
	for _, d := range ds {
		if strings.Contains(d.Payload, fmt.Sprintf(`"number":%d`, v.Number)) {
			t.Error("an event was queued for a disabled endpoint")
		}
	}
	// Turned on again: failures cleared.
	var on svcportal.WebhookEndpoint
	admin.JSON(t, "PATCH", fmt.Sprintf("/api/v1/admin/webhooks/%d", created.ID), map[string]any{"enabled": true}, &on)
	if !on.Enabled || on.Failures != 0 || on.DisabledReason != "" {
		t.Errorf("re-enabled: %+v", on)
	}
}

func mustRenderer() *mail.Renderer {
	r, err := mail.NewRenderer()
	if err != nil {
		panic(err)
	}
	return r
}

func testkitLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
