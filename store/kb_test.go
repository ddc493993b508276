package store_test

import (
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/store"
	"github.com/svcportal/svcportal/testkit"
)

func articleIDs(as []svcportal.KBArticle) []int64 {
	ids := []int64{}
	for _, a := range as {
		ids = append(ids, a.ID)
	}
	slices.Sort(ids)
	return ids
}

func TestKBStore_CRUD(t *testing.T) {
	clock := testkit.NewClock()
	st := testkit.Store(t, store.WithClock(clock.Now))
	ctx, _ := testkit.Tenant(t, st, "acme")
	site := testkit.Site(ctx, t, st, "Initech")
	cat := testkit.KBCategory(ctx, t, st, "Accounts")
	sec := testkit.KBSection(ctx, t, st, cat, "Passwords")
	a := testkit.KBArticleIn(ctx, t, st, sec, svcportal.KBDraft, map[string]svcportal.KBTranslation{
		"en": {Title: "Reset your password", Body: "Open **Settings**.", Keywords: []string{"password", "login"}},
		"fr": {Title: "Réinitialiser le mot de passe", Body: "Ouvrez les *Paramètres*."},
	}, site)

	t.Run("read back with translations, sites and reach", func(t *testing.T) {
		got, err := st.KBArticle(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.SectionID != sec.ID || got.CategoryID != cat.ID || got.State != svcportal.KBDraft || got.PublishedAt != nil {
			t.Errorf("got %+v", got)
		}
		if got.Translations["fr"].Title != "Réinitialiser le mot de passe" || !slices.Equal(got.Translations["en"].Keywords, []string{"password", "login"}) {
			t.Errorf("got translations %+v", got.Translations)
		}
		if got.AllSites || !slices.Equal(got.SiteIDs, []int64{site.ID}) || got.Reach.All || !slices.Equal(got.Reach.SiteIDs, []int64{site.ID}) {
			t.Errorf("got sites %v reach %+v, want only %d", got.SiteIDs, got.Reach, site.ID)
		}
		if !got.CreatedAt.Equal(clock.Now()) {
			t.Errorf("got created %v, want %v", got.CreatedAt, clock.Now())
		}
	})

	t.Run("publish, retranslate and widen", func(t *testing.T) {
		clock.Advance(3600e9)
		a.State, a.AllSites, a.SiteIDs = svcportal.KBPublished, true, nil
		a.Translations = map[string]svcportal.KBTranslation{"en": {Title: "Reset a password"}}
		if err := a.Validate("en"); err != nil {
			t.Fatal(err)
		}
		if err := st.UpdateKBArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
		got, err := st.KBArticle(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.PublishedAt == nil || !got.PublishedAt.Equal(clock.Now()) || !got.UpdatedAt.Equal(clock.Now()) {
			t.Errorf("got published %v updated %v, want %v", got.PublishedAt, got.UpdatedAt, clock.Now())
		}
		if len(got.Translations) != 1 || got.Translations["en"].Title != "Reset a password" || !got.Reach.All {
			t.Errorf("got translations %+v reach %+v", got.Translations, got.Reach)
		}
	})

	t.Run("lists by section, category and state", func(t *testing.T) {
		other := testkit.KBSection(ctx, t, st, cat, "Email")
		draft := testkit.KBArticle(ctx, t, st, other, svcportal.KBDraft, "Mailbox full", "")
		for _, c := range []struct {
			f    svcportal.KBArticleFilter
			want []int64
		}{
			{svcportal.KBArticleFilter{}, []int64{a.ID, draft.ID}},
			{svcportal.KBArticleFilter{SectionID: other.ID}, []int64{draft.ID}},
			{svcportal.KBArticleFilter{CategoryID: cat.ID, State: svcportal.KBPublished}, []int64{a.ID}},
		} {
			got, err := st.KBArticles(ctx, c.f)
			if err != nil || !slices.Equal(articleIDs(got), c.want) {
				t.Errorf("%+v: got %v %v, want %v", c.f, articleIDs(got), err, c.want)
			}
		}
		secs, err := st.KBSections(ctx, cat.ID)
		if err != nil || len(secs) != 2 {
			t.Errorf("got sections %+v %v, want 2", secs, err)
		}
	})

	t.Run("votes: one per contact, changeable", func(t *testing.T) {
		peter := testkit.Contact(ctx, t, st, "peter@initech.test", site, svcportal.RoleMember)
		bill := testkit.Contact(ctx, t, st, "bill@initech.test", site, svcportal.RoleMember)
		for _, v := range []struct {
			who     *svcportal.Contact
			helpful bool
			want    svcportal.KBVotes
		}{
			{peter, true, svcportal.KBVotes{Helpful: 1}},
			{peter, false, svcportal.KBVotes{NotHelpful: 1}},
			{bill, true, svcportal.KBVotes{Helpful: 1, NotHelpful: 1}},
			{bill, true, svcportal.KBVotes{Helpful: 1, NotHelpful: 1}},
		} {
			got, err := st.VoteKBArticle(ctx, a.ID, v.who.ID, v.helpful)
			if err != nil || got != v.want {
				t.Errorf("%s votes %v: got %+v %v, want %+v", v.who.Email, v.helpful, got, err, v.want)
			}
		}
		mine, err := st.KBVoteOf(ctx, a.ID, peter.ID)
		if err != nil || mine == nil || *mine {
			t.Errorf("peter's vote: got %v %v, want false", mine, err)
		}
		got, _ := st.KBArticle(ctx, a.ID)
		if got.Votes != (svcportal.KBVotes{Helpful: 1, NotHelpful: 1}) {
			t.Errorf("article votes: got %+v", got.Votes)
		}
	})

	t.Run("views", func(t *testing.T) {
		for range 3 {
			if err := st.CountKBView(ctx, a.ID); err != nil {
				t.Fatal(err)
			}
		}
		if got, _ := st.KBArticle(ctx, a.ID); got.Views != 3 {
			t.Errorf("got %d views, want 3", got.Views)
		}
	})

	t.Run("a category or section with content cannot be deleted", func(t *testing.T) {
		if err := st.DeleteKBCategory(ctx, cat.ID); svcportal.KindOf(err) != svcportal.KindConflict {
			t.Errorf("delete category: got %v, want conflict", err)
		}
		if err := st.DeleteKBSection(ctx, sec.ID); svcportal.KindOf(err) != svcportal.KindConflict {
			t.Errorf("delete section: got %v, want conflict", err)
		}
		if err := st.DeleteKBArticle(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := st.KBArticle(ctx, a.ID); svcportal.KindOf(err) != svcportal.KindNotFound {
			t.Errorf("deleted article: got %v, want not found", err)
		}
		if err := st.DeleteKBSection(ctx, sec.ID); err != nil {
			t.Errorf("delete empty section: %v", err)
		}
	})

	t.Run("unknown section or site", func(t *testing.T) {
		bad := &svcportal.KBArticle{SectionID: 9999, State: svcportal.KBDraft, AllSites: true,
			Translations: map[string]svcportal.KBTranslation{"en": {Title: "x"}}}
		if err := st.CreateKBArticle(ctx, bad); svcportal.KindOf(err) != svcportal.KindNotFound {
			t.Errorf("unknown section: got %v, want not found", err)
		}
		c := &svcportal.KBCategory{Names: map[string]string{"en": "x"}, SiteIDs: []int64{9999}}
		if err := st.CreateKBCategory(ctx, c); svcportal.KindOf(err) != svcportal.KindNotFound {
			t.Errorf("unknown site: got %v, want not found", err)
		}
	})
}

func TestKBStore_TenantIsolation(t *testing.T) {
	st := testkit.Store(t)
	actx, _ := testkit.Tenant(t, st, "acme")
	bctx, _ := testkit.Tenant(t, st, "globex")
	asite := testkit.Site(actx, t, st, "Initech")
	bsite := testkit.Site(bctx, t, st, "Hooli")
	cat := testkit.KBCategory(actx, t, st, "Acme only")
	sec := testkit.KBSection(actx, t, st, cat, "Secrets")
	a := testkit.KBArticle(actx, t, st, sec, svcportal.KBPublished, "Acme secret", "")
	bcontact := testkit.Contact(bctx, t, st, "gavin@hooli.test", bsite, svcportal.RoleMember)

	notFound := func(name string, err error) {
		t.Helper()
		if svcportal.KindOf(err) != svcportal.KindNotFound {
			t.Errorf("%s: got %v, want not found", name, err)
		}
	}
	t.Run("reads", func(t *testing.T) {
		_, err := st.KBCategory(bctx, cat.ID)
		notFound("category", err)
		_, err = st.KBSection(bctx, sec.ID)
		notFound("section", err)
		_, err = st.KBArticle(bctx, a.ID)
		notFound("article", err)
		_, err = st.KBReadableArticle(bctx, a.ID, svcportal.KBScope{SiteIDs: []int64{bsite.ID, asite.ID}, Public: true})
		notFound("readable article", err)
		cats, _ := st.KBCategories(bctx)
		secs, _ := st.KBSections(bctx, 0)
		arts, _ := st.KBArticles(bctx, svcportal.KBArticleFilter{})
		readable, _ := st.KBReadable(bctx, svcportal.KBScope{SiteIDs: []int64{bsite.ID, asite.ID}, Public: true})
		if len(cats)+len(secs)+len(arts)+len(readable) != 0 {
			t.Errorf("globex sees %d categories, %d sections, %d articles, %d readable", len(cats), len(secs), len(arts), len(readable))
		}
		if sites, _ := st.KBSites(bctx); !slices.Equal(sites, []int64{bsite.ID}) {
			t.Errorf("globex's sites with a knowledge base: %v, want only %d", sites, bsite.ID)
		}
		// A scope naming acme's site reads nothing of globex's either.
		bcat := testkit.KBCategory(bctx, t, st, "Globex for all")
		testkit.KBArticle(bctx, t, st, testkit.KBSection(bctx, t, st, bcat, "General"), svcportal.KBPublished, "Globex guide", "")
		if readable, _ := st.KBReadable(bctx, svcportal.KBScope{SiteIDs: []int64{asite.ID}}); len(readable) != 0 {
			t.Errorf("globex's articles read through acme's site: %d", len(readable))
		}
		if counts, _ := st.KBReadableCounts(bctx, svcportal.KBScope{SiteIDs: []int64{asite.ID}}, svcportal.KBIndexFilter{}); len(counts) != 0 {
			t.Errorf("globex's articles counted through acme's site: %v", counts)
		}
	})
	t.Run("writes", func(t *testing.T) {
		notFound("update category", st.UpdateKBCategory(bctx, cat))
		notFound("delete category", st.DeleteKBCategory(bctx, cat.ID))
		notFound("delete section", st.DeleteKBSection(bctx, sec.ID))
		notFound("delete article", st.DeleteKBArticle(bctx, a.ID))
		b := *a
		notFound("update article", st.UpdateKBArticle(bctx, &b))
		_, err := st.VoteKBArticle(bctx, a.ID, bcontact.ID, true)
		notFound("vote", err)
		notFound("section in acme's category", st.CreateKBSection(bctx, &svcportal.KBSection{CategoryID: cat.ID, Names: map[string]string{"en": "x"}, AllSites: true}))
		notFound("category for acme's site", st.CreateKBCategory(bctx, &svcportal.KBCategory{Names: map[string]string{"en": "x"}, SiteIDs: []int64{asite.ID}}))
		if err := st.CountKBView(bctx, a.ID); err != nil {
			t.Fatal(err)
		}
		if got, _ := st.KBArticle(actx, a.ID); got.Views != 0 || got.Translations["en"].Title != "Acme secret" {
			t.Errorf("globex changed acme's article: %+v", got)
		}
	})
}

func TestKBStore_Reach(t *testing.T) {
	st := testkit.Store(t)
	ctx, _ := testkit.Tenant(t, st, "acme")
	x := testkit.Site(ctx, t, st, "X")
	y := testkit.Site(ctx, t, st, "Y")
	off := testkit.Site(ctx, t, st, "KB off")
	off.KBEnabled = false
	if err := st.UpdateSite(ctx, off); err != nil {
		t.Fatal(err)
	}
	all := testkit.KBCategory(ctx, t, st, "Everyone")
	general := testkit.KBSection(ctx, t, st, all, "General")
	public := testkit.KBArticle(ctx, t, st, general, svcportal.KBPublished, "Public", "The text of Public.")
	onlyY := testkit.KBArticle(ctx, t, st, general, svcportal.KBPublished, "Only Y", "The text of Only Y.", y)
	draft := testkit.KBArticle(ctx, t, st, general, svcportal.KBDraft, "Draft", "The text of Draft.")
	ySection := testkit.KBSection(ctx, t, st, all, "Y's section", y)
	inherited := testkit.KBArticle(ctx, t, st, ySection, svcportal.KBPublished, "Inherits Y", "The text of Inherits Y.")
	xCat := testkit.KBCategory(ctx, t, st, "X only", x)
	xSec := testkit.KBSection(ctx, t, st, xCat, "X section")
	// The article asks for Y, but its category is only X's: nobody.
	nobody := testkit.KBArticle(ctx, t, st, xSec, svcportal.KBPublished, "Y in X", "The text of Y in X.", y)
	inX := testkit.KBArticle(ctx, t, st, xSec, svcportal.KBPublished, "In X", "The text of In X.", x, y)

	for _, c := range []struct {
		name  string
		scope svcportal.KBScope
		want  []int64
	}{
		{"site X", svcportal.KBScope{SiteIDs: []int64{x.ID}}, []int64{public.ID, inX.ID}},
		{"site Y", svcportal.KBScope{SiteIDs: []int64{y.ID}}, []int64{public.ID, onlyY.ID, inherited.ID}},
		{"sites X and Y", svcportal.KBScope{SiteIDs: []int64{x.ID, y.ID}}, []int64{public.ID, onlyY.ID, inherited.ID, inX.ID}},
		{"site with the KB disabled", svcportal.KBScope{SiteIDs: []int64{off.ID}}, []int64{}},
		{"no site", svcportal.KBScope{}, []int64{}},
		// Anyone, when the knowledge base is public: only what is for
		// every site, never a site's own, never a draft.
		{"public", svcportal.KBScope{Public: true}, []int64{public.ID}},
		{"public and site Y", svcportal.KBScope{SiteIDs: []int64{y.ID}, Public: true}, []int64{public.ID, onlyY.ID, inherited.ID}},
		{"public and the site with the KB disabled", svcportal.KBScope{SiteIDs: []int64{off.ID}, Public: true}, []int64{public.ID}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := st.KBReadable(ctx, c.scope)
			if err != nil {
				t.Fatal(err)
			}
			want := slices.Clone(c.want)
			slices.Sort(want)
			if !slices.Equal(articleIDs(got), want) {
				t.Errorf("got %v, want %v", articleIDs(got), want)
			}
			// The lists' reading and the search hits' check agree.
			index, err := st.KBReadableIndex(ctx, c.scope, svcportal.KBIndexFilter{})
			if err != nil || !slices.Equal(articleIDs(index), want) {
				t.Errorf("index: got %v (%v), want %v", articleIDs(index), err, want)
			}
			for _, a := range index {
				if len(a.Translations) != 0 {
					t.Errorf("index: article %d with texts %+v, want none", a.ID, a.Translations)
				}
			}
			// The database's counts and most read keep the same articles.
			counts, err := st.KBReadableCounts(ctx, c.scope, svcportal.KBIndexFilter{})
			wantCounts := map[int64]int{}
			firsts := []int64{} // the first readable article of each section
			for _, a := range index {
				if wantCounts[a.SectionID]++; wantCounts[a.SectionID] == 1 {
					firsts = append(firsts, a.ID)
				}
			}
			if err != nil || !maps.Equal(counts, wantCounts) {
				t.Errorf("counts: got %v (%v), want %v", counts, err, wantCounts)
			}
			most, err := st.KBMostRead(ctx, c.scope, 10)
			if got := articleIDs(most); err != nil || !slices.Equal(got, want) {
				t.Errorf("most read: got %v (%v), want %v", got, err, want)
			}
			heads, err := st.KBReadableIndex(ctx, c.scope, svcportal.KBIndexFilter{PerSection: 1})
			if got := articleIDs(heads); err != nil || !slices.Equal(got, slices.Sorted(slices.Values(firsts))) {
				t.Errorf("first of each section: got %v (%v), want %v", got, err, firsts)
			}
			// Narrowed to a category, a section, an article's category.
			for _, f := range []struct {
				filter svcportal.KBIndexFilter
				of     []int64 // the articles it may hold
			}{
				{svcportal.KBIndexFilter{CategoryID: all.ID}, []int64{public.ID, onlyY.ID, draft.ID, inherited.ID}},
				{svcportal.KBIndexFilter{CategoryID: xCat.ID}, []int64{nobody.ID, inX.ID}},
				{svcportal.KBIndexFilter{SectionID: ySection.ID}, []int64{inherited.ID}},
				{svcportal.KBIndexFilter{ArticleID: inX.ID}, []int64{nobody.ID, inX.ID}},
				{svcportal.KBIndexFilter{ArticleID: public.ID}, []int64{public.ID, onlyY.ID, draft.ID, inherited.ID}},
			} {
				narrowed, err := st.KBReadableIndex(ctx, c.scope, f.filter)
				wantHere := slices.DeleteFunc(slices.Clone(want), func(id int64) bool { return !slices.Contains(f.of, id) })
				if err != nil || !slices.Equal(articleIDs(narrowed), wantHere) {
					t.Errorf("index %+v: got %v (%v), want %v", f.filter, articleIDs(narrowed), err, wantHere)
				}
			}
			every := []*svcportal.KBArticle{public, onlyY, draft, inherited, nobody, inX}
			ids := make([]int64, len(every))
			for i, a := range every {
				ids[i] = a.ID
			}
			titles, err := st.KBReadableTitles(ctx, ids, c.scope)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range every {
				_, err := st.KBReadableArticle(ctx, a.ID, c.scope)
				if visible := err == nil; visible != slices.Contains(want, a.ID) {
					t.Errorf("article %q: got visible %v (%v)", a.Translations["en"].Title, visible, err)
				}
				if title, ok := titles[a.ID]["en"]; ok != slices.Contains(want, a.ID) || ok && title != a.Translations["en"].Title {
					t.Errorf("hit %q: got title %q, %v", a.Translations["en"].Title, title, ok)
				}
			}
		})
	}
	t.Run("a deleted site takes its reach along", func(t *testing.T) {
		if err := st.DeleteSite(ctx, y.ID); err != nil {
			t.Fatal(err)
		}
		got, err := st.KBArticle(ctx, onlyY.ID)
		if err != nil || got.Reach.All || len(got.Reach.SiteIDs) != 0 {
			t.Errorf("got reach %+v %v, want none", got.Reach, err)
		}
	})
}

// TestKBStore_ArticleCounts: the overview's counts, by section and
// state, of the tenant's articles only.
func TestKBStore_ArticleCounts(t *testing.T) {
	st := testkit.Store(t)
	ctx, _ := testkit.Tenant(t, st, "acme")
	cat := testkit.KBCategory(ctx, t, st, "Help")
	a := testkit.KBSection(ctx, t, st, cat, "A")
	b := testkit.KBSection(ctx, t, st, cat, "B")
	for _, x := range []struct {
		sec   *svcportal.KBSection
		state string
	}{{a, svcportal.KBPublished}, {a, svcportal.KBPublished}, {a, svcportal.KBDraft}, {b, svcportal.KBDraft}} {
		testkit.KBArticle(ctx, t, st, x.sec, x.state, "Article", "Text.")
	}
	octx, _ := testkit.Tenant(t, st, "globex")
	ocat := testkit.KBCategory(octx, t, st, "Help")
	testkit.KBArticle(octx, t, st, testkit.KBSection(octx, t, st, ocat, "A"), svcportal.KBPublished, "Other", "Text.")
	got, err := st.KBArticleCounts(ctx)
	want := []svcportal.KBArticleCount{
		{SectionID: a.ID, State: svcportal.KBDraft, Articles: 1}, {SectionID: a.ID, State: svcportal.KBPublished, Articles: 2},
		{SectionID: b.ID, State: svcportal.KBDraft, Articles: 1},
	}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("got %+v, %v; want %+v", got, err, want)
	}
}

// TestKBStore_VotesOfManyArticles: past the number of articles read by
// id, the votes are counted for the tenant at once, and still land on
// their own articles.
func TestKBStore_VotesOfManyArticles(t *testing.T) {
	st := testkit.Store(t)
	ctx, _ := testkit.Tenant(t, st, "acme")
	site := testkit.Site(ctx, t, st, "Initech")
	voter := testkit.Contact(ctx, t, st, "peter@initech.test", site, svcportal.RoleMember)
	sec := testkit.KBSection(ctx, t, st, testkit.KBCategory(ctx, t, st, "Help"), "Many")
	var ids []int64
	for i := range 520 {
		ids = append(ids, testkit.KBArticle(ctx, t, st, sec, svcportal.KBPublished, fmt.Sprint("Article ", i), "Text.").ID)
	}
	if _, err := st.VoteKBArticle(ctx, ids[7], voter.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := st.VoteKBArticle(ctx, ids[511], voter.ID, false); err != nil {
		t.Fatal(err)
	}
	// Another tenant's votes count for nothing here.
	octx, _ := testkit.Tenant(t, st, "globex")
	osite := testkit.Site(octx, t, st, "Hooli")
	ovoter := testkit.Contact(octx, t, st, "gavin@hooli.test", osite, svcportal.RoleMember)
	oart := testkit.KBArticle(octx, t, st, testkit.KBSection(octx, t, st, testkit.KBCategory(octx, t, st, "Help"), "S"), svcportal.KBPublished, "Other", "Text.")
	if _, err := st.VoteKBArticle(octx, oart.ID, ovoter.ID, true); err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{520, 3} { // the tenant's votes at once, then by id
		as, err := st.KBReadableIndex(ctx, svcportal.KBScope{SiteIDs: []int64{site.ID}}, svcportal.KBIndexFilter{})
		if err != nil || len(as) != 520 {
			t.Fatalf("%d articles, %v", len(as), err)
		}
		if n == 3 {
			if as, err = st.KBArticles(ctx, svcportal.KBArticleFilter{IDs: []int64{ids[7], ids[8], ids[511]}}); err != nil {
				t.Fatal(err)
			}
		}
		for _, a := range as {
			want := svcportal.KBVotes{}
			switch a.ID {
			case ids[7]:
				want.Helpful = 1
			case ids[511]:
				want.NotHelpful = 1
			}
			if a.Votes != want {
				t.Errorf("%d articles read: article %d votes %+v, want %+v", n, a.ID, a.Votes, want)
			}
		}
	}
}

// TestKBStore_VoteCountsAfterContactDeleted: deleting a contact takes
// their votes with them (the foreign key cascades), and the counts each
// article keeps for the dashboard (TopVotedArticles) and the search's
// helpfulness follow.
func TestKBStore_VoteCountsAfterContactDeleted(t *testing.T) {
	st := testkit.Store(t)
	ctx, _ := testkit.Tenant(t, st, "acme")
	site := testkit.Site(ctx, t, st, "Initech")
	peter := testkit.Contact(ctx, t, st, "peter@initech.test", site, svcportal.RoleMember)
	bill := testkit.Contact(ctx, t, st, "bill@initech.test", site, svcportal.RoleMember)
	sec := testkit.KBSection(ctx, t, st, testkit.KBCategory(ctx, t, st, "Email"), "Outlook")
	a := testkit.KBArticle(ctx, t, st, sec, svcportal.KBPublished, "Reset your password", "Steps.")
	for _, c := range []*svcportal.Contact{peter, bill} {
		if _, err := st.VoteKBArticle(ctx, a.ID, c.ID, c == peter); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.DeleteContact(ctx, peter.ID); err != nil {
		t.Fatal(err)
	}
	top, err := st.TopVotedArticles(ctx, 5)
	if err != nil || len(top) != 1 || top[0].Votes != (svcportal.KBVotes{NotHelpful: 1}) {
		t.Fatalf("top voted after the helpful voter was deleted: %+v, %v; want one article, 0 helpful, 1 not", top, err)
	}
}

// TestKBStore_ArticleVotesFromItsCounters: an article is read with the
// votes its counters keep, and neither its creation nor an update takes
// the votes (or views) its caller sent: a new article has none, an
// updated one keeps its readers'.
func TestKBStore_ArticleVotesFromItsCounters(t *testing.T) {
	st := testkit.Store(t)
	ctx, _ := testkit.Tenant(t, st, "acme")
	site := testkit.Site(ctx, t, st, "Initech")
	peter := testkit.Contact(ctx, t, st, "peter@initech.test", site, svcportal.RoleMember)
	sec := testkit.KBSection(ctx, t, st, testkit.KBCategory(ctx, t, st, "Email"), "Outlook")
	forged := svcportal.KBVotes{Helpful: 40, NotHelpful: 2}
	a := &svcportal.KBArticle{SectionID: sec.ID, State: svcportal.KBPublished, AllSites: true, Views: 99, Votes: forged,
		Translations: map[string]svcportal.KBTranslation{"en": {Title: "Reset your password", Body: "Steps."}}}
	if err := st.CreateKBArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	if got, err := st.KBArticle(ctx, a.ID); err != nil || got.Votes != (svcportal.KBVotes{}) || got.Views != 0 {
		t.Fatalf("created with votes %+v and %d views (%v), want none", got.Votes, got.Views, err)
	}
	if _, err := st.VoteKBArticle(ctx, a.ID, peter.ID, true); err != nil {
		t.Fatal(err)
	}
	if err := st.CountKBView(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	want := svcportal.KBVotes{Helpful: 1}
	a.Votes, a.Views = forged, 99
	if err := st.UpdateKBArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	if a.Votes != want || a.Views != 1 {
		t.Errorf("update answered votes %+v and %d views, want %+v and 1", a.Votes, a.Views, want)
	}
	for name, read := range map[string]func() (*svcportal.KBArticle, error){
		"article": func() (*svcportal.KBArticle, error) { return st.KBArticle(ctx, a.ID) },
		"readable": func() (*svcportal.KBArticle, error) {
			return st.KBReadableArticle(ctx, a.ID, svcportal.KBScope{SiteIDs: []int64{site.ID}})
		},
	} {
		if got, err := read(); err != nil || got.Votes != want || got.Views != 1 {
			t.Errorf("%s: votes %+v, %d views (%v); want %+v, 1", name, got.Votes, got.Views, err, want)
		}
	}
}
