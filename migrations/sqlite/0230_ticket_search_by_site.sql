-- A ticket's document in the word index is now keyed by its site: rowid =
-- (site_id << 40) | ticket id, so that the documents of one site are one
-- range of keys. A search in a site asks FTS5 for its words within that
-- range, which FTS5 reads from its lists without the rest (a seek, then
-- the site's part); it asked for the scope token "s<site>" AND the words
-- before, and FTS5 read both lists whole: "printer" at a million tickets
-- walked 100,000 entries of the word and 100,000 of the site for 10,000
-- matches (store/ticket_search.go, docs/benchmarks.md). The scope column
-- keeps "t<tenant>", for a search over a whole tenant.
-- Keys hold ticket ids below 2^40 and site ids below 2^23; the insert
-- trigger refuses larger ones rather than mix two tickets' documents.
-- The documents are copied, not rebuilt from the tickets (the copy's key
-- takes the old key's low 40 bits, the ticket id either way, so that the
-- migration can run again).
DROP TRIGGER IF EXISTS ticket_fts_insert;
DROP TRIGGER IF EXISTS ticket_fts_delete;
DROP TRIGGER IF EXISTS ticket_fts_text;
DROP TRIGGER IF EXISTS ticket_fts_message;
DROP TRIGGER IF EXISTS ticket_fts_message_change;
DROP TRIGGER IF EXISTS ticket_fts_message_delete;
DROP TRIGGER IF EXISTS ticket_fts_site; -- this migration's own, when it runs again
DROP TABLE ticket_fts_words;
ALTER TABLE ticket_fts RENAME TO ticket_fts_old;

CREATE VIRTUAL TABLE ticket_fts USING fts5(body, notes, scope, tokenize = 'unicode61 remove_diacritics 2');
INSERT INTO ticket_fts (ticket_fts, rank) VALUES ('automerge', 0); -- as 0210: the server's jobs merge
INSERT INTO ticket_fts (rowid, body, notes, scope)
SELECT (t.site_id << 40) | (o.rowid & 1099511627775), o.body, o.notes, 't' || t.tenant_id
FROM ticket_fts_old AS o JOIN tickets AS t ON t.id = o.rowid & 1099511627775;
DROP TABLE ticket_fts_old;
CREATE VIRTUAL TABLE ticket_fts_words USING fts5vocab(ticket_fts, instance); -- as 0180

CREATE TRIGGER ticket_fts_insert AFTER INSERT ON tickets BEGIN
    SELECT RAISE(ABORT, 'ticket or site id too large for the word index') WHERE NEW.id >= (1 << 40) OR NEW.site_id >= (1 << 23);
    INSERT INTO ticket_fts (rowid, body, notes, scope)
    VALUES ((NEW.site_id << 40) | NEW.id, NEW.title || ' ' || NEW.description, '', 't' || NEW.tenant_id);
END;

CREATE TRIGGER ticket_fts_delete AFTER DELETE ON tickets BEGIN
    DELETE FROM ticket_fts WHERE rowid = (OLD.site_id << 40) | OLD.id;
END;

-- Every update writes the title; only a real change re-indexes.
CREATE TRIGGER ticket_fts_text AFTER UPDATE OF title, description ON tickets
WHEN (OLD.title IS NOT NEW.title OR OLD.description IS NOT NEW.description) AND OLD.site_id IS NEW.site_id BEGIN
    UPDATE ticket_fts SET body = NEW.title || ' ' || NEW.description
        || COALESCE((SELECT ' ' || group_concat(m.body, ' ') FROM ticket_messages AS m
                     WHERE m.ticket_id = NEW.id AND m.internal = 0), '')
    WHERE rowid = (NEW.site_id << 40) | NEW.id;
END;

-- A ticket moved to another site moves to that site's range of keys.
CREATE TRIGGER ticket_fts_site AFTER UPDATE OF site_id ON tickets
WHEN OLD.site_id IS NOT NEW.site_id BEGIN
    SELECT RAISE(ABORT, 'ticket or site id too large for the word index') WHERE NEW.site_id >= (1 << 23);
    INSERT INTO ticket_fts (rowid, body, notes, scope)
    SELECT (NEW.site_id << 40) | NEW.id, NEW.title || ' ' || NEW.description
        || COALESCE((SELECT ' ' || group_concat(m.body, ' ') FROM ticket_messages AS m
                     WHERE m.ticket_id = NEW.id AND m.internal = 0), ''),
        o.notes, 't' || NEW.tenant_id
    FROM ticket_fts AS o WHERE o.rowid = (OLD.site_id << 40) | OLD.id;
    DELETE FROM ticket_fts WHERE rowid = (OLD.site_id << 40) | OLD.id;
END;

-- A new message is appended to its side of the document.
CREATE TRIGGER ticket_fts_message AFTER INSERT ON ticket_messages BEGIN
    UPDATE ticket_fts SET
        body = CASE WHEN NEW.internal THEN body ELSE body || ' ' || NEW.body END,
        notes = CASE WHEN NEW.internal THEN notes || ' ' || NEW.body ELSE notes END
    WHERE rowid = (SELECT (t.site_id << 40) | t.id FROM tickets AS t WHERE t.id = NEW.ticket_id);
END;

-- A message changed (anonymised) or removed: the document is rebuilt.
CREATE TRIGGER ticket_fts_message_change AFTER UPDATE OF body, internal ON ticket_messages BEGIN
    UPDATE ticket_fts SET
        body = (SELECT t.title || ' ' || t.description FROM tickets AS t WHERE t.id = NEW.ticket_id)
            || COALESCE((SELECT ' ' || group_concat(m.body, ' ') FROM ticket_messages AS m
                         WHERE m.ticket_id = NEW.ticket_id AND m.internal = 0), ''),
        notes = COALESCE((SELECT group_concat(m.body, ' ') FROM ticket_messages AS m
                          WHERE m.ticket_id = NEW.ticket_id AND m.internal = 1), '')
    WHERE rowid = (SELECT (t.site_id << 40) | t.id FROM tickets AS t WHERE t.id = NEW.ticket_id);
END;

CREATE TRIGGER ticket_fts_message_delete AFTER DELETE ON ticket_messages
WHEN EXISTS (SELECT 1 FROM tickets WHERE id = OLD.ticket_id) BEGIN
    UPDATE ticket_fts SET
        body = (SELECT t.title || ' ' || t.description FROM tickets AS t WHERE t.id = OLD.ticket_id)
            || COALESCE((SELECT ' ' || group_concat(m.body, ' ') FROM ticket_messages AS m
                         WHERE m.ticket_id = OLD.ticket_id AND m.internal = 0), ''),
        notes = COALESCE((SELECT group_concat(m.body, ' ') FROM ticket_messages AS m
                          WHERE m.ticket_id = OLD.ticket_id AND m.internal = 1), '')
    WHERE rowid = (SELECT (t.site_id << 40) | t.id FROM tickets AS t WHERE t.id = OLD.ticket_id);
END;
