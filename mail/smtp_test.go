package mail_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/svcportal/svcportal/mail"
)

// received is one message as the test server took it.
type received struct {
	from, to string
	data     []byte
	user     string // authenticated as, or ""
	tls      bool   // the session was encrypted
}

// smtpServer is a real SMTP server (github.com/emersion/go-smtp) on
// loopback that keeps what it receives. Recipients at refuse.test get a
// 550, at later.test a 451.
type smtpServer struct {
	addr string
	mu   sync.Mutex
	got  []received
}

func (s *smtpServer) messages() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.got...)
}

type serverOptions struct {
	tls       *tls.Config // offered with STARTTLS, or from the first byte with implicit
	implicit  bool
	user, pwd string // AUTH PLAIN accepts only these; required when set
}

func startSMTP(t *testing.T, o serverOptions) *smtpServer {
	t.Helper()
	srv := &smtpServer{}
	s := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		_, isTLS := c.TLSConnectionState()
		return &session{srv: srv, o: o, tls: isTLS}, nil
	}))
	s.Domain = "mx.test"
	s.ReadTimeout, s.WriteTimeout = 10*time.Second, 10*time.Second
	s.AllowInsecureAuth = false // AUTH only over TLS, as real servers do
	s.ErrorLog = log.New(io.Discard, "", 0)
	var l net.Listener
	var err error
	l, err = net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if o.tls != nil && !o.implicit {
		s.TLSConfig = o.tls
	}
	if o.implicit {
		l = tls.NewListener(l, o.tls)
	}
	srv.addr = l.Addr().String()
	go s.Serve(l)
	t.Cleanup(func() { s.Close() })
	return srv
}

type session struct {
	srv      *smtpServer
	o        serverOptions
	tls      bool
	user     string
	from, to string
}

