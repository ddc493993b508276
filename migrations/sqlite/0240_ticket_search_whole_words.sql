-- PostgreSQL's word search counts its total from the whole words first
-- (its migration of the same name); SQLite's counts from FTS5, which
-- names the words a typed word starts already (store/ticket_search.go,
-- expand). Nothing changes here; the migration keeps both databases at
-- the same number.
SELECT 1;
