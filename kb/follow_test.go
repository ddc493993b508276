package kb_test

import (
	"context"
	"slices"
	"testing"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/kb"
	"github.com/svcportal/svcportal/search"
	"github.com/svcportal/svcportal/testkit"
)

// fixture is one tenant with a contact, a section and an article about
// printers, over a store and an in-memory index.
type fixture struct {
	ctx     context.Context
	st      kb.Store
	idx     *search.Bleve
	svc     *kb.Service
	reader  *svcportal.Principal
	section *svcportal.KBSection
	site    *svcportal.Site // the reader's
	other   *svcportal.Site // not the reader's
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	st := testkit.Store(t)
	idx, err := search.NewMemory()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idx.Close() })
	ctx, _ := testkit.Tenant(t, st, "acme")
	site := testkit.Site(ctx, t, st, "Initech")
	c := testkit.Contact(ctx, t, st, "peter@initech.test", site, svcportal.RoleMember)
	cat := testkit.KBCategory(ctx, t, st, "Help")
	return &fixture{ctx: ctx, st: st, idx: idx, svc: kb.New(st, idx, nil),
		reader:  &svcportal.Principal{Kind: svcportal.PrincipalContact, Contact: c},
		section: testkit.KBSection(ctx, t, st, cat, "Printing"), site: site, other: testkit.Site(ctx, t, st, "Umbrella")}
}

func (f *fixture) find(t *testing.T, q string) []int64 {
	t.Helper()
	hits, err := f.svc.Search(f.ctx, f.reader, q, "en", 10)
	if err != nil {
		t.Fatal(err)
	}
	ids := []int64{}
	for _, h := range hits {
		ids = append(ids, h.ArticleID)
	}
	return ids
}

func article(title string) *svcportal.KBArticle {
	return &svcportal.KBArticle{State: svcportal.KBPublished, AllSites: true,
		Translations: map[string]svcportal.KBTranslation{"en": {Title: title, Body: "Install the driver."}}}
}

