package locales_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/locales"
)

// TestTags_AreTheProductLocales ties the two lists of languages together:
// locales may import nothing of ours, so it keeps its own, and the
// domain's svcportal.Locales must say the same, in the same order. Every
// language has a catalog file of every area, and there are no others.
func TestTags_AreTheProductLocales(t *testing.T) {
	if !slices.Equal(locales.Tags, svcportal.Locales) {
		t.Fatalf("locales.Tags %v, svcportal.Locales %v: want the same list", locales.Tags, svcportal.Locales)
	}
	files, err := filepath.Glob("*.toml")
	if err != nil {
		t.Fatal(err)
	}
	areas, langs := map[string]bool{}, map[string]int{}
	for _, f := range files {
		parts := strings.Split(f, ".") // AREA.LANG.toml
		if len(parts) != 3 {
			t.Errorf("%s: want AREA.LANG.toml", f)
			continue
		}
		areas[parts[0]] = true
		langs[parts[1]]++
	}
	for lang, n := range langs {
		if !slices.Contains(locales.Tags, lang) {
			t.Errorf("catalogs in %q, which is not a product language", lang)
		} else if n != len(areas) {
			t.Errorf("%s: %d catalog files, want one per area (%d)", lang, n, len(areas))
		}
	}
	for _, lang := range locales.Tags {
		if langs[lang] == 0 {
			t.Errorf("%s: no catalog", lang)
		}
	}
}
