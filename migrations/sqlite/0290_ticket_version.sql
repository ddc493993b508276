-- A ticket's version moves at every change of its row or of its CC list,
-- whoever makes it (the store, a trigger, an operator's hand): the store
-- keeps tickets as read in memory by id and version (store/ticket_cache.go),
-- and a list or a ticket page reads each ticket's id and version, taking
-- the rest from memory while the version is the same.
--
-- SQLite has no BEFORE trigger that sets NEW, so an update of the row
-- that left the version as it was moves it after. The nested UPDATE
-- writes the version alone: the table's other AFTER UPDATE triggers are
-- all "UPDATE OF" other columns (0230) and do not fire again, and with
-- recursive_triggers off (SQLite's default) this one does not either.
ALTER TABLE tickets ADD COLUMN version INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER ticket_version AFTER UPDATE ON tickets WHEN NEW.version = OLD.version BEGIN
    UPDATE tickets SET version = OLD.version + 1 WHERE id = NEW.id;
END;

CREATE TRIGGER ticket_version_cc_insert AFTER INSERT ON ticket_cc BEGIN
    UPDATE tickets SET version = version + 1 WHERE id = NEW.ticket_id;
END;

CREATE TRIGGER ticket_version_cc_delete AFTER DELETE ON ticket_cc BEGIN
    UPDATE tickets SET version = version + 1 WHERE id = OLD.ticket_id;
END;

CREATE TRIGGER ticket_version_cc_update AFTER UPDATE ON ticket_cc BEGIN
    UPDATE tickets SET version = version + 1 WHERE id IN (OLD.ticket_id, NEW.ticket_id);
END;
