-- What every request needs of its tenant — the tenant and its hosts,
-- branding, single sign-on, field policies, ticket fields, the session and its contact or
-- staff member — is cached in memory by each instance of the portal. A
-- tenant's version moves, by the triggers below, in the same transaction
-- as any change to those rows, whoever makes it (any instance, a command
-- of the CLI, an engineer's SQL); each request reads it with one
-- primary-key lookup and drops what was cached at an older version. A new
-- session or a new contact changes nothing cached, so inserting one does
-- not move it.
--
-- The bump holds the tenant's version row until commit, so two such
-- changes of one tenant queue; these are rare (settings, logouts), never
-- ticket traffic.
CREATE TABLE tenant_cache_versions (
    tenant_id BIGINT PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    version   BIGINT NOT NULL
);
INSERT INTO tenant_cache_versions (tenant_id, version) SELECT id, 1 FROM tenants;

CREATE FUNCTION tenant_cache_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO tenant_cache_versions (tenant_id, version) VALUES (NEW.id, 1);
    RETURN NULL;
END $$;
CREATE TRIGGER tenant_cache_new AFTER INSERT ON tenants FOR EACH ROW EXECUTE FUNCTION tenant_cache_new();

-- TG_ARGV[0] names the column that holds the tenant: tenant_id, id (the
-- tenants table itself) or contact_id (memberships, through contacts).
CREATE FUNCTION tenant_cache_bump() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r   JSONB;
    tid BIGINT;
BEGIN
    IF TG_OP = 'DELETE' THEN r := to_jsonb(OLD); ELSE r := to_jsonb(NEW); END IF;
    IF TG_ARGV[0] = 'contact_id' THEN
        SELECT c.tenant_id INTO tid FROM contacts AS c WHERE c.id = (r ->> 'contact_id')::BIGINT;
    ELSE
        tid := (r ->> TG_ARGV[0])::BIGINT;
    END IF;
    UPDATE tenant_cache_versions SET version = version + 1 WHERE tenant_id = tid;
    RETURN NULL;
END $$;
CREATE TRIGGER tenant_cache_bump AFTER UPDATE OR DELETE ON tenants
    FOR EACH ROW EXECUTE FUNCTION tenant_cache_bump('id');
CREATE TRIGGER tenant_cache_bump AFTER INSERT OR UPDATE OR DELETE ON tenant_domains
    FOR EACH ROW EXECUTE FUNCTION tenant_cache_bump('tenant_id');
CREATE TRIGGER tenant_cache_bump AFTER INSERT OR UPDATE OR DELETE ON tenant_oidc
    FOR EACH ROW EXECUTE FUNCTION tenant_cache_bump('tenant_id');
CREATE TRIGGER tenant_cache_bump AFTER INSERT OR UPDATE OR DELETE ON tenant_assets
    FOR EACH ROW EXECUTE FUNCTION tenant_cache_bump('tenant_id');
CREATE TRIGGER tenant_cache_bump AFTER INSERT OR UPDATE OR DELETE ON field_policy_rules
    FOR EACH ROW EXECUTE FUNCTION tenant_cache_bump('tenant_id');
CREATE TRIGGER tenant_cache_bump AFTER INSERT OR UPDATE OR DELETE ON ticket_fields
    FOR EACH ROW EXECUTE FUNCTION tenant_cache_bump('tenant_id');
CREATE TRIGGER tenant_cache_bump AFTER UPDATE OR DELETE ON contacts
    FOR EACH ROW EXECUTE FUNCTION tenant_cache_bump('tenant_id');
CREATE TRIGGER tenant_cache_bump AFTER INSERT OR UPDATE OR DELETE ON contact_sites
    FOR EACH ROW EXECUTE FUNCTION tenant_cache_bump('contact_id');
CREATE TRIGGER tenant_cache_bump AFTER UPDATE OR DELETE ON staff
    FOR EACH ROW EXECUTE FUNCTION tenant_cache_bump('tenant_id');
CREATE TRIGGER tenant_cache_bump AFTER DELETE ON sessions
    FOR EACH ROW EXECUTE FUNCTION tenant_cache_bump('tenant_id');
-- Using a session extends it (no bump); anything else that changes one —
-- a shorter expiry, another owner or token — does.
CREATE TRIGGER tenant_cache_bump_update AFTER UPDATE ON sessions
    FOR EACH ROW WHEN (NEW.expires_at < OLD.expires_at OR NEW.subject_id IS DISTINCT FROM OLD.subject_id
        OR NEW.kind IS DISTINCT FROM OLD.kind OR NEW.csrf_token IS DISTINCT FROM OLD.csrf_token)
    EXECUTE FUNCTION tenant_cache_bump('tenant_id');
