-- Ticket word search folds accents on PostgreSQL as FTS5 does on SQLite
-- (unicode61 remove_diacritics 2): "cafe" finds "Café", "cassee" finds
-- "cassée", and "café" finds both. Until now the documents were built
-- with the 'simple' configuration, which lower-cases only, so the same
-- search answered differently on the two databases. ticket_words is
-- 'simple' after the unaccent dictionary: still no stemming and no stop
-- words (tenants write in five languages, and a word is found as
-- written, or by its prefix), but no accents.
--
-- unaccent is in PostgreSQL's contrib package and trusted: the database
-- owner may create it (docs/deploy.md). Its schema is the one the
-- knowledge-base index uses (public when missing); both take the same
-- lock, so that instances and test schemas migrating together do not
-- race to create it.
SELECT pg_advisory_xact_lock(hashtext('svcportal search'));
CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public;
CREATE TEXT SEARCH CONFIGURATION ticket_words (COPY = pg_catalog.simple);
DO $$
DECLARE
    schema TEXT;
BEGIN
    SELECT n.nspname INTO schema FROM pg_extension AS e JOIN pg_namespace AS n ON n.oid = e.extnamespace
    WHERE e.extname = 'unaccent';
    EXECUTE format('ALTER TEXT SEARCH CONFIGURATION ticket_words ALTER MAPPING FOR '
        'asciiword, asciihword, hword_asciipart, word, hword, hword_part, numword, numhword, hword_numpart '
        'WITH %I.unaccent, pg_catalog.simple', schema);
END $$;

CREATE OR REPLACE FUNCTION ticket_search_refresh(tid BIGINT) RETURNS void LANGUAGE sql AS $$
    INSERT INTO ticket_search (ticket_id, body, whole)
    SELECT d.id, strip(d.body) || d.scope, strip(d.body || to_tsvector('ticket_words', d.notes)) || d.scope
    FROM (SELECT t.id, ticket_search_scope(t.tenant_id, t.site_id) AS scope,
                 to_tsvector('ticket_words', t.title || ' ' || t.description || ' ' || COALESCE(
                     (SELECT string_agg(m.body, ' ') FROM ticket_messages AS m WHERE m.ticket_id = t.id AND NOT m.internal), '')) AS body,
                 COALESCE((SELECT string_agg(m.body, ' ') FROM ticket_messages AS m WHERE m.ticket_id = t.id AND m.internal), '') AS notes
          FROM tickets AS t WHERE t.id = tid) AS d
    ON CONFLICT (ticket_id) DO UPDATE SET body = EXCLUDED.body, whole = EXCLUDED.whole;
$$;

CREATE OR REPLACE FUNCTION ticket_search_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ticket_search (ticket_id, body, whole)
    SELECT n.id, strip(to_tsvector('ticket_words', n.title || ' ' || n.description)) || ticket_search_scope(n.tenant_id, n.site_id),
           strip(to_tsvector('ticket_words', n.title || ' ' || n.description)) || ticket_search_scope(n.tenant_id, n.site_id)
    FROM new_tickets AS n;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION ticket_search_message() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    words tsvector;
BEGIN
    IF TG_OP = 'INSERT' THEN
        words := strip(to_tsvector('ticket_words', NEW.body));
        IF NEW.internal THEN
            UPDATE ticket_search SET whole = whole || words WHERE ticket_id = NEW.ticket_id;
        ELSE
            UPDATE ticket_search SET body = body || words, whole = whole || words WHERE ticket_id = NEW.ticket_id;
        END IF;
        IF NOT FOUND THEN
            PERFORM ticket_search_refresh(NEW.ticket_id);
        END IF;
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM ticket_search_refresh(OLD.ticket_id);
    ELSE
        PERFORM ticket_search_refresh(NEW.ticket_id);
    END IF;
    RETURN NULL;
END $$;

-- Every document again, with the new words: without their indexes, which
-- are built once at the end (a GIN index built whole is several times
-- faster than one kept up row by row). This takes a while on a large
-- installation (3 s for 100,000 tickets here, so half a minute per
-- million); the migration holds the migration lock meanwhile, and
-- instances wait at start.
DROP INDEX ticket_search_body;
DROP INDEX ticket_search_whole;
TRUNCATE ticket_search;
INSERT INTO ticket_search (ticket_id, body, whole)
SELECT d.id, strip(d.body) || d.scope, strip(d.body || to_tsvector('ticket_words', d.notes)) || d.scope
FROM (SELECT t.id, ticket_search_scope(t.tenant_id, t.site_id) AS scope,
             to_tsvector('ticket_words', t.title || ' ' || t.description || ' ' || COALESCE(
                 (SELECT string_agg(m.body, ' ') FROM ticket_messages AS m WHERE m.ticket_id = t.id AND NOT m.internal), '')) AS body,
             COALESCE((SELECT string_agg(m.body, ' ') FROM ticket_messages AS m WHERE m.ticket_id = t.id AND m.internal), '') AS notes
      FROM tickets AS t) AS d;
CREATE INDEX ticket_search_body ON ticket_search USING GIN (body);
CREATE INDEX ticket_search_whole ON ticket_search USING GIN (whole);
ANALYZE ticket_search;
