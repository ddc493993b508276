-- Every reader of the knowledge base reads through their sites with it
-- enabled: the tenant's set of such sites is cached per tenant (kb's
-- Service), so a change of the tenant's sites moves its cache version.
-- Sites change by an admin's hand, never with ticket traffic.
CREATE TRIGGER tenant_cache_bump AFTER INSERT OR UPDATE OR DELETE ON sites
    FOR EACH ROW EXECUTE FUNCTION tenant_cache_bump('tenant_id');
