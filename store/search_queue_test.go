package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/store"
	"github.com/svcportal/svcportal/testkit"
)

func TestStore_Leases(t *testing.T) {
	ctx := context.Background()
	clock := testkit.NewClock()
	st := testkit.Store(t, store.WithClock(clock.Now))
	take := func(holder string) bool {
		t.Helper()
		ok, err := st.AcquireLease(ctx, "job", holder, 30*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !take("a") {
		t.Fatal("a: a free lease was refused")
	}
	if take("b") {
		t.Error("b took a lease a holds")
	}
	clock.Advance(20 * time.Second)
	if !take("a") {
		t.Error("a could not renew its lease")
	}
	clock.Advance(20 * time.Second)
	if take("b") {
		t.Error("b took a renewed lease before it lapsed")
	}
	if h, _ := st.LeaseHolder(ctx, "job"); h != "a" {
		t.Errorf("holder: got %q, want a", h)
	}
	clock.Advance(11 * time.Second)
	if !take("b") {
		t.Error("b could not take a lapsed lease")
	}
	if err := st.ReleaseLease(ctx, "job", "a"); err != nil {
		t.Fatal(err)
	}
	if h, _ := st.LeaseHolder(ctx, "job"); h != "b" {
		t.Errorf("a released b's lease: holder %q", h)
	}
	if err := st.ReleaseLease(ctx, "job", "b"); err != nil {
		t.Fatal(err)
	}
	if !take("a") {
		t.Error("a could not take a released lease")
	}
}

func TestStore_SearchQueue(t *testing.T) {
	ctx := context.Background()
	st := testkit.Store(t)
	actx, acme := testkit.Tenant(t, st, "acme")
	cat := testkit.KBCategory(actx, t, st, "Cat")
	sec := testkit.KBSection(actx, t, st, cat, "Sec")
	queued := func() []svcportal.SearchChange {
		t.Helper()
		q, err := st.SearchQueue(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		return q
	}
	drain := func() {
		t.Helper()
		var ids []int64
		for _, c := range queued() {
			ids = append(ids, c.ID)
		}
		if err := st.SearchQueueDone(ctx, ids...); err != nil {
			t.Fatal(err)
		}
	}
	drain()
	a := testkit.KBArticle(actx, t, st, sec, svcportal.KBPublished, "Printer setup", "Install the driver.")
	if q := queued(); len(q) != 1 || q[0].ArticleID != a.ID || q[0].TenantID != acme.ID {
		t.Fatalf("after create: got %+v, want article %d", q, a.ID)
	}
	drain()
	for _, c := range []struct {
		name   string
		change func() error
	}{
		{"update", func() error { a.State = svcportal.KBDraft; return st.UpdateKBArticle(actx, a) }},
		{"section reach", func() error { sec.AllSites = false; return st.UpdateKBSection(actx, sec) }},
		{"category reach", func() error { cat.AllSites = false; return st.UpdateKBCategory(actx, cat) }},
		{"delete", func() error { return st.DeleteKBArticle(actx, a.ID) }},
	} {
		name := c.name
		if err := c.change(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if q := queued(); len(q) != 1 || q[0].ArticleID != a.ID {
			t.Errorf("%s: got %+v, want article %d queued", name, q, a.ID)
		}
		drain()
	}
	last, err := st.QueueTenantRebuild(ctx)
	if err != nil {
		t.Fatal(err)
	}
	q := queued()
	if !slices.ContainsFunc(q, func(c svcportal.SearchChange) bool { return c.TenantID == acme.ID && c.ArticleID == 0 && c.ID == last }) {
		t.Errorf("rebuild: got %+v, want a rebuild of acme as change %d", q, last)
	}
	if n, _ := st.SearchQueuedUpTo(ctx, last); n != len(q) {
		t.Errorf("queued up to %d: got %d, want %d", last, n, len(q))
	}
}
