package search

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/svcportal/svcportal"
)

// Postgres is the index kept inside the platform's PostgreSQL database
// (PORTAL_SEARCH_URL=postgres), so that several instances search one index
// with no other server. Each translation of an article is a row of
// search_articles with
//
//   - doc, a tsvector built with the text search configuration of its
//     language (portal_en … portal_it: the built-in Snowball stemmer and stop
//     words of the language, after the unaccent dictionary), the title
//     weighted A, keywords B and the body C: stems and ranking;
//   - folded, its words lower-cased and without accents (Fold), indexed for
//     pg_trgm: near misses (word_similarity, the `<%` operator) and the
//     prefix of the word being typed.
//
// The table, the configurations and the two extensions (unaccent, pg_trgm:
// both in PostgreSQL's contrib, trusted, so the database owner may create
// them) are made at first use, like Typesense's collection.
type Postgres struct {
	db *sql.DB

	once sync.Once
	ext  string // the schema of pg_trgm, to qualify its operator
	err  error
}

var _ svcportal.ArticleIndex = (*Postgres)(nil)

// NewPostgres returns the index in db (a PostgreSQL database), prepared at
// first use.
func NewPostgres(db *sql.DB) *Postgres { return &Postgres{db: db} }

// pgConfigs maps each locale to the built-in configuration its own copies.
var pgConfigs = map[string]string{"en": "english", "fr": "french", "de": "german", "es": "spanish", "it": "italian"}

// Prepare creates what the index needs when it is missing; created is
// true when the table was new.
func (p *Postgres) Prepare(ctx context.Context) (created bool, err error) {
	var exists bool
	if err := p.db.QueryRowContext(ctx, `SELECT to_regclass('search_articles') IS NOT NULL`).Scan(&exists); err != nil {
		return false, fmt.Errorf("postgres search: %w", err)
	}
	if _, err := p.ready(ctx); err != nil {
		return false, err
	}
	return !exists, nil
}

// ready prepares the index once per process and returns the schema of
// its extensions.
func (p *Postgres) ready(ctx context.Context) (string, error) {
	p.once.Do(func() { p.ext, p.err = p.prepare(ctx) })
	if p.err != nil {
		err := p.err
		p.once = sync.Once{} // try again at the next use
		return "", err
	}
	return p.ext, nil
}

