// Package search holds the full-text index of knowledge-base articles
// behind svcportal.ArticleIndex.
//
// The default backend is embedded: bleve (github.com/blevesearch/bleve/v2),
// pure Go, in memory for tests and on disk under the data dir in
// production. Bleve rather than an index of our own because it already has
// what the five languages need and is tedious to get right: Unicode word
// segmentation, stop words, elision of French and Italian articles
// (l'imprimante), light stemmers for French, German, Spanish and Italian
// and Snowball for English, Levenshtein automata for typo tolerance over a
// finite-state term dictionary, prefix queries, and a segment store that
// is safe for concurrent readers and writers. What it lacks, accent
// folding after stop-word removal and before stemming, is one token filter
// here (fold).
//
// Each translation of an article is one document. Its text goes into
// fields analysed for its language (title_fr, body_fr…: stems, for
// matching inflections) and into language-independent folded fields
// (title_plain, text_plain: whole words, for typo and prefix matching). The
// scope of a query (tenant, site reach, published, language with fallback)
// is a conjunction of keyword terms inside the same bleve query, so a hit
// outside it cannot come back even by a bug in the caller's filtering.
//
// The other backend is a Typesense server (typesense.go), fed text
// analysed by the same analyzers and scoped by filter_by. Both pass the
// suite in searchtest.
package search

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	regexpchar "github.com/blevesearch/bleve/v2/analysis/char/regexp"
	"github.com/blevesearch/bleve/v2/analysis/lang/de"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/lang/es"
	"github.com/blevesearch/bleve/v2/analysis/lang/fr"
	"github.com/blevesearch/bleve/v2/analysis/lang/it"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	unicodetok "github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"
	"github.com/blevesearch/bleve/v2/search/query"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/svcportal/svcportal"
)

// foldName is the token filter that strips accents (é → e, ü → u) and
// expands ligatures (ß → ss, œ → oe).
const foldName = "svcportal_fold"

func init() {
	err := registry.RegisterTokenFilter(foldName, func(map[string]any, *registry.Cache) (analysis.TokenFilter, error) {
		return foldFilter{}, nil
	})
	if err != nil {
		panic(err)
	}
}

type foldFilter struct{}

var ligatures = strings.NewReplacer("ß", "ss", "æ", "ae", "œ", "oe", "ø", "o", "ł", "l", "đ", "d")

// Fold lower-cases s and removes its accents, as the index does.
func Fold(s string) string {
	ascii := true
	for i := 0; i < len(s) && ascii; i++ {
		ascii = s[i] < utf8.RuneSelf
	}
	if ascii {
		return strings.ToLower(s)
	}
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, ligatures.Replace(strings.ToLower(s)))
	if err != nil {
		return strings.ToLower(s)
	}
	return out
}

func (foldFilter) Filter(in analysis.TokenStream) analysis.TokenStream {
	for _, tok := range in {
		if utf8.Valid(tok.Term) {
			tok.Term = []byte(Fold(string(tok.Term)))
		}
	}
	return in
}

// Analyzer names of the mapping.
const (
	plainAnalyzer = "svc_plain"
	apostrophe    = "svc_apostrophe"
)

func langAnalyzer(l string) string { return "svc_" + l }

// langFilters are the token filters of each language, in order: stop
// words are removed while they still have their accents, then text is
// folded, then stemmed, so that "réinitialiser" and "reinitialiser" give
// the same stem.
var langFilters = map[string][]string{
	"en": {lowercase.Name, en.PossessiveName, en.StopName, foldName, en.SnowballStemmerName},
	"fr": {lowercase.Name, fr.ElisionName, fr.StopName, foldName, fr.LightStemmerName},
	"de": {lowercase.Name, de.StopName, foldName, de.LightStemmerName},
	"es": {lowercase.Name, es.StopName, foldName, es.LightStemmerName},
	"it": {lowercase.Name, it.ElisionName, it.StopName, foldName, it.LightStemmerName},
}

