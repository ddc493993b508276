package store

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"
)

// groupStore is a SQLite store with a table n of values, and a function
// that inserts a value through inTx, failing after the insert when told.
func groupStore(t *testing.T) (*Store, func(ctx context.Context, v int64, fail error) error) {
	t.Helper()
	s, err := Open(t.Context(), "sqlite:"+filepath.Join(t.TempDir(), "db.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.w.ExecContext(t.Context(), "CREATE TABLE n (v INTEGER PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	insert := func(ctx context.Context, v int64, fail error) error {
		return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
			if _, err := tx.ExecContext(ctx, "INSERT INTO n VALUES (?)", v); err != nil {
				return err
			}
			return fail
		})
	}
	return s, insert
}

// values are the values committed to n.
func values(t *testing.T, s *Store) []int64 {
	t.Helper()
	var vs []int64
	if err := s.db.NewRaw("SELECT v FROM n ORDER BY v").Scan(t.Context(), &vs); err != nil {
		t.Fatal(err)
	}
	return vs
}

// holdLead starts a write that leads a batch and waits, inside it, until
// release is closed; the writes started meanwhile queue for the next
// batch. It returns when the write is running.
func holdLead(t *testing.T, s *Store) (release chan struct{}, done chan error) {
	t.Helper()
	release, done, running := make(chan struct{}), make(chan error, 1), make(chan struct{})
	go func() {
		done <- s.inTx(t.Context(), func(ctx context.Context, tx bun.Tx) error {
			close(running)
			<-release
			return nil
		})
	}()
	<-running
	return release, done
}

// queued waits until n writes wait in the queue.
func queued(t *testing.T, s *Store, n int) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		s.group.mu.Lock()
		got := len(s.group.queue)
		s.group.mu.Unlock()
		if got == n {
			return
		}
	}
	t.Fatalf("%d writes did not queue", n)
}

// TestGroupCommit_WritesAnswerTheirOwnFate: writes that queued while one
// committed go into one transaction, each in its savepoint: one that
// fails is rolled back alone and answers its own error; the others are
// committed and answer nil.
func TestGroupCommit_WritesAnswerTheirOwnFate(t *testing.T) {
	s, insert := groupStore(t)
	release, first := holdLead(t, s)
	refused := errors.New("refused")
	answers := make([]chan error, 4)
	for i, fail := range []error{nil, refused, nil, nil} {
		answers[i] = make(chan error, 1)
		go func() { answers[i] <- insert(t.Context(), int64(i+1), fail) }()
		queued(t, s, i+1) // in this order
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	for i, want := range []error{nil, refused, nil, nil} {
		if err := <-answers[i]; !errors.Is(err, want) || (want == nil) != (err == nil) {
			t.Errorf("write %d answered %v, want %v", i+1, err, want)
		}
	}
	if got := values(t, s); !slices.Equal(got, []int64{1, 3, 4}) {
		t.Errorf("committed %v, want [1 3 4] (the refused write's insert rolled back, no other)", got)
	}
	// A constraint broken inside a batch is the write's alone too.
	release, first = holdLead(t, s)
	dup, fresh := make(chan error, 1), make(chan error, 1)
	go func() { dup <- insert(t.Context(), 3, nil) }()
	queued(t, s, 1)
	go func() { fresh <- insert(t.Context(), 5, nil) }()
	queued(t, s, 2)
	close(release)
	<-first
	if err := <-dup; err == nil {
		t.Error("a duplicate key was accepted")
	}
	if err := <-fresh; err != nil {
		t.Errorf("the write after a duplicate key: %v", err)
	}
	if got := values(t, s); !slices.Equal(got, []int64{1, 3, 4, 5}) {
		t.Errorf("committed %v, want [1 3 4 5]", got)
	}
}

// TestGroupCommit_AGoneRequestLeavesTheQueue: a write whose request is
// cancelled while it waits for its batch answers at once, is never run,
// and hands on the lead it was to take, so the writes behind it are
// committed.
func TestGroupCommit_AGoneRequestLeavesTheQueue(t *testing.T) {
	s, insert := groupStore(t)
	release, first := holdLead(t, s)
	ctx, cancel := context.WithCancel(t.Context())
	gone, after := make(chan error, 1), make(chan error, 1)
	go func() { gone <- insert(ctx, 1, nil) }() // first in the queue: the next lead
	queued(t, s, 1)
	go func() { after <- insert(t.Context(), 2, nil) }()
	queued(t, s, 2)
	cancel()
	if err := <-gone; !errors.Is(err, context.Canceled) {
		t.Fatalf("the cancelled write answered %v", err)
	}
	queued(t, s, 1)
	close(release)
	<-first
	if err := <-after; err != nil {
		t.Fatal(err)
	}
	if got := values(t, s); !slices.Equal(got, []int64{2}) {
		t.Errorf("committed %v, want [2]", got)
	}
	// The queue is empty and nobody leads: the next write leads at once.
	if err := insert(t.Context(), 3, nil); err != nil {
		t.Fatal(err)
	}
}

// TestGroupCommit_APanicIsItsWriteAlone: a write that panics in the
// batch another request leads answers an error, its insert rolled back;
// the leader and the writes behind go on.
func TestGroupCommit_APanicIsItsWriteAlone(t *testing.T) {
	s, insert := groupStore(t)
	release, first := holdLead(t, s)
	panicked, after := make(chan error, 1), make(chan error, 1)
	go func() {
		panicked <- s.inTx(t.Context(), func(ctx context.Context, tx bun.Tx) error {
			if _, err := tx.ExecContext(ctx, "INSERT INTO n VALUES (1)"); err != nil {
				return err
			}
			panic("a bug")
		})
	}()
	queued(t, s, 1)
	go func() { after <- insert(t.Context(), 2, nil) }()
	queued(t, s, 2)
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if err := <-panicked; err == nil || !strings.Contains(err.Error(), "a bug") {
		t.Errorf("the write that panicked answered %v", err)
	}
	if err := <-after; err != nil {
		t.Fatal(err)
	}
	if err := insert(t.Context(), 3, nil); err != nil {
		t.Fatal(err)
	}
	if got := values(t, s); !slices.Equal(got, []int64{2, 3}) {
		t.Errorf("committed %v, want [2 3]", got)
	}
}

// TestGroupCommit_WaitsForTheWriterWhileWanted: a batch waiting for the
// writer (held by a transaction outside the queue) gives up once its
// writes' requests are gone, and the writes behind it commit once the
// writer is free.
func TestGroupCommit_WaitsForTheWriterWhileWanted(t *testing.T) {
	s, insert := groupStore(t)
	held, err := s.w.BeginTx(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	gone, after := make(chan error, 1), make(chan error, 1)
	go func() { gone <- insert(ctx, 1, nil) }() // leads a batch of its own, waiting for the writer
	for deadline := time.Now().Add(5 * time.Second); s.pools["write"].waits.Load() == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the batch did not wait for the writer")
		}
	}
	go func() { after <- insert(t.Context(), 2, nil) }()
	queued(t, s, 1)
	cancel()
	select {
	case err := <-gone:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("the gone write answered %v", err)
		}
	case <-time.After(5 * time.Second):
		held.Rollback()
		t.Fatal("the gone write waited for the writer")
	}
	if err := held.Rollback(); err != nil {
		t.Fatal(err)
	}
	if err := <-after; err != nil {
		t.Fatal(err)
	}
	if got := values(t, s); !slices.Equal(got, []int64{2}) {
		t.Errorf("committed %v, want [2]", got)
	}
}
