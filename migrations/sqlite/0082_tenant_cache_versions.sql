-- What every request needs of its tenant — the tenant and its hosts,
-- branding, single sign-on, field policies, ticket fields, the session and its contact or
-- staff member — is cached in memory by each instance of the portal. A
-- tenant's version moves, by the triggers below, in the same transaction
-- as any change to those rows, whoever makes it (any instance, a command
-- of the CLI, an engineer's SQL); each request reads it with one
-- primary-key lookup and drops what was cached at an older version. A new
-- session or a new contact changes nothing cached, so inserting one does
-- not move it.
CREATE TABLE tenant_cache_versions (
    tenant_id INTEGER PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    version   INTEGER NOT NULL
);
INSERT INTO tenant_cache_versions (tenant_id, version) SELECT id, 1 FROM tenants;

CREATE TRIGGER tenant_cache_new AFTER INSERT ON tenants BEGIN
    INSERT INTO tenant_cache_versions (tenant_id, version) VALUES (NEW.id, 1);
END;

CREATE TRIGGER tenant_cache_tenants_update AFTER UPDATE ON tenants BEGIN
    UPDATE tenant_cache_versions SET version = version + 1 WHERE tenant_id = NEW.id;
END;

CREATE TRIGGER tenant_cache_tenants_delete AFTER DELETE ON tenants BEGIN
    UPDATE tenant_cache_versions SET version = version + 1 WHERE tenant_id = OLD.id;
END;

CREATE TRIGGER tenant_cache_tenant_domains_insert AFTER INSERT ON tenant_domains BEGIN
    UPDATE tenant_cache_versions SET version = version + 1 WHERE tenant_id = NEW.tenant_id;
END;

CREATE TRIGGER tenant_cache_tenant_domains_update AFTER UPDATE ON tenant_domains BEGIN
    UPDATE tenant_cache_versions SET version = version + 1 WHERE tenant_id = NEW.tenant_id;
END;

CREATE TRIGGER tenant_cache_tenant_domains_delete AFTER DELETE ON tenant_domains BEGIN
    UPDATE tenant_cache_versions SET version = version + 1 WHERE tenant_id = OLD.tenant_id;
END;

CREATE TRIGGER tenant_cache_tenant_oidc_insert AFTER INSERT ON tenant_oidc BEGIN
    UPDATE tenant_cache_versions SET version = version + 1 WHERE tenant_id = NEW.tenant_id;
END;

CREATE TRIGGER tenant_cache_tenant_oidc_update AFTER UPDATE ON tenant_oidc BEGIN
    UPDATE tenant_cache_versions SET version = version + 1 WHERE tenant_id = NEW.tenant_id;
END;

CREATE TRIGGER tenant_cache_tenant_oidc_delete AFTER DELETE ON tenant_oidc BEGIN
    UPDATE tenant_cache_versions SET version = version + 1 WHERE tenant_id = OLD.tenant_id;
END;

CREATE TRIGGER tenant_cache_tenant_assets_insert AFTER INSERT ON tenant_assets BEGIN
    UPDATE tenant_cache_versions SET version = version + 1 WHERE tenant_id = NEW.tenant_id;
END;

CREATE TRIGGER tenant_cache_tenant_assets_update AFTER UPDATE ON tenant_assets BEGIN
    UPDATE tenant_cache_versions SET version = version + 1 WHERE tenant_id = NEW.tenant_id;
END;

CREATE TRIGGER tenant_cache_tenant_assets_delete AFTER DELETE ON tenant_assets BEGIN
    UPDATE tenant_cache_versions SET version = version + 1 WHERE tenant_id = OLD.tenant_id;
END;

CREATE TRIGGER tenant_cache_field_policy_rules_insert AFTER INSERT ON field_policy_rules BEGIN
    UPDATE tenant_cache_versions SET version = version + 1 WHERE tenant_id = NEW.tenant_id;
END;

CREATE TRIGGER tenant_cache_field_policy_rules_update AFTER UPDATE ON field_policy_rules BEGIN
    UPDATE tenant_cache_versions SET version = version + 1 WHERE tenant_id = NEW.tenant_id;
END;

CREATE TRIGGER tenant_cache_field_policy_rules_delete AFTER DELETE ON field_policy_rules BEGIN
    UPDATE tenant_cache_versions SET version = version + 1 WHERE tenant_id = OLD.tenant_id;
END;

CREATE TRIGGER tenant_cache_ticket_fields_insert AFTER INSERT ON ticket_fields BEGIN
    UPDATE tenant_cache_versions SET version = version + 1 WHERE tenant_id = NEW.tenant_id;
END;

CREATE TRIGGER tenant_cache_ticket_fields_update AFTER UPDATE ON ticket_fields BEGIN
    UPDATE tenant_cache_versions SET version = version + 1 WHERE tenant_id = NEW.tenant_id;
END;

CREATE TRIGGER tenant_cache_ticket_fields_delete AFTER DELETE ON ticket_fields BEGIN
    UPDATE tenant_cache_versions SET version = version + 1 WHERE tenant_id = OLD.tenant_id;
END;

CREATE TRIGGER tenant_cache_contacts_update AFTER UPDATE ON contacts BEGIN
    UPDATE tenant_cache_versions SET version = version + 1 WHERE tenant_id = NEW.tenant_id;
END;

CREATE TRIGGER tenant_cache_contacts_delete AFTER DELETE ON contacts BEGIN
    UPDATE tenant_cache_versions SET version = version + 1 WHERE tenant_id = OLD.tenant_id;
END;

CREATE TRIGGER tenant_cache_contact_sites_insert AFTER INSERT ON contact_sites BEGIN
    UPDATE tenant_cache_versions SET version = version + 1 WHERE tenant_id = (SELECT c.tenant_id FROM contacts AS c WHERE c.id = NEW.contact_id);
END;

CREATE TRIGGER tenant_cache_contact_sites_update AFTER UPDATE ON contact_sites BEGIN
    UPDATE tenant_cache_versions SET version = version + 1 WHERE tenant_id = (SELECT c.tenant_id FROM contacts AS c WHERE c.id = NEW.contact_id);
END;

CREATE TRIGGER tenant_cache_contact_sites_delete AFTER DELETE ON contact_sites BEGIN
    UPDATE tenant_cache_versions SET version = version + 1 WHERE tenant_id = (SELECT c.tenant_id FROM contacts AS c WHERE c.id = OLD.contact_id);
END;

CREATE TRIGGER tenant_cache_staff_update AFTER UPDATE ON staff BEGIN
    UPDATE tenant_cache_versions SET version = version + 1 WHERE tenant_id = NEW.tenant_id;
END;

CREATE TRIGGER tenant_cache_staff_delete AFTER DELETE ON staff BEGIN
    UPDATE tenant_cache_versions SET version = version + 1 WHERE tenant_id = OLD.tenant_id;
END;

CREATE TRIGGER tenant_cache_sessions_delete AFTER DELETE ON sessions BEGIN
    UPDATE tenant_cache_versions SET version = version + 1 WHERE tenant_id = OLD.tenant_id;
END;

-- Using a session extends it (no bump); anything else that changes one —
-- a shorter expiry, another owner or token — does.
CREATE TRIGGER tenant_cache_sessions_update AFTER UPDATE ON sessions
WHEN NEW.expires_at < OLD.expires_at OR NEW.subject_id IS NOT OLD.subject_id OR NEW.kind IS NOT OLD.kind
    OR NEW.csrf_token IS NOT OLD.csrf_token OR NEW.tenant_id IS NOT OLD.tenant_id BEGIN
    UPDATE tenant_cache_versions SET version = version + 1 WHERE tenant_id = OLD.tenant_id;
END;
