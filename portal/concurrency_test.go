package portal_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/portal"
	"github.com/svcportal/svcportal/testkit"
)

// session is what a signed-in API client sends: its cookies and CSRF token,
// taken from a Browser so that many goroutines can send requests at once
// (a Browser itself is not safe for concurrent use).
type session struct {
	app    *testkit.App
	host   string
	header http.Header
}

func sessionOf(b *testkit.Browser, cookie string) session {
	h := http.Header{}
	h.Set("Cookie", cookie+"="+b.Cookie(cookie))
	h.Set("X-CSRF-Token", b.CSRF)
	h.Set("Content-Type", "application/json")
	return session{app: b.App, host: b.Host, header: h}
}

// post sends a JSON body and answers the status and body; it may run in
// any goroutine.
func (s session) post(t *testing.T, path string, body any) (int, string) {
	t.Helper()
	buf, err := json.Marshal(body)
	if err != nil {
		t.Error(err)
		return 0, ""
	}
	rec := s.app.Request(t, http.MethodPost, s.host, path, bytes.NewReader(buf), s.header)
	return rec.Code, rec.Body.String()
}

// hammer runs n calls of do at once and counts the statuses they answer.
func hammer(n int, do func(i int) (int, string)) (map[int]int, []string) {
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		statuses = map[int]int{}
		bodies   []string
		start    = make(chan struct{})
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			code, body := do(i)
			mu.Lock()
			defer mu.Unlock()
			statuses[code]++
			if code >= 500 && len(bodies) < 3 {
				bodies = append(bodies, body)
			}
		}()
	}
	close(start)
	wg.Wait()
	return statuses, bodies
}

