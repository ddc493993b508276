-- A ticket's version (0290) moves too at every change of its thread: its
-- messages, its timeline's events and its files. The store keeps a
-- ticket's thread in memory by the ticket's version (store/ticket_cache.go),
-- so the ticket page reads none of the three while the ticket is as it was.
-- The store's own writes of a thread always update the ticket in the same
-- transaction; these triggers make any other write (a contact's erasure
-- renaming their messages, an operator's hand) move the version as well.
CREATE TRIGGER ticket_version_message_insert AFTER INSERT ON ticket_messages BEGIN
    UPDATE tickets SET version = version + 1 WHERE id = NEW.ticket_id;
END;
CREATE TRIGGER ticket_version_message_update AFTER UPDATE ON ticket_messages BEGIN
    UPDATE tickets SET version = version + 1 WHERE id IN (OLD.ticket_id, NEW.ticket_id);
END;
CREATE TRIGGER ticket_version_message_delete AFTER DELETE ON ticket_messages BEGIN
    UPDATE tickets SET version = version + 1 WHERE id = OLD.ticket_id;
END;

CREATE TRIGGER ticket_version_event_insert AFTER INSERT ON ticket_events BEGIN
    UPDATE tickets SET version = version + 1 WHERE id = NEW.ticket_id;
END;
CREATE TRIGGER ticket_version_event_update AFTER UPDATE ON ticket_events BEGIN
    UPDATE tickets SET version = version + 1 WHERE id IN (OLD.ticket_id, NEW.ticket_id);
END;
CREATE TRIGGER ticket_version_event_delete AFTER DELETE ON ticket_events BEGIN
    UPDATE tickets SET version = version + 1 WHERE id = OLD.ticket_id;
END;

-- An article's files (ticket_id NULL) are no ticket's.
CREATE TRIGGER ticket_version_attachment_insert AFTER INSERT ON attachments WHEN NEW.ticket_id IS NOT NULL BEGIN
    UPDATE tickets SET version = version + 1 WHERE id = NEW.ticket_id;
END;
CREATE TRIGGER ticket_version_attachment_update AFTER UPDATE ON attachments
WHEN OLD.ticket_id IS NOT NULL OR NEW.ticket_id IS NOT NULL BEGIN
    UPDATE tickets SET version = version + 1 WHERE id IN (OLD.ticket_id, NEW.ticket_id);
END;
CREATE TRIGGER ticket_version_attachment_delete AFTER DELETE ON attachments WHEN OLD.ticket_id IS NOT NULL BEGIN
    UPDATE tickets SET version = version + 1 WHERE id = OLD.ticket_id;
END;
