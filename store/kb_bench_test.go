package store_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/testkit"
)

// BenchmarkKBReadableTitles, in a tenant of 2,000 articles in two
// languages, each for two of 50 sites, with bodies of 5 kB
// (docs/benchmarks.md): "hits" checks a knowledge-base search's hits (13,
// as for an autocomplete of 8) against the database, what one keystroke
// costs the store; "tree" lists a reader's articles, as the help center's
// home and the knowledge base's pages do.
func BenchmarkKBReadableTitles(b *testing.B) {
	st := testkit.Store(b)
	ctx, _ := testkit.Tenant(b, st, "acme")
	var sites []*svcportal.Site
	for i := range 50 {
		sites = append(sites, testkit.Site(ctx, b, st, fmt.Sprint("Site ", i)))
	}
	cat := testkit.KBCategory(ctx, b, st, "Help")
	sec := testkit.KBSection(ctx, b, st, cat, "Printing")
	body := strings.Repeat("Open the tray and take the paper out. ", 130)
	var ids []int64
	for i := range 2000 {
		a := &svcportal.KBArticle{SectionID: sec.ID, State: svcportal.KBPublished,
			SiteIDs: []int64{sites[i%50].ID, sites[(i+1)%50].ID},
			Translations: map[string]svcportal.KBTranslation{
				"en": {Title: fmt.Sprint("Printer ", i), Body: body},
				"fr": {Title: fmt.Sprint("Imprimante ", i), Body: body},
			}}
		if err := st.CreateKBArticle(ctx, a); err != nil {
			b.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	hits := ids[1000:1013]
	scope := svcportal.KBScope{SiteIDs: []int64{sites[0].ID}}
	b.Run("hits", func(b *testing.B) {
		for b.Loop() {
			if _, err := st.KBReadableTitles(ctx, hits, scope); err != nil {
				b.Fatal(err)
			}
		}
	})
	// The tree of the knowledge base's pages: the reader's 80 articles
	// among the 2,000, then their titles.
	b.Run("tree", func(b *testing.B) {
		for b.Loop() {
			as, err := st.KBReadableIndex(ctx, scope, svcportal.KBIndexFilter{})
			if err != nil || len(as) != 80 {
				b.Fatalf("%d articles, %v", len(as), err)
			}
			ids := make([]int64, len(as))
			for i, a := range as {
				ids[i] = a.ID
			}
			if _, err := st.KBReadableTitles(ctx, ids, scope); err != nil {
				b.Fatal(err)
			}
		}
	})
}
