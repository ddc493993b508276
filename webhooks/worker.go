package webhooks

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/svcportal/svcportal"
)

// Defaults of the worker.
const (
	DefaultPollInterval = 5 * time.Second
	DefaultMaxAttempts  = 8  // attempts of one delivery before it fails
	DefaultDisableAfter = 15 // failed attempts in a row before the endpoint is turned off
	DefaultTimeout      = 10 * time.Second
	maxRedirects        = 3
)

// backoff is the wait before each retry: 30 s, 2 min, 10 min, 1 h, 3 h, 6 h, 12 h.
var backoff = []time.Duration{30 * time.Second, 2 * time.Minute, 10 * time.Minute, time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour}

// Worker delivers the webhook outbox.
type Worker struct {
	PollInterval time.Duration
	MaxAttempts  int
	DisableAfter int

	st     svcportal.WebhookStore
	staff  func(ctx context.Context) ([]svcportal.Staff, error)
	mailer svcportal.EmailRenderer
	url    func(*svcportal.Tenant) string
	// HTTP sends the deliveries (Client by default).
	HTTP *http.Client
	log  *slog.Logger
	now  func() time.Time
}

// NewWorker returns the worker. staff lists the context tenant's staff
// (the admins are told when an endpoint is turned off); allowPrivate
// lets it reach private and loopback addresses.
func NewWorker(st svcportal.WebhookStore, staff func(ctx context.Context) ([]svcportal.Staff, error), mailer svcportal.EmailRenderer,
	url func(*svcportal.Tenant) string, allowPrivate bool, log *slog.Logger, now func() time.Time) *Worker {
	return &Worker{PollInterval: DefaultPollInterval, MaxAttempts: DefaultMaxAttempts, DisableAfter: DefaultDisableAfter,
		st: st, staff: staff, mailer: mailer, url: url, HTTP: Client(allowPrivate, DefaultTimeout), log: log, now: now}
}

// Client is the HTTP client of deliveries: every connection — the first
// and each redirect's — is checked after DNS resolution, by the dialer,
// against the address it really connects to, so a name that resolves to
// 127.0.0.1 or a redirect to a private address is refused (unless
// allowPrivate). Redirects are followed at most maxRedirects times and
// only to http(s).
func Client(allowPrivate bool, timeout time.Duration) *http.Client {
	check := CheckAddress
	if allowPrivate {
		check = func(string) error { return nil }
	}
	return NewClient(check, allowPrivate, timeout)
}

// NewClient is Client with the address check given: check runs on the
// resolved address of every connection; allowHTTP also follows plain
// http redirects.
func NewClient(check func(hostport string) error, allowHTTP bool, timeout time.Duration) *http.Client {
	dialer := &net.Dialer{Timeout: timeout, Control: func(network, address string, _ syscall.RawConn) error {
		return check(address)
	}}
	tr := &http.Transport{DialContext: dialer.DialContext, Proxy: nil, TLSHandshakeTimeout: timeout,
		ResponseHeaderTimeout: timeout, MaxIdleConns: 10, IdleConnTimeout: 30 * time.Second}
	return &http.Client{Transport: tr, Timeout: timeout, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) >= maxRedirects {
			return errors.New("too many redirects")
		}
		if req.URL.Scheme != "https" && !(allowHTTP && req.URL.Scheme == "http") {
			return fmt.Errorf("redirect to %s refused", req.URL.Scheme)
		}
		return nil
	}}
}

// ErrPrivateAddress is the refusal of an address a webhook may not reach.
var ErrPrivateAddress = errors.New("webhook target is a private, loopback, link-local or unspecified address")

// CheckAddress refuses host:port when the host is an address of this
// machine or of a private network: loopback, private (RFC 1918, unique
// local), link-local, unspecified, multicast, CGNAT shared space.
func CheckAddress(hostport string) error {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return err
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("%w: %q is not an address", ErrPrivateAddress, host)
	}
	ip = ip.Unmap()
	cgnat := netip.MustParsePrefix("100.64.0.0/10")
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsUnspecified() ||
		ip.IsMulticast() || ip.IsInterfaceLocalMulticast() || cgnat.Contains(ip) {
		return fmt.Errorf("%w (%s)", ErrPrivateAddress, ip)
	}
	return nil
}

