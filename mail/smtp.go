package mail

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/svcportal/svcportal"
)

// SMTPTransport delivers messages to an SMTP server (a relay or a
// submission service), one connection per message.
type SMTPTransport struct {
	Addr        string // host:port
	ImplicitTLS bool   // smtps: TLS from the first byte
	Username    string // AUTH PLAIN when set
	Password    string
	From        string        // sender address, in the envelope and the From header
	LocalName   string        // name given in EHLO; "localhost" when empty
	TLSConfig   *tls.Config   // nil verifies the server's certificate for its host name
	Timeout     time.Duration // for one message; 1 minute when zero

	// starttls remembers whether the server offered STARTTLS, so that
	// after the first message the upgrade costs no extra connection.
	mu       sync.Mutex
	starttls *bool
}

// Send delivers m. When the server offers STARTTLS the session is
// encrypted, and a certificate that does not verify is an error, never a
// reason to fall back to plain text. Credentials are sent only over TLS
// or to a loopback server. An SMTP 5xx answer to the sender, the recipient
// or the message is a *PermanentError; anything else (4xx, network,
// authentication, TLS) is worth retrying, since it is about the server or
// its configuration rather than the message.
func (s *SMTPTransport) Send(ctx context.Context, m *svcportal.OutboundEmail) error {
	return s.SendAccepted(ctx, m, nil)
}

// SendAccepted implements AcceptingTransport: accepted runs as soon as the
// server has answered the message's DATA with success, before QUIT.
func (s *SMTPTransport) SendAccepted(ctx context.Context, m *svcportal.OutboundEmail, accepted func()) error {
	msg, err := Build(m, s.From)
	if err != nil {
		return err
	}
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	c, tlsOn, err := s.connect(ctx, timeout)
	if err != nil {
		return fmt.Errorf("smtp %s: %w", s.Addr, err)
	}
	defer c.Close()
	if s.Username != "" {
		if !tlsOn && !isLoopback(s.Addr) {
			return fmt.Errorf("smtp %s: refusing to send credentials without TLS (the server offers no STARTTLS)", s.Addr)
		}
		if !c.SupportsAuth(sasl.Plain) {
			return fmt.Errorf("smtp %s: the server does not offer AUTH PLAIN", s.Addr)
		}
		if err := c.Auth(sasl.NewPlainClient("", s.Username, s.Password)); err != nil {
			return fmt.Errorf("smtp %s: authentication: %w", s.Addr, err)
		}
	}
	if err := c.SendMail(s.From, []string{m.ToAddress}, bytes.NewReader(msg)); err != nil {
		var se *smtp.SMTPError
		if errors.As(err, &se) && se.Code >= 500 && se.Code < 600 {
			return Permanent(fmt.Errorf("smtp %s refused email %d: %w", s.Addr, m.ID, err))
		}
		return fmt.Errorf("smtp %s: email %d: %w", s.Addr, m.ID, err)
	}
	// The server has taken the message: say so before anything else can
	// fail or be cut short; a failed QUIT changes nothing.
	if accepted != nil {
		accepted()
	}
	_ = c.Quit()
	return nil
}

// connect opens a session that has said EHLO, upgraded with STARTTLS when
// the server offers it, and reports whether it is encrypted.
func (s *SMTPTransport) connect(ctx context.Context, timeout time.Duration) (*smtp.Client, bool, error) {
	s.mu.Lock()
	known := s.starttls
	s.mu.Unlock()

	c, err := s.dial(ctx, timeout, known != nil && *known)
	if err != nil {
		if known != nil {
			s.remember(nil) // the server may have changed: probe again next time
		}
		return nil, false, err
	}
	if s.ImplicitTLS {
		return c, true, nil
	}
	if known != nil && *known {
		return c, true, nil
	}
	offered, _ := c.Extension("STARTTLS")
	s.remember(&offered)
	if !offered {
		return c, false, nil
	}
	// go-smtp upgrades only a fresh client, so reconnect once with it.
	_ = c.Quit()
	c, err = s.dial(ctx, timeout, true)
	if err != nil {
		return nil, false, err
	}
	return c, true, nil
}

func (s *SMTPTransport) remember(starttls *bool) {
	s.mu.Lock()
	s.starttls = starttls
	s.mu.Unlock()
}

// dial connects and says EHLO, with STARTTLS first when starttls is set.
// Cancelling ctx closes the connection, which ends any command under way.
func (s *SMTPTransport) dial(ctx context.Context, timeout time.Duration, starttls bool) (*smtp.Client, error) {
	host, _, err := net.SplitHostPort(s.Addr)
	if err != nil {
		return nil, err
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if s.TLSConfig != nil {
		cfg = s.TLSConfig.Clone()
	}
	if cfg.ServerName == "" {
		cfg.ServerName = host
	}
	d := &net.Dialer{Timeout: timeout}
	var conn net.Conn
	if s.ImplicitTLS {
		conn, err = (&tls.Dialer{NetDialer: d, Config: cfg}).DialContext(ctx, "tcp", s.Addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", s.Addr)
	}
	if err != nil {
		return nil, err
	}
	context.AfterFunc(ctx, func() { conn.Close() })
	var c *smtp.Client
	if starttls {
		c, err = smtp.NewClientStartTLS(conn, cfg)
		if err != nil {
			return nil, err
		}
	} else {
		c = smtp.NewClient(conn)
	}
	c.CommandTimeout, c.SubmissionTimeout = timeout, timeout
	local := s.LocalName
	if local == "" {
		local = "localhost"
	}
	// After STARTTLS the client has not said EHLO on the encrypted
	// session yet, so our name can still be given.
	if err := c.Hello(local); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// isLoopback reports whether addr's host is this machine.
func isLoopback(addr string) bool {
	host, _, _ := net.SplitHostPort(addr)
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
