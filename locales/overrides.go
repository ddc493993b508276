package locales

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"sort"
	"sync"
)

// A tenant may override any message of the catalogs per language (its
// "wording"): the override replaces the catalog's text wherever the
// message is shown, in pages and emails alike, because both take their
// translator from Wordings.

// IDs lists every message id of the catalogs, sorted.
func IDs() []string {
	ids := make([]string, 0, len(texts["en"]))
	for id := range texts["en"] {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Text is the catalog's text of id in lang ("" and false when there is none).
func Text(lang, id string) (string, bool) {
	s, ok := texts[lang][id]
	return s, ok
}

// placeholderPattern is a placeholder as the catalogs write them: {{.Name}}.
var placeholderPattern = regexp.MustCompile(`\{\{\s*\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}`)

// Placeholders lists the distinct placeholders of text, sorted:
// "Hello {{.Name}}" → [Name].
func Placeholders(text string) []string {
	var names []string
	for _, m := range placeholderPattern.FindAllStringSubmatch(text, -1) {
		names = append(names, m[1])
	}
	sort.Strings(names)
	return slices.Compact(names)
}

// ErrUnknownMessage is CheckOverride's answer for an id no catalog has.
var ErrUnknownMessage = errors.New("locales: unknown message id")

// PlaceholderError is CheckOverride's answer for an override whose
// placeholders differ from the catalog's, or that holds any other
// template action; Want lists the catalog's.
type PlaceholderError struct{ Want []string }

func (e *PlaceholderError) Error() string {
	return fmt.Sprintf("locales: the override must have the placeholders %v and no other {{ }}", e.Want)
}

// CheckOverride says whether text may replace message id in lang: the id
// exists, and text has exactly the catalog's placeholders ({{.Name}}) and
// no other template action — an override is words, never code.
func CheckOverride(lang, id, text string) error {
	_, err := override(lang, id, text)
	return err
}

// override is text as the pattern that replaces message id in lang, when
// CheckOverride allows it.
func override(lang, id, text string) (pattern, error) {
	source, ok := Text(lang, id)
	if !ok {
		return pattern{}, ErrUnknownMessage
	}
	want := Placeholders(source)
	p, err := parsePattern(text) // refuses any other template action
	if err != nil || !slices.Equal(slices.Compact(slices.Sorted(slices.Values(p.names))), want) {
		return pattern{}, &PlaceholderError{Want: want}
	}
	return p, nil
}

// withOverrides is a copy of t whose messages in over replace the catalog's.
func (t *Translator) withOverrides(over map[string]pattern) *Translator {
	c := *t
	c.over = over
	return &c
}

// OverrideLoader reads one tenant's overrides: lang → id → text.
type OverrideLoader func(ctx context.Context, tenantID int64) (map[string]map[string]string, error)

// Wordings hands out translators with a tenant's overrides. It keeps each
// tenant's overrides until the tenant's messages version moves: every
// request reads that version with its tenant, so an override saved on one
// instance wins on every instance from the next request on.
type Wordings struct {
	load    OverrideLoader
	mu      sync.Mutex
	tenants map[int64]*tenantWording
}

type tenantWording struct {
	version int64
	byLang  map[string]*Translator
}

// NewWordings returns a cache that reads overrides with load.
func NewWordings(load OverrideLoader) *Wordings {
	return &Wordings{load: load, tenants: map[int64]*tenantWording{}}
}

// Translator is lang's translator for the tenant at its messages version
// (0: the tenant never had an override, so the catalogs serve it without
// a query). A nil Wordings, or overrides that cannot be read, give the
// catalogs' translator; the failure is logged.
func (w *Wordings) Translator(ctx context.Context, tenantID, version int64, lang string) *Translator {
	base := For(lang)
	if w == nil || version == 0 {
		return base
	}
	w.mu.Lock()
	tw := w.tenants[tenantID]
	w.mu.Unlock()
	if tw == nil || tw.version < version {
		over, err := w.load(ctx, tenantID)
		if err != nil {
			slog.ErrorContext(ctx, "load wording overrides", "tenant_id", tenantID, "err", err)
			return base
		}
		tw = &tenantWording{version: version, byLang: map[string]*Translator{}}
		for l, byID := range over {
			valid := map[string]pattern{}
			for id, text := range byID {
				// A catalog of a newer release may have changed the
				// message's placeholders since the override was saved.
				if p, err := override(l, id, text); err == nil {
					valid[id] = p
				}
			}
			if len(valid) > 0 && slices.Contains(Tags, l) {
				tw.byLang[l] = For(l).withOverrides(valid)
			}
		}
		w.mu.Lock()
		if cur := w.tenants[tenantID]; cur == nil || cur.version < version {
			w.tenants[tenantID] = tw
		}
		w.mu.Unlock()
	}
	if tr, ok := tw.byLang[base.lang]; ok {
		return tr
	}
	return base
}
