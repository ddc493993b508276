package mail_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/mail"
)

// message is a stored message as the worker hands it to a transport.
func message(id int64) *svcportal.OutboundEmail {
	return &svcportal.OutboundEmail{
		ID: id, TenantID: 1, Kind: svcportal.EmailResetCode,
		ToAddress: "peter@initech.test", ToName: "Peter Gibbons", FromName: "Société Générale IT",
		Subject:  "Votre code de réinitialisation — ça marche",
		TextBody: "Bonjour Peter,\n\nVotre code : 12345678\n\nÀ bientôt, l’équipe\n",
		HTMLBody: "<p>Bonjour Peter,</p>\n<p>Votre code : <strong>12345678</strong></p>\n",
		Status:   svcportal.EmailPending, Attempts: 1,
		CreatedAt: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC),
	}
}

func TestBuild_RefusesHeaderInjection(t *testing.T) {
	tests := map[string]func(m *svcportal.OutboundEmail){
		"CRLF in the address":      func(m *svcportal.OutboundEmail) { m.ToAddress = "peter@initech.test\r\nBcc: all@initech.test" },
		"LF in the address":        func(m *svcportal.OutboundEmail) { m.ToAddress = "peter@initech.test\nBcc: all@initech.test" },
		"CR in the recipient name": func(m *svcportal.OutboundEmail) { m.ToName = "Peter\rBcc: all@initech.test" },
		"LF in the sender name":    func(m *svcportal.OutboundEmail) { m.FromName = "Acme\nBcc: all@initech.test" },
		"LF in the subject":        func(m *svcportal.OutboundEmail) { m.Subject = "Hi\nBcc: all@initech.test" },
		"two recipients":           func(m *svcportal.OutboundEmail) { m.ToAddress = "peter@initech.test, all@initech.test" },
		"a display name":           func(m *svcportal.OutboundEmail) { m.ToAddress = "Peter <peter@initech.test>" },
		"not an address":           func(m *svcportal.OutboundEmail) { m.ToAddress = "peter" },
	}
	for name, spoil := range tests {
		t.Run(name, func(t *testing.T) {
			m := message(7)
			spoil(m)
			msg, err := mail.Build(m, "no-reply@portal.test")
			if !mail.IsPermanent(err) {
				t.Fatalf("got %v, want a permanent error", err)
			}
			if msg != nil {
				t.Errorf("got a message of %d bytes, want none", len(msg))
			}
		})
	}
}

func TestBuild_Headers(t *testing.T) {
	m := message(42)
	m.Subject = strings.Repeat("Réinitialisation du mot de passe ", 5)
	msg, err := mail.Build(m, "help@msp.test")
	if err != nil {
		t.Fatal(err)
	}
	head, _, ok := strings.Cut(string(msg), "\r\n\r\n")
	if !ok {
		t.Fatal("no blank line after the headers")
	}
	for _, want := range []string{
		"MIME-Version: 1.0",
		"Auto-Submitted: auto-generated",
		"Date: Mon, 02 Mar 2026 09:00:00 +0000",
		"Message-ID: <outbox.42.",
		"?=\r\n =?utf-8?q?", // a long subject is folded
	} {
		if !strings.Contains(head, want) {
			t.Errorf("headers lack %q:\n%s", want, head)
		}
	}
	for _, line := range strings.Split(head, "\r\n") {
		if line == "" {
			t.Error("empty header line")
		}
		// RFC 5322 2.1.1: lines MUST be at most 998 octets; encoded words
		// (75 at most) are folded onto their own lines.
		if len(line) > 998 || strings.HasPrefix(line, " =?") && len(line) > 76 {
			t.Errorf("header line of %d octets: %q", len(line), line)
		}
		if strings.ContainsAny(line, "\r\n") {
			t.Errorf("bare line break in %q", line)
		}
	}
	for i, c := range head {
		if c > 127 {
			t.Fatalf("non-ASCII byte at %d of the headers", i)
		}
	}
}

func TestPermanent(t *testing.T) {
	cause := errors.New("550 no such user")
	err := mail.Permanent(cause)
	if !mail.IsPermanent(err) || !errors.Is(err, cause) {
		t.Errorf("got %v, want a permanent error wrapping the cause", err)
	}
	if mail.IsPermanent(cause) || mail.Permanent(nil) != nil {
		t.Error("a plain error is not permanent, and nil stays nil")
	}
}
