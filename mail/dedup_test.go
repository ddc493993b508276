package mail_test

import (
	"bufio"
	"context"
	"net"
	"net/mail"
	"strings"
	"testing"

	"github.com/svcportal/svcportal"
	smail "github.com/svcportal/svcportal/mail"
)

// scriptedSMTP is a minimal SMTP server that, when the client says QUIT,
// calls atQuit before answering: what the database holds at that moment
// is what a crash right after the server accepted the message would leave.
func scriptedSMTP(t *testing.T, atQuit func()) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				r := bufio.NewReader(conn)
				say := func(s string) { conn.Write([]byte(s + "\r\n")) }
				say("220 mx.test ESMTP")
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					switch cmd := strings.ToUpper(strings.TrimSpace(line)); {
					case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
						say("250 mx.test")
					case cmd == "DATA":
						say("354 go ahead")
						for {
							l, err := r.ReadString('\n')
							if err != nil {
								return
							}
							if l == ".\r\n" {
								break
							}
						}
						say("250 queued")
					case cmd == "QUIT":
						atQuit()
						say("221 bye")
						return
					default:
						say("250 ok")
					}
				}
			}()
		}
	}()
	return l.Addr().String()
}

// TestWorker_SMTPMarksSentBeforeQuit: the worker records delivery as soon
// as the server has taken the message, before the session's QUIT, so a
// crash after the server's "250 queued" sends nothing twice unless it
// falls between those two steps.
func TestWorker_SMTPMarksSentBeforeQuit(t *testing.T) {
	f := newWorkerFixture(t)
	m := f.enqueue(t)
	statusAtQuit := ""
	addr := scriptedSMTP(t, func() {
		all, err := f.st.Emails(f.ctx, svcportal.EmailFilter{})
		if err == nil && len(all) == 1 && all[0].ID == m.ID {
			statusAtQuit = all[0].Status
		}
	})
	tr, err := smail.ParseURL("smtp://"+addr, "portal.test")
	if err != nil {
		t.Fatal(err)
	}
	runOnce(t, f.worker(tr), 1)
	if statusAtQuit != svcportal.EmailSent {
		t.Errorf("status when the client said QUIT: %q, want %q", statusAtQuit, svcportal.EmailSent)
	}
}

// TestBuild_StableMessageID: every attempt at one outbox row carries the
// same Message-ID, which the row keeps from its creation, and two rows
// never share one, so a receiver can drop a duplicate delivery.
func TestBuild_StableMessageID(t *testing.T) {
	f := newWorkerFixture(t)
	a, b := f.enqueue(t), f.enqueue(t)
	stored := f.email(t, a.ID)
	if stored.MessageID == "" || stored.MessageID == f.email(t, b.ID).MessageID {
		t.Fatalf("message ids %q and %q: want one per row", stored.MessageID, f.email(t, b.ID).MessageID)
	}
	idOf := func(e svcportal.OutboundEmail) string {
		raw, err := smail.Build(&e, "no-reply@portal.test")
		if err != nil {
			t.Fatal(err)
		}
		msg, err := mail.ReadMessage(strings.NewReader(string(raw)))
		if err != nil {
			t.Fatal(err)
		}
		return msg.Header.Get("Message-ID")
	}
	first := idOf(stored)
	claimed, err := f.st.ClaimDueEmails(context.Background(), f.clock.Now(), 10, 60e9)
	if err != nil || len(claimed) != 2 {
		t.Fatalf("claim: %v %v", claimed, err)
	}
	retried := claimed[0]
	retried.Attempts = 5
	if got := idOf(retried); got != first || got != "<"+stored.MessageID+"@portal.test>" {
		t.Errorf("Message-ID %q on a later attempt, %q on the first: want both <%s@portal.test>", got, first, stored.MessageID)
	}
	if other := idOf(claimed[1]); other == first {
		t.Errorf("two rows share Message-ID %q", other)
	}
}
