-- SQLite's word index now keys a ticket's document by its site (see the
-- SQLite migration of the same name). PostgreSQL's documents keep their
-- scope lexemes; nothing changes here, and the migration keeps both
-- databases at the same number.
SELECT 1;
