-- A contact's accounts at OpenID providers (the tenant's, a site's): a
-- sign-in is matched on the provider's stable subject, never again on an
-- email claim. The key is (issuer, subject), and for Microsoft Entra
-- (tid, oid) under the issuer, which outlives a new app registration.
-- email is the address the provider gave last, for the console.
CREATE TABLE contact_identities (
    id           INTEGER PRIMARY KEY,
    tenant_id    INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    contact_id   INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    site_id      INTEGER REFERENCES sites (id) ON DELETE SET NULL,
    issuer       TEXT    NOT NULL,
    subject      TEXT    NOT NULL,
    tid          TEXT    NOT NULL DEFAULT '',
    oid          TEXT    NOT NULL DEFAULT '',
    email        TEXT    NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX contact_identities_subject ON contact_identities (tenant_id, issuer, subject);
CREATE UNIQUE INDEX contact_identities_entra ON contact_identities (tenant_id, issuer, tid, oid) WHERE oid <> '';
CREATE INDEX contact_identities_contact ON contact_identities (contact_id);

-- The login page asks for the email first when a site has its own
-- provider: that is cached per tenant, so site_oidc moves the version.
CREATE TRIGGER tenant_cache_site_oidc_insert AFTER INSERT ON site_oidc BEGIN
    UPDATE tenant_cache_versions SET version = version + 1 WHERE tenant_id = NEW.tenant_id;
END;

CREATE TRIGGER tenant_cache_site_oidc_update AFTER UPDATE ON site_oidc BEGIN
    UPDATE tenant_cache_versions SET version = version + 1 WHERE tenant_id = NEW.tenant_id;
END;

CREATE TRIGGER tenant_cache_site_oidc_delete AFTER DELETE ON site_oidc BEGIN
    UPDATE tenant_cache_versions SET version = version + 1 WHERE tenant_id = OLD.tenant_id;
END;
