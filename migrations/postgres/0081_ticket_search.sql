-- Word search on tickets through a full-text index instead of LIKE over
-- every row. One row per ticket: body is the title, the description and
-- the public messages, what a contact may search; whole adds the
-- internal notes, which only staff search. Triggers keep it in step
-- inside the writing transaction, whoever writes. The 'simple'
-- configuration neither stems nor drops stop words: tenants write in
-- five languages, and a word is found as written (or by its prefix).
CREATE TABLE ticket_search (
    ticket_id BIGINT PRIMARY KEY REFERENCES tickets (id) ON DELETE CASCADE,
    body      TSVECTOR NOT NULL,
    whole     TSVECTOR NOT NULL
);
CREATE INDEX ticket_search_body ON ticket_search USING GIN (body);
CREATE INDEX ticket_search_whole ON ticket_search USING GIN (whole);

CREATE FUNCTION ticket_search_refresh(tid BIGINT) RETURNS void LANGUAGE sql AS $$
    INSERT INTO ticket_search (ticket_id, body, whole)
    SELECT d.id, strip(d.body), strip(d.body || to_tsvector('simple', d.notes))
    FROM (SELECT t.id,
                 to_tsvector('simple', t.title || ' ' || t.description || ' ' || COALESCE(
                     (SELECT string_agg(m.body, ' ') FROM ticket_messages AS m WHERE m.ticket_id = t.id AND NOT m.internal), '')) AS body,
                 COALESCE((SELECT string_agg(m.body, ' ') FROM ticket_messages AS m WHERE m.ticket_id = t.id AND m.internal), '') AS notes
          FROM tickets AS t WHERE t.id = tid) AS d
    ON CONFLICT (ticket_id) DO UPDATE SET body = EXCLUDED.body, whole = EXCLUDED.whole;
$$;

INSERT INTO ticket_search (ticket_id, body, whole)
SELECT d.id, strip(d.body), strip(d.body || to_tsvector('simple', d.notes))
FROM (SELECT t.id,
             to_tsvector('simple', t.title || ' ' || t.description || ' ' || COALESCE(
                 (SELECT string_agg(m.body, ' ') FROM ticket_messages AS m WHERE m.ticket_id = t.id AND NOT m.internal), '')) AS body,
             COALESCE((SELECT string_agg(m.body, ' ') FROM ticket_messages AS m WHERE m.ticket_id = t.id AND m.internal), '') AS notes
      FROM tickets AS t) AS d;

-- New tickets, a statement at a time (portal seed inserts a thousand per
-- statement): they have no messages yet.
CREATE FUNCTION ticket_search_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ticket_search (ticket_id, body, whole)
    SELECT n.id, strip(to_tsvector('simple', n.title || ' ' || n.description)),
           strip(to_tsvector('simple', n.title || ' ' || n.description))
    FROM new_tickets AS n;
    RETURN NULL;
END $$;
CREATE TRIGGER ticket_search_new AFTER INSERT ON tickets
    REFERENCING NEW TABLE AS new_tickets FOR EACH STATEMENT EXECUTE FUNCTION ticket_search_new();

CREATE FUNCTION ticket_search_ticket() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Every update writes the title; only a real change re-indexes.
    IF OLD.title IS DISTINCT FROM NEW.title OR OLD.description IS DISTINCT FROM NEW.description THEN
        PERFORM ticket_search_refresh(NEW.id);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER ticket_search_ticket AFTER UPDATE OF title, description ON tickets
    FOR EACH ROW EXECUTE FUNCTION ticket_search_ticket();

CREATE FUNCTION ticket_search_message() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM ticket_search_refresh(OLD.ticket_id);
    ELSE
        PERFORM ticket_search_refresh(NEW.ticket_id);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER ticket_search_message AFTER INSERT OR UPDATE OF body, internal OR DELETE ON ticket_messages
    FOR EACH ROW EXECUTE FUNCTION ticket_search_message();
