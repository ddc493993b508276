package mail_test

import (
	"context"
	"io"
	"mime"
	"mime/multipart"
	netmail "net/mail"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/mail"
	"github.com/svcportal/svcportal/testkit"
)

func TestParseURL(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "mail")
	tests := []struct {
		url  string
		want any // a *mail.FileTransport or *mail.SMTPTransport with the fields to compare
		err  string
	}{
		{url: "file:" + dir, want: &mail.FileTransport{Dir: dir, From: "no-reply@portal.test"}},
		{url: "file:" + dir + "?from=help@msp.test", want: &mail.FileTransport{Dir: dir, From: "help@msp.test"}},
		{url: "smtp://mail.msp.test:2525", want: &mail.SMTPTransport{Addr: "mail.msp.test:2525", From: "no-reply@portal.test", LocalName: "portal.test"}},
		{url: "smtp://u%40x:p%3Ass@mail.msp.test:587?from=support%40msp.test",
			want: &mail.SMTPTransport{Addr: "mail.msp.test:587", Username: "u@x", Password: "p:ss", From: "support@msp.test", LocalName: "portal.test"}},
		{url: "smtps://mail.msp.test", want: &mail.SMTPTransport{Addr: "mail.msp.test:465", ImplicitTLS: true, From: "no-reply@portal.test", LocalName: "portal.test"}},
		{url: "smtp://mail.msp.test", want: &mail.SMTPTransport{Addr: "mail.msp.test:587", From: "no-reply@portal.test", LocalName: "portal.test"}},
		{url: "file:", err: "needs a folder"},
		{url: "smtp://:25", err: "needs a host"},
		{url: "smtp://mail.msp.test:25/x", err: "no path"},
		{url: "smtp://mail.msp.test:25?tls=off", err: "unknown parameter"},
		{url: "smtp://mail.msp.test:25?from=not-an-address", err: "sender address"},
		{url: "smtp://mail.msp.test:25?from=a%40b.test%0D%0ABcc:c%40d.test", err: "sender address"},
		{url: "http://mail.msp.test", err: "must start with"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			tr, err := mail.ParseURL(tt.url, "portal.test")
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("got %v, want an error containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			switch want := tt.want.(type) {
			case *mail.FileTransport:
				got, ok := tr.(*mail.FileTransport)
				if !ok || got.Dir != want.Dir || got.From != want.From {
					t.Errorf("got %#v, want %#v", tr, want)
				}
				if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
					t.Errorf("folder not created: %v", err)
				}
			case *mail.SMTPTransport:
				got, ok := tr.(*mail.SMTPTransport)
				if !ok || got.Addr != want.Addr || got.ImplicitTLS != want.ImplicitTLS || got.Username != want.Username ||
					got.Password != want.Password || got.From != want.From || got.LocalName != want.LocalName {
					t.Errorf("got %+v, want %+v", tr, want)
				}
			}
		})
	}
}

// parsed is a delivered message as a mail reader sees it.
type parsed struct {
	fromName, fromAddr, toAddr, subject string
	parts                               map[string]string // content type → decoded body
}

// parseMessage reads raw as a mail client would: headers with RFC 2047
// words decoded, the multipart/alternative body split and decoded.
func parseMessage(t *testing.T, raw io.Reader) parsed {
	t.Helper()
	msg, err := netmail.ReadMessage(raw)
	if err != nil {
		t.Fatalf("not an RFC 5322 message: %v", err)
	}
	from, err := msg.Header.AddressList("From")
	if err != nil || len(from) != 1 {
		t.Fatalf("From %q: %v", msg.Header.Get("From"), err)
	}
	to, err := msg.Header.AddressList("To")
	if err != nil || len(to) != 1 {
		t.Fatalf("To %q: %v", msg.Header.Get("To"), err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		t.Fatalf("Subject: %v", err)
	}
	if msg.Header.Get("MIME-Version") != "1.0" || msg.Header.Get("Message-Id") == "" || msg.Header.Get("Date") == "" {
		t.Errorf("missing MIME-Version, Message-ID or Date: %v", msg.Header)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q: %v", msg.Header.Get("Content-Type"), err)
	}
	p := parsed{fromName: from[0].Name, fromAddr: from[0].Address, toAddr: to[0].Address, subject: subject, parts: map[string]string{}}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ct, cparams, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
		if cparams["charset"] != "utf-8" {
			t.Errorf("%s part: charset %q, want utf-8", ct, cparams["charset"])
		}
		body, err := io.ReadAll(part) // quoted-printable is decoded by the reader
		if err != nil {
			t.Fatal(err)
		}
		p.parts[ct] = strings.ReplaceAll(string(body), "\r\n", "\n")
	}
	return p
}

func TestFileTransport(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mail")
	tr, err := mail.ParseURL("file:"+dir, "portal.test")
	if err != nil {
		t.Fatal(err)
	}
	ft := tr.(*mail.FileTransport)
	clock := testkit.NewClock()
	ft.Now = clock.Now

	// Sent in the order 9, 10, 2, and 5 in the same instant as 2.
	sent := []*svcportal.OutboundEmail{message(9), message(10), message(2), message(5)}
	sent[1].Subject = "ASCII subject"
	for i, m := range sent {
		if i < 3 {
			clock.Advance(time.Millisecond)
		}
		if err := ft.Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}

	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) != len(sent) {
		t.Fatalf("got files %v, want one .eml per message and no temporary file", names)
	}
	sort.Strings(names)
	for i, name := range names {
		if !strings.HasSuffix(name, ".eml") {
			t.Errorf("file %s is not .eml", name)
		}
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		p := parseMessage(t, f)
		f.Close()
		m := sent[i]
		if p.subject != m.Subject {
			t.Errorf("%s: subject %q, want %q (files must sort in send order)", name, p.subject, m.Subject)
		}
		if p.fromName != "Société Générale IT" || p.fromAddr != "no-reply@portal.test" || p.toAddr != m.ToAddress {
			t.Errorf("%s: from %q <%s> to %s", name, p.fromName, p.fromAddr, p.toAddr)
		}
		if p.parts["text/plain"] != m.TextBody || p.parts["text/html"] != m.HTMLBody {
			t.Errorf("%s: got parts %q, want the text and HTML bodies", name, p.parts)
		}
	}
}

func TestFileTransport_RefusesHeaderInjection(t *testing.T) {
	dir := t.TempDir()
	ft, err := mail.NewFileTransport(dir, "no-reply@portal.test")
	if err != nil {
		t.Fatal(err)
	}
	m := message(1)
	m.ToAddress = "peter@initech.test\r\nBcc: everyone@initech.test"
	if err := ft.Send(context.Background(), m); !mail.IsPermanent(err) {
		t.Errorf("got %v, want a permanent error", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("got %d files, want none", len(entries))
	}
}
