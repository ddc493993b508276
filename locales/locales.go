// Package locales holds the message catalogs of the product in English,
// French, German, Spanish and Italian, the go-i18n bundle built from them
// (which checks them and gives the plural rules) and the translators that
// render them (message.go). Every word a person reads comes from here:
// pages, errors, emails.
package locales

import (
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"reflect"
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
	for _, lang := range Tags {
		if err := b.AddMessages(language.Make(lang), &formProbe); err != nil {
			panic(err)
		}
	}
	return b
}

// formProbe is a message whose every plural form is its name: rendered
// for a count, it is the form that count takes in a language, by the
// rules of go-i18n.
var formProbe = i18n.Message{ID: "locales.plural_form", Zero: "zero", One: "one", Two: "two", Few: "few", Many: "many", Other: "other"}

// smallCounts is how many counts, from 0, each translator knows the
// plural form of without asking go-i18n.
const smallCounts = 1000

// Translator renders messages in one language.
type Translator struct {
	lang string
	loc  *i18n.Localizer
	num  *message.Printer // numbers as the language writes them
	// The plural form of each count under smallCounts, and how the
	// language writes it: asked of go-i18n and x/text once.
	forms, numerals []string
	over            map[string]pattern // a tenant's wording: id → text (see Wordings)
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
	t := &Translator{lang: lang, loc: i18n.NewLocalizer(bundle, lang), num: message.NewPrinter(language.Make(lang))}
	t.forms, t.numerals = make([]string, smallCounts), make([]string, smallCounts)
	for n := range smallCounts {
		t.forms[n], t.numerals[n] = t.askForm(n), t.num.Sprint(n)
	}
	tr, _ := translators.LoadOrStore(lang, t)
	return tr.(*Translator)
}

// pluralForm is the plural form count (an integer) takes in the
// translator's language.
func (t *Translator) pluralForm(count any) string {
	if n, ok := small(count); ok {
		return t.forms[n]
	}
	return t.askForm(count)
}

// small is v as an index of a translator's counts, if it is an integer
// under smallCounts.
func small(v any) (int, bool) {
	switch n := reflect.ValueOf(v); {
	case n.CanInt() && n.Int() >= 0 && n.Int() < smallCounts:
		return int(n.Int()), true
	case n.CanUint() && n.Uint() < smallCounts:
		return int(n.Uint()), true
	}
	return 0, false
}

// askForm asks go-i18n the plural form of count.
func (t *Translator) askForm(count any) string {
	form, err := t.loc.Localize(&i18n.LocalizeConfig{MessageID: formProbe.ID, PluralCount: count})
	if err != nil {
		return "other"
	}
	return form
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
	return t.render(id, count, t.numbers(d))
}

// N renders a message with plural forms for count; Count is also set in
// the template data.
func (t *Translator) N(id string, count int, data map[string]any) string {
	td := make(map[string]any, len(data)+1)
	td["Count"] = count
	for k, v := range data {
		td[k] = v
	}
	return t.render(id, count, t.writeNumbers(td))
}

// render writes message id for count (nil: none) with data, its numbers
// written already.
func (t *Translator) render(id string, count any, data map[string]any) string {
	if p, ok := t.over[id]; ok {
		return p.fill(data)
	}
	msg, ok := catalog[t.lang][id]
	if !ok {
		slog.Error("missing translation", "lang", t.lang, "id", id)
		return id
	}
	form := "other"
	if count != nil {
		form = t.pluralForm(count)
	}
	p, ok := msg[form]
	if !ok {
		// No form for this count (a message without plural forms, or one
		// without the "many" of large numbers): its "other" text is the one.
		p = msg["other"]
	}
	return p.fill(data)
}

// Number writes the integer n as the translator's language writes
// numbers: "1,234" in English, "1 234" in French, "1.234" in German,
// Spanish and Italian.
func (t *Translator) Number(n any) string {
	if i, ok := small(n); ok {
		return t.numerals[i]
	}
	return t.num.Sprint(n)
}

// identifierData are the placeholders whose integers are identifiers, not
// quantities: a ticket number stays #1042, never #1,042.
var identifierData = map[string]bool{"Number": true, "Code": true}

// numbers returns data with its integer quantities written as numbers of
// the translator's language; data itself is left as it is.
func (t *Translator) numbers(data map[string]any) map[string]any {
	for k, v := range data {
		if isQuantity(k, v) {
			return t.writeNumbers(maps.Clone(data))
		}
	}
	return data
}

// writeNumbers writes data's integer quantities as numbers of the
// translator's language, in place.
func (t *Translator) writeNumbers(data map[string]any) map[string]any {
	for k, v := range data {
		if isQuantity(k, v) {
			data[k] = t.Number(v)
		}
	}
	return data
}

// isQuantity reports whether the value v of placeholder k is a number to
// write in the reader's way: an integer, not an identifier.
func isQuantity(k string, v any) bool {
	return !identifierData[k] && isInteger(v)
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
	_, ok := catalog[t.lang][id]
	return ok
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
