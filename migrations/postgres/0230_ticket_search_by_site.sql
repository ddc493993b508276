-- A ticket's document now holds its words qualified by where they are
-- searched, instead of the words and the scope lexemes '#t<tenant>' and
-- '#s<site>' of 0160. body, which contacts search, always within sites,
-- holds each word qualified by the ticket's site ('s<site>.printer'): a
-- search in a site asks the GIN index for 's<site>.printer':*, whose list
-- holds that site's matches only; it asked for 'printer':* & '#s<site>'
-- before, and GIN merged the lists of every word starting with "printer"
-- in the installation and intersected them with the site's list — at a
-- million tickets, 100,000 entries of each for 10,000 matches, 15 ms of
-- the search's 25 (docs/benchmarks.md). whole, which staff search, often
-- over the whole tenant, holds each word qualified by the tenant
-- ('t<tenant>.printer') and the site's lexeme '#s<site>', which a staff
-- search within sites intersects with: asking for the word in each site
-- would cost a tenant of a thousand sites a thousand lookups.
-- ticket_search_query writes the query of typed words
-- (store/ticket_search.go). SQLite's index reaches the same end with keys
-- by site (the SQLite migration of the same name).
CREATE OR REPLACE FUNCTION ticket_search_qualified(words tsvector, prefix TEXT) RETURNS tsvector LANGUAGE sql IMMUTABLE AS $$
    SELECT array_to_tsvector(ARRAY(SELECT prefix || w FROM unnest(tsvector_to_array(words)) AS w));
$$;

-- A ticket's two documents, from its words (with its notes' for whole).
CREATE OR REPLACE FUNCTION ticket_search_body(words tsvector, site BIGINT) RETURNS tsvector LANGUAGE sql IMMUTABLE AS $$
    SELECT ticket_search_qualified(strip(words), 's' || site || '.');
$$;
CREATE OR REPLACE FUNCTION ticket_search_whole(words tsvector, tenant BIGINT, site BIGINT) RETURNS tsvector LANGUAGE sql IMMUTABLE AS $$
    SELECT ticket_search_qualified(strip(words), 't' || tenant || '.') || ('''#s' || site || '''')::tsvector;
$$;

-- The query of every typed word (each as a word or the start of one) under
-- any of prefixes ('s<site>.' or 't<tenant>.'). The words are cut and
-- folded as the documents' are ('ticket_words'); a lexeme is quoted as
-- tsquery reads it. No prefix, or no word: a query that matches nothing
-- (no lexeme is '#none').
CREATE OR REPLACE FUNCTION ticket_search_query(words TEXT, prefixes TEXT[]) RETURNS tsquery LANGUAGE sql STABLE AS $$
    SELECT COALESCE(string_agg('(' || q.every || ')', ' | '), '''#none''')::tsquery
    FROM (SELECT (SELECT string_agg('''' || replace(replace(p || w, '\', '\\'), '''', '''''') || ''':*', ' & ')
                  FROM unnest(tsvector_to_array(to_tsvector('ticket_words', words))) AS w) AS every
          FROM unnest(prefixes) AS p) AS q
    WHERE q.every IS NOT NULL;
$$;

CREATE OR REPLACE FUNCTION ticket_search_refresh(tid BIGINT) RETURNS void LANGUAGE sql AS $$
    INSERT INTO ticket_search (ticket_id, body, whole)
    SELECT d.id, ticket_search_body(d.body, d.site_id), ticket_search_whole(d.body || to_tsvector('ticket_words', d.notes), d.tenant_id, d.site_id)
    FROM (SELECT t.id, t.tenant_id, t.site_id,
                 to_tsvector('ticket_words', t.title || ' ' || t.description || ' ' || COALESCE(
                     (SELECT string_agg(m.body, ' ') FROM ticket_messages AS m WHERE m.ticket_id = t.id AND NOT m.internal), '')) AS body,
                 COALESCE((SELECT string_agg(m.body, ' ') FROM ticket_messages AS m WHERE m.ticket_id = t.id AND m.internal), '') AS notes
          FROM tickets AS t WHERE t.id = tid) AS d
    ON CONFLICT (ticket_id) DO UPDATE SET body = EXCLUDED.body, whole = EXCLUDED.whole;
$$;

CREATE OR REPLACE FUNCTION ticket_search_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ticket_search (ticket_id, body, whole)
    SELECT n.id, ticket_search_body(d.words, n.site_id), ticket_search_whole(d.words, n.tenant_id, n.site_id)
    FROM new_tickets AS n, LATERAL (SELECT to_tsvector('ticket_words', n.title || ' ' || n.description) AS words) AS d;
    RETURN NULL;
END $$;

-- A new message adds its words to both documents (0170), qualified.
CREATE OR REPLACE FUNCTION ticket_search_message() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    words tsvector;
    tenant BIGINT;
    site BIGINT;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT t.tenant_id, t.site_id INTO tenant, site FROM tickets AS t WHERE t.id = NEW.ticket_id;
        words := strip(to_tsvector('ticket_words', NEW.body));
        IF NEW.internal THEN
            UPDATE ticket_search SET whole = whole || ticket_search_qualified(words, 't' || tenant || '.')
            WHERE ticket_id = NEW.ticket_id;
        ELSE
            UPDATE ticket_search SET body = body || ticket_search_qualified(words, 's' || site || '.'),
                                     whole = whole || ticket_search_qualified(words, 't' || tenant || '.')
            WHERE ticket_id = NEW.ticket_id;
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

DROP FUNCTION IF EXISTS ticket_search_scope(BIGINT, BIGINT);

-- Every document again, its indexes built once at the end, as in 0190
-- (about half a minute per million tickets; instances wait at start).
DROP INDEX IF EXISTS ticket_search_body;
DROP INDEX IF EXISTS ticket_search_whole;
TRUNCATE ticket_search;
INSERT INTO ticket_search (ticket_id, body, whole)
SELECT d.id, ticket_search_body(d.body, d.site_id), ticket_search_whole(d.body || to_tsvector('ticket_words', d.notes), d.tenant_id, d.site_id)
FROM (SELECT t.id, t.tenant_id, t.site_id,
             to_tsvector('ticket_words', t.title || ' ' || t.description || ' ' || COALESCE(
                 (SELECT string_agg(m.body, ' ') FROM ticket_messages AS m WHERE m.ticket_id = t.id AND NOT m.internal), '')) AS body,
             COALESCE((SELECT string_agg(m.body, ' ') FROM ticket_messages AS m WHERE m.ticket_id = t.id AND m.internal), '') AS notes
      FROM tickets AS t) AS d;
CREATE INDEX ticket_search_body ON ticket_search USING GIN (body);
CREATE INDEX ticket_search_whole ON ticket_search USING GIN (whole);
ANALYZE ticket_search;