func (s *session) AuthMechanisms() []string {
	if s.o.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pwd string) error {
		if user != s.o.user || pwd != s.o.pwd {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "bad credentials"}
		}
		s.user = user
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.o.user != "" && s.user == "" {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	switch {
	case strings.HasSuffix(to, "@refuse.test"):
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	case strings.HasSuffix(to, "@later.test"):
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	s.to = to
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.srv.mu.Lock()
	s.srv.got = append(s.srv.got, received{from: s.from, to: s.to, data: b, user: s.user, tls: s.tls})
	s.srv.mu.Unlock()
	return nil
}

func (s *session) Reset()        { s.from, s.to = "", "" }
func (s *session) Logout() error { return nil }

// selfSigned returns a server certificate for 127.0.0.1 and a client
// configuration that trusts it.
func selfSigned(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "mx.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}},
		&tls.Config{RootCAs: pool}
}

func smtpTransport(t *testing.T, url string, tlsConfig *tls.Config) *mail.SMTPTransport {
	t.Helper()
	tr, err := mail.ParseURL(url, "portal.test")
	if err != nil {
		t.Fatal(err)
	}
	st := tr.(*mail.SMTPTransport)
	st.TLSConfig = tlsConfig
	st.Timeout = 10 * time.Second
	return st
}

func checkReceived(t *testing.T, got received, wantFrom string) {
	t.Helper()
	m := message(1)
	if got.from != wantFrom || got.to != m.ToAddress {
		t.Errorf("envelope: got MAIL FROM %q RCPT TO %q, want %q and %q", got.from, got.to, wantFrom, m.ToAddress)
	}
	p := parseMessage(t, bytes.NewReader(got.data))
	if p.subject != m.Subject || p.fromName != m.FromName || p.fromAddr != wantFrom {
		t.Errorf("got subject %q from %q <%s>, want %q from %q <%s>", p.subject, p.fromName, p.fromAddr, m.Subject, m.FromName, wantFrom)
	}
	if p.parts["text/plain"] != m.TextBody || p.parts["text/html"] != m.HTMLBody {
		t.Errorf("got parts %q", p.parts)
	}
}

func TestSMTPTransport(t *testing.T) {
	ctx := context.Background()
	serverTLS, clientTLS := selfSigned(t)

	t.Run("plain server without STARTTLS", func(t *testing.T) {
		srv := startSMTP(t, serverOptions{})
		tr := smtpTransport(t, "smtp://"+srv.addr+"?from=help@msp.test", nil)
		if err := tr.Send(ctx, message(1)); err != nil {
			t.Fatal(err)
		}
		got := srv.messages()
		if len(got) != 1 {
			t.Fatalf("server got %d messages, want 1", len(got))
		}
		checkReceived(t, got[0], "help@msp.test")
		if got[0].tls {
			t.Error("session was encrypted, but the server offers no TLS")
		}
	})

	t.Run("STARTTLS and AUTH PLAIN", func(t *testing.T) {
		srv := startSMTP(t, serverOptions{tls: serverTLS, user: "portal", pwd: "s3cret:pass"})
		tr := smtpTransport(t, "smtp://portal:s3cret%3Apass@"+srv.addr, clientTLS)
		for i := range 2 { // the second message reuses what the first learnt about STARTTLS
			if err := tr.Send(ctx, message(1)); err != nil {
				t.Fatalf("message %d: %v", i+1, err)
			}
		}
		got := srv.messages()
		if len(got) != 2 {
			t.Fatalf("server got %d messages, want 2", len(got))
		}
		for _, g := range got {
			if !g.tls || g.user != "portal" {
				t.Errorf("got tls %v user %q, want an encrypted session authenticated as portal", g.tls, g.user)
			}
			checkReceived(t, g, "no-reply@portal.test")
		}
	})

	t.Run("implicit TLS (smtps)", func(t *testing.T) {
		srv := startSMTP(t, serverOptions{tls: serverTLS, implicit: true, user: "portal", pwd: "pw"})
		tr := smtpTransport(t, "smtps://portal:pw@"+srv.addr, clientTLS)
		if err := tr.Send(ctx, message(1)); err != nil {
			t.Fatal(err)
		}
		if got := srv.messages(); len(got) != 1 || !got[0].tls || got[0].user != "portal" {
			t.Fatalf("got %+v, want one message over TLS from portal", got)
		}
	})

	t.Run("wrong password is worth retrying, not permanent", func(t *testing.T) {
		srv := startSMTP(t, serverOptions{tls: serverTLS, user: "portal", pwd: "right"})
		err := smtpTransport(t, "smtp://portal:wrong@"+srv.addr, clientTLS).Send(ctx, message(1))
		var se *smtp.SMTPError
		if err == nil || mail.IsPermanent(err) || !errors.As(err, &se) || se.Code != 535 {
			t.Errorf("got %v, want a temporary error carrying the 535", err)
		}
		if n := len(srv.messages()); n != 0 {
			t.Errorf("server got %d messages", n)
		}
	})

	t.Run("untrusted certificate: no fallback to plain text", func(t *testing.T) {
		srv := startSMTP(t, serverOptions{tls: serverTLS, user: "portal", pwd: "pw"})
		err := smtpTransport(t, "smtp://portal:pw@"+srv.addr, nil).Send(ctx, message(1))
		if err == nil || mail.IsPermanent(err) {
			t.Errorf("got %v, want a temporary TLS error", err)
		}
		if n := len(srv.messages()); n != 0 {
			t.Errorf("server got %d messages", n)
		}
	})

	t.Run("5xx answer is permanent, 4xx is not", func(t *testing.T) {
		srv := startSMTP(t, serverOptions{tls: serverTLS})
		tr := smtpTransport(t, "smtp://"+srv.addr, clientTLS)
		refused := message(1)
		refused.ToAddress = "nobody@refuse.test"
		err := tr.Send(ctx, refused)
		var se *smtp.SMTPError
		if !mail.IsPermanent(err) || !errors.As(err, &se) || se.Code != 550 {
			t.Errorf("550: got %v, want a permanent error", err)
		}
		later := message(1)
		later.ToAddress = "busy@later.test"
		if err := tr.Send(ctx, later); err == nil || mail.IsPermanent(err) {
			t.Errorf("451: got %v, want a temporary error", err)
		}
		if n := len(srv.messages()); n != 0 {
			t.Errorf("server got %d messages", n)
		}
	})

	t.Run("header injection is refused before connecting", func(t *testing.T) {
		srv := startSMTP(t, serverOptions{})
		m := message(1)
		m.ToAddress = "peter@initech.test\r\nRCPT TO:<all@initech.test>"
		if err := smtpTransport(t, "smtp://"+srv.addr, nil).Send(ctx, m); !mail.IsPermanent(err) {
			t.Errorf("got %v, want a permanent error", err)
		}
		if n := len(srv.messages()); n != 0 {
			t.Errorf("server got %d messages", n)
		}
	})

	t.Run("no server is a temporary error", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		if err := smtpTransport(t, "smtp://"+addr, nil).Send(ctx, message(1)); err == nil || mail.IsPermanent(err) {
			t.Errorf("got %v, want a temporary error", err)
		}
	})
}