func newMapping() (mapping.IndexMapping, error) {
	m := bleve.NewIndexMapping()
	err := m.AddCustomCharFilter(apostrophe, map[string]any{"type": regexpchar.Name, "regexp": `['’]`, "replace": " "})
	if err != nil {
		return nil, err
	}
	err = m.AddCustomAnalyzer(plainAnalyzer, map[string]any{"type": custom.Name, "char_filters": []string{apostrophe},
		"tokenizer": unicodetok.Name, "token_filters": []string{lowercase.Name, foldName}})
	if err != nil {
		return nil, err
	}
	for _, l := range svcportal.Locales {
		err := m.AddCustomAnalyzer(langAnalyzer(l), map[string]any{"type": custom.Name,
			"tokenizer": unicodetok.Name, "token_filters": langFilters[l]})
		if err != nil {
			return nil, err
		}
	}
	doc := bleve.NewDocumentStaticMapping()
	kw := func(name string) {
		f := bleve.NewTextFieldMapping()
		f.Analyzer, f.Store, f.IncludeTermVectors, f.IncludeInAll = keyword.Name, false, false, false
		doc.AddFieldMappingsAt(name, f)
	}
	for _, name := range []string{"tenant", "serves"} {
		kw(name)
	}
	num := func(name string, store bool) {
		f := bleve.NewNumericFieldMapping()
		f.Store, f.IncludeInAll = store, false
		doc.AddFieldMappingsAt(name, f)
	}
	num("article_id", true)
	num("helpful", true)
	stored := func(name string) {
		f := bleve.NewTextFieldMapping()
		f.Index, f.Store, f.IncludeInAll, f.DocValues = false, true, false, false
		doc.AddFieldMappingsAt(name, f)
	}
	stored("title")
	stored("excerpt")
	stored("locale")
	text := func(name, analyzer string) {
		f := bleve.NewTextFieldMapping()
		f.Analyzer, f.Store, f.IncludeTermVectors, f.IncludeInAll, f.DocValues = analyzer, false, false, false, false
		doc.AddFieldMappingsAt(name, f)
	}
	for _, l := range svcportal.Locales {
		for _, f := range []string{"title_", "keywords_", "body_"} {
			text(f+l, langAnalyzer(l))
		}
	}
	text("title_plain", plainAnalyzer)
	text("text_plain", plainAnalyzer)
	m.DefaultMapping = doc
	m.DefaultAnalyzer = plainAnalyzer
	return m, nil
}

// Bleve is the embedded article index.
type Bleve struct {
	idx  bleve.Index
	hits remembered
}

var _ svcportal.ArticleIndex = (*Bleve)(nil)

// NewMemory returns an empty index held in memory (tests, or a process
// that rebuilds its index at start).
func NewMemory() (*Bleve, error) {
	m, err := newMapping()
	if err != nil {
		return nil, err
	}
	// scorch without a path keeps its segments in memory: much faster to
	// query than bleve's NewMemOnly (upsidedown on a treap).
	idx, err := bleve.NewUsing("", m, scorch.Name, scorch.Name, nil)
	if err != nil {
		return nil, err
	}
	return &Bleve{idx: idx}, nil
}

// schema names what an index holds and how: an index of another schema
// (an earlier version's) is built anew when opened. 2: "serves" holds
// tenant and languages in one term (scopeQueries); 3: and the site.
var schema = []byte("3")

// schemaKey is where an index keeps its schema.
var schemaKey = []byte("svcportal.schema")

// Open opens the index in dir, creating it when there is none, or when
// it holds an earlier schema; created tells the caller to fill it from
// the database.
func Open(dir string) (b *Bleve, created bool, err error) {
	// A second process (portal reindex while serving) waits this long
	// for the lock, then says so, instead of hanging.
	idx, err := bleve.OpenUsing(dir, map[string]any{"bolt_timeout": "3s"})
	if err == nil {
		held, err := idx.GetInternal(schemaKey)
		if err == nil && bytes.Equal(held, schema) {
			return &Bleve{idx: idx}, false, nil
		}
		idx.Close()
		if err != nil {
			return nil, false, fmt.Errorf("open search index %s: %w", dir, err)
		}
		if err := os.RemoveAll(dir); err != nil {
			return nil, false, fmt.Errorf("remove search index %s of an earlier version: %w", dir, err)
		}
	} else if !errors.Is(err, bleve.ErrorIndexPathDoesNotExist) {
		return nil, false, fmt.Errorf("open search index %s: %w", dir, err)
	}
	m, err := newMapping()
	if err != nil {
		return nil, false, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, false, err
	}
	os.Remove(dir) // bleve wants to create the folder itself
	idx, err = bleve.New(dir, m)
	if err != nil {
		return nil, false, fmt.Errorf("create search index %s: %w", dir, err)
	}
	if err := idx.SetInternal(schemaKey, schema); err != nil {
		idx.Close()
		return nil, false, fmt.Errorf("create search index %s: %w", dir, err)
	}
	return &Bleve{idx: idx}, true, nil
}

