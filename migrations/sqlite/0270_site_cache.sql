-- Every reader of the knowledge base reads through their sites with it
-- enabled: the tenant's set of such sites is cached per tenant (kb's
-- Service), so a change of the tenant's sites moves its cache version.
-- Sites change by an admin's hand, never with ticket traffic.
CREATE TRIGGER tenant_cache_sites_insert AFTER INSERT ON sites BEGIN
    UPDATE tenant_cache_versions SET version = version + 1 WHERE tenant_id = NEW.tenant_id;
END;

CREATE TRIGGER tenant_cache_sites_update AFTER UPDATE ON sites BEGIN
    UPDATE tenant_cache_versions SET version = version + 1 WHERE tenant_id = NEW.tenant_id;
END;

CREATE TRIGGER tenant_cache_sites_delete AFTER DELETE ON sites BEGIN
    UPDATE tenant_cache_versions SET version = version + 1 WHERE tenant_id = OLD.tenant_id;
END;
