package search_test

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/search"
	"github.com/svcportal/svcportal/search/searchtest"
)

// fakeTypesense is an HTTP server that follows Typesense's documented REST
// API (v0.25–v27) for the calls the adapter makes: GET and POST
// /collections, import with action=upsert (JSONL in and out), delete by
// filter_by, and search. It really applies filter_by (the subset of the
// grammar: field:=value, field:[a,b], numeric <, <=, >, >=, &&, || and
// parentheses), so a scoping bug in the adapter fails the shared suite;
// its text match is its own (exact, prefix of the last token, typos up
// to num_typos by word length, weighted by field), not Typesense's.
type fakeTypesense struct {
	key string

	mu          sync.Mutex
	collections map[string]*fakeCollection
	searches    []map[string]string // query parameters of every search
}

type fakeField struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Optional bool   `json:"optional,omitempty"`
	Index    *bool  `json:"index,omitempty"`
}

func (f fakeField) indexed() bool { return f.Index == nil || *f.Index }

type fakeCollection struct {
	name   string
	fields map[string]fakeField
	schema []fakeField
	docs   map[string]map[string]any
}

func newFakeTypesense(t *testing.T, key string) (*fakeTypesense, *httptest.Server) {
	t.Helper()
	f := &fakeTypesense{key: key, collections: map[string]*fakeCollection{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

// typesenseURL is the adapter's URL for a fake server.
func typesenseURL(srv *httptest.Server, key string) string {
	return "typesense://" + key + "@" + strings.TrimPrefix(srv.URL, "http://")
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, status int, format string, args ...any) {
	writeJSON(w, status, map[string]string{"message": fmt.Sprintf(format, args...)})
}

func (f *fakeTypesense) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("X-TYPESENSE-API-KEY") != f.key {
		fail(w, http.StatusUnauthorized, "Forbidden - a valid `x-typesense-api-key` header must be sent.")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if parts[0] != "collections" {
		fail(w, http.StatusNotFound, "Not Found")
		return
	}
	if len(parts) == 1 && r.Method == http.MethodPost {
		f.createCollection(w, r)
		return
	}
	if len(parts) < 2 {
		fail(w, http.StatusNotFound, "Not Found")
		return
	}
	c := f.collections[parts[1]]
	if c == nil {
		fail(w, http.StatusNotFound, "Collection not found")
		return
	}
	switch rest := strings.Join(parts[2:], "/"); {
	case rest == "" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, map[string]any{"name": c.name, "fields": c.schema, "num_documents": len(c.docs)})
	case rest == "documents/import" && r.Method == http.MethodPost:
		c.importDocs(w, r)
	case rest == "documents" && r.Method == http.MethodDelete:
		c.deleteDocs(w, r)
	case rest == "documents/search" && r.Method == http.MethodGet:
		params := map[string]string{}
		for k := range r.URL.Query() {
			params[k] = r.URL.Query().Get(k)
		}
		f.searches = append(f.searches, params)
		c.search(w, params)
	default:
		fail(w, http.StatusNotFound, "Not Found")
	}
}

var fakeTypes = []string{"string", "string[]", "int32", "int32[]", "int64", "int64[]", "float", "float[]", "bool", "bool[]"}

func (f *fakeTypesense) createCollection(w http.ResponseWriter, r *http.Request) {
	var s struct {
		Name   string      `json:"name"`
		Fields []fakeField `json:"fields"`
	}
	if err := json.NewDecoder(r.Body).Decode(&s); err != nil || s.Name == "" {
		fail(w, http.StatusBadRequest, "Bad JSON.")
		return
	}
	if f.collections[s.Name] != nil {
		fail(w, http.StatusConflict, "A collection with name `%s` already exists.", s.Name)
		return
	}
	c := &fakeCollection{name: s.Name, fields: map[string]fakeField{}, schema: s.Fields, docs: map[string]map[string]any{}}
	for _, fd := range s.Fields {
		if !slices.Contains(fakeTypes, fd.Type) {
			fail(w, http.StatusBadRequest, "Field `%s` has an invalid data type.", fd.Name)
			return
		}
		if !fd.indexed() && !fd.Optional {
			fail(w, http.StatusBadRequest, "Field `%s` must be an optional field if it is not indexed.", fd.Name)
			return
		}
		c.fields[fd.Name] = fd
	}
	f.collections[s.Name] = c
	writeJSON(w, http.StatusCreated, map[string]any{"name": s.Name, "fields": s.Fields, "num_documents": 0, "created_at": 1700000000})
}

// check is the error Typesense gives for a document that does not fit
// the schema, or "".
func (c *fakeCollection) check(doc map[string]any) string {
	if _, ok := doc["id"].(string); !ok {
		return "Document's `id` field should be a string."
	}
	for name, fd := range c.fields {
		v, ok := doc[name]
		if !ok || v == nil {
			if fd.Optional {
				continue
			}
			return fmt.Sprintf("Field `%s` has been declared in the schema, but is not found in the document.", name)
		}
		elem, array := strings.CutSuffix(fd.Type, "[]")
		vals := []any{v}
		if array {
			list, ok := v.([]any)
			if !ok {
				return fmt.Sprintf("Field `%s` must be an array.", name)
			}
			vals = list
		}
		for _, v := range vals {
			okType := false
			switch elem {
			case "string":
				_, okType = v.(string)
			case "bool":
				_, okType = v.(bool)
			case "int32", "int64":
				n, isNum := v.(json.Number)
				_, err := strconv.ParseInt(string(n), 10, 64)
				okType = isNum && err == nil
			case "float":
				_, okType = v.(json.Number)
			}
			if !okType {
				return fmt.Sprintf("Field `%s` must be %s.", name, fd.Type)
			}
		}
	}
	return ""
}

func (c *fakeCollection) importDocs(w http.ResponseWriter, r *http.Request) {
	action := r.URL.Query().Get("action")
	if action == "" {
		action = "create"
	}
	if action != "create" && action != "upsert" {
		fail(w, http.StatusBadRequest, "the fake does not implement action=%s", action)
		return
	}
	var out bytes.Buffer
	sc := bufio.NewScanner(r.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var doc map[string]any
		dec := json.NewDecoder(strings.NewReader(line))
		dec.UseNumber() // int64 values beyond 2^53 stay exact, as in Typesense
		res := map[string]any{"success": true}
		if err := dec.Decode(&doc); err != nil {
			res = map[string]any{"success": false, "error": "Bad JSON.", "document": line}
		} else if msg := c.check(doc); msg != "" {
			res = map[string]any{"success": false, "error": msg, "document": line}
		} else if id := doc["id"].(string); action == "create" && c.docs[id] != nil {
			res = map[string]any{"success": false, "error": "A document with id " + id + " already exists.", "document": line}
		} else {
			c.docs[id] = doc
		}
		b, _ := json.Marshal(res)
		out.Write(append(b, '\n'))
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write(out.Bytes())
}

func (c *fakeCollection) deleteDocs(w http.ResponseWriter, r *http.Request) {
	filter, err := c.parseFilter(r.URL.Query().Get("filter_by"))
	if err != nil {
		fail(w, http.StatusBadRequest, "%v", err)
		return
	}
	n := 0
	for id, doc := range c.docs {
		if filter(doc) {
			delete(c.docs, id)
			n++
		}
	}
	writeJSON(w, http.StatusOK, map[string]int{"num_deleted": n})
}

func (c *fakeCollection) search(w http.ResponseWriter, p map[string]string) {
	if _, ok := p["q"]; !ok || p["query_by"] == "" {
		fail(w, http.StatusBadRequest, "Parameters `q` and `query_by` are required.")
		return
	}
	keep := func(map[string]any) bool { return true }
	if p["filter_by"] != "" {
		var err error
		if keep, err = c.parseFilter(p["filter_by"]); err != nil {
			fail(w, http.StatusBadRequest, "%v", err)
			return
		}
	}
	fields := strings.Split(p["query_by"], ",")
	weights := make([]int, len(fields))
	for i, name := range fields {
		fd, ok := c.fields[name]
		if !ok || !fd.indexed() || !strings.HasPrefix(fd.Type, "string") {
			fail(w, http.StatusBadRequest, "Could not find a field named `%s` in the schema.", name)
			return
		}
		weights[i] = 1
	}
	if p["query_by_weights"] != "" {
		ws := strings.Split(p["query_by_weights"], ",")
		if len(ws) != len(fields) {
			fail(w, http.StatusBadRequest, "Number of weights in `query_by_weights` does not match number of `query_by` fields.")
			return
		}
		for i, s := range ws {
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 || n > 127 {
				fail(w, http.StatusBadRequest, "Invalid weight %q.", s)
				return
			}
			weights[i] = n
		}
	}
	intParam := func(name string, def int) int {
		if n, err := strconv.Atoi(p[name]); err == nil {
			return n
		}
		return def
	}
	m := matcher{tokens: fakeTokens(p["q"]), prefix: p["prefix"] != "false", numTypos: intParam("num_typos", 2),
		minLen1: intParam("min_len_1typo", 4), minLen2: intParam("min_len_2typo", 7)}
	type hit struct {
		doc   map[string]any
		score int64
	}
	// As Typesense: words as typed first, then with more typos, up to
	// num_typos, while fewer than typo_tokens_threshold documents match.
	var hits []hit
	threshold := intParam("typo_tokens_threshold", 1)
	for m.maxTypos = 0; m.maxTypos <= m.numTypos && (m.maxTypos == 0 || len(hits) < threshold); m.maxTypos++ {
		hits = hits[:0]
		for _, doc := range c.docs {
			if !keep(doc) {
				continue
			}
			var best int64
			for i, name := range fields {
				text, _ := doc[name].(string)
				if s := m.score(fakeTokens(text)); s > 0 {
					best = max(best, int64(s*weights[i]))
				}
			}
			if best > 0 {
				hits = append(hits, hit{doc, best})
			}
		}
	}
	sortBy := []string{"_text_match:desc"}
	if p["sort_by"] != "" {
		sortBy = strings.Split(p["sort_by"], ",")
	}
	if len(sortBy) > 3 {
		fail(w, http.StatusBadRequest, "Only upto 3 sort fields are allowed.")
		return
	}
	for _, s := range sortBy {
		name, dir, _ := strings.Cut(s, ":")
		if dir != "asc" && dir != "desc" {
			fail(w, http.StatusBadRequest, "Order for sort field `%s` must be asc or desc.", name)
			return
		}
		if fd, ok := c.fields[name]; name != "_text_match" && (!ok || !slices.Contains([]string{"int32", "int64", "float", "bool"}, fd.Type)) {
			fail(w, http.StatusBadRequest, "Could not find a field named `%s` in the schema for sorting.", name)
			return
		}
	}
	slices.SortFunc(hits, func(a, b hit) int {
		for _, s := range sortBy {
			name, dir, _ := strings.Cut(s, ":")
			var c int
			if name == "_text_match" {
				c = cmp.Compare(a.score, b.score)
			} else {
				c = cmp.Compare(number(a.doc[name]), number(b.doc[name]))
			}
			if dir == "desc" {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return 0
	})
	perPage := min(intParam("per_page", 10), 250)
	found := len(hits)
	hits = hits[:min(perPage, len(hits))]
	var include []string
	if p["include_fields"] != "" {
		include = strings.Split(p["include_fields"], ",")
	}
	out := []map[string]any{}
	for _, h := range hits {
		doc := map[string]any{}
		for k, v := range h.doc {
			if include == nil || slices.Contains(include, k) {
				doc[k] = v
			}
		}
		out = append(out, map[string]any{"document": doc, "text_match": h.score, "highlights": []any{}})
	}
	writeJSON(w, http.StatusOK, map[string]any{"found": found, "out_of": len(c.docs), "page": 1, "search_time_ms": 0,
		"hits": out, "request_params": map[string]any{"collection_name": c.name, "per_page": perPage, "q": p["q"]}})
}

// number is a numeric or boolean field value for sorting and comparing.
func number(v any) float64 {
	switch v := v.(type) {
	case json.Number:
		f, _ := v.Float64()
		return f
	case bool:
		if v {
			return 1
		}
	}
	return 0
}

// fakeTokens splits text as Typesense's default tokenizer does: on
// spaces and punctuation, lower-cased, diacritics removed.
func fakeTokens(text string) []string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	folded, _, err := transform.String(t, strings.ToLower(text))
	if err != nil {
		folded = strings.ToLower(text)
	}
	return strings.FieldsFunc(folded, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// matcher scores a field's tokens against a query's.
type matcher struct {
	tokens                     []string
	prefix                     bool
	numTypos, minLen1, minLen2 int
	maxTypos                   int // of this round
}

// score is 0 unless every query token matches a token of the field; then
// 4 per exact match, 3 per prefix match, 3 less the typos per typo match.
func (m matcher) score(field []string) int {
	if len(m.tokens) == 0 {
		return 0
	}
	total := 0
	for i, q := range m.tokens {
		n := utf8.RuneCountInString(q)
		typos := 0
		if n >= m.minLen1 {
			typos = 1
		}
		if n >= m.minLen2 {
			typos = 2
		}
		typos = min(typos, m.numTypos, m.maxTypos)
		asPrefix := m.prefix && i == len(m.tokens)-1
		best := 0
		for _, w := range field {
			switch {
			case w == q:
				best = 4
			case asPrefix && strings.HasPrefix(w, q):
				best = max(best, 3)
			case typos > 0:
				d := levenshtein(q, w)
				if asPrefix {
					// a typo in the word being typed: the closest prefix
					wr := []rune(w)
					for l := max(1, n-typos); l <= min(len(wr), n+typos); l++ {
						d = min(d, levenshtein(q, string(wr[:l])))
					}
				}
				if d <= typos {
					best = max(best, 3-d)
				}
			}
		}
		if best == 0 {
			return 0
		}
		total += best
	}
	return total
}

func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur := make([]int, len(rb)+1)
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(rb)]
}

// filterParser parses Typesense's filter_by: clauses field:op value or
// field:[v1,v2], joined by && and ||, && binding tighter, in parentheses.
type filterParser struct {
	c   *fakeCollection
	s   string
	pos int
}

type predicate func(doc map[string]any) bool

func (c *fakeCollection) parseFilter(s string) (predicate, error) {
	p := &filterParser{c: c, s: s}
	pred, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.skip(); p.pos != len(p.s) {
		return nil, fmt.Errorf("Could not parse the filter query: unexpected %q.", p.s[p.pos:])
	}
	return pred, nil
}

func (p *filterParser) skip() {
	for p.pos < len(p.s) && p.s[p.pos] == ' ' {
		p.pos++
	}
}

func (p *filterParser) eat(tok string) bool {
	p.skip()
	if strings.HasPrefix(p.s[p.pos:], tok) {
		p.pos += len(tok)
		return true
	}
	return false
}

func (p *filterParser) or() (predicate, error) {
	left, err := p.and()
	for err == nil && p.eat("||") {
		var right predicate
		if right, err = p.and(); err == nil {
			l := left
			left = func(d map[string]any) bool { return l(d) || right(d) }
		}
	}
	return left, err
}

func (p *filterParser) and() (predicate, error) {
	left, err := p.term()
	for err == nil && p.eat("&&") {
		var right predicate
		if right, err = p.term(); err == nil {
			l := left
			left = func(d map[string]any) bool { return l(d) && right(d) }
		}
	}
	return left, err
}

func (p *filterParser) term() (predicate, error) {
	if p.eat("(") {
		pred, err := p.or()
		if err != nil {
			return nil, err
		}
		if !p.eat(")") {
			return nil, fmt.Errorf("Could not parse the filter query: missing ).")
		}
		return pred, nil
	}
	p.skip()
	start := p.pos
	for p.pos < len(p.s) && p.s[p.pos] != ':' {
		p.pos++
	}
	name := strings.TrimSpace(p.s[start:p.pos])
	if p.pos == len(p.s) {
		return nil, fmt.Errorf("Could not parse the filter query.")
	}
	p.pos++ // ':'
	fd, ok := p.c.fields[name]
	if !ok || !fd.indexed() {
		return nil, fmt.Errorf("Could not find a filter field named `%s` in the schema.", name)
	}
	p.skip()
	op := ""
	for _, o := range []string{"<=", ">=", "!=", "=", "<", ">"} {
		if strings.HasPrefix(p.s[p.pos:], o) {
			op = o
			p.pos += len(o)
			break
		}
	}
	var values []string
	if p.eat("[") {
		for {
			values = append(values, p.value())
			if p.eat("]") {
				break
			}
			if !p.eat(",") {
				return nil, fmt.Errorf("Could not parse the filter query: bad list.")
			}
		}
	} else {
		values = []string{p.value()}
	}
	elem, _ := strings.CutSuffix(fd.Type, "[]")
	if elem == "string" && op != "=" {
		// field:value is a token match on strings, not implemented here:
		// the adapter filters strings exactly.
		return nil, fmt.Errorf("the fake implements only exact (:=) filters on string field `%s`", name)
	}
	if op == "!=" {
		return nil, fmt.Errorf("the fake does not implement != (field `%s`)", name)
	}
	for _, v := range values {
		if v == "" {
			return nil, fmt.Errorf("Could not parse the filter query: empty value for `%s`.", name)
		}
		if elem == "bool" && v != "true" && v != "false" {
			return nil, fmt.Errorf("Value of filter field `%s` must be true or false.", name)
		}
		if strings.HasPrefix(elem, "int") {
			if _, err := strconv.ParseInt(v, 10, 64); err != nil {
				return nil, fmt.Errorf("Error with filter field `%s`: Not an int64.", name)
			}
		}
	}
	match := func(got any, want string) bool {
		switch elem {
		case "string":
			return got == want
		case "bool":
			b, _ := got.(bool)
			return strconv.FormatBool(b) == want
		}
		n, ok := got.(json.Number)
		if !ok {
			return false
		}
		g, err1 := strconv.ParseInt(string(n), 10, 64)
		w, err2 := strconv.ParseInt(want, 10, 64)
		if err1 != nil || err2 != nil {
			return false
		}
		switch op {
		case "<":
			return g < w
		case "<=":
			return g <= w
		case ">":
			return g > w
		case ">=":
			return g >= w
		}
		return g == w
	}
	return func(doc map[string]any) bool {
		v, ok := doc[name]
		if !ok {
			return false
		}
		got := []any{v}
		if list, isList := v.([]any); isList {
			got = list
		}
		for _, g := range got {
			for _, want := range values {
				if match(g, want) {
					return true
				}
			}
		}
		return false
	}, nil
}

// value reads one value: backquoted, or up to a space, comma, bracket or
// parenthesis.
func (p *filterParser) value() string {
	p.skip()
	if p.eat("`") {
		end := strings.IndexByte(p.s[p.pos:], '`')
		if end < 0 {
			end = len(p.s) - p.pos
		}
		v := p.s[p.pos : p.pos+end]
		p.pos = min(len(p.s), p.pos+end+1)
		return v
	}
	start := p.pos
	for p.pos < len(p.s) && !strings.ContainsRune(" ,[]()&|", rune(p.s[p.pos])) {
		p.pos++
	}
	return p.s[start:p.pos]
}

func openTypesense(t *testing.T, srv *httptest.Server, key string) *search.Typesense {
	t.Helper()
	idx, err := search.OpenTypesense(typesenseURL(srv, key))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idx.Close() })
	return idx
}

func TestTypesense_Suite(t *testing.T) {
	searchtest.Run(t, func(t *testing.T) svcportal.ArticleIndex {
		_, srv := newFakeTypesense(t, "secret")
		return openTypesense(t, srv, "secret")
	})
}

func TestTypesense_APIKey(t *testing.T) {
	ctx := context.Background()
	_, srv := newFakeTypesense(t, "secret")
	doc := svcportal.ArticleDoc{TenantID: 1, ArticleID: 7, Published: true, Reach: svcportal.KBReach{All: true},
		Translations: map[string]svcportal.KBTranslation{"en": {Title: "Printer setup"}}}
	if err := openTypesense(t, srv, "secret").Index(ctx, doc); err != nil {
		t.Fatalf("with the right key: %v", err)
	}
	wrong := openTypesense(t, srv, "wrong")
	if err := wrong.Index(ctx, doc); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("index with a wrong key: got %v, want an error with status 401", err)
	}
	_, err := wrong.Search(ctx, svcportal.ArticleQuery{TenantID: 1, SiteIDs: []int64{1}, Lang: "en", Text: "printer"})
	if err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("search with a wrong key: got %v, want an error with status 401", err)
	}
}

