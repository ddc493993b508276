package mail_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/mail"
	"github.com/svcportal/svcportal/store"
	"github.com/svcportal/svcportal/testkit"
)

// flakyTransport fails the first failures sends, then succeeds; with
// permanent set, its failures are permanent.
type flakyTransport struct {
	mu        sync.Mutex
	failures  int
	permanent bool
	calls     int
	sent      []int64
}

func (f *flakyTransport) Send(_ context.Context, m *svcportal.OutboundEmail) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.calls <= f.failures {
		if f.permanent {
			return mail.Permanent(errors.New("550 no such user"))
		}
		return errors.New("421 service not available")
	}
	f.sent = append(f.sent, m.ID)
	return nil
}

func (f *flakyTransport) count() (calls, sent int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls, len(f.sent)
}

// lockedBuffer collects log lines from several goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

type workerFixture struct {
	ctx   context.Context
	st    *store.Store
	clock *testkit.Clock
	logs  *lockedBuffer
}

func newWorkerFixture(t *testing.T) *workerFixture {
	t.Helper()
	clock := testkit.NewClock()
	st := testkit.Store(t, store.WithClock(clock.Now))
	ctx, _ := testkit.Tenant(t, st, "acme")
	return &workerFixture{ctx: ctx, st: st, clock: clock, logs: &lockedBuffer{}}
}

func (f *workerFixture) worker(tr mail.Transport) *mail.Worker {
	return mail.NewWorker(f.st, tr, slog.New(slog.NewTextHandler(f.logs, nil)), f.clock.Now)
}

func (f *workerFixture) enqueue(t *testing.T) *svcportal.OutboundEmail {
	t.Helper()
	m := message(0)
	if err := f.st.EnqueueEmail(f.ctx, m); err != nil {
		t.Fatal(err)
	}
	return m
}

