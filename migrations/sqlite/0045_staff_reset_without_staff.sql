-- A staff reset request for an address that is no active staff member's
-- stores a code row too, without a staff member, so that both answers do
-- the same work (as 0020 did for contacts). SQLite cannot drop NOT NULL in
-- place: the table is rebuilt.
CREATE TABLE staff_reset_codes_new (
    id         INTEGER PRIMARY KEY,
    tenant_id  INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    staff_id   INTEGER REFERENCES staff (id) ON DELETE CASCADE,
    code_hash  TEXT    NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP
);
INSERT INTO staff_reset_codes_new (id, tenant_id, staff_id, code_hash, attempts, created_at, expires_at, used_at)
    SELECT id, tenant_id, staff_id, code_hash, attempts, created_at, expires_at, used_at FROM staff_reset_codes;
DROP TABLE staff_reset_codes;
ALTER TABLE staff_reset_codes_new RENAME TO staff_reset_codes;
CREATE INDEX staff_reset_codes_staff ON staff_reset_codes (tenant_id, staff_id);