// Sign returns the webhook-signature header value of Standard Webhooks:
// "v1," and the base64 HMAC-SHA256 of "id.timestamp.body", keyed with the
// base64-decoded part of the secret after "whsec_".
func Sign(secret, id string, ts int64, body []byte) (string, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return "", fmt.Errorf("webhook secret: %w", err)
	}
	m := hmac.New(sha256.New, key)
	fmt.Fprintf(m, "%s.%d.", id, ts)
	m.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil)), nil
}

// Run delivers due webhooks until ctx ends.
func (w *Worker) Run(ctx context.Context) {
	tick := time.NewTicker(w.PollInterval)
	defer tick.Stop()
	for {
		if _, err := w.RunOnce(ctx); err != nil && ctx.Err() == nil {
			w.log.Error("webhook worker round failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// RunOnce delivers every due webhook and returns how many were attempted.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	n := 0
	for ctx.Err() == nil {
		batch, err := w.st.ClaimDueWebhooks(ctx, w.now(), 20, 2*time.Minute)
		if err != nil {
			return n, err
		}
		if len(batch) == 0 {
			return n, nil
		}
		for i := range batch {
			if err := w.deliver(ctx, &batch[i]); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}

// deliver makes one attempt and records it.
func (w *Worker) deliver(ctx context.Context, c *svcportal.WebhookClaim) error {
	d := &c.Delivery
	start, took := w.now(), time.Now() // the attempt's time on the service clock; its duration on the real one
	code, err := w.post(ctx, c)
	a := svcportal.WebhookAttempt{At: start, StatusCode: code, DurationMS: time.Since(took).Milliseconds()}
	status, next := svcportal.WebhookDelivered, time.Time{}
	if err != nil {
		a.Error = err.Error()
		if len(a.Error) > 1000 {
			a.Error = a.Error[:1000]
		}
		status = svcportal.WebhookFailed
		if d.Attempts < w.MaxAttempts {
			status, next = svcportal.WebhookPending, w.now().Add(backoff[min(d.Attempts-1, len(backoff)-1)])
		}
	}
	failures, err := w.st.RecordWebhookAttempt(ctx, d, a, status, next)
	if err != nil {
		return err
	}
	if status != svcportal.WebhookDelivered && failures >= w.DisableAfter {
		return w.disable(ctx, c, a.Error)
	}
	return nil
}

// post sends the payload; a non-2xx answer is an error.
func (w *Worker) post(ctx context.Context, c *svcportal.WebhookClaim) (int, error) {
	ts := w.now().Unix()
	body := []byte(c.Delivery.Payload)
	sig, err := Sign(c.Endpoint.Secret, c.Delivery.MsgID, ts, body)
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.Endpoint.URL, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "svcportal-webhooks/1")
	req.Header.Set("webhook-id", c.Delivery.MsgID)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("webhook-signature", sig)
	resp, err := w.HTTP.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, fmt.Errorf("answered %d", resp.StatusCode)
	}
	return resp.StatusCode, nil
}

// disable turns the endpoint off and emails the tenant's active admins,
// in one transaction.
func (w *Worker) disable(ctx context.Context, c *svcportal.WebhookClaim, lastErr string) error {
	tctx := svcportal.WithTenant(ctx, &c.Tenant)
	staff, err := w.staff(tctx)
	if err != nil {
		return err
	}
	var emails []*svcportal.OutboundEmail
	for _, s := range staff {
		if s.Role != svcportal.StaffAdmin || s.Disabled {
			continue
		}
		m, err := w.mailer.RenderEmail(tctx, &c.Tenant, svcportal.EmailRequest{Kind: svcportal.EmailWebhookDisabled, To: s.Email, ToName: s.Name,
			Locale: s.Locale, Staff: true, Data: map[string]any{"URL": c.Endpoint.URL, "Failures": w.DisableAfter, "Error": lastErr,
				"Link": w.url(&c.Tenant) + "/admin/webhooks"}})
		if err != nil {
			return err
		}
		emails = append(emails, m)
	}
	off, err := w.st.DisableWebhookEndpoint(tctx, c.Endpoint.ID, lastErr, emails)
	if off {
		w.log.Warn("webhook endpoint disabled after repeated failures", "tenant", c.Tenant.Slug, "endpoint", c.Endpoint.ID, "error", lastErr)
	}
	return err
}
