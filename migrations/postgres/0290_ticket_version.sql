-- A ticket's version moves at every change of its row or of its CC list,
-- whoever makes it (the store, a trigger, an operator's hand): the store
-- keeps tickets as read in memory by id and version (store/ticket_cache.go),
-- and a list or a ticket page reads each ticket's id and version, taking
-- the rest from memory while the version is the same. The column is not
-- indexed: its updates stay heap-only.
ALTER TABLE tickets ADD COLUMN version BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION ticket_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.version := OLD.version + 1;
    RETURN NEW;
END $$;
CREATE TRIGGER ticket_version BEFORE UPDATE ON tickets
    FOR EACH ROW EXECUTE FUNCTION ticket_version_bump();

CREATE FUNCTION ticket_part_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        UPDATE tickets SET version = version + 1 WHERE id = OLD.ticket_id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        UPDATE tickets SET version = version + 1 WHERE id = NEW.ticket_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER ticket_version AFTER INSERT OR UPDATE OR DELETE ON ticket_cc
    FOR EACH ROW EXECUTE FUNCTION ticket_part_version_bump();
