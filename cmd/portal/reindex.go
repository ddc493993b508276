package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/search"
)

// openIndex returns the knowledge base's search index of the
// configuration. The embedded one lives in DATA_DIR/search and is opened
// at first use, so that commands which never search (token, tenant) do
// not wait for the lock of a running server.
func openIndex(cfg *Config) (*lazyIndex, error) {
	if cfg.SearchURL != "embedded" {
		return nil, errors.New("PORTAL_SEARCH_URL: only the embedded index is available in this build; set it to embedded")
	}
	return &lazyIndex{dir: filepath.Join(cfg.DataDir, "search")}, nil
}

// lazyIndex is the on-disk embedded index, opened on first use.
type lazyIndex struct {
	dir     string
	once    sync.Once
	idx     *search.Bleve
	created bool
	err     error
}

var _ svcportal.ArticleIndex = (*lazyIndex)(nil)

func (l *lazyIndex) open() (*search.Bleve, error) {
	l.once.Do(func() { l.idx, l.created, l.err = search.Open(l.dir) })
	return l.idx, l.err
}

// Index implements svcportal.ArticleIndex.
func (l *lazyIndex) Index(ctx context.Context, docs ...svcportal.ArticleDoc) error {
	idx, err := l.open()
	if err != nil {
		return err
	}
	return idx.Index(ctx, docs...)
}

// Delete implements svcportal.ArticleIndex.
func (l *lazyIndex) Delete(ctx context.Context, tenantID int64, ids ...int64) error {
	idx, err := l.open()
	if err != nil {
		return err
	}
	return idx.Delete(ctx, tenantID, ids...)
}

// Clear implements svcportal.ArticleIndex.
func (l *lazyIndex) Clear(ctx context.Context, tenantID int64) error {
	idx, err := l.open()
	if err != nil {
		return err
	}
	return idx.Clear(ctx, tenantID)
}

// Search implements svcportal.ArticleIndex.
func (l *lazyIndex) Search(ctx context.Context, q svcportal.ArticleQuery) ([]svcportal.ArticleHit, error) {
	idx, err := l.open()
	if err != nil {
		return nil, err
	}
	return idx.Search(ctx, q)
}

// Close releases the index if it was opened.
func (l *lazyIndex) Close() error {
	if l.idx != nil {
		return l.idx.Close()
	}
	return nil
}

// prepareIndex opens the index before serving and fills a new one from
// the database (first start, or after its folder was deleted).
func (a *app) prepareIndex(e *env) error {
	if _, err := a.index.open(); err != nil {
		return err
	}
	if !a.index.created {
		return nil
	}
	e.log.Info("building the search index", "dir", a.index.dir)
	return a.kb.Reindex(e.ctx, func(string, int, int) {})
}

// runReindex rebuilds the search index from the database with a progress
// display; the server must be stopped (it holds the index).
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
	if _, err := a.index.open(); err != nil {
		return fmt.Errorf("%w (is the server running? stop it first)", err)
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
