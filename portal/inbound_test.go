package portal_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/smtp"
	"strings"
	"testing"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/testkit"
)

// inboundToken reads the tenant's inbound address and token as its admin
// sees them in the settings.
func inboundToken(t *testing.T, d *desk) (address, token string) {
	t.Helper()
	admin := d.app.NewBrowser("acme.localhost")
	staff := &svcportal.Staff{Email: "boss@acme.test", Name: "Boss", Role: svcportal.StaffAdmin, PasswordHash: testkit.HashPassword(t)}
	if err := d.app.Store.CreateStaff(d.actx, staff); err != nil {
		t.Fatal(err)
	}
	at, err := d.app.Accounts.CreateAPIToken(d.actx, "boss@acme.test", "settings")
	if err != nil {
		t.Fatal(err)
	}
	admin.Header.Set("Authorization", "Bearer "+at)
	var s struct {
		Address string `json:"inbound_email_address"`
		Token   string `json:"inbound_token"`
	}
	if rec := admin.JSON(t, "GET", "/api/v1/admin/settings", nil, &s); rec.Code != http.StatusOK {
		t.Fatalf("settings: %d %s", rec.Code, rec.Body)
	}
	if s.Address != "acme@localhost" || !strings.HasPrefix(s.Token, "inb_") {
		t.Fatalf("settings show address %q token %q", s.Address, s.Token)
	}
	return s.Address, s.Token
}

// post sends a raw message to the inbound endpoint of host with token.
func postEmail(t *testing.T, d *desk, host, token, raw string) (int, svcportal.InboundResult) {
	t.Helper()
	h := http.Header{"Authorization": {"Bearer " + token}, "Content-Type": {"message/rfc822"}}
	rec := d.app.Request(t, "POST", host, "/api/v1/inbound/email", strings.NewReader(raw), h)
	var res svcportal.InboundResult
	if rec.Code == http.StatusOK {
		if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil {
			t.Fatal(err)
		}
	}
	return rec.Code, res
}

// email writes a plain message; headers are "Name: value" lines.
func email(from, subject, id, body string, headers ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: acme@localhost\r\nSubject: %s\r\nMessage-ID: <%s>\r\nDate: Mon, 30 Nov 2026 09:00:00 +0000\r\n", from, subject, id)
	for _, h := range headers {
		b.WriteString(h + "\r\n")
	}
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n")
	b.WriteString(strings.ReplaceAll(body, "\n", "\r\n"))
	return b.String()
}

func TestInboundEmail_NewTicketWithAttachment(t *testing.T) {
	d := newDesk(t)
	_, token := inboundToken(t, d)
	pdf := base64.StdEncoding.EncodeToString([]byte("%PDF-1.4 the invoice"))
	raw := "From: Peter Gibbons <Peter@Initech.test>\r\nTo: acme@localhost\r\nSubject: =?utf-8?q?Imprimante_bloqu=C3=A9e?=\r\n" +
		"Message-ID: <new-1@initech.test>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b1\r\n\r\n" +
		"--b1\r\nContent-Type: multipart/alternative; boundary=b2\r\n\r\n" +
		"--b2\r\nContent-Type: text/html; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
		"<p>L'imprimante du 3=E8me =E9tage est bloqu=E9e.</p><script>alert(1)</script><p>Merci</p>\r\n" +
		"--b2--\r\n" +
		"--b1\r\nContent-Type: application/pdf; name=\"invoice.pdf\"\r\nContent-Disposition: attachment; filename=\"invoice.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		pdf + "\r\n--b1--\r\n"
	code, res := postEmail(t, d, "acme.localhost", token, raw)
	if code != http.StatusOK || res.Outcome != svcportal.InboundCreated || res.TicketNumber == 0 {
		t.Fatalf("got %d %+v", code, res)
	}
	var v svcportal.TicketView
	d.peter.JSON(t, "GET", fmt.Sprintf("/api/v1/tickets/%d", res.TicketNumber), nil, &v)
	if v.Title != "Imprimante bloquée" {
		t.Errorf("title %q, want the decoded subject", v.Title)
	}
	if !strings.Contains(v.Description, "L'imprimante du 3ème étage est bloquée.") || strings.Contains(v.Description, "alert") || strings.Contains(v.Description, "<") {
		t.Errorf("description %q: want the HTML's text, Latin-1 decoded, without the script", v.Description)
	}
	if len(v.Attachments) != 1 || v.Attachments[0].Filename != "invoice.pdf" {
		t.Errorf("attachments %+v, want invoice.pdf", v.Attachments)
	}

	// The same message again (an MTA retry) does nothing more.
	code, res = postEmail(t, d, "acme.localhost", token, raw)
	if code != http.StatusOK || res.Outcome != svcportal.InboundDuplicate {
		t.Errorf("replayed Message-ID: %d %+v", code, res)
	}
	var list struct{ Total int }
	d.peter.JSON(t, "GET", "/api/v1/tickets", nil, &list)
	if list.Total != 1 {
		t.Errorf("peter has %d tickets after a replay, want 1", list.Total)
	}
}

