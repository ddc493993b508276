-- Contacts imports started from the console: each runs in the background
-- and keeps its progress here, so its page follows it across reloads and
-- instances, and its report once done. One running import per tenant.
CREATE TABLE contact_imports (
    id           INTEGER PRIMARY KEY,
    tenant_id    INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    staff_id     INTEGER NOT NULL,
    file_name    TEXT    NOT NULL DEFAULT '',
    send_welcome INTEGER NOT NULL DEFAULT 0,
    state        TEXT    NOT NULL,
    total        INTEGER NOT NULL DEFAULT 0,
    done         INTEGER NOT NULL DEFAULT 0,
    report       TEXT    NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    finished_at  TIMESTAMP
);
CREATE INDEX contact_imports_tenant ON contact_imports (tenant_id, id);
CREATE UNIQUE INDEX contact_imports_running ON contact_imports (tenant_id) WHERE state = 'running';
