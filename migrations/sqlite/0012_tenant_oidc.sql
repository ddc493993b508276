-- A tenant's OpenID Connect provider for single sign-on (at most one).
-- create_site_id is where a contact unknown to the tenant is created when
-- allow_create is on; deleting the site turns creation off.
CREATE TABLE tenant_oidc (
    tenant_id      INTEGER PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    issuer         TEXT    NOT NULL,
    client_id      TEXT    NOT NULL,
    client_secret  TEXT    NOT NULL DEFAULT '',
    label          TEXT    NOT NULL DEFAULT '',
    allow_create   INTEGER NOT NULL DEFAULT 0,
    create_site_id INTEGER REFERENCES sites (id) ON DELETE SET NULL,
    updated_at     TIMESTAMP NOT NULL
);
