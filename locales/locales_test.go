package locales

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

func readCatalog(t *testing.T, file string) map[string]string {
	t.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var all map[string]any
	if err := toml.Unmarshal(raw, &all); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	m := map[string]string{}
	for id, v := range all {
		switch v := v.(type) {
		case string:
			m[id] = v
		case map[string]any:
			// A message with plural forms: each form says what "other" says.
			other, _ := v["other"].(string)
			if other == "" {
				t.Errorf("%s: %q has no plural form \"other\"", file, id)
			}
			for form, text := range v {
				text, ok := text.(string)
				if !ok || placeholders(text) != placeholders(other) {
					t.Errorf("%s: %q form %s: placeholders differ from \"other\"", file, id, form)
				}
			}
			m[id] = other
		default:
			t.Errorf("%s: %q is neither a text nor plural forms", file, id)
		}
	}
	return m
}

var placeholderRE = regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)

func placeholders(s string) string {
	var names []string
	for _, m := range placeholderRE.FindAllStringSubmatch(s, -1) {
		names = append(names, m[1])
	}
	sort.Strings(names)
	return fmtList(names)
}

func fmtList(s []string) string {
	out := ""
	for _, x := range s {
		out += x + ","
	}
	return out
}

// TestCatalogs_SameKeysAndPlaceholders fails when an area's catalog in some
// language lacks a message, has one too many, or drops a placeholder in
// translation, and when two areas define the same id.
func TestCatalogs_SameKeysAndPlaceholders(t *testing.T) {
	enFiles, _ := filepath.Glob("*.en.toml")
	if len(enFiles) == 0 {
		t.Fatal("no *.en.toml catalogs")
	}
	owner := map[string]string{}
	for _, enFile := range enFiles {
		area := strings.TrimSuffix(enFile, ".en.toml")
		en := readCatalog(t, enFile)
		for id := range en {
			if prev, dup := owner[id]; dup {
				t.Errorf("%q is defined by both %s and %s", id, prev, area)
			}
			owner[id] = area
		}
		for _, tag := range Tags[1:] {
			t.Run(area+"."+tag, func(t *testing.T) {
				other := readCatalog(t, area+"."+tag+".toml")
				for id, text := range en {
					tr, ok := other[id]
					if !ok {
						t.Errorf("missing %q", id)
						continue
					}
					if tr == "" {
						t.Errorf("%q is empty", id)
					}
					if placeholders(tr) != placeholders(text) {
						t.Errorf("%q: got placeholders %q, want %q", id, placeholders(tr), placeholders(text))
					}
				}
				for id := range other {
					if _, ok := en[id]; !ok {
						t.Errorf("%q is not in %s", id, enFile)
					}
				}
			})
		}
	}
}

func TestTranslator(t *testing.T) {
	if got := For("de").T("error.too_long", map[string]any{"Max": 140}); got != "Verwenden Sie höchstens 140 Zeichen." {
		t.Errorf("got %q", got)
	}
	if got := For("xx").Lang(); got != "en" {
		t.Errorf("unknown lang: got %q, want en", got)
	}
	if got := For("fr").T("no.such.id"); got != "no.such.id" {
		t.Errorf("missing id: got %q, want the id", got)
	}
	if !For("it").Has("home.heading") || For("it").Has("no.such.id") {
		t.Error("Has is wrong")
	}
}

func TestNegotiate(t *testing.T) {
	all := []string{"en", "fr", "de", "es", "it"}
	tests := []struct {
		header   string
		enabled  []string
		fallback string
		want     string
	}{
		{"fr-CA,fr;q=0.9,en;q=0.8", all, "en", "fr"},
		{"de-CH", all, "en", "de"},
		{"nl-NL,nl;q=0.9", all, "fr", "fr"},
		{"", all, "it", "it"},
		{"es;q=0.2,it;q=0.8", all, "en", "it"},
		{"es", []string{"en", "fr"}, "fr", "fr"},
		{"garbage;;;q=x", all, "de", "de"},
		{"en-GB", []string{"fr", "en"}, "fr", "en"},
		{"fr-CA;q=0.2,de-CH;q=0.8", all, "en", "de"},
		{"de-CH,en;q=0.5", []string{"en", "fr"}, "fr", "en"},
		{"it-CH", []string{"en", "it"}, "en", "it"},
		{"es-MX;q=0.9,*;q=0.1", all, "fr", "es"},
	}
	for _, tt := range tests {
		if got := Negotiate(tt.header, tt.enabled, tt.fallback); got != tt.want {
			t.Errorf("Negotiate(%q, %v, %q) = %q, want %q", tt.header, tt.enabled, tt.fallback, got, tt.want)
		}
	}
}
