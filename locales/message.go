package locales

import (
	"fmt"
	"io/fs"
	"strings"

	"github.com/BurntSushi/toml"
)

// The catalogs are read twice at start: by go-i18n, whose bundle checks
// them and owns the plural rules, and here, into patterns that pages
// render. Rendering through go-i18n matched the reader's language
// against the bundle's and ran a text/template for every message with
// data: 0.8 µs for "Powered by {{.Name}}", 1.5 µs for "5 minutes ago",
// a tenth of a ticket list page's time (docs/benchmarks.md). A catalog
// text holds words and placeholders ({{.Name}}) only, so a pattern is
// filled by concatenation.

// pluralForms are the plural forms a catalog message may give, as go-i18n
// names them.
var pluralForms = []string{"zero", "one", "two", "few", "many", "other"}

// catalogMessage is a catalog message: a pattern per plural form it gives, or
// "other" alone for a message without forms.
type catalogMessage map[string]pattern

// pattern is a text cut at its placeholders: lits[0], the value of
// names[0], lits[1], … lits[len(names)].
type pattern struct {
	lits  []string
	names []string
}

// parsePattern cuts text at its placeholders; any other template action
// is refused (the catalogs and the overrides hold words, never code).
func parsePattern(text string) (pattern, error) {
	var p pattern
	rest := text
	for {
		loc := placeholderPattern.FindStringSubmatchIndex(rest)
		if loc == nil {
			break
		}
		p.lits = append(p.lits, rest[:loc[0]])
		p.names = append(p.names, rest[loc[2]:loc[3]])
		rest = rest[loc[1]:]
	}
	for _, lit := range append(p.lits, rest) {
		if strings.Contains(lit, "{{") || strings.Contains(lit, "}}") {
			return pattern{}, fmt.Errorf("%q: a template action other than a placeholder", text)
		}
	}
	p.lits = append(p.lits, rest)
	return p, nil
}

// fill puts data into the pattern's placeholders; one without data shows
// as "<no value>", as text/template (and so go-i18n) shows it, so that a
// mail refuses it (mail/render.go).
func (p pattern) fill(data map[string]any) string {
	if len(p.names) == 0 {
		return p.lits[0]
	}
	var b strings.Builder
	for i, name := range p.names {
		b.WriteString(p.lits[i])
		switch v := data[name].(type) {
		case nil: // no such key
			b.WriteString("<no value>")
		case string:
			b.WriteString(v)
		default:
			fmt.Fprint(&b, v)
		}
	}
	b.WriteString(p.lits[len(p.names)])
	return b.String()
}

// catalog is every message of the catalogs per language: lang → id →
// message; texts holds those without plural forms as they are written
// (a tenant may override them: see overrides.go).
var catalog, texts = mustReadCatalogs()

func mustReadCatalogs() (map[string]map[string]catalogMessage, map[string]map[string]string) {
	messages, plain := map[string]map[string]catalogMessage{}, map[string]map[string]string{}
	for _, lang := range Tags {
		messages[lang], plain[lang] = map[string]catalogMessage{}, map[string]string{}
		files, _ := fs.Glob(catalogs, "*."+lang+".toml")
		for _, f := range files {
			raw, err := fs.ReadFile(catalogs, f)
			if err != nil {
				panic(err)
			}
			m := map[string]any{}
			if err := toml.Unmarshal(raw, &m); err != nil {
				panic(fmt.Sprintf("locales: read %s: %v", f, err))
			}
			for id, v := range m {
				forms := map[string]string{}
				switch v := v.(type) {
				case string:
					forms["other"] = v
					plain[lang][id] = v
				case map[string]any:
					for _, form := range pluralForms {
						if s, ok := v[form].(string); ok {
							forms[form] = s
						}
					}
				}
				msg := catalogMessage{}
				for form, s := range forms {
					p, err := parsePattern(s)
					if err != nil {
						panic(fmt.Sprintf("locales: %s in %s: %v", id, f, err))
					}
					msg[form] = p
				}
				messages[lang][id] = msg
			}
		}
	}
	return messages, plain
}
