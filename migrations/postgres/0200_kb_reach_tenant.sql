-- A search's hits and an article's page read the reach rows of the
-- tenant's categories and sections and of the articles at hand
-- (store/kb.go, loadReach); without this index each read scanned every
-- tenant's rows, per keystroke of the knowledge-base search.
CREATE INDEX kb_reach_tenant ON kb_reach (tenant_id, kind, object_id);
