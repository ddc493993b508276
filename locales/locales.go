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
	tr, _ := translators.LoadOrStore(lang, &Translator{lang: lang, loc: i18n.NewLocalizer(bundle, lang, "en")})
	return tr.(*Translator)
}

// Lang is the translator's language tag.
func (t *Translator) Lang() string { return t.lang }

// T renders message id with optional template data (a map[string]any).
// A missing id is logged and shown as the id itself, so it is noticed
// rather than rendered blank.
func (t *Translator) T(id string, data ...map[string]any) string {
	if text, ok := t.over[id]; ok {
		var d map[string]any
		if len(data) > 0 {
			d = data[0]
		}
		return fill(text, d)
	}
	cfg := &i18n.LocalizeConfig{MessageID: id}
	if len(data) > 0 && data[0] != nil {
		cfg.TemplateData = data[0]
	}
	s, err := t.loc.Localize(cfg)
	if err != nil {
		slog.Error("missing translation", "lang", t.lang, "id", id, "err", err)
		return id
	}
	return s
}

// N renders a message with plural forms for count; Count is also set in
// the template data.
func (t *Translator) N(id string, count int, data map[string]any) string {
	td := map[string]any{"Count": count}
	for k, v := range data {
		td[k] = v
	}
	if text, ok := t.over[id]; ok {
		return fill(text, td)
	}
	s, err := t.loc.Localize(&i18n.LocalizeConfig{MessageID: id, PluralCount: count, TemplateData: td})
	if err != nil {
		slog.Error("missing translation", "lang", t.lang, "id", id, "err", err)
		return id
	}
	return s
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
