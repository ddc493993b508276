-- A reset request for an address without an active account stores a code
-- row too, without a contact, so that both answers do the same work.
-- SQLite cannot drop NOT NULL in place: the table is rebuilt.
CREATE TABLE reset_codes_new (
    id         INTEGER PRIMARY KEY,
    tenant_id  INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    contact_id INTEGER REFERENCES contacts (id) ON DELETE CASCADE,
    code_hash  TEXT    NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP
);
INSERT INTO reset_codes_new (id, tenant_id, contact_id, code_hash, attempts, created_at, expires_at, used_at)
    SELECT id, tenant_id, contact_id, code_hash, attempts, created_at, expires_at, used_at FROM reset_codes;
DROP TABLE reset_codes;
ALTER TABLE reset_codes_new RENAME TO reset_codes;
CREATE INDEX reset_codes_contact ON reset_codes (tenant_id, contact_id);
