package search

import (
	"context"
	"database/sql"
	"errors"
	"net/url"
	"path/filepath"
	"strings"
	"sync"

	"github.com/svcportal/svcportal"
)

// Configured is the index a PORTAL_SEARCH_URL names:
//
//   - "embedded": bleve in DATA_DIR/search. One process at a time may
//     open it (its files are locked), so only the process that holds the
//     index opens it, with Open, and gives it up with Release; elsewhere
//     its operations return ErrIndexElsewhere (the knowledge base then
//     searches the database directly).
//   - "postgres": the index inside the PostgreSQL database (postgres.go),
//     which every instance reads and writes.
//   - "typesense://…": a Typesense server, likewise shared.
//
// Commands that never search (token, tenant) never open it.
type Configured struct {
	where string // for messages: the embedded index's folder or the server

	ts  *Typesense // one of these three
	pg  *Postgres
	dir string

	mu    sync.Mutex
	bleve *Bleve
}

var _ svcportal.ArticleIndex = (*Configured)(nil)

// ErrIndexElsewhere is what the embedded index answers in a process that
// does not hold it.
var ErrIndexElsewhere = svcportal.ErrIndexElsewhere

// ValidateURL says what is wrong with a PORTAL_SEARCH_URL.
func ValidateURL(raw string) error {
	if raw == "embedded" || raw == "postgres" {
		return nil
	}
	if !strings.HasPrefix(raw, "typesense://") {
		return errors.New(`must be "embedded", "postgres" or typesense://API_KEY@host:port`)
	}
	u, err := url.Parse(raw)
	if err != nil || u.User == nil || u.User.Username() == "" || u.Hostname() == "" || u.Port() == "" {
		return errors.New("a Typesense URL needs an API key, a host and a port, as in typesense://KEY@localhost:8108")
	}
	return nil
}

// FromURL returns the index of a PORTAL_SEARCH_URL, not yet opened:
// "embedded" keeps it in dataDir/search, "postgres" in pg (the platform's
// database, nil when it is not PostgreSQL).
func FromURL(raw, dataDir string, pg *sql.DB) (*Configured, error) {
	if err := ValidateURL(raw); err != nil {
		return nil, err
	}
	switch raw {
	case "embedded":
		dir := filepath.Join(dataDir, "search")
		return &Configured{where: dir, dir: dir}, nil
	case "postgres":
		if pg == nil {
			return nil, ErrNotPostgres
		}
		return &Configured{where: "postgres", pg: NewPostgres(pg)}, nil
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
func (c *Configured) Embedded() bool { return c.ts == nil && c.pg == nil }

// Open opens the index, for the process that holds it; created is true
// when it is new and empty (the embedded index's folder, the PostgreSQL
// table or the Typesense collection was missing), and so must be rebuilt.
func (c *Configured) Open(ctx context.Context) (created bool, err error) {
	switch {
	case c.ts != nil:
		return c.ts.Prepare(ctx)
	case c.pg != nil:
		return c.pg.Prepare(ctx)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.bleve != nil {
		return false, nil
	}
	c.bleve, created, err = Open(c.dir)
	return created, err
}

// Release closes the embedded index so that another process may open it;
// the shared ones stay usable.
func (c *Configured) Release() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.bleve == nil {
		return nil
	}
	err := c.bleve.Close()
	c.bleve = nil
	return err
}

// current is the index to use now.
func (c *Configured) current(ctx context.Context) (svcportal.ArticleIndex, error) {
	switch {
	case c.ts != nil:
		// Prepare checks the collection until it once succeeds.
		if _, err := c.ts.Prepare(ctx); err != nil {
			return nil, err
		}
		return c.ts, nil
	case c.pg != nil:
		return c.pg, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.bleve == nil {
		return nil, ErrIndexElsewhere
	}
	return c.bleve, nil
}

// Index implements svcportal.ArticleIndex.
func (c *Configured) Index(ctx context.Context, docs ...svcportal.ArticleDoc) error {
	idx, err := c.current(ctx)
	if err != nil {
		return err
	}
	return idx.Index(ctx, docs...)
}

// Delete implements svcportal.ArticleIndex.
func (c *Configured) Delete(ctx context.Context, tenantID int64, ids ...int64) error {
	idx, err := c.current(ctx)
	if err != nil {
		return err
	}
	return idx.Delete(ctx, tenantID, ids...)
}

// Clear implements svcportal.ArticleIndex.
func (c *Configured) Clear(ctx context.Context, tenantID int64) error {
	idx, err := c.current(ctx)
	if err != nil {
		return err
	}
	return idx.Clear(ctx, tenantID)
}

// Search implements svcportal.ArticleIndex.
func (c *Configured) Search(ctx context.Context, q svcportal.ArticleQuery) ([]svcportal.ArticleHit, error) {
	idx, err := c.current(ctx)
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
	return c.Release()
}
