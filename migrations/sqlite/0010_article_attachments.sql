-- Knowledge-base articles get attachments too, in the same table (one id
-- space behind GET /attachments/{id}): a file belongs to exactly one
-- ticket or one article. SQLite cannot relax a column, so the table is
-- rebuilt.
CREATE TABLE attachments_new (
    id            INTEGER PRIMARY KEY,
    tenant_id     INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    ticket_id     INTEGER REFERENCES tickets (id) ON DELETE CASCADE,
    article_id    INTEGER REFERENCES kb_articles (id) ON DELETE CASCADE,
    message_id    INTEGER NOT NULL DEFAULT 0,
    filename      TEXT    NOT NULL,
    content_type  TEXT    NOT NULL,
    size          INTEGER NOT NULL,
    sha256        TEXT    NOT NULL,
    uploader_kind TEXT    NOT NULL,
    uploader_id   INTEGER NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    CHECK ((ticket_id IS NULL) <> (article_id IS NULL))
);
INSERT INTO attachments_new (id, tenant_id, ticket_id, message_id, filename, content_type, size, sha256, uploader_kind, uploader_id, created_at)
    SELECT id, tenant_id, ticket_id, message_id, filename, content_type, size, sha256, uploader_kind, uploader_id, created_at FROM attachments;
DROP TABLE attachments;
ALTER TABLE attachments_new RENAME TO attachments;
CREATE INDEX attachments_ticket ON attachments (ticket_id);
CREATE INDEX attachments_article ON attachments (article_id);