func TestTypesense_Prepare(t *testing.T) {
	ctx := context.Background()
	fake, srv := newFakeTypesense(t, "k")
	created, err := openTypesense(t, srv, "k").Prepare(ctx)
	if err != nil || !created {
		t.Fatalf("first: created %v, %v; want a new collection", created, err)
	}
	if fake.collections[search.DefaultCollection] == nil {
		t.Fatalf("no collection %s on the server", search.DefaultCollection)
	}
	created, err = openTypesense(t, srv, "k").Prepare(ctx)
	if err != nil || created {
		t.Errorf("second: created %v, %v; want the existing collection", created, err)
	}
}

// TestTypesense_ScopeIsServerSide checks that the scope travels in
// filter_by (the shared suite checks that it works).
func TestTypesense_ScopeIsServerSide(t *testing.T) {
	fake, srv := newFakeTypesense(t, "k")
	idx := openTypesense(t, srv, "k")
	_, err := idx.Search(context.Background(), svcportal.ArticleQuery{TenantID: 3, SiteIDs: []int64{4, 5}, Lang: "fr", Fallback: "en", Text: "imprim"})
	if err != nil {
		t.Fatal(err)
	}
	if len(fake.searches) != 1 {
		t.Fatalf("got %d searches, want 1", len(fake.searches))
	}
	p := fake.searches[0]
	want := "tenant_id:=3 && published:=true && (all_sites:=true || site_ids:[4,5]) && (lang:=fr || (lang:=en && missing:=fr))"
	if p["filter_by"] != want {
		t.Errorf("filter_by: got %q, want %q", p["filter_by"], want)
	}
	if p["prefix"] != "true" || p["num_typos"] != "2" || !strings.HasPrefix(p["sort_by"], "_text_match:desc,helpful:desc") {
		t.Errorf("got %v, want prefix, typos and ranking by text match then helpfulness", p)
	}
	// An anonymous reader of a public knowledge base: the articles for
	// every site only.
	if _, err := idx.Search(context.Background(), svcportal.ArticleQuery{TenantID: 3, Public: true, Lang: "fr", Text: "imprim"}); err != nil {
		t.Fatal(err)
	}
	want = "tenant_id:=3 && published:=true && all_sites:=true && lang:=fr"
	if got := fake.searches[len(fake.searches)-1]["filter_by"]; got != want {
		t.Errorf("public filter_by: got %q, want %q", got, want)
	}
}

