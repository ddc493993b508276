-- PostgreSQL's word index now takes a new message's words without
-- rebuilding the ticket's document; SQLite's FTS5 trigger already
-- appended the message (0081). Nothing changes here; the migration keeps
-- both databases at the same number.
SELECT 1;
