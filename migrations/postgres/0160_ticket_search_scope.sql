-- A word search looks in the tickets of the reader's sites only; until
-- now the GIN index answered every ticket of the installation holding
-- the word, and PostgreSQL read each of those rows to keep the site's:
-- a word common in other tenants made this tenant's search slow. Each
-- ticket's document now also holds its scope as two lexemes, '#t<tenant>'
-- and '#s<site>', which no typed word (letters and digits) is or starts,
-- so that the index itself intersects the words with the sites
-- (store/ticket_search.go), as SQLite's FTS5 scope column does. Moving a
-- ticket to another site re-indexes it.
CREATE FUNCTION ticket_search_scope(tenant BIGINT, site BIGINT) RETURNS tsvector LANGUAGE sql IMMUTABLE AS $$
    SELECT ('''#t' || tenant || ''' ''#s' || site || '''')::tsvector;
$$;

CREATE OR REPLACE FUNCTION ticket_search_refresh(tid BIGINT) RETURNS void LANGUAGE sql AS $$
    INSERT INTO ticket_search (ticket_id, body, whole)
    SELECT d.id, strip(d.body) || d.scope, strip(d.body || to_tsvector('simple', d.notes)) || d.scope
    FROM (SELECT t.id, ticket_search_scope(t.tenant_id, t.site_id) AS scope,
                 to_tsvector('simple', t.title || ' ' || t.description || ' ' || COALESCE(
                     (SELECT string_agg(m.body, ' ') FROM ticket_messages AS m WHERE m.ticket_id = t.id AND NOT m.internal), '')) AS body,
                 COALESCE((SELECT string_agg(m.body, ' ') FROM ticket_messages AS m WHERE m.ticket_id = t.id AND m.internal), '') AS notes
          FROM tickets AS t WHERE t.id = tid) AS d
    ON CONFLICT (ticket_id) DO UPDATE SET body = EXCLUDED.body, whole = EXCLUDED.whole;
$$;

CREATE OR REPLACE FUNCTION ticket_search_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ticket_search (ticket_id, body, whole)
    SELECT n.id, strip(to_tsvector('simple', n.title || ' ' || n.description)) || ticket_search_scope(n.tenant_id, n.site_id),
           strip(to_tsvector('simple', n.title || ' ' || n.description)) || ticket_search_scope(n.tenant_id, n.site_id)
    FROM new_tickets AS n;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION ticket_search_ticket() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Every update writes the title; only a real change re-indexes.
    IF OLD.title IS DISTINCT FROM NEW.title OR OLD.description IS DISTINCT FROM NEW.description
       OR OLD.site_id IS DISTINCT FROM NEW.site_id THEN
        PERFORM ticket_search_refresh(NEW.id);
    END IF;
    RETURN NULL;
END $$;
DROP TRIGGER ticket_search_ticket ON tickets;
CREATE TRIGGER ticket_search_ticket AFTER UPDATE OF title, description, site_id ON tickets
    FOR EACH ROW EXECUTE FUNCTION ticket_search_ticket();

UPDATE ticket_search AS ts SET body = ts.body || ticket_search_scope(t.tenant_id, t.site_id),
                               whole = ts.whole || ticket_search_scope(t.tenant_id, t.site_id)
FROM tickets AS t WHERE t.id = ts.ticket_id;
