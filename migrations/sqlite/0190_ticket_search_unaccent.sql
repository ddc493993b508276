-- PostgreSQL's ticket word search now folds accents, as SQLite's FTS5
-- index has from the start (unicode61 remove_diacritics 2, migration
-- 0081). Nothing changes here; the migration keeps both databases at the
-- same number.
SELECT 1;
