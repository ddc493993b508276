package portal_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/svcportal/svcportal/testkit"
	"github.com/svcportal/svcportal/web"
)

// TestAPI_LoginStorm sends a burst of wrong passwords for one account from
// one address at once: the attempts are counted before any hash is
// checked, so exactly the limit of them are answered 401 and the rest 429;
// the hashing pool never runs more than its size at once; and the real
// user, elsewhere, still signs in.
func TestAPI_LoginStorm(t *testing.T) {
	w := newWorld(t)
	const n, limit = 30, 5
	codes := make(chan int, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range n {
		wg.Go(func() {
			<-start
			rec := w.app.RequestFrom(t, "203.0.113.9:1000", http.MethodPost, "acme.localhost", "/api/v1/auth/login",
				strings.NewReader(`{"email": "peter@initech.test", "password": "wrong-guess"}`),
				http.Header{"Content-Type": {"application/json"}})
			codes <- rec.Code
		})
	}
	close(start)
	wg.Wait()
	close(codes)
	got := map[int]int{}
	for c := range codes {
		got[c]++
	}
	if got[http.StatusUnauthorized] != limit || got[http.StatusTooManyRequests] != n-limit {
		t.Errorf("answers %v: want %d × 401 and %d × 429", got, limit, n-limit)
	}
	if peak, size := w.app.Hashing.Peak(), w.app.Hashing.Size(); peak > size || peak < 1 {
		t.Errorf("hashing pool ran %d hashes at once: want 1 to %d", peak, size)
	}

	t.Run("the real user elsewhere still signs in", func(t *testing.T) {
		b := w.app.NewBrowser("acme.localhost")
		b.RemoteAddr = "198.51.100.7:2000"
		apiLogin(t, b, "peter@initech.test", testkit.Password)
	})
	t.Run("the guessing address is told how long to wait, in its language", func(t *testing.T) {
		b := w.app.NewBrowser("acme.localhost")
		b.RemoteAddr = "203.0.113.9:1001"
		b.Header.Set("Accept-Language", "de")
		var e web.APIError
		rec := b.JSON(t, "POST", "/api/v1/auth/login", map[string]string{"email": "peter@initech.test", "password": testkit.Password}, &e)
		if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") != "900" {
			t.Fatalf("got %d Retry-After %q", rec.Code, rec.Header().Get("Retry-After"))
		}
		if want := "Zu viele Anmeldeversuche. Bitte versuchen Sie es in 15 Minuten erneut."; e.Error.Message != want {
			t.Errorf("message %q, want %q", e.Error.Message, want)
		}
	})
}
