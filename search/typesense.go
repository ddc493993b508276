package search

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/typesense/typesense-go/v2/typesense"
	"github.com/typesense/typesense-go/v2/typesense/api"

	"github.com/svcportal/svcportal"
)

// DefaultCollection is the Typesense collection of the articles unless the
// URL names another (?collection=…).
const DefaultCollection = "svcportal_articles"

// Typesense is the article index kept in a Typesense server, through the
// official client (github.com/typesense/typesense-go).
//
// Each translation of an article is one document. Typesense's own
// stemming and stop words vary with its version and the field's locale, so
// the adapter sends text already analysed by the embedded index's
// analyzers: each searchable field holds the folded words of the text
// followed by their stems in the translation's language, and a query
// sends, for each word, its stem in the reader's language, stop words
// removed. Typesense then does what it is good at: exact, prefix and typo
// matching of tokens, weighted by field.
//
// The scope of a query (tenant, site reach, published, language with
// fallback) is always in its filter_by, so Typesense never returns a
// document outside it.
type Typesense struct {
	client     *typesense.Client
	collection string
	m          mapping.IndexMapping

	mu      sync.Mutex
	ready   bool  // the collection is known to exist
	created bool  // this process created it
	lastGen int64 // generation of the latest Index call
}

var _ svcportal.ArticleIndex = (*Typesense)(nil)

// OpenTypesense returns the adapter for a URL of the form
// typesense://API_KEY@host:port. It talks HTTP unless the port is 443 or
// the URL has ?https=true; ?collection=NAME changes the collection. It
// does not connect: the collection is checked, and created if missing, on
// first use or by Prepare.
func OpenTypesense(raw string) (*Typesense, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "typesense" {
		return nil, errors.New("a Typesense URL looks like typesense://API_KEY@host:port")
	}
	if u.User == nil || u.User.Username() == "" || u.Hostname() == "" || u.Port() == "" {
		return nil, errors.New("a Typesense URL needs an API key, a host and a port, as in typesense://KEY@localhost:8108")
	}
	scheme := "http"
	if u.Port() == "443" || u.Query().Get("https") == "true" || u.Query().Get("https") == "1" {
		scheme = "https"
	}
	collection := u.Query().Get("collection")
	if collection == "" {
		collection = DefaultCollection
	}
	m, err := newMapping()
	if err != nil {
		return nil, err
	}
	client := typesense.NewClient(
		typesense.WithServer(scheme+"://"+u.Host),
		typesense.WithAPIKey(u.User.Username()),
		typesense.WithConnectionTimeout(10*time.Second),
	)
	return &Typesense{client: client, collection: collection, m: m}, nil
}

// Close releases nothing: the client holds no connection of its own
// beyond Go's HTTP pool. It is there so both backends close alike.
func (ts *Typesense) Close() error { return nil }

// schema is the collection's: filter fields, the sort field, stored
// display fields that are not indexed, and the analysed text fields.
func (ts *Typesense) schema() *api.CollectionSchema {
	yes, no := true, false
	field := func(name, typ string) api.Field { return api.Field{Name: name, Type: typ} }
	optional := func(f api.Field) api.Field { f.Optional = &yes; return f }
	stored := func(name string) api.Field { return api.Field{Name: name, Type: "string", Index: &no, Optional: &yes} }
	return &api.CollectionSchema{
		Name: ts.collection,
		Fields: []api.Field{
			field("tenant_id", "int64"),
			field("article_id", "int64"),
			optional(field("site_ids", "int64[]")),
			field("all_sites", "bool"),
			field("published", "bool"),
			field("lang", "string"),
			optional(field("missing", "string[]")), // locales the article has no translation in
			field("helpful", "int64"),
			field("gen", "int64"),
			stored("title"),
			stored("excerpt"),
			field("title_terms", "string"),
			field("keywords_terms", "string"),
			field("all_terms", "string"),
		},
	}
}