func TestInboundEmail_ReplyByToken(t *testing.T) {
	d := newDesk(t)
	_, token := inboundToken(t, d)
	v := d.create(t, d.peter, map[string]any{"title": "VPN down", "cc": []string{"milton@initech.test"}})
	o := &outbox{d: d}
	o.next(t)
	d.agent.JSON(t, "POST", fmt.Sprintf("/api/v1/admin/tickets/%d/replies", v.Number), map[string]any{"body": "Which client?"}, nil)
	_, emails := o.next(t)
	var toPeter, toMilton svcportal.OutboundEmail
	for _, e := range emails {
		switch e.ToAddress {
		case "peter@initech.test":
			toPeter = e
		case "milton@initech.test":
			toMilton = e
		}
	}
	if !strings.HasPrefix(toPeter.ReplyTo, "acme+t.") || !strings.HasSuffix(toPeter.ReplyTo, "@localhost") || toPeter.ReplyTo == toMilton.ReplyTo {
		t.Fatalf("Reply-To %q (milton %q): want a per-recipient acme+t.…@localhost", toPeter.ReplyTo, toMilton.ReplyTo)
	}
	if !strings.Contains(toPeter.TextBody, "replying to this email") || !strings.Contains(toPeter.References, "t.") {
		t.Errorf("the notification does not say replies work, or has no References:\n%s\n%s", toPeter.TextBody, toPeter.References)
	}

	body := "The Cisco one.\n\nOn Mon, 30 Nov 2026 at 09:00, Acme <no-reply@localhost>\nwrote:\n> Which client?\n"
	reply := strings.Replace(email("peter@initech.test", "Re: VPN down", "r1@initech.test", body), "To: acme@localhost", "To: "+toPeter.ReplyTo, 1)
	code, res := postEmail(t, d, "acme.localhost", token, reply)
	if code != http.StatusOK || res.Outcome != svcportal.InboundReplied || res.TicketNumber != v.Number {
		t.Fatalf("reply: %d %+v", code, res)
	}
	var got svcportal.TicketView
	d.peter.JSON(t, "GET", fmt.Sprintf("/api/v1/tickets/%d", v.Number), nil, &got)
	last := got.Messages[len(got.Messages)-1]
	if last.Body != "The Cisco one." || last.AuthorKind != svcportal.PrincipalContact {
		t.Errorf("last message %+v, want peter's text without the quote", last)
	}
	// Replayed: nothing more.
	if _, res := postEmail(t, d, "acme.localhost", token, reply); res.Outcome != svcportal.InboundDuplicate {
		t.Errorf("replay: %+v", res)
	}

	// The token in References alone is enough (a client that replied to
	// the From address).
	refOnly := email("milton@initech.test", "Re: VPN down", "r2@initech.test", "Same here.", "References: "+toMilton.References)
	if _, res := postEmail(t, d, "acme.localhost", token, refOnly); res.Outcome != svcportal.InboundReplied {
		t.Errorf("reply by References: %+v", res)
	}

	peterToken := strings.TrimSuffix(strings.TrimPrefix(toPeter.ReplyTo, "acme+"), "@localhost")
	forged := []struct {
		name, from, to, outcome string
		headers                 []string
	}{
		{"peter's token from milton (spoofed reply of a colleague)", "milton@initech.test", toPeter.ReplyTo, svcportal.InboundBadToken, nil},
		{"a signature changed by one letter", "peter@initech.test", "acme+" + flip(peterToken) + "@localhost", svcportal.InboundBadToken, nil},
		{"the signature moved to another ticket", "peter@initech.test", "acme+" + strings.Replace(peterToken, fmt.Sprintf("t.%d.", v.Number), fmt.Sprintf("t.%d.", v.Number+1), 1) + "@localhost", svcportal.InboundBadToken, nil},
		{"a guessed number without a signature", "peter@initech.test", fmt.Sprintf("acme+%d@localhost", v.Number), svcportal.InboundCreated, nil},
		{"a From that failed DMARC", "peter@initech.test", toPeter.ReplyTo, svcportal.InboundSpoofed, []string{"Authentication-Results: mx.localhost; dmarc=fail header.from=initech.test"}},
		{"a contact of another site", "alice@umbrella.test", "acme@localhost", svcportal.InboundCreated, nil},
		{"an unknown sender", "mallory@evil.test", toPeter.ReplyTo, svcportal.InboundUnknownSender, nil},
		{"the other tenant's contact", "gavin@hooli.test", "acme@localhost", svcportal.InboundUnknownSender, nil},
		{"an out-of-office", "peter@initech.test", toPeter.ReplyTo, svcportal.InboundAutoReply, []string{"Auto-Submitted: auto-replied"}},
		{"a bulk message", "peter@initech.test", "acme@localhost", svcportal.InboundAutoReply, []string{"Precedence: bulk"}},
		{"a bounce", "MAILER-DAEMON@initech.test", "acme@localhost", svcportal.InboundAutoReply, nil},
	}
	for i, c := range forged {
		t.Run(c.name, func(t *testing.T) {
			raw := strings.Replace(email(c.from, "Re: VPN down", fmt.Sprintf("forged-%d@x.test", i), "Close it.", c.headers...), "To: acme@localhost", "To: "+c.to, 1)
			if _, res := postEmail(t, d, "acme.localhost", token, raw); res.Outcome != c.outcome {
				t.Errorf("got %+v, want %s", res, c.outcome)
			}
		})
	}
	d.peter.JSON(t, "GET", fmt.Sprintf("/api/v1/tickets/%d", v.Number), nil, &got)
	for _, m := range got.Messages {
		if m.Body == "Close it." {
			t.Errorf("a refused message became a reply: %+v", m)
		}
	}

	// A loop: one of our own notifications sent back to us.
	loop := email("peter@initech.test", "Re: VPN down", "outbox.abc@localhost", "loop")
	if _, res := postEmail(t, d, "acme.localhost", token, loop); res.Outcome != svcportal.InboundLoop {
		t.Errorf("loop: %+v", res)
	}
}

