package kb_test

import (
	"maps"
	"slices"
	"testing"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/testkit"
)

// TestTree_PreviewAndPopular: a tree lists the first articles of each
// section with the section's count, narrowed to a category, a section or
// an article's category; the home's popular articles are the most read,
// the more helpful first among equals, then in the tree's order.
func TestTree_PreviewAndPopular(t *testing.T) {
	f := newFixture(t)
	st := f.st
	other := testkit.KBSection(f.ctx, t, st, testkit.KBCategory(f.ctx, t, st, "Other"), "Elsewhere")
	var first, second []int64
	for i := range 3 {
		a := article("First " + string(rune('A'+i)))
		a.SectionID = f.section.ID
		if err := f.svc.CreateArticle(f.ctx, a); err != nil {
			t.Fatal(err)
		}
		first = append(first, a.ID)
	}
	for i := range 2 {
		a := article("Second " + string(rune('A'+i)))
		a.SectionID = other.ID
		if err := f.svc.CreateArticle(f.ctx, a); err != nil {
			t.Fatal(err)
		}
		second = append(second, a.ID)
	}
	tree := func(filter svcportal.KBTreeFilter) map[int64][2]int { // section: listed, count
		t.Helper()
		cats, err := f.svc.Tree(f.ctx, f.reader, "en", filter)
		if err != nil {
			t.Fatal(err)
		}
		out := map[int64][2]int{}
		for _, c := range cats {
			for _, s := range c.Sections {
				out[s.ID] = [2]int{len(s.Articles), s.Count}
			}
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		filter svcportal.KBTreeFilter
		want   map[int64][2]int
	}{
		{"everything", svcportal.KBTreeFilter{}, map[int64][2]int{f.section.ID: {3, 3}, other.ID: {2, 2}}},
		{"two of each", svcportal.KBTreeFilter{Preview: 2}, map[int64][2]int{f.section.ID: {2, 3}, other.ID: {2, 2}}},
		{"a section", svcportal.KBTreeFilter{KBIndexFilter: svcportal.KBIndexFilter{SectionID: other.ID}}, map[int64][2]int{other.ID: {2, 2}}},
		{"a category", svcportal.KBTreeFilter{KBIndexFilter: svcportal.KBIndexFilter{CategoryID: other.CategoryID}, Preview: 1}, map[int64][2]int{other.ID: {1, 2}}},
		{"an article's category", svcportal.KBTreeFilter{KBIndexFilter: svcportal.KBIndexFilter{ArticleID: first[1]}}, map[int64][2]int{f.section.ID: {3, 3}}},
	} {
		if got := tree(tc.filter); !maps.Equal(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}

	// Read: second[1] twice, first[2] and second[0] once; second[0] was
	// found helpful.
	for _, id := range []int64{second[1], second[1], first[2], second[0]} {
		if err := st.CountKBView(f.ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.VoteKBArticle(f.ctx, second[0], f.reader.Contact.ID, true); err != nil {
		t.Fatal(err)
	}
	cats, popular, err := f.svc.Home(f.ctx, f.reader, "en", 4)
	if err != nil {
		t.Fatal(err)
	}
	// The home's categories: counts, no article listed.
	var counts []int
	for _, c := range cats {
		for _, s := range c.Sections {
			if len(s.Articles) != 0 {
				t.Errorf("home: section %d lists %d articles", s.ID, len(s.Articles))
			}
			counts = append(counts, s.Count)
		}
	}
	if !slices.Equal(counts, []int{3, 2}) {
		t.Errorf("home: section counts %v, want [3 2]", counts)
	}
	var got []int64
	for _, l := range popular {
		got = append(got, l.ID)
	}
	if want := []int64{second[1], second[0], first[2], first[0]}; !slices.Equal(got, want) {
		t.Errorf("popular: got %v, want %v", got, want)
	}
	if popular[0].Title != "Second B" || popular[0].Views != 2 || popular[1].Helpful != 1 {
		t.Errorf("popular links: %+v", popular[:2])
	}
}
