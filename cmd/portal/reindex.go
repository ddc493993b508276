package main

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"sync"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/search"
)

// openIndex returns the knowledge base's search index of the
// configuration: the embedded one, which lives in DATA_DIR/search and is
// opened at first use, so that commands which never search (token,
// tenant) do not wait for the lock of a running server; or a Typesense
// server, whose collection is checked (and created) at first use.
func openIndex(cfg *Config) (*lazyIndex, error) {
	if cfg.SearchURL == "embedded" {
		dir := filepath.Join(cfg.DataDir, "search")
		return &lazyIndex{where: dir, dir: dir}, nil
	}
	ts, err := search.OpenTypesense(cfg.SearchURL)
	if err != nil {
		return nil, fmt.Errorf("PORTAL_SEARCH_URL: %w", err)
	}
	u, _ := url.Parse(cfg.SearchURL)
	return &lazyIndex{where: "typesense " + u.Host, ts: ts}, nil
}

// lazyIndex is the configured index, opened on first use.
type lazyIndex struct {
	where string // for messages: the embedded index's folder or the Typesense host

	ts *search.Typesense // when configured

	dir     string // of the embedded index, otherwise
	once    sync.Once
	bleve   *search.Bleve
	created bool
	err     error
}

var _ svcportal.ArticleIndex = (*lazyIndex)(nil)

// open returns the index; created is true when it is new and empty (the
// embedded index's folder, or the Typesense collection, was missing).
func (l *lazyIndex) open(ctx context.Context) (idx svcportal.ArticleIndex, created bool, err error) {
	if l.ts != nil {
		// Prepare checks the collection until it once succeeds.
		created, err := l.ts.Prepare(ctx)
		return l.ts, created, err
	}
	l.once.Do(func() { l.bleve, l.created, l.err = search.Open(l.dir) })
	if l.err != nil {
		return nil, false, l.err
	}
	return l.bleve, l.created, nil
}

// Index implements svcportal.ArticleIndex.
func (l *lazyIndex) Index(ctx context.Context, docs ...svcportal.ArticleDoc) error {
	idx, _, err := l.open(ctx)
	if err != nil {
		return err
	}
	return idx.Index(ctx, docs...)
}

// Delete implements svcportal.ArticleIndex.
func (l *lazyIndex) Delete(ctx context.Context, tenantID int64, ids ...int64) error {
	idx, _, err := l.open(ctx)
	if err != nil {
		return err
	}
	return idx.Delete(ctx, tenantID, ids...)
}

// Clear implements svcportal.ArticleIndex.
func (l *lazyIndex) Clear(ctx context.Context, tenantID int64) error {
	idx, _, err := l.open(ctx)
	if err != nil {
		return err
	}
	return idx.Clear(ctx, tenantID)
}

// Search implements svcportal.ArticleIndex.
func (l *lazyIndex) Search(ctx context.Context, q svcportal.ArticleQuery) ([]svcportal.ArticleHit, error) {
	idx, _, err := l.open(ctx)
	if err != nil {
		return nil, err
	}
	return idx.Search(ctx, q)
}

// Close releases the index if it was opened.
func (l *lazyIndex) Close() error {
	if l.ts != nil {
		return l.ts.Close()
	}
	if l.bleve != nil {
		return l.bleve.Close()
	}
	return nil
}

// prepareIndex opens the index before serving and fills a new one from
// the database (first start, after the embedded index's folder was
// deleted, or with a new Typesense collection).
func (a *app) prepareIndex(e *env) error {
	_, created, err := a.index.open(e.ctx)
	if err != nil || !created {
		return err
	}
	e.log.Info("building the search index", "index", a.index.where)
	return a.kb.Reindex(e.ctx, func(string, int, int) {})
}

// runReindex rebuilds the search index from the database with a progress
// display; with the embedded index the server must be stopped (it holds
// the index), Typesense takes writes from both.
func runReindex(e *env, args []string) error {
	cfg, err := e.parseConfig("reindex", args, nil)
	if err != nil {
		return err
	}
	a, err := e.openApp(cfg)
	if err != nil {
		return err
	}
	defer a.close()
	if _, _, err := a.index.open(e.ctx); err != nil {
		if a.index.ts == nil {
			return fmt.Errorf("%w (is the server running? stop it first)", err)
		}
		return err
	}
	total := 0
	err = a.kb.Reindex(e.ctx, func(tenant string, done, n int) {
		fmt.Fprintf(e.stdout, "\r  %-20s %s %d/%d", tenant, bar(done, n, 30), done, n)
		if done == n {
			fmt.Fprintln(e.stdout)
			total += n
		}
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Indexed %d article(s).\n", total)
	return nil
}

// bar draws done out of n as a bar of width characters.
func bar(done, n, width int) string {
	filled := width
	if n > 0 {
		filled = done * width / n
	}
	b := make([]rune, width)
	for i := range b {
		b[i] = '░'
		if i < filled {
			b[i] = '█'
		}
	}
	return string(b)
}
