-- The help center's pages count the readable articles of each section
-- and show the categories and sections: both are cached per tenant (kb's
-- Service), so an edit of the knowledge base — its categories, sections,
-- articles and their reach — moves the tenant's cache version. A reading
-- or a vote changes only an article's views and votes, which move
-- nothing (the most read are counted again after a minute); nor does a
-- translation, whose titles every page reads afresh. Edits are staff's,
-- never ticket traffic.

CREATE TRIGGER tenant_cache_kb_categories_insert AFTER INSERT ON kb_categories BEGIN
    UPDATE tenant_cache_versions SET version = version + 1 WHERE tenant_id = NEW.tenant_id;
END;

CREATE TRIGGER tenant_cache_kb_categories_update AFTER UPDATE ON kb_categories BEGIN
    UPDATE tenant_cache_versions SET version = version + 1 WHERE tenant_id = NEW.tenant_id;
END;

CREATE TRIGGER tenant_cache_kb_categories_delete AFTER DELETE ON kb_categories BEGIN
    UPDATE tenant_cache_versions SET version = version + 1 WHERE tenant_id = OLD.tenant_id;
END;

CREATE TRIGGER tenant_cache_kb_sections_insert AFTER INSERT ON kb_sections BEGIN
    UPDATE tenant_cache_versions SET version = version + 1 WHERE tenant_id = NEW.tenant_id;
END;

CREATE TRIGGER tenant_cache_kb_sections_update AFTER UPDATE ON kb_sections BEGIN
    UPDATE tenant_cache_versions SET version = version + 1 WHERE tenant_id = NEW.tenant_id;
END;

CREATE TRIGGER tenant_cache_kb_sections_delete AFTER DELETE ON kb_sections BEGIN
    UPDATE tenant_cache_versions SET version = version + 1 WHERE tenant_id = OLD.tenant_id;
END;

CREATE TRIGGER tenant_cache_kb_reach_insert AFTER INSERT ON kb_reach BEGIN
    UPDATE tenant_cache_versions SET version = version + 1 WHERE tenant_id = NEW.tenant_id;
END;

CREATE TRIGGER tenant_cache_kb_reach_update AFTER UPDATE ON kb_reach BEGIN
    UPDATE tenant_cache_versions SET version = version + 1 WHERE tenant_id = NEW.tenant_id;
END;

CREATE TRIGGER tenant_cache_kb_reach_delete AFTER DELETE ON kb_reach BEGIN
    UPDATE tenant_cache_versions SET version = version + 1 WHERE tenant_id = OLD.tenant_id;
END;

CREATE TRIGGER tenant_cache_kb_articles_insert AFTER INSERT ON kb_articles BEGIN
    UPDATE tenant_cache_versions SET version = version + 1 WHERE tenant_id = NEW.tenant_id;
END;

CREATE TRIGGER tenant_cache_kb_articles_update AFTER UPDATE OF tenant_id, section_id, position, state, all_sites ON kb_articles BEGIN
    UPDATE tenant_cache_versions SET version = version + 1 WHERE tenant_id = NEW.tenant_id;
END;

CREATE TRIGGER tenant_cache_kb_articles_delete AFTER DELETE ON kb_articles BEGIN
    UPDATE tenant_cache_versions SET version = version + 1 WHERE tenant_id = OLD.tenant_id;
END;
