-- A new message adds its words to its ticket's document instead of
-- rebuilding the document from the whole conversation: the cost of a
-- reply no longer grows with the replies before it (a ticket of a
-- hundred messages re-read and re-parsed all of them at each new one,
-- docs/benchmarks.md, "Soak"). The documents are stripped (no
-- positions), so "||" is the union of the lexemes. A message changed
-- (anonymised) or removed still rebuilds the document, since its words
-- must leave it.
CREATE OR REPLACE FUNCTION ticket_search_message() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    words tsvector;
BEGIN
    IF TG_OP = 'INSERT' THEN
        words := strip(to_tsvector('simple', NEW.body));
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
