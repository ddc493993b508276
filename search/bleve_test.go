package search_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/search"
	"github.com/svcportal/svcportal/search/searchtest"
)

func TestBleve_Suite(t *testing.T) {
	searchtest.Run(t, func(t *testing.T) svcportal.ArticleIndex {
		idx, err := search.NewMemory()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { idx.Close() })
		return idx
	})
}

func TestBleve_OnDisk(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "kb.bleve")
	idx, created, err := search.Open(dir)
	if err != nil || !created {
		t.Fatalf("first open: created %v, %v", created, err)
	}
	doc := svcportal.ArticleDoc{TenantID: 1, ArticleID: 7, Published: true, Reach: svcportal.KBReach{All: true},
		Translations: map[string]svcportal.KBTranslation{"fr": {Title: "Réinitialiser le mot de passe"}}}
	if err := idx.Index(context.Background(), doc); err != nil {
		t.Fatal(err)
	}
	if err := idx.Close(); err != nil {
		t.Fatal(err)
	}
	idx, created, err = search.Open(dir)
	if err != nil || created {
		t.Fatalf("second open: created %v, %v", created, err)
	}
	defer idx.Close()
	hits, err := idx.Search(context.Background(), svcportal.ArticleQuery{TenantID: 1, SiteIDs: []int64{1}, Lang: "fr", Text: "reinitialiser"})
	if err != nil || len(hits) != 1 || hits[0].ArticleID != 7 {
		t.Errorf("after reopening: got %+v %v, want article 7", hits, err)
	}
}

func TestPlainText_Markdown(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"# Title\n\nOpen **Settings** > *Account*.", "Title Open Settings Account."},
		{"See [the guide](https://example.com/x) and `code`.", "See the guide and code."},
		{"Choose **Forgot password**, then ~~wait~~ type.", "Choose Forgot password, then wait type."},
	} {
		if got := search.PlainText(c.in); got != c.want {
			t.Errorf("PlainText(%q): got %q, want %q", c.in, got, c.want)
		}
	}
}

func TestFold_Accents(t *testing.T) {
	for in, want := range map[string]string{"Réinitialiser": "reinitialiser", "Straße": "strasse", "Perché": "perche", "Contraseña": "contrasena", "Œuvre": "oeuvre"} {
		if got := search.Fold(in); got != want {
			t.Errorf("Fold(%q): got %q, want %q", in, got, want)
		}
	}
}

// words make up the generated articles of the benchmark.
var words = []string{"password", "printer", "network", "mailbox", "backup", "laptop", "monitor", "license",
	"install", "configure", "reset", "update", "security", "account", "server", "storage", "wireless", "firewall",
	"calendar", "meeting", "invoice", "contract", "antivirus", "keyboard", "scanner", "telephone", "voicemail", "database"}

// BenchmarkAutocomplete measures one keystroke's query (prefix, fuzzy and
// stem matching with the full scope) over 10,000 articles of one tenant,
// each in English and French.
func BenchmarkAutocomplete(b *testing.B) {
	idx, err := search.NewMemory()
	if err != nil {
		b.Fatal(err)
	}
	defer idx.Close()
	const n = 10_000
	var docs []svcportal.ArticleDoc
	for i := range n {
		w := func(k int) string { return words[(i*7+k*13)%len(words)] }
		title := fmt.Sprintf("%s %s %s guide %d", w(0), w(1), w(2), i)
		body := fmt.Sprintf("How to %s the %s and %s. Steps for the %s, the %s and the %s.", w(3), w(4), w(5), w(6), w(7), w(8))
		reach := svcportal.KBReach{All: true}
		if i%10 == 0 {
			reach = svcportal.KBReach{SiteIDs: []int64{int64(i % 50)}}
		}
		docs = append(docs, svcportal.ArticleDoc{TenantID: 1, ArticleID: int64(i + 1), Published: true, Reach: reach,
			Votes: svcportal.KBVotes{Helpful: i % 7},
			Translations: map[string]svcportal.KBTranslation{
				"en": {Title: title, Body: body},
				"fr": {Title: "Guide " + title, Body: "Comment configurer : " + body},
			}})
		if len(docs) == 1000 {
			if err := idx.Index(context.Background(), docs...); err != nil {
				b.Fatal(err)
			}
			docs = docs[:0]
		}
	}
	queries := []string{"pas", "passw", "printr", "reset pass", "configure netw", "mailbox quota", "firewal"}
	ctx := context.Background()
	query := func(i int) svcportal.ArticleQuery {
		return svcportal.ArticleQuery{TenantID: 1, SiteIDs: []int64{3, 7}, Lang: "fr", Fallback: "en", Text: queries[i%len(queries)], Limit: 8}
	}
	// Each search as if typed for the first time: what the index does.
	b.Run("anew", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if _, err := idx.SearchAnew(ctx, query(i)); err != nil {
				b.Fatal(err)
			}
		}
	})
	// The same searches typed again, answered from memory.
	b.Run("again", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if _, err := idx.Search(ctx, query(i)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
