-- A client site's own OpenID Connect provider (its Entra or Google
-- Workspace tenant) and the email domains that lead to it on the login
-- page; allow_create lets an unknown verified address of those domains
-- become a member of the site. The client secret is stored sealed.
CREATE TABLE site_oidc (
    site_id       BIGINT  PRIMARY KEY REFERENCES sites (id) ON DELETE CASCADE,
    tenant_id     BIGINT  NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    issuer        TEXT    NOT NULL,
    client_id     TEXT    NOT NULL,
    client_secret TEXT    NOT NULL DEFAULT '',
    label         TEXT    NOT NULL DEFAULT '',
    domains       TEXT    NOT NULL,
    allow_create  BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX site_oidc_tenant ON site_oidc (tenant_id);