func (f *workerFixture) email(t *testing.T, id int64) svcportal.OutboundEmail {
	t.Helper()
	all, err := f.st.Emails(f.ctx, svcportal.EmailFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range all {
		if e.ID == id {
			return e
		}
	}
	t.Fatalf("email %d is gone", id)
	return svcportal.OutboundEmail{}
}

func runOnce(t *testing.T, w *mail.Worker, want int) {
	t.Helper()
	n, err := w.RunOnce(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n != want {
		t.Fatalf("RunOnce sent %d, want %d", n, want)
	}
}

func TestWorker_RetriesWithBackoffThenSends(t *testing.T) {
	f := newWorkerFixture(t)
	tr := &flakyTransport{failures: 3}
	w := f.worker(tr)
	m := f.enqueue(t)

	for i, wait := range []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute} {
		runOnce(t, w, 0)
		e := f.email(t, m.ID)
		if e.Status != svcportal.EmailPending || e.Attempts != i+1 || !e.NextAttemptAt.Equal(f.clock.Now().Add(wait)) || e.LastError == "" {
			t.Fatalf("after failure %d: got status %s attempts %d next %v error %q, want pending, %d, %v and the error",
				i+1, e.Status, e.Attempts, e.NextAttemptAt, e.LastError, i+1, f.clock.Now().Add(wait))
		}
		// Not due yet: nothing is tried.
		f.clock.Advance(wait - time.Second)
		runOnce(t, w, 0)
		if calls, _ := tr.count(); calls != i+1 {
			t.Fatalf("got %d sends before the message was due, want %d", calls, i+1)
		}
		f.clock.Advance(time.Second)
	}
	runOnce(t, w, 1)
	e := f.email(t, m.ID)
	if e.Status != svcportal.EmailSent || !e.SentAt.Equal(f.clock.Now()) || e.Attempts != 4 || e.LastError != "" {
		t.Errorf("got %+v, want sent now after 4 attempts", e)
	}
	runOnce(t, w, 0)
	if calls, sent := tr.count(); calls != 4 || sent != 1 {
		t.Errorf("got %d sends, %d delivered; want 4 and 1", calls, sent)
	}
	if !strings.Contains(f.logs.String(), "level=WARN") || strings.Contains(f.logs.String(), "level=ERROR") {
		t.Errorf("want WARN lines for the retries and no ERROR:\n%s", f.logs)
	}
}

func TestWorker_GivesUpAfterMaxAttempts(t *testing.T) {
	f := newWorkerFixture(t)
	tr := &flakyTransport{failures: 1000}
	w := f.worker(tr)
	w.MaxAttempts = 4
	m := f.enqueue(t)

	for range 10 {
		runOnce(t, w, 0)
		f.clock.Advance(mail.DefaultMaxBackoff)
	}
	e := f.email(t, m.ID)
	if e.Status != svcportal.EmailFailed || e.Attempts != 4 || !strings.Contains(e.LastError, "421") {
		t.Errorf("got status %s attempts %d error %q, want failed after 4 attempts with the last error", e.Status, e.Attempts, e.LastError)
	}
	if calls, _ := tr.count(); calls != 4 {
		t.Errorf("got %d sends, want 4", calls)
	}
	logs := f.logs.String()
	if strings.Count(logs, "level=ERROR") != 1 || !strings.Contains(logs, "email_id="+strconv.FormatInt(m.ID, 10)) {
		t.Errorf("want one ERROR line naming the message:\n%s", logs)
	}
}

func TestWorker_PermanentErrorFailsAtOnce(t *testing.T) {
	f := newWorkerFixture(t)
	tr := &flakyTransport{failures: 1, permanent: true}
	w := f.worker(tr)
	m := f.enqueue(t)

	runOnce(t, w, 0)
	e := f.email(t, m.ID)
	if e.Status != svcportal.EmailFailed || e.Attempts != 1 || !strings.Contains(e.LastError, "550") {
		t.Errorf("got status %s attempts %d error %q, want failed after one attempt", e.Status, e.Attempts, e.LastError)
	}
	if !strings.Contains(f.logs.String(), "level=ERROR") {
		t.Errorf("want an ERROR line:\n%s", f.logs)
	}
	f.clock.Advance(24 * time.Hour)
	runOnce(t, w, 0)
	if calls, _ := tr.count(); calls != 1 {
		t.Errorf("got %d sends, want 1", calls)
	}
}

// TestWorker_CrashedAttempts covers workers that died mid-send: each
// lease ran out without an outcome; past MaxAttempts the message fails
// instead of looping for ever.
func TestWorker_CrashedAttempts(t *testing.T) {
	f := newWorkerFixture(t)
	tr := &flakyTransport{}
	w := f.worker(tr)
	w.MaxAttempts = 2
	m := f.enqueue(t)
	for range 2 {
		if got, err := f.st.ClaimDueEmails(context.Background(), f.clock.Now(), 10, w.Lease); err != nil || len(got) != 1 {
			t.Fatalf("claim: got %d, %v", len(got), err)
		}
		f.clock.Advance(w.Lease)
	}
	runOnce(t, w, 0)
	if e := f.email(t, m.ID); e.Status != svcportal.EmailFailed || !strings.Contains(e.LastError, "no outcome") {
		t.Errorf("got status %s error %q, want failed", e.Status, e.LastError)
	}
	if calls, _ := tr.count(); calls != 0 {
		t.Errorf("got %d sends, want none", calls)
	}
}

func TestWorker_Backoff(t *testing.T) {
	f := newWorkerFixture(t)
	tr := &flakyTransport{failures: 1000}
	w := f.worker(tr)
	m := f.enqueue(t)
	want := []time.Duration{1, 2, 4, 8, 16, 32, 60, 60}
	for i, minutes := range want {
		runOnce(t, w, 0)
		e := f.email(t, m.ID)
		if got := e.NextAttemptAt.Sub(f.clock.Now()); got != minutes*time.Minute {
			t.Errorf("after attempt %d: waits %v, want %v", i+1, got, minutes*time.Minute)
		}
		f.clock.Advance(minutes * time.Minute)
	}
}

// TestWorker_RunDeliversRenderedEmailToFiles goes the whole way: a
// rendered welcome email in the outbox, Run polling, an .eml in the folder.
func TestWorker_RunDeliversRenderedEmailToFiles(t *testing.T) {
	f := newWorkerFixture(t)
	tn := svcportal.TenantFrom(f.ctx)
	r := newRenderer(t)
	m, err := r.RenderEmail(f.ctx, tn, svcportal.EmailRequest{Kind: svcportal.EmailWelcome, To: "peter@initech.test", ToName: "Peter", Locale: "it",
		Data: map[string]any{"Link": "https://acme.portal.test/set-password?token=t0k", "ExpiresHours": 72}})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.st.EnqueueEmail(f.ctx, m); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	tr, err := mail.ParseURL("file:"+dir, "portal.test")
	if err != nil {
		t.Fatal(err)
	}
	w := f.worker(tr)
	w.PollInterval = 10 * time.Millisecond

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	deadline := time.Now().Add(10 * time.Second)
	for f.email(t, m.ID).Status != svcportal.EmailSent {
		if time.Now().After(deadline) {
			t.Fatal("the worker did not send the message within 10s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done

	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 1 {
		t.Fatalf("got %d files (%v), want 1", len(entries), err)
	}
	file, err := os.Open(filepath.Join(dir, entries[0].Name()))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	p := parseMessage(t, file)
	if p.subject != m.Subject || p.fromName != tn.Name || !strings.Contains(p.parts["text/plain"], "https://acme.portal.test/set-password?token=t0k") ||
		!strings.Contains(p.parts["text/html"], `href="https://acme.portal.test/set-password?token=t0k"`) {
		t.Errorf("got subject %q from %q, parts %q", p.subject, p.fromName, p.parts)
	}
}