// flip changes the last letter of a token's signature.
func flip(tok string) string {
	last := tok[len(tok)-1]
	if last == 'a' {
		return tok[:len(tok)-1] + "b"
	}
	return tok[:len(tok)-1] + "a"
}

func TestInboundEmail_HostileInput(t *testing.T) {
	d := newDesk(t)
	_, token := inboundToken(t, d)
	globexToken := svcportal.InboundToken([]byte(testkit.SecretKey), svcportal.TenantFrom(d.gctx).ID)
	ok := email("peter@initech.test", "Hello", "h-1@initech.test", "Hi")
	for name, c := range map[string]struct{ host, token string }{
		"no token": {"acme.localhost", ""}, "a wrong token": {"acme.localhost", token + "x"},
		"the other tenant's token": {"acme.localhost", globexToken},
	} {
		if code, _ := postEmail(t, d, c.host, c.token, ok); code != http.StatusUnauthorized {
			t.Errorf("%s: %d, want 401", name, code)
		}
	}
	if code, _ := postEmail(t, d, "globex.localhost", globexToken, ok); code != http.StatusOK {
		t.Errorf("globex's own token on its host: %d", code)
	}

	malformed := map[string]string{
		"no header":                     "just text",
		"two From addresses":            "From: a@x.test, b@x.test\r\n\r\nhi",
		"multipart, no boundary":        "From: peter@initech.test\r\nContent-Type: multipart/mixed\r\n\r\nx",
		"a header line without a colon": "From: peter@initech.test\r\nthis is no header\r\n\r\nhi",
		"a part with a broken header":   "From: peter@initech.test\r\nContent-Type: multipart/mixed; boundary=zz\r\n\r\n--zz\r\nno colon here\r\n\r\nx\r\n--zz--\r\n",
	}
	for name, raw := range malformed {
		if code, _ := postEmail(t, d, "acme.localhost", token, raw); code != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", name, code)
		}
	}

	// Over 50 MB: 413, and nothing kept.
	huge := email("peter@initech.test", "Huge", "huge@initech.test", strings.Repeat("A", 51<<20))
	if code, _ := postEmail(t, d, "acme.localhost", token, huge); code != http.StatusRequestEntityTooLarge {
		t.Errorf("a 51 MB message: %d, want 413", code)
	}
	// Thousands of parts: 413.
	var many strings.Builder
	many.WriteString("From: peter@initech.test\r\nMessage-ID: <parts@x>\r\nContent-Type: multipart/mixed; boundary=p\r\n\r\n")
	for i := 0; i < 500; i++ {
		many.WriteString("--p\r\nContent-Type: text/plain\r\n\r\nx\r\n")
	}
	many.WriteString("--p--\r\n")
	if code, _ := postEmail(t, d, "acme.localhost", token, many.String()); code != http.StatusRequestEntityTooLarge {
		t.Errorf("500 parts: %d, want 413", code)
	}
	// Deep nesting: 413.
	var deep strings.Builder
	deep.WriteString("From: peter@initech.test\r\nMessage-ID: <deep@x>\r\nContent-Type: multipart/mixed; boundary=d0\r\n\r\n")
	for i := 0; i < 20; i++ {
		fmt.Fprintf(&deep, "--d%d\r\nContent-Type: multipart/mixed; boundary=d%d\r\n\r\n", i, i+1)
	}
	if code, _ := postEmail(t, d, "acme.localhost", token, deep.String()); code != http.StatusRequestEntityTooLarge {
		t.Errorf("20 levels of multipart: %d, want 413", code)
	}

	// An attachment over the tenant's limit is dropped, the ticket made.
	one := 1
	if _, err := d.app.Tenants.UpdateSettings(d.actx, svcportal.TenantSettings{MaxUploadMB: &one}); err != nil {
		t.Fatal(err)
	}
	big := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{'z'}, 2<<20))
	raw := "From: peter@initech.test\r\nSubject: Big file\r\nMessage-ID: <big@x>\r\nContent-Type: multipart/mixed; boundary=q\r\n\r\n" +
		"--q\r\nContent-Type: text/plain\r\n\r\nSee the file.\r\n--q\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"../../etc/big.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		big + "\r\n--q\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=\"..\\\\evil\u202Etxt.exe\"\r\n\r\nsmall\r\n--q--\r\n"
	code, res := postEmail(t, d, "acme.localhost", token, raw)
	if code != http.StatusOK || res.Outcome != svcportal.InboundCreated {
		t.Fatalf("big attachment: %d %+v", code, res)
	}
	var v svcportal.TicketView
	d.peter.JSON(t, "GET", fmt.Sprintf("/api/v1/tickets/%d", res.TicketNumber), nil, &v)
	if len(v.Attachments) != 1 || strings.ContainsAny(v.Attachments[0].Filename, "/\\\u202E") {
		t.Errorf("attachments %+v: want only the small one, its name cleaned", v.Attachments)
	}
}

