-- A ticket's document now holds each of its words qualified by its site
-- ('s<site>.<word>'), instead of the words and the scope lexemes '#t<tenant>'
-- and '#s<site>' of 0160. A search in a site asks the GIN index for
-- 's<site>.printer':*, whose list holds that site's matches only; it asked
-- for 'printer':* & '#s<site>' before, and GIN merged the lists of every
-- word starting with "printer" in the installation and intersected them
-- with the site's list: at a million tickets, 100,000 entries of each for
-- 10,000 matches, 15 ms of the search's 25 (docs/benchmarks.md). A search
-- over a whole tenant asks for the word in each of its sites (an OR), as
-- ticket_search_query writes it (store/ticket_search.go). SQLite's index
-- reaches the same end with keys by site (the SQLite migration of the same
-- name).
CREATE OR REPLACE FUNCTION ticket_search_sited(words tsvector, site BIGINT) RETURNS tsvector LANGUAGE sql IMMUTABLE AS $$
    SELECT array_to_tsvector(ARRAY(SELECT 's' || site || '.' || w FROM unnest(tsvector_to_array(words)) AS w));
$$;

-- The query of every typed word (each as a word or the start of one) in
-- any of sites. The words are cut and folded as the documents' are
-- ('ticket_words'); a lexeme is quoted as tsquery reads it. No site, or
-- no word: a query that matches nothing (no lexeme starts with '#').
CREATE OR REPLACE FUNCTION ticket_search_query(words TEXT, sites BIGINT[]) RETURNS tsquery LANGUAGE sql STABLE AS $$
    SELECT COALESCE(string_agg('(' || q.every || ')', ' | '), '''#none''')::tsquery
    FROM (SELECT (SELECT string_agg('''' || replace(replace('s' || s || '.' || w, '\', '\\'), '''', '''''') || ''':*', ' & ')
                  FROM unnest(tsvector_to_array(to_tsvector('ticket_words', words))) AS w) AS every
          FROM unnest(sites) AS s) AS q
    WHERE q.every IS NOT NULL;
$$;

CREATE OR REPLACE FUNCTION ticket_search_refresh(tid BIGINT) RETURNS void LANGUAGE sql AS $$
    INSERT INTO ticket_search (ticket_id, body, whole)
    SELECT d.id, ticket_search_sited(strip(d.body), d.site_id), ticket_search_sited(strip(d.body || to_tsvector('ticket_words', d.notes)), d.site_id)
    FROM (SELECT t.id, t.site_id,
                 to_tsvector('ticket_words', t.title || ' ' || t.description || ' ' || COALESCE(
                     (SELECT string_agg(m.body, ' ') FROM ticket_messages AS m WHERE m.ticket_id = t.id AND NOT m.internal), '')) AS body,
                 COALESCE((SELECT string_agg(m.body, ' ') FROM ticket_messages AS m WHERE m.ticket_id = t.id AND m.internal), '') AS notes
          FROM tickets AS t WHERE t.id = tid) AS d
    ON CONFLICT (ticket_id) DO UPDATE SET body = EXCLUDED.body, whole = EXCLUDED.whole;
$$;

CREATE OR REPLACE FUNCTION ticket_search_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ticket_search (ticket_id, body, whole)
    SELECT n.id, d.words, d.words
    FROM new_tickets AS n,
         LATERAL (SELECT ticket_search_sited(strip(to_tsvector('ticket_words', n.title || ' ' || n.description)), n.site_id) AS words) AS d;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION ticket_search_message() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    words tsvector;
BEGIN
    IF TG_OP = 'INSERT' THEN
        words := ticket_search_sited(strip(to_tsvector('ticket_words', NEW.body)),
                                     (SELECT t.site_id FROM tickets AS t WHERE t.id = NEW.ticket_id));
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

DROP FUNCTION IF EXISTS ticket_search_scope(BIGINT, BIGINT);

-- Every document again, its indexes built once at the end, as in 0190
-- (about half a minute per million tickets; instances wait at start).
DROP INDEX IF EXISTS ticket_search_body;
DROP INDEX IF EXISTS ticket_search_whole;
TRUNCATE ticket_search;
INSERT INTO ticket_search (ticket_id, body, whole)
SELECT d.id, ticket_search_sited(strip(d.body), d.site_id), ticket_search_sited(strip(d.body || to_tsvector('ticket_words', d.notes)), d.site_id)
FROM (SELECT t.id, t.site_id,
             to_tsvector('ticket_words', t.title || ' ' || t.description || ' ' || COALESCE(
                 (SELECT string_agg(m.body, ' ') FROM ticket_messages AS m WHERE m.ticket_id = t.id AND NOT m.internal), '')) AS body,
             COALESCE((SELECT string_agg(m.body, ' ') FROM ticket_messages AS m WHERE m.ticket_id = t.id AND m.internal), '') AS notes
      FROM tickets AS t) AS d;
CREATE INDEX ticket_search_body ON ticket_search USING GIN (body);
CREATE INDEX ticket_search_whole ON ticket_search USING GIN (whole);
ANALYZE ticket_search;
