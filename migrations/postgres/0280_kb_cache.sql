-- The help center's pages count the readable articles of each section
-- and show the categories and sections: both are cached per tenant (kb's
-- Service), so an edit of the knowledge base — its categories, sections,
-- articles and their reach — moves the tenant's cache version. A reading
-- or a vote changes only an article's views and votes, which move
-- nothing (the most read are counted again after a minute); nor does a
-- translation, whose titles every page reads afresh. Edits are staff's,
-- never ticket traffic.
CREATE TRIGGER tenant_cache_bump AFTER INSERT OR UPDATE OR DELETE ON kb_categories
    FOR EACH ROW EXECUTE FUNCTION tenant_cache_bump('tenant_id');
CREATE TRIGGER tenant_cache_bump AFTER INSERT OR UPDATE OR DELETE ON kb_sections
    FOR EACH ROW EXECUTE FUNCTION tenant_cache_bump('tenant_id');
CREATE TRIGGER tenant_cache_bump AFTER INSERT OR DELETE ON kb_articles
    FOR EACH ROW EXECUTE FUNCTION tenant_cache_bump('tenant_id');
CREATE TRIGGER tenant_cache_bump_update AFTER UPDATE OF tenant_id, section_id, position, state, all_sites ON kb_articles
    FOR EACH ROW EXECUTE FUNCTION tenant_cache_bump('tenant_id');
CREATE TRIGGER tenant_cache_bump AFTER INSERT OR UPDATE OR DELETE ON kb_reach
    FOR EACH ROW EXECUTE FUNCTION tenant_cache_bump('tenant_id');
