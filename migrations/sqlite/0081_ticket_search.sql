-- Word search on tickets through a full-text index instead of LIKE over
-- every row. One document per ticket (rowid = tickets.id): body holds the
-- title, the description and the public messages, what a contact may
-- search; notes holds the internal notes, which only staff search; scope
-- holds "t<tenant id> s<site id>", so that a search asks the index for the
-- matches of one site (or tenant) only.
-- Triggers keep it in step inside the writing transaction, whoever
-- writes. unicode61 folds case and accents (remove_diacritics 2), so
-- "cassee" finds "cassée" in every language of the portal.
CREATE VIRTUAL TABLE ticket_fts USING fts5(body, notes, scope, tokenize = 'unicode61 remove_diacritics 2');

INSERT INTO ticket_fts (rowid, body, notes, scope)
SELECT t.id,
       t.title || ' ' || t.description || COALESCE((SELECT ' ' || group_concat(m.body, ' ') FROM ticket_messages AS m
                                                     WHERE m.ticket_id = t.id AND m.internal = 0), ''),
       COALESCE((SELECT group_concat(m.body, ' ') FROM ticket_messages AS m WHERE m.ticket_id = t.id AND m.internal = 1), ''),
       't' || t.tenant_id || ' s' || t.site_id
FROM tickets AS t;

CREATE TRIGGER ticket_fts_insert AFTER INSERT ON tickets BEGIN
    INSERT INTO ticket_fts (rowid, body, notes, scope)
    VALUES (NEW.id, NEW.title || ' ' || NEW.description, '', 't' || NEW.tenant_id || ' s' || NEW.site_id);
END;

CREATE TRIGGER ticket_fts_delete AFTER DELETE ON tickets BEGIN
    DELETE FROM ticket_fts WHERE rowid = OLD.id;
END;

-- Every update writes the title; only a real change re-indexes.
CREATE TRIGGER ticket_fts_text AFTER UPDATE OF title, description, site_id ON tickets
WHEN OLD.title IS NOT NEW.title OR OLD.description IS NOT NEW.description OR OLD.site_id IS NOT NEW.site_id BEGIN
    UPDATE ticket_fts SET body = NEW.title || ' ' || NEW.description
        || COALESCE((SELECT ' ' || group_concat(m.body, ' ') FROM ticket_messages AS m
                     WHERE m.ticket_id = NEW.id AND m.internal = 0), ''),
        scope = 't' || NEW.tenant_id || ' s' || NEW.site_id
    WHERE rowid = NEW.id;
END;

-- A new message is appended to its side of the document.
CREATE TRIGGER ticket_fts_message AFTER INSERT ON ticket_messages BEGIN
    UPDATE ticket_fts SET
        body = CASE WHEN NEW.internal THEN body ELSE body || ' ' || NEW.body END,
        notes = CASE WHEN NEW.internal THEN notes || ' ' || NEW.body ELSE notes END
    WHERE rowid = NEW.ticket_id;
END;

-- A message changed (anonymised) or removed: the document is rebuilt.
CREATE TRIGGER ticket_fts_message_change AFTER UPDATE OF body, internal ON ticket_messages BEGIN
    UPDATE ticket_fts SET
        body = (SELECT t.title || ' ' || t.description FROM tickets AS t WHERE t.id = NEW.ticket_id)
            || COALESCE((SELECT ' ' || group_concat(m.body, ' ') FROM ticket_messages AS m
                         WHERE m.ticket_id = NEW.ticket_id AND m.internal = 0), ''),
        notes = COALESCE((SELECT group_concat(m.body, ' ') FROM ticket_messages AS m
                          WHERE m.ticket_id = NEW.ticket_id AND m.internal = 1), '')
    WHERE rowid = NEW.ticket_id;
END;

CREATE TRIGGER ticket_fts_message_delete AFTER DELETE ON ticket_messages
WHEN EXISTS (SELECT 1 FROM tickets WHERE id = OLD.ticket_id) BEGIN
    UPDATE ticket_fts SET
        body = (SELECT t.title || ' ' || t.description FROM tickets AS t WHERE t.id = OLD.ticket_id)
            || COALESCE((SELECT ' ' || group_concat(m.body, ' ') FROM ticket_messages AS m
                         WHERE m.ticket_id = OLD.ticket_id AND m.internal = 0), ''),
        notes = COALESCE((SELECT group_concat(m.body, ' ') FROM ticket_messages AS m
                          WHERE m.ticket_id = OLD.ticket_id AND m.internal = 1), '')
    WHERE rowid = OLD.ticket_id;
END;
