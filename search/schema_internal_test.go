package search

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/blevesearch/bleve/v2"

	"github.com/svcportal/svcportal"
)

// TestOpen_EarlierSchema: an index written by an earlier version (without
// this schema's fields, or its mark) is built anew when opened: Open
// reports it created, empty, for the caller to fill from the database,
// instead of serving searches that find nothing.
func TestOpen_EarlierSchema(t *testing.T) {
	t.Run("version 1, no mark", func(t *testing.T) { testEarlierSchema(t, nil) })
	// Schema 2's "serves" held tenant and language, without the site.
	t.Run("schema 2", func(t *testing.T) { testEarlierSchema(t, []byte("2")) })
}

func testEarlierSchema(t *testing.T, mark []byte) {
	dir := filepath.Join(t.TempDir(), "kb.bleve")
	m, err := newMapping()
	if err != nil {
		t.Fatal(err)
	}
	old, err := bleve.New(dir, m)
	if err != nil {
		t.Fatal(err)
	}
	if err := old.Index("1:7:fr", map[string]any{"tenant": "1", "serves": "1/fr", "title_plain": "imprimante"}); err != nil {
		t.Fatal(err)
	}
	if mark != nil {
		if err := old.SetInternal(schemaKey, mark); err != nil {
			t.Fatal(err)
		}
	}
	old.Close()

	idx, created, err := Open(dir)
	if err != nil || !created {
		t.Fatalf("open of an earlier schema: created %v, %v; want it built anew", created, err)
	}
	if n, err := idx.idx.DocCount(); err != nil || n != 0 {
		t.Fatalf("the new index holds %d documents (%v), want none", n, err)
	}
	doc := svcportal.ArticleDoc{TenantID: 1, ArticleID: 7, Published: true, Reach: svcportal.KBReach{All: true},
		Translations: map[string]svcportal.KBTranslation{"fr": {Title: "Imprimante bloquée"}}}
	if err := idx.Index(context.Background(), doc); err != nil {
		t.Fatal(err)
	}
	idx.Close()
	idx, created, err = Open(dir)
	if err != nil || created {
		t.Fatalf("second open: created %v, %v; want the index kept", created, err)
	}
	defer idx.Close()
	hits, err := idx.Search(context.Background(), svcportal.ArticleQuery{TenantID: 1, SiteIDs: []int64{1}, Lang: "fr", Text: "imprimante"})
	if err != nil || len(hits) != 1 {
		t.Fatalf("search after the rebuild: %+v, %v", hits, err)
	}
}
