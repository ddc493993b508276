-- Tenants, their hostnames and branding assets, sites, contacts and staff.
CREATE TABLE tenants (
    id              INTEGER PRIMARY KEY,
    slug            TEXT    NOT NULL UNIQUE,
    name            TEXT    NOT NULL,
    primary_color   TEXT    NOT NULL,
    accent_color    TEXT    NOT NULL,
    footer          TEXT    NOT NULL DEFAULT '',
    default_locale  TEXT    NOT NULL,
    enabled_locales TEXT    NOT NULL,
    ticket_types    TEXT    NOT NULL,
    auto_close_days INTEGER NOT NULL,
    max_upload_mb   INTEGER NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);

CREATE TABLE tenant_domains (
    hostname  TEXT    PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE
);
CREATE INDEX tenant_domains_tenant ON tenant_domains (tenant_id);

CREATE TABLE tenant_assets (
    tenant_id    INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    kind         TEXT    NOT NULL,
    content_type TEXT    NOT NULL,
    data         BLOB    NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, kind)
);

CREATE TABLE sites (
    id         INTEGER PRIMARY KEY,
    tenant_id  INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name       TEXT    NOT NULL,
    kb_enabled INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, name)
);

CREATE TABLE contacts (
    id                   INTEGER PRIMARY KEY,
    tenant_id            INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    email                TEXT    NOT NULL,
    password_hash        TEXT    NOT NULL DEFAULT '',
    first_name           TEXT    NOT NULL DEFAULT '',
    last_name            TEXT    NOT NULL DEFAULT '',
    job_title            TEXT    NOT NULL DEFAULT '',
    phone                TEXT    NOT NULL DEFAULT '',
    locale               TEXT    NOT NULL DEFAULT '',
    must_change_password INTEGER NOT NULL DEFAULT 0,
    disabled             INTEGER NOT NULL DEFAULT 0,
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, email)
);

CREATE TABLE contact_sites (
    contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    site_id    INTEGER NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    role       TEXT    NOT NULL,
    PRIMARY KEY (contact_id, site_id)
);
CREATE INDEX contact_sites_site ON contact_sites (site_id);

CREATE TABLE staff (
    id            INTEGER PRIMARY KEY,
    tenant_id     INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    email         TEXT    NOT NULL,
    password_hash TEXT    NOT NULL DEFAULT '',
    name          TEXT    NOT NULL DEFAULT '',
    role          TEXT    NOT NULL,
    locale        TEXT    NOT NULL DEFAULT '',
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, email)
);
