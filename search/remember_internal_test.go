package search

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/svcportal/svcportal"
)

// TestBleve_Remembers: a search typed again is answered from memory, as
// found the first time, whatever its caller does with the hits; each
// scope keeps its own; a change of the index forgets them all (the
// suite's Changes checks what is found after each kind of change).
func TestBleve_Remembers(t *testing.T) {
	idx, err := NewMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	ctx := context.Background()
	doc := func(tenant, id int64, title string) svcportal.ArticleDoc {
		return svcportal.ArticleDoc{TenantID: tenant, ArticleID: id, Published: true, Reach: svcportal.KBReach{All: true},
			Translations: map[string]svcportal.KBTranslation{"en": {Title: title}}}
	}
	if err := idx.Index(ctx, doc(1, 1, "Printer jams"), doc(2, 1, "Printer toner")); err != nil {
		t.Fatal(err)
	}
	q := svcportal.ArticleQuery{TenantID: 1, SiteIDs: []int64{5}, Lang: "en", Text: "prin", Limit: 8}
	first, err := idx.Search(ctx, q)
	if err != nil || len(first) != 1 || first[0].Title != "Printer jams" {
		t.Fatalf("first search: %v, %v", first, err)
	}
	first[0].Title = "changed by the caller"
	if len(idx.hits.m) != 1 {
		t.Fatalf("remembered %d searches, want 1", len(idx.hits.m))
	}
	again, err := idx.Search(ctx, q)
	if err != nil || len(again) != 1 || again[0].Title != "Printer jams" {
		t.Fatalf("search typed again: %v, %v", again, err)
	}
	other := q
	other.TenantID = 2
	if hits, err := idx.Search(ctx, other); err != nil || len(hits) != 1 || hits[0].Title != "Printer toner" {
		t.Fatalf("another tenant's search: %v, %v", hits, err)
	}
	if err := idx.Index(ctx, doc(1, 2, "Printer offline")); err != nil {
		t.Fatal(err)
	}
	if len(idx.hits.m) != 0 {
		t.Errorf("after a change: %d searches remembered, want none", len(idx.hits.m))
	}
	if hits, _ := idx.Search(ctx, q); len(hits) != 2 {
		t.Errorf("after a change: %v, want both printers", hits)
	}
}

// TestRemembered_Bounds: a search that began before a change of the
// index is not kept; what is kept stays within its bounds.
func TestRemembered_Bounds(t *testing.T) {
	var r remembered
	_, gen, _ := r.get("a")
	r.forget()
	r.put(gen, "a", []svcportal.ArticleHit{{ArticleID: 1}})
	if _, _, ok := r.get("a"); ok {
		t.Error("hits of a search begun before a change were kept")
	}
	_, gen, _ = r.get("a")
	r.put(gen, "big", []svcportal.ArticleHit{{Excerpt: string(make([]byte, rememberEntry))}})
	if _, _, ok := r.get("big"); ok {
		t.Error("an entry over the bound was kept")
	}
	hit := []svcportal.ArticleHit{{Title: "t", Excerpt: string(make([]byte, 4000))}}
	for i := range 5000 {
		r.put(gen, fmt.Sprint(i), hit)
		if r.size > rememberMax {
			t.Fatalf("after %d searches: %d bytes kept, bound %d", i+1, r.size, rememberMax)
		}
	}
	if hits, _, ok := r.get("4999"); !ok || !slices.Equal(hits, hit) {
		t.Error("the last search was not kept")
	}
}