// Close releases the index.
func (b *Bleve) Close() error { return b.idx.Close() }

func docID(tenantID, articleID int64, locale string) string {
	return strconv.FormatInt(tenantID, 10) + ":" + strconv.FormatInt(articleID, 10) + ":" + locale
}

// Index implements svcportal.ArticleIndex.
func (b *Bleve) Index(ctx context.Context, docs ...svcportal.ArticleDoc) error {
	batch := b.idx.NewBatch()
	for _, d := range docs {
		for _, l := range svcportal.Locales {
			batch.Delete(docID(d.TenantID, d.ArticleID, l))
		}
		if !d.Published || (!d.Reach.All && len(d.Reach.SiteIDs) == 0) {
			continue
		}
		var sites []string
		if d.Reach.All {
			sites = append(sites, "all")
		}
		for _, s := range d.Reach.SiteIDs {
			sites = append(sites, strconv.FormatInt(s, 10))
		}
		for l, tr := range d.Translations {
			if !svcportal.IsLocale(l) {
				continue
			}
			body := PlainText(tr.Body)
			kws := strings.Join(tr.Keywords, " ")
			fields := map[string]any{
				"tenant": strconv.FormatInt(d.TenantID, 10), "serves": serves(d, l, sites),
				"article_id": float64(d.ArticleID), "helpful": float64(d.Votes.Score()),
				"title": tr.Title, "excerpt": excerpt(body, 200), "locale": l,
				"title_" + l: tr.Title, "keywords_" + l: kws, "body_" + l: body,
				"title_plain": tr.Title + " " + kws, "text_plain": tr.Title + " " + kws + " " + body,
			}
			if err := batch.Index(docID(d.TenantID, d.ArticleID, l), fields); err != nil {
				return fmt.Errorf("index article %d/%s: %w", d.ArticleID, l, err)
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return b.apply(batch)
}

// apply makes batch's changes, then forgets the hits of earlier searches.
func (b *Bleve) apply(batch *bleve.Batch) error {
	defer b.hits.forget()
	return b.idx.Batch(batch)
}

// serves are the readers that the translation of d in locale serves, one
// term each (see scopeQueries): d's tenant, the readers' language and one
// of d's sites ("all" for every site) — "1/fr@all" for readers of French
// on every site, and "1/fr/for/de@3" for readers of German at site 3 when
// d has no German translation and French is their fallback. Only
// published articles are indexed.
func serves(d svcportal.ArticleDoc, locale string, sites []string) []string {
	tenant := strconv.FormatInt(d.TenantID, 10) + "/"
	langs := []string{tenant + locale}
	for _, l := range svcportal.Locales {
		if _, ok := d.Translations[l]; !ok {
			langs = append(langs, tenant+locale+"/for/"+l)
		}
	}
	out := make([]string, 0, len(langs)*len(sites))
	for _, l := range langs {
		for _, site := range sites {
			out = append(out, l+"@"+site)
		}
	}
	return out
}

// Delete implements svcportal.ArticleIndex.
func (b *Bleve) Delete(ctx context.Context, tenantID int64, articleIDs ...int64) error {
	batch := b.idx.NewBatch()
	for _, id := range articleIDs {
		for _, l := range svcportal.Locales {
			batch.Delete(docID(tenantID, id, l))
		}
	}
	return b.apply(batch)
}

// Clear removes every article of a tenant, before a rebuild.
func (b *Bleve) Clear(ctx context.Context, tenantID int64) error {
	for {
		req := bleve.NewSearchRequestOptions(term("tenant", strconv.FormatInt(tenantID, 10)), 1000, 0, false)
		res, err := b.idx.SearchInContext(ctx, req)
		if err != nil {
			return err
		}
		if len(res.Hits) == 0 {
			return nil
		}
		batch := b.idx.NewBatch()
		for _, h := range res.Hits {
			batch.Delete(h.ID)
		}
		if err := b.apply(batch); err != nil {
			return err
		}
	}
}

func term(field, value string) *query.TermQuery {
	q := bleve.NewTermQuery(value)
	q.SetField(field)
	return q
}

// filter is a term that restricts without adding to the score.
func filter(field, value string) *query.TermQuery {
	q := term(field, value)
	q.SetBoost(0)
	return q
}

func boosted[Q interface{ SetBoost(float64) }](q Q, boost float64) Q {
	q.SetBoost(boost)
	return q
}

// fuzziness is the edit distance allowed for a word: none under four
// letters, where a typo makes another word, two from eight.
func fuzziness(w string) int {
	switch n := utf8.RuneCountInString(w); {
	case n >= 8:
		return 2
	case n >= 4:
		return 1
	}
	return 0
}

// Search implements svcportal.ArticleIndex. The same query answers the
// same hits until the index changes: they are remembered (remembered).
func (b *Bleve) Search(ctx context.Context, q svcportal.ArticleQuery) ([]svcportal.ArticleHit, error) {
	if q.NoScope() {
		return []svcportal.ArticleHit{}, nil
	}
	key := queryKey(q)
	hits, gen, ok := b.hits.get(key)
	if ok {
		return hits, nil
	}
	hits, err := b.search(ctx, q)
	if err == nil {
		b.hits.put(gen, key, hits)
	}
	return hits, err
}

// search runs q against the index.
func (b *Bleve) search(ctx context.Context, q svcportal.ArticleQuery) ([]svcportal.ArticleHit, error) {
	langs := []string{q.Lang}
	if q.Fallback != q.Lang && svcportal.IsLocale(q.Fallback) {
		langs = append(langs, q.Fallback)
	}
	musts, err := b.wordQueries(q.Text, langs)
	if err != nil {
		return nil, err
	}
	if len(musts) == 0 {
		return []svcportal.ArticleHit{}, nil
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 10
	}
	// Sorting on helpfulness inside bleve would read its doc value for
	// every match (twice the time of a keystroke's query); equal scores
	// are rare, so the top hits by score, with room for ties at the
	// cut, are ordered here instead.
	// Any word may match (a question typed in full has words no article
	// holds: "Outlook keeps asking for my password"); the disjunction's
	// coordination factor ranks an article matching more of them higher.
	words := bleve.NewDisjunctionQuery(musts...)
	words.SetMin(1)
	req := bleve.NewSearchRequestOptions(bleve.NewConjunctionQuery(append(scopeQueries(q, langs), words)...), limit+10, 0, false)
	req.Fields = []string{"article_id", "title", "excerpt", "locale", "helpful"}
	res, err := b.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	return rank(res, limit), nil
}

// wordQueries is one query per word of text, of which an article found
// must match at least one: the word itself, its stems in langs, near
// misses and, for the word being typed, its prefix. A stop word of the
// reader's languages is left out, unless it is the only word, being typed
// ("th" may become "thunderbird").
func (b *Bleve) wordQueries(text string, langs []string) ([]query.Query, error) {
	words, err := b.analyze(plainAnalyzer, text)
	if err != nil {
		return nil, err
	}
	// The last word is being typed unless the text ends with a space.
	typing := text != "" && !unicode.IsSpace(rune(text[len(text)-1]))
	var musts []query.Query
	for i, w := range words {
		last := i == len(words)-1 && typing
		alts := []query.Query{
			boosted(term("title_plain", w), 2), term("text_plain", w),
		}
		stopword := true
		for _, l := range langs {
			stems, err := b.analyze(langAnalyzer(l), w)
			if err != nil {
				return nil, err
			}
			for _, s := range stems {
				stopword = false
				alts = append(alts, boosted(term("title_"+l, s), 3), boosted(term("keywords_"+l, s), 2), term("body_"+l, s))
			}
		}
		if stopword && !(last && len(words) == 1) {
			continue // "de" in "mot de passe" need not match
		}
		if fz := fuzziness(w); fz > 0 {
			for field, boost := range map[string]float64{"title_plain": 0.6, "text_plain": 0.3} {
				f := bleve.NewFuzzyQuery(w)
				f.SetField(field)
				f.SetFuzziness(fz)
				alts = append(alts, boosted(f, boost))
			}
		}
		if last && utf8.RuneCountInString(w) >= 2 {
			for field, boost := range map[string]float64{"title_plain": 1.2, "text_plain": 0.5} {
				p := bleve.NewPrefixQuery(w)
				p.SetField(field)
				alts = append(alts, boosted(p, boost))
			}
		}
		musts = append(musts, bleve.NewDisjunctionQuery(alts...))
	}
	return musts, nil
}

// scopeQueries are the conditions, without score, of what q's reader may
// find: the tenant's articles (only published ones are indexed) for one
// of their sites (or all), in their language, or in the fallback
// (langs[1]) when an article lacks theirs. Tenant, language and site are
// one term of the translation's "serves" (see serves), so the scope is
// one disjunction of terms: a conjunction advances each of its filters to
// every candidate of the typed words, and the scope's filters were half a
// keystroke's query at 10,000 articles — three filters at first (tenant,
// language, sites), then two (tenant and language in one term, the
// sites), now one (docs/benchmarks.md).
func scopeQueries(q svcportal.ArticleQuery, langs []string) []query.Query {
	tenant := strconv.FormatInt(q.TenantID, 10) + "/"
	readers := []string{tenant + q.Lang}
	if len(langs) == 2 {
		readers = append(readers, tenant+q.Fallback+"/for/"+q.Lang)
	}
	sites := []string{"all"}
	for _, s := range q.SiteIDs {
		sites = append(sites, strconv.FormatInt(s, 10))
	}
	var terms []query.Query
	for _, r := range readers {
		for _, site := range sites {
			terms = append(terms, filter("serves", r+"@"+site))
		}
	}
	return []query.Query{boosted(bleve.NewDisjunctionQuery(terms...), 0)}
}

// rank orders the hits of res by score, then helpfulness, then article
// id, and keeps the first limit.
func rank(res *bleve.SearchResult, limit int) []svcportal.ArticleHit {
	hits := []svcportal.ArticleHit{}
	helpfulness := map[int64]float64{}
	for _, h := range res.Hits {
		id, _ := h.Fields["article_id"].(float64)
		title, _ := h.Fields["title"].(string)
		exc, _ := h.Fields["excerpt"].(string)
		loc, _ := h.Fields["locale"].(string)
		helpful, _ := h.Fields["helpful"].(float64)
		hits = append(hits, svcportal.ArticleHit{ArticleID: int64(id), Title: title, Excerpt: exc, Locale: loc, Score: h.Score})
		helpfulness[int64(id)] = helpful
	}
	slices.SortStableFunc(hits, func(a, b svcportal.ArticleHit) int {
		if math.Abs(a.Score-b.Score) > 1e-9*math.Max(a.Score, b.Score) {
			return cmp.Compare(b.Score, a.Score)
		}
		if c := cmp.Compare(helpfulness[b.ArticleID], helpfulness[a.ArticleID]); c != 0 {
			return c
		}
		return cmp.Compare(a.ArticleID, b.ArticleID)
	})
	return hits[:min(limit, len(hits))]
}

// analyze runs text through one of the mapping's analyzers.
func (b *Bleve) analyze(analyzer, text string) ([]string, error) {
	return analyze(b.idx.Mapping(), analyzer, text)
}

// analyze runs text through one of m's analyzers: the embedded index and
// the Typesense adapter share them, so both find the same words.
func analyze(m mapping.IndexMapping, analyzer, text string) ([]string, error) {
	a := m.AnalyzerNamed(analyzer)
	if a == nil {
		return nil, fmt.Errorf("search: no analyzer %s", analyzer)
	}
	var out []string
	for _, tok := range a.Analyze([]byte(text)) {
		out = append(out, string(tok.Term))
	}
	return out, nil
}

var (
	mdLink     = regexp.MustCompile(`!?\[([^\]]*)\]\([^)]*\)`)
	mdEmphasis = regexp.MustCompile("[*`~]+")
	mdBlocks   = regexp.MustCompile("[#>|_]+")
	mdSpaces   = regexp.MustCompile(`\s+`)
)

// PlainText strips Markdown syntax for indexing and excerpts: link
// targets, emphasis, headings and code marks go, their words stay.
// Emphasis goes without a trace ("**Forgot password**." reads "Forgot
// password.", no stray space before the full stop); block marks leave a
// space between what they separated.
func PlainText(md string) string {
	s := mdLink.ReplaceAllString(md, "$1")
	s = mdEmphasis.ReplaceAllString(s, "")
	s = mdBlocks.ReplaceAllString(s, " ")
	return strings.TrimSpace(mdSpaces.ReplaceAllString(s, " "))
}

// excerpt cuts s to at most n runes at a word boundary.
func excerpt(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n]
	cut := strings.LastIndexFunc(string(r), unicode.IsSpace)
	if cut <= 0 {
		return string(r) + "…"
	}
	return string(r)[:cut] + "…"
}
