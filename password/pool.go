package password

import (
	"context"
	"errors"
	"runtime"
	"sync/atomic"
	"time"
)

// ErrBusy is returned when every hashing slot stayed taken for the whole
// wait: the caller should answer "try again shortly" (429), never run the
// hash anyway.
var ErrBusy = errors.New("password: every hashing slot is busy")

// Pool bounds how many argon2id hashes run at once. Each one holds its
// memory cost (64 MiB by Default) for its whole run, so the pool's size
// times that cost is the ceiling of hashing memory whatever the number of
// concurrent logins. A caller waits at most the pool's wait for a slot,
// then gets ErrBusy.
type Pool struct {
	slots chan struct{}
	wait  time.Duration

	inFlight atomic.Int64
	peak     atomic.Int64
}

// DefaultPoolSize is the size of Shared: a few hashes at once, at most one
// per CPU, never fewer than two.
var DefaultPoolSize = min(4, max(2, runtime.GOMAXPROCS(0)))

// DefaultWait is how long a hash waits for a slot before ErrBusy.
const DefaultWait = 3 * time.Second

// Shared is the process's pool, used by the package-level functions.
var Shared = NewPool(DefaultPoolSize, DefaultWait)

// NewPool returns a pool of size slots (at least one) whose callers wait
// at most wait for a slot.
func NewPool(size int, wait time.Duration) *Pool {
	return &Pool{slots: make(chan struct{}, max(1, size)), wait: wait}
}

// Size is the number of hashes the pool runs at once.
func (p *Pool) Size() int { return cap(p.slots) }

// Peak is the largest number of hashes the pool has run at once.
func (p *Pool) Peak() int { return int(p.peak.Load()) }

// run calls f in a slot, waiting for one until the pool's wait ends or ctx
// does.
func (p *Pool) run(ctx context.Context, f func()) error {
	select {
	case p.slots <- struct{}{}:
	default:
		timer := time.NewTimer(p.wait)
		defer timer.Stop()
		select {
		case p.slots <- struct{}{}:
		case <-timer.C:
			return ErrBusy
		case <-ctx.Done():
			return ErrBusy
		}
	}
	n := p.inFlight.Add(1)
	for {
		old := p.peak.Load()
		if n <= old || p.peak.CompareAndSwap(old, n) {
			break
		}
	}
	defer func() {
		// The collector aims to let the heap grow to twice what was live
		// at its last cycle; a cycle during a hash counts the hash's
		// memory (64 MiB) as live, so the process went on to grow to
		// twice that plus the rest — the server's peak resident memory
		// was 210–224 MB after a single sign-in. A cycle once no hash
		// runs brings the goal back to the live heap, for a few
		// milliseconds of the last caller's time after the hundreds its
		// hash took.
		if p.inFlight.Add(-1) == 0 {
			runtime.GC()
		}
		<-p.slots
	}()
	f()
	return nil
}

// Hash returns the PHC string of pw with Default parameters, computed in
// a slot of the pool.
func (p *Pool) Hash(ctx context.Context, pw string) (hash string, err error) {
	if perr := p.run(ctx, func() { hash, err = Hash(pw) }); perr != nil {
		return "", perr
	}
	return hash, err
}

// Verify reports whether pw matches encoded, computed in a slot of the
// pool; the error is ErrBusy when no slot came free.
func (p *Pool) Verify(ctx context.Context, encoded, pw string) (ok bool, err error) {
	err = p.run(ctx, func() { ok = Verify(encoded, pw) })
	return ok, err
}

// VerifyDummy spends the work of one Verify in a slot of the pool, for an
// account that does not exist.
func (p *Pool) VerifyDummy(ctx context.Context, pw string) error {
	return p.run(ctx, func() { VerifyDummy(pw) })
}
