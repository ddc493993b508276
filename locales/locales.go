// Package locales holds the message catalogs of the product in English,
// French, German, Spanish and Italian, and the go-i18n bundle built from
// them. Every word a person reads comes from here: pages, errors, emails.
package locales

import (
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"sync"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

//go:embed *.toml
var catalogs embed.FS

// Tags are the languages of the catalogs, English first: the same list,
// in the same order, as svcportal.Locales (a test ties the two, since
// this package imports nothing of ours).
var Tags = []string{"en", "fr", "de", "es", "it"}

var (
	bundle      = mustLoad()
	translators sync.Map // lang → *Translator
)

// Catalog files are named AREA.LANG.toml (core.en.toml, mail.fr.toml…):
// one file per area and language, so areas grow their words independently.
func mustLoad() *i18n.Bundle {
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	files, err := fs.Glob(catalogs, "*.toml")
	if err != nil || len(files) == 0 {
		panic("locales: no catalogs embedded")
	}
	for _, f := range files {
		if _, err := b.LoadMessageFileFS(catalogs, f); err != nil {
			panic(fmt.Sprintf("locales: load %s: %v", f, err))
		}
	}
	return b
}

// Translator renders messages in one language.
type Translator struct {
	lang string
	loc  *i18n.Localizer
	num  *message.Printer  // numbers as the language writes them
	over map[string]string // a tenant's wording: id → text (see Wordings)
}

// For returns the translator of lang; an unknown lang gets English.
func For(lang string) *Translator {
	if tr, ok := translators.Load(lang); ok {
		return tr.(*Translator)
	}
	known := false
	for _, t := range Tags {
		known = known || t == lang
	}
	if !known {
		return For("en")
	}
	tr, _ := translators.LoadOrStore(lang, &Translator{lang: lang, loc: i18n.NewLocalizer(bundle, lang, "en"),
		num: message.NewPrinter(language.Make(lang))})
	return tr.(*Translator)
}

// Lang is the translator's language tag.
func (t *Translator) Lang() string { return t.lang }

// T renders message id with optional template data (a map[string]any).
// A missing id is logged and shown as the id itself, so it is noticed
// rather than rendered blank.
//
// An integer Count in data is the message's plural count: a catalog may
// give the message plural forms ("one", "other"…) and the form for Count
// is used. Integers in data are written as the language writes numbers
// ("1,000", "1 000", "1.000"), except the identifiers in identifierData.
func (t *Translator) T(id string, data ...map[string]any) string {
	var d map[string]any
	if len(data) > 0 {
		d = data[0]
	}
	var count any
	if c, ok := d["Count"]; ok && isInteger(c) {
		count = c
	}
	return t.render(id, count, d)
}

// N renders a message with plural forms for count; Count is also set in
// the template data.
func (t *Translator) N(id string, count int, data map[string]any) string {
	td := map[string]any{"Count": count}
	for k, v := range data {
		td[k] = v
	}
	return t.render(id, count, td)
}

func (t *Translator) render(id string, count any, data map[string]any) string {
	data = t.numbers(data)
	if text, ok := t.over[id]; ok {
		return fill(text, data)
	}
	cfg := &i18n.LocalizeConfig{MessageID: id, PluralCount: count}
	if data != nil {
		cfg.TemplateData = data
	}
	s, err := t.loc.Localize(cfg)
	if err != nil && count != nil {
		// No form for this count (a message without plural forms, or one
		// without the "many" of large numbers): its "other" text is the one.
		cfg.PluralCount = nil
		s, err = t.loc.Localize(cfg)
	}
	if err != nil {
		slog.Error("missing translation", "lang", t.lang, "id", id, "err", err)
		return id
	}
	return s
}

// Number writes the integer n as the translator's language writes
// numbers: "1,234" in English, "1 234" in French, "1.234" in German,
// Spanish and Italian.
func (t *Translator) Number(n any) string { return t.num.Sprint(n) }

// identifierData are the placeholders whose integers are identifiers, not
// quantities: a ticket number stays #1042, never #1,042.
var identifierData = map[string]bool{"Number": true, "Code": true}

// numbers returns data with its integer quantities written as numbers of
// the translator's language; data itself is left as it is.
func (t *Translator) numbers(data map[string]any) map[string]any {
	var out map[string]any
	for k, v := range data {
		if identifierData[k] || !isInteger(v) {
			continue
		}
		if out == nil {
			out = make(map[string]any, len(data))
			for k2, v2 := range data {
				out[k2] = v2
			}
		}
		out[k] = t.num.Sprint(v)
	}
	if out == nil {
		return data
	}
	return out
}

func isInteger(v any) bool {
	switch v.(type) {
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return true
	}
	return false
}

// Has reports whether the catalog of the translator's language defines id.
func (t *Translator) Has(id string) bool {
	_, tag, err := t.loc.LocalizeWithTag(&i18n.LocalizeConfig{MessageID: id})
	return err == nil && tag.String() == t.lang
}

// Negotiate picks the language of a reader who has not chosen one: the best
// match of the Accept-Language header among enabled, else fallback.
func Negotiate(acceptLanguage string, enabled []string, fallback string) string {
	if len(enabled) == 0 {
		return fallback
	}
	wanted, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(wanted) == 0 {
		return fallback
	}
	supported := make([]language.Tag, len(enabled))
	for i, e := range enabled {
		supported[i] = language.Make(e)
	}
	_, idx, conf := language.NewMatcher(supported).Match(wanted...)
	if conf < language.High {
		return fallback
	}
	return enabled[idx]
}