// Issue 9, finding 1: concurrent ticket creation used to exhaust the pool
// (notifications were rendered inside the write transaction, reading
// through the shared pool) and to fail with SQLITE_BUSY; tickets answered
// 500 existed anyway. Every creation must now succeed, exactly once.
func TestTickets_ConcurrentCreation(t *testing.T) {
	d := newDesk(t)
	writers := []session{
		sessionOf(d.peter, portal.SessionCookie), sessionOf(d.milton, portal.SessionCookie),
		sessionOf(d.bill, portal.SessionCookie), sessionOf(d.alice, portal.SessionCookie),
	}
	const n = 100
	statuses, bodies := hammer(n, func(i int) (int, string) {
		return writers[i%len(writers)].post(t, "/api/v1/tickets", map[string]any{
			"title": fmt.Sprintf("Parallel ticket %d", i), "cc": []string{"boss@initech.test"},
		})
	})
	if statuses[http.StatusCreated] != n {
		t.Fatalf("statuses %v, want %d × 201; first failures: %s", statuses, n, strings.Join(bodies, " | "))
	}
	var numbers []int64
	if err := d.app.Store.DB().NewSelect().TableExpr("tickets").Column("number").Order("number").Scan(d.actx, &numbers); err != nil {
		t.Fatal(err)
	}
	if len(numbers) != n || numbers[0] != 1 || numbers[n-1] != n {
		t.Fatalf("got %d tickets numbered %v…, want exactly 1..%d", len(numbers), numbers[:min(5, len(numbers))], n)
	}
	emails, err := d.app.Store.Emails(d.actx, svcportal.EmailFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	created, cc := 0, 0
	for _, e := range emails {
		switch e.Kind {
		case "ticket_created":
			created++
		case "ticket_cc":
			cc++
		}
	}
	if created != n || cc != n {
		t.Errorf("got %d confirmations and %d CC notices, want %d of each", created, cc, n)
	}
}

// Replies from several readers of one ticket at once all land, each once.
func TestTickets_ConcurrentReplies(t *testing.T) {
	d := newDesk(t)
	v := d.create(t, d.peter, map[string]any{"title": "Shared printer", "shared_with_site": true})
	writers := []session{
		sessionOf(d.peter, portal.SessionCookie), sessionOf(d.milton, portal.SessionCookie), sessionOf(d.bill, portal.SessionCookie),
	}
	const n = 60
	path := fmt.Sprintf("/api/v1/tickets/%d/replies", v.Number)
	statuses, bodies := hammer(n, func(i int) (int, string) {
		return writers[i%len(writers)].post(t, path, map[string]any{"body": fmt.Sprintf("reply %d", i)})
	})
	if statuses[http.StatusCreated] != n {
		t.Fatalf("statuses %v, want %d × 201; first failures: %s", statuses, n, strings.Join(bodies, " | "))
	}
	count, err := d.app.Store.DB().NewSelect().TableExpr("ticket_messages").Count(d.actx)
	if err != nil {
		t.Fatal(err)
	}
	if count != n {
		t.Errorf("got %d messages, want %d", count, n)
	}
}

// Votes cast at once by several contacts, each changing their mind many
// times, leave exactly one vote per contact.
func TestKB_ConcurrentVotes(t *testing.T) {
	d := newDesk(t)
	cat := testkit.KBCategory(d.actx, t, d.app.Store, "Accounts")
	sec := testkit.KBSection(d.actx, t, d.app.Store, cat, "Passwords")
	article := testkit.KBArticle(d.actx, t, d.app.Store, sec, svcportal.KBPublished, "Reset your password", "Use the link.")
	voters := []session{
		sessionOf(d.peter, portal.SessionCookie), sessionOf(d.milton, portal.SessionCookie),
		sessionOf(d.bill, portal.SessionCookie), sessionOf(d.alice, portal.SessionCookie),
	}
	const n = 80
	path := fmt.Sprintf("/api/v1/kb/articles/%d/vote", article.ID)
	statuses, bodies := hammer(n, func(i int) (int, string) {
		return voters[i%len(voters)].post(t, path, map[string]any{"helpful": i%8 < 4})
	})
	if statuses[http.StatusOK] != n {
		t.Fatalf("statuses %v, want %d × 200; first failures: %s", statuses, n, strings.Join(bodies, " | "))
	}
	count, err := d.app.Store.DB().NewSelect().TableExpr("kb_votes").Count(d.actx)
	if err != nil {
		t.Fatal(err)
	}
	if int(count) != len(voters) {
		t.Errorf("got %d votes, want one per contact (%d)", count, len(voters))
	}
}

// Wrong reset codes sent at once from many addresses use up the code's five
// tries exactly: every guess is refused, and afterwards the right code is
// void too (the tries are counted atomically, before comparing).
func TestPasswordReset_ConcurrentGuesses(t *testing.T) {
	w := newResetWorld(t)
	code := w.requestCode(t, w.browser("acme.localhost", "198.51.100.1"), "peter@initech.test")
	if code == "" {
		t.Fatal("no code was mailed")
	}
	const n = 30
	statuses, bodies := hammer(n, func(i int) (int, string) {
		b := w.browser("acme.localhost", fmt.Sprintf("203.0.113.%d", i+1))
		var body bytes.Buffer
		json.NewEncoder(&body).Encode(map[string]string{"email": "peter@initech.test", "code": wrong(code), "password": "guessed-pass-1234"})
		rec := b.Do(t, http.MethodPost, "/api/v1/auth/password-reset/confirm", &body, http.Header{"Content-Type": {"application/json"}})
		return rec.Code, rec.Body.String()
	})
	if statuses[http.StatusBadRequest] != n {
		t.Fatalf("statuses %v, want %d × 400; failures: %s", statuses, n, strings.Join(bodies, " | "))
	}
	if got, e := confirmReset(t, w.browser("acme.localhost", "198.51.100.2"), "peter@initech.test", code, "the-real-pass-1234"); got != http.StatusBadRequest || e.Error.Code != "invalid_code" {
		t.Errorf("the right code after %d parallel wrong tries: %d %+v, want 400 invalid_code", n, got, e)
	}
	var attempts int
	if err := w.app.Store.DB().NewSelect().TableExpr("reset_codes").ColumnExpr("MAX(attempts)").Scan(w.actx, &attempts); err != nil {
		t.Fatal(err)
	}
	if attempts != svcportal.ResetCodeMaxAttempts {
		t.Errorf("the code counted %d tries, want exactly %d", attempts, svcportal.ResetCodeMaxAttempts)
	}
}
