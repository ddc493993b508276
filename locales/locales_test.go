package locales

import (
	"os"
	"regexp"
	"sort"
	"testing"

	"github.com/BurntSushi/toml"
)

func readCatalog(t *testing.T, tag string) map[string]string {
	t.Helper()
	raw, err := os.ReadFile(tag + ".toml")
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	if err := toml.Unmarshal(raw, &m); err != nil {
		t.Fatalf("%s.toml: %v", tag, err)
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

// TestCatalogs_SameKeysAndPlaceholders fails when a language lacks a
// message, has one too many, or drops a placeholder in translation.
func TestCatalogs_SameKeysAndPlaceholders(t *testing.T) {
	en := readCatalog(t, "en")
	for _, tag := range Tags[1:] {
		t.Run(tag, func(t *testing.T) {
			other := readCatalog(t, tag)
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
					t.Errorf("%q is not in en.toml", id)
				}
			}
		})
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
	}
	for _, tt := range tests {
		if got := Negotiate(tt.header, tt.enabled, tt.fallback); got != tt.want {
			t.Errorf("Negotiate(%q, %v, %q) = %q, want %q", tt.header, tt.enabled, tt.fallback, got, tt.want)
		}
	}
}
