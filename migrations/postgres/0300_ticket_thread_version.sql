-- A ticket's version (0290) moves too at every change of its thread: its
-- messages, its timeline's events and its files. The store keeps a
-- ticket's thread in memory by the ticket's version (store/ticket_cache.go),
-- so the ticket page reads none of the three while the ticket is as it was.
-- The store's own writes of a thread always update the ticket in the same
-- transaction; these triggers make any other write (a contact's erasure
-- renaming their messages, an operator's hand) move the version as well.
-- An article's files (ticket_id NULL) are no ticket's: no row is updated.
CREATE TRIGGER ticket_version AFTER INSERT OR UPDATE OR DELETE ON ticket_messages
    FOR EACH ROW EXECUTE FUNCTION ticket_part_version_bump();
CREATE TRIGGER ticket_version AFTER INSERT OR UPDATE OR DELETE ON ticket_events
    FOR EACH ROW EXECUTE FUNCTION ticket_part_version_bump();
CREATE TRIGGER ticket_version AFTER INSERT OR UPDATE OR DELETE ON attachments
    FOR EACH ROW EXECUTE FUNCTION ticket_part_version_bump();
