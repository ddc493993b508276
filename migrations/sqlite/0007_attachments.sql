-- Files attached to tickets and their messages; contents live in the blob
-- store under their SHA-256.
CREATE TABLE attachments (
    id            INTEGER PRIMARY KEY,
    tenant_id     INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    ticket_id     INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    message_id    INTEGER NOT NULL DEFAULT 0,
    filename      TEXT    NOT NULL,
    content_type  TEXT    NOT NULL,
    size          INTEGER NOT NULL,
    sha256        TEXT    NOT NULL,
    uploader_kind TEXT    NOT NULL,
    uploader_id   INTEGER NOT NULL,
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX attachments_ticket ON attachments (ticket_id);