func TestOpenTypesense_URL(t *testing.T) {
	for _, c := range []struct {
		url string
		ok  bool
	}{
		{"typesense://KEY@localhost:8108", true},
		{"typesense://KEY@search.example.com:443?collection=kb", true},
		{"typesense://localhost:8108", false},
		{"typesense://KEY@localhost", false},
		{"http://KEY@localhost:8108", false},
	} {
		if _, err := search.OpenTypesense(c.url); (err == nil) != c.ok {
			t.Errorf("%s: got error %v, want ok %v", c.url, err, c.ok)
		}
	}
}

func TestFakeTypesense_Filter(t *testing.T) {
	yes := true
	c := &fakeCollection{fields: map[string]fakeField{
		"n": {Name: "n", Type: "int64"}, "l": {Name: "l", Type: "int64[]"}, "b": {Name: "b", Type: "bool"},
		"s": {Name: "s", Type: "string"}, "hidden": {Name: "hidden", Type: "string", Optional: true, Index: new(bool)},
		"o": {Name: "o", Type: "string[]", Optional: yes},
	}}
	doc := map[string]any{"n": json.Number("1700000000000000001"), "l": []any{json.Number("10"), json.Number("20")}, "b": false, "s": "fr", "o": []any{"en"}}
	for _, tc := range []struct {
		filter string
		want   bool
	}{
		{"n:=1700000000000000001", true},
		{"n:<1700000000000000001", false},
		{"n:<1700000000000000002", true},
		{"l:[30,20]", true},
		{"l:=30", false},
		{"b:=true || s:=fr", true},
		{"b:=true || s:=fr && n:=2", false},
		{"(b:=true || s:=fr) && l:[10]", true},
		{"s:=fr && (o:=de || (s:=en && o:=en))", false},
		{"s:=fr && (o:=en || (s:=en && o:=de))", true},
	} {
		pred, err := c.parseFilter(tc.filter)
		if err != nil {
			t.Errorf("%s: %v", tc.filter, err)
			continue
		}
		if got := pred(doc); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.filter, got, tc.want)
		}
	}
	for _, bad := range []string{"x:=1", "hidden:=a", "n:=abc", "(s:=fr", "s:fr", "b:=maybe"} {
		if _, err := c.parseFilter(bad); err == nil {
			t.Errorf("%s: got no error", bad)
		}
	}
}
