package inbound

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/svcportal/svcportal"
)

// Resolver finds the tenant served at a host name (tenants.Service.Resolve).
type Resolver func(ctx context.Context, host string) (*svcportal.Tenant, error)

// Listener is the SMTP (or LMTP) server that takes inbound email for
// <slug>@<base domain> (with any +tag) and for any address at a tenant's
// custom domain, and hands each message to the service once per tenant
// it was addressed to.
type Listener struct {
	srv *smtp.Server
}

// NewListener returns a listener on addr; an addr written "lmtp:ADDR"
// speaks LMTP (for an MTA that delivers locally), any other SMTP.
func NewListener(addr string, svc svcportal.InboundService, resolve Resolver, baseDomain string, log *slog.Logger) *Listener {
	lmtp := false
	if a, ok := strings.CutPrefix(addr, "lmtp:"); ok {
		addr, lmtp = a, true
	}
	be := &backend{svc: svc, resolve: resolve, baseDomain: strings.ToLower(baseDomain), log: log}
	srv := smtp.NewServer(be)
	srv.Addr, srv.LMTP, srv.Domain = addr, lmtp, baseDomain
	srv.MaxMessageBytes = DefaultLimits(svcportal.DefaultMaxUploadMB).MaxBytes
	srv.MaxRecipients = 20
	srv.ReadTimeout, srv.WriteTimeout = 2*time.Minute, 2*time.Minute
	return &Listener{srv: srv}
}

// Serve takes connections on ln until Close.
func (l *Listener) Serve(ln net.Listener) error {
	err := l.srv.Serve(ln)
	if errors.Is(err, smtp.ErrServerClosed) {
		return nil
	}
	return err
}

// Listen opens the listener's address.
func (l *Listener) Listen() (net.Listener, error) {
	return net.Listen("tcp", l.srv.Addr)
}

// Shutdown stops taking connections and waits for those open to end.
func (l *Listener) Shutdown(ctx context.Context) error { return l.srv.Shutdown(ctx) }

type backend struct {
	svc        svcportal.InboundService
	resolve    Resolver
	baseDomain string
	log        *slog.Logger
}

func (b *backend) NewSession(*smtp.Conn) (smtp.Session, error) {
	return &session{b: b}, nil
}

// session is one SMTP transaction at a time: the envelope, then the data.
type session struct {
	b        *backend
	from     string
	null     bool
	tenants  []*svcportal.Tenant
	rcpts    []string
	seenTids map[int64]bool
}

func (s *session) Reset() {
	s.from, s.null, s.tenants, s.rcpts, s.seenTids = "", false, nil, nil, nil
}

func (s *session) Logout() error { return nil }

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.Reset()
	s.from, s.null = from, from == ""
	return nil
}

// Rcpt accepts an address of a tenant and refuses any other (no relay).
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	t, err := s.b.tenantOf(context.Background(), to)
	if err != nil {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such mailbox"}
	}
	if s.seenTids == nil {
		s.seenTids = map[int64]bool{}
	}
	if !s.seenTids[t.ID] {
		s.seenTids[t.ID] = true
		s.tenants = append(s.tenants, t)
	}
	s.rcpts = append(s.rcpts, strings.ToLower(to))
	return nil
}

// tenantOf maps a recipient to its tenant: <slug>[+tag]@<base domain>, or
// any local part at a custom domain of a tenant.
func (b *backend) tenantOf(ctx context.Context, addr string) (*svcportal.Tenant, error) {
	local, domain, ok := strings.Cut(strings.ToLower(strings.TrimSpace(addr)), "@")
	if !ok || local == "" {
		return nil, svcportal.ErrNotFound()
	}
	if domain == b.baseDomain {
		slug, _, _ := strings.Cut(local, "+")
		return b.resolve(ctx, slug+"."+b.baseDomain)
	}
	return b.resolve(ctx, domain)
}

func (s *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	var refused, failed error
	for _, t := range s.tenants {
		ctx := svcportal.WithTenant(context.Background(), t)
		res, err := s.b.svc.Ingest(ctx, bytes.NewReader(data), svcportal.InboundEnvelope{From: s.from, To: s.rcpts, NullSender: s.null})
		switch {
		case svcportal.KindOf(err) == svcportal.KindTooLarge:
			refused = &smtp.SMTPError{Code: 552, EnhancedCode: smtp.EnhancedCode{5, 3, 4}, Message: "Message too large"}
		case svcportal.KindOf(err) == svcportal.KindInvalid:
			refused = &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "Malformed message"}
		case err != nil:
			s.b.log.Error("inbound smtp", "tenant", t.Slug, "error", err)
			failed = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Try again later"}
		case res.Outcome == svcportal.InboundUnknownSender:
			refused = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "Sender unknown to this portal"}
		}
	}
	// A temporary failure wins: the sender retries, and the tenants that
	// took it already see a duplicate.
	if failed != nil {
		return failed
	}
	return refused
}
