-- Knowledge base: categories > sections > articles with per-locale
-- translations, site reach at every level, and one vote per contact.
CREATE TABLE kb_categories (
    id           INTEGER PRIMARY KEY,
    tenant_id    INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    names        TEXT    NOT NULL,             -- JSON: locale → name
    descriptions TEXT    NOT NULL DEFAULT '{}', -- JSON: locale → text
    position     INTEGER NOT NULL DEFAULT 0,
    all_sites    INTEGER NOT NULL DEFAULT 1,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
CREATE INDEX kb_categories_tenant ON kb_categories (tenant_id, position);

CREATE TABLE kb_sections (
    id           INTEGER PRIMARY KEY,
    tenant_id    INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    category_id  INTEGER NOT NULL REFERENCES kb_categories (id),
    names        TEXT    NOT NULL,
    descriptions TEXT    NOT NULL DEFAULT '{}',
    position     INTEGER NOT NULL DEFAULT 0,
    all_sites    INTEGER NOT NULL DEFAULT 1,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
CREATE INDEX kb_sections_category ON kb_sections (tenant_id, category_id, position);

CREATE TABLE kb_articles (
    id           INTEGER PRIMARY KEY,
    tenant_id    INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    section_id   INTEGER NOT NULL REFERENCES kb_sections (id),
    position     INTEGER NOT NULL DEFAULT 0,
    state        TEXT    NOT NULL CHECK (state IN ('draft', 'published')),
    all_sites    INTEGER NOT NULL DEFAULT 1,
    views        INTEGER NOT NULL DEFAULT 0,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    published_at TIMESTAMP
);
CREATE INDEX kb_articles_section ON kb_articles (tenant_id, section_id, position);

CREATE TABLE kb_translations (
    article_id INTEGER NOT NULL REFERENCES kb_articles (id) ON DELETE CASCADE,
    locale     TEXT    NOT NULL,
    title      TEXT    NOT NULL,
    body       TEXT    NOT NULL DEFAULT '',
    keywords   TEXT    NOT NULL DEFAULT '[]', -- JSON: ["…"]
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (article_id, locale)
);

-- The chosen sites of a category, section or article whose all_sites is
-- off. Deleting a site removes it from every reach (and so hides what was
-- only for it).
CREATE TABLE kb_reach (
    tenant_id INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    kind      TEXT    NOT NULL CHECK (kind IN ('category', 'section', 'article')),
    object_id INTEGER NOT NULL,
    site_id   INTEGER NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    PRIMARY KEY (kind, object_id, site_id)
);
CREATE INDEX kb_reach_site ON kb_reach (site_id);

CREATE TABLE kb_votes (
    article_id INTEGER NOT NULL REFERENCES kb_articles (id) ON DELETE CASCADE,
    contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    helpful    INTEGER NOT NULL,
    voted_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (article_id, contact_id)
);
