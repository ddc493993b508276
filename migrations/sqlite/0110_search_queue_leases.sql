-- Search follows the database: every change of what the index holds is
-- queued here in the transaction of the change; the process that holds
-- the index (the "search-index" lease) applies the rows and deletes them.
-- article_id 0 asks for a rebuild of the whole tenant.
CREATE TABLE search_queue (
    id         INTEGER PRIMARY KEY,
    tenant_id  INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    article_id INTEGER NOT NULL,
    queued_at  TIMESTAMP NOT NULL
);

-- Leases: one holder at a time for each background job (the search index,
-- auto-close…), renewed while it runs, taken over after it lapses.
CREATE TABLE leases (
    name   TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    until  TIMESTAMP NOT NULL
);
