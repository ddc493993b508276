package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/store"
	"github.com/svcportal/svcportal/testkit"
)

func newEmail(to, subject string) *svcportal.OutboundEmail {
	return &svcportal.OutboundEmail{
		Kind: svcportal.EmailWelcome, ToAddress: to, ToName: "Peter Gibbons", FromName: "Acme Managed IT",
		Subject: subject, TextBody: "text of " + subject, HTMLBody: "<p>html of " + subject + "</p>",
	}
}

func enqueue(ctx context.Context, t *testing.T, st *store.Store, to, subject string) *svcportal.OutboundEmail {
	t.Helper()
	e := newEmail(to, subject)
	if err := st.EnqueueEmail(ctx, e); err != nil {
		t.Fatalf("enqueue %s: %v", subject, err)
	}
	return e
}

func ids(emails []svcportal.OutboundEmail) []int64 {
	out := []int64{}
	for _, e := range emails {
		out = append(out, e.ID)
	}
	return out
}

func TestOutboxStore(t *testing.T) {
	clock := testkit.NewClock()
	st := testkit.Store(t, store.WithClock(clock.Now))
	ctx, tn := testkit.Tenant(t, st, "acme")
	const lease = 5 * time.Minute

	t.Run("enqueue stores a pending message due now", func(t *testing.T) {
		e := newEmail("peter@initech.test", "Hello\r\nBcc: evil@example.com")
		e.Status, e.Attempts = svcportal.EmailSent, 7 // ignored
		if err := st.EnqueueEmail(ctx, e); err != nil {
			t.Fatal(err)
		}
		if e.ID == 0 || e.TenantID != tn.ID || e.Status != svcportal.EmailPending || e.Attempts != 0 {
			t.Errorf("got id %d tenant %d status %q attempts %d, want a pending message of tenant %d", e.ID, e.TenantID, e.Status, e.Attempts, tn.ID)
		}
		if !e.NextAttemptAt.Equal(clock.Now()) || !e.CreatedAt.Equal(clock.Now()) {
			t.Errorf("got due %v created %v, want both %v", e.NextAttemptAt, e.CreatedAt, clock.Now())
		}
		if e.Subject != "Hello  Bcc: evil@example.com" {
			t.Errorf("got subject %q, want line breaks turned into spaces", e.Subject)
		}
		got, err := st.Emails(ctx, svcportal.EmailFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].ID != e.ID || got[0].HTMLBody != e.HTMLBody || !got[0].LeaseUntil.IsZero() || !got[0].SentAt.IsZero() {
			t.Fatalf("got %+v, want the stored message without lease or sent time", got)
		}
		if err := st.MarkEmailFailed(ctx, e.ID, "test cleanup"); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("an invalid message is refused", func(t *testing.T) {
		for name, e := range map[string]*svcportal.OutboundEmail{
			"bad address":      newEmail("not an address", "s"),
			"injected address": newEmail("a@b.test\r\nBcc: c@d.test", "s"),
			"no subject":       newEmail("peter@initech.test", " "),
		} {
			if err := st.EnqueueEmail(ctx, e); svcportal.KindOf(err) != svcportal.KindUnprocessable {
				t.Errorf("%s: got %v, want KindUnprocessable", name, err)
			}
		}
	})

	t.Run("without a tenant nothing is stored", func(t *testing.T) {
		if err := st.EnqueueEmail(context.Background(), newEmail("peter@initech.test", "s")); err == nil {
			t.Error("got no error")
		}
		if _, err := st.Emails(context.Background(), svcportal.EmailFilter{}); err == nil {
			t.Error("Emails: got no error")
		}
	})

	t.Run("claim leases due messages once until the lease ends", func(t *testing.T) {
		a := enqueue(ctx, t, st, "a@initech.test", "a")
		clock.Advance(time.Second)
		b := enqueue(ctx, t, st, "b@initech.test", "b")
		clock.Advance(time.Second)
		c := enqueue(ctx, t, st, "c@initech.test", "c")
		now := clock.Now()

		first, err := st.ClaimDueEmails(context.Background(), now, 2, lease)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(ids(first)) != fmt.Sprint([]int64{a.ID, b.ID}) {
			t.Fatalf("got %v, want the two oldest %v", ids(first), []int64{a.ID, b.ID})
		}
		for _, e := range first {
			if e.Attempts != 1 || !e.LeaseUntil.Equal(now.Add(lease)) || e.TenantID != tn.ID {
				t.Errorf("got attempts %d lease %v tenant %d, want 1, %v, %d", e.Attempts, e.LeaseUntil, e.TenantID, now.Add(lease), tn.ID)
			}
		}
		second, err := st.ClaimDueEmails(context.Background(), now, 10, lease)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(ids(second)) != fmt.Sprint([]int64{c.ID}) {
			t.Fatalf("second claim: got %v, want only %d", ids(second), c.ID)
		}
		if again, _ := st.ClaimDueEmails(context.Background(), now.Add(lease-time.Second), 10, lease); len(again) != 0 {
			t.Fatalf("during the lease: got %v, want nothing", ids(again))
		}
		expired, err := st.ClaimDueEmails(context.Background(), now.Add(lease), 10, lease)
		if err != nil {
			t.Fatal(err)
		}
		if len(expired) != 3 || expired[0].Attempts != 2 {
			t.Fatalf("after the lease: got %v, want all three with a second attempt", expired)
		}

		t.Run("retry releases the lease and waits for the next attempt", func(t *testing.T) {
			next := now.Add(time.Hour)
			if err := st.MarkEmailRetry(context.Background(), a.ID, "421 try later", next); err != nil {
				t.Fatal(err)
			}
			if got, _ := st.ClaimDueEmails(context.Background(), next.Add(-time.Second), 10, lease); len(got) != 2 || contains(ids(got), a.ID) {
				t.Errorf("before it is due: got %v, want b and c only (their lease ended)", ids(got))
			}
			got, err := st.ClaimDueEmails(context.Background(), next, 10, lease)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0].ID != a.ID || got[0].LastError != "421 try later" || got[0].Attempts != 3 {
				t.Errorf("when due: got %+v, want a with its error and a third attempt", got)
			}
		})

		t.Run("sent and failed messages are never claimed again", func(t *testing.T) {
			sentAt := clock.Now().Add(time.Minute)
			if err := st.MarkEmailSent(context.Background(), b.ID, sentAt); err != nil {
				t.Fatal(err)
			}
			if err := st.MarkEmailFailed(context.Background(), c.ID, "550 no such user"); err != nil {
				t.Fatal(err)
			}
			if err := st.MarkEmailSent(context.Background(), a.ID, sentAt); err != nil {
				t.Fatal(err)
			}
			if got, _ := st.ClaimDueEmails(context.Background(), now.Add(100*time.Hour), 10, lease); len(got) != 0 {
				t.Errorf("got %v, want nothing", ids(got))
			}
			sent, err := st.Emails(ctx, svcportal.EmailFilter{Status: svcportal.EmailSent})
			if err != nil {
				t.Fatal(err)
			}
			// Newest first: b was created after a.
			if len(sent) != 2 || sent[0].ID != b.ID || !sent[0].SentAt.Equal(sentAt) || !sent[0].LeaseUntil.IsZero() {
				t.Errorf("got %+v, want b then a, sent at %v without lease", sent, sentAt)
			}
			failed, err := st.Emails(ctx, svcportal.EmailFilter{Status: svcportal.EmailFailed, ToAddress: "c@initech.test"})
			if err != nil {
				t.Fatal(err)
			}
			if len(failed) != 1 || failed[0].LastError != "550 no such user" {
				t.Errorf("got %+v, want c with its error", failed)
			}
		})

		t.Run("marking a message that is not pending is KindNotFound", func(t *testing.T) {
			for name, err := range map[string]error{
				"sent twice":     st.MarkEmailSent(context.Background(), b.ID, now),
				"retry a failed": st.MarkEmailRetry(context.Background(), c.ID, "x", now),
				"fail a sent":    st.MarkEmailFailed(context.Background(), a.ID, "x"),
				"unknown id":     st.MarkEmailFailed(context.Background(), 987654, "x"),
			} {
				if svcportal.KindOf(err) != svcportal.KindNotFound {
					t.Errorf("%s: got %v, want KindNotFound", name, err)
				}
			}
		})
	})
}

func contains(list []int64, id int64) bool {
	for _, x := range list {
		if x == id {
			return true
		}
	}
	return false
}

// TestOutboxStore_ConcurrentClaims runs claimers on two stores, as two
// worker processes would, and checks that no message is handed out twice.
func TestOutboxStore_ConcurrentClaims(t *testing.T) {
	ctx := context.Background()
	url := testkit.DatabaseURL(t)
	stores := make([]*store.Store, 2)
	for i := range stores {
		st, err := store.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		stores[i] = st
	}
	if _, err := stores[0].Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	tctx, _ := testkit.Tenant(t, stores[0], "acme")
	const total = 24
	for i := range total {
		enqueue(tctx, t, stores[0], fmt.Sprintf("c%d@initech.test", i), fmt.Sprint("message ", i))
	}

	var (
		mu     sync.Mutex
		counts = map[int64]int{}
		wg     sync.WaitGroup
		errs   = make(chan error, 6)
	)
	now := time.Now().Add(time.Minute)
	for w := range 6 {
		wg.Add(1)
		go func(st *store.Store) {
			defer wg.Done()
			for {
				got, err := st.ClaimDueEmails(ctx, now, 3, time.Hour)
				if err != nil {
					errs <- err
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, e := range got {
					counts[e.ID]++
				}
				mu.Unlock()
			}
		}(stores[w%2])
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if len(counts) != total {
		t.Errorf("got %d messages claimed, want %d", len(counts), total)
	}
	for id, n := range counts {
		if n != 1 {
			t.Errorf("message %d claimed %d times, want once", id, n)
		}
	}
}

func TestOutboxStore_TenantIsolation(t *testing.T) {
	st := testkit.Store(t)
	actx, _ := testkit.Tenant(t, st, "acme")
	bctx, btn := testkit.Tenant(t, st, "globex")
	enqueue(actx, t, st, "a1@initech.test", "a1")
	enqueue(actx, t, st, "a2@initech.test", "a2")
	b := enqueue(bctx, t, st, "b1@hooli.test", "b1")

	got, err := st.Emails(actx, svcportal.EmailFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Subject != "a2" || got[1].Subject != "a1" {
		t.Errorf("tenant A: got %+v, want a2 then a1", got)
	}
	got, err = st.Emails(bctx, svcportal.EmailFilter{Kind: svcportal.EmailWelcome})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != b.ID || got[0].TenantID != btn.ID {
		t.Errorf("tenant B: got %+v, want only its own message", got)
	}
	if got, _ := st.Emails(actx, svcportal.EmailFilter{ToAddress: "b1@hooli.test"}); len(got) != 0 {
		t.Errorf("tenant A found tenant B's message: %+v", got)
	}
	if got, _ := st.Emails(actx, svcportal.EmailFilter{Kind: svcportal.EmailResetCode}); len(got) != 0 {
		t.Errorf("kind filter: got %+v, want nothing", got)
	}
	if got, _ := st.Emails(actx, svcportal.EmailFilter{Limit: 1}); len(got) != 1 {
		t.Errorf("limit 1: got %d messages", len(got))
	}
}

// TestInsertEmails shows that emails written inside a transaction exist
// exactly when the transaction commits.
func TestInsertEmails(t *testing.T) {
	clock := testkit.NewClock()
	st := testkit.Store(t, store.WithClock(clock.Now))
	ctx, tn := testkit.Tenant(t, st, "acme")

	t.Run("a failed transaction leaves no email behind", func(t *testing.T) {
		boom := errors.New("the change failed")
		err := st.DB().RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			if err := st.InsertEmails(ctx, tx, clock.Now(), newEmail("a@initech.test", "a"), newEmail("b@initech.test", "b")); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("got %v, want %v", err, boom)
		}
		if got, _ := st.Emails(ctx, svcportal.EmailFilter{}); len(got) != 0 {
			t.Errorf("got %d emails, want none", len(got))
		}
	})

	t.Run("an invalid email fails the whole transaction", func(t *testing.T) {
		err := st.DB().RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			return st.InsertEmails(ctx, tx, clock.Now(), newEmail("a@initech.test", "a"), newEmail("nobody", "b"))
		})
		if svcportal.KindOf(err) != svcportal.KindUnprocessable {
			t.Fatalf("got %v, want KindUnprocessable", err)
		}
		if got, _ := st.Emails(ctx, svcportal.EmailFilter{}); len(got) != 0 {
			t.Errorf("got %d emails, want none", len(got))
		}
	})

	t.Run("a committed transaction keeps every email, due at its time", func(t *testing.T) {
		at := clock.Now().Add(time.Minute)
		a, b := newEmail("a@initech.test", "a"), newEmail("b@initech.test", "b")
		if err := st.DB().RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			return st.InsertEmails(ctx, tx, at, a, b)
		}); err != nil {
			t.Fatal(err)
		}
		got, err := st.Emails(ctx, svcportal.EmailFilter{Status: svcportal.EmailPending})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 {
			t.Fatalf("got %d emails, want 2", len(got))
		}
		for _, e := range got {
			if e.TenantID != tn.ID || !e.NextAttemptAt.Equal(at) {
				t.Errorf("got tenant %d due %v, want %d and %v", e.TenantID, e.NextAttemptAt, tn.ID, at)
			}
		}
	})
}
