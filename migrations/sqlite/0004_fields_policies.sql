-- Custom ticket fields and the field-visibility policy rules of each tenant.
CREATE TABLE ticket_fields (
    id           INTEGER PRIMARY KEY,
    tenant_id    INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    key          TEXT    NOT NULL,
    type         TEXT    NOT NULL,
    labels       TEXT    NOT NULL,             -- JSON: locale → label
    options      TEXT    NOT NULL DEFAULT '[]', -- JSON: [{value, labels}]
    position     INTEGER NOT NULL DEFAULT 0,
    required     INTEGER NOT NULL DEFAULT 0,
    ticket_types TEXT    NOT NULL DEFAULT '[]', -- JSON: [] means every type
    deleted_at   TIMESTAMP,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    -- Deleted fields keep their key: tickets still hold values under it.
    UNIQUE (tenant_id, key)
);
CREATE INDEX ticket_fields_order ON ticket_fields (tenant_id, position, key);

-- One mode per (role, site, field); site_id 0 is the rule for every site.
CREATE TABLE field_policy_rules (
    tenant_id INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    role      TEXT    NOT NULL CHECK (role IN ('member', 'site_manager')),
    site_id   INTEGER NOT NULL DEFAULT 0,
    field     TEXT    NOT NULL,
    mode      TEXT    NOT NULL CHECK (mode IN ('editable', 'view-only', 'hidden')),
    PRIMARY KEY (tenant_id, role, site_id, field)
);

-- Bumped in the same transaction as every rule change, so each instance
-- can tell with one primary-key read whether its cached policy is stale.
CREATE TABLE tenant_policy_versions (
    tenant_id INTEGER PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    version   INTEGER NOT NULL
);