func (p *Postgres) prepare(ctx context.Context) (string, error) {
	tx, err := p.db.BeginTx(ctx, nil)
	if err != nil {
		return "", err
	}
	defer tx.Rollback()
	// Instances starting together take turns.
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext('svcportal search'))`); err != nil {
		return "", err
	}
	ext := ""
	for _, name := range []string{"unaccent", "pg_trgm"} {
		// In public when missing: extensions are one per database, and
		// a schema of their own would be dropped with it.
		if _, err := tx.ExecContext(ctx, `CREATE EXTENSION IF NOT EXISTS `+name+` SCHEMA public`); err != nil {
			return "", fmt.Errorf("postgres search needs the %s extension (PostgreSQL contrib): %w", name, err)
		}
		var schema string
		if err := tx.QueryRowContext(ctx, `SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = $1`, name).Scan(&schema); err != nil {
			return "", err
		}
		if name == "pg_trgm" {
			ext = quoteIdent(schema)
		} else if err := createConfigs(ctx, tx, quoteIdent(schema)); err != nil {
			return "", err
		}
	}
	stmts := []string{
		`CREATE TABLE IF NOT EXISTS search_articles (
			tenant_id  BIGINT  NOT NULL,
			article_id BIGINT  NOT NULL,
			locale     TEXT    NOT NULL,
			all_sites  BOOLEAN NOT NULL,
			site_ids   BIGINT[] NOT NULL,
			helpful    INTEGER NOT NULL,
			title      TEXT    NOT NULL,
			excerpt    TEXT    NOT NULL,
			folded     TEXT    NOT NULL,
			doc        TSVECTOR NOT NULL,
			PRIMARY KEY (tenant_id, article_id, locale))`,
		`CREATE INDEX IF NOT EXISTS search_articles_doc ON search_articles USING gin (doc)`,
		`CREATE INDEX IF NOT EXISTS search_articles_folded ON search_articles USING gin (folded ` + ext + `.gin_trgm_ops)`,
	}
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return "", fmt.Errorf("postgres search: %w", err)
		}
	}
	return ext, tx.Commit()
}

// createConfigs makes portal_LOCALE in the current schema: a copy of the
// language's configuration whose words go through unaccent first.
func createConfigs(ctx context.Context, tx *sql.Tx, unaccentSchema string) error {
	for loc, builtin := range pgConfigs {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM pg_ts_config WHERE cfgname = $1 AND cfgnamespace = current_schema()::regnamespace`,
			"portal_"+loc).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			continue
		}
		for _, s := range []string{
			`CREATE TEXT SEARCH CONFIGURATION portal_` + loc + ` (COPY = pg_catalog.` + builtin + `)`,
			`ALTER TEXT SEARCH CONFIGURATION portal_` + loc + ` ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part WITH ` +
				unaccentSchema + `.unaccent, pg_catalog.` + builtin + `_stem`,
		} {
			if _, err := tx.ExecContext(ctx, s); err != nil {
				return fmt.Errorf("postgres search configuration %s: %w", loc, err)
			}
		}
	}
	return nil
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// words splits folded text into its words (letters and digits).
func words(s string) []string {
	return strings.FieldsFunc(Fold(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
}

// Index implements svcportal.ArticleIndex.
func (p *Postgres) Index(ctx context.Context, docs ...svcportal.ArticleDoc) error {
	if _, err := p.ready(ctx); err != nil {
		return err
	}
	tx, err := p.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, d := range docs {
		if _, err := tx.ExecContext(ctx, `DELETE FROM search_articles WHERE tenant_id = $1 AND article_id = $2`, d.TenantID, d.ArticleID); err != nil {
			return err
		}
		if !d.Published || (!d.Reach.All && len(d.Reach.SiteIDs) == 0) {
			continue
		}
		sites := d.Reach.SiteIDs
		if sites == nil {
			sites = []int64{}
		}
		for loc, tr := range d.Translations {
			if !svcportal.IsLocale(loc) {
				continue
			}
			body, kws := PlainText(tr.Body), strings.Join(tr.Keywords, " ")
			folded := strings.Join(words(tr.Title+" "+kws+" "+body), " ")
			_, err := tx.ExecContext(ctx, `INSERT INTO search_articles
				(tenant_id, article_id, locale, all_sites, site_ids, helpful, title, excerpt, folded, doc)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,
					setweight(to_tsvector($10::regconfig, $7), 'A') ||
					setweight(to_tsvector($10::regconfig, $11), 'B') ||
					setweight(to_tsvector($10::regconfig, $12), 'C'))`,
				d.TenantID, d.ArticleID, loc, d.Reach.All, int64Array(sites), d.Votes.Score(), tr.Title, excerpt(body, 200),
				folded, "portal_"+loc, kws, body)
			if err != nil {
				return fmt.Errorf("index article %d/%s: %w", d.ArticleID, loc, err)
			}
		}
	}
	return tx.Commit()
}

// int64Array is a PostgreSQL array literal of ids.
func int64Array(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = fmt.Sprint(id)
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// Delete implements svcportal.ArticleIndex.
func (p *Postgres) Delete(ctx context.Context, tenantID int64, articleIDs ...int64) error {
	if _, err := p.ready(ctx); err != nil || len(articleIDs) == 0 {
		return err
	}
	_, err := p.db.ExecContext(ctx, `DELETE FROM search_articles WHERE tenant_id = $1 AND article_id = ANY($2::bigint[])`,
		tenantID, int64Array(articleIDs))
	return err
}

// Clear implements svcportal.ArticleIndex.
func (p *Postgres) Clear(ctx context.Context, tenantID int64) error {
	if _, err := p.ready(ctx); err != nil {
		return err
	}
	_, err := p.db.ExecContext(ctx, `DELETE FROM search_articles WHERE tenant_id = $1`, tenantID)
	return err
}

// queryWords are the words of text that a hit must match, and whether the
// last one is being typed (and so also matched as a prefix). A stop word
// of every language searched is left out unless it is being typed, as in
// the embedded index.
func (p *Postgres) queryWords(ctx context.Context, text string, langs []string) (ws []string, typing bool, err error) {
	all := words(text)
	typing = text != "" && !unicode.IsSpace(rune(text[len(text)-1]))
	cfgs := make([]string, len(langs))
	for i, l := range langs {
		cfgs[i] = "portal_" + l
	}
	for i, w := range all {
		last := i == len(all)-1 && typing
		var meaningful bool
		err := p.db.QueryRowContext(ctx, `SELECT bool_or(numnode(plainto_tsquery(c::regconfig, $1)) > 0) FROM unnest($2::text[]) AS c`,
			w, "{"+strings.Join(cfgs, ",")+"}").Scan(&meaningful)
		if err != nil {
			return nil, false, err
		}
		if meaningful || last {
			ws = append(ws, w)
		}
	}
	return ws, typing, nil
}

// Search implements svcportal.ArticleIndex.
func (p *Postgres) Search(ctx context.Context, q svcportal.ArticleQuery) ([]svcportal.ArticleHit, error) {
	hits := []svcportal.ArticleHit{}
	if q.NoScope() {
		return hits, nil
	}
	ext, err := p.ready(ctx)
	if err != nil {
		return nil, err
	}
	langs := []string{q.Lang}
	fallback := ""
	if q.Fallback != q.Lang && svcportal.IsLocale(q.Fallback) {
		langs, fallback = append(langs, q.Fallback), q.Fallback
	}
	ws, typing, err := p.queryWords(ctx, q.Text, langs)
	if err != nil || len(ws) == 0 {
		return hits, err
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 10
	}
	const cfg = `('portal_' || a.locale)::regconfig`
	args := []any{q.TenantID, int64Array(q.SiteIDs), q.Lang, fallback}
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	var conds, ranked []string
	for i, w := range ws {
		last := i == len(ws)-1 && typing
		pw := arg(w)
		// Its stems, the word itself (a stop word of the article's
		// language that is a word of the reader's), and for the word being
		// typed, a word it begins (unstemmed: a stem's prefix is too
		// broad).
		alts := []string{`a.doc @@ plainto_tsquery(` + cfg + `, ` + pw + `)`,
			`(' ' || a.folded || ' ') LIKE ` + arg("% "+likeEscape(w)+" %")}
		ranked = append(ranked, w)
		if last {
			alts = append(alts, `(' ' || a.folded) LIKE `+arg("% "+likeEscape(w)+"%"))
			ranked[len(ranked)-1] = w + ":*"
		}
		if utf8.RuneCountInString(w) >= 4 {
			alts = append(alts, pw+` OPERATOR(`+ext+`.<%) a.folded`)
		}
		conds = append(conds, "("+strings.Join(alts, " OR ")+")")
	}
	rankq := arg(strings.Join(ranked, " | "))
	// Any word finds an article (a whole question typed as a ticket title
	// must still find the article about it); the more of the words an
	// article matches, the higher it ranks, then by text relevance.
	matched := make([]string, len(conds))
	for i, c := range conds {
		matched[i] = "(CASE WHEN " + c + " THEN 1 ELSE 0 END)"
	}
	query := `SELECT article_id, title, excerpt, locale, rank FROM (
		SELECT a.article_id, a.title, a.excerpt, a.locale, a.helpful,
			ts_rank(a.doc, to_tsquery(` + cfg + `, ` + rankq + `)) AS rank, ` + strings.Join(matched, " + ") + ` AS matched
		FROM search_articles a
		WHERE a.tenant_id = $1 AND (a.all_sites OR a.site_ids && $2::bigint[])
		  AND (a.locale = $3 OR ($4 <> '' AND a.locale = $4 AND NOT EXISTS (
			SELECT 1 FROM search_articles o WHERE o.tenant_id = a.tenant_id AND o.article_id = a.article_id AND o.locale = $3)))
		  AND (` + strings.Join(conds, " OR ") + `)) AS hits
		ORDER BY matched DESC, rank DESC, helpful DESC, article_id
		LIMIT ` + arg(limit)
	rows, err := p.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres search: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var h svcportal.ArticleHit
		if err := rows.Scan(&h.ArticleID, &h.Title, &h.Excerpt, &h.Locale, &h.Score); err != nil {
			return nil, err
		}
		hits = append(hits, h)
	}
	return hits, rows.Err()
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// ErrNotPostgres is the error of PORTAL_SEARCH_URL=postgres with a
// database that is not PostgreSQL.
var ErrNotPostgres = errors.New(`"postgres" keeps the index in the PostgreSQL database: it needs a postgres:// PORTAL_DATABASE_URL (use "embedded" with SQLite)`)
