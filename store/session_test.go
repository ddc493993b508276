package store_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/testkit"
)

func TestThrottleStore_Take(t *testing.T) {
	st := testkit.Store(t)
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	limits := []svcportal.ThrottleLimit{
		{Key: "a|ip", Max: 5, Window: 15 * time.Minute},
		{Key: "a", Max: 20, Window: 5 * time.Minute},
	}

	t.Run("concurrent takes never pass the limit", func(t *testing.T) {
		var taken atomic.Int64
		var wg sync.WaitGroup
		for range 40 {
			wg.Go(func() {
				ok, _, err := st.Take(ctx, limits, now)
				if err != nil {
					t.Error(err)
				}
				if ok {
					taken.Add(1)
				}
			})
		}
		wg.Wait()
		if taken.Load() != 5 {
			t.Errorf("%d takes counted, want 5", taken.Load())
		}
		if n, _, _ := st.Peek(ctx, "a", now); n != 5 {
			t.Errorf("the wider counter holds %d, want 5: a refused take must count nowhere", n)
		}
	})
	t.Run("a refused take says when the full window ends", func(t *testing.T) {
		ok, retryAt, err := st.Take(ctx, limits, now.Add(time.Minute))
		if err != nil || ok || !retryAt.Equal(now.Add(15*time.Minute)) {
			t.Errorf("got %v %v %v, want refused until %v", ok, retryAt, err, now.Add(15*time.Minute))
		}
	})
	t.Run("untake gives one back", func(t *testing.T) {
		if err := st.Untake(ctx, []string{"a|ip"}, now); err != nil {
			t.Fatal(err)
		}
		if ok, _, _ := st.Take(ctx, limits, now); !ok {
			t.Error("take after untake refused")
		}
	})
	t.Run("a new window starts over", func(t *testing.T) {
		if ok, _, err := st.Take(ctx, limits, now.Add(15*time.Minute)); !ok || err != nil {
			t.Errorf("got %v %v, want counted in a new window", ok, err)
		}
		if n, _, _ := st.Peek(ctx, "a|ip", now.Add(15*time.Minute)); n != 1 {
			t.Errorf("count %d in the new window, want 1", n)
		}
	})
}