// TestSearch_FollowsTheQueue: a process that does not hold the index
// leaves its changes queued; the holder's ApplyQueue brings them in.
func TestSearch_FollowsTheQueue(t *testing.T) {
	f := newFixture(t)
	f.svc.HoldsIndexWith(func() bool { return false })
	a := article("Printer setup")
	a.SectionID = f.section.ID
	if err := f.svc.CreateArticle(f.ctx, a); err != nil {
		t.Fatal(err)
	}
	if got := f.find(t, "printer"); len(got) != 0 {
		t.Errorf("before the queue is applied: got %v, want nothing (the index has not seen it)", got)
	}
	if n, err := f.st.SearchQueueLen(f.ctx); err != nil || n != 1 {
		t.Fatalf("queue: got %d, %v; want 1", n, err)
	}
	holder := kb.New(f.st, f.idx, nil) // the process that holds the index
	if n, err := holder.ApplyQueue(context.Background(), nil); err != nil || n != 1 {
		t.Fatalf("apply: %d, %v", n, err)
	}
	if got := f.find(t, "printer"); !slices.Equal(got, []int64{a.ID}) {
		t.Errorf("after: got %v, want [%d]", got, a.ID)
	}
	t.Run("a rebuild restores an index that lost everything", func(t *testing.T) {
		if err := f.idx.Clear(f.ctx, a.TenantID); err != nil {
			t.Fatal(err)
		}
		if _, err := holder.QueueRebuild(context.Background()); err != nil {
			t.Fatal(err)
		}
		var progress []int
		if _, err := holder.ApplyQueue(context.Background(), func(_ string, done, total int) { progress = append(progress, done, total) }); err != nil {
			t.Fatal(err)
		}
		if got := f.find(t, "printer"); !slices.Equal(got, []int64{a.ID}) {
			t.Errorf("got %v, want [%d]", got, a.ID)
		}
		if !slices.Equal(progress, []int{0, 1, 1, 1}) {
			t.Errorf("progress: got %v", progress)
		}
	})
	t.Run("deleted", func(t *testing.T) {
		if err := f.svc.DeleteArticle(f.ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := holder.ApplyQueue(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
		hits, err := f.idx.Search(f.ctx, svcportal.ArticleQuery{TenantID: a.TenantID, SiteIDs: f.sites(), Lang: "en", Text: "printer"})
		if err != nil || len(hits) != 0 {
			t.Errorf("index after delete: got %v, %v; want nothing", hits, err)
		}
	})
}

func (f *fixture) sites() []int64 { return []int64{f.reader.Contact.Memberships[0].SiteID} }

// TestSearch_RechecksTheDatabase: hits of an index that lags (here: it
// was never told) are checked against the database before they are shown.
func TestSearch_RechecksTheDatabase(t *testing.T) {
	f := newFixture(t)
	f.svc.HoldsIndexWith(func() bool { return false }) // the index will not follow
	a := article("Printer setup")
	a.SectionID = f.section.ID
	if err := f.svc.CreateArticle(f.ctx, a); err != nil {
		t.Fatal(err)
	}
	stale := svcportal.DocOf(a)
	if err := f.idx.Index(f.ctx, stale); err != nil {
		t.Fatal(err)
	}
	if got := f.find(t, "printer"); !slices.Equal(got, []int64{a.ID}) {
		t.Fatalf("published: got %v, want [%d]", got, a.ID)
	}
	t.Run("renamed: the title as saved", func(t *testing.T) {
		a.Translations = map[string]svcportal.KBTranslation{"en": {Title: "Printer installation", Body: "Install the driver."}}
		if err := f.svc.UpdateArticle(f.ctx, a); err != nil {
			t.Fatal(err)
		}
		hits, err := f.svc.Search(f.ctx, f.reader, "printer", "en", 10)
		if err != nil || len(hits) != 1 || hits[0].Title != "Printer installation" {
			t.Errorf("got %+v, %v; want the saved title", hits, err)
		}
	})
	t.Run("unpublished", func(t *testing.T) {
		a.State = svcportal.KBDraft
		if err := f.svc.UpdateArticle(f.ctx, a); err != nil {
			t.Fatal(err)
		}
		if got := f.find(t, "printer"); len(got) != 0 {
			t.Errorf("got %v, want nothing", got)
		}
	})
	t.Run("moved out of the reader's reach", func(t *testing.T) {
		a.State, a.AllSites, a.SiteIDs = svcportal.KBPublished, false, []int64{}
		if err := f.svc.UpdateArticle(f.ctx, a); err != nil {
			t.Fatal(err)
		}
		if got := f.find(t, "printer"); len(got) != 0 {
			t.Errorf("got %v, want nothing", got)
		}
	})
	// The reach of the article, then of its section, named site by site:
	// the hits are checked against the rows of the article at hand and of
	// the levels above it.
	readers, other := f.site.ID, f.other
	for _, tc := range []struct {
		name             string
		article, section []int64
		want             bool
	}{
		{"for the reader's site", []int64{readers}, nil, true},
		{"for another site", []int64{other.ID}, nil, false},
		{"for both", []int64{other.ID, readers}, nil, true},
		{"in a section for another site", nil, []int64{other.ID}, false},
		{"for the reader's site, in a section for another", []int64{readers}, []int64{other.ID}, false},
		{"in a section for the reader's site", nil, []int64{readers}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sec, err := f.svc.KBSection(f.ctx, f.section.ID)
			if err != nil {
				t.Fatal(err)
			}
			sec.AllSites, sec.SiteIDs = tc.section == nil, tc.section
			if err := f.svc.UpdateSection(f.ctx, sec); err != nil {
				t.Fatal(err)
			}
			a.AllSites, a.SiteIDs = tc.article == nil, tc.article
			if err := f.svc.UpdateArticle(f.ctx, a); err != nil {
				t.Fatal(err)
			}
			if got := f.find(t, "printer"); slices.Equal(got, []int64{a.ID}) != tc.want {
				t.Errorf("got %v, want it: %v", got, tc.want)
			}
		})
	}
}

// TestSearch_WithoutTheIndex: a process that does not hold the embedded
// index matches words in the database.
func TestSearch_WithoutTheIndex(t *testing.T) {
	f := newFixture(t)
	elsewhere, err := search.FromURL("embedded", t.TempDir(), nil) // never opened here
	if err != nil {
		t.Fatal(err)
	}
	f.svc = kb.New(f.st, elsewhere, nil)
	f.svc.HoldsIndexWith(func() bool { return false })
	var ids []int64
	for _, title := range []string{"Printer setup", "Réinitialiser l'imprimante", "Mailbox quota"} {
		a := article(title)
		a.SectionID = f.section.ID
		if err := f.svc.CreateArticle(f.ctx, a); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	for q, want := range map[string][]int64{
		"print":         {ids[0]},
		"PRINTER setup": {ids[0]},
		"reinitialiser": {ids[1]},
		"driver":        {ids[0], ids[1], ids[2]},
		"quota mailbox": {ids[2]},
		"printer quota": {},
		"   ":           {},
	} {
		if got := f.find(t, q); !slices.Equal(got, want) {
			t.Errorf("%q: got %v, want %v", q, got, want)
		}
	}
}