func TestInboundEmail_SMTPListener(t *testing.T) {
	d := newDesk(t)
	l := d.app.InboundListener("127.0.0.1:0", testkit.BaseDomain)
	ln, err := l.Listen()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- l.Serve(ln) }()
	t.Cleanup(func() {
		l.Shutdown(context.Background())
		<-done
	})
	addr := ln.Addr().String()
	send := func(from string, to []string, msg string) error {
		c, err := smtp.Dial(addr)
		if err != nil {
			return err
		}
		defer c.Close()
		if err := c.Mail(from); err != nil {
			return err
		}
		for _, r := range to {
			if err := c.Rcpt(r); err != nil {
				return err
			}
		}
		w, err := c.Data()
		if err != nil {
			return err
		}
		if _, err := w.Write([]byte(msg)); err != nil {
			return err
		}
		if err := w.Close(); err != nil {
			return err
		}
		return c.Quit()
	}
	msg := email("peter@initech.test", "Through SMTP", "smtp-1@initech.test", "Sent by an MTA.")
	if err := send("peter@initech.test", []string{"acme@localhost"}, msg); err != nil {
		t.Fatalf("send: %v", err)
	}
	var list struct {
		Tickets []svcportal.TicketView
	}
	d.peter.JSON(t, "GET", "/api/v1/tickets", nil, &list)
	if len(list.Tickets) != 1 || list.Tickets[0].Title != "Through SMTP" {
		t.Errorf("tickets after SMTP: %+v", list.Tickets)
	}
	if err := send("peter@initech.test", []string{"nobody@elsewhere.test"}, msg); err == nil || !strings.Contains(err.Error(), "550") {
		t.Errorf("relaying to another domain: %v, want 550", err)
	}
	if err := send("mallory@evil.test", []string{"acme@localhost"}, email("mallory@evil.test", "x", "m@evil.test", "x")); err == nil || !strings.Contains(err.Error(), "550") {
		t.Errorf("unknown sender: %v, want 550", err)
	}
}