// Prepare makes sure the collection exists, creating it when missing;
// created tells the caller to fill it from the database.
func (ts *Typesense) Prepare(ctx context.Context) (created bool, err error) {
	if err := ts.ensure(ctx); err != nil {
		return false, err
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.created, nil
}

// ensure checks the collection once per process (until it succeeds).
func (ts *Typesense) ensure(ctx context.Context) error {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.ready {
		return nil
	}
	_, err := ts.client.Collection(ts.collection).Retrieve(ctx)
	var herr *typesense.HTTPError
	switch {
	case err == nil:
	case errors.As(err, &herr) && herr.Status == 404:
		_, err = ts.client.Collections().Create(ctx, ts.schema())
		// 409: another process created it meanwhile.
		if err != nil && !(errors.As(err, &herr) && herr.Status == 409) {
			return fmt.Errorf("typesense: create collection %s: %w", ts.collection, err)
		}
		ts.created = err == nil
	default:
		return fmt.Errorf("typesense: collection %s: %w", ts.collection, err)
	}
	ts.ready = true
	return nil
}

// nextGen is a number larger than any earlier one of this process: the
// documents an Index call writes carry it, and what is older of the same
// articles is removed after.
func (ts *Typesense) nextGen() int64 {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.lastGen = max(time.Now().UnixNano(), ts.lastGen+1)
	return ts.lastGen
}

// terms is text analysed for a searchable field: its folded words, then
// their stems in lang.
func (ts *Typesense) terms(lang, text string) (string, error) {
	words, err := analyze(ts.m, plainAnalyzer, text)
	if err != nil {
		return "", err
	}
	stems, err := analyze(ts.m, langAnalyzer(lang), text)
	if err != nil {
		return "", err
	}
	seen := map[string]bool{}
	out := make([]string, 0, len(words)+len(stems))
	for _, w := range slices.Concat(words, stems) {
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return strings.Join(out, " "), nil
}

// Index implements svcportal.ArticleIndex: it upserts the translations of
// the published articles, then removes what is older of the same
// articles (translations since deleted, articles unpublished or out of
// reach), so the articles stay searchable all along.
func (ts *Typesense) Index(ctx context.Context, docs ...svcportal.ArticleDoc) error {
	if len(docs) == 0 {
		return nil
	}
	if err := ts.ensure(ctx); err != nil {
		return err
	}
	gen := ts.nextGen()
	var batch []any
	byTenant := map[int64][]int64{}
	for _, d := range docs {
		byTenant[d.TenantID] = append(byTenant[d.TenantID], d.ArticleID)
		if !d.Published || (!d.Reach.All && len(d.Reach.SiteIDs) == 0) {
			continue
		}
		var missing []string
		for _, l := range svcportal.Locales {
			if _, ok := d.Translations[l]; !ok {
				missing = append(missing, l)
			}
		}
		sites := append([]int64{}, d.Reach.SiteIDs...)
		for l, tr := range d.Translations {
			if !svcportal.IsLocale(l) {
				continue
			}
			body := PlainText(tr.Body)
			kws := strings.Join(tr.Keywords, " ")
			title, err := ts.terms(l, tr.Title)
			if err != nil {
				return err
			}
			keywords, err := ts.terms(l, kws)
			if err != nil {
				return err
			}
			all, err := ts.terms(l, tr.Title+" "+kws+" "+body)
			if err != nil {
				return err
			}
			batch = append(batch, map[string]any{
				"id": typesenseID(d.TenantID, d.ArticleID, l), "tenant_id": d.TenantID, "article_id": d.ArticleID,
				"site_ids": sites, "all_sites": d.Reach.All, "published": true, "lang": l, "missing": missing,
				"helpful": int64(d.Votes.Score()), "gen": gen,
				"title": tr.Title, "excerpt": excerpt(body, 200),
				"title_terms": title, "keywords_terms": keywords, "all_terms": all,
			})
		}
	}
	if len(batch) > 0 {
		action, size := "upsert", 200
		res, err := ts.client.Collection(ts.collection).Documents().Import(ctx, batch,
			&api.ImportDocumentsParams{Action: &action, BatchSize: &size})
		if err != nil {
			return fmt.Errorf("typesense: import: %w", err)
		}
		for i, r := range res {
			if r == nil || !r.Success {
				msg := "no answer"
				if r != nil {
					msg = r.Error
				}
				return fmt.Errorf("typesense: import document %d of %d: %s", i+1, len(batch), msg)
			}
		}
	}
	for tenant, ids := range byTenant {
		err := ts.deleteWhere(ctx, fmt.Sprintf("tenant_id:=%d && article_id:%s && gen:<%d", tenant, intList(ids), gen))
		if err != nil {
			return err
		}
	}
	return nil
}

// Delete implements svcportal.ArticleIndex.
func (ts *Typesense) Delete(ctx context.Context, tenantID int64, articleIDs ...int64) error {
	if len(articleIDs) == 0 {
		return nil
	}
	if err := ts.ensure(ctx); err != nil {
		return err
	}
	return ts.deleteWhere(ctx, fmt.Sprintf("tenant_id:=%d && article_id:%s", tenantID, intList(articleIDs)))
}

// Clear implements svcportal.ArticleIndex.
func (ts *Typesense) Clear(ctx context.Context, tenantID int64) error {
	if err := ts.ensure(ctx); err != nil {
		return err
	}
	return ts.deleteWhere(ctx, fmt.Sprintf("tenant_id:=%d", tenantID))
}

func (ts *Typesense) deleteWhere(ctx context.Context, filter string) error {
	size := 500
	_, err := ts.client.Collection(ts.collection).Documents().Delete(ctx, &api.DeleteDocumentsParams{FilterBy: &filter, BatchSize: &size})
	if err != nil {
		return fmt.Errorf("typesense: delete %s: %w", filter, err)
	}
	return nil
}

// Search implements svcportal.ArticleIndex.
//
// Any word may match, as in the embedded index. Typesense drops words
// only from one end of a query, so when the query as a whole finds fewer
// than limit articles, each word is also searched on its own, and an
// article matching more words ranks higher.
func (ts *Typesense) Search(ctx context.Context, q svcportal.ArticleQuery) ([]svcportal.ArticleHit, error) {
	hits := []svcportal.ArticleHit{}
	if q.NoScope() {
		return hits, nil
	}
	words, typing, err := ts.queryWords(q)
	if err != nil || len(words) == 0 {
		return hits, err
	}
	if err := ts.ensure(ctx); err != nil {
		return nil, err
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 10
	}
	limit = min(limit, 250) // Typesense's largest page
	all, err := ts.search(ctx, q, strings.Join(words, " "), typing, limit)
	if err != nil || len(words) == 1 || len(all) >= limit {
		return all, err
	}
	type merged struct {
		hit     svcportal.ArticleHit
		matched int
	}
	byID := map[int64]*merged{}
	var order []int64
	for i, w := range words {
		one, err := ts.search(ctx, q, w, typing && i == len(words)-1, limit)
		if err != nil {
			return nil, err
		}
		for _, h := range one {
			m, ok := byID[h.ArticleID]
			if !ok {
				m = &merged{hit: h}
				m.hit.Score = 0
				byID[h.ArticleID] = m
				order = append(order, h.ArticleID)
			}
			m.matched++
			m.hit.Score += h.Score
		}
	}
	for _, id := range order {
		hits = append(hits, byID[id].hit)
	}
	// Stable: equals keep the order Typesense gave (helpfulness, then id).
	slices.SortStableFunc(hits, func(a, b svcportal.ArticleHit) int {
		if c := cmp.Compare(byID[b.ArticleID].matched, byID[a.ArticleID].matched); c != 0 {
			return c
		}
		return cmp.Compare(b.Score, a.Score)
	})
	return hits[:min(limit, len(hits))], nil
}

// search runs one Typesense query of text (tokens) in q's scope.
func (ts *Typesense) search(ctx context.Context, q svcportal.ArticleQuery, text string, typing bool, limit int) ([]svcportal.ArticleHit, error) {
	hits := []svcportal.ArticleHit{}
	params := &api.SearchCollectionParams{
		Q:              ptr(text),
		QueryBy:        ptr("title_terms,keywords_terms,all_terms"),
		QueryByWeights: ptr("3,2,1"),
		FilterBy:       ptr(scopeFilter(q)),
		SortBy:         ptr("_text_match:desc,helpful:desc,article_id:asc"),
		// Typesense takes only the last word as a prefix.
		Prefix:   ptr(strconv.FormatBool(typing)),
		NumTypos: ptr("2"),
		// As the embedded index: no typo under four letters, two from eight.
		MinLen1typo: ptr(4),
		MinLen2typo: ptr(8),
		// Words are not dropped here (Search asks for each word itself);
		// typos are tried when the words as typed find nothing, so that
		// "offnen" does not also bring "Öffnungszeiten" one typo away.
		DropTokensThreshold: ptr(0),
		TypoTokensThreshold: ptr(1),
		PerPage:             ptr(limit),
		IncludeFields:       ptr("article_id,title,excerpt,lang"),
	}
	res, err := ts.client.Collection(ts.collection).Documents().Search(ctx, params)
	if err != nil {
		return nil, fmt.Errorf("typesense: search: %w", err)
	}
	if res.Hits == nil {
		return hits, nil
	}
	for _, h := range *res.Hits {
		if h.Document == nil {
			continue
		}
		doc := *h.Document
		id, _ := doc["article_id"].(float64)
		title, _ := doc["title"].(string)
		exc, _ := doc["excerpt"].(string)
		loc, _ := doc["lang"].(string)
		var score float64
		if h.TextMatch != nil {
			score = float64(*h.TextMatch)
		}
		hits = append(hits, svcportal.ArticleHit{ArticleID: int64(id), Title: title, Excerpt: exc, Locale: loc, Score: score})
	}
	return hits, nil
}

// queryWords is q's text as Typesense tokens: the stem of each word in
// the reader's language, stop words left out, and the word being typed as
// it is (folded), unless it is a stop word after others. typing says
// whether the last word is still being typed (the text does not end with
// a space).
func (ts *Typesense) queryWords(q svcportal.ArticleQuery) (out []string, typing bool, err error) {
	words, err := analyze(ts.m, plainAnalyzer, q.Text)
	if err != nil {
		return nil, false, err
	}
	typing = q.Text != "" && !unicode.IsSpace(rune(q.Text[len(q.Text)-1]))
	for i, w := range words {
		last := i == len(words)-1 && typing
		stems, err := analyze(ts.m, langAnalyzer(q.Lang), w)
		if err != nil {
			return nil, false, err
		}
		switch {
		case last && (len(stems) > 0 || len(words) == 1):
			// A word being typed is matched as a prefix, with typos:
			// its stem could cut it short ("offnen" → "offn" would find
			// "Öffnungszeiten"), and the inflections a stem would catch
			// are a typo or two away.
			out = append(out, w)
		case last:
			typing = false // a stop word being typed: the others are whole
		case len(stems) > 0:
			out = append(out, stems[0])
		}
	}
	return out, typing, nil
}

// scopeFilter is the filter_by of a query: the tenant's published
// documents for every site or reachable from one of the sites (only the
// former for a public reader without sites: an empty list is no filter
// Typesense takes), in the reader's language or, for articles without
// one, in the fallback language.
func scopeFilter(q svcportal.ArticleQuery) string {
	lang := "lang:=" + q.Lang
	if q.Fallback != q.Lang && svcportal.IsLocale(q.Fallback) {
		lang = fmt.Sprintf("(lang:=%s || (lang:=%s && missing:=%s))", q.Lang, q.Fallback, q.Lang)
	}
	reach := "all_sites:=true"
	if len(q.SiteIDs) > 0 {
		reach = fmt.Sprintf("(all_sites:=true || site_ids:%s)", intList(q.SiteIDs))
	}
	return fmt.Sprintf("tenant_id:=%d && published:=true && %s && %s", q.TenantID, reach, lang)
}

// intList is a Typesense filter list: [1,2,3].
func intList(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return "[" + strings.Join(s, ",") + "]"
}

func typesenseID(tenantID, articleID int64, locale string) string {
	return strconv.FormatInt(tenantID, 10) + "-" + strconv.FormatInt(articleID, 10) + "-" + locale
}

func ptr[T any](v T) *T { return &v }
