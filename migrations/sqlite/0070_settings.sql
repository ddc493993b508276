-- Settings of issue 11/12: the public knowledge base, the tenant's time
-- zone and service hours, descriptions of ticket types, announcements,
-- and wording overrides with the version that tells every instance its
-- cached wording is stale.
ALTER TABLE tenants ADD COLUMN kb_public INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tenants ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
ALTER TABLE tenants ADD COLUMN service_hours TEXT NOT NULL DEFAULT '{"week":{},"holidays":[],"first_response_minutes":{}}';
ALTER TABLE tenants ADD COLUMN ticket_type_descriptions TEXT NOT NULL DEFAULT '{}';
ALTER TABLE tenants ADD COLUMN messages_version INTEGER NOT NULL DEFAULT 0;

CREATE TABLE announcements (
    id         INTEGER PRIMARY KEY,
    tenant_id  INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    severity   TEXT    NOT NULL CHECK (severity IN ('info', 'maintenance', 'incident')),
    starts_at  TIMESTAMP,
    ends_at    TIMESTAMP,
    all_sites  INTEGER NOT NULL DEFAULT 1,
    texts      TEXT    NOT NULL DEFAULT '{}', -- JSON: {"en": {"title": …, "body": …}}
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX announcements_tenant ON announcements (tenant_id, starts_at);

-- The chosen sites of an announcement whose all_sites is off.
CREATE TABLE announcement_sites (
    announcement_id INTEGER NOT NULL REFERENCES announcements (id) ON DELETE CASCADE,
    site_id         INTEGER NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    PRIMARY KEY (announcement_id, site_id)
);
CREATE INDEX announcement_sites_site ON announcement_sites (site_id);

CREATE TABLE message_overrides (
    tenant_id  INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    locale     TEXT    NOT NULL,
    message_id TEXT    NOT NULL,
    text       TEXT    NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, locale, message_id)
);
