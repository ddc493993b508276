package search

import (
	"context"
	"errors"
	"net/url"
	"path/filepath"
	"strings"
	"sync"

	"github.com/svcportal/svcportal"
)

// Configured is the index a PORTAL_SEARCH_URL names, opened on first use:
// the embedded one, which lives in DATA_DIR/search, so that commands which
// never search (token, tenant) do not wait for the lock of a running
// server; or a Typesense server, whose collection is checked (and created)
// at first use.
type Configured struct {
	where string // for messages: the embedded index's folder or the Typesense host

	ts *Typesense // when configured

	dir     string // of the embedded index, otherwise
	once    sync.Once
	bleve   *Bleve
	created bool
	err     error
}

var _ svcportal.ArticleIndex = (*Configured)(nil)

// ValidateURL says what is wrong with a PORTAL_SEARCH_URL.
func ValidateURL(raw string) error {
	if raw == "embedded" {
		return nil
	}
	if !strings.HasPrefix(raw, "typesense://") {
		return errors.New(`must be "embedded" or typesense://API_KEY@host:port`)
	}
	u, err := url.Parse(raw)
	if err != nil || u.User == nil || u.User.Username() == "" || u.Hostname() == "" || u.Port() == "" {
		return errors.New("a Typesense URL needs an API key, a host and a port, as in typesense://KEY@localhost:8108")
	}
	return nil
}

// FromURL returns the index of a PORTAL_SEARCH_URL ("embedded" keeps it
// in dataDir/search), not yet opened.
func FromURL(raw, dataDir string) (*Configured, error) {
	if err := ValidateURL(raw); err != nil {
		return nil, err
	}
	if raw == "embedded" {
		dir := filepath.Join(dataDir, "search")
		return &Configured{where: dir, dir: dir}, nil
	}
	ts, err := OpenTypesense(raw)
	if err != nil {
		return nil, err
	}
	u, _ := url.Parse(raw)
	return &Configured{where: "typesense " + u.Host, ts: ts}, nil
}

// Where names the index for people: its folder or its server.
func (c *Configured) Where() string { return c.where }

// Embedded reports whether the index lives in the data dir (and so is held
// by one process at a time).
func (c *Configured) Embedded() bool { return c.ts == nil }

// Open opens the index; created is true when it is new and empty (the
// embedded index's folder, or the Typesense collection, was missing).
func (c *Configured) Open(ctx context.Context) (created bool, err error) {
	_, created, err = c.open(ctx)
	return created, err
}

func (c *Configured) open(ctx context.Context) (idx svcportal.ArticleIndex, created bool, err error) {
	if c.ts != nil {
		// Prepare checks the collection until it once succeeds.
		created, err := c.ts.Prepare(ctx)
		return c.ts, created, err
	}
	c.once.Do(func() { c.bleve, c.created, c.err = Open(c.dir) })
	if c.err != nil {
		return nil, false, c.err
	}
	return c.bleve, c.created, nil
}

// Index implements svcportal.ArticleIndex.
func (c *Configured) Index(ctx context.Context, docs ...svcportal.ArticleDoc) error {
	idx, _, err := c.open(ctx)
	if err != nil {
		return err
	}
	return idx.Index(ctx, docs...)
}

// Delete implements svcportal.ArticleIndex.
func (c *Configured) Delete(ctx context.Context, tenantID int64, ids ...int64) error {
	idx, _, err := c.open(ctx)
	if err != nil {
		return err
	}
	return idx.Delete(ctx, tenantID, ids...)
}

// Clear implements svcportal.ArticleIndex.
func (c *Configured) Clear(ctx context.Context, tenantID int64) error {
	idx, _, err := c.open(ctx)
	if err != nil {
		return err
	}
	return idx.Clear(ctx, tenantID)
}

// Search implements svcportal.ArticleIndex.
func (c *Configured) Search(ctx context.Context, q svcportal.ArticleQuery) ([]svcportal.ArticleHit, error) {
	idx, _, err := c.open(ctx)
	if err != nil {
		return nil, err
	}
	return idx.Search(ctx, q)
}

// Close releases the index if it was opened.
func (c *Configured) Close() error {
	if c.ts != nil {
		return c.ts.Close()
	}
	if c.bleve != nil {
		return c.bleve.Close()
	}
	return nil
}
