package password

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"testing"
	"time"
)

func TestPool_BoundsConcurrentHashes(t *testing.T) {
	cheap := Params{MemoryKiB: 1024, Time: 1, Threads: 1}
	h, err := HashWith(cheap, "pw")
	if err != nil {
		t.Fatal(err)
	}
	p := NewPool(3, time.Hour)
	var wg sync.WaitGroup
	for range 40 {
		wg.Go(func() {
			if ok, err := p.Verify(context.Background(), h, "pw"); !ok || err != nil {
				t.Errorf("Verify: %v %v", ok, err)
			}
		})
	}
	wg.Wait()
	if p.Peak() < 1 || p.Peak() > 3 {
		t.Errorf("peak %d: want 1 to 3", p.Peak())
	}
}

func TestPool_FullPool(t *testing.T) {
	p := NewPool(2, 0)
	p.slots <- struct{}{}
	p.slots <- struct{}{}

	t.Run("no wait: busy at once", func(t *testing.T) {
		if _, err := p.Verify(context.Background(), dummy, "x"); !errors.Is(err, ErrBusy) {
			t.Errorf("got %v, want ErrBusy", err)
		}
		if _, err := p.Hash(context.Background(), "x"); !errors.Is(err, ErrBusy) {
			t.Errorf("got %v, want ErrBusy", err)
		}
	})
	t.Run("a cancelled caller stops waiting", func(t *testing.T) {
		q := &Pool{slots: p.slots, wait: time.Hour}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := q.VerifyDummy(ctx, "x"); !errors.Is(err, ErrBusy) {
			t.Errorf("got %v, want ErrBusy", err)
		}
	})
	t.Run("a waiting caller runs once a slot frees", func(t *testing.T) {
		q := &Pool{slots: p.slots, wait: time.Hour}
		done := make(chan error)
		go func() { done <- q.VerifyDummy(context.Background(), "x") }()
		<-p.slots
		if err := <-done; err != nil {
			t.Errorf("got %v, want the hash run", err)
		}
	})
}

// TestPool_CollectsOnceIdle: after the last hash running, the collector's
// goal is back near the live heap; a cycle during the hash counted its
// 64 MiB as live and set the goal to twice that, which the server then
// grew to (peak resident memory 210–224 MB after one sign-in).
func TestPool_CollectsOnceIdle(t *testing.T) {
	p := NewPool(1, time.Hour)
	if _, err := p.Hash(t.Context(), "a password"); err != nil {
		t.Fatal(err)
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	if cost := uint64(Default.MemoryKiB) << 10; ms.NextGC >= cost {
		t.Errorf("after hashing, the collector lets the heap grow to %d MiB (live %d MiB): the hash's %d MiB still counted",
			ms.NextGC>>20, ms.HeapAlloc>>20, cost>>20)
	}
}
